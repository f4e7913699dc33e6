/* eventfd and eventfd2 (Linux's fs/eventfd.c): the counter, EFD_SEMAPHORE,
 * EFD_NONBLOCK and EFD_CLOEXEC, 8-byte transfers, the ceiling at
 * 0xfffffffffffffffe, poll readiness, blocking reads and writes woken by
 * the other side or interrupted by a handler, and the errors. */
#include "test.h"

#include <sys/eventfd.h>

static long sys_eventfd2(unsigned initval, int flags)
{
	return syscall(SYS_eventfd2, initval, flags);
}

static uint64_t rd(int fd)
{
	uint64_t v = 0;
	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return (uint64_t)-1;
	return v;
}

static long wr(int fd, uint64_t v)
{
	return write(fd, &v, sizeof(v));
}

static int revents(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

static int handled;
static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

TEST(counter)
{
	int fd = (int)sys_eventfd2(5, 0);
	ASSERT_OK(fd);
	EXPECT_EQ(rd(fd), 5);
	EXPECT_EQ(wr(fd, 3), 8);
	EXPECT_EQ(wr(fd, 4), 8);
	EXPECT_EQ(rd(fd), 7);
	/* A larger buffer still gets 8 bytes. */
	uint64_t buf[2] = { 0, 99 };
	EXPECT_EQ(wr(fd, 1), 8);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 8);
	EXPECT_EQ(buf[0], 1);
	EXPECT_EQ(buf[1], 99);
	/* Writing 0 is allowed and changes nothing. */
	EXPECT_EQ(wr(fd, 0), 8);
	EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	/* noop_llseek: the position stays 0. */
	EXPECT_EQ(lseek(fd, 10, SEEK_SET), 0);
	close(fd);

	fd = (int)syscall(SYS_eventfd, 2);
	ASSERT_OK(fd);
	EXPECT_EQ(fcntl(fd, F_GETFD), 0);
	EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	EXPECT_EQ(rd(fd), 2);
	close(fd);
}

TEST(semaphore)
{
	int fd = (int)sys_eventfd2(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	ASSERT_OK(fd);
	EXPECT_EQ(rd(fd), 1);
	EXPECT_EQ(rd(fd), 1);
	EXPECT_EQ(rd(fd), 1);
	uint64_t v;
	EXPECT_ERRNO(read(fd, &v, sizeof(v)), EAGAIN);
	close(fd);
}

TEST(flags)
{
	int fd = (int)sys_eventfd2(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_OK(fd);
	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	uint64_t v;
	EXPECT_ERRNO(read(fd, &v, sizeof(v)), EAGAIN);
	char path[64], link[64] = "";
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	EXPECT_OK(readlink(path, link, sizeof(link) - 1));
	EXPECT_STREQ(link, "anon_inode:[eventfd]");
	close(fd);
	EXPECT_ERRNO(sys_eventfd2(0, 0x4000000), EINVAL);
	EXPECT_ERRNO(sys_eventfd2(0, O_RDWR), EINVAL);
}

TEST(sizes_and_faults)
{
	int fd = (int)sys_eventfd2(1, EFD_NONBLOCK);
	ASSERT_OK(fd);
	char small[7] = { 0 };
	EXPECT_ERRNO(read(fd, small, sizeof(small)), EINVAL);
	EXPECT_ERRNO(write(fd, small, sizeof(small)), EINVAL);
	EXPECT_ERRNO(read(fd, small, 0), EINVAL);
	EXPECT_ERRNO(write(fd, small, 0), EINVAL);
	EXPECT_ERRNO(wr(fd, UINT64_MAX), EINVAL);
	EXPECT_ERRNO(read(fd, test_bad_ptr(), 8), EFAULT);
	EXPECT_ERRNO(write(fd, test_bad_ptr(), 8), EFAULT);
	close(fd);
}

TEST(ceiling)
{
	int fd = (int)sys_eventfd2(0, EFD_NONBLOCK);
	ASSERT_OK(fd);
	EXPECT_EQ(revents(fd), POLLOUT);
	EXPECT_EQ(wr(fd, 0xfffffffffffffffeULL), 8);
	/* At the ceiling: readable, no longer writable; any more waits. */
	EXPECT_EQ(revents(fd), POLLIN);
	EXPECT_ERRNO(wr(fd, 1), EAGAIN);
	EXPECT_EQ(wr(fd, 0), 8);
	EXPECT_EQ(rd(fd), 0xfffffffffffffffeULL);
	EXPECT_EQ(revents(fd), POLLOUT);
	EXPECT_EQ(wr(fd, 0xfffffffffffffffdULL), 8);
	EXPECT_EQ(revents(fd), POLLIN | POLLOUT);
	EXPECT_EQ(wr(fd, 1), 8);
	EXPECT_ERRNO(wr(fd, 1), EAGAIN);
	close(fd);
}

/* A blocked read is woken by a write from another process. */
TEST(blocking_read)
{
	int fd = (int)sys_eventfd2(0, 0);
	ASSERT_OK(fd);
	pid_t pid = test_fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		EXPECT_EQ(rd(fd), 42);
		test_child_exit();
	}
	test_wait_state(pid, 'S');
	EXPECT_EQ(wr(fd, 42), 8);
	EXPECT_EQ(test_wait_timeout(pid, 0, 20), 0);
	close(fd);
}

/* A blocked write is woken by a read that makes room. */
TEST(blocking_write)
{
	int fd = (int)sys_eventfd2(0, 0);
	ASSERT_OK(fd);
	EXPECT_EQ(wr(fd, 0xfffffffffffffff0ULL), 8);
	pid_t pid = test_fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		EXPECT_EQ(wr(fd, 0x20), 8);
		test_child_exit();
	}
	test_wait_state(pid, 'S');
	EXPECT_EQ(rd(fd), 0xfffffffffffffff0ULL);
	EXPECT_EQ(test_wait_timeout(pid, 0, 20), 0);
	EXPECT_EQ(rd(fd), 0x20);
	close(fd);
}

