/* epoll (Linux's fs/eventpoll.c): creation, epoll_ctl's rules and
 * errors, level- and edge-triggered reporting, EPOLLONESHOT, the order of
 * events, nesting and loops, watching by (file, fd), blocking waits woken
 * by another process, timeouts, signals and signal masks. */
#define TEST_WORKDIR
#include "test.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>

static int handled;
static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

static int ep_add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int ep_mod(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

/* epoll_wait without waiting: how many events, the first in *EV. */
static int ep_poll1(int ep, struct epoll_event *ev)
{
	struct epoll_event dummy;
	return epoll_wait(ep, ev ? ev : &dummy, 1, 0);
}

/* A new epoll set watching end WHICH of a new pipe P: the set, or -1. */
static int ep_with_pipe(int p[2], int which, uint32_t events, uint64_t data)
{
	int ep = epoll_create1(0);
	if (ep < 0 || pipe(p) < 0 || ep_add(ep, p[which], events, data) < 0)
		return -1;
	return ep;
}

static void close_pipe(int p[2])
{
	close(p[0]);
	close(p[1]);
}

TEST(create)
{
	EXPECT_ERRNO(syscall(SYS_epoll_create, 0), EINVAL);
	EXPECT_ERRNO(syscall(SYS_epoll_create, -1), EINVAL);
	EXPECT_ERRNO(epoll_create1(1), EINVAL);
	int ep = (int)syscall(SYS_epoll_create, 1);
	ASSERT_OK(ep);
	EXPECT_EQ(fcntl(ep, F_GETFD), 0);
	close(ep);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_OK(ep);
	EXPECT_EQ(fcntl(ep, F_GETFD), FD_CLOEXEC);
	char path[64], link[64] = "";
	snprintf(path, sizeof(path), "/proc/self/fd/%d", ep);
	EXPECT_OK(readlink(path, link, sizeof(link) - 1));
	EXPECT_STREQ(link, "anon_inode:[eventpoll]");
	char c;
	EXPECT_ERRNO(read(ep, &c, 1), EINVAL);
	close(ep);
}

TEST(ctl_errors)
{
	int ep = epoll_create1(0), p[2];
	ASSERT_OK(ep);
	ASSERT_OK(pipe(p));
	int reg = open("file", O_CREAT | O_RDWR, 0600);
	ASSERT_OK(reg);
	struct epoll_event ev = { .events = EPOLLIN };

	EXPECT_ERRNO(epoll_ctl(-1, EPOLL_CTL_ADD, p[0], &ev), EBADF);
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF);
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev), EPERM);
	EXPECT_ERRNO(epoll_ctl(reg, EPOLL_CTL_ADD, p[0], &ev), EINVAL);
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], test_bad_ptr()), EFAULT);
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT);
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
	EXPECT_ERRNO(epoll_ctl(ep, 99, p[0], &ev), EINVAL);
	EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
	EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	/* DEL ignores its event argument. */
	EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], test_bad_ptr()));
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);

	/* EPOLLEXCLUSIVE: only with ADD, some events, and not on epoll. */
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL);
	ev.events = EPOLLIN;
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL);
	ev.events = EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT;
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev), EINVAL);
	int inner = epoll_create1(0);
	ASSERT_OK(inner);
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, inner, &ev), EINVAL);
	close(inner);
	close(reg);
	close_pipe(p);
	close(ep);
}

TEST(wait_errors)
{
	int ep = epoll_create1(0), efd = eventfd(1, 0);
	ASSERT_OK(ep);
	ASSERT_OK(efd);
	struct epoll_event ev[2];
	/* Through syscall(2): glibc's declaration checks the sizes. */
	EXPECT_ERRNO(syscall(SYS_epoll_wait, ep, ev, 0, 0), EINVAL);
	EXPECT_ERRNO(syscall(SYS_epoll_wait, ep, ev, -1, 0), EINVAL);
	EXPECT_ERRNO(syscall(SYS_epoll_wait, ep, ev, INT_MAX, 0), EINVAL);
	EXPECT_ERRNO(epoll_wait(-1, ev, 1, 0), EBADF);
	EXPECT_ERRNO(epoll_wait(efd, ev, 1, 0), EINVAL);
	EXPECT_EQ(epoll_wait(ep, ev, 2, 0), 0);
	ASSERT_OK(ep_add(ep, efd, EPOLLIN, 1));
	EXPECT_ERRNO(epoll_wait(ep, test_bad_ptr(), 1, 0), EFAULT);
	close(efd);
	close(ep);
}

