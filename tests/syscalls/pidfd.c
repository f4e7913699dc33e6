/* pidfds: pidfd_open, clone's and clone3's CLONE_PIDFD, polling for the
 * process's exit, pidfd_send_signal and waitid(P_PIDFD). */
#include "test.h"

#include <linux/sched.h>
#include <pthread.h>
#include <sys/pidfd.h>

/* glibc's pidfd_open and pidfd_send_signal call the kernel as they are. */
static int send_signal(int pidfd, int sig, siginfo_t *info, unsigned flags)
{
	return pidfd_send_signal(pidfd, sig, info, flags);
}

/* A child that waits for signals until killed. */
static pid_t spawn_pauser(void)
{
	pid_t pid = test_fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static short poll_now(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

static short poll_wait_in(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 10000) == 1 ? p.revents : 0;
}

TEST(pidfd_open_polls_readable_at_exit_and_hung_up_once_reaped)
{
	pid_t pid = spawn_pauser();
	ASSERT_OK(pid);
	int fd = pidfd_open(pid, 0);
	ASSERT_OK(fd);
	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	EXPECT_EQ(poll_now(fd), 0);
	EXPECT_OK(kill(pid, SIGKILL));
	EXPECT_EQ(poll_wait_in(fd), POLLIN);
	/* A zombie can still be signalled. */
	EXPECT_OK(send_signal(fd, 0, NULL, 0));
	siginfo_t si = { 0 };
	EXPECT_OK(waitid(P_PIDFD, fd, &si, WEXITED));
	EXPECT_EQ(si.si_pid, pid);
	EXPECT_EQ(si.si_code, CLD_KILLED);
	EXPECT_EQ(si.si_status, SIGKILL);
	EXPECT_EQ(poll_now(fd), POLLIN | POLLHUP);
	EXPECT_ERRNO(send_signal(fd, 0, NULL, 0), ESRCH);
	EXPECT_ERRNO(waitid(P_PIDFD, fd, &si, WEXITED), ECHILD);
	/* Its pid is gone now. */
	EXPECT_ERRNO(pidfd_open(pid, 0), ESRCH);
	close(fd);
}

TEST(pidfd_open_rejects_what_linux_rejects)
{
	EXPECT_ERRNO(pidfd_open(0, 0), EINVAL);
	EXPECT_ERRNO(pidfd_open(-1, 0), EINVAL);
	EXPECT_ERRNO(pidfd_open(getpid(), 1 << 20), EINVAL);
	int fd = pidfd_open(getpid(), PIDFD_NONBLOCK);
	ASSERT_OK(fd);
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	/* Our own process is no child of ours. */
	siginfo_t si;
	EXPECT_ERRNO(waitid(P_PIDFD, fd, &si, WEXITED | WNOHANG), ECHILD);
	close(fd);
}

static void *sleeps(void *arg)
{
	pause();
	return arg;
}

/* A thread that does not lead its process: ENOENT since Linux 6.9's
 * pidfs (EINVAL before). */
TEST(pidfd_open_of_a_thread_is_enoent)
{
	pid_t pid = test_fork();
	if (pid == 0) {
		pid_t me = getpid();
		char path[64];
		pthread_t th;
		pthread_create(&th, NULL, sleeps, NULL);
		/* The second task of this process has tid pid + 1 or more:
		 * find it in /proc/self/task. */
		for (pid_t tid = me + 1; tid < me + 100; tid++) {
			snprintf(path, sizeof(path), "/proc/self/task/%d", tid);
			if (access(path, F_OK) == 0)
				_exit(pidfd_open(tid, 0) < 0 &&
				      (errno == ENOENT || errno == EINVAL) ? 0 : 1);
		}
		_exit(2);
	}
	ASSERT_OK(pid);
	EXPECT_EQ(test_wait(pid, 0), 0);
}

TEST(pidfd_send_signal_kills_and_checks_its_arguments)
{
	pid_t pid = spawn_pauser();
	ASSERT_OK(pid);
	int fd = pidfd_open(pid, 0);
	ASSERT_OK(fd);
	EXPECT_ERRNO(send_signal(fd, SIGTERM, NULL, 1 << 7), EINVAL);
	EXPECT_ERRNO(send_signal(0, SIGTERM, NULL, 0), EBADF);
	EXPECT_ERRNO(send_signal(-1, SIGTERM, NULL, 0), EBADF);
	EXPECT_ERRNO(send_signal(fd, 99, NULL, 0), EINVAL);
	siginfo_t info = { .si_signo = SIGTERM, .si_code = SI_USER };
	/* Another process may not be told it came from kill(2)... */
	EXPECT_ERRNO(send_signal(fd, SIGTERM, &info, 0), EPERM);
	/* ...the signal must be the one in the info... */
	info.si_code = SI_QUEUE;
	EXPECT_ERRNO(send_signal(fd, SIGINT, &info, 0), EINVAL);
	EXPECT_ERRNO(send_signal(fd, SIGTERM, test_bad_ptr(), 0), EFAULT);
	/* ...and a queued one goes. */
	EXPECT_OK(send_signal(fd, SIGTERM, &info, 0));
	siginfo_t si = { 0 };
	EXPECT_OK(waitid(P_PIDFD, fd, &si, WEXITED));
	EXPECT_EQ(si.si_code, CLD_KILLED);
	EXPECT_EQ(si.si_status, SIGTERM);
	close(fd);
}

TEST(waitid_on_a_nonblocking_pidfd_says_eagain)
{
	pid_t pid = spawn_pauser();
	ASSERT_OK(pid);
	int fd = pidfd_open(pid, PIDFD_NONBLOCK);
	ASSERT_OK(fd);
	siginfo_t si;
	EXPECT_ERRNO(waitid(P_PIDFD, fd, &si, WEXITED), EAGAIN);
	/* With WNOHANG it is the usual "nothing yet". */
	si.si_pid = 1;
	EXPECT_OK(waitid(P_PIDFD, fd, &si, WEXITED | WNOHANG));
	EXPECT_EQ(si.si_pid, 0);
	EXPECT_OK(send_signal(fd, SIGKILL, NULL, 0));
	EXPECT_EQ(poll_wait_in(fd), POLLIN);
	EXPECT_OK(waitid(P_PIDFD, fd, &si, WEXITED));
	EXPECT_EQ(si.si_pid, pid);
	int pipefd[2];
	ASSERT_OK(pipe(pipefd));
	EXPECT_ERRNO(waitid(P_PIDFD, pipefd[0], &si, WEXITED), EBADF);
	EXPECT_ERRNO(waitid(P_PIDFD, 1000, &si, WEXITED), EBADF);
	close(pipefd[0]);
	close(pipefd[1]);
	close(fd);
}

TEST(clone3_gives_a_pidfd)
{
	int pidfd = -1;
	struct clone_args args = { .flags = CLONE_PIDFD, .pidfd = (uintptr_t)&pidfd,
				   .exit_signal = SIGCHLD };
	long pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(5);
	ASSERT_OK(pid);
	ASSERT_OK(pidfd);
	EXPECT_EQ(fcntl(pidfd, F_GETFD), FD_CLOEXEC);
	EXPECT_EQ(poll_wait_in(pidfd), POLLIN);
	siginfo_t si = { 0 };
	EXPECT_OK(waitid(P_PIDFD, pidfd, &si, WEXITED));
	EXPECT_EQ(si.si_pid, pid);
	EXPECT_EQ(si.si_code, CLD_EXITED);
	EXPECT_EQ(si.si_status, 5);
	close(pidfd);
	args.pidfd = (uintptr_t)test_bad_ptr();
	EXPECT_ERRNO(syscall(SYS_clone3, &args, sizeof(args)), EFAULT);
}

/* Legacy clone puts the pidfd where parent_tid points, so it cannot
 * also set the tid there. */
TEST(clone_gives_a_pidfd_at_parent_tid)
{
	int pidfd = -1;
	long pid = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &pidfd, 0, 0);
	if (pid == 0)
		_exit(6);
	ASSERT_OK(pid);
	ASSERT_OK(pidfd);
	siginfo_t si = { 0 };
	EXPECT_OK(waitid(P_PIDFD, pidfd, &si, WEXITED));
	EXPECT_EQ(si.si_status, 6);
	close(pidfd);
	EXPECT_ERRNO(syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, 0, &pidfd,
			     0, 0),
		     EINVAL);
	EXPECT_ERRNO(syscall(SYS_clone, CLONE_PIDFD | CLONE_DETACHED | SIGCHLD, 0, &pidfd, 0, 0),
		     EINVAL);
}

TEST(fdinfo_shows_the_pid)
{
	pid_t pid = spawn_pauser();
	ASSERT_OK(pid);
	int fd = pidfd_open(pid, 0);
	ASSERT_OK(fd);
	char path[64], buf[1024], want[32];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	ASSERT_OK(test_read_file(path, buf, sizeof(buf)));
	snprintf(want, sizeof(want), "\nPid:\t%d\n", pid);
	EXPECT_TRUE(strstr(buf, want) != NULL);
	kill(pid, SIGKILL);
	test_wait(pid, 0);
	ASSERT_OK(test_read_file(path, buf, sizeof(buf)));
	EXPECT_TRUE(strstr(buf, "\nPid:\t-1\n") != NULL);
	close(fd);
}
