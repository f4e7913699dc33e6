/* Process and thread IDs as an observer sees them. The sandbox has one
 * PID namespace so far, so the root namespace's numbers are everyone's;
 * nested PID namespaces translate here. */
#include "cvisor/task.h"

pid_t task_tgid_nr(struct task *observer, struct thread_group *tg)
{
	return tg ? tg->tgid : 0;
}

pid_t task_tid_nr(struct task *observer, struct task *t)
{
	return t->tid;
}
