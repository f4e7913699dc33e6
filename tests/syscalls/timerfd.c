/* timerfd_create, timerfd_settime, timerfd_gettime: reads of the
 * expiration count (blocking, non-blocking, interrupted), poll readiness,
 * intervals, absolute times, the old value, TFD_IOC_SET_TICKS and the
 * errors. Durations have lower bounds only. */
#include "test.h"

#include <sys/ioctl.h>
#include <sys/timerfd.h>

#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)
#endif

TEST(a_read_waits_for_the_expiry_and_returns_the_count)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	ASSERT_OK(fd);
	struct itimerspec v = test_itimerspec_ms(20, 0);
	long long start = test_now_ns();
	EXPECT_OK(timerfd_settime(fd, 0, &v, NULL));
	uint64_t n = 0;
	EXPECT_EQ(read(fd, &n, sizeof(n)), 8);
	EXPECT_EQ(n, 1);
	EXPECT_GE(test_now_ns() - start, 20000000);
	close(fd);
}

TEST(nonblocking_reads_fail_with_eagain_until_it_fires)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	ASSERT_OK(fd);
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	uint64_t n;
	EXPECT_ERRNO(read(fd, &n, sizeof(n)), EAGAIN);
	struct itimerspec v = test_itimerspec_ms(100000, 0);
	EXPECT_OK(timerfd_settime(fd, 0, &v, NULL));
	EXPECT_ERRNO(read(fd, &n, sizeof(n)), EAGAIN);
	v = test_itimerspec_ms(5, 0);
	EXPECT_OK(timerfd_settime(fd, 0, &v, NULL));
	struct pollfd p = { .fd = fd, .events = POLLIN };
	EXPECT_EQ(poll(&p, 1, 20000), 1);
	EXPECT_EQ(read(fd, &n, sizeof(n)), 8);
	EXPECT_EQ(n, 1);
	EXPECT_ERRNO(read(fd, &n, sizeof(n)), EAGAIN);
	EXPECT_ERRNO(read(fd, &n, 4), EINVAL);
	close(fd);
}

TEST(poll_reports_pollin_once_it_expired)
{
	int fd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK);
	ASSERT_OK(fd);
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	EXPECT_EQ(poll(&p, 1, 0), 0);
	struct itimerspec v = test_itimerspec_ms(10, 0);
	EXPECT_OK(timerfd_settime(fd, 0, &v, NULL));
	EXPECT_EQ(poll(&p, 1, 20000), 1);
	EXPECT_EQ(p.revents, POLLIN);
	uint64_t n;
	EXPECT_EQ(read(fd, &n, sizeof(n)), 8);
	EXPECT_EQ(poll(&p, 1, 0), 0);
	close(fd);
}

TEST(an_interval_timer_counts_every_expiry)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	ASSERT_OK(fd);
	struct itimerspec v = test_itimerspec_ms(1, 1);
	EXPECT_OK(timerfd_settime(fd, 0, &v, NULL));
	test_sleep_ms(100);
	uint64_t n = 0;
	EXPECT_EQ(read(fd, &n, sizeof(n)), 8);
	EXPECT_GE(n, 5);
	/* And goes on. */
	EXPECT_EQ(read(fd, &n, sizeof(n)), 8);
	EXPECT_GE(n, 1);
	close(fd);
}

TEST(a_tiny_interval_counts_every_expiry_too)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	ASSERT_OK(fd);
	struct itimerspec v = { .it_value = { 0, 1000 }, .it_interval = { 0, 1000 } };
	EXPECT_OK(timerfd_settime(fd, 0, &v, NULL));
	test_sleep_ms(50);
	uint64_t n = 0;
	EXPECT_EQ(read(fd, &n, sizeof(n)), 8);
	EXPECT_GE(n, 1000);
	struct itimerspec off = { 0 };
	EXPECT_OK(timerfd_settime(fd, 0, &off, NULL));
	close(fd);
}

