/* Processes: fork, vfork, clone of a process, execve (ELF and #!
 * scripts), wait4 and waitid, and what a child inherits. */
#define TEST_WORKDIR
#include "test.h"

#include <linux/sched.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* A child that exits with CODE at once. */
static pid_t spawn_exit(int code)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(code);
	return pid;
}

TEST(fork_returns_zero_in_the_child_and_its_pid_in_the_parent)
{
	int status;
	pid_t pid = fork();
	if (pid == 0)
		_exit(getppid() > 0 && getpid() != 0 ? 0 : 1);
	ASSERT_GE(pid, 1);
	EXPECT_EQ(wait4(pid, &status, 0, NULL), pid);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(child_sees_its_parent_as_getppid)
{
	int status;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0)
		_exit(getppid() == parent ? 0 : 1);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

/* fork(2): the child's memory is a copy; its writes stay its own. */
TEST(fork_copies_memory)
{
	static volatile int shared_looking = 1;
	int status;
	pid_t pid = fork();
	if (pid == 0) {
		shared_looking = 2;
		_exit(shared_looking == 2 ? 0 : 1);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 0);
	EXPECT_EQ(shared_looking, 1);
}

TEST(fork_shares_open_files_and_their_offsets)
{
	int status, fd;
	char buf[8] = { 0 };
	ASSERT_OK(fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0600));
	pid_t pid = fork();
	if (pid == 0)
		_exit(write(fd, "child", 5) == 5 ? 0 : 1);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 0);
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 5);
	EXPECT_EQ(pread(fd, buf, 5, 0), 5);
	EXPECT_STREQ(buf, "child");
	close(fd);
}

TEST(wait_status_carries_the_exit_code)
{
	int status;
	pid_t pid = spawn_exit(42);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 42);
}

TEST(wait_status_carries_a_fatal_fault)
{
	int status;
	pid_t pid = fork();
	if (pid == 0) {
		volatile int *p = NULL;
		signal(SIGSEGV, SIG_DFL);	/* the harness catches it otherwise */
		_exit(*p);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(WTERMSIG(status), SIGSEGV);
}

TEST(wait_without_children_is_echild)
{
	EXPECT_ERRNO(wait4(-1, NULL, WNOHANG, NULL), ECHILD);
	EXPECT_ERRNO(waitpid(1 << 22, NULL, 0), ECHILD);
}

TEST(wait_with_bad_options_is_einval)
{
	EXPECT_ERRNO(wait4(-1, NULL, 0x40000000 >> 4, NULL), EINVAL);
}

/* A zombie stays until reaped: WNOWAIT peeks, a later wait reaps. */
TEST(waitid_reports_and_wnowait_keeps_the_zombie)
{
	siginfo_t si;
	pid_t pid = spawn_exit(3);
	ASSERT_GE(pid, 1);
	memset(&si, 0, sizeof(si));
	ASSERT_OK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
	EXPECT_EQ(si.si_pid, pid);
	EXPECT_EQ(si.si_signo, SIGCHLD);
	EXPECT_EQ(si.si_code, CLD_EXITED);
	EXPECT_EQ(si.si_status, 3);
	memset(&si, 0, sizeof(si));
	ASSERT_OK(waitid(P_PID, (id_t)pid, &si, WEXITED));
	EXPECT_EQ(si.si_pid, pid);
	EXPECT_ERRNO(waitid(P_PID, (id_t)pid, &si, WEXITED), ECHILD);
}

TEST(waitid_needs_an_event_to_wait_for)
{
	siginfo_t si;
	EXPECT_ERRNO(waitid(P_ALL, 0, &si, WNOHANG), EINVAL);
}

/* WNOHANG with a live child: 0, and waitid leaves si_pid 0. */
TEST(wnohang_returns_zero_while_the_child_runs)
{
	int status;
	pid_t pid = fork();
	if (pid == 0) {
		usleep(200000);
		_exit(0);
	}
	EXPECT_EQ(waitpid(pid, &status, WNOHANG), 0);
	EXPECT_EQ(waitpid(pid, &status, 0), pid);
}

TEST(vfork_parent_resumes_after_the_child_exits)
{
	int status;
	pid_t pid = vfork();
	if (pid == 0)
		_exit(5);
	ASSERT_GE(pid, 1);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 5);
}

