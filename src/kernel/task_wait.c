/* wait4 and waitid: finding and reaping children that exited. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

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

long task_wait(struct task *t, idtype_t which, pid_t id, int options, struct wait_result *res)
{
	struct kernel *k = t->k;
	struct waiter w = { 0 };
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
			if (!child->zombie || !(options & WEXITED))
				continue;
			res->pid = task_tgid_nr(t, child);
			res->status = child->exit_status;
			res->uid = child->leader_uid;
			if (!(options & WNOWAIT))
				tg_release_locked(child);
			ret = res->pid;
			break;
		}
		pthread_mutex_unlock(&k->ts_lock);
		if (ret > 0 || !any)
			break;
		if (options & WNOHANG) {
			ret = 0;
			break;
		}
		if (waiter_sleep(&w, -1) == -EINTR) {
			ret = -ERESTARTSYS;
			break;
		}
	}
	waiter_finish(&w);
	return ret;
}
