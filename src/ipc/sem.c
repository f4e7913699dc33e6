/* System V semaphores (Linux's ipc/sem.c, gVisor's kernel/semaphore). A
 * semop applies all its operations or none; one that cannot go ahead
 * sleeps on its set's wait queue and tries again after every change, until
 * it succeeds, a signal comes (EINTR: semop is never restarted), its
 * timeout passes (EAGAIN) or the set is removed (EIDRM). SEM_UNDO
 * adjustments are kept per process in each set, and applied when the
 * process's last thread exits. */
#include <linux/ipc.h>
#include <linux/sem.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/creds.h"
#include "cvisor/ipc.h"
#include "cvisor/kernel.h"
#include "cvisor/kernfs.h"
#include "cvisor/mm.h"
#include "cvisor/task.h"
#include "cvisor/waitqueue.h"

struct sem {
	int val;
	pid_t pid;			/* last process to operate on it */
};

/* A process's SEM_UNDO adjustments in one set (Linux's sem_undo). */
struct sem_undo {
	LIST_ENTRY(sem_undo) entry;
	struct thread_group *tg;
	short adj[];			/* one per semaphore */
};

/* A semop asleep: the operation it waits on, for GETNCNT / GETZCNT. */
struct sem_pending {
	TAILQ_ENTRY(sem_pending) entry;
	const struct sembuf *blocking;
};

struct sem_set {
	struct ipc_obj obj;
	struct ipc_ns *ns;
	int refs;			/* the registry's, each sleeper's */
	int nsems;
	int64_t otime, ctime;
	struct waitqueue wq;		/* sleepers: any change wakes them all */
	TAILQ_HEAD(, sem_pending) pending;
	LIST_HEAD(, sem_undo) undos;
	struct sem sems[];
};

static struct sem_set *SEM_SET(struct ipc_obj *obj)
{
	return container_of(obj, struct sem_set, obj);
}

static int64_t now_sec(struct ipc_ns *ns)
{
	return kernel_realtime_ns(ns->k) / 1000000000;
}

/* sem.lock held. */
static void set_put_locked(struct sem_set *s)
{
	if (--s->refs > 0)
		return;
	struct sem_undo *un;
	while ((un = LIST_FIRST(&s->undos))) {
		LIST_REMOVE(un, entry);
		free(un);
	}
	free(s);
}

static int sem_create(struct ipc_ns *ns, const struct creds *cr, int key, int flag,
		      uint64_t arg)
{
	int nsems = (int)arg;
	if (nsems <= 0 || nsems > ns->sem_ctls[0])
		return -EINVAL;
	if (ns->used_sems + nsems > ns->sem_ctls[1])
		return -ENOSPC;
	struct sem_set *s = xzalloc(sizeof(*s) + (size_t)nsems * sizeof(s->sems[0]));
	int id = ipc_add(&ns->sem, &s->obj, ns->sem_ctls[3], cr, key, flag);
	if (id < 0) {
		free(s);
		return id;
	}
	s->ns = ns;
	s->refs = 1;
	s->nsems = nsems;
	s->ctime = now_sec(ns);
	waitqueue_init(&s->wq);
	TAILQ_INIT(&s->pending);
	LIST_INIT(&s->undos);
	ns->used_sems += nsems;
	return id;
}

static int sem_more_checks(struct ipc_obj *obj, uint64_t arg)
{
	return (int)arg > SEM_SET(obj)->nsems ? -EINVAL : 0;
}

static const struct ipc_get_ops sem_get_ops = {
	.create = sem_create,
	.more_checks = sem_more_checks,
};

long sem_get(struct task *t, int key, int nsems, int flag)
{
	struct ipc_ns *ns = task_ipc_ns(t);
	if (nsems < 0 || nsems > ns->sem_ctls[0])
		return -EINVAL;
	return ipc_get(ns, &ns->sem, &sem_get_ops, t->creds, key, flag, (uint64_t)nsems);
}

static struct sem_undo *find_undo(struct sem_set *s, struct thread_group *tg, bool alloc)
{
	struct sem_undo *un;
	LIST_FOREACH(un, &s->undos, entry)
		if (un->tg == tg)
			return un;
	if (!alloc)
		return NULL;
	un = xzalloc(sizeof(*un) + (size_t)s->nsems * sizeof(un->adj[0]));
	un->tg = tg;
	LIST_INSERT_HEAD(&s->undos, un, entry);
	return un;
}

