/* alarm, setitimer and getitimer: ITIMER_REAL's SIGALRM at expiry,
 * intervals, remaining time, and what fork does with the timer; the CPU
 * timers ITIMER_VIRTUAL (SIGVTALRM) and ITIMER_PROF (SIGPROF), and
 * RLIMIT_CPU's SIGXCPU and SIGKILL. CPU timings are never exact on a busy
 * machine: each test asks only for a signal within a generous bound. */
#include "test.h"

#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int sig __attribute__((unused)))
{
	alarms++;
}

/* The harness times each test with alarm(2) and a SIGALRM handler: each
 * test here takes both over and gives them back. */
static struct sigaction harness_action;
static unsigned harness_alarm;

static void take_timer(void)
{
	harness_alarm = alarm(0);
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, &harness_action);
	alarms = 0;
}

static void give_timer_back(void)
{
	struct itimerval off = { 0 };
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &harness_action, NULL);
	alarm(harness_alarm);
}

TEST(alarm_returns_the_seconds_left_of_the_previous_one)
{
	take_timer();
	EXPECT_EQ(alarm(100), 0);
	unsigned left = alarm(50);
	EXPECT_TRUE(left == 100 || left == 99);
	EXPECT_TRUE(alarm(0) >= 49);	/* alarm(0) cancels */
	EXPECT_EQ(alarm(0), 0);
	give_timer_back();
}

TEST(setitimer_real_sends_sigalrm)
{
	take_timer();
	struct itimerval v = { .it_value = { 0, 20000 } };
	EXPECT_OK(setitimer(ITIMER_REAL, &v, NULL));
	while (!alarms)
		pause();
	EXPECT_EQ(alarms, 1);
	struct itimerval now;
	EXPECT_OK(getitimer(ITIMER_REAL, &now));
	EXPECT_EQ(now.it_value.tv_sec, 0);
	EXPECT_EQ(now.it_value.tv_usec, 0);
	give_timer_back();
}

TEST(an_interval_timer_fires_again_until_disarmed)
{
	take_timer();
	struct itimerval v = { .it_value = { 0, 10000 }, .it_interval = { 0, 10000 } };
	EXPECT_OK(setitimer(ITIMER_REAL, &v, NULL));
	while (alarms < 3)
		pause();
	struct itimerval off = { 0 }, old;
	EXPECT_OK(setitimer(ITIMER_REAL, &off, &old));
	EXPECT_EQ(old.it_interval.tv_usec, 10000);
	EXPECT_LE(old.it_value.tv_usec, 10000);
	give_timer_back();
}

TEST(getitimer_reports_time_left_and_interval)
{
	take_timer();
	struct itimerval v = { .it_value = { 100, 0 }, .it_interval = { 7, 500 } }, now;
	EXPECT_OK(setitimer(ITIMER_REAL, &v, NULL));
	EXPECT_OK(getitimer(ITIMER_REAL, &now));
	EXPECT_TRUE(now.it_value.tv_sec == 99 || now.it_value.tv_sec == 100);
	EXPECT_EQ(now.it_interval.tv_sec, 7);
	EXPECT_EQ(now.it_interval.tv_usec, 500);
	give_timer_back();
}

TEST(setitimer_rejects_bad_values)
{
	struct itimerval v = { .it_value = { 1, 1000000 } };
	EXPECT_ERRNO(setitimer(ITIMER_REAL, &v, NULL), EINVAL);
	v = (struct itimerval){ .it_value = { -1, 0 } };
	EXPECT_ERRNO(setitimer(ITIMER_REAL, &v, NULL), EINVAL);
	EXPECT_ERRNO(syscall(SYS_setitimer, 99, &v, NULL), EINVAL);
	EXPECT_ERRNO(syscall(SYS_getitimer, ITIMER_REAL, (void *)8), EFAULT);
}

/* The child of fork starts with no timer (fork(2)). */
TEST(fork_does_not_inherit_the_timer)
{
	take_timer();
	EXPECT_EQ(alarm(100), 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(alarm(0) == 0 ? 0 : 1);
	int status;
	EXPECT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(status, 0);
	EXPECT_TRUE(alarm(0) > 0);
	give_timer_back();
}

/* An alarm with the default action ends the process with SIGALRM. */
TEST(sigalrm_by_default_terminates)
{
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGALRM, SIG_DFL);	/* not the harness's */
		alarm(1);
		for (;;)
			pause();
	}
	int status;
	EXPECT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM);
}

static volatile sig_atomic_t cpu_signals;

