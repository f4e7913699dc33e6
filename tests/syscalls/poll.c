/* poll, ppoll, select and pselect6 (Linux's fs/select.c): readiness of
 * pipes and of files that are always ready, POLLHUP/POLLERR/POLLNVAL,
 * timeouts and the time left written back, signal masks, interruption by
 * signals (EINTR after a handler, a transparent restart after a stop) and
 * the argument errors. A signal comes from another process: the waiter is
 * a child that reports through its exit status, since inside the sandbox
 * the test itself is PID 1 and cannot be stopped. */
#define TEST_WORKDIR
#include "test.h"

#include <poll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/wait.h>

#define ALL_EVENTS (POLLIN | POLLPRI | POLLOUT | POLLRDNORM | POLLWRNORM | POLLRDBAND | POLLWRBAND)
#define DEFAULT_MASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

static long sys_poll(struct pollfd *fds, unsigned long nfds, int timeout)
{
	return syscall(SYS_poll, fds, nfds, timeout);
}

static long sys_ppoll(struct pollfd *fds, unsigned long nfds, struct timespec *ts,
		      const sigset_t *mask, size_t size)
{
	return syscall(SYS_ppoll, fds, nfds, ts, mask, size);
}

static long sys_select(int n, fd_set *in, fd_set *out, fd_set *ex, struct timeval *tv)
{
	return syscall(SYS_select, n, in, out, ex, tv);
}

/* pselect6's sixth argument. */
struct sigset_argpack {
	const sigset_t *ss;
	size_t ss_len;
};

static long sys_pselect6(int n, fd_set *in, fd_set *out, fd_set *ex, struct timespec *ts,
			 const struct sigset_argpack *sig)
{
	return syscall(SYS_pselect6, n, in, out, ex, ts, sig);
}

