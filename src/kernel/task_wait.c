/* wait4 and waitid: finding and reaping children that exited. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "cvisor/creds.h"
#include "cvisor/kernel.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

/* Whether CHILD is one WHICH selects (P_ALL, P_PID, P_PGID), as seen by
 * T. Linux's __WALL/__WCLONE select by exit signal: a "clone" child is one
 * that does not signal SIGCHLD. */
static bool wait_matches(struct task *t, struct thread_group *child, idtype_t which, pid_t id,
			 int options)
{
	if (!(options & __WALL) && ((child->exit_signal != SIGCHLD) != !!(options & __WCLONE)))
		return false;
	switch (which) {
	case P_PID:
		return task_tgid_nr(t, child) == id;
	case P_PGID:
		return child->pgid == id;
	default:
		return true;
	}
}

/* Whether CHILD has a change OPTIONS ask for (exit, stop, continue); if
 * so fills RES and, unless WNOWAIT, consumes it (a zombie is reaped).
 * ts_lock held. */
static bool wait_report_locked(struct task *t, struct thread_group *child, int options,
			       struct wait_result *res)
{
	bool consume = !(options & WNOWAIT);
	res->pid = task_tgid_nr(t, child);
	if (child->zombie && (options & WEXITED)) {
		res->status = child->exit_status;
		res->uid = child->leader_uid;
		res->code = WIFEXITED(res->status) ? CLD_EXITED : CLD_KILLED;
		if (consume) {
			rusage_reap_locked(t->tg, child, res);
			tg_release_locked(child);
		}
		return true;
	}
	struct task *leader = TAILQ_FIRST(&child->tasks);
	if (!leader)
		return false;
	res->uid = leader->creds->uid;
	if ((options & WSTOPPED) && child->stopped && child->report_stopped) {
		res->status = (child->stop_signal << 8) | 0x7f;
		res->code = CLD_STOPPED;
		if (consume)
			child->report_stopped = false;
		return true;
	}
	if ((options & WCONTINUED) && child->report_continued) {
		res->status = 0xffff;
		res->code = CLD_CONTINUED;
		if (consume)
			child->report_continued = false;
		return true;
	}
	return false;
}

long task_wait(struct task *t, idtype_t which, pid_t id, int options, struct wait_result *res)
{
	struct kernel *k = t->k;
	struct waiter w = { 0 };
	bool interrupted = false;
	long ret;

	for (;;) {
		waiter_prepare(&w, t, &t->tg->child_wq);
		pthread_mutex_lock(&k->ts_lock);
		bool any = false;
		struct thread_group *child;
		ret = -ECHILD;
		LIST_FOREACH(child, &t->tg->children, sibling) {
			if (!wait_matches(t, child, which, id, options))
				continue;
			any = true;
			if (wait_report_locked(t, child, options, res)) {
				ret = res->pid;
				break;
			}
		}
		pthread_mutex_unlock(&k->ts_lock);
		if (ret > 0 || !any)
			break;
		if (options & WNOHANG) {
			ret = 0;
			break;
		}
		/* Interrupted: one more look first, as Linux's do_wait, so a
		 * child reaped meanwhile (SA_NOCLDWAIT) gives ECHILD. */
		if (interrupted) {
			ret = -ERESTARTSYS;
			break;
		}
		interrupted = waiter_sleep(&w, -1) == -EINTR;
	}
	waiter_finish(&w);
	return ret;
}