static void on_cpu_signal(int sig __attribute__((unused)))
{
	cpu_signals++;
}

/* Burns CPU in the program itself until COUNT signals came or LIMIT_MS
 * of host time passed; returns whether they came. */
static bool spin_for_signals(int count, long limit_ms)
{
	long long deadline = test_now_ns() + limit_ms * 1000000LL;
	while (cpu_signals < count && test_now_ns() < deadline)
		for (volatile int i = 0; i < 100000; i++)
			;
	return cpu_signals >= count;
}

static void catch_cpu_signal(int sig)
{
	struct sigaction sa = { .sa_handler = on_cpu_signal };
	sigaction(sig, &sa, NULL);
	cpu_signals = 0;
}

static void disarm(int which)
{
	struct itimerval off = { 0 };
	setitimer(which, &off, NULL);
	signal(which == ITIMER_VIRTUAL ? SIGVTALRM : SIGPROF, SIG_DFL);
}

TEST(itimer_virtual_fires_in_a_busy_loop)
{
	catch_cpu_signal(SIGVTALRM);
	struct itimerval v = { .it_value = { 0, 30000 } }, now;
	EXPECT_OK(setitimer(ITIMER_VIRTUAL, &v, NULL));
	EXPECT_TRUE(spin_for_signals(1, 5000));
	/* A one-shot timer is disarmed once it has fired. */
	EXPECT_OK(getitimer(ITIMER_VIRTUAL, &now));
	EXPECT_EQ(now.it_value.tv_sec, 0);
	EXPECT_EQ(now.it_value.tv_usec, 0);
	disarm(ITIMER_VIRTUAL);
}

TEST(itimer_prof_interval_fires_again)
{
	catch_cpu_signal(SIGPROF);
	struct itimerval v = { .it_value = { 0, 20000 }, .it_interval = { 0, 20000 } };
	EXPECT_OK(setitimer(ITIMER_PROF, &v, NULL));
	EXPECT_TRUE(spin_for_signals(3, 5000));
	struct itimerval old;
	EXPECT_OK(setitimer(ITIMER_PROF, NULL, &old));
	EXPECT_EQ(old.it_interval.tv_sec, 0);
	EXPECT_EQ(old.it_interval.tv_usec, 20000);
	disarm(ITIMER_PROF);
}

/* ITIMER_PROF counts system time: a loop of syscalls reaches it. */
TEST(itimer_prof_counts_time_in_syscalls)
{
	catch_cpu_signal(SIGPROF);
	struct itimerval v = { .it_value = { 0, 30000 } };
	EXPECT_OK(setitimer(ITIMER_PROF, &v, NULL));
	long long deadline = test_now_ns() + 5000 * 1000000LL;
	while (!cpu_signals && test_now_ns() < deadline)
		syscall(SYS_getppid);
	EXPECT_EQ(cpu_signals, 1);
	disarm(ITIMER_PROF);
}

TEST(getitimer_virtual_counts_down_with_cpu_time)
{
	catch_cpu_signal(SIGVTALRM);
	struct itimerval v = { .it_value = { 100, 0 }, .it_interval = { 3, 500 } }, now;
	EXPECT_OK(setitimer(ITIMER_VIRTUAL, &v, NULL));
	EXPECT_OK(getitimer(ITIMER_VIRTUAL, &now));
	EXPECT_LE(now.it_value.tv_sec, 100);
	EXPECT_GE(now.it_value.tv_sec, 99);
	EXPECT_EQ(now.it_interval.tv_sec, 3);
	EXPECT_EQ(now.it_interval.tv_usec, 500);
	/* 300 ms of CPU time, mostly user time: few syscalls. */
	long long start = test_clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	while (test_clock_ns(CLOCK_PROCESS_CPUTIME_ID) - start < 300000000LL)
		for (volatile int i = 0; i < 1000000; i++)
			;
	EXPECT_OK(getitimer(ITIMER_VIRTUAL, &now));
	long long left = now.it_value.tv_sec * 1000000000LL + now.it_value.tv_usec * 1000LL;
	EXPECT_LE(left, 99900000000LL);
	EXPECT_GE(left, 90000000000LL);
	EXPECT_EQ(cpu_signals, 0);
	disarm(ITIMER_VIRTUAL);
}

