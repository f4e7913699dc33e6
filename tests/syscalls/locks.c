/* Advisory locks: fcntl record locks (POSIX, per process: byte ranges,
 * merging and splitting, release on any close and at exit, F_GETLK from
 * another process, F_SETLKW waits, EDEADLK, interruption), OFD locks (per
 * open file description) and flock(2). Other processes are forked
 * children that report through their exit status. */
#define TEST_WORKDIR
#include "test.h"

#include <sys/file.h>
#include <sys/time.h>

static int open_file(int flags)
{
	return open("f", flags | O_CREAT, 0644);
}

static int setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

/* F_GETLK of [start, start+len) for a write lock: the conflicting lock. */
static struct flock getlk(int fd, int cmd, off_t start, off_t len)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	if (fcntl(fd, cmd, &fl) < 0)
		fl.l_type = -1;
	return fl;
}

/* Runs FN in a forked child; returns its exit status (or -1). */
static int in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn(arg));
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

struct range { off_t start, len; short want_type; off_t want_start, want_len; };

/* Child: F_GETLK of a range must report the expected lock (0) and the
 * parent's pid. */
static int child_getlk(void *p)
{
	struct range *r = p;
	int fd = open("f", O_RDWR);
	struct flock fl = getlk(fd, F_GETLK, r->start, r->len);
	if (fl.l_type != r->want_type)
		return 1;
	if (fl.l_type == F_UNLCK)
		return 0;
	if (fl.l_start != r->want_start || fl.l_len != r->want_len || fl.l_whence != SEEK_SET)
		return 2;
	if (fl.l_pid != getppid())
		return 3;
	return 0;
}

static int check_from_child(off_t start, off_t len, short type, off_t ws, off_t wl)
{
	struct range r = { start, len, type, ws, wl };
	return in_child(child_getlk, &r);
}

TEST(setlk_and_getlk_from_another_process)
{
	int fd = open_file(O_RDWR);
	ASSERT_OK(fd);
	EXPECT_OK(setlk(fd, F_SETLK, F_WRLCK, 10, 5));
	/* The owner itself sees no conflict with its own lock. */
	struct flock fl = getlk(fd, F_GETLK, 0, 0);
	EXPECT_EQ(fl.l_type, F_UNLCK);
	EXPECT_EQ(check_from_child(0, 0, F_WRLCK, 10, 5), 0);
	EXPECT_EQ(check_from_child(0, 10, F_UNLCK, 0, 0), 0);
	EXPECT_EQ(check_from_child(15, 0, F_UNLCK, 0, 0), 0);
	EXPECT_EQ(check_from_child(14, 1, F_WRLCK, 10, 5), 0);
	close(fd);
}

TEST(unlock_in_the_middle_splits)
{
	int fd = open_file(O_RDWR);
	ASSERT_OK(fd);
	EXPECT_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 100));
	EXPECT_OK(setlk(fd, F_SETLK, F_UNLCK, 40, 20));
	EXPECT_EQ(check_from_child(40, 20, F_UNLCK, 0, 0), 0);
	EXPECT_EQ(check_from_child(0, 41, F_WRLCK, 0, 40), 0);
	EXPECT_EQ(check_from_child(59, 10, F_WRLCK, 60, 40), 0);
	close(fd);
}

TEST(adjacent_locks_of_one_type_merge)
{
	int fd = open_file(O_RDWR);
	ASSERT_OK(fd);
	EXPECT_OK(setlk(fd, F_SETLK, F_RDLCK, 0, 10));
	EXPECT_OK(setlk(fd, F_SETLK, F_RDLCK, 10, 10));
	EXPECT_OK(setlk(fd, F_SETLK, F_RDLCK, 5, 0));	/* to EOF */
	EXPECT_EQ(check_from_child(0, 0, F_RDLCK, 0, 0), 0);
	/* A write lock inside the read lock replaces that part only. */
	EXPECT_OK(setlk(fd, F_SETLK, F_WRLCK, 50, 10));
	struct range r = { 0, 0, F_RDLCK, 0, 50 };
	EXPECT_EQ(in_child(child_getlk, &r), 0);
	EXPECT_EQ(check_from_child(55, 1, F_WRLCK, 50, 10), 0);
	EXPECT_EQ(check_from_child(70, 1, F_RDLCK, 60, 0), 0);
	close(fd);
}

/* Negative l_len locks the bytes before l_start; l_whence counts from the
 * position or the end. */