TEST(level_triggered)
{
	int p[2], ep = ep_with_pipe(p, 0, EPOLLIN, 0x1122334455667788ULL);
	ASSERT_OK(ep);
	ASSERT_OK(ep_add(ep, p[1], EPOLLOUT, 7));
	struct epoll_event ev[4];
	int n = epoll_wait(ep, ev, 4, 0);
	EXPECT_EQ(n, 1);
	EXPECT_EQ(ev[0].events, EPOLLOUT);
	EXPECT_EQ(ev[0].data.u64, 7);
	ASSERT_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
	EXPECT_EQ(write(p[1], "ab", 2), 2);
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(epoll_wait(ep, ev, 4, 0), 1);
		EXPECT_EQ(ev[0].events, EPOLLIN);
		EXPECT_EQ(ev[0].data.u64, 0x1122334455667788ULL);
	}
	char buf[2];
	EXPECT_EQ(read(p[0], buf, 2), 2);
	EXPECT_EQ(epoll_wait(ep, ev, 4, 0), 0);
	/* HUP once the writer goes, reported whether asked or not. */
	close(p[1]);
	EXPECT_EQ(epoll_wait(ep, ev, 4, 0), 1);
	EXPECT_EQ(ev[0].events, EPOLLHUP);
	close(p[0]);
	close(ep);
}

TEST(error_event)
{
	int p[2], ep = ep_with_pipe(p, 1, EPOLLIN, 3);
	ASSERT_OK(ep);
	EXPECT_EQ(ep_poll1(ep, NULL), 0);
	close(p[0]);
	struct epoll_event ev;
	EXPECT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLERR);
	close(p[1]);
	close(ep);
}

TEST(edge_triggered)
{
	int p[2], ep = ep_with_pipe(p, 0, EPOLLIN | EPOLLET, 5);
	ASSERT_OK(ep);
	struct epoll_event ev;
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	EXPECT_EQ(write(p[1], "abc", 3), 3);
	EXPECT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLIN);
	EXPECT_EQ(ev.data.u64, 5);
	/* Still readable, but nothing new. */
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	char c;
	EXPECT_EQ(read(p[0], &c, 1), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	EXPECT_EQ(write(p[1], "d", 1), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	/* MOD looks again. */
	ASSERT_OK(ep_mod(ep, p[0], EPOLLIN | EPOLLET, 6));
	EXPECT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.data.u64, 6);
	close_pipe(p);
	close(ep);
}

TEST(edge_triggered_eventfd)
{
	int ep = epoll_create1(0), efd = eventfd(0, EFD_NONBLOCK);
	ASSERT_OK(ep);
	ASSERT_OK(efd);
	ASSERT_OK(ep_add(ep, efd, EPOLLIN | EPOLLOUT | EPOLLET, 9));
	struct epoll_event ev;
	EXPECT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLOUT);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	uint64_t one = 1;
	EXPECT_EQ(write(efd, &one, 8), 8);
	EXPECT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLIN | EPOLLOUT);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	close(efd);
	close(ep);
}

TEST(oneshot)
{
	int p[2], ep = ep_with_pipe(p, 0, EPOLLIN | EPOLLONESHOT, 1);
	ASSERT_OK(ep);
	EXPECT_EQ(write(p[1], "a", 1), 1);
	struct epoll_event ev;
	EXPECT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	EXPECT_EQ(write(p[1], "b", 1), 1);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	/* Disarmed, still there: ADD fails, MOD re-arms. */
	EXPECT_ERRNO(ep_add(ep, p[0], EPOLLIN, 1), EEXIST);
	ASSERT_OK(ep_mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 2));
	EXPECT_EQ(ep_poll1(ep, &ev), 1);
	EXPECT_EQ(ev.data.u64, 2);
	EXPECT_EQ(ep_poll1(ep, &ev), 0);
	close_pipe(p);
	close(ep);
}

