/* Process groups and sessions: setpgid, getpgid, getpgrp, setsid,
 * getsid, with Linux's rules (kernel/sys.c). A session leader is a
 * process whose session ID is its own pid: only setsid (and PID 1's
 * creation) makes one, and that pid is not reused while the session
 * lives (kernel/pid.c). */
#include "cvisor/kernel.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "cvisor/tty.h"

static bool is_session_leader(const struct thread_group *tg)
{
	return tg->sid == tg->tgid;
}

/* A member of the process group T calls PGID (zombies count until
 * reaped, as in Linux), or NULL if there is no such group. */
static struct thread_group *pgrp_member_locked(struct task *t, pid_t pgid)
{
	struct thread_group *tg;
	TAILQ_FOREACH(tg, &t->k->thread_groups, all)
		if (task_pgrp_nr(t, tg) == pgid)
			return tg;
	return NULL;
}

/* setpgid(2) on P, ts_lock held; PGID as the caller sees it. */
static long setpgid_locked(struct task *t, struct thread_group *p, pid_t pgid)
{
	struct thread_group *me = t->tg;
	if (p->parent == me) {
		if (p->sid != me->sid)
			return -EPERM;
		if (p->did_exec)
			return -EACCES;
	} else if (p != me) {
		return -ESRCH;
	}
	if (is_session_leader(p))
		return -EPERM;

	pid_t new_pgid = p->tgid;
	if (pgid != task_tgid_nr(t, p)) {
		/* An existing group of the caller's session. */
		struct thread_group *member = pgrp_member_locked(t, pgid);
		if (!member || member->sid != me->sid)
			return -EPERM;
		new_pgid = member->pgid;
	}
	p->pgid = new_pgid;
	return 0;
}

long sys_setpgid(struct task *t, const struct syscall_args *a)
{
	pid_t pid = (pid_t)a->arg[0];
	pid_t pgid = (pid_t)a->arg[1];

	if (!pid)
		pid = task_tgid_nr(t, t->tg);
	if (!pgid)
		pgid = pid;
	if (pgid < 0)
		return -EINVAL;
	pthread_mutex_lock(&t->k->ts_lock);
	struct thread_group *p = tg_lookup_locked(t, pid);
	long ret = p ? setpgid_locked(t, p, pgid) : -ESRCH;
	pthread_mutex_unlock(&t->k->ts_lock);
	return ret;
}

/* getpgid and getsid: PID 0 is the caller. */
static long get_id(struct task *t, pid_t pid, pid_t (*id_nr)(struct task *,
							      struct thread_group *))
{
	pthread_mutex_lock(&t->k->ts_lock);
	struct thread_group *p = pid ? tg_lookup_locked(t, pid) : t->tg;
	long ret = p ? id_nr(t, p) : -ESRCH;
	pthread_mutex_unlock(&t->k->ts_lock);
	return ret;
}

long sys_getpgid(struct task *t, const struct syscall_args *a)
{
	return get_id(t, (pid_t)a->arg[0], task_pgrp_nr);
}

long sys_getpgrp(struct task *t, const struct syscall_args *a)
{
	return get_id(t, 0, task_pgrp_nr);
}

long sys_getsid(struct task *t, const struct syscall_args *a)
{
	return get_id(t, (pid_t)a->arg[0], task_session_nr);
}

long sys_setsid(struct task *t, const struct syscall_args *a)
{
	struct thread_group *me = t->tg;
	long ret = -EPERM;

	pthread_mutex_lock(&t->k->ts_lock);
	pid_t pid = task_tgid_nr(t, me);
	if (!is_session_leader(me) && !pgrp_member_locked(t, pid)) {
		me->pgid = me->sid = me->tgid;
		tty_forget_locked(me);
		ret = pid;
	}
	pthread_mutex_unlock(&t->k->ts_lock);
	return ret;
}
