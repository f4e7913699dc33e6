/* Process groups and sessions: getpgrp, getpgid, setpgid, getsid,
 * setsid, and the terminal calls on descriptors that are not terminals.
 * This process's own group and session are never changed: children do
 * that, and report back through their exit status or a pipe. */
#define TEST_WORKDIR
#include "test.h"

#include <sys/ioctl.h>
#include <termios.h>

/* Kills and reaps a test_spawn_sleeper child; 0 if it was still there
 * to kill. */
static int end_sleeper(pid_t pid)
{
	kill(pid, SIGKILL);
	return test_wait(pid, 0) == W_EXITCODE(0, SIGKILL) ? 0 : -1;
}

/* A child that runs fn, then waits until released. fn's result is sent
 * back through a pipe (0: fn's checks held). A later child inherits the
 * release pipe: end it before the helper. */
struct helper {
	pid_t pid;
	int release, result;
};

static bool spawn_helper(struct helper *h, void (*fn)(void))
{
	int down[2], up[2];
	char c;

	if (pipe(down) < 0 || pipe(up) < 0)
		return false;
	h->pid = test_fork();
	if (h->pid == 0) {
		close(down[1]);
		close(up[0]);
		fn();
		c = test_current_failures ? 1 : 0;
		if (write(up[1], &c, 1) != 1)
			_exit(2);
		while (read(down[0], &c, 1) > 0)
			;
		test_child_exit();
	}
	close(down[0]);
	close(up[1]);
	h->release = down[1];
	h->result = up[0];
	return h->pid > 0;
}

/* Waits for the helper's fn to be done; true if its checks held. */
static bool helper_ready(struct helper *h)
{
	char c = 1;

	return read(h->result, &c, 1) == 1 && c == 0;
}

static int end_helper(struct helper *h)
{
	close(h->release);
	close(h->result);
	return test_wait(h->pid, 0);
}

/* --- reading --- */

TEST(getpgrp_getpgid_and_getsid_agree)
{
	EXPECT_EQ(getpgid(0), getpgrp());
	EXPECT_EQ(getpgid(getpid()), getpgrp());
	EXPECT_EQ(syscall(SYS_getpgrp), getpgrp());
	EXPECT_EQ(getsid(getpid()), getsid(0));
	EXPECT_GE(getsid(0), 0);
}

TEST(a_child_is_in_its_parent_s_group_and_session)
{
	pid_t s;

	ASSERT_GE(s = test_spawn_sleeper(), 1);
	EXPECT_EQ(getpgid(s), getpgrp());
	EXPECT_EQ(getsid(s), getsid(0));
	EXPECT_EQ(end_sleeper(s), 0);
}

TEST(getpgid_and_getsid_of_no_process_are_esrch)
{
	pid_t pid = test_fork();

	if (pid == 0)
		_exit(0);
	ASSERT_GE(pid, 1);
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_ERRNO(getpgid(pid), ESRCH);
	EXPECT_ERRNO(getsid(pid), ESRCH);
	EXPECT_ERRNO(getpgid(-1), ESRCH);
}

/* --- setpgid --- */

static void new_group(void)
{
	EXPECT_OK(setpgid(0, 0));
	EXPECT_EQ(getpgrp(), getpid());
	EXPECT_EQ(getpgid(0), getpid());
	/* Already its group: again is fine, and so is naming it. */
	EXPECT_OK(setpgid(getpid(), getpid()));
	EXPECT_OK(setpgid(0, getpid()));
}

TEST(setpgid_zero_zero_makes_a_new_group)
{
	struct helper h;

	ASSERT_TRUE(spawn_helper(&h, new_group));
	EXPECT_TRUE(helper_ready(&h));
	EXPECT_EQ(getpgid(h.pid), h.pid);
	EXPECT_EQ(getsid(h.pid), getsid(0));	/* same session */
	EXPECT_NE(getpgrp(), h.pid);		/* this one did not move */
	EXPECT_EQ(end_helper(&h), 0);
}

