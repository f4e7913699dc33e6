/* Time: clock_gettime, clock_getres, gettimeofday, time, nanosleep,
 * clock_nanosleep. Sleeps are checked for a lower bound only: a loaded
 * machine may oversleep, so no upper bound is tighter than seconds.
 *
 * glibc serves clock_gettime, gettimeofday and time from the vDSO without
 * a syscall; the raw syscalls are tested separately, and the two paths are
 * checked to agree. */
#include "test.h"

#include <sys/time.h>
#include <sys/wait.h>

#define NSEC_PER_SEC 1000000000LL

static long raw_clock_gettime(clockid_t clock, struct timespec *ts)
{
	return syscall(SYS_clock_gettime, clock, ts);
}

static long raw_clock_getres(clockid_t clock, struct timespec *ts)
{
	return syscall(SYS_clock_getres, clock, ts);
}

static long raw_nanosleep(const struct timespec *req, struct timespec *rem)
{
	return syscall(SYS_nanosleep, req, rem);
}

static long raw_clock_nanosleep(clockid_t clock, int flags,
				const struct timespec *req,
				struct timespec *rem)
{
	return syscall(SYS_clock_nanosleep, clock, flags, req, rem);
}

static long long ns_of(const struct timespec *ts)
{
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static long long raw_now_ns(clockid_t clock)
{
	struct timespec ts = { 0 };

	raw_clock_gettime(clock, &ts);
	return ns_of(&ts);
}

static bool is_normalized(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 &&
	       ts->tv_nsec < NSEC_PER_SEC;
}

/* --- clock_gettime --- */

TEST(clock_gettime_supported_clocks)
{
	const clockid_t clocks[] = {
		CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME,
		CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
		CLOCK_MONOTONIC_COARSE, CLOCK_PROCESS_CPUTIME_ID,
		CLOCK_THREAD_CPUTIME_ID,
	};
	struct timespec ts;

	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		ts.tv_sec = -1;
		EXPECT_OK(raw_clock_gettime(clocks[i], &ts));
		EXPECT_TRUE(is_normalized(&ts));
	}
}

TEST(clock_monotonic_never_goes_backwards)
{
	long long prev = raw_now_ns(CLOCK_MONOTONIC), now;
	bool backwards = false;

	for (int i = 0; i < 2000; i++) {
		now = i % 2 ? raw_now_ns(CLOCK_MONOTONIC) : test_now_ns();
		if (now < prev)
			backwards = true;
		prev = now;
	}
	EXPECT_TRUE(!backwards);
}

/* CLOCK_BOOTTIME is CLOCK_MONOTONIC plus time spent suspended. */
TEST(clock_boottime_is_at_least_monotonic)
{
	long long mono = raw_now_ns(CLOCK_MONOTONIC);
	long long boot = raw_now_ns(CLOCK_BOOTTIME);

	EXPECT_GE(boot, mono);
	EXPECT_GE(mono, 1);
}

TEST(clock_realtime_agrees_with_time)
{
	struct timespec ts;
	time_t before, after;

	before = time(NULL);
	ASSERT_OK(raw_clock_gettime(CLOCK_REALTIME, &ts));
	after = time(NULL);
	EXPECT_GE(ts.tv_sec, before - 1);
	EXPECT_LE(ts.tv_sec, after + 1);
	EXPECT_GE(ts.tv_sec, 1600000000);   /* after September 2020 */
}

/* The vDSO (what glibc calls) and the syscall read the same clocks. */
TEST(vdso_and_syscall_clocks_agree)
{
	const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC,
				     CLOCK_BOOTTIME };
	struct timespec vdso;

	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		long long raw1 = raw_now_ns(clocks[i]), raw2;

		ASSERT_OK(clock_gettime(clocks[i], &vdso));
		raw2 = raw_now_ns(clocks[i]);
		/* Allow for coarse-grained ticks, nothing more. */
		EXPECT_GE(ns_of(&vdso), raw1 - NSEC_PER_SEC / 10);
		EXPECT_LE(ns_of(&vdso), raw2 + NSEC_PER_SEC / 10);
	}
}

