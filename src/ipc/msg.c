/* System V message queues (Linux's ipc/msg.c, gVisor's kernel/msgqueue).
 * A queue holds typed messages up to msg_qbytes bytes (and as many
 * messages). Senders wait for room, receivers for a message of the type
 * they ask for; both sleep on the queue's wait queue, which every change
 * wakes. A signal ends the wait with -ERESTARTNOHAND (EINTR after a
 * handler, as Linux's), a removal with EIDRM. */
#include <linux/capability.h>
#include <linux/ipc.h>
#include <linux/msg.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/creds.h"
#include "cvisor/ipc.h"
#include "cvisor/kernel.h"
#include "cvisor/kernfs.h"
#include "cvisor/mm.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "cvisor/waitqueue.h"

struct msg {
	TAILQ_ENTRY(msg) entry;
	long type;
	size_t size;
	char text[];
};

struct msg_queue {
	struct ipc_obj obj;
	struct ipc_ns *ns;
	int refs;			/* the registry's, each sleeper's */
	uint64_t qbytes, cbytes, qnum;
	pid_t lspid, lrpid;
	int64_t stime, rtime, ctime;
	struct waitqueue wq;		/* senders and receivers */
	TAILQ_HEAD(, msg) msgs;
};

static struct msg_queue *MSG_Q(struct ipc_obj *obj)
{
	return container_of(obj, struct msg_queue, obj);
}

static int64_t now_sec(struct ipc_ns *ns)
{
	return kernel_realtime_ns(ns->k) / 1000000000;
}

/* msg.lock held. */
static void queue_put_locked(struct msg_queue *q)
{
	if (--q->refs > 0)
		return;
	struct msg *m;
	while ((m = TAILQ_FIRST(&q->msgs))) {
		TAILQ_REMOVE(&q->msgs, m, entry);
		free(m);
	}
	free(q);
}

static int msg_create(struct ipc_ns *ns, const struct creds *cr, int key, int flag,
		      uint64_t arg)
{
	struct msg_queue *q = xzalloc(sizeof(*q));
	int id = ipc_add(&ns->msg, &q->obj, ns->msg_ctlmni, cr, key, flag);
	if (id < 0) {
		free(q);
		return id;
	}
	q->ns = ns;
	q->refs = 1;
	q->qbytes = (uint64_t)ns->msg_ctlmnb;
	q->ctime = now_sec(ns);
	waitqueue_init(&q->wq);
	TAILQ_INIT(&q->msgs);
	return id;
}

static const struct ipc_get_ops msg_get_ops = {
	.create = msg_create,
};

long msg_get(struct task *t, int key, int flag)
{
	struct ipc_ns *ns = task_ipc_ns(t);
	return ipc_get(ns, &ns->msg, &msg_get_ops, t->creds, key, flag, 0);
}

/* Sleeps on Q's queue with msg.lock dropped: 0 when woken, else the
 * error to return (-ERESTARTNOHAND for a signal). */
static int queue_wait(struct task *t, struct msg_queue *q, struct waiter *w)
{
	waiter_prepare(w, t, &q->wq);
	pthread_mutex_unlock(&q->ns->msg.lock);
	int err = waiter_sleep(w, -1);
	pthread_mutex_lock(&q->ns->msg.lock);
	return err ? -ERESTARTNOHAND : 0;
}

/* Locks msg.lock and takes a sleeper's reference on queue ID, or
 * unlocks and returns NULL when there is none. */
static struct msg_queue *queue_get_locked(struct ipc_ns *ns, int id)
{
	pthread_mutex_lock(&ns->msg.lock);
	struct ipc_obj *obj = ipc_find_id(&ns->msg, id);
	if (!obj) {
		pthread_mutex_unlock(&ns->msg.lock);
		return NULL;
	}
	struct msg_queue *q = MSG_Q(obj);
	q->refs++;
	return q;
}

/* Undoes queue_get_locked once the waiting is over. */
static void queue_put_unlock(struct msg_queue *q, struct waiter *w)
{
	struct ipc_ns *ns = q->ns;
	waiter_finish(w);
	queue_put_locked(q);
	pthread_mutex_unlock(&ns->msg.lock);
}

/* Why T, waiting on Q for access MODE (0222 send, 0444 receive), must
 * stop: -EIDRM once Q is removed, an error if T may not, else 0. */
static long queue_check(struct task *t, struct msg_queue *q, int mode)
{
	if (q->obj.deleted)
		return -EIDRM;
	return ipc_perms(t->creds, &q->obj, mode);
}