TEST(whence_and_negative_length)
{
	int fd = open_file(O_RDWR);
	ASSERT_OK(fd);
	ASSERT_EQ(write(fd, "0123456789", 10), 10);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 20, .l_len = -5 };
	EXPECT_OK(fcntl(fd, F_SETLK, &fl));
	EXPECT_EQ(check_from_child(0, 0, F_WRLCK, 15, 5), 0);
	fl = (struct flock){ .l_type = F_UNLCK, .l_whence = SEEK_CUR, .l_start = 5, .l_len = 5 };
	EXPECT_OK(fcntl(fd, F_SETLK, &fl));	/* position 10: [15, 20) */
	EXPECT_EQ(check_from_child(0, 0, F_UNLCK, 0, 0), 0);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_END, .l_start = -2, .l_len = 1 };
	EXPECT_OK(fcntl(fd, F_SETLK, &fl));
	EXPECT_EQ(check_from_child(0, 0, F_WRLCK, 8, 1), 0);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 2, .l_len = -5 };
	EXPECT_ERRNO(fcntl(fd, F_SETLK, &fl), EINVAL);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = -1, .l_len = 1 };
	EXPECT_ERRNO(fcntl(fd, F_SETLK, &fl), EINVAL);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = 7 };
	EXPECT_ERRNO(fcntl(fd, F_SETLK, &fl), EINVAL);
	fl = (struct flock){ .l_type = 9, .l_whence = SEEK_SET };
	EXPECT_ERRNO(fcntl(fd, F_SETLK, &fl), EINVAL);
	fl = (struct flock){ .l_type = F_UNLCK, .l_whence = SEEK_SET };
	EXPECT_ERRNO(fcntl(fd, F_GETLK, &fl), EINVAL);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = INT64_MAX, .l_len = 2 };
	EXPECT_ERRNO(fcntl(fd, F_SETLK, &fl), EOVERFLOW);
	EXPECT_ERRNO(fcntl(fd, F_GETLK, NULL), EFAULT);
	close(fd);
}

/* A read lock needs a readable fd, a write lock a writable one. */
TEST(lock_type_needs_the_open_mode)
{
	int r = open_file(O_RDONLY), w = open_file(O_WRONLY);
	ASSERT_OK(r);
	ASSERT_OK(w);
	EXPECT_ERRNO(setlk(r, F_SETLK, F_WRLCK, 0, 1), EBADF);
	EXPECT_ERRNO(setlk(w, F_SETLK, F_RDLCK, 0, 1), EBADF);
	EXPECT_OK(setlk(r, F_SETLK, F_RDLCK, 0, 1));
	EXPECT_OK(setlk(w, F_SETLK, F_WRLCK, 5, 1));
	EXPECT_OK(setlk(r, F_SETLK, F_UNLCK, 0, 0));
	int p = open("f", O_PATH);
	ASSERT_OK(p);
	EXPECT_ERRNO(setlk(p, F_SETLK, F_UNLCK, 0, 0), EBADF);
	close(p);
	close(r);
	close(w);
}

/* POSIX locks belong to the process: closing any fd of the file drops
 * them all. */
TEST(any_close_releases_posix_locks)
{
	int fd = open_file(O_RDWR), other = open_file(O_RDONLY);
	ASSERT_OK(fd);
	ASSERT_OK(other);
	EXPECT_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 0));
	EXPECT_EQ(check_from_child(0, 0, F_WRLCK, 0, 0), 0);
	close(other);
	EXPECT_EQ(check_from_child(0, 0, F_UNLCK, 0, 0), 0);
	close(fd);
}

static int child_conflicts(void *p)
{
	int fd = open("f", O_RDWR);
	(void)p;
	if (setlk(fd, F_SETLK, F_WRLCK, 0, 1) == 0)
		return 1;
	return errno == EAGAIN ? 0 : 2;
}

static int child_locks_and_exits(void *p)
{
	int fd = open("f", O_RDWR);
	(void)p;
	return setlk(fd, F_SETLK, F_WRLCK, 0, 0) == 0 ? 0 : 1;
}

TEST(conflict_gives_eagain_and_exit_releases)
{
	int fd = open_file(O_RDWR);
	ASSERT_OK(fd);
	EXPECT_OK(setlk(fd, F_SETLK, F_RDLCK, 0, 1));
	EXPECT_EQ(in_child(child_conflicts, NULL), 0);
	EXPECT_OK(setlk(fd, F_SETLK, F_UNLCK, 0, 0));
	/* The child's locks go when it exits. */
	EXPECT_EQ(in_child(child_locks_and_exits, NULL), 0);
	EXPECT_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 0));
	close(fd);
}

/* Forks a child that takes a whole-file write lock on "f" (fcntl, or
 * flock with FLOCK) and holds it for HOLD_US microseconds (< 0: until
 * killed) before exiting. Returns once the child holds it: its pid, or
 * -1. */
