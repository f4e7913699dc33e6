/* Timers on a process's CPU time: ITIMER_VIRTUAL (user time, SIGVTALRM),
 * ITIMER_PROF (user+system time, SIGPROF) and RLIMIT_CPU (SIGXCPU at the
 * soft limit and every second after, SIGKILL at the hard one), as Linux's
 * kernel/time/itimer.c and posix-cpu-timers.c (check_process_timers).
 *
 * Linux looks at them on each scheduler tick of a running task. Here one
 * kernel timer, the CPU ticker, samples the CPU time of every process
 * that has one armed (task_cpu_times: user time is what the application's
 * stub thread ran, system time what its sentry thread ran serving its
 * syscalls, faults and signals, as Linux counts syscall time as system
 * time). The ticker runs only while some process has such a timer, and
 * sleeps as long as no expiry can come sooner: CPU time grows at most
 * as fast as host time times the process's thread count, so a process
 * that does not run costs a sample per "time left", not one per tick. */
#include <sys/resource.h>
#include <sys/time.h>

#include "cvisor/kernel.h"
#include "cvisor/task.h"

/* The sampling granularity: Linux's tick at HZ=100. */
#define CPU_TICK_NS 10000000
/* The longest sleep: a process may start more threads than foreseen. */
#define CPU_TICK_MAX_NS 1000000000

static int64_t rlimit_ns(rlim_t secs)
{
	return secs >= (rlim_t)(INT64_MAX / NSEC_PER_SEC) ? INT64_MAX
							  : (int64_t)secs * NSEC_PER_SEC;
}

static bool has_cpu_timers_locked(struct thread_group *tg)
{
	/* A new process counts before its first task starts. */
	return !tg->zombie &&
	       (tg->cpu_itimers[0].expires || tg->cpu_itimers[1].expires ||
		tg->rlimits[RLIMIT_CPU].rlim_cur != RLIM_INFINITY);
}

static void send_locked(struct thread_group *tg, int sig)
{
	siginfo_t si;
	siginfo_from(&si, sig, SI_KERNEL, NULL, tg);
	signal_send_locked(tg, NULL, &si);
}

/* check_cpu_itimer: an expired timer signals and moves on by one
 * interval (missed ones are not made up). Returns the CPU time left
 * until it expires (INT64_MAX: disarmed). */
static int64_t check_itimer_locked(struct thread_group *tg, struct cpu_itimer *it, int64_t now,
				   int sig)
{
	if (!it->expires)
		return INT64_MAX;
	if (now >= it->expires) {
		it->expires = it->interval ? it->expires + it->interval : 0;
		send_locked(tg, sig);
		if (!it->expires)
			return INT64_MAX;
	}
	return MAX(it->expires - now, 0);
}

/* RLIMIT_CPU against PROF. Returns the CPU time left until the next
 * signal. */
static int64_t check_rlimit_locked(struct thread_group *tg, int64_t prof)
{
	struct rlimit *rl = &tg->rlimits[RLIMIT_CPU];
	int64_t hard = rl->rlim_max == RLIM_INFINITY ? INT64_MAX : rlimit_ns(rl->rlim_max);
	if (rl->rlim_cur == RLIM_INFINITY)
		return INT64_MAX;
	if (prof >= hard) {
		send_locked(tg, SIGKILL);
		return INT64_MAX;
	}
	int64_t soft = rlimit_ns(rl->rlim_cur);
	if (prof >= soft) {
		/* Linux moves the soft limit on by a second, for the next
		 * SIGXCPU; getrlimit shows it. */
		send_locked(tg, SIGXCPU);
		rl->rlim_cur++;
		soft = rlimit_ns(rl->rlim_cur);
	}
	return MIN(soft, hard) - prof;
}

/* Checks TG's timers; returns how long (host time) nothing of TG can
 * expire. ts_lock held. */
