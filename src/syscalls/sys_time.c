/* Clocks and sleeping, on the kernel's timekeeper. */
#include <sys/time.h>
#include <time.h>

#include "cvisor/kernel.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

static bool is_cpu_clock(clockid_t id)
{
	return id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID;
}

static int64_t clock_resolution(clockid_t id)
{
	return id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE ? 4000000 : 1;
}

long sys_clock_gettime(struct task *t, const struct syscall_args *a)
{
	int64_t ns;
	int ret = kernel_clock_read(t, (clockid_t)a->arg[0], &ns);
	if (ret < 0)
		return ret;
	struct timespec ts = ns_to_timespec(ns);
	return copy_out(t, a->arg[1], &ts, sizeof(ts));
}

long sys_clock_getres(struct task *t, const struct syscall_args *a)
{
	clockid_t id = (clockid_t)a->arg[0];
	int64_t ns;
	int ret = kernel_clock_read(t, id, &ns);
	if (ret < 0)
		return ret;
	if (!a->arg[1])
		return 0;
	struct timespec ts = ns_to_timespec(clock_resolution(id));
	return copy_out(t, a->arg[1], &ts, sizeof(ts));
}

/* The sandbox's clocks follow the host's and cannot be set: it has no
 * CAP_SYS_TIME where that counts (the host's user namespace), as a
 * container. Linux's other checks come first: of the fixed clock ids
 * only CLOCK_REALTIME has a setter. */
long sys_clock_settime(struct task *t, const struct syscall_args *a)
{
	clockid_t id = (clockid_t)a->arg[0];
	struct timespec ts;
	int64_t ns;

	if (id != CLOCK_REALTIME)
		return -EINVAL;
	if (copy_in(t, &ts, a->arg[1], sizeof(ts)) < 0)
		return -EFAULT;
	if (timespec_to_ns(&ts, &ns) < 0)
		return -EINVAL;
	return -EPERM;
}

long sys_gettimeofday(struct task *t, const struct syscall_args *a)
{
	if (a->arg[0]) {
		int64_t ns = kernel_realtime_ns(t->k);
		struct timeval tv = { .tv_sec = ns / NSEC_PER_SEC, .tv_usec = ns % NSEC_PER_SEC / 1000 };
		if (copy_out(t, a->arg[0], &tv, sizeof(tv)) < 0)
			return -EFAULT;
	}
	if (a->arg[1]) {
		struct timezone tz = { 0, 0 };
		if (copy_out(t, a->arg[1], &tz, sizeof(tz)) < 0)
			return -EFAULT;
	}
	return 0;
}

long sys_time(struct task *t, const struct syscall_args *a)
{
	int64_t sec = kernel_realtime_ns(t->k) / NSEC_PER_SEC;
	if (a->arg[0] && copy_out(t, a->arg[0], &sec, sizeof(sec)) < 0)
		return -EFAULT;
	return sec;
}

static int read_timespec(struct task *t, uaddr_t addr, int64_t *ns)
{
	struct timespec ts;
	if (copy_in(t, &ts, addr, sizeof(ts)) < 0)
		return -EFAULT;
	return timespec_to_ns(&ts, ns);
}

static long sleep_restart(struct task *t);

/* Sleeps until the sandbox clock CLOCK reaches DEADLINE. A relative sleep
 * (REL) that a signal interrupts stores the time left in REM and, if no
 * handler runs, goes on through restart_syscall(2); an absolute one is
 * simply run again. */
static long sleep_until(struct task *t, clockid_t clock, int64_t deadline, bool rel, uaddr_t rem)
{
	int64_t now;
	kernel_clock_read(t, clock, &now);
	int64_t host_deadline = host_monotonic_ns() + MAX(deadline - now, 0);
	if (task_sleep_until(t, host_deadline) == 0)
		return 0;
	if (!rel)
		return -ERESTARTNOHAND;
	if (rem) {
		struct timespec left = ns_to_timespec(MAX(host_deadline - host_monotonic_ns(), 0));
		if (copy_out(t, rem, &left, sizeof(left)) < 0)
			return -EFAULT;
	}
	t->restart.fn = sleep_restart;
	t->restart.sleep = (struct restart_sleep){ deadline, clock, rem };
	return -ERESTART_RESTARTBLOCK;
}

static long sleep_restart(struct task *t)
{
	return sleep_until(t, t->restart.sleep.clock, t->restart.sleep.deadline, true,
			   t->restart.sleep.rem);
}

long sys_nanosleep(struct task *t, const struct syscall_args *a)
{
	int64_t ns;
	int ret = read_timespec(t, a->arg[0], &ns);
	if (ret < 0)
		return ret;
	return sleep_until(t, CLOCK_MONOTONIC, kernel_monotonic_ns(t->k) + ns, true, a->arg[1]);
}