/* revents of FD for EVENTS, with a zero timeout; -1 on error. */
static int revents_of(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events, .revents = 0x7fff };
	if (sys_poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

static int revents_of_path(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	int r = revents_of(fd, ALL_EVENTS);
	close(fd);
	return r;
}

static void close_pipe(const int p[2])
{
	close(p[0]);
	close(p[1]);
}

static int handled;

static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

static void handle(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	handled = 0;
}

static sigset_t sigset_of(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	if (sig)
		sigaddset(&s, sig);
	return s;
}

/* SIGUSR1 handled, blocked and raised: pending until a mask lets it in. */
static int pend_usr1(void)
{
	sigset_t block = sigset_of(SIGUSR1);
	handle(SIGUSR1, SA_RESTART);
	if (sigprocmask(SIG_BLOCK, &block, NULL) < 0)
		return -1;
	return raise(SIGUSR1);
}

static bool usr1_blocked(void)
{
	sigset_t now;
	return sigprocmask(SIG_SETMASK, NULL, &now) == 0 && sigismember(&now, SIGUSR1);
}

/* Undoes pend_usr1: unblocked (the handler runs if it is still pending),
 * then the default action back. */
static void unpend_usr1(void)
{
	sigset_t block = sigset_of(SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	signal(SIGUSR1, SIG_DFL);
}

/* Exit status of child PID, or -1 if it did not exit normally. */
static int child_exit(pid_t pid)
{
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Sends SIG to PID until it exits (a signal sent before it blocks is
 * taken early; a later one interrupts the wait); its exit status. */
static int signal_until_exit(pid_t pid, int sig)
{
	int st;
	while (waitpid(pid, &st, WNOHANG) == 0) {
		kill(pid, sig);
		usleep(2000);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* --- poll: readiness --- */

TEST(poll_pipe_ends)
{
	int p[2];
	ASSERT_OK(pipe(p));
	EXPECT_EQ(revents_of(p[0], ALL_EVENTS), 0);
	EXPECT_EQ(revents_of(p[1], ALL_EVENTS), POLLOUT | POLLWRNORM);
	EXPECT_EQ(write(p[1], "x", 1), 1);
	EXPECT_EQ(revents_of(p[0], ALL_EVENTS), POLLIN | POLLRDNORM);
	/* Only what was asked for is reported. */
	EXPECT_EQ(revents_of(p[0], POLLRDNORM), POLLRDNORM);
	EXPECT_EQ(revents_of(p[0], POLLOUT), 0);

	struct pollfd fds[2] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 } };
	EXPECT_EQ(sys_poll(fds, 2, 0), 2);
	EXPECT_EQ(fds[0].revents, POLLIN);
	EXPECT_EQ(fds[1].revents, POLLOUT);
	close_pipe(p);
}

/* POLLHUP and POLLERR are reported even when not asked for. */
TEST(poll_hup_and_err)
{
	int p[2];
	ASSERT_OK(pipe(p));
	EXPECT_EQ(write(p[1], "x", 1), 1);
	close(p[1]);
	EXPECT_EQ(revents_of(p[0], POLLIN), POLLIN | POLLHUP);
	EXPECT_EQ(revents_of(p[0], 0), POLLHUP);
	char c;
	EXPECT_EQ(read(p[0], &c, 1), 1);
	EXPECT_EQ(revents_of(p[0], POLLIN), POLLHUP);
	close(p[0]);

	ASSERT_OK(pipe(p));
	close(p[0]);
	EXPECT_EQ(revents_of(p[1], 0), POLLERR);
	EXPECT_EQ(revents_of(p[1], POLLOUT), POLLOUT | POLLERR);
	close(p[1]);
}

/* A negative fd is skipped (revents 0, not counted); a closed one is
 * POLLNVAL whatever was asked for, and counted; so is an O_PATH fd,
 * which poll cannot look at (fdget). */
TEST(poll_negative_closed_and_opath_fds)
{
	int p[2];
	int opath = open(".", O_PATH);
	ASSERT_OK(opath);
	ASSERT_OK(pipe(p));
	close(p[1]);
	struct pollfd fds[3] = {
		{ .fd = -1, .events = POLLIN, .revents = 0x7fff },
		{ .fd = p[1], .events = 0, .revents = 0x7fff },
		{ .fd = opath, .events = POLLIN, .revents = 0x7fff },
	};
	EXPECT_EQ(sys_poll(fds, 3, 0), 2);
	EXPECT_EQ(fds[0].revents, 0);
	EXPECT_EQ(fds[1].revents, POLLNVAL);
	EXPECT_EQ(fds[2].revents, POLLNVAL);
	close(opath);
	close(p[0]);
}

/* Files without a poll method are always readable and writable
 * (DEFAULT_POLLMASK); /proc/<pid>/mounts and /dev/random are readable
 * only. */
TEST(poll_files_that_are_always_ready)
{
	ASSERT_OK(test_write_file("f", "data"));
	EXPECT_EQ(revents_of_path("f"), DEFAULT_MASK);
	EXPECT_EQ(revents_of_path("."), DEFAULT_MASK);
	EXPECT_EQ(revents_of_path("/dev/null"), DEFAULT_MASK);
	EXPECT_EQ(revents_of_path("/dev/zero"), DEFAULT_MASK);
	EXPECT_EQ(revents_of_path("/dev/urandom"), DEFAULT_MASK);
	EXPECT_EQ(revents_of_path("/proc/self/status"), DEFAULT_MASK);
	EXPECT_EQ(revents_of_path("/proc/self/fd"), DEFAULT_MASK);
	EXPECT_EQ(revents_of_path("/proc/self/mounts"), POLLIN | POLLRDNORM);
	EXPECT_EQ(revents_of_path("/dev/random"), POLLIN | POLLRDNORM);
	/* The test's stdout: a host file or pipe, writable either way. */
	EXPECT_EQ(revents_of(1, POLLOUT), POLLOUT);
}

/* --- poll: waiting --- */

TEST(poll_timeout_expires)
{
	int p[2];
	ASSERT_OK(pipe(p));
	struct pollfd fd = { p[0], POLLIN, 0 };
	long long start = test_now_ns();
	EXPECT_EQ(sys_poll(&fd, 1, 100), 0);
	EXPECT_GE(test_now_ns() - start, 90 * 1000000LL);
	EXPECT_EQ(fd.revents, 0);
	/* No fds at all: a plain sleep. */
	start = test_now_ns();
	EXPECT_EQ(sys_poll(NULL, 0, 50), 0);
	EXPECT_GE(test_now_ns() - start, 40 * 1000000LL);
	close_pipe(p);
}

/* A child writes once the parent is about to wait; the wait ends with the
 * data, on the second of two pipes. */
TEST(poll_woken_by_a_write)
{
	int idle[2], data[2], sync[2];
	ASSERT_OK(pipe(idle));
	ASSERT_OK(pipe(data));
	ASSERT_OK(pipe(sync));
	pid_t pid = fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		char c;
		_exit(read(sync[0], &c, 1) == 1 && write(data[1], "y", 1) == 1 ? 0 : 1);
	}
	struct pollfd fds[2] = { { idle[0], POLLIN, 0 }, { data[0], POLLIN, 0 } };
	EXPECT_EQ(write(sync[1], "s", 1), 1);
	EXPECT_EQ(sys_poll(fds, 2, -1), 1);
	EXPECT_EQ(fds[0].revents, 0);
	EXPECT_EQ(fds[1].revents, POLLIN);
	EXPECT_EQ(child_exit(pid), 0);
	close_pipe(idle);
	close_pipe(data);
	close_pipe(sync);
}

/* Waits for read end FD to be readable, with no timeout, by poll (0),
 * select (1) or pselect6 (2). */
static long wait_readable(int how, int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	fd_set in;
	FD_ZERO(&in);
	FD_SET(fd, &in);
	if (how == 0)
		return sys_poll(&p, 1, -1);
	if (how == 1)
		return sys_select(fd + 1, &in, NULL, NULL, NULL);
	return sys_pselect6(fd + 1, &in, NULL, NULL, NULL, NULL);
}

/* A handler interrupts poll, select and pselect6 with EINTR, even with
 * SA_RESTART: none is restarted after a handler. */
TEST(interrupted_by_a_handler)
{
	handle(SIGUSR1, SA_RESTART);
	for (int how = 0; how < 3; how++) {
		pid_t pid = fork();
		ASSERT_OK(pid);
		if (pid == 0) {
			int p[2];
			if (pipe(p) < 0)
				_exit(2);
			long r = wait_readable(how, p[0]);
			_exit(r == -1 && errno == EINTR && handled > 0 ? 0 : 1);
		}
		EXPECT_EQ(signal_until_exit(pid, SIGUSR1), 0);
	}
	signal(SIGUSR1, SIG_DFL);
}

/* Stops and continues PID ROUNDS times (fewer if it exits first), then
 * writes a byte to DATA_FD (if >= 0) and waits for it: its exit status. */
static int stop_continue_and_wait(pid_t pid, int rounds, int data_fd)
{
	for (int i = 0; i < rounds; i++) {
		int st;
		kill(pid, SIGSTOP);
		if (waitpid(pid, &st, WUNTRACED) != pid)
			return -1;
		if (!WIFSTOPPED(st))
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		kill(pid, SIGCONT);
		usleep(5000);
	}
	if (data_fd >= 0 && write(data_fd, "x", 1) != 1)
		return -1;
	return child_exit(pid);
}

/* Stopped and continued without a handler running, poll goes on as if
 * nothing happened: until the data comes, or until its own timeout (the
 * restart counts the time already waited). */
TEST(poll_restarted_after_a_stop)
{
	int p[2], sync[2];
	char c;
	ASSERT_OK(pipe(p));
	ASSERT_OK(pipe(sync));
	pid_t pid = fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		struct pollfd fd = { p[0], POLLIN, 0 };
		if (write(sync[1], "s", 1) != 1)
			_exit(2);
		long r = sys_poll(&fd, 1, -1);
		_exit(r == 1 && fd.revents == POLLIN ? 0 : 1);
	}
	EXPECT_EQ(read(sync[0], &c, 1), 1);
	EXPECT_EQ(stop_continue_and_wait(pid, 5, p[1]), 0);

	pid = fork();
	ASSERT_OK(pid);
	if (pid == 0) {
		struct pollfd fd = { p[0], POLLPRI, 0 };
		if (write(sync[1], "s", 1) != 1)
			_exit(2);
		long long start = test_now_ns();
		long r = sys_poll(&fd, 1, 300);
		_exit(r == 0 && test_now_ns() - start >= 290 * 1000000LL ? 0 : 1);
	}
	EXPECT_EQ(read(sync[0], &c, 1), 1);
	EXPECT_EQ(stop_continue_and_wait(pid, 3, -1), 0);
	close_pipe(p);
	close_pipe(sync);
}

TEST(poll_errors)
{
	struct rlimit old, low;
	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &old));
	low = (struct rlimit){ 16, old.rlim_max };
	ASSERT_OK(setrlimit(RLIMIT_NOFILE, &low));
	static struct pollfd many[17];
	for (int i = 0; i < 17; i++)
		many[i].fd = -1;
	EXPECT_ERRNO(sys_poll(many, 17, 0), EINVAL);
	EXPECT_EQ(sys_poll(many, 16, 0), 0);
	ASSERT_OK(setrlimit(RLIMIT_NOFILE, &old));

	EXPECT_ERRNO(sys_poll(test_bad_ptr(), 1, 0), EFAULT);
	EXPECT_EQ(sys_poll(test_bad_ptr(), 0, 0), 0);
	/* Read, then written back: an array in read-only memory faults. */
	struct pollfd *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(ro != MAP_FAILED);
	ro->fd = 0;
	ro->events = POLLIN;
	ASSERT_OK(mprotect(ro, 4096, PROT_READ));
	EXPECT_ERRNO(sys_poll(ro, 1, 0), EFAULT);
	munmap(ro, 4096);
}