static int64_t check_process_locked(struct thread_group *tg)
{
	int64_t user, sys;
	tg_cpu_times_locked(tg, &user, &sys);
	int64_t prof = user + sys;
	int64_t left = check_itimer_locked(tg, &tg->cpu_itimers[ITIMER_VIRTUAL - 1], user,
					   SIGVTALRM);
	left = MIN(left, check_itimer_locked(tg, &tg->cpu_itimers[ITIMER_PROF - 1], prof, SIGPROF));
	left = MIN(left, check_rlimit_locked(tg, prof));
	return left / MAX(tg->nr_tasks, 1);
}

static void cpu_tick(struct ktimer *kt)
{
	struct kernel *k = container_of(kt, struct kernel, cpu_ticker);
	int64_t wait = INT64_MAX;
	struct thread_group *tg;

	pthread_mutex_lock(&k->ts_lock);
	TAILQ_FOREACH(tg, &k->thread_groups, all) {
		if (has_cpu_timers_locked(tg))
			wait = MIN(wait, check_process_locked(tg));
	}
	/* A process that has its timers still has them after a SIGKILL,
	 * until it is a zombie: the ticker stops then. */
	k->cpu_ticker_armed = wait != INT64_MAX;
	if (k->cpu_ticker_armed) {
		wait = MIN(MAX(wait, CPU_TICK_NS), CPU_TICK_MAX_NS);
		ktimer_set(k, &k->cpu_ticker, host_monotonic_ns() + wait, 0);
	}
	pthread_mutex_unlock(&k->ts_lock);
}

void cpu_ticker_init(struct kernel *k)
{
	ktimer_init(&k->cpu_ticker, cpu_tick);
}

void cpu_ticker_kick_locked(struct kernel *k)
{
	int64_t left, interval;
	ktimer_get(k, &k->cpu_ticker, &left, &interval);
	/* A running tick (armed, not queued: left 0) looks at every
	 * process after we drop ts_lock. */
	if (k->cpu_ticker_armed && left <= CPU_TICK_NS)
		return;
	k->cpu_ticker_armed = true;
	ktimer_set(k, &k->cpu_ticker, host_monotonic_ns() + CPU_TICK_NS, 0);
}

/* The sample of WHICH's clock. ts_lock held. */
static int64_t itimer_clock_locked(struct thread_group *tg, int which)
{
	int64_t user, sys;
	tg_cpu_times_locked(tg, &user, &sys);
	return which == ITIMER_VIRTUAL ? user : user + sys;
}

/* get_cpu_itimer; ts_lock held. */
static void get_locked(struct thread_group *tg, int which, int64_t *value, int64_t *interval)
{
	struct cpu_itimer *it = &tg->cpu_itimers[which - 1];
	*interval = it->interval;
	*value = 0;
	if (it->expires) {
		int64_t now = itimer_clock_locked(tg, which);
		/* Past its expiry but not yet seen by a tick: about to fire. */
		*value = now < it->expires ? it->expires - now : CPU_TICK_NS;
	}
}

void cpu_itimer_get(struct thread_group *tg, int which, int64_t *value, int64_t *interval)
{
	pthread_mutex_lock(&tg->k->ts_lock);
	get_locked(tg, which, value, interval);
	pthread_mutex_unlock(&tg->k->ts_lock);
}

void cpu_itimer_set(struct thread_group *tg, int which, int64_t value, int64_t interval,
		    int64_t *old_value, int64_t *old_interval)
{
	struct kernel *k = tg->k;
	struct cpu_itimer *it = &tg->cpu_itimers[which - 1];
	pthread_mutex_lock(&k->ts_lock);
	get_locked(tg, which, old_value, old_interval);
	/* Linux adds a tick, so that a timer never fires early for the
	 * part of a tick already gone. */
	it->expires = value ? itimer_clock_locked(tg, which) + value + CPU_TICK_NS : 0;
	it->interval = interval;
	if (value)
		cpu_ticker_kick_locked(k);
	pthread_mutex_unlock(&k->ts_lock);
}
