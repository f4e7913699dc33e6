/* POSIX per-process timers: timer_create with its notifications,
 * timer_settime (relative, absolute, intervals, the old value),
 * timer_gettime, timer_getoverrun, timer_delete, their limit and what
 * fork does with them. The raw syscalls are used: glibc wraps timer IDs
 * and builds its own sigevent for a NULL one. */
#include "test.h"

#include <sys/resource.h>

#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif

static int tcreate(clockid_t clock, struct sigevent *sev, int *id)
{
	return (int)syscall(SYS_timer_create, clock, sev, id);
}

static int tset(int id, int flags, const struct itimerspec *nv, struct itimerspec *old)
{
	return (int)syscall(SYS_timer_settime, id, flags, nv, old);
}

static int tget(int id, struct itimerspec *cur)
{
	return (int)syscall(SYS_timer_gettime, id, cur);
}

static int tdelete(int id)
{
	return (int)syscall(SYS_timer_delete, id);
}

static int toverrun(int id)
{
	return (int)syscall(SYS_timer_getoverrun, id);
}

static struct sigevent by_signal(int sig, int value)
{
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = sig;
	sev.sigev_value.sival_int = value;
	return sev;
}

/* Blocks SIG, so the tests take timer signals with sigtimedwait. */
static sigset_t block(int sig)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	test_mask_signal(SIG_BLOCK, sig);
	return set;
}

static void unblock(int sig)
{
	/* Ignoring it discards whatever is left pending. */
	signal(sig, SIG_IGN);
	test_mask_signal(SIG_UNBLOCK, sig);
	signal(sig, SIG_DFL);
}

/* Waits (at most a generous 20 s) for SIG. */
static int wait_for(sigset_t *set, siginfo_t *si)
{
	struct timespec limit = { 20, 0 };
	return sigtimedwait(set, si, &limit);
}

TEST(a_timer_signal_carries_si_timer_id_and_value)
{
	int sig = SIGRTMIN + 1, id;
	sigset_t set = block(sig);
	struct sigevent sev = by_signal(sig, 4242);
	ASSERT_OK(tcreate(CLOCK_MONOTONIC, &sev, &id));
	struct itimerspec v = test_itimerspec_ms(20, 0);
	long long start = test_now_ns();
	EXPECT_OK(tset(id, 0, &v, NULL));
	siginfo_t si;
	EXPECT_EQ(wait_for(&set, &si), sig);
	EXPECT_GE(test_now_ns() - start, 20000000);
	EXPECT_EQ(si.si_code, SI_TIMER);
	EXPECT_EQ(si.si_timerid, id);
	EXPECT_EQ(si.si_overrun, 0);
	EXPECT_EQ(si.si_value.sival_int, 4242);
	EXPECT_EQ(toverrun(id), 0);
	EXPECT_OK(tdelete(id));
	unblock(sig);
}

TEST(a_null_sigevent_means_sigalrm_with_the_id_as_value)
{
	unsigned harness_alarm = alarm(0);
	sigset_t set = block(SIGALRM);
	int id;
	ASSERT_OK(tcreate(CLOCK_REALTIME, NULL, &id));
	struct itimerspec v = test_itimerspec_ms(10, 0);
	EXPECT_OK(tset(id, 0, &v, NULL));
	siginfo_t si;
	EXPECT_EQ(wait_for(&set, &si), SIGALRM);
	EXPECT_EQ(si.si_code, SI_TIMER);
	EXPECT_EQ(si.si_timerid, id);
	EXPECT_EQ(si.si_value.sival_int, id);
	EXPECT_OK(tdelete(id));
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	alarm(harness_alarm);
}

TEST(timer_ids_are_distinct)
{
	int a, b;
	ASSERT_OK(tcreate(CLOCK_MONOTONIC, NULL, &a));
	ASSERT_OK(tcreate(CLOCK_MONOTONIC, NULL, &b));
	EXPECT_NE(a, b);
	EXPECT_OK(tdelete(a));
	EXPECT_OK(tdelete(b));
	EXPECT_ERRNO(tdelete(a), EINVAL);
}