TEST(clone_child_settid_writes_the_pid_in_the_child)
{
	static pid_t tid_seen;
	int status;
	long pid = syscall(SYS_clone, CLONE_CHILD_SETTID | SIGCHLD, 0, NULL, &tid_seen, 0);
	if (pid == 0)
		_exit(tid_seen == getpid() ? 0 : 1);
	ASSERT_GE(pid, 1);
	ASSERT_EQ(waitpid((pid_t)pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 0);
	EXPECT_EQ(tid_seen, 0);	/* the parent's copy is untouched */
}

TEST(clone_sighand_without_vm_is_einval)
{
	EXPECT_ERRNO(syscall(SYS_clone, CLONE_SIGHAND | SIGCHLD, 0, NULL, NULL, 0), EINVAL);
}

/* execve of a #! script runs its interpreter with the script's path. */
TEST(execve_runs_a_shebang_script)
{
	int status;
	ASSERT_OK(test_write_file("s.sh", "#!/bin/sh\nexit 9\n"));
	ASSERT_OK(chmod("s.sh", 0755));
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "s.sh", NULL };
		execve("./s.sh", argv, environ);
		_exit(100 + errno);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 9);
}

TEST(execve_errors)
{
	char *argv[] = { "x", NULL };
	EXPECT_ERRNO(execve("nonexistent", argv, environ), ENOENT);
	ASSERT_OK(test_write_file("text", "just text\n"));
	ASSERT_OK(chmod("text", 0755));
	EXPECT_ERRNO(execve("./text", argv, environ), ENOEXEC);
	ASSERT_OK(chmod("text", 0644));
	EXPECT_ERRNO(execve("./text", argv, environ), EACCES);
	EXPECT_ERRNO(execve(".", argv, environ), EACCES);
	EXPECT_ERRNO(syscall(SYS_execve, 1L, argv, environ), EFAULT);
}

/* Runs execveat(DIRFD, PATH, FLAGS) in a child; its exit status, or
 * 100 + errno if execveat failed. */
static int execveat_status(int dirfd, const char *path, int flags)
{
	int status;
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "prog", NULL };
		syscall(SYS_execveat, dirfd, path, argv, environ, flags);
		_exit(100 + errno);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WEXITSTATUS(status);
}

/* execveat runs a program relative to a directory fd, or the file an fd
 * refers to with AT_EMPTY_PATH (fexecve); scripts get /dev/fd/N paths. */
TEST(execveat_runs_relative_to_a_directory_or_an_fd)
{
	ASSERT_OK(test_write_file("s.sh", "#!/bin/sh\nexit 5\n"));
	ASSERT_OK(chmod("s.sh", 0755));
	ASSERT_OK(symlink("s.sh", "link"));
	int dir = open(".", O_RDONLY | O_DIRECTORY);
	int fd = open("s.sh", O_RDONLY);
	ASSERT_OK(dir);
	ASSERT_OK(fd);
	EXPECT_EQ(execveat_status(dir, "s.sh", 0), 5);
	EXPECT_EQ(execveat_status(fd, "", AT_EMPTY_PATH), 5);
	EXPECT_EQ(execveat_status(dir, "link", 0), 5);
	EXPECT_EQ(execveat_status(dir, "link", AT_SYMLINK_NOFOLLOW), 100 + ELOOP);
	EXPECT_EQ(execveat_status(fd, "", 0), 100 + ENOENT);
	EXPECT_EQ(execveat_status(fd, "s.sh", 0), 100 + ENOTDIR);
	EXPECT_EQ(execveat_status(dir, "s.sh", 0x8000), 100 + EINVAL);
	EXPECT_EQ(execveat_status(-1, "s.sh", 0), 100 + EBADF);
	close(dir);
	close(fd);
}

/* close-on-exec fds are gone in the new image; others stay. */
TEST(execve_closes_cloexec_fds)
{
	int status, keep, drop;
	ASSERT_OK(keep = open("/dev/null", O_RDONLY));
	ASSERT_OK(drop = open("/dev/null", O_RDONLY | O_CLOEXEC));
	char script[128];
	snprintf(script, sizeof(script), "#!/bin/sh\n[ -e /proc/self/fd/%d ] && ! [ -e /proc/self/fd/%d ]\n",
		 keep, drop);
	ASSERT_OK(test_write_file("fds.sh", script));
	ASSERT_OK(chmod("fds.sh", 0755));
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "fds.sh", NULL };
		execve("./fds.sh", argv, environ);
		_exit(127);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 0);
	close(keep);
	close(drop);
}