/* Ready level-triggered items take turns: maxevents 1 sees each. */
TEST(fair_order)
{
	int ep = epoll_create1(0), fds[3];
	ASSERT_OK(ep);
	for (int i = 0; i < 3; i++) {
		fds[i] = eventfd(1, 0);
		ASSERT_OK(fds[i]);
		ASSERT_OK(ep_add(ep, fds[i], EPOLLIN, (uint64_t)i));
	}
	int seen[3] = { 0 };
	for (int round = 0; round < 6; round++) {
		struct epoll_event ev;
		ASSERT_EQ(ep_poll1(ep, &ev), 1);
		ASSERT_TRUE(ev.data.u64 < 3);
		seen[ev.data.u64]++;
	}
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(seen[i], 2);
		close(fds[i]);
	}
	close(ep);
}

TEST(nested)
{
	int outer = epoll_create1(0), inner = epoll_create1(0), efd = eventfd(0, 0);
	ASSERT_OK(outer);
	ASSERT_OK(inner);
	ASSERT_OK(efd);
	ASSERT_OK(ep_add(inner, efd, EPOLLIN, 1));
	ASSERT_OK(ep_add(outer, inner, EPOLLIN, 2));
	struct epoll_event ev;
	EXPECT_EQ(ep_poll1(outer, &ev), 0);
	struct pollfd p = { .fd = inner, .events = POLLIN };
	EXPECT_EQ(poll(&p, 1, 0), 0);
	uint64_t one = 1;
	EXPECT_EQ(write(efd, &one, 8), 8);
	EXPECT_EQ(poll(&p, 1, 0), 1);
	EXPECT_EQ(p.revents, POLLIN);
	EXPECT_EQ(ep_poll1(outer, &ev), 1);
	EXPECT_EQ(ev.events, EPOLLIN);
	EXPECT_EQ(ev.data.u64, 2);
	EXPECT_EQ(ep_poll1(inner, &ev), 1);
	EXPECT_EQ(ev.data.u64, 1);
	/* Edge-triggered on a set: reported once for one change. */
	ASSERT_OK(ep_mod(outer, inner, EPOLLIN | EPOLLET, 6));
	EXPECT_EQ(ep_poll1(outer, &ev), 1);
	EXPECT_EQ(ep_poll1(outer, &ev), 0);
	EXPECT_EQ(ep_poll1(inner, &ev), 1);
	EXPECT_EQ(ep_poll1(outer, &ev), 0);
	/* Loops are refused. */
	EXPECT_ERRNO(ep_add(inner, outer, EPOLLIN, 3), ELOOP);
	int third = epoll_create1(0);
	ASSERT_OK(third);
	ASSERT_OK(ep_add(third, outer, EPOLLIN, 4));
	EXPECT_ERRNO(ep_add(inner, third, EPOLLIN, 5), ELOOP);
	close(third);
	close(efd);
	close(inner);
	close(outer);
}

/* Items are (file, fd) pairs that live while the file does. */
TEST(file_fd_pairs)
{
	int p[2], ep = ep_with_pipe(p, 0, EPOLLIN, 10);
	ASSERT_OK(ep);
	int dup_fd = dup(p[0]);
	ASSERT_OK(dup_fd);
	EXPECT_OK(ep_add(ep, dup_fd, EPOLLIN, 11));
	EXPECT_EQ(write(p[1], "x", 1), 1);
	struct epoll_event ev[4];
	EXPECT_EQ(epoll_wait(ep, ev, 4, 0), 2);
	int orig = p[0];
	close(orig);
	/* The file lives on through the dup: both items still report. */
	EXPECT_EQ(epoll_wait(ep, ev, 4, 0), 2);
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, orig, NULL), EBADF);
	EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_DEL, dup_fd, NULL));
	EXPECT_EQ(epoll_wait(ep, ev, 4, 0), 1);
	EXPECT_EQ(ev[0].data.u64, 10);
	/* The last close unwatches the file. */
	close(dup_fd);
	EXPECT_EQ(epoll_wait(ep, ev, 4, 0), 0);
	close(p[1]);
	close(ep);
}