long msg_send(struct task *t, int id, uaddr_t msgp, size_t size, int flag)
{
	struct ipc_ns *ns = task_ipc_ns(t);
	long type;

	/* ksys_msgsnd reads the type first, then do_msgsnd checks. */
	if (mm_copy_in(t->mm, &type, msgp, sizeof(type)))
		return -EFAULT;
	if (size > (size_t)ns->msg_ctlmax || (long)size < 0 || id < 0)
		return -EINVAL;
	if (type < 1)
		return -EINVAL;
	struct msg *m = xmalloc(sizeof(*m) + size);
	m->type = type;
	m->size = size;
	if (mm_copy_in(t->mm, m->text, msgp + sizeof(long), size)) {
		free(m);
		return -EFAULT;
	}

	struct msg_queue *q = queue_get_locked(ns, id);
	if (!q) {
		free(m);
		return -EINVAL;
	}
	struct waiter w = { 0 };
	long ret;
	for (;;) {
		if ((ret = queue_check(t, q, 0222)))
			break;
		/* msg_fits_inqueue: bytes, and messages, within qbytes. */
		if (size + q->cbytes <= q->qbytes && 1 + q->qnum <= q->qbytes)
			break;
		if (flag & IPC_NOWAIT) {
			ret = -EAGAIN;
			break;
		}
		if ((ret = queue_wait(t, q, &w)))
			break;
	}
	if (!ret) {
		TAILQ_INSERT_TAIL(&q->msgs, m, entry);
		q->cbytes += size;
		q->qnum++;
		q->lspid = t->tg->tgid;
		q->stime = now_sec(ns);
		ns->msg_bytes += (int64_t)size;
		ns->msg_hdrs++;
		m = NULL;
		waitqueue_wake_all(&q->wq);
	}
	queue_put_unlock(q, &w);
	free(m);
	return ret;
}

enum msg_search { SEARCH_ANY, SEARCH_EQUAL, SEARCH_NOTEQUAL, SEARCH_LESSEQUAL, SEARCH_NUMBER };

/* find_msg: the message MODE and TYPE select (SEARCH_LESSEQUAL: the
 * first of the lowest type), or NULL. */
static struct msg *find_msg(struct msg_queue *q, enum msg_search mode, long type)
{
	struct msg *m, *found = NULL;
	long count = 0;
	TAILQ_FOREACH(m, &q->msgs, entry) {
		switch (mode) {
		case SEARCH_ANY:
			return m;
		case SEARCH_EQUAL:
			if (m->type == type)
				return m;
			break;
		case SEARCH_NOTEQUAL:
			if (m->type != type)
				return m;
			break;
		case SEARCH_LESSEQUAL:
			if (m->type <= type && (!found || m->type < found->type))
				found = m;
			break;
		case SEARCH_NUMBER:
			if (count++ == type)
				return m;
			break;
		}
	}
	return found;
}

long msg_receive(struct task *t, int id, uaddr_t msgp, size_t size, long type, int flag)
{
	struct ipc_ns *ns = task_ipc_ns(t);
	enum msg_search mode;

	if (id < 0 || (long)size < 0)
		return -EINVAL;
	if (flag & MSG_COPY) {
		/* A peek at the TYPE-th message, for checkpointing. */
		if ((flag & MSG_EXCEPT) || !(flag & IPC_NOWAIT))
			return -EINVAL;
		mode = SEARCH_NUMBER;
	} else if (type == 0) {
		mode = SEARCH_ANY;
	} else if (type < 0) {
		mode = SEARCH_LESSEQUAL;
		type = type == LONG_MIN ? LONG_MAX : -type;
	} else {
		mode = (flag & MSG_EXCEPT) ? SEARCH_NOTEQUAL : SEARCH_EQUAL;
	}

	struct msg_queue *q = queue_get_locked(ns, id);
	if (!q)
		return -EINVAL;
	struct waiter w = { 0 };
	struct msg *m = NULL, *copy = NULL;
	long ret;
	for (;;) {
		if ((ret = queue_check(t, q, 0444)))
			break;
		m = find_msg(q, mode, type);
		if (m) {
			if (m->size > size && !(flag & MSG_NOERROR)) {
				ret = -E2BIG;
				m = NULL;
			}
			break;
		}
		if (flag & IPC_NOWAIT) {
			ret = -ENOMSG;
			break;
		}
		if ((ret = queue_wait(t, q, &w)))
			break;
	}
	if (m && (flag & MSG_COPY)) {
		copy = xmalloc(sizeof(*m) + m->size);
		memcpy(copy, m, sizeof(*m) + m->size);
		m = copy;
	} else if (m) {
		TAILQ_REMOVE(&q->msgs, m, entry);
		q->cbytes -= m->size;
		q->qnum--;
		q->lrpid = t->tg->tgid;
		q->rtime = now_sec(ns);
		ns->msg_bytes -= (int64_t)m->size;
		ns->msg_hdrs--;
		waitqueue_wake_all(&q->wq);
	}
	queue_put_unlock(q, &w);
	if (!m)
		return ret;
	size_t n = MIN(size, m->size);
	if (mm_copy_out(t->mm, msgp, &m->type, sizeof(long)) ||
	    mm_copy_out(t->mm, msgp + sizeof(long), m->text, n))
		ret = -EFAULT;
	else
		ret = (long)n;
	free(m);
	return ret;
}