/* --- ppoll --- */

/* A signal blocked before the call and unblocked by ppoll's mask runs
 * its handler, ppoll fails with EINTR, and the old mask is back after,
 * with the time left written back. */
TEST(ppoll_mask_lets_a_blocked_signal_in)
{
	int p[2];
	ASSERT_OK(pipe(p));
	ASSERT_OK(pend_usr1());
	EXPECT_EQ(handled, 0);
	sigset_t none = sigset_of(0);
	struct pollfd fd = { p[0], POLLIN, 0 };
	struct timespec ts = { 100, 0 };
	EXPECT_ERRNO(sys_ppoll(&fd, 1, &ts, &none, 8), EINTR);
	EXPECT_EQ(handled, 1);
	EXPECT_TRUE(ts.tv_sec >= 0 && ts.tv_sec <= 100 && ts.tv_nsec < 1000000000);
	EXPECT_TRUE(ts.tv_sec > 0 || ts.tv_nsec > 0);
	EXPECT_TRUE(usr1_blocked());
	unpend_usr1();
	close_pipe(p);
}

/* With an fd ready, ppoll returns it and puts the old mask back at once:
 * the signal stays pending and its handler has not run. */
TEST(ppoll_ready_keeps_the_signal_pending)
{
	int p[2];
	ASSERT_OK(pipe(p));
	ASSERT_OK(pend_usr1());
	sigset_t none = sigset_of(0), pending;
	struct pollfd fd = { p[1], POLLOUT, 0 };
	EXPECT_EQ(sys_ppoll(&fd, 1, NULL, &none, 8), 1);
	EXPECT_EQ(handled, 0);
	EXPECT_TRUE(usr1_blocked());
	ASSERT_OK(sigpending(&pending));
	EXPECT_TRUE(sigismember(&pending, SIGUSR1));
	unpend_usr1();
	EXPECT_EQ(handled, 1);
	close_pipe(p);
}