/* All of OPS or none (perform_atomic_semop): 0 when done, 1 when it must
 * wait for *BLOCKING, -EAGAIN (that op had IPC_NOWAIT) or -ERANGE. */
static int try_semop(struct sem_set *s, const struct sembuf *ops, unsigned nsops,
		     struct sem_undo *un, pid_t pid, const struct sembuf **blocking)
{
	unsigned i;
	int ret = 0;
	for (i = 0; i < nsops; i++) {
		const struct sembuf *op = &ops[i];
		struct sem *sem = &s->sems[op->sem_num];
		int result = sem->val + op->sem_op;
		if ((op->sem_op == 0 && sem->val != 0) || result < 0) {
			*blocking = op;
			ret = (op->sem_flg & IPC_NOWAIT) ? -EAGAIN : 1;
			break;
		}
		if (result > SEMVMX) {
			ret = -ERANGE;
			break;
		}
		if (op->sem_flg & SEM_UNDO) {
			int undo = un->adj[op->sem_num] - op->sem_op;
			if (undo < -SEMAEM - 1 || undo > SEMAEM) {
				ret = -ERANGE;
				break;
			}
		}
		sem->val = result;
	}
	if (ret) {
		while (i-- > 0)
			s->sems[ops[i].sem_num].val -= ops[i].sem_op;
		return ret;
	}
	for (i = 0; i < nsops; i++) {
		if (ops[i].sem_flg & SEM_UNDO)
			un->adj[ops[i].sem_num] -= ops[i].sem_op;
		s->sems[ops[i].sem_num].pid = pid;
	}
	return 0;
}

long sem_op(struct task *t, int id, struct sembuf *ops, unsigned nsops, int64_t deadline)
{
	struct ipc_ns *ns = task_ipc_ns(t);
	unsigned max = 0;
	bool undos = false, alter = false;

	for (unsigned i = 0; i < nsops; i++) {
		max = MAX(max, ops[i].sem_num);
		undos |= ops[i].sem_flg & SEM_UNDO;
		alter |= ops[i].sem_op != 0;
	}
	pthread_mutex_lock(&ns->sem.lock);
	struct ipc_obj *obj = ipc_find_id(&ns->sem, id);
	long ret = obj ? 0 : -EINVAL;
	struct sem_set *s = obj ? SEM_SET(obj) : NULL;
	if (!ret && max >= (unsigned)s->nsems)
		ret = -EFBIG;
	if (!ret)
		ret = ipc_perms(t->creds, obj, alter ? 0222 : 0444);
	if (ret) {
		pthread_mutex_unlock(&ns->sem.lock);
		return ret;
	}
	struct sem_undo *un = undos ? find_undo(s, t->tg, true) : NULL;
	struct sem_pending p = { 0 };
	struct waiter w = { 0 };
	bool queued = false;
	s->refs++;
	for (;;) {
		if (s->obj.deleted) {
			ret = -EIDRM;
			break;
		}
		ret = try_semop(s, ops, nsops, un, t->tg->tgid, &p.blocking);
		if (ret <= 0)
			break;
		if (!queued)
			TAILQ_INSERT_TAIL(&s->pending, &p, entry);
		queued = true;
		waiter_prepare(&w, t, &s->wq);
		pthread_mutex_unlock(&ns->sem.lock);
		int err = waiter_sleep(&w, deadline);
		pthread_mutex_lock(&ns->sem.lock);
		if (err) {
			ret = err == -ETIMEDOUT ? -EAGAIN : -EINTR;
			break;
		}
	}
	if (queued)
		TAILQ_REMOVE(&s->pending, &p, entry);
	if (ret == 0) {
		s->otime = now_sec(ns);
		if (alter)
			waitqueue_wake_all(&s->wq);
	}
	waiter_finish(&w);
	set_put_locked(s);
	pthread_mutex_unlock(&ns->sem.lock);
	return ret;
}

void sem_exit(struct thread_group *tg)
{
	struct ipc_ns *ns = tg->k->root_ipcns;
	pthread_mutex_lock(&ns->sem.lock);
	for (int i = 0; i <= ns->sem.max_idx; i++) {
		struct ipc_obj *obj = ns->sem.slots[i];
		struct sem_undo *un = obj ? find_undo(SEM_SET(obj), tg, false) : NULL;
		if (!un)
			continue;
		struct sem_set *s = SEM_SET(obj);
		/* exit_sem: values are clamped into [0, SEMVMX]. */
		for (int n = 0; n < s->nsems; n++) {
			if (!un->adj[n])
				continue;
			s->sems[n].val = MIN(MAX(s->sems[n].val + un->adj[n], 0), SEMVMX);
			s->sems[n].pid = tg->tgid;
		}
		LIST_REMOVE(un, entry);
		free(un);
		waitqueue_wake_all(&s->wq);
	}
	pthread_mutex_unlock(&ns->sem.lock);
}

