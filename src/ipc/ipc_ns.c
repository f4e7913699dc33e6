/* The IPC namespace and the registry every kind of object shares (Linux's
 * ipc/namespace.c and ipc/util.c): ids, keys, permissions. */
#include <linux/ipc.h>
#include <linux/msg.h>
#include <linux/sem.h>
#include <linux/shm.h>
#include <limits.h>
#include <linux/capability.h>

#include "cvisor/creds.h"
#include "cvisor/ipc.h"
#include "cvisor/kernel.h"
#include "cvisor/task.h"

static void ipc_ids_init(struct ipc_ids *ids)
{
	pthread_mutex_init(&ids->lock, NULL);
	ids->slots = xzalloc(IPC_MNI * sizeof(*ids->slots));
	ids->max_idx = -1;
}

struct ipc_ns *ipc_ns_new(struct kernel *k)
{
	struct ipc_ns *ns = xzalloc(sizeof(*ns));
	ns->refs = 1;
	ns->k = k;
	ipc_ids_init(&ns->shm);
	ipc_ids_init(&ns->sem);
	ipc_ids_init(&ns->msg);
	ns->shm_ctlmax = SHMMAX;
	ns->shm_ctlall = SHMALL;
	ns->shm_ctlmni = SHMMNI;
	ns->sem_ctls[0] = SEMMSL;
	ns->sem_ctls[1] = SEMMNS;
	ns->sem_ctls[2] = SEMOPM;
	ns->sem_ctls[3] = SEMMNI;
	ns->msg_ctlmax = MSGMAX;
	ns->msg_ctlmnb = MSGMNB;
	ns->msg_ctlmni = MSGMNI;
	return ns;
}

/* One namespace per sandbox: clone(CLONE_NEWIPC) is not supported yet,
 * so every task is in the kernel's. */
struct ipc_ns *task_ipc_ns(struct task *t)
{
	return t->k->root_ipcns;
}

int ipc_perms(const struct creds *cr, const struct ipc_obj *obj, int flag)
{
	int requested = (flag >> 6) | (flag >> 3) | flag;
	int granted = (int)obj->mode;
	if (cr->euid == obj->cuid || cr->euid == obj->uid)
		granted >>= 6;
	else if (creds_in_group(cr, obj->cgid) || creds_in_group(cr, obj->gid))
		granted >>= 3;
	if ((requested & ~granted & 0007) && !creds_has_cap(cr, CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

bool ipc_owner_or_admin(const struct creds *cr, const struct ipc_obj *obj)
{
	return cr->euid == obj->cuid || cr->euid == obj->uid ||
	       creds_has_cap(cr, CAP_SYS_ADMIN);
}

struct ipc_obj *ipc_find_idx(struct ipc_ids *ids, int idx)
{
	if (idx < 0 || idx >= IPC_MNI)
		return NULL;
	return ids->slots[idx];
}

struct ipc_obj *ipc_find_id(struct ipc_ids *ids, int id)
{
	if (id < 0)
		return NULL;
	struct ipc_obj *obj = ipc_find_idx(ids, id % IPC_SEQ_MULTIPLIER);
	return obj && obj->id == id ? obj : NULL;
}

void ipc_set_perm(struct ipc_obj *obj, uid_t uid, gid_t gid, unsigned mode)
{
	obj->uid = uid;
	obj->gid = gid;
	obj->mode = (obj->mode & ~0777u) | (mode & 0777);
}

void ipc_remove(struct ipc_ids *ids, struct ipc_obj *obj)
{
	int idx = obj->id % IPC_SEQ_MULTIPLIER;
	ids->slots[idx] = NULL;
	ids->in_use--;
	obj->deleted = true;
	if (idx == ids->max_idx)
		while (ids->max_idx >= 0 && !ids->slots[ids->max_idx])
			ids->max_idx--;
}

void ipc_to_perm64(const struct ipc_obj *obj, struct ipc64_perm *out)
{
	*out = (struct ipc64_perm){
		.key = obj->key,
		.uid = obj->uid,
		.gid = obj->gid,
		.cuid = obj->cuid,
		.cgid = obj->cgid,
		.mode = obj->mode,
		.seq = (unsigned short)obj->seq,
	};
}

int ipc_add(struct ipc_ids *ids, struct ipc_obj *obj, int limit, const struct creds *cr,
	    int key, int flag)
{
	if (ids->in_use >= limit)
		return -ENOSPC;
	int idx = 0;
	while (idx < IPC_MNI && ids->slots[idx])
		idx++;
	if (idx == IPC_MNI)
		return -ENOSPC;
	obj->key = key;
	obj->mode = flag & 0777;
	obj->uid = obj->cuid = cr->euid;
	obj->gid = obj->cgid = cr->egid;
	obj->seq = ids->seq;
	/* The sequence wraps where ids stay positive ints (ipc_seq_max). */
	ids->seq = (ids->seq + 1) % (INT_MAX / IPC_SEQ_MULTIPLIER);
	obj->id = (int)(obj->seq * IPC_SEQ_MULTIPLIER) + idx;
	ids->slots[idx] = obj;
	ids->in_use++;
	if (idx > ids->max_idx)
		ids->max_idx = idx;
	return obj->id;
}

static struct ipc_obj *find_key(struct ipc_ids *ids, int key)
{
	for (int i = 0; i <= ids->max_idx; i++)
		if (ids->slots[i] && ids->slots[i]->key == key)
			return ids->slots[i];
	return NULL;
}

int ipc_get(struct ipc_ns *ns, struct ipc_ids *ids, const struct ipc_get_ops *ops,
	    const struct creds *cr, int key, int flag, uint64_t arg)
{
	pthread_mutex_lock(&ids->lock);
	int ret;
	struct ipc_obj *obj = key == IPC_PRIVATE ? NULL : find_key(ids, key);
	if (!obj) {
		if (key != IPC_PRIVATE && !(flag & IPC_CREAT))
			ret = -ENOENT;
		else
			ret = ops->create(ns, cr, key, flag, arg);
	} else if ((flag & IPC_CREAT) && (flag & IPC_EXCL)) {
		ret = -EEXIST;
	} else {
		ret = ops->more_checks ? ops->more_checks(obj, arg) : 0;
		if (!ret)
			ret = ipc_perms(cr, obj, flag);
		if (!ret)
			ret = obj->id;
	}
	pthread_mutex_unlock(&ids->lock);
	return ret;
}