/* In a child: exit with CODE unless COND holds. */
#define CHILD_CHECK(cond, code) do { if (!(cond)) _exit(code); } while (0)

/* Polls getppid() until it is no longer FROM (up to 10 s); returns it. */
static pid_t wait_ppid_change(pid_t from)
{
	for (int i = 0; i < 10000 && getppid() == from; i++)
		usleep(1000);
	return getppid();
}

/* prctl(2): PR_SET_CHILD_SUBREAPER takes any nonzero as "set"; fork does
 * not pass the attribute on. */
TEST(child_subreaper_attribute_is_set_cleared_and_not_inherited)
{
	int status;
	pid_t pid = fork();
	if (pid == 0) {
		int v = -1;
		CHILD_CHECK(prctl(PR_GET_CHILD_SUBREAPER, &v) == 0 && v == 0, 1);
		CHILD_CHECK(prctl(PR_SET_CHILD_SUBREAPER, 7) == 0, 2);
		CHILD_CHECK(prctl(PR_GET_CHILD_SUBREAPER, &v) == 0 && v == 1, 3);
		pid_t c = fork();
		if (c == 0)
			_exit(prctl(PR_GET_CHILD_SUBREAPER, &v) == 0 ? v : 2);
		CHILD_CHECK(waitpid(c, &status, 0) == c && WEXITSTATUS(status) == 0, 4);
		CHILD_CHECK(prctl(PR_GET_CHILD_SUBREAPER, test_bad_ptr()) == -1 && errno == EFAULT, 5);
		CHILD_CHECK(prctl(PR_SET_CHILD_SUBREAPER, 0) == 0, 6);
		CHILD_CHECK(prctl(PR_GET_CHILD_SUBREAPER, &v) == 0 && v == 0, 7);
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

/* A grandchild orphaned by its parent goes to the subreaper, which sees
 * it as its child and reaps it. */
TEST(an_orphan_goes_to_the_subreaper)
{
	int status;
	pid_t pid = fork();
	if (pid == 0) {
		pid_t subreaper = getpid();
		int p[2];
		CHILD_CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0, 1);
		CHILD_CHECK(pipe(p) == 0, 2);
		pid_t middle = fork();
		if (middle == 0) {
			pid_t parent = getpid();
			pid_t orphan = fork();
			if (orphan == 0)
				_exit(wait_ppid_change(parent) == subreaper ? 0 : 1);
			_exit(write(p[1], &orphan, sizeof(orphan)) == sizeof(orphan) ? 0 : 1);
		}
		pid_t orphan = 0;
		CHILD_CHECK(read(p[0], &orphan, sizeof(orphan)) == sizeof(orphan), 3);
		CHILD_CHECK(waitpid(middle, &status, 0) == middle && WEXITSTATUS(status) == 0, 4);
		CHILD_CHECK(waitpid(orphan, &status, 0) == orphan, 5);
		CHILD_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, 6);
		CHILD_CHECK(wait(NULL) == -1 && errno == ECHILD, 7);
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

/* The nearest subreaper takes the orphan; when it dies in turn, the next
 * one up does. */
TEST(an_orphan_goes_to_the_nearest_living_subreaper)
{
	int status;
	pid_t pid = fork();
	if (pid == 0) {
		pid_t outer = getpid();
		int seen[2];
		CHILD_CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0, 1);
		CHILD_CHECK(pipe(seen) == 0, 2);
		pid_t inner = fork();
		if (inner == 0) {
			char b;
			inner = getpid();
			CHILD_CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0, 1);
			pid_t middle = fork();
			if (middle == 0) {
				pid_t parent = getpid();
				if (fork() == 0) {
					pid_t first = wait_ppid_change(parent);
					CHILD_CHECK(write(seen[1], "x", 1) == 1, 1);
					pid_t second = wait_ppid_change(first);
					_exit(first == inner && second == outer ? 0 : 1);
				}
				_exit(0);
			}
			CHILD_CHECK(waitpid(middle, NULL, 0) == middle, 2);
			/* Die without reaping, once the orphan has seen us. */
			CHILD_CHECK(read(seen[0], &b, 1) == 1, 3);
			_exit(0);
		}
		CHILD_CHECK(waitpid(inner, &status, 0) == inner && WEXITSTATUS(status) == 0, 3);
		pid_t orphan = wait(&status);
		CHILD_CHECK(orphan > 0 && orphan != inner, 4);
		CHILD_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, 5);
		_exit(outer == getpid() ? 0 : 6);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 0);
}