TEST(gettime_reports_time_left_and_settime_the_old_value)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	ASSERT_OK(fd);
	struct itimerspec cur, old;
	EXPECT_OK(timerfd_gettime(fd, &cur));
	EXPECT_EQ(cur.it_value.tv_sec, 0);
	EXPECT_EQ(cur.it_value.tv_nsec, 0);
	struct itimerspec v = { .it_value = { 100, 0 }, .it_interval = { 3, 250 } };
	EXPECT_OK(timerfd_settime(fd, 0, &v, &old));
	EXPECT_EQ(old.it_value.tv_sec, 0);
	EXPECT_EQ(old.it_value.tv_nsec, 0);
	EXPECT_OK(timerfd_gettime(fd, &cur));
	EXPECT_GE(cur.it_value.tv_sec, 90);
	EXPECT_LE(cur.it_value.tv_sec, 100);
	EXPECT_EQ(cur.it_interval.tv_sec, 3);
	EXPECT_EQ(cur.it_interval.tv_nsec, 250);
	struct itimerspec off = { 0 };
	EXPECT_OK(timerfd_settime(fd, 0, &off, &old));
	EXPECT_GE(old.it_value.tv_sec, 90);
	EXPECT_EQ(old.it_interval.tv_sec, 3);
	EXPECT_OK(timerfd_gettime(fd, &cur));
	EXPECT_EQ(cur.it_value.tv_sec, 0);
	EXPECT_EQ(cur.it_value.tv_nsec, 0);

	/* An expired one-shot timer reads 0. */
	v = test_itimerspec_ms(2, 0);
	EXPECT_OK(timerfd_settime(fd, 0, &v, NULL));
	struct pollfd p = { .fd = fd, .events = POLLIN };
	EXPECT_EQ(poll(&p, 1, 20000), 1);
	EXPECT_OK(timerfd_gettime(fd, &cur));
	EXPECT_EQ(cur.it_value.tv_sec, 0);
	EXPECT_EQ(cur.it_value.tv_nsec, 0);
	close(fd);
}

TEST(settime_clears_the_count)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	ASSERT_OK(fd);
	struct itimerspec v = test_itimerspec_ms(1, 0);
	EXPECT_OK(timerfd_settime(fd, 0, &v, NULL));
	struct pollfd p = { .fd = fd, .events = POLLIN };
	EXPECT_EQ(poll(&p, 1, 20000), 1);
	v = test_itimerspec_ms(100000, 0);
	EXPECT_OK(timerfd_settime(fd, 0, &v, NULL));
	uint64_t n;
	EXPECT_ERRNO(read(fd, &n, sizeof(n)), EAGAIN);
	close(fd);
}

TEST(absolute_times_on_realtime_and_monotonic)
{
	clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC };
	for (int i = 0; i < 2; i++) {
		int fd = timerfd_create(clocks[i], 0);
		ASSERT_OK(fd);
		long long at = test_clock_ns(clocks[i]) + 20000000;
		struct itimerspec v = { .it_value = { at / 1000000000, at % 1000000000 } };
		EXPECT_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &v, NULL));
		uint64_t n = 0;
		EXPECT_EQ(read(fd, &n, sizeof(n)), 8);
		EXPECT_EQ(n, 1);
		EXPECT_GE(test_clock_ns(clocks[i]), at);
		close(fd);
	}
	/* CANCEL_ON_SET is accepted with an absolute realtime timer. */
	int fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	ASSERT_OK(fd);
	long long at = test_clock_ns(CLOCK_REALTIME) + 5000000;
	struct itimerspec v = { .it_value = { at / 1000000000, at % 1000000000 } };
	EXPECT_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &v, NULL));
	struct pollfd p = { .fd = fd, .events = POLLIN };
	EXPECT_EQ(poll(&p, 1, 20000), 1);
	uint64_t n = 0;
	EXPECT_EQ(read(fd, &n, sizeof(n)), 8);
	EXPECT_EQ(n, 1);
	close(fd);
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig __attribute__((unused)))
{
	got_usr1 = 1;
}

/* Sends SIGUSR1 to this process, from a child, once it sleeps (in the
 * read that follows) and MS milliseconds more. */