/* User time does not pass while the process sleeps. */
TEST(itimer_virtual_stands_still_while_sleeping)
{
	catch_cpu_signal(SIGVTALRM);
	struct itimerval v = { .it_value = { 0, 100000 } }, now;
	EXPECT_OK(setitimer(ITIMER_VIRTUAL, &v, NULL));
	test_sleep_ms(300);
	EXPECT_EQ(cpu_signals, 0);
	EXPECT_OK(getitimer(ITIMER_VIRTUAL, &now));
	EXPECT_GE(now.it_value.tv_usec, 50000);
	disarm(ITIMER_VIRTUAL);
}

/* A disarmed CPU timer keeps the interval it was given
 * (set_cpu_itimer), unlike ITIMER_REAL. */
TEST(a_disarmed_cpu_itimer_keeps_its_interval)
{
	struct itimerval v = { .it_interval = { 2, 0 } }, now;
	EXPECT_OK(setitimer(ITIMER_PROF, &v, NULL));
	EXPECT_OK(getitimer(ITIMER_PROF, &now));
	EXPECT_EQ(now.it_value.tv_sec, 0);
	EXPECT_EQ(now.it_value.tv_usec, 0);
	EXPECT_EQ(now.it_interval.tv_sec, 2);
	EXPECT_OK(setitimer(ITIMER_REAL, &v, NULL));
	EXPECT_OK(getitimer(ITIMER_REAL, &now));
	EXPECT_EQ(now.it_interval.tv_sec, 0);
	disarm(ITIMER_PROF);
}

/* fork clears the CPU timers too; execve keeps them and the CPU time
 * they count (itimers(7), execve(2)). */
TEST(fork_clears_cpu_itimers_and_exec_keeps_them)
{
	if (getenv("ITIMER_AFTER_EXEC")) {
		struct itimerval now;
		EXPECT_OK(getitimer(ITIMER_PROF, &now));
		EXPECT_GE(now.it_value.tv_sec, 40);
		EXPECT_LE(now.it_value.tv_sec, 50);
		EXPECT_EQ(now.it_interval.tv_sec, 9);
		return;
	}
	struct itimerval v = { .it_value = { 50, 0 }, .it_interval = { 9, 0 } }, now;
	EXPECT_OK(setitimer(ITIMER_PROF, &v, NULL));
	pid_t pid = test_fork();
	if (pid == 0) {
		EXPECT_OK(getitimer(ITIMER_PROF, &now));
		EXPECT_EQ(now.it_value.tv_sec, 0);
		EXPECT_EQ(now.it_value.tv_usec, 0);
		EXPECT_EQ(now.it_interval.tv_sec, 0);
		test_child_exit();
	}
	ASSERT_OK(pid);
	EXPECT_EQ(test_wait(pid, 0), 0);
	pid = test_fork();
	if (pid == 0) {
		EXPECT_OK(setitimer(ITIMER_PROF, &v, NULL));
		setenv("ITIMER_AFTER_EXEC", "1", 1);
		char *argv[] = { "itimer", "fork_clears_cpu_itimers_and_exec_keeps_them", NULL };
		execv("/proc/self/exe", argv);
		_exit(100);
	}
	ASSERT_OK(pid);
	EXPECT_EQ(test_wait(pid, 0), 0);
	disarm(ITIMER_PROF);
}

/* At the soft RLIMIT_CPU, SIGXCPU; Linux then moves the soft limit on
 * by a second for the next one. */
TEST(rlimit_cpu_sends_sigxcpu_at_the_soft_limit)
{
	pid_t pid = test_fork();
	if (pid == 0) {
		catch_cpu_signal(SIGXCPU);
		struct rlimit rl = { 1, RLIM_INFINITY };
		EXPECT_OK(setrlimit(RLIMIT_CPU, &rl));
		EXPECT_TRUE(spin_for_signals(1, 10000));
		EXPECT_OK(getrlimit(RLIMIT_CPU, &rl));
		EXPECT_EQ(rl.rlim_cur, 2);
		test_child_exit();
	}
	ASSERT_OK(pid);
	EXPECT_EQ(test_wait_timeout(pid, 0, 20), 0);
}

/* At the hard limit, SIGKILL. */
TEST(rlimit_cpu_kills_at_the_hard_limit)
{
	pid_t pid = test_fork();
	if (pid == 0) {
		struct rlimit rl = { 1, 1 };
		signal(SIGXCPU, SIG_IGN);
		if (setrlimit(RLIMIT_CPU, &rl) < 0)
			_exit(2);
		long long deadline = test_now_ns() + 10000 * 1000000LL;
		while (test_now_ns() < deadline)
			;
		_exit(3);
	}
	ASSERT_OK(pid);
	int status = test_wait_timeout(pid, 0, 20);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}