TEST(setpgid_moves_a_child_to_another_group_of_the_session)
{
	pid_t a, b;

	ASSERT_GE(a = test_spawn_sleeper(), 1);
	ASSERT_GE(b = test_spawn_sleeper(), 1);
	EXPECT_OK(setpgid(a, 0));		/* 0: the pid itself */
	EXPECT_EQ(getpgid(a), a);
	EXPECT_OK(setpgid(b, a));
	EXPECT_EQ(getpgid(b), a);
	/* And back to this process's group. */
	EXPECT_OK(setpgid(b, getpgrp()));
	EXPECT_EQ(getpgid(b), getpgrp());
	EXPECT_EQ(end_sleeper(a), 0);
	EXPECT_EQ(end_sleeper(b), 0);
}

/* setpgid(2): "EACCES An attempt was made to change the process group ID
 * of one of the children of the calling process and the child had
 * already performed an execve(2)". */
TEST(setpgid_of_a_child_after_it_execs_is_eacces)
{
	int in[2], exec_done[2];
	char c;

	ASSERT_OK(pipe(in));
	ASSERT_OK(pipe2(exec_done, O_CLOEXEC));
	pid_t pid = test_fork();
	if (pid == 0) {
		dup2(in[0], 0);
		close(in[1]);
		close(exec_done[0]);
		execl("/bin/cat", "cat", (char *)NULL);
		_exit(127);
	}
	ASSERT_GE(pid, 1);
	close(in[0]);
	close(exec_done[1]);
	/* EOF once the close-on-exec write end went away in execve. */
	EXPECT_EQ(read(exec_done[0], &c, 1), 0);
	EXPECT_ERRNO(setpgid(pid, pid), EACCES);
	EXPECT_ERRNO(setpgid(pid, getpgrp()), EACCES);
	close(in[1]);
	EXPECT_EQ(test_wait(pid, 0), 0);
	close(exec_done[0]);
}

/* The child has its own session: it cannot be moved (a session leader,
 * and in another session), and its group cannot be joined. */
static void own_session(void)
{
	EXPECT_EQ(setsid(), getpid());
}

TEST(setpgid_across_sessions_is_eperm)
{
	struct helper leader;
	pid_t s;

	ASSERT_TRUE(spawn_helper(&leader, own_session));
	ASSERT_TRUE(helper_ready(&leader));
	ASSERT_GE(s = test_spawn_sleeper(), 1);
	EXPECT_ERRNO(setpgid(s, leader.pid), EPERM);
	EXPECT_ERRNO(setpgid(leader.pid, leader.pid), EPERM);
	EXPECT_ERRNO(setpgid(leader.pid, getpgrp()), EPERM);
	EXPECT_EQ(getpgid(s), getpgrp());
	EXPECT_EQ(end_sleeper(s), 0);
	EXPECT_EQ(end_helper(&leader), 0);
}

TEST(setpgid_to_a_group_that_does_not_exist_is_eperm)
{
	pid_t s;
	pid_t gone = test_fork();

	if (gone == 0)
		_exit(0);
	ASSERT_GE(gone, 1);
	EXPECT_EQ(test_wait(gone, 0), 0);
	ASSERT_GE(s = test_spawn_sleeper(), 1);
	EXPECT_ERRNO(setpgid(s, gone), EPERM);
	EXPECT_ERRNO(setpgid(0, gone), EPERM);
	EXPECT_EQ(end_sleeper(s), 0);
}

static void parent_is_not_a_child(void)
{
	EXPECT_ERRNO(setpgid(getppid(), getppid()), ESRCH);
	EXPECT_ERRNO(setpgid(getppid(), 0), ESRCH);
	test_child_exit();
}

/* Only oneself and one's children: anyone else is ESRCH. */
TEST(setpgid_of_a_process_that_is_not_a_child_is_esrch)
{
	pid_t gone = test_fork();

	if (gone == 0)
		_exit(0);
	ASSERT_GE(gone, 1);
	EXPECT_EQ(test_wait(gone, 0), 0);
	EXPECT_ERRNO(setpgid(gone, 0), ESRCH);
	pid_t pid = test_fork();
	if (pid == 0)
		parent_is_not_a_child();
	ASSERT_GE(pid, 1);
	EXPECT_EQ(test_wait(pid, 0), 0);
}

TEST(setpgid_with_a_negative_group_is_einval)
{
	EXPECT_ERRNO(setpgid(0, -1), EINVAL);
	EXPECT_ERRNO(setpgid(getpid(), -5), EINVAL);
	EXPECT_EQ(getpgid(0), getpgrp());
}

