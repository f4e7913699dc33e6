/* Process, thread, process-group and session IDs as an observer sees
 * them, and finding a process by the number its observer uses. The
 * sandbox has one PID namespace so far, so the root namespace's numbers
 * are everyone's; nested PID namespaces translate here.
 *
 * pgid and sid hold root-namespace pids. A pid used as a process group or
 * session ID is never handed out again while that group or session lives:
 * numbers are not reused at all yet (last_pid only grows). */
#include "cvisor/kernel.h"
#include "cvisor/task.h"

pid_t task_tgid_nr(struct task *observer, struct thread_group *tg)
{
	return tg ? tg->tgid : 0;
}

pid_t task_tid_nr(struct task *observer, struct task *t)
{
	return t->tid;
}

struct thread_group *tg_lookup_locked(struct task *observer, pid_t pid)
{
	struct thread_group *tg;
	if (pid <= 0)
		return NULL;
	TAILQ_FOREACH(tg, &observer->k->thread_groups, all) {
		if (task_tgid_nr(observer, tg) == pid)
			return tg;
	}
	return NULL;
}

struct task *task_lookup_locked(struct task *observer, pid_t tid)
{
	struct thread_group *tg;
	struct task *t;
	if (tid <= 0)
		return NULL;
	TAILQ_FOREACH(tg, &observer->k->thread_groups, all) {
		TAILQ_FOREACH(t, &tg->tasks, tg_entry) {
			if (task_tid_nr(observer, t) == tid)
				return t;
		}
	}
	return NULL;
}

pid_t task_pgrp_nr(struct task *observer, struct thread_group *tg)
{
	return tg->pgid;
}

pid_t task_session_nr(struct task *observer, struct thread_group *tg)
{
	return tg->sid;
}