TEST(ppoll_timeout_and_time_left)
{
	int p[2];
	ASSERT_OK(pipe(p));
	struct pollfd fd = { p[0], POLLIN, 0 };
	struct timespec ts = { 0, 50 * 1000000 };
	EXPECT_EQ(sys_ppoll(&fd, 1, &ts, NULL, 0), 0);
	EXPECT_EQ(ts.tv_sec, 0);
	EXPECT_EQ(ts.tv_nsec, 0);
	/* Ready at once: most of the time is left. */
	fd = (struct pollfd){ p[1], POLLOUT, 0 };
	ts = (struct timespec){ 100, 0 };
	EXPECT_EQ(sys_ppoll(&fd, 1, &ts, NULL, 0), 1);
	EXPECT_TRUE(ts.tv_sec >= 50 && ts.tv_sec <= 100);
	/* A timeout in read-only memory: the update is skipped, not an
	 * error, once the call has succeeded. */
	struct timespec *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(ro != MAP_FAILED);
	*ro = (struct timespec){ 100, 0 };
	ASSERT_OK(mprotect(ro, 4096, PROT_READ));
	EXPECT_EQ(sys_ppoll(&fd, 1, ro, NULL, 0), 1);
	EXPECT_EQ(ro->tv_sec, 100);
	munmap(ro, 4096);
	close_pipe(p);
}

TEST(ppoll_errors)
{
	struct pollfd fd = { open("/dev/null", O_WRONLY), POLLOUT, 0 };
	ASSERT_OK(fd.fd);
	sigset_t none = sigset_of(0);
	struct timespec bad_ns = { 0, 1000000000 }, neg = { -1, 0 }, zero = { 0, 0 };
	EXPECT_ERRNO(sys_ppoll(&fd, 1, &bad_ns, NULL, 0), EINVAL);
	EXPECT_ERRNO(sys_ppoll(&fd, 1, &neg, NULL, 0), EINVAL);
	EXPECT_ERRNO(sys_ppoll(&fd, 1, test_bad_ptr(), NULL, 0), EFAULT);
	EXPECT_ERRNO(sys_ppoll(&fd, 1, &zero, &none, 4), EINVAL);
	EXPECT_ERRNO(sys_ppoll(&fd, 1, &zero, test_bad_ptr(), 8), EFAULT);
	/* No mask: its size is not looked at. */
	EXPECT_EQ(sys_ppoll(&fd, 1, &zero, NULL, 4), 1);
	EXPECT_EQ(sys_ppoll(&fd, 1, NULL, NULL, 0), 1);
	close(fd.fd);
}