static long msg_info_cmd(struct task *t, int cmd, uaddr_t buf)
{
	struct ipc_ns *ns = task_ipc_ns(t);
	struct msginfo mi = {
		.msgmni = ns->msg_ctlmni,
		.msgmax = ns->msg_ctlmax,
		.msgmnb = ns->msg_ctlmnb,
		.msgssz = MSGSSZ,
		.msgseg = MSGSEG,
		.msgmap = MSGMAP,
		.msgpool = MSGPOOL,
		.msgtql = MSGTQL,
	};
	pthread_mutex_lock(&ns->msg.lock);
	if (cmd == MSG_INFO) {
		mi.msgpool = ns->msg.in_use;
		mi.msgmap = (int)ns->msg_hdrs;
		mi.msgtql = (int)ns->msg_bytes;
	}
	int max_idx = MAX(ns->msg.max_idx, 0);
	pthread_mutex_unlock(&ns->msg.lock);
	int err = mm_copy_out(t->mm, buf, &mi, sizeof(mi));
	return err ? err : max_idx;
}

static void msg_fill_ds(struct msg_queue *q, struct msqid64_ds *ds)
{
	*ds = (struct msqid64_ds){
		.msg_stime = q->stime,
		.msg_rtime = q->rtime,
		.msg_ctime = q->ctime,
		.msg_cbytes = q->cbytes,
		.msg_qnum = q->qnum,
		.msg_qbytes = q->qbytes,
		.msg_lspid = q->lspid,
		.msg_lrpid = q->lrpid,
	};
	ipc_to_perm64(&q->obj, &ds->msg_perm);
}

long msg_ctl(struct task *t, int id, int cmd, uaddr_t buf)
{
	struct ipc_ns *ns = task_ipc_ns(t);
	struct msqid64_ds ds;
	long ret = 0;

	switch (cmd) {
	case IPC_INFO:
	case MSG_INFO:
		return msg_info_cmd(t, cmd, buf);
	case IPC_STAT: case MSG_STAT: case MSG_STAT_ANY: case IPC_SET: case IPC_RMID:
		break;
	default:
		return -EINVAL;
	}
	if (id < 0)
		return -EINVAL;
	if (cmd == IPC_SET && mm_copy_in(t->mm, &ds, buf, sizeof(ds)))
		return -EFAULT;
	pthread_mutex_lock(&ns->msg.lock);
	bool by_idx = cmd == MSG_STAT || cmd == MSG_STAT_ANY;
	struct ipc_obj *obj = by_idx ? ipc_find_idx(&ns->msg, id) : ipc_find_id(&ns->msg, id);
	struct msg_queue *q = obj ? MSG_Q(obj) : NULL;
	if (!obj) {
		ret = -EINVAL;
	} else if (cmd == IPC_STAT || by_idx) {
		if (cmd != MSG_STAT_ANY)
			ret = ipc_perms(t->creds, obj, 0444);
		if (!ret) {
			msg_fill_ds(q, &ds);
			ret = by_idx ? obj->id : 0;
		}
	} else if (!ipc_owner_or_admin(t->creds, obj)) {
		ret = -EPERM;
	} else if (cmd == IPC_SET) {
		if (ds.msg_qbytes > (unsigned long)ns->msg_ctlmnb &&
		    !creds_has_cap(t->creds, CAP_SYS_RESOURCE)) {
			ret = -EPERM;
		} else {
			ipc_set_perm(obj, ds.msg_perm.uid, ds.msg_perm.gid, ds.msg_perm.mode);
			q->qbytes = ds.msg_qbytes;
			q->ctime = now_sec(ns);
			waitqueue_wake_all(&q->wq);
		}
	} else {
		/* IPC_RMID: sleepers wake to EIDRM. */
		ipc_remove(&ns->msg, obj);
		ns->msg_bytes -= (int64_t)q->cbytes;
		ns->msg_hdrs -= (int64_t)q->qnum;
		waitqueue_wake_all(&q->wq);
		queue_put_locked(q);
	}
	pthread_mutex_unlock(&ns->msg.lock);
	if (ret >= 0 && (cmd == IPC_STAT || by_idx)) {
		int err = mm_copy_out(t->mm, buf, &ds, sizeof(ds));
		if (err)
			ret = err;
	}
	return ret;
}

void msg_proc_show(struct ipc_ns *ns, struct kernfs_buf *b)
{
	kernfs_printf(b, "       key      msqid perms      cbytes       qnum lspid lrpid   uid"
			 "   gid  cuid  cgid      stime      rtime      ctime\n");
	pthread_mutex_lock(&ns->msg.lock);
	for (int i = 0; i <= ns->msg.max_idx; i++) {
		struct ipc_obj *o = ns->msg.slots[i];
		if (!o)
			continue;
		struct msg_queue *q = MSG_Q(o);
		kernfs_printf(b, "%10d %10d  %4o  %10llu %10llu %5d %5d %5u %5u %5u %5u "
			      "%10lld %10lld %10lld\n", o->key, o->id, o->mode,
			      (unsigned long long)q->cbytes, (unsigned long long)q->qnum, q->lspid,
			      q->lrpid, o->uid, o->gid, o->cuid, o->cgid, (long long)q->stime,
			      (long long)q->rtime, (long long)q->ctime);
	}
	pthread_mutex_unlock(&ns->msg.lock);
}