/* Sleepers of S blocked on semaphore NUM: decrements (ZERO false) or
 * waits for zero (count_semcnt). */
static int count_waiters(struct sem_set *s, int num, bool zero)
{
	int n = 0;
	struct sem_pending *p;
	TAILQ_FOREACH(p, &s->pending, entry)
		if (p->blocking->sem_num == num && (p->blocking->sem_op == 0) == zero)
			n++;
	return n;
}

static long sem_info_cmd(struct task *t, int cmd, uaddr_t buf)
{
	struct ipc_ns *ns = task_ipc_ns(t);
	struct seminfo si = {
		.semmni = ns->sem_ctls[3],
		.semmns = ns->sem_ctls[1],
		.semmsl = ns->sem_ctls[0],
		.semopm = ns->sem_ctls[2],
		.semvmx = SEMVMX,
		.semmnu = SEMMNU,
		.semmap = SEMMAP,
		.semume = SEMUME,
		.semusz = SEMUSZ,
		.semaem = SEMAEM,
	};
	pthread_mutex_lock(&ns->sem.lock);
	if (cmd == SEM_INFO) {
		si.semusz = ns->sem.in_use;
		si.semaem = ns->used_sems;
	}
	int max_idx = MAX(ns->sem.max_idx, 0);
	pthread_mutex_unlock(&ns->sem.lock);
	int err = mm_copy_out(t->mm, buf, &si, sizeof(si));
	return err ? err : max_idx;
}

static void sem_fill_ds(struct sem_set *s, struct semid64_ds *ds)
{
	*ds = (struct semid64_ds){
		.sem_otime = s->otime,
		.sem_ctime = s->ctime,
		.sem_nsems = (unsigned long)s->nsems,
	};
	ipc_to_perm64(&s->obj, &ds->sem_perm);
}

/* The commands on one set, with sem.lock held and S found. VALS: GETALL's
 * and SETALL's values; OUT: IPC_SET's struct semid64_ds in, the STAT
 * commands' out, and *OUT_SIZE what to copy out to ARG after unlocking. */
static long sem_ctl_locked(struct task *t, struct sem_set *s, int num, int cmd, uint64_t arg,
			   unsigned short *vals, void *out, size_t *out_size)
{
	const struct creds *cr = t->creds;
	long ret;

	switch (cmd) {
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		if (cmd != SEM_STAT_ANY && (ret = ipc_perms(cr, &s->obj, 0444)))
			return ret;
		sem_fill_ds(s, out);
		*out_size = sizeof(struct semid64_ds);
		return cmd == IPC_STAT ? 0 : s->obj.id;
	case GETALL:
		if ((ret = ipc_perms(cr, &s->obj, 0444)))
			return ret;
		for (int i = 0; i < s->nsems; i++)
			vals[i] = (unsigned short)s->sems[i].val;
		*out_size = (size_t)s->nsems * sizeof(*vals);
		return 0;
	case SETALL: {
		if ((ret = ipc_perms(cr, &s->obj, 0222)))
			return ret;
		struct sem_undo *un;
		for (int i = 0; i < s->nsems; i++) {
			s->sems[i].val = vals[i];
			s->sems[i].pid = t->tg->tgid;
		}
		LIST_FOREACH(un, &s->undos, entry)
			memset(un->adj, 0, (size_t)s->nsems * sizeof(un->adj[0]));
		s->ctime = now_sec(s->ns);
		waitqueue_wake_all(&s->wq);
		return 0;
	}
	case IPC_SET:
	case IPC_RMID:
		if (!ipc_owner_or_admin(cr, &s->obj))
			return -EPERM;
		if (cmd == IPC_SET) {
			const struct semid64_ds *ds = out;
			ipc_set_perm(&s->obj, ds->sem_perm.uid, ds->sem_perm.gid,
				     ds->sem_perm.mode);
			s->ctime = now_sec(s->ns);
			return 0;
		}
		ipc_remove(&s->ns->sem, &s->obj);
		s->ns->used_sems -= s->nsems;
		waitqueue_wake_all(&s->wq);
		set_put_locked(s);
		return 0;
	}
	/* The commands on one semaphore. */
	if ((ret = ipc_perms(cr, &s->obj, cmd == SETVAL ? 0222 : 0444)))
		return ret;
	if (num < 0 || num >= s->nsems)
		return -EINVAL;
	switch (cmd) {
	case GETVAL:
		return s->sems[num].val;
	case GETPID:
		return s->sems[num].pid;
	case GETNCNT:
		return count_waiters(s, num, false);
	case GETZCNT:
		return count_waiters(s, num, true);
	default: {	/* SETVAL */
		struct sem_undo *un;
		LIST_FOREACH(un, &s->undos, entry)
			un->adj[num] = 0;
		s->sems[num].val = (int)arg;
		s->sems[num].pid = t->tg->tgid;
		s->ctime = now_sec(s->ns);
		waitqueue_wake_all(&s->wq);
		return 0;
	}
	}
}