static pid_t fork_holder(bool flock_it, int hold_us)
{
	int p[2];
	char c;
	if (pipe(p))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		int cfd = open("f", O_RDWR);
		if (flock_it ? flock(cfd, LOCK_EX) : setlk(cfd, F_SETLK, F_WRLCK, 0, 0))
			_exit(1);
		(void)!write(p[1], "x", 1);
		if (hold_us < 0)
			pause();
		else
			usleep((useconds_t)hold_us);
		_exit(0);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &c, 1) != 1)
		pid = -1;
	close(p[0]);
	return pid;
}

/* The child holds a write lock for a while; the parent's F_SETLKW waits
 * and then gets it. */
TEST(setlkw_waits_for_the_holder)
{
	int fd = open_file(O_RDWR);
	ASSERT_OK(fd);
	pid_t pid = fork_holder(false, 100000);
	ASSERT_GE(pid, 0);
	EXPECT_ERRNO(setlk(fd, F_SETLK, F_WRLCK, 0, 0), EAGAIN);
	EXPECT_OK(setlk(fd, F_SETLKW, F_WRLCK, 0, 0));
	int st;
	EXPECT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(st, 0);
	close(fd);
}

/* Parent holds byte 0 and wants byte 1; the child holds byte 1 and wants
 * byte 0. Whichever asks second closes the cycle and gets EDEADLK; the
 * other then gets its lock. */
TEST(setlkw_deadlock_is_detected)
{
	int fd = open_file(O_RDWR), p[2];
	char c;
	ASSERT_OK(fd);
	ASSERT_OK(pipe(p));
	ASSERT_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 1));
	pid_t pid = fork();
	if (pid == 0) {
		int cfd = open("f", O_RDWR);
		if (setlk(cfd, F_SETLK, F_WRLCK, 1, 1))
			_exit(1);
		(void)!write(p[1], "x", 1);
		if (setlk(cfd, F_SETLKW, F_WRLCK, 0, 1) == 0)
			_exit(0);
		_exit(errno == EDEADLK ? 2 : 3);
	}
	ASSERT_EQ(read(p[0], &c, 1), 1);
	usleep(50000);
	int r = setlk(fd, F_SETLKW, F_WRLCK, 1, 1);
	bool parent_deadlock = r < 0 && errno == EDEADLK;
	EXPECT_TRUE(r == 0 || parent_deadlock);
	if (parent_deadlock)
		EXPECT_OK(setlk(fd, F_SETLK, F_UNLCK, 0, 1));
	int st;
	EXPECT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), parent_deadlock ? 0 : 2);
	close(fd);
	close(p[0]);
	close(p[1]);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A signal whose handler lacks SA_RESTART ends F_SETLKW with EINTR. */
