/* Process and thread IDs as an observer sees them. The sandbox has one
 * PID namespace so far, so the root namespace's numbers are everyone's;
 * nested PID namespaces translate here. */
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