/* --- select and pselect6 --- */

TEST(select_pipes)
{
	int p[2];
	ASSERT_OK(pipe(p));
	int n = (p[0] > p[1] ? p[0] : p[1]) + 1;
	fd_set in, out, ex;
	struct timeval tv = { 0, 0 };

	FD_ZERO(&in);
	FD_ZERO(&out);
	FD_ZERO(&ex);
	FD_SET(p[0], &in);
	FD_SET(p[1], &out);
	FD_SET(p[0], &ex);
	FD_SET(p[1], &ex);
	EXPECT_EQ(sys_select(n, &in, &out, &ex, &tv), 1);
	EXPECT_TRUE(!FD_ISSET(p[0], &in) && FD_ISSET(p[1], &out));
	EXPECT_TRUE(!FD_ISSET(p[0], &ex) && !FD_ISSET(p[1], &ex));

	EXPECT_EQ(write(p[1], "x", 1), 1);
	FD_ZERO(&in);
	FD_ZERO(&out);
	FD_SET(p[0], &in);
	FD_SET(p[1], &out);
	EXPECT_EQ(sys_select(n, &in, &out, NULL, &tv), 2);
	EXPECT_TRUE(FD_ISSET(p[0], &in) && FD_ISSET(p[1], &out));

	/* The writer gone: readable (POLLHUP is in the read set). */
	close(p[1]);
	FD_ZERO(&in);
	FD_SET(p[0], &in);
	char c;
	EXPECT_EQ(read(p[0], &c, 1), 1);
	EXPECT_EQ(sys_select(n, &in, NULL, NULL, &tv), 1);
	close(p[0]);

	/* The reader gone: writable (POLLERR is in the write set). */
	ASSERT_OK(pipe(p));
	close(p[0]);
	FD_ZERO(&out);
	FD_SET(p[1], &out);
	EXPECT_EQ(sys_select(p[1] + 1, NULL, &out, NULL, &tv), 1);
	EXPECT_TRUE(FD_ISSET(p[1], &out));
	close(p[1]);
}

/* An fd in several sets counts once in each; an O_PATH fd is open (no
 * EBADF) but cannot be polled: POLLNVAL, which is in every set. */
TEST(select_counts_each_set)
{
	ASSERT_OK(test_write_file("f", ""));
	int fd = open("f", O_RDWR);
	int opath = open(".", O_PATH);
	ASSERT_OK(fd);
	ASSERT_OK(opath);
	fd_set in, out, ex;
	FD_ZERO(&in);
	FD_ZERO(&out);
	FD_ZERO(&ex);
	FD_SET(fd, &in);
	FD_SET(fd, &out);
	FD_SET(fd, &ex);
	struct timeval tv = { 0, 0 };
	int n = (fd > opath ? fd : opath) + 1;
	EXPECT_EQ(sys_select(n, &in, &out, &ex, &tv), 2);
	EXPECT_TRUE(FD_ISSET(fd, &in) && FD_ISSET(fd, &out) && !FD_ISSET(fd, &ex));

	FD_ZERO(&in);
	FD_ZERO(&ex);
	FD_SET(opath, &in);
	FD_SET(opath, &ex);
	EXPECT_EQ(sys_select(n, &in, NULL, &ex, &tv), 2);
	EXPECT_TRUE(FD_ISSET(opath, &in) && FD_ISSET(opath, &ex));
	close(fd);
	close(opath);
}