TEST(setlkw_is_interrupted_by_a_signal)
{
	int fd = open_file(O_RDWR);
	ASSERT_OK(fd);
	pid_t pid = fork_holder(false, -1);
	ASSERT_GE(pid, 0);
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	sigaction(SIGALRM, &sa, &old);
	struct itimerval it = { .it_value = { .tv_usec = 100000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	EXPECT_ERRNO(setlk(fd, F_SETLKW, F_WRLCK, 0, 0), EINTR);
	sigaction(SIGALRM, &old, NULL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(fd);
}

static volatile sig_atomic_t alarms;

static void count_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* With SA_RESTART the interrupted F_SETLKW starts again and gets the lock
 * once the holder exits. */
TEST(setlkw_restarts_with_sa_restart)
{
	int fd = open_file(O_RDWR);
	ASSERT_OK(fd);
	pid_t pid = fork_holder(false, 300000);
	ASSERT_GE(pid, 0);
	struct sigaction sa = { .sa_handler = count_alarm, .sa_flags = SA_RESTART }, old;
	sigaction(SIGALRM, &sa, &old);
	alarms = 0;
	struct itimerval it = { .it_value = { .tv_usec = 50000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	EXPECT_OK(setlk(fd, F_SETLKW, F_WRLCK, 0, 0));
	/* On a very slow machine the lock may come before the timer. */
	while (!alarms)
		usleep(1000);
	EXPECT_EQ(alarms, 1);
	sigaction(SIGALRM, &old, NULL);
	int st;
	EXPECT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(st, 0);
	close(fd);
}

/* OFD locks belong to the open file description: two opens in one process
 * conflict, and POSIX and OFD locks conflict with each other. */
TEST(ofd_locks_belong_to_the_open_file)
{
	int a = open_file(O_RDWR), b = open_file(O_RDWR);
	ASSERT_OK(a);
	ASSERT_OK(b);
	EXPECT_OK(setlk(a, F_OFD_SETLK, F_WRLCK, 0, 10));
	EXPECT_ERRNO(setlk(b, F_OFD_SETLK, F_WRLCK, 5, 1), EAGAIN);
	EXPECT_ERRNO(setlk(b, F_SETLK, F_RDLCK, 5, 1), EAGAIN);
	EXPECT_OK(setlk(b, F_OFD_SETLK, F_WRLCK, 10, 1));
	struct flock fl = getlk(b, F_OFD_GETLK, 0, 0);
	EXPECT_EQ(fl.l_type, F_WRLCK);
	EXPECT_EQ(fl.l_start, 0);
	EXPECT_EQ(fl.l_len, 10);
	EXPECT_EQ(fl.l_pid, -1);
	/* l_pid must be 0 in OFD requests. */
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_pid = 1 };
	EXPECT_ERRNO(fcntl(b, F_OFD_SETLK, &fl), EINVAL);
	/* Closing a dup leaves the description open, and its lock held. */
	int d = dup(a);
	ASSERT_OK(d);
	close(d);
	EXPECT_ERRNO(setlk(b, F_OFD_SETLK, F_WRLCK, 0, 1), EAGAIN);
	close(a);
	EXPECT_OK(setlk(b, F_OFD_SETLKW, F_WRLCK, 0, 1));
	close(b);
}

TEST(flock_shared_exclusive_and_nonblocking)
{
	int a = open_file(O_RDONLY), b = open_file(O_RDONLY);
	ASSERT_OK(a);
	ASSERT_OK(b);
	EXPECT_OK(flock(a, LOCK_SH));
	EXPECT_OK(flock(b, LOCK_SH | LOCK_NB));
	EXPECT_ERRNO(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	/* The failed conversion dropped b's shared lock (flock(2)). */
	EXPECT_OK(flock(a, LOCK_EX | LOCK_NB));
	EXPECT_ERRNO(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	EXPECT_OK(flock(a, LOCK_UN));
	EXPECT_OK(flock(b, LOCK_EX | LOCK_NB));
	EXPECT_OK(flock(b, LOCK_UN));
	EXPECT_OK(flock(b, LOCK_UN));
	EXPECT_ERRNO(flock(a, LOCK_NB), EINVAL);
	EXPECT_ERRNO(flock(a, LOCK_SH | LOCK_EX), EINVAL);
	/* LOCK_MAND is ignored since Linux 5.15 (a warning, success). */
	EXPECT_OK(flock(a, LOCK_MAND | LOCK_READ));
	EXPECT_ERRNO(flock(-1, LOCK_SH), EBADF);
	int p = open("f", O_PATH);
	ASSERT_OK(p);
	EXPECT_ERRNO(flock(p, LOCK_SH), EBADF);
	close(p);
	close(a);
	close(b);
}

static int child_flock_nb(void *p)
{
	int fd = *(int *)p;
	/* The inherited description is the same owner... */
	if (flock(fd, LOCK_EX | LOCK_NB))
		return 1;
	/* ...and a new open is another. */
	int other = open("f", O_RDONLY);
	if (flock(other, LOCK_SH | LOCK_NB) == 0)
		return 2;
	return errno == EWOULDBLOCK ? 0 : 3;
}

/* flock locks belong to the open file description: shared through dup and
 * fork, kept until its last fd closes, and independent of fcntl locks. */
TEST(flock_belongs_to_the_description)
{
	int a = open_file(O_RDWR), b = open_file(O_RDWR);
	ASSERT_OK(a);
	ASSERT_OK(b);
	EXPECT_OK(flock(a, LOCK_EX));
	EXPECT_EQ(in_child(child_flock_nb, &a), 0);
	int d = dup(a);
	ASSERT_OK(d);
	close(a);
	EXPECT_ERRNO(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	/* fcntl locks do not see flock locks. */
	EXPECT_OK(setlk(b, F_SETLK, F_WRLCK, 0, 0));
	close(d);
	EXPECT_OK(flock(b, LOCK_EX | LOCK_NB));
	close(b);
}

/* A blocking flock waits until the holder's description is closed. */
TEST(flock_waits_for_the_holder)
{
	int fd = open_file(O_RDONLY);
	ASSERT_OK(fd);
	pid_t pid = fork_holder(true, 100000);
	ASSERT_GE(pid, 0);
	EXPECT_ERRNO(flock(fd, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	EXPECT_OK(flock(fd, LOCK_SH));
	int st;
	EXPECT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(st, 0);
	close(fd);
}