TEST(gettime_reports_time_left_and_interval_and_settime_the_old_value)
{
	int id;
	struct sigevent sev = by_signal(SIGRTMIN + 2, 0);
	ASSERT_OK(tcreate(CLOCK_MONOTONIC, &sev, &id));
	struct itimerspec cur, old;
	EXPECT_OK(tget(id, &cur));
	EXPECT_EQ(cur.it_value.tv_sec, 0);
	EXPECT_EQ(cur.it_value.tv_nsec, 0);
	EXPECT_EQ(cur.it_interval.tv_sec, 0);
	struct itimerspec v = { .it_value = { 100, 0 }, .it_interval = { 7, 500 } };
	EXPECT_OK(tset(id, 0, &v, &old));
	EXPECT_EQ(old.it_value.tv_sec, 0);
	EXPECT_EQ(old.it_value.tv_nsec, 0);
	EXPECT_OK(tget(id, &cur));
	EXPECT_LE(cur.it_value.tv_sec, 99 + (cur.it_value.tv_nsec == 0));
	EXPECT_GE(cur.it_value.tv_sec, 90);
	EXPECT_EQ(cur.it_interval.tv_sec, 7);
	EXPECT_EQ(cur.it_interval.tv_nsec, 500);
	struct itimerspec off = { 0 };
	EXPECT_OK(tset(id, 0, &off, &old));
	EXPECT_GE(old.it_value.tv_sec, 90);
	EXPECT_EQ(old.it_interval.tv_sec, 7);
	EXPECT_EQ(old.it_interval.tv_nsec, 500);
	EXPECT_OK(tget(id, &cur));
	EXPECT_EQ(cur.it_value.tv_sec, 0);
	EXPECT_EQ(cur.it_value.tv_nsec, 0);
	EXPECT_OK(tdelete(id));
}

TEST(an_expired_one_shot_timer_reads_as_disarmed)
{
	int sig = SIGRTMIN + 3, id;
	sigset_t set = block(sig);
	struct sigevent sev = by_signal(sig, 0);
	ASSERT_OK(tcreate(CLOCK_BOOTTIME, &sev, &id));
	struct itimerspec v = test_itimerspec_ms(5, 0), cur;
	EXPECT_OK(tset(id, 0, &v, NULL));
	siginfo_t si;
	EXPECT_EQ(wait_for(&set, &si), sig);
	EXPECT_OK(tget(id, &cur));
	EXPECT_EQ(cur.it_value.tv_sec, 0);
	EXPECT_EQ(cur.it_value.tv_nsec, 0);
	EXPECT_OK(tdelete(id));
	unblock(sig);
}

TEST(an_absolute_expiry_is_a_time_on_the_timers_clock)
{
	int sig = SIGRTMIN + 1, id;
	sigset_t set = block(sig);
	struct sigevent sev = by_signal(sig, 0);
	ASSERT_OK(tcreate(CLOCK_MONOTONIC, &sev, &id));
	long long at = test_now_ns() + 30000000;
	struct itimerspec v = { .it_value = { at / 1000000000, at % 1000000000 } };
	EXPECT_OK(tset(id, TIMER_ABSTIME, &v, NULL));
	siginfo_t si;
	EXPECT_EQ(wait_for(&set, &si), sig);
	EXPECT_GE(test_now_ns(), at);

	/* A time already past: at once. */
	v.it_value = (struct timespec){ 1, 0 };
	EXPECT_OK(tset(id, TIMER_ABSTIME, &v, NULL));
	EXPECT_EQ(wait_for(&set, &si), sig);

	/* CLOCK_REALTIME too. */
	EXPECT_OK(tdelete(id));
	ASSERT_OK(tcreate(CLOCK_REALTIME, &sev, &id));
	at = test_clock_ns(CLOCK_REALTIME) + 20000000;
	v.it_value = (struct timespec){ at / 1000000000, at % 1000000000 };
	EXPECT_OK(tset(id, TIMER_ABSTIME, &v, NULL));
	EXPECT_EQ(wait_for(&set, &si), sig);
	EXPECT_GE(test_clock_ns(CLOCK_REALTIME), at);
	EXPECT_OK(tdelete(id));
	unblock(sig);
}

TEST(a_periodic_timer_counts_overruns_while_its_signal_is_pending)
{
	int sig = SIGRTMIN + 4, id;
	sigset_t set = block(sig);
	struct sigevent sev = by_signal(sig, 7);
	ASSERT_OK(tcreate(CLOCK_MONOTONIC, &sev, &id));
	struct itimerspec v = test_itimerspec_ms(1, 1);
	EXPECT_OK(tset(id, 0, &v, NULL));
	test_sleep_ms(200);
	siginfo_t si;
	EXPECT_EQ(wait_for(&set, &si), sig);
	EXPECT_EQ(si.si_code, SI_TIMER);
	EXPECT_GE(si.si_overrun, 5);
	EXPECT_EQ(toverrun(id), si.si_overrun);
	struct itimerspec off = { 0 };
	EXPECT_OK(tset(id, 0, &off, NULL));
	EXPECT_EQ(toverrun(id), 0);	/* settime resets it */
	EXPECT_OK(tdelete(id));
	unblock(sig);
}