/* A blocked epoll_wait is woken by another process's write. */
TEST(blocking_wait)
{
	int p[2], ep = ep_with_pipe(p, 0, EPOLLIN, 1);
	ASSERT_OK(ep);
	pid_t pid = test_fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		struct epoll_event ev;
		EXPECT_EQ(epoll_wait(ep, &ev, 1, -1), 1);
		EXPECT_EQ(ev.data.u64, 1);
		test_child_exit();
	}
	test_wait_state(pid, 'S');
	EXPECT_EQ(write(p[1], "x", 1), 1);
	EXPECT_EQ(test_wait_timeout(pid, 0, 20), 0);
	close_pipe(p);
	close(ep);
}

TEST(timeouts)
{
	int ep = epoll_create1(0);
	ASSERT_OK(ep);
	struct epoll_event ev;
	long long start = test_now_ns();
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 30), 0);
	EXPECT_GE(test_now_ns() - start, 30000000LL);
	struct timespec ts = { 0, 20000000 };
	start = test_now_ns();
	EXPECT_EQ(syscall(SYS_epoll_pwait2, ep, &ev, 1, &ts, NULL, 8), 0);
	EXPECT_GE(test_now_ns() - start, 20000000LL);
	ts = (struct timespec){ 0, 0 };
	EXPECT_EQ(syscall(SYS_epoll_pwait2, ep, &ev, 1, &ts, NULL, 8), 0);
	ts.tv_nsec = 1000000000;
	EXPECT_ERRNO(syscall(SYS_epoll_pwait2, ep, &ev, 1, &ts, NULL, 8), EINVAL);
	EXPECT_ERRNO(syscall(SYS_epoll_pwait2, ep, &ev, 1, test_bad_ptr(), NULL, 8), EFAULT);
	int efd = eventfd(1, 0);
	ASSERT_OK(efd);
	ASSERT_OK(ep_add(ep, efd, EPOLLIN, 3));
	EXPECT_EQ(syscall(SYS_epoll_pwait2, ep, &ev, 1, NULL, NULL, 8), 1);
	close(efd);
	close(ep);
}

/* A handler interrupts epoll_wait with EINTR, SA_RESTART or not. */
TEST(interrupted)
{
	int ep = epoll_create1(0);
	ASSERT_OK(ep);
	struct epoll_event ev;
	for (int flags = 0; flags < 2; flags++) {
		ASSERT_OK(test_set_handler(SIGUSR1, on_signal, flags ? SA_RESTART : 0));
		handled = 0;
		pid_t killer = test_signal_when_blocked(SIGUSR1);
		EXPECT_ERRNO(epoll_wait(ep, &ev, 1, -1), EINTR);
		EXPECT_EQ(handled, 1);
		EXPECT_EQ(test_wait(killer, 0), 0);
	}
	signal(SIGUSR1, SIG_DFL);
	close(ep);
}

/* epoll_pwait's mask lets a blocked pending signal in for the call, and
 * is gone afterwards. */
TEST(pwait_sigmask)
{
	int ep = epoll_create1(0);
	ASSERT_OK(ep);
	ASSERT_OK(test_set_handler(SIGUSR1, on_signal, 0));
	ASSERT_OK(test_mask_signal(SIG_BLOCK, SIGUSR1));
	handled = 0;
	raise(SIGUSR1);
	EXPECT_EQ(handled, 0);
	sigset_t none;
	sigemptyset(&none);
	struct epoll_event ev;
	EXPECT_ERRNO(syscall(SYS_epoll_pwait, ep, &ev, 1, -1, &none, 4), EINVAL);
	EXPECT_ERRNO(syscall(SYS_epoll_pwait, ep, &ev, 1, -1, test_bad_ptr(), 8), EFAULT);
	EXPECT_ERRNO(syscall(SYS_epoll_pwait, ep, &ev, 1, -1, &none, 8), EINTR);
	EXPECT_EQ(handled, 1);
	EXPECT_TRUE(test_sig_blocked(SIGUSR1));
	/* A mask that keeps it blocked: no interruption, the timeout ends it. */
	raise(SIGUSR1);
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	EXPECT_EQ(syscall(SYS_epoll_pwait, ep, &ev, 1, 10, &usr1, 8), 0);
	EXPECT_EQ(handled, 1);
	ASSERT_OK(test_mask_signal(SIG_UNBLOCK, SIGUSR1));
	EXPECT_EQ(handled, 2);
	signal(SIGUSR1, SIG_DFL);
	close(ep);
}