static pid_t signal_me_after(long ms)
{
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		test_wait_state(parent, 'S');
		test_sleep_ms(ms);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	return pid;
}

TEST(a_blocked_read_is_interrupted_by_a_signal_or_restarted)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	ASSERT_OK(fd);
	struct sigaction sa = { .sa_handler = on_usr1 }, old;
	sigaction(SIGUSR1, &sa, &old);
	got_usr1 = 0;
	pid_t pid = signal_me_after(20);
	uint64_t n;
	EXPECT_ERRNO(read(fd, &n, sizeof(n)), EINTR);
	EXPECT_EQ(got_usr1, 1);
	waitpid(pid, NULL, 0);

	/* With SA_RESTART the read goes on until the timer fires. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	got_usr1 = 0;
	struct itimerspec v = test_itimerspec_ms(300, 0);
	EXPECT_OK(timerfd_settime(fd, 0, &v, NULL));
	pid = signal_me_after(20);
	n = 0;
	EXPECT_EQ(read(fd, &n, sizeof(n)), 8);
	EXPECT_EQ(n, 1);
	waitpid(pid, NULL, 0);
	EXPECT_EQ(got_usr1, 1);
	sigaction(SIGUSR1, &old, NULL);
	close(fd);
}

TEST(set_ticks_ioctl_sets_the_count)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	ASSERT_OK(fd);
	uint64_t ticks = 5, n = 0;
	if (ioctl(fd, TFD_IOC_SET_TICKS, &ticks) < 0 && errno == ENOTTY) {
		close(fd);
		SKIP("no TFD_IOC_SET_TICKS (CONFIG_CHECKPOINT_RESTORE)");
	}
	EXPECT_EQ(read(fd, &n, sizeof(n)), 8);
	EXPECT_EQ(n, 5);
	ticks = 0;
	EXPECT_ERRNO(ioctl(fd, TFD_IOC_SET_TICKS, &ticks), EINVAL);
	close(fd);
}

TEST(proc_fd_names_it_an_anonymous_inode)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	ASSERT_OK(fd);
	char path[64], link[64] = "";
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	EXPECT_EQ(readlink(path, link, sizeof(link) - 1), (ssize_t)strlen("anon_inode:[timerfd]"));
	EXPECT_STREQ(link, "anon_inode:[timerfd]");
	close(fd);
}

TEST(bad_arguments)
{
	EXPECT_ERRNO(timerfd_create(CLOCK_MONOTONIC, 0x4000000), EINVAL);
	EXPECT_ERRNO(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
	EXPECT_ERRNO(timerfd_create(CLOCK_MONOTONIC_RAW, 0), EINVAL);
	EXPECT_ERRNO(timerfd_create(1000, 0), EINVAL);

	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	ASSERT_OK(fd);
	struct itimerspec v = test_itimerspec_ms(10, 0), cur;
	EXPECT_ERRNO(timerfd_settime(fd, 4, &v, NULL), EINVAL);
	EXPECT_ERRNO(timerfd_settime(-1, 0, &v, NULL), EBADF);
	EXPECT_ERRNO(timerfd_gettime(-1, &cur), EBADF);
	EXPECT_ERRNO(timerfd_settime(fd, 0, NULL, NULL), EFAULT);
	EXPECT_ERRNO(timerfd_gettime(fd, NULL), EFAULT);
	v.it_value.tv_nsec = -1;
	EXPECT_ERRNO(timerfd_settime(fd, 0, &v, NULL), EINVAL);
	int fds[2];
	ASSERT_OK(pipe(fds));
	v = test_itimerspec_ms(10, 0);
	EXPECT_ERRNO(timerfd_settime(fds[0], 0, &v, NULL), EINVAL);
	EXPECT_ERRNO(timerfd_gettime(fds[0], &cur), EINVAL);
	uint64_t n = 1;
	EXPECT_ERRNO(write(fd, &n, sizeof(n)), EINVAL);
	close(fds[0]);
	close(fds[1]);
	close(fd);
}
