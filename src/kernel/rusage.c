/* CPU time accounting for getrusage, times and wait4: a task's user time
 * is what its application thread ran (the platform context's clock), its
 * system time what its sentry thread ran on its behalf. A process keeps
 * its exited tasks' times, and a parent its reaped children's (with
 * theirs), as Linux's signal_struct does. */
#include <pthread.h>
#include <time.h>

#include "cvisor/kernel.h"
#include "cvisor/platform.h"
#include "cvisor/task.h"

/* Another task's times are read under ts_lock, while it is listed in its
 * process: its sentry thread and its context live until task_exit
 * unlists it. */
void task_cpu_times(struct task *t, int64_t *user, int64_t *sys)
{
	const struct platform_ops *ops = t->k->platform.ops;
	struct timespec ts;
	clockid_t cid;
	*user = t->app_cpu_before_exec + (t->ctx ? ops->ctx_cpu_ns(t->ctx) : 0);
	*sys = 0;
	/* A task whose sentry thread has not started yet (task_run sets
	 * t->thread) has used nothing: its handle is not one to look at. */
	if (t->thread && pthread_getcpuclockid(t->thread, &cid) == 0 &&
	    clock_gettime(cid, &ts) == 0)
		*sys = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void tg_cpu_times_locked(struct thread_group *tg, int64_t *user, int64_t *sys)
{
	*user = tg->utime_ns;
	*sys = tg->stime_ns;
	struct task *each;
	TAILQ_FOREACH(each, &tg->tasks, tg_entry) {
		int64_t u, s;
		task_cpu_times(each, &u, &s);
		*user += u;
		*sys += s;
	}
}

void rusage_task_exit(struct task *t)
{
	int64_t user, sys;
	task_cpu_times(t, &user, &sys);
	pthread_mutex_lock(&t->k->ts_lock);
	t->tg->utime_ns += user;
	t->tg->stime_ns += sys;
	pthread_mutex_unlock(&t->k->ts_lock);
}

void rusage_reap_locked(struct thread_group *parent, struct thread_group *child,
			struct wait_result *res)
{
	res->utime_ns = child->utime_ns + child->cutime_ns;
	res->stime_ns = child->stime_ns + child->cstime_ns;
	parent->cutime_ns += res->utime_ns;
	parent->cstime_ns += res->stime_ns;
}