/* Linux 6.13 and later (the rework of posix-timer signals); before, the
 * old setting's signal was still delivered. */
TEST(a_timer_set_again_or_deleted_drops_its_pending_signal)
{
	int sig = SIGRTMIN + 4, id;
	sigset_t set = block(sig);
	struct sigevent sev = by_signal(sig, 7);
	ASSERT_OK(tcreate(CLOCK_MONOTONIC, &sev, &id));
	struct itimerspec v = test_itimerspec_ms(1, 1), off = { 0 };
	EXPECT_OK(tset(id, 0, &v, NULL));
	test_sleep_ms(50);
	EXPECT_OK(tset(id, 0, &off, NULL));
	siginfo_t si;
	struct timespec none = { 0, 0 };
	EXPECT_ERRNO(sigtimedwait(&set, &si, &none), EAGAIN);

	v = test_itimerspec_ms(1, 0);
	EXPECT_OK(tset(id, 0, &v, NULL));
	test_sleep_ms(20);
	v = test_itimerspec_ms(100000, 0);
	EXPECT_OK(tset(id, 0, &v, NULL));
	EXPECT_ERRNO(sigtimedwait(&set, &si, &none), EAGAIN);

	v = test_itimerspec_ms(1, 0);
	EXPECT_OK(tset(id, 0, &v, NULL));
	test_sleep_ms(20);
	EXPECT_OK(tdelete(id));
	EXPECT_ERRNO(sigtimedwait(&set, &si, &none), EAGAIN);
	unblock(sig);
}

TEST(a_periodic_timer_keeps_firing)
{
	int sig = SIGRTMIN + 5, id;
	sigset_t set = block(sig);
	struct sigevent sev = by_signal(sig, 0);
	ASSERT_OK(tcreate(CLOCK_MONOTONIC, &sev, &id));
	struct itimerspec v = test_itimerspec_ms(5, 5);
	long long start = test_now_ns();
	EXPECT_OK(tset(id, 0, &v, NULL));
	long expiries = 0;
	for (int i = 0; i < 3; i++) {
		siginfo_t si;
		EXPECT_EQ(wait_for(&set, &si), sig);
		expiries += 1 + si.si_overrun;
	}
	EXPECT_GE(test_now_ns() - start, 15000000);
	EXPECT_GE(expiries, 3);
	EXPECT_OK(tdelete(id));
	unblock(sig);
}

TEST(sigev_none_sends_nothing_but_counts_down)
{
	int id;
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_NONE;
	ASSERT_OK(tcreate(CLOCK_MONOTONIC, &sev, &id));
	struct itimerspec v = test_itimerspec_ms(50000, 0), cur;
	EXPECT_OK(tset(id, 0, &v, NULL));
	EXPECT_OK(tget(id, &cur));
	EXPECT_GE(cur.it_value.tv_sec, 40);
	EXPECT_LE(cur.it_value.tv_sec, 50);

	/* An expired one-shot one reads 0; a periodic one the next expiry. */
	v = test_itimerspec_ms(5, 0);
	EXPECT_OK(tset(id, 0, &v, NULL));
	test_sleep_ms(20);
	EXPECT_OK(tget(id, &cur));
	EXPECT_EQ(cur.it_value.tv_sec, 0);
	EXPECT_EQ(cur.it_value.tv_nsec, 0);
	v = test_itimerspec_ms(5, 1000);
	EXPECT_OK(tset(id, 0, &v, NULL));
	test_sleep_ms(20);
	EXPECT_OK(tget(id, &cur));
	EXPECT_EQ(cur.it_interval.tv_sec, 1);
	EXPECT_TRUE(cur.it_value.tv_sec > 0 || cur.it_value.tv_nsec > 0);
	EXPECT_LE(cur.it_value.tv_sec, 1);
	EXPECT_OK(tdelete(id));
}