/* Unlike poll, epoll_wait is not restarted after a stop: EINTR
 * (signal(7)). The waiter is a child, which can be stopped. */
TEST(interrupted_by_a_stop)
{
	int ep = epoll_create1(0);
	ASSERT_OK(ep);
	pid_t pid = test_fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		struct epoll_event ev;
		EXPECT_ERRNO(epoll_wait(ep, &ev, 1, -1), EINTR);
		test_child_exit();
	}
	test_wait_state(pid, 'S');
	EXPECT_OK(kill(pid, SIGSTOP));
	EXPECT_EQ(test_wait(pid, WUNTRACED), 0x137f);
	EXPECT_OK(kill(pid, SIGCONT));
	EXPECT_EQ(test_wait_timeout(pid, 0, 20), 0);
	close(ep);
}

/* fdinfo has a line per item: fd, events (with EPOLLERR and EPOLLHUP
 * added) and data. */
TEST(fdinfo)
{
	int p[2], ep = ep_with_pipe(p, 0, EPOLLIN | EPOLLET, 0x1234);
	ASSERT_OK(ep);
	char buf[512], want[128];
	ASSERT_OK(test_read_fdinfo(ep, buf, sizeof(buf)));
	snprintf(want, sizeof(want), "tfd: %8d events: 80000019 data:             1234  pos:0 ",
		 p[0]);
	EXPECT_TRUE(strstr(buf, want) != NULL);
	close_pipe(p);
	close(ep);
}

/* The last close of a file takes it out of every set; an O_PATH fd is
 * no file to epoll (EBADF). */
TEST(last_close_leaves_every_set)
{
	int a = epoll_create1(0), b = epoll_create1(0), efd = eventfd(1, 0);
	ASSERT_OK(a);
	ASSERT_OK(b);
	ASSERT_OK(efd);
	ASSERT_OK(ep_add(a, efd, EPOLLIN, 1));
	ASSERT_OK(ep_add(b, efd, EPOLLIN, 2));
	EXPECT_EQ(ep_poll1(a, NULL), 1);
	EXPECT_EQ(ep_poll1(b, NULL), 1);
	close(efd);
	EXPECT_EQ(ep_poll1(a, NULL), 0);
	EXPECT_EQ(ep_poll1(b, NULL), 0);

	int path = open(".", O_PATH);
	ASSERT_OK(path);
	EXPECT_ERRNO(ep_add(a, path, EPOLLIN, 3), EBADF);
	EXPECT_ERRNO(epoll_wait(path, (struct epoll_event[1]){ 0 }, 1, 0), EBADF);
	close(path);
	close(a);
	close(b);
}

/* All ready items come back in one call when maxevents allows (CPython's
 * selectors rely on it). */
TEST(one_wait_returns_thousands_of_ready_items)
{
	enum { N = 3000 };
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < N + 100 && rl.rlim_max >= N + 100) {
		rl.rlim_cur = N + 100;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	int ep = epoll_create1(0), fds[N];
	ASSERT_OK(ep);
	for (int i = 0; i < N; i++) {
		fds[i] = eventfd(1, 0);
		if (fds[i] < 0) {
			for (int j = 0; j < i; j++)
				close(fds[j]);
			close(ep);
			SKIP("not enough fds");
		}
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
		ASSERT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev));
	}
	static struct epoll_event out[N + 10];
	EXPECT_EQ(epoll_wait(ep, out, N + 10, 0), N);
	for (int i = 0; i < N; i++)
		close(fds[i]);
	close(ep);
}