/* Spins until 5 ms of process CPU time are used (or 5 s of real time
 * pass, in case the CPU clocks are broken). The thread clock advances too,
 * but is not compared closely: Linux accounts the two separately and they
 * can differ by a fraction of a millisecond. */
TEST(cpu_time_clocks_advance_with_work)
{
	long long start = raw_now_ns(CLOCK_PROCESS_CPUTIME_ID);
	long long tstart = raw_now_ns(CLOCK_THREAD_CPUTIME_ID);
	long long give_up = raw_now_ns(CLOCK_MONOTONIC) + 5 * NSEC_PER_SEC;

	while (raw_now_ns(CLOCK_PROCESS_CPUTIME_ID) - start < 5000000 &&
	       raw_now_ns(CLOCK_MONOTONIC) < give_up)
		;
	EXPECT_GE(raw_now_ns(CLOCK_PROCESS_CPUTIME_ID) - start, 5000000);
	EXPECT_GE(raw_now_ns(CLOCK_THREAD_CPUTIME_ID) - tstart, 1000000);
}

/* clock_getres(2) EINVAL: "The clockid specified is invalid for one of two
 * reasons. Either the System-V style hard coded positive value is out of
 * range, or the dynamic clock ID does not refer to a valid instance". */
TEST(clock_gettime_invalid_clock_is_einval)
{
	struct timespec ts;

	EXPECT_ERRNO(raw_clock_gettime(1000, &ts), EINVAL);
	EXPECT_ERRNO(raw_clock_gettime(16, &ts), EINVAL);
	EXPECT_ERRNO(raw_clock_getres(1000, &ts), EINVAL);
}

TEST(clock_gettime_bad_pointer_is_efault)
{
	EXPECT_ERRNO(raw_clock_gettime(CLOCK_MONOTONIC, test_bad_ptr()),
		     EFAULT);
}

/* --- clock_getres --- */

/* The high-resolution clocks report a resolution of 1 ns (hrtimers). */
/* clock_settime's checks before the permission one, which the sandbox
 * always fails (never tried here on CLOCK_REALTIME: natively as root it
 * would set the host's clock). Only CLOCK_REALTIME has a setter. */
TEST(clock_settime_errors)
{
	struct timespec ts = { .tv_sec = 1 }, bad = { .tv_nsec = -1 };

	EXPECT_ERRNO(syscall(SYS_clock_settime, CLOCK_MONOTONIC, &ts), EINVAL);
	EXPECT_ERRNO(syscall(SYS_clock_settime, CLOCK_BOOTTIME, &ts), EINVAL);
	EXPECT_ERRNO(syscall(SYS_clock_settime, 100, &ts), EINVAL);
	EXPECT_ERRNO(syscall(SYS_clock_settime, CLOCK_REALTIME, &bad), EINVAL);
	EXPECT_ERRNO(syscall(SYS_clock_settime, CLOCK_REALTIME, test_bad_ptr()), EFAULT);
	EXPECT_ERRNO(syscall(SYS_clock_settime, CLOCK_PROCESS_CPUTIME_ID, &ts), EINVAL);
}

TEST(clock_getres_is_one_nanosecond_for_high_resolution_clocks)
{
	const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC,
				     CLOCK_BOOTTIME };
	struct timespec res;

	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		ASSERT_OK(raw_clock_getres(clocks[i], &res));
		EXPECT_EQ(res.tv_sec, 0);
		EXPECT_EQ(res.tv_nsec, 1);
		ASSERT_OK(clock_getres(clocks[i], &res));   /* vDSO */
		EXPECT_EQ(res.tv_nsec, 1);
	}
}