/* --- setsid --- */

static void setsid_in_a_child(void)
{
	pid_t me = getpid();

	EXPECT_EQ(setsid(), me);
	EXPECT_EQ(getsid(0), me);
	EXPECT_EQ(getsid(me), me);
	EXPECT_EQ(getpgrp(), me);
	EXPECT_EQ(getpgid(0), me);
	/* A new session has no controlling terminal. */
	EXPECT_ERRNO(open("/dev/tty", O_RDWR), ENXIO);
	/* Now a group leader: a second setsid fails. */
	EXPECT_ERRNO(setsid(), EPERM);
}

TEST(setsid_makes_a_new_session_and_group_led_by_the_caller)
{
	struct helper h;

	ASSERT_TRUE(spawn_helper(&h, setsid_in_a_child));
	EXPECT_TRUE(helper_ready(&h));
	EXPECT_EQ(getsid(h.pid), h.pid);
	EXPECT_EQ(getpgid(h.pid), h.pid);
	EXPECT_NE(getsid(0), h.pid);
	EXPECT_EQ(end_helper(&h), 0);
}

static void setsid_as_group_leader(void)
{
	EXPECT_OK(setpgid(0, 0));
	EXPECT_ERRNO(setsid(), EPERM);
	EXPECT_NE(getsid(0), getpid());
	test_child_exit();
}

TEST(setsid_in_a_group_leader_is_eperm)
{
	pid_t pid = test_fork();

	if (pid == 0)
		setsid_as_group_leader();
	ASSERT_GE(pid, 1);
	EXPECT_EQ(test_wait(pid, 0), 0);
}

static pid_t group_to_join;

static void join_a_group_then_setsid(void)
{
	EXPECT_OK(setpgid(0, group_to_join));
	EXPECT_EQ(getpgrp(), group_to_join);
	EXPECT_EQ(setsid(), getpid());		/* not a group leader */
	EXPECT_EQ(getpgrp(), getpid());
}

/* setsid takes the caller out of its group into a new one. */
TEST(setsid_leaves_the_old_group)
{
	pid_t lead;
	struct helper h;

	ASSERT_GE(lead = test_spawn_sleeper(), 1);
	ASSERT_OK(setpgid(lead, lead));
	group_to_join = lead;
	ASSERT_TRUE(spawn_helper(&h, join_a_group_then_setsid));
	EXPECT_TRUE(helper_ready(&h));
	EXPECT_EQ(getpgid(h.pid), h.pid);
	EXPECT_EQ(getsid(h.pid), h.pid);
	EXPECT_EQ(getpgid(lead), lead);
	EXPECT_EQ(end_helper(&h), 0);
	EXPECT_EQ(end_sleeper(lead), 0);
}

/* --- terminal calls on what is not a terminal --- */

TEST(terminal_process_group_calls_on_a_non_tty_are_enotty)
{
	int p[2], file, null;
	pid_t pgrp;

	ASSERT_OK(pipe(p));
	ASSERT_OK(file = open("f", O_RDWR | O_CREAT, 0644));
	ASSERT_OK(null = open("/dev/null", O_RDWR));
	const int fds[] = { p[0], p[1], file, null };
	for (unsigned i = 0; i < 4; i++) {
		EXPECT_ERRNO(tcgetpgrp(fds[i]), ENOTTY);
		EXPECT_ERRNO(tcsetpgrp(fds[i], getpgrp()), ENOTTY);
		EXPECT_ERRNO(ioctl(fds[i], TIOCGPGRP, &pgrp), ENOTTY);
		EXPECT_ERRNO(ioctl(fds[i], TIOCGSID, &pgrp), ENOTTY);
		EXPECT_ERRNO(ioctl(fds[i], TIOCSCTTY, 0), ENOTTY);
		EXPECT_ERRNO(ioctl(fds[i], TIOCNOTTY), ENOTTY);
	}
	EXPECT_ERRNO(tcgetpgrp(-1), EBADF);
	EXPECT_ERRNO(tcgetsid(p[0]), ENOTTY);
	close(p[0]);
	close(p[1]);
	close(file);
	close(null);
}
