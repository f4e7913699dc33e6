/* alarm, setitimer and getitimer with ITIMER_REAL: SIGALRM at expiry,
 * intervals, remaining time, and what fork does with the timer. */
#include "test.h"

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