long sys_clock_nanosleep(struct task *t, const struct syscall_args *a)
{
	clockid_t clock = (clockid_t)a->arg[0];
	int flags = (int)a->arg[1];
	int64_t ns, now;

	if (kernel_clock_read(t, clock, &now) < 0)
		return -EINVAL;
	/* Linux sleeps on the process CPU clock only in theory; it refuses
	 * thread clocks outright (posix_cpu_nsleep). */
	if (is_cpu_clock(clock))
		return clock == CLOCK_THREAD_CPUTIME_ID ? -EOPNOTSUPP : -EINVAL;
	int ret = read_timespec(t, a->arg[2], &ns);
	if (ret < 0)
		return ret;
	if (flags & TIMER_ABSTIME)
		return sleep_until(t, clock, ns, false, 0);
	return sleep_until(t, clock, now + ns, true, a->arg[3]);
}

/* Interval timers: ITIMER_REAL (and alarm) on the kernel's timers,
 * ITIMER_VIRTUAL and ITIMER_PROF on the CPU ticker (cpu_ticker.c). */
static int itimer_value_in(const struct timeval *tv, int64_t *ns)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return -EINVAL;
	*ns = tv->tv_sec > INT64_MAX / NSEC_PER_SEC - 1 ? INT64_MAX / 2
						       : tv->tv_sec * NSEC_PER_SEC + tv->tv_usec * 1000;
	return 0;
}

static struct timeval ns_to_timeval(int64_t ns)
{
	return (struct timeval){ .tv_sec = ns / NSEC_PER_SEC, .tv_usec = (ns % NSEC_PER_SEC) / 1000 };
}

/* The current value of the real timer, as getitimer reports it. */
static struct itimerval itimer_real_get(struct task *t)
{
	int64_t left, interval;
	ktimer_get(t->k, &t->tg->itimer_real, &left, &interval);
	/* A timer about to fire still reads as running (Linux rounds up). */
	if (left > 0 && left < 1000)
		left = 1000;
	return (struct itimerval){ .it_value = ns_to_timeval(left),
				   .it_interval = ns_to_timeval(interval) };
}

static void itimer_real_set(struct task *t, int64_t value, int64_t interval)
{
	int64_t deadline = value ? host_monotonic_ns() + value : 0;
	ktimer_set(t->k, &t->tg->itimer_real, deadline, interval);
}

static bool is_cpu_itimer(int which)
{
	return which == ITIMER_VIRTUAL || which == ITIMER_PROF;
}

static struct itimerval itimerval_from(int64_t value, int64_t interval)
{
	return (struct itimerval){ .it_value = ns_to_timeval(value),
				   .it_interval = ns_to_timeval(interval) };
}

long sys_getitimer(struct task *t, const struct syscall_args *a)
{
	int which = (int)a->arg[0];
	struct itimerval v;
	if (which == ITIMER_REAL) {
		v = itimer_real_get(t);
	} else if (is_cpu_itimer(which)) {
		int64_t value, interval;
		cpu_itimer_get(t->tg, which, &value, &interval);
		v = itimerval_from(value, interval);
	} else {
		return -EINVAL;
	}
	return copy_out(t, a->arg[1], &v, sizeof(v)) < 0 ? -EFAULT : 0;
}

long sys_setitimer(struct task *t, const struct syscall_args *a)
{
	int which = (int)a->arg[0];
	struct itimerval nv = { 0 }, old;
	int64_t value, interval;

	if (which != ITIMER_REAL && !is_cpu_itimer(which))
		return -EINVAL;
	/* A NULL new value disarms, as Linux does (with a warning). */
	if (a->arg[1] && copy_in(t, &nv, a->arg[1], sizeof(nv)) < 0)
		return -EFAULT;
	if (itimer_value_in(&nv.it_value, &value) < 0 ||
	    itimer_value_in(&nv.it_interval, &interval) < 0)
		return -EINVAL;
	if (which == ITIMER_REAL) {
		old = itimer_real_get(t);
		itimer_real_set(t, value, value ? interval : 0);
	} else {
		/* A CPU itimer keeps its interval even when disarmed
		 * (set_cpu_itimer). */
		int64_t old_value, old_interval;
		cpu_itimer_set(t->tg, which, value, interval, &old_value, &old_interval);
		old = itimerval_from(old_value, old_interval);
	}
	if (a->arg[2] && copy_out(t, a->arg[2], &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

long sys_alarm(struct task *t, const struct syscall_args *a)
{
	unsigned secs = (unsigned)a->arg[0];
	struct itimerval old = itimer_real_get(t);
	itimer_real_set(t, (int64_t)secs * NSEC_PER_SEC, 0);
	/* Linux: whole seconds, rounded to nearest, never 0 while armed. */
	long left = old.it_value.tv_sec;
	if (old.it_value.tv_usec >= 500000 || (!left && old.it_value.tv_usec))
		left++;
	return left;
}