TEST(clock_getres_coarse_clocks_are_coarser)
{
	struct timespec res;

	ASSERT_OK(raw_clock_getres(CLOCK_MONOTONIC_COARSE, &res));
	EXPECT_EQ(res.tv_sec, 0);
	EXPECT_GE(res.tv_nsec, 1000);   /* a scheduler tick: 1-10 ms */
}

/* clock_getres(2): "If res is NULL, the clock resolution is not
 * returned." */
TEST(clock_getres_null_pointer_is_allowed)
{
	EXPECT_OK(raw_clock_getres(CLOCK_MONOTONIC, NULL));
}

/* --- gettimeofday, time --- */

TEST(gettimeofday_agrees_with_clock_realtime)
{
	struct timeval tv;
	long long before = raw_now_ns(CLOCK_REALTIME), after, us;

	ASSERT_OK(syscall(SYS_gettimeofday, &tv, NULL));
	after = raw_now_ns(CLOCK_REALTIME);
	EXPECT_TRUE(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	us = tv.tv_sec * 1000000LL + tv.tv_usec;
	EXPECT_GE(us, before / 1000 - 1);
	EXPECT_LE(us, after / 1000 + 1);
}

TEST(gettimeofday_with_timezone_and_via_vdso)
{
	struct timeval tv;
	struct timezone tz;

	EXPECT_OK(syscall(SYS_gettimeofday, &tv, &tz));
	EXPECT_OK(syscall(SYS_gettimeofday, NULL, NULL));
	EXPECT_OK(gettimeofday(&tv, NULL));
	EXPECT_GE(tv.tv_sec, 1600000000);
}

/* time(2): "When tloc is not NULL, the return value is also stored in the
 * memory pointed to by tloc." time reads the clock as of the last tick, so
 * it may trail CLOCK_REALTIME's seconds by one. */
TEST(time_returns_and_stores_the_seconds)
{
	time_t t = 0, r;
	long long now = raw_now_ns(CLOCK_REALTIME) / NSEC_PER_SEC;

	r = syscall(SYS_time, &t);
	EXPECT_EQ(r, t);
	EXPECT_GE(r, now - 1);
	EXPECT_LE(r, now + 2);
	EXPECT_GE(syscall(SYS_time, NULL), now - 1);
	EXPECT_GE(time(NULL), now - 1);   /* vDSO */
	EXPECT_ERRNO(syscall(SYS_time, test_bad_ptr()), EFAULT);
}

/* --- nanosleep, clock_nanosleep --- */

TEST(nanosleep_sleeps_at_least_the_requested_time)
{
	const struct timespec req = { .tv_nsec = 20 * 1000 * 1000 };
	long long start = raw_now_ns(CLOCK_MONOTONIC);

	EXPECT_OK(raw_nanosleep(&req, NULL));
	EXPECT_GE(raw_now_ns(CLOCK_MONOTONIC) - start, ns_of(&req));
}

TEST(nanosleep_zero_returns_at_once)
{
	const struct timespec zero = { 0 };
	long long start = raw_now_ns(CLOCK_MONOTONIC);

	EXPECT_OK(raw_nanosleep(&zero, NULL));
	EXPECT_LE(raw_now_ns(CLOCK_MONOTONIC) - start, 5 * NSEC_PER_SEC);
}

/* nanosleep(2) EINVAL: "The value in the tv_nsec field was not in the
 * range [0, 999999999] or tv_sec was negative." */
TEST(nanosleep_invalid_timespec_is_einval)
{
	const struct timespec big = { .tv_nsec = NSEC_PER_SEC };
	const struct timespec neg_nsec = { .tv_nsec = -1 };
	const struct timespec neg_sec = { .tv_sec = -1 };

	EXPECT_ERRNO(raw_nanosleep(&big, NULL), EINVAL);
	EXPECT_ERRNO(raw_nanosleep(&neg_nsec, NULL), EINVAL);
	EXPECT_ERRNO(raw_nanosleep(&neg_sec, NULL), EINVAL);
	EXPECT_ERRNO(raw_nanosleep(test_bad_ptr(), NULL), EFAULT);
}

TEST(clock_nanosleep_relative_sleeps_at_least_the_requested_time)
{
	const struct timespec req = { .tv_nsec = 20 * 1000 * 1000 };
	long long start = raw_now_ns(CLOCK_MONOTONIC);

	EXPECT_OK(raw_clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL));
	EXPECT_GE(raw_now_ns(CLOCK_MONOTONIC) - start, ns_of(&req));
}