TEST(sigev_thread_id_targets_a_thread_of_the_process)
{
	int sig = SIGRTMIN + 6, id;
	sigset_t set = block(sig);
	struct sigevent sev = by_signal(sig, 9);
	sev.sigev_notify = SIGEV_SIGNAL | SIGEV_THREAD_ID;
	sev._sigev_un._tid = gettid();
	ASSERT_OK(tcreate(CLOCK_MONOTONIC, &sev, &id));
	struct itimerspec v = test_itimerspec_ms(5, 0);
	EXPECT_OK(tset(id, 0, &v, NULL));
	siginfo_t si;
	EXPECT_EQ(wait_for(&set, &si), sig);
	EXPECT_EQ(si.si_code, SI_TIMER);
	EXPECT_EQ(si.si_value.sival_int, 9);
	EXPECT_OK(tdelete(id));

	/* Not a thread of this process: the parent's. */
	sev._sigev_un._tid = getppid();
	EXPECT_ERRNO(tcreate(CLOCK_MONOTONIC, &sev, &id), EINVAL);
	unblock(sig);
}

TEST(bad_arguments)
{
	int id;
	struct sigevent sev = by_signal(0, 0);
	EXPECT_ERRNO(tcreate(CLOCK_MONOTONIC, &sev, &id), EINVAL);
	sev = by_signal(65, 0);
	EXPECT_ERRNO(tcreate(CLOCK_MONOTONIC, &sev, &id), EINVAL);
	sev = by_signal(SIGUSR1, 0);
	sev.sigev_notify = 77;
	EXPECT_ERRNO(tcreate(CLOCK_MONOTONIC, &sev, &id), EINVAL);
	EXPECT_ERRNO(tcreate(1000, NULL, &id), EINVAL);
	EXPECT_ERRNO(tcreate(CLOCK_MONOTONIC_RAW, NULL, &id), EOPNOTSUPP);
	EXPECT_ERRNO(tcreate(CLOCK_MONOTONIC, NULL, NULL), EFAULT);

	struct itimerspec v = test_itimerspec_ms(10, 0), cur;
	EXPECT_ERRNO(tset(12345, 0, &v, NULL), EINVAL);
	EXPECT_ERRNO(tget(12345, &cur), EINVAL);
	EXPECT_ERRNO(toverrun(12345), EINVAL);
	EXPECT_ERRNO(tdelete(12345), EINVAL);
	ASSERT_OK(tcreate(CLOCK_MONOTONIC, NULL, &id));
	EXPECT_ERRNO(tset(id, 0, NULL, NULL), EINVAL);
	v.it_value.tv_nsec = 1000000000;
	EXPECT_ERRNO(tset(id, 0, &v, NULL), EINVAL);
	v = test_itimerspec_ms(10, 0);
	v.it_interval.tv_sec = -1;
	EXPECT_ERRNO(tset(id, 0, &v, NULL), EINVAL);
	EXPECT_ERRNO(tget(id, NULL), EFAULT);
	EXPECT_OK(tdelete(id));
}

TEST(a_deleted_timer_fires_no_more)
{
	int sig = SIGRTMIN + 7, id;
	block(sig);
	struct sigevent sev = by_signal(sig, 0);
	ASSERT_OK(tcreate(CLOCK_MONOTONIC, &sev, &id));
	struct itimerspec v = test_itimerspec_ms(20, 5);
	EXPECT_OK(tset(id, 0, &v, NULL));
	EXPECT_OK(tdelete(id));
	test_sleep_ms(60);
	EXPECT_TRUE(!test_sig_pending(sig));
	unblock(sig);
}

TEST(the_number_of_timers_is_limited_by_rlimit_sigpending)
{
	struct rlimit old, none = { 0, 0 };
	ASSERT_OK(getrlimit(RLIMIT_SIGPENDING, &old));
	none.rlim_max = old.rlim_max;
	ASSERT_OK(setrlimit(RLIMIT_SIGPENDING, &none));
	int id;
	EXPECT_ERRNO(tcreate(CLOCK_MONOTONIC, NULL, &id), EAGAIN);
	EXPECT_OK(setrlimit(RLIMIT_SIGPENDING, &old));
	EXPECT_OK(tcreate(CLOCK_MONOTONIC, NULL, &id));
	EXPECT_OK(tdelete(id));
}

