/* signalfd and signalfd4 (Linux's fs/signalfd.c): reading takes pending
 * signals of the mask (thread-directed first) as struct
 * signalfd_siginfo, several per read when they fit; poll and epoll
 * readiness follow pending signals, a blocked read is woken by a signal
 * from another process; SFD_NONBLOCK, SFD_CLOEXEC, mask updates through
 * the existing fd, and the errors. */
#include "test.h"

#include <sys/epoll.h>
#include <sys/signalfd.h>

static long sys_signalfd4(int fd, const sigset_t *mask, size_t size, int flags)
{
	return syscall(SYS_signalfd4, fd, mask, size, flags);
}

static sigset_t set_of(int a, int b)
{
	sigset_t s;
	sigemptyset(&s);
	if (a)
		sigaddset(&s, a);
	if (b)
		sigaddset(&s, b);
	return s;
}

static int readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 0) == 1 && p.revents == POLLIN;
}

/* Every test blocks the signals it reads through a signalfd. */
static void block(int a, int b)
{
	sigset_t s = set_of(a, b);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

static void unblock_and_flush(int a, int b)
{
	sigset_t s = set_of(a, b);
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	if (a) {
		sigaction(a, &ign, &old);
		sigprocmask(SIG_UNBLOCK, &s, NULL);
		sigaction(a, &old, NULL);
	}
	if (b) {
		sigaction(b, &ign, &old);
		sigprocmask(SIG_UNBLOCK, &s, NULL);
		sigaction(b, &old, NULL);
	}
}

TEST(read_signals)
{
	block(SIGUSR1, SIGUSR2);
	sigset_t mask = set_of(SIGUSR1, SIGUSR2);
	int fd = signalfd(-1, &mask, SFD_NONBLOCK);
	ASSERT_OK(fd);
	struct signalfd_siginfo ssi[3];
	EXPECT_ERRNO(read(fd, ssi, sizeof(ssi)), EAGAIN);
	EXPECT_TRUE(!readable(fd));
	EXPECT_OK(kill(getpid(), SIGUSR2));
	EXPECT_TRUE(readable(fd));
	union sigval v = { .sival_int = 1234 };
	EXPECT_OK(sigqueue(getpid(), SIGUSR1, v));
	/* Two fit: both come, lowest signal first. */
	memset(ssi, 0, sizeof(ssi));
	EXPECT_EQ(read(fd, ssi, sizeof(ssi)), 2 * (long)sizeof(ssi[0]));
	EXPECT_EQ(ssi[0].ssi_signo, SIGUSR1);
	EXPECT_EQ(ssi[0].ssi_code, SI_QUEUE);
	EXPECT_EQ(ssi[0].ssi_pid, getpid());
	EXPECT_EQ(ssi[0].ssi_uid, getuid());
	EXPECT_EQ(ssi[0].ssi_int, 1234);
	EXPECT_EQ(ssi[1].ssi_signo, SIGUSR2);
	EXPECT_EQ(ssi[1].ssi_code, SI_USER);
	EXPECT_EQ(ssi[1].ssi_pid, getpid());
	EXPECT_TRUE(!readable(fd));
	EXPECT_TRUE(!test_sig_pending(SIGUSR1));
	/* Signals outside the mask stay pending. */
	block(SIGHUP, 0);
	raise(SIGHUP);
	EXPECT_TRUE(!readable(fd));
	EXPECT_ERRNO(read(fd, ssi, sizeof(ssi)), EAGAIN);
	EXPECT_TRUE(test_sig_pending(SIGHUP));
	unblock_and_flush(SIGHUP, 0);
	close(fd);
	unblock_and_flush(SIGUSR1, SIGUSR2);
}

TEST(errors)
{
	sigset_t mask = set_of(SIGUSR1, 0);
	EXPECT_ERRNO(sys_signalfd4(-1, &mask, 4, 0), EINVAL);
	EXPECT_ERRNO(sys_signalfd4(-1, &mask, 8, O_RDWR), EINVAL);
	EXPECT_ERRNO(sys_signalfd4(-1, test_bad_ptr(), 8, 0), EFAULT);
	EXPECT_ERRNO(sys_signalfd4(-5, &mask, 8, 0), EBADF);
	EXPECT_ERRNO(sys_signalfd4(999, &mask, 8, 0), EBADF);
	int p[2];
	ASSERT_OK(pipe(p));
	EXPECT_ERRNO(sys_signalfd4(p[0], &mask, 8, 0), EINVAL);
	close(p[0]);
	close(p[1]);
	int fd = (int)sys_signalfd4(-1, &mask, 8, SFD_NONBLOCK);
	ASSERT_OK(fd);
	char small[127];
	EXPECT_ERRNO(read(fd, small, sizeof(small)), EINVAL);
	EXPECT_ERRNO(write(fd, small, sizeof(small)), EINVAL);
	block(SIGUSR1, 0);
	raise(SIGUSR1);
	EXPECT_ERRNO(read(fd, test_bad_ptr(), 128), EFAULT);
	unblock_and_flush(SIGUSR1, 0);
	close(fd);
}

TEST(flags_and_update)
{
	block(SIGUSR1, SIGUSR2);
	sigset_t mask = set_of(SIGUSR1, 0);
	int fd = (int)sys_signalfd4(-1, &mask, 8, SFD_CLOEXEC);
	ASSERT_OK(fd);
	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	char path[64], link[64] = "";
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	EXPECT_OK(readlink(path, link, sizeof(link) - 1));
	EXPECT_STREQ(link, "anon_inode:[signalfd]");
	raise(SIGUSR2);
	EXPECT_TRUE(!readable(fd));
	/* A new mask through the same fd, whose flags stay. */
	mask = set_of(SIGUSR2, 0);
	EXPECT_EQ(sys_signalfd4(fd, &mask, 8, SFD_NONBLOCK), fd);
	EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	EXPECT_TRUE(readable(fd));
	struct signalfd_siginfo ssi;
	EXPECT_EQ(read(fd, &ssi, sizeof(ssi)), (long)sizeof(ssi));
	EXPECT_EQ(ssi.ssi_signo, SIGUSR2);
	close(fd);

	/* signalfd(2) takes no flags. */
	fd = (int)syscall(SYS_signalfd, -1, &mask, 8);
	ASSERT_OK(fd);
	EXPECT_EQ(fcntl(fd, F_GETFD), 0);
	close(fd);
	unblock_and_flush(SIGUSR1, SIGUSR2);
}

/* A blocked read is woken by a signal another process sends. */
TEST(blocking_read)
{
	block(SIGUSR1, 0);
	sigset_t mask = set_of(SIGUSR1, 0);
	int fd = signalfd(-1, &mask, 0);
	ASSERT_OK(fd);
	pid_t pid = test_signal_when_blocked(SIGUSR1);
	ASSERT_OK(pid);
	struct signalfd_siginfo ssi;
	EXPECT_EQ(read(fd, &ssi, sizeof(ssi)), (long)sizeof(ssi));
	EXPECT_EQ(ssi.ssi_signo, SIGUSR1);
	EXPECT_EQ(ssi.ssi_pid, pid);
	EXPECT_EQ(test_wait(pid, 0), 0);
	close(fd);
	unblock_and_flush(SIGUSR1, 0);
}

/* SIGCHLD through a signalfd: the child's pid and status. */
TEST(sigchld)
{
	block(SIGCHLD, 0);
	sigset_t mask = set_of(SIGCHLD, 0);
	int fd = signalfd(-1, &mask, 0);
	ASSERT_OK(fd);
	pid_t pid = test_fork();
	ASSERT_OK(pid);
	if (pid == 0)
		_exit(7);
	struct signalfd_siginfo ssi;
	EXPECT_EQ(read(fd, &ssi, sizeof(ssi)), (long)sizeof(ssi));
	EXPECT_EQ(ssi.ssi_signo, SIGCHLD);
	EXPECT_EQ(ssi.ssi_code, CLD_EXITED);
	EXPECT_EQ(ssi.ssi_pid, pid);
	EXPECT_EQ(ssi.ssi_status, 7);
	EXPECT_EQ(test_wait(pid, 0), 7 << 8);
	close(fd);
	unblock_and_flush(SIGCHLD, 0);
}

/* epoll on a signalfd is woken by a signal from another process. */
TEST(epoll)
{
	block(SIGUSR2, 0);
	sigset_t mask = set_of(SIGUSR2, 0);
	int fd = signalfd(-1, &mask, SFD_NONBLOCK), ep = epoll_create1(0);
	ASSERT_OK(fd);
	ASSERT_OK(ep);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 77 };
	ASSERT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	pid_t pid = test_signal_when_blocked(SIGUSR2);
	ASSERT_OK(pid);
	EXPECT_EQ(epoll_wait(ep, &ev, 1, -1), 1);
	EXPECT_EQ(ev.events, EPOLLIN);
	EXPECT_EQ(ev.data.u64, 77);
	struct signalfd_siginfo ssi;
	EXPECT_EQ(read(fd, &ssi, sizeof(ssi)), (long)sizeof(ssi));
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	EXPECT_EQ(test_wait(pid, 0), 0);
	close(ep);
	close(fd);
	unblock_and_flush(SIGUSR2, 0);
}