TEST(clock_nanosleep_abstime_sleeps_until_the_deadline)
{
	long long deadline = raw_now_ns(CLOCK_MONOTONIC) + 20 * 1000 * 1000;
	const struct timespec req = {
		.tv_sec = deadline / NSEC_PER_SEC,
		.tv_nsec = deadline % NSEC_PER_SEC,
	};

	EXPECT_OK(raw_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req,
				      NULL));
	EXPECT_GE(raw_now_ns(CLOCK_MONOTONIC), deadline);
}

/* clock_nanosleep(2): "If, at the time of the call, the value specified by
 * request is less than or equal to the current value of the clock, then
 * clock_nanosleep() returns immediately without suspending". */
TEST(clock_nanosleep_abstime_in_the_past_returns_at_once)
{
	const struct timespec past = { .tv_sec = 1 };
	long long start = raw_now_ns(CLOCK_MONOTONIC);

	EXPECT_OK(raw_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past,
				      NULL));
	EXPECT_OK(raw_clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &past,
				      NULL));
	EXPECT_LE(raw_now_ns(CLOCK_MONOTONIC) - start, 5 * NSEC_PER_SEC);
}

/* clock_nanosleep(2) EINVAL: "The clockid was invalid" or "The value in
 * the tv_nsec field was not in the range [0, 999999999]". The man page
 * says CLOCK_THREAD_CPUTIME_ID is EINVAL too; that is glibc's answer, the
 * syscall gives EOPNOTSUPP (the clock has no nsleep operation). */
TEST(clock_nanosleep_invalid_arguments)
{
	const struct timespec req = { .tv_nsec = 1000 };
	const struct timespec big = { .tv_nsec = NSEC_PER_SEC };

	EXPECT_ERRNO(raw_clock_nanosleep(1000, 0, &req, NULL), EINVAL);
	EXPECT_ERRNO(raw_clock_nanosleep(CLOCK_MONOTONIC, 0, &big, NULL),
		     EINVAL);
	EXPECT_ERRNO(raw_clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req,
					 NULL), EOPNOTSUPP);
	EXPECT_EQ(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL),
		  EINVAL);
}

static long long process_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The process CPU clock counts on across execve: a child burns CPU,
 * then runs this very test again in a new image (told so by the
 * environment), which finds the clock no smaller. */
TEST(process_cpu_clock_counts_across_exec)
{
	const char *before = getenv("CPU_NS_BEFORE_EXEC");
	if (before) {
		EXPECT_GE(process_cpu_ns(), atoll(before));
		return;
	}
	pid_t pid = test_fork();
	if (pid == 0) {
		/* CPU time in the program itself, without syscalls (a
		 * sandbox's syscalls cost CPU of their own). */
		for (volatile unsigned long x = 0; x < 200000000UL; x++)
			;
		/* 200M dependent loads and stores take 40 ms at 5 GHz. */
		if (process_cpu_ns() < 20 * 1000000LL)
			_exit(101);
		char buf[32];
		snprintf(buf, sizeof(buf), "%lld", process_cpu_ns());
		setenv("CPU_NS_BEFORE_EXEC", buf, 1);
		char *argv[] = { "time", "process_cpu_clock_counts_across_exec", NULL };
		execv("/proc/self/exe", argv);
		_exit(100);
	}
	ASSERT_GE(pid, 1);
	EXPECT_EQ(test_wait(pid, 0), 0);
}