/* A handler interrupts a blocked read: EINTR without SA_RESTART, a
 * transparent restart with it (the read then gets the later write). */
TEST(interrupted)
{
	int fd = (int)sys_eventfd2(0, 0);
	ASSERT_OK(fd);
	ASSERT_OK(test_set_handler(SIGUSR1, on_signal, 0));
	handled = 0;
	pid_t killer = test_signal_when_blocked(SIGUSR1);
	uint64_t v;
	EXPECT_ERRNO(read(fd, &v, sizeof(v)), EINTR);
	EXPECT_EQ(handled, 1);
	EXPECT_EQ(test_wait(killer, 0), 0);

	ASSERT_OK(test_set_handler(SIGUSR1, on_signal, SA_RESTART));
	pid_t parent = getpid();
	pid_t pid = test_fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		test_wait_state(parent, 'S');
		kill(parent, SIGUSR1);
		/* The handler ran once the read is asleep again. */
		test_wait_state(parent, 'S');
		_exit(wr(fd, 7) == 8 ? 0 : 1);
	}
	EXPECT_EQ(rd(fd), 7);
	EXPECT_EQ(handled, 2);
	EXPECT_EQ(test_wait(pid, 0), 0);
	signal(SIGUSR1, SIG_DFL);
	close(fd);
}

/* poll wakes when another process writes. */
TEST(poll_wakes)
{
	int fd = (int)sys_eventfd2(0, 0);
	ASSERT_OK(fd);
	pid_t pid = test_fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		EXPECT_EQ(poll(&p, 1, -1), 1);
		EXPECT_EQ(p.revents, POLLIN);
		test_child_exit();
	}
	test_wait_state(pid, 'S');
	EXPECT_EQ(wr(fd, 1), 8);
	EXPECT_EQ(test_wait_timeout(pid, 0, 20), 0);
	close(fd);
}

TEST(fdinfo)
{
	int fd = (int)sys_eventfd2(0x2a, EFD_SEMAPHORE);
	ASSERT_OK(fd);
	char buf[512];
	ASSERT_OK(test_read_fdinfo(fd, buf, sizeof(buf)));
	EXPECT_TRUE(strstr(buf, "eventfd-count:               2a\n") != NULL);
	close(fd);
}
