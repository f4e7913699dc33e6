/* Resource usage: getrusage and times, from kernel/rusage.c's CPU time
 * accounting. */
#include <sys/resource.h>
#include <sys/times.h>

#include "cvisor/kernel.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

#define USER_HZ 100

/* The CPU time of T's whole process: its exited tasks' and its live
 * ones'. */
static void process_times(struct task *t, int64_t *user, int64_t *sys)
{
	pthread_mutex_lock(&t->k->ts_lock);
	tg_cpu_times_locked(t->tg, user, sys);
	pthread_mutex_unlock(&t->k->ts_lock);
}

static struct timeval ns_to_timeval(int64_t ns)
{
	return (struct timeval){ .tv_sec = ns / 1000000000, .tv_usec = ns % 1000000000 / 1000 };
}

void rusage_fill(struct rusage *ru, int64_t user, int64_t sys)
{
	*ru = (struct rusage){ 0 };
	ru->ru_utime = ns_to_timeval(user);
	ru->ru_stime = ns_to_timeval(sys);
}

/* getrusage: RUSAGE_SELF (the process), RUSAGE_THREAD (the caller),
 * RUSAGE_CHILDREN (reaped descendants). Only the times and, for the
 * process, its resident set are counted. */
long sys_getrusage(struct task *t, const struct syscall_args *a)
{
	int who = (int)a->arg[0];
	int64_t user, sys;
	struct rusage ru;
	switch (who) {
	case RUSAGE_SELF:
		process_times(t, &user, &sys);
		break;
	case RUSAGE_THREAD:
		task_cpu_times(t, &user, &sys);
		break;
	case RUSAGE_CHILDREN:
		pthread_mutex_lock(&t->k->ts_lock);
		user = t->tg->cutime_ns;
		sys = t->tg->cstime_ns;
		pthread_mutex_unlock(&t->k->ts_lock);
		break;
	default:
		return -EINVAL;
	}
	rusage_fill(&ru, user, sys);
	if (who != RUSAGE_CHILDREN)
		ru.ru_maxrss = (long)(mm_resident_bytes(t->mm) >> 10);
	return copy_out(t, a->arg[1], &ru, sizeof(ru));
}

/* times: the process's and its reaped children's CPU time in clock
 * ticks; returns the ticks since boot. */
long sys_times(struct task *t, const struct syscall_args *a)
{
	if (a->arg[0]) {
		int64_t user, sys;
		process_times(t, &user, &sys);
		pthread_mutex_lock(&t->k->ts_lock);
		int64_t cuser = t->tg->cutime_ns, csys = t->tg->cstime_ns;
		pthread_mutex_unlock(&t->k->ts_lock);
		const int64_t tick = 1000000000 / USER_HZ;
		struct tms tms = { .tms_utime = user / tick, .tms_stime = sys / tick,
				   .tms_cutime = cuser / tick, .tms_cstime = csys / tick };
		if (copy_out(t, a->arg[0], &tms, sizeof(tms)) < 0)
			return -EFAULT;
	}
	struct kernel *k = t->k;
	return (kernel_monotonic_ns(k) - k->tk.boot_mono_ns) / (1000000000 / USER_HZ);
}
