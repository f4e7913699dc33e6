/* Group stop and continue, and what the parent hears of its children's
 * changes (SIGCHLD; Linux's do_notify_parent and do_notify_parent_cldstop). */
#include <string.h>
#include <sys/wait.h>

#include "cvisor/creds.h"
#include "cvisor/kernel.h"
#include "cvisor/signal.h"
#include "cvisor/task.h"

void signal_notify_parent_locked(struct thread_group *tg, int code, int status)
{
	struct thread_group *parent = tg->parent;
	if (!parent)
		return;
	bool stop_or_cont = code == CLD_STOPPED || code == CLD_CONTINUED;
	int sig = stop_or_cont ? SIGCHLD : tg->exit_signal;
	if (stop_or_cont && (parent->sigactions[SIGCHLD - 1].flags & SA_NOCLDSTOP))
		sig = 0;
	if (sig) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		si.si_signo = sig;
		si.si_code = code;
		si.si_pid = task_tgid_nr(parent->leader, tg);
		struct task *any = TAILQ_FIRST(&tg->tasks);
		si.si_uid = any ? any->creds->uid : tg->leader_uid;
		si.si_status = status;
		signal_send_locked(parent, NULL, &si);
	}
	waitqueue_wake_all(&parent->child_wq);
}

void signal_continue_group_locked(struct thread_group *tg)
{
	if (!tg->stopped)
		return;
	tg->stopped = false;
	tg->report_stopped = false;
	tg->report_continued = true;
	signal_notify_parent_locked(tg, CLD_CONTINUED, SIGCONT);
	/* Stopped tasks wait on ts_changed in signal_handle. */
	pthread_cond_broadcast(&tg->k->ts_changed);
	struct task *t;
	TAILQ_FOREACH(t, &tg->tasks, tg_entry)
		signal_recalc_locked(t);
}

bool pgrp_orphaned_locked(struct kernel *k, pid_t pgid, pid_t sid, struct thread_group *ignored)
{
	struct thread_group *p;
	TAILQ_FOREACH(p, &k->thread_groups, all) {
		if (p->pgid != pgid || p == ignored || p->zombie || !p->parent)
			continue;
		if (p->parent->pgid != pgid && p->parent->sid == sid)
			return false;
	}
	return true;
}

static bool pgrp_has_stopped_locked(struct kernel *k, pid_t pgid)
{
	struct thread_group *p;
	TAILQ_FOREACH(p, &k->thread_groups, all) {
		if (p->pgid == pgid && p->stopped)
			return true;
	}
	return false;
}

void signal_pgrp_kernel_locked(struct kernel *k, pid_t pgid, int sig)
{
	struct thread_group *p, *next;
	for (p = TAILQ_FIRST(&k->thread_groups); p; p = next) {
		next = TAILQ_NEXT(p, all);
		if (p->pgid != pgid)
			continue;
		siginfo_t si;
		siginfo_from(&si, sig, SI_KERNEL, NULL, p);
		signal_send_locked(p, NULL, &si);
	}
}

void signal_orphaned_pgrp_locked(struct thread_group *tg, struct thread_group *parent)
{
	struct thread_group *ignored = parent ? NULL : tg;
	if (!parent)
		parent = tg->parent;
	if (!parent || parent->pgid == tg->pgid || parent->sid != tg->sid)
		return;
	if (pgrp_orphaned_locked(tg->k, tg->pgid, tg->sid, ignored) &&
	    pgrp_has_stopped_locked(tg->k, tg->pgid)) {
		signal_pgrp_kernel_locked(tg->k, tg->pgid, SIGHUP);
		signal_pgrp_kernel_locked(tg->k, tg->pgid, SIGCONT);
	}
}
