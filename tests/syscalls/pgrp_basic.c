/* Process groups and sessions: setpgid, getpgid, getpgrp, setsid,
 * getsid, and the errors kernel/sys.c gives (EINVAL, ESRCH, EACCES,
 * EPERM). Natively the test runs in some session without leading it;
 * inside cvisor it is PID 1 and leads its session, so checks that need a
 * process that leads nothing run in a child. */
#include "test.h"

#include <sys/wait.h>

/* A child that ran SETUP (which returns 0 or an errno) and now waits
 * until end_child. start_child returns its pid, or -1. */
struct child {
	pid_t pid;
	int release_fd;
	int setup_result;
};

static pid_t start_child(struct child *c, int (*setup)(void))
{
	int ready[2], hold[2];

	c->pid = -1;
	c->setup_result = -1;
	if (pipe(ready) < 0 || pipe(hold) < 0)
		return -1;
	c->pid = fork();
	if (c->pid == 0) {
		/* Keep no other child's release pipe open. */
		for (int fd = 3; fd < 256; fd++)
			if (fd != ready[1] && fd != hold[0])
				close(fd);
		int r = setup ? setup() : 0;
		char b;
		if (write(ready[1], &r, sizeof(r)) != sizeof(r) || read(hold[0], &b, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	if (read(ready[0], &c->setup_result, sizeof(int)) != sizeof(int))
		c->setup_result = -1;
	close(ready[0]);
	c->release_fd = hold[1];
	return c->pid;
}

static void end_child(struct child *c)
{
	close(c->release_fd);
	waitpid(c->pid, NULL, 0);
}

/* The exit code of child PID, or -1. */
static int exit_code(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* In a child: exit with CODE unless COND holds. */
#define CHILD_CHECK(cond, code) do { if (!(cond)) _exit(code); } while (0)

static int do_setsid(void)
{
	return setsid() < 0 ? errno : 0;
}

/* A pid no process has: a child's, once reaped. */
static pid_t gone_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

TEST(the_getters_agree_about_the_caller)
{
	EXPECT_EQ(getpgid(0), getpgrp());
	EXPECT_EQ(getpgid(getpid()), getpgrp());
	EXPECT_EQ(getsid(getpid()), getsid(0));
	/* 0 when the session leader is in another PID namespace (as under CI) */
	EXPECT_GE(getsid(0), 0);
	EXPECT_EQ(syscall(SYS_getpgrp), getpgrp());
}

TEST(a_child_inherits_group_and_session)
{
	pid_t pgrp = getpgrp(), sid = getsid(0);
	pid_t pid = fork();

	if (pid == 0) {
		CHILD_CHECK(getpgrp() == pgrp, 1);
		CHILD_CHECK(getsid(0) == sid, 2);
		_exit(0);
	}
	EXPECT_EQ(exit_code(pid), 0);
}

TEST(getpgid_and_getsid_of_a_missing_process_are_esrch)
{
	pid_t pid = gone_pid();

	EXPECT_ERRNO(getpgid(pid), ESRCH);
	EXPECT_ERRNO(getsid(pid), ESRCH);
	EXPECT_ERRNO(getpgid(-1), ESRCH);
	EXPECT_ERRNO(getsid(-1), ESRCH);
}

/* A zombie keeps its group and session until it is reaped. */
TEST(a_zombie_child_still_has_its_group_and_session)
{
	siginfo_t si;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	ASSERT_OK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
	EXPECT_EQ(getpgid(pid), getpgrp());
	EXPECT_EQ(getsid(pid), getsid(0));
	EXPECT_EQ(waitpid(pid, NULL, 0), pid);
}

TEST(setpgid_with_a_negative_pgid_is_einval)
{
	EXPECT_ERRNO(setpgid(0, -1), EINVAL);
	EXPECT_ERRNO(setpgid(-5, 0), EINVAL);	/* pgid 0 means pid */
}

/* Only the caller and its children: not its parent, not a stranger. */
TEST(setpgid_of_a_process_neither_self_nor_child_is_esrch)
{
	pid_t missing = gone_pid();
	pid_t pid = fork();

	if (pid == 0) {
		CHILD_CHECK(setpgid(getppid(), 0) == -1 && errno == ESRCH, 1);
		CHILD_CHECK(setpgid(missing, 0) == -1 && errno == ESRCH, 2);
		_exit(0);
	}
	EXPECT_EQ(exit_code(pid), 0);
}

/* "EACCES An attempt was made to change the process group ID of one of
 * the children of the calling process and the child had already
 * performed an execve(2)". */
TEST(setpgid_of_a_child_that_has_execed_is_eacces)
{
	int execed[2], input[2];
	char b;

	ASSERT_OK(pipe2(execed, O_CLOEXEC));
	ASSERT_OK(pipe(input));
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "cat", NULL };
		dup2(input[0], 0);
		close(input[1]);
		execv("/bin/cat", argv);
		_exit(127);
	}
	close(input[0]);
	close(execed[1]);
	EXPECT_EQ(read(execed[0], &b, 1), 0);	/* EOF: the child has exec'd */
	close(execed[0]);
	EXPECT_ERRNO(setpgid(pid, pid), EACCES);
	EXPECT_ERRNO(setpgid(pid, 0), EACCES);
	close(input[1]);
	EXPECT_EQ(exit_code(pid), 0);
}

TEST(setpgid_of_a_child_in_another_session_is_eperm)
{
	struct child c;

	ASSERT_GE(start_child(&c, do_setsid), 1);
	EXPECT_EQ(c.setup_result, 0);
	EXPECT_ERRNO(setpgid(c.pid, c.pid), EPERM);
	EXPECT_ERRNO(setpgid(c.pid, getpgrp()), EPERM);
	end_child(&c);
}

TEST(setpgid_in_a_session_leader_is_eperm)
{
	pid_t pid = fork();

	if (pid == 0) {
		pid_t old = getpgrp();
		CHILD_CHECK(setsid() == getpid(), 1);
		CHILD_CHECK(setpgid(0, 0) == -1 && errno == EPERM, 2);
		CHILD_CHECK(setpgid(getpid(), getpid()) == -1 && errno == EPERM, 3);
		CHILD_CHECK(setpgid(0, old) == -1 && errno == EPERM, 4);
		_exit(0);
	}
	EXPECT_EQ(exit_code(pid), 0);
}

/* The group to join must exist, and in the caller's session. */
TEST(setpgid_to_a_group_missing_from_the_session_is_eperm)
{
	struct child plain, other_session;

	ASSERT_GE(start_child(&plain, NULL), 1);
	ASSERT_GE(start_child(&other_session, do_setsid), 1);
	EXPECT_EQ(other_session.setup_result, 0);
	pid_t missing = gone_pid();
	pid_t pid = fork();
	if (pid == 0) {
		CHILD_CHECK(setpgid(0, plain.pid) == -1 && errno == EPERM, 1);
		CHILD_CHECK(setpgid(0, other_session.pid) == -1 && errno == EPERM, 2);
		CHILD_CHECK(setpgid(0, missing) == -1 && errno == EPERM, 3);
		_exit(0);
	}
	EXPECT_EQ(exit_code(pid), 0);
	end_child(&other_session);
	end_child(&plain);
}

TEST(setpgid_moves_children_into_new_and_existing_groups)
{
	struct child a, b;

	ASSERT_GE(start_child(&a, NULL), 1);
	ASSERT_GE(start_child(&b, NULL), 1);
	EXPECT_EQ(getpgid(a.pid), getpgrp());
	EXPECT_OK(setpgid(a.pid, 0));
	EXPECT_EQ(getpgid(a.pid), a.pid);
	EXPECT_OK(setpgid(b.pid, a.pid));
	EXPECT_EQ(getpgid(b.pid), a.pid);
	EXPECT_OK(setpgid(b.pid, b.pid));
	EXPECT_EQ(getpgid(b.pid), b.pid);
	EXPECT_OK(setpgid(b.pid, getpgrp()));
	EXPECT_EQ(getpgid(b.pid), getpgrp());
	EXPECT_EQ(getsid(a.pid), getsid(0));
	end_child(&b);
	end_child(&a);
}

TEST(setpgid_of_self_makes_a_group)
{
	pid_t pid = fork();

	if (pid == 0) {
		CHILD_CHECK(setpgid(0, 0) == 0, 1);
		CHILD_CHECK(getpgrp() == getpid(), 2);
		CHILD_CHECK(setpgid(0, 0) == 0, 3);	/* again: no change, no error */
		_exit(0);
	}
	EXPECT_EQ(exit_code(pid), 0);
}

TEST(setsid_makes_a_new_session_and_group)
{
	pid_t pid = fork();

	if (pid == 0) {
		pid_t old_sid = getsid(0);
		CHILD_CHECK(setsid() == getpid(), 1);
		CHILD_CHECK(getsid(0) == getpid(), 2);
		CHILD_CHECK(getpgrp() == getpid(), 3);
		CHILD_CHECK(getsid(getppid()) == old_sid, 4);
		CHILD_CHECK(setsid() == -1 && errno == EPERM, 5);
		_exit(0);
	}
	EXPECT_EQ(exit_code(pid), 0);
}

/* setsid(2): EPERM when "The process group ID of any process equals the
 * PID of the calling process", even when the caller left that group. */
TEST(setsid_when_a_group_has_the_callers_pid_is_eperm)
{
	pid_t pid = fork();

	if (pid == 0) {
		pid_t old = getpgrp();
		int hold[2];
		CHILD_CHECK(setpgid(0, 0) == 0, 1);
		CHILD_CHECK(setsid() == -1 && errno == EPERM, 2);
		CHILD_CHECK(pipe(hold) == 0, 3);
		pid_t member = fork();
		if (member == 0) {
			char b;
			close(hold[1]);
			_exit(read(hold[0], &b, 1) == 0 ? 0 : 1);
		}
		close(hold[0]);
		CHILD_CHECK(setpgid(0, old) == 0, 4);
		CHILD_CHECK(getpgid(member) == getpid(), 5);
		CHILD_CHECK(setsid() == -1 && errno == EPERM, 6);
		close(hold[1]);
		CHILD_CHECK(exit_code(member) == 0, 7);
		/* The group is gone with its last member. */
		CHILD_CHECK(setsid() == getpid(), 8);
		_exit(0);
	}
	EXPECT_EQ(exit_code(pid), 0);
}