TEST(select_timeout_and_time_left)
{
	int p[2];
	ASSERT_OK(pipe(p));
	fd_set in;
	FD_ZERO(&in);
	FD_SET(p[0], &in);
	struct timeval tv = { 0, 50000 };
	long long start = test_now_ns();
	EXPECT_EQ(sys_select(p[0] + 1, &in, NULL, NULL, &tv), 0);
	EXPECT_GE(test_now_ns() - start, 40 * 1000000LL);
	EXPECT_TRUE(!FD_ISSET(p[0], &in));
	EXPECT_EQ(tv.tv_sec, 0);
	EXPECT_EQ(tv.tv_usec, 0);
	/* No sets: a sleep. */
	tv = (struct timeval){ 0, 20000 };
	EXPECT_EQ(sys_select(0, NULL, NULL, NULL, &tv), 0);

	/* Ready at once; microseconds past a second are carried. */
	fd_set out;
	FD_ZERO(&out);
	FD_SET(p[1], &out);
	tv = (struct timeval){ 0, 1500000 };
	EXPECT_EQ(sys_select(p[1] + 1, NULL, &out, NULL, &tv), 1);
	EXPECT_TRUE(tv.tv_sec <= 1 && tv.tv_usec < 1000000);
	EXPECT_TRUE(tv.tv_sec == 1 || tv.tv_usec > 0);

	/* pselect6 writes a timespec back. */
	struct timespec ts = { 0, 30 * 1000000 };
	FD_ZERO(&in);
	FD_SET(p[0], &in);
	EXPECT_EQ(sys_pselect6(p[0] + 1, &in, NULL, NULL, &ts, NULL), 0);
	EXPECT_EQ(ts.tv_sec, 0);
	EXPECT_EQ(ts.tv_nsec, 0);
	close_pipe(p);
}

TEST(select_errors)
{
	int p[2];
	ASSERT_OK(pipe(p));
	fd_set set;
	struct timeval tv = { 0, 0 };
	EXPECT_ERRNO(sys_select(-1, NULL, NULL, NULL, &tv), EINVAL);

	/* A set fd that is not open. */
	int closed = dup(p[1]);
	ASSERT_OK(closed);
	close(closed);
	FD_ZERO(&set);
	FD_SET(p[0], &set);
	FD_SET(closed, &set);
	EXPECT_ERRNO(sys_select(closed + 1, &set, NULL, NULL, &tv), EBADF);
	/* ... but only below nfds. */
	EXPECT_EQ(sys_select(closed, &set, NULL, NULL, &tv), 0);

	FD_ZERO(&set);
	FD_SET(p[0], &set);
	EXPECT_ERRNO(sys_select(p[0] + 1, test_bad_ptr(), NULL, NULL, &tv), EFAULT);
	EXPECT_ERRNO(sys_select(p[0] + 1, &set, NULL, NULL, test_bad_ptr()), EFAULT);
	tv = (struct timeval){ 0, -1 };
	EXPECT_ERRNO(sys_select(p[0] + 1, &set, NULL, NULL, &tv), EINVAL);
	tv = (struct timeval){ -1, 0 };
	EXPECT_ERRNO(sys_select(p[0] + 1, &set, NULL, NULL, &tv), EINVAL);

	struct timespec ts = { 0, 0 }, bad_ns = { 0, 1000000000 };
	sigset_t none = sigset_of(0);
	struct sigset_argpack small = { &none, 4 }, bad = { test_bad_ptr(), 8 };
	struct sigset_argpack no_mask = { NULL, 4 };
	EXPECT_ERRNO(sys_pselect6(p[0] + 1, &set, NULL, NULL, &bad_ns, NULL), EINVAL);
	EXPECT_ERRNO(sys_pselect6(p[0] + 1, &set, NULL, NULL, &ts, test_bad_ptr()), EFAULT);
	EXPECT_ERRNO(sys_pselect6(p[0] + 1, &set, NULL, NULL, &ts, &small), EINVAL);
	EXPECT_ERRNO(sys_pselect6(p[0] + 1, &set, NULL, NULL, &ts, &bad), EFAULT);
	EXPECT_EQ(sys_pselect6(p[0] + 1, &set, NULL, NULL, &ts, &no_mask), 0);
	close_pipe(p);
}

TEST(pselect6_mask_lets_a_blocked_signal_in)
{
	int p[2];
	ASSERT_OK(pipe(p));
	ASSERT_OK(pend_usr1());
	sigset_t none = sigset_of(0);
	struct sigset_argpack mask = { &none, 8 };
	fd_set in;
	FD_ZERO(&in);
	FD_SET(p[0], &in);
	EXPECT_ERRNO(sys_pselect6(p[0] + 1, &in, NULL, NULL, NULL, &mask), EINTR);
	EXPECT_EQ(handled, 1);
	EXPECT_TRUE(usr1_blocked());
	unpend_usr1();
	close_pipe(p);
}