long sem_ctl(struct task *t, int id, int num, int cmd, uint64_t arg)
{
	struct ipc_ns *ns = task_ipc_ns(t);
	struct semid64_ds ds;
	unsigned short *vals = NULL;
	size_t out_size = 0;
	long ret;

	switch (cmd) {
	case IPC_INFO:
	case SEM_INFO:
		return sem_info_cmd(t, cmd, arg);
	case IPC_STAT: case SEM_STAT: case SEM_STAT_ANY: case GETALL: case SETALL:
	case IPC_SET: case IPC_RMID: case GETVAL: case GETPID: case GETNCNT: case GETZCNT:
		break;
	case SETVAL:
		if ((int)arg < 0 || (int)arg > SEMVMX)
			return -ERANGE;
		break;
	default:
		return -EINVAL;
	}
	if (id < 0)
		return -EINVAL;
	if (cmd == IPC_SET && mm_copy_in(t->mm, &ds, arg, sizeof(ds)))
		return -EFAULT;
	pthread_mutex_lock(&ns->sem.lock);
	bool by_idx = cmd == SEM_STAT || cmd == SEM_STAT_ANY;
	struct ipc_obj *obj = by_idx ? ipc_find_idx(&ns->sem, id) : ipc_find_id(&ns->sem, id);
	if (!obj) {
		pthread_mutex_unlock(&ns->sem.lock);
		return -EINVAL;
	}
	struct sem_set *s = SEM_SET(obj);
	int nsems = s->nsems;
	if (cmd == GETALL || cmd == SETALL)
		vals = xmalloc((size_t)nsems * sizeof(*vals));
	if (cmd == SETALL) {
		/* Copied in unlocked; the set may go meanwhile. */
		pthread_mutex_unlock(&ns->sem.lock);
		ret = mm_copy_in(t->mm, vals, arg, (size_t)nsems * sizeof(*vals));
		for (int i = 0; !ret && i < nsems; i++)
			if (vals[i] > SEMVMX)
				ret = -ERANGE;
		pthread_mutex_lock(&ns->sem.lock);
		if (!ret && ipc_find_id(&ns->sem, id) != obj)
			ret = -EIDRM;
		if (ret)
			goto out_unlock;
	}
	ret = sem_ctl_locked(t, s, num, cmd, arg, vals, &ds, &out_size);
out_unlock:
	pthread_mutex_unlock(&ns->sem.lock);
	if (ret >= 0 && out_size) {
		int err = mm_copy_out(t->mm, arg, cmd == GETALL ? (void *)vals : (void *)&ds,
				      out_size);
		if (err)
			ret = err;
	}
	free(vals);
	return ret;
}

void sem_proc_show(struct ipc_ns *ns, struct kernfs_buf *b)
{
	kernfs_printf(b, "       key      semid perms      nsems   uid   gid  cuid  cgid"
			 "      otime      ctime\n");
	pthread_mutex_lock(&ns->sem.lock);
	for (int i = 0; i <= ns->sem.max_idx; i++) {
		struct ipc_obj *o = ns->sem.slots[i];
		if (!o)
			continue;
		struct sem_set *s = SEM_SET(o);
		kernfs_printf(b, "%10d %10d  %4o %10u %5u %5u %5u %5u %10lld %10lld\n", o->key,
			      o->id, o->mode, s->nsems, o->uid, o->gid, o->cuid, o->cgid,
			      (long long)s->otime, (long long)s->ctime);
	}
	pthread_mutex_unlock(&ns->sem.lock);
}