TEST(a_forked_child_inherits_no_timers)
{
	int id;
	struct sigevent sev = by_signal(SIGRTMIN + 8, 0);
	ASSERT_OK(tcreate(CLOCK_MONOTONIC, &sev, &id));
	struct itimerspec v = test_itimerspec_ms(100000, 0);
	EXPECT_OK(tset(id, 0, &v, NULL));
	pid_t pid = fork();
	if (pid == 0) {
		struct itimerspec cur;
		_exit(tget(id, &cur) < 0 && errno == EINVAL ? 0 : 1);
	}
	int status;
	EXPECT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(status, 0);
	EXPECT_OK(tdelete(id));
}

/* Run by the program itself after an exec (see below); a no-op otherwise. */
TEST(exec_helper)
{
	const char *id = getenv("TIMERS_EXEC_ID");
	if (!id)
		return;
	struct itimerspec cur;
	exit(tget(atoi(id), &cur) < 0 && errno == EINVAL ? 0 : 1);
}

TEST(exec_deletes_the_timers)
{
	struct sigevent sev = by_signal(SIGRTMIN + 8, 0);
	struct itimerspec v = test_itimerspec_ms(100000, 0);
	/* A fork has no timers: the child makes its own, then execs. */
	int status;
	pid_t pid = fork();
	if (pid == 0) {
		int cid;
		if (tcreate(CLOCK_MONOTONIC, &sev, &cid) < 0 || tset(cid, 0, &v, NULL) < 0)
			_exit(4);
		char buf[16];
		snprintf(buf, sizeof(buf), "%d", cid);
		setenv("TIMERS_EXEC_ID", buf, 1);
		char *argv[] = { "timers", "exec_helper", NULL };
		execv("/proc/self/exe", argv);
		_exit(5);
	}
	EXPECT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

/* Burns CPU until SIG is pending. */
static void spin_until_pending(int sig)
{
	volatile unsigned long n = 0;
	while (!test_sig_pending(sig)) {
		for (int i = 0; i < 100000; i++)
			n++;
	}
}

TEST(a_timer_on_a_cpu_clock_fires_after_that_much_cpu_time)
{
	clockid_t clocks[] = { CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID };
	int sig = SIGRTMIN + 9;
	sigset_t set = block(sig);
	for (int i = 0; i < 2; i++) {
		int id;
		struct sigevent sev = by_signal(sig, i);
		ASSERT_OK(tcreate(clocks[i], &sev, &id));
		long long start = test_clock_ns(clocks[i]);
		struct itimerspec v = test_itimerspec_ms(30, 0), cur;
		EXPECT_OK(tset(id, 0, &v, NULL));
		EXPECT_OK(tget(id, &cur));
		EXPECT_EQ(cur.it_value.tv_sec, 0);
		EXPECT_TRUE(cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 30000000);
		spin_until_pending(sig);
		EXPECT_GE(test_clock_ns(clocks[i]) - start, 30000000);
		siginfo_t si;
		EXPECT_EQ(wait_for(&set, &si), sig);
		EXPECT_EQ(si.si_code, SI_TIMER);
		EXPECT_EQ(si.si_value.sival_int, i);
		EXPECT_OK(tget(id, &cur));
		EXPECT_EQ(cur.it_value.tv_sec, 0);
		EXPECT_EQ(cur.it_value.tv_nsec, 0);

		/* An absolute CPU time, and an interval. */
		long long at = test_clock_ns(clocks[i]) + 10000000;
		v = (struct itimerspec){ .it_value = { 0, at % 1000000000 },
					 .it_interval = { 0, 10000000 } };
		v.it_value.tv_sec = at / 1000000000;
		EXPECT_OK(tset(id, TIMER_ABSTIME, &v, NULL));
		for (int n = 0; n < 2; n++) {
			spin_until_pending(sig);
			EXPECT_EQ(wait_for(&set, &si), sig);
		}
		EXPECT_GE(test_clock_ns(clocks[i]), at + 10000000);
		EXPECT_OK(tdelete(id));
	}
	unblock(sig);
}

TEST(a_cpu_clock_timer_does_not_run_while_the_process_sleeps)
{
	int sig = SIGRTMIN + 9, id;
	block(sig);
	struct sigevent sev = by_signal(sig, 0);
	ASSERT_OK(tcreate(CLOCK_PROCESS_CPUTIME_ID, &sev, &id));
	struct itimerspec v = test_itimerspec_ms(500, 0);
	EXPECT_OK(tset(id, 0, &v, NULL));
	test_sleep_ms(100);
	EXPECT_TRUE(!test_sig_pending(sig));
	EXPECT_OK(tdelete(id));
	unblock(sig);
}
