/* System V IPC (svipc(7)): shared memory segments, semaphore sets and
 * message queues, in an IPC namespace, as Linux's ipc/ and gVisor's
 * kernel/{ipc,shm,semaphore,msgqueue}.
 *
 * An IPC namespace holds one registry (struct ipc_ids) per kind. Objects
 * are found by key (IPC_PRIVATE always makes a new one) or by id, which is
 * seq * IPC_SEQ_MULTIPLIER + index as Linux's, so that a stale id of a
 * removed object does not name its successor in the same slot.
 *
 * Locking: each registry's lock guards the registry and every object in
 * it. Lock order: mm->lock -> shm registry lock -> memfile lock (a shm
 * VMA's last close may destroy its segment); sem/msg registry lock ->
 * waitqueue lock.
 */
#ifndef CVISOR_IPC_H
#define CVISOR_IPC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cvisor/util.h"

struct creds;
struct kernel;
struct kernfs_buf;
struct task;
struct thread_group;
struct ipc64_perm;

/* Linux's IPCMNI: slots per registry, and the id's sequence multiplier. */
#define IPC_MNI 32768
#define IPC_SEQ_MULTIPLIER IPC_MNI

/* What every object has (Linux's kern_ipc_perm). */
struct ipc_obj {
	int key;
	uid_t uid, cuid;
	gid_t gid, cgid;
	unsigned mode;			/* 0777 bits, and SHM_DEST / SHM_LOCKED */
	unsigned seq;
	int id;
	bool deleted;			/* out of the registry: IPC_RMID */
};

struct ipc_ids {
	pthread_mutex_t lock;
	struct ipc_obj **slots;		/* [lock] IPC_MNI entries */
	int in_use;			/* [lock] */
	int max_idx;			/* [lock] highest used index, -1 if none */
	unsigned seq;			/* [lock] the next object's sequence */
};

/* Linux's defaults (ipc/util.h, the uapi's SHMMAX ...). */
struct ipc_ns {
	_Atomic int refs;
	struct kernel *k;
	struct ipc_ids shm, sem, msg;

	uint64_t shm_ctlmax, shm_ctlall;	/* bytes per segment, pages in all */
	int shm_ctlmni;
	uint64_t shm_tot;			/* [shm.lock] pages in all segments */

	int sem_ctls[4];			/* SEMMSL, SEMMNS, SEMOPM, SEMMNI */
	int used_sems;				/* [sem.lock] */

	int msg_ctlmax, msg_ctlmnb, msg_ctlmni;
	int64_t msg_bytes, msg_hdrs;		/* [msg.lock] in all queues */
};

struct ipc_ns *ipc_ns_new(struct kernel *k);
/* The IPC namespace task T is in. */
struct ipc_ns *task_ipc_ns(struct task *t);

/* ---- the registry (ipc_ns.c; Linux's ipc/util.c), with IDS locked ---- */

/* Permission to access OBJ with the mode bits in FLAG (e.g. 0400 read,
 * 0200 write, as Linux's ipcperms): 0 or -EACCES. */
int ipc_perms(const struct creds *cr, const struct ipc_obj *obj, int flag);
/* Whether CR may IPC_SET or IPC_RMID OBJ: its owner or creator, or
 * CAP_SYS_ADMIN (ipcctl_obtain_check). */
bool ipc_owner_or_admin(const struct creds *cr, const struct ipc_obj *obj);
/* The object with ID, or NULL (callers answer -EINVAL, as Linux's
 * ipc_obtain_object_check for a stale or unknown id). */
struct ipc_obj *ipc_find_id(struct ipc_ids *ids, int id);
/* The object in slot IDX (the *_STAT commands), or NULL. */
struct ipc_obj *ipc_find_idx(struct ipc_ids *ids, int idx);
/* Applies IPC_SET's uid, gid and 0777 mode bits. */
void ipc_set_perm(struct ipc_obj *obj, uid_t uid, gid_t gid, unsigned mode);
/* Removes OBJ from IDS (it stays allocated for its holders). */
void ipc_remove(struct ipc_ids *ids, struct ipc_obj *obj);
void ipc_to_perm64(const struct ipc_obj *obj, struct ipc64_perm *out);

/* shmget/semget/msgget: the object of KEY per FLAG (IPC_CREAT,
 * IPC_EXCL, the mode), made by CREATE when needed. */
struct ipc_get_ops {
	/* Makes and registers a new object (ipc_add): its id or -errno. */
	int (*create)(struct ipc_ns *ns, const struct creds *cr, int key, int flag, uint64_t arg);
	/* For an existing object: -EINVAL if ARG does not fit it. */
	int (*more_checks)(struct ipc_obj *obj, uint64_t arg);
};
int ipc_get(struct ipc_ns *ns, struct ipc_ids *ids, const struct ipc_get_ops *ops,
	    const struct creds *cr, int key, int flag, uint64_t arg);
/* Registers OBJ (key, mode from FLAG, owner CR) in IDS unless it already
 * holds LIMIT objects: its id or -ENOSPC. IDS locked. */
int ipc_add(struct ipc_ids *ids, struct ipc_obj *obj, int limit, const struct creds *cr,
	    int key, int flag);

/* ---- shared memory (shm.c) ---- */

long shm_get(struct task *t, int key, uint64_t size, int flag);
/* shmat: the address or -errno. */
long shm_attach(struct task *t, int id, uaddr_t addr, int flag);
long shm_detach(struct task *t, uaddr_t addr);
/* shmctl's commands, BUF an application address. */
long shm_ctl(struct task *t, int id, int cmd, uaddr_t buf);

/* ---- semaphores (sem.c) ---- */

long sem_get(struct task *t, int key, int nsems, int flag);
/* semtimedop with the NSOPS operations in OPS (struct sembuf) already
 * copied in; DEADLINE on the host monotonic clock, < 0 for none. */
struct sembuf;
long sem_op(struct task *t, int id, struct sembuf *ops, unsigned nsops, int64_t deadline);
/* semctl's commands, with ARG the union semun word; copies what they
 * need through T's memory. */
long sem_ctl(struct task *t, int id, int num, int cmd, uint64_t arg);
/* The SEM_UNDO adjustments of TG, applied when its last thread exits. */
void sem_exit(struct thread_group *tg);

/* ---- message queues (msg.c) ---- */

long msg_get(struct task *t, int key, int flag);
long msg_send(struct task *t, int id, uaddr_t msgp, size_t size, int flag);
long msg_receive(struct task *t, int id, uaddr_t msgp, size_t size, long type, int flag);
long msg_ctl(struct task *t, int id, int cmd, uaddr_t buf);

/* /proc/sysvipc/{shm,sem,msg}. */
void shm_proc_show(struct ipc_ns *ns, struct kernfs_buf *b);
void sem_proc_show(struct ipc_ns *ns, struct kernfs_buf *b);
void msg_proc_show(struct ipc_ns *ns, struct kernfs_buf *b);

#endif