static int handled;
static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

/* A handled signal outside the mask interrupts a blocked read: EINTR. */
TEST(interrupted)
{
	block(SIGUSR1, 0);
	sigset_t mask = set_of(SIGUSR1, 0);
	int fd = signalfd(-1, &mask, 0);
	ASSERT_OK(fd);
	ASSERT_OK(test_set_handler(SIGUSR2, on_signal, 0));
	handled = 0;
	pid_t pid = test_signal_when_blocked(SIGUSR2);
	ASSERT_OK(pid);
	struct signalfd_siginfo ssi;
	EXPECT_ERRNO(read(fd, &ssi, sizeof(ssi)), EINTR);
	EXPECT_EQ(handled, 1);
	EXPECT_EQ(test_wait(pid, 0), 0);
	signal(SIGUSR2, SIG_DFL);
	close(fd);
	unblock_and_flush(SIGUSR1, 0);
}

/* fdinfo shows the mask, without SIGKILL and SIGSTOP. */
TEST(fdinfo)
{
	sigset_t mask = set_of(SIGUSR1, SIGKILL);
	int fd = signalfd(-1, &mask, 0);
	ASSERT_OK(fd);
	char buf[512];
	ASSERT_OK(test_read_fdinfo(fd, buf, sizeof(buf)));
	EXPECT_TRUE(strstr(buf, "sigmask:\t0000000000000200\n") != NULL);
	close(fd);
}

/* An item a child added to a shared epoll set outlives the child (the
 * wait queue it was put on must stay valid). */
TEST(epoll_item_of_an_exited_child)
{
	block(SIGUSR1, 0);
	sigset_t mask = set_of(SIGUSR1, 0);
	int fd = signalfd(-1, &mask, SFD_NONBLOCK), ep = epoll_create1(0);
	ASSERT_OK(fd);
	ASSERT_OK(ep);
	pid_t pid = test_fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 5 };
		_exit(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : 1);
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
	struct epoll_event ev;
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	/* Linux dropped the child's wait queue with the child (POLLFREE),
	 * so nothing wakes the item: 0. cvisor's queue is the kernel's:
	 * 1. Either way the set still works and closes cleanly. */
	raise(SIGUSR1);
	EXPECT_GE(epoll_wait(ep, &ev, 1, 0), 0);
	struct signalfd_siginfo ssi;
	EXPECT_EQ(read(fd, &ssi, sizeof(ssi)), (long)sizeof(ssi));
	close(ep);
	close(fd);
	unblock_and_flush(SIGUSR1, 0);
}
