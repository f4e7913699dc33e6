/* clone3: struct clone_args of each size, Linux's validation of it,
 * fork-like and thread-like children (one on a stack of its own),
 * exit_signal, CLONE_CLEAR_SIGHAND, set_tid and CLONE_INTO_CGROUP. */
#include "test.h"

#include <linux/futex.h>
#include <linux/sched.h>

static long clone3(struct clone_args *args, size_t size)
{
	return syscall(SYS_clone3, args, size);
}

/* A fork-like clone3 of SIZE bytes of ARGS (a buffer at least that big);
 * returns the child's exit status, or -1 with errno if clone3 failed. */
static int fork_like(void *args, size_t size)
{
	long pid = clone3(args, size);
	if (pid == 0)
		_exit(7);
	if (pid < 0)
		return -1;
	int status = test_wait((pid_t)pid, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + status;
}

TEST(each_size_linux_knows_works)
{
	const size_t sizes[] = { CLONE_ARGS_SIZE_VER0, CLONE_ARGS_SIZE_VER1, CLONE_ARGS_SIZE_VER2 };
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct clone_args args = { .exit_signal = SIGCHLD };
		EXPECT_EQ(fork_like(&args, sizes[i]), 7);
	}
}

/* A newer, longer struct is fine as long as what we do not know of it
 * is zero (copy_struct_from_user). */
TEST(a_longer_struct_needs_a_zero_tail)
{
	char buf[256] = { 0 };
	struct clone_args *args = (struct clone_args *)buf;
	args->exit_signal = SIGCHLD;
	EXPECT_EQ(fork_like(buf, sizeof(buf)), 7);
	buf[200] = 1;
	EXPECT_ERRNO(fork_like(buf, sizeof(buf)), E2BIG);
	buf[200] = 0;
	static char page[8192];
	memcpy(page, buf, sizeof(buf));
	EXPECT_ERRNO(fork_like(page, 4097), E2BIG);
	EXPECT_ERRNO(fork_like(buf, CLONE_ARGS_SIZE_VER0 - 8), EINVAL);
	EXPECT_ERRNO(fork_like(buf, 0), EINVAL);
	EXPECT_ERRNO(clone3(test_bad_ptr(), CLONE_ARGS_SIZE_VER0), EFAULT);
}

TEST(bad_arguments_are_einval)
{
	struct clone_args args;
	int stack[64];
#define EXPECT_CLONE3_EINVAL(...)                                            \
	do {                                                                 \
		args = (struct clone_args){ __VA_ARGS__ };                   \
		EXPECT_ERRNO(fork_like(&args, sizeof(args)), EINVAL);        \
	} while (0)
	EXPECT_CLONE3_EINVAL(.exit_signal = 65);
	EXPECT_CLONE3_EINVAL(.exit_signal = 1ULL << 32 | SIGCHLD);
	/* The exit signal has its own field: the CSIGNAL bits of flags
	 * (bar CLONE_NEWTIME) and CLONE_DETACHED are not flags. */
	EXPECT_CLONE3_EINVAL(.flags = SIGCHLD);
	EXPECT_CLONE3_EINVAL(.flags = CLONE_DETACHED, .exit_signal = SIGCHLD);
	EXPECT_CLONE3_EINVAL(.flags = 1ULL << 40, .exit_signal = SIGCHLD);
	EXPECT_CLONE3_EINVAL(.flags = CLONE_SIGHAND | CLONE_VM | CLONE_CLEAR_SIGHAND);
	EXPECT_CLONE3_EINVAL(.flags = CLONE_PARENT, .exit_signal = SIGCHLD);
	EXPECT_CLONE3_EINVAL(.flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM,
			     .exit_signal = SIGCHLD);
	EXPECT_CLONE3_EINVAL(.stack = (uintptr_t)stack, .exit_signal = SIGCHLD);
	EXPECT_CLONE3_EINVAL(.stack_size = sizeof(stack), .exit_signal = SIGCHLD);
	EXPECT_CLONE3_EINVAL(.stack = -4096ULL, .stack_size = 8192, .exit_signal = SIGCHLD);
	EXPECT_CLONE3_EINVAL(.set_tid_size = 1, .exit_signal = SIGCHLD);
	EXPECT_CLONE3_EINVAL(.set_tid = (uintptr_t)stack, .exit_signal = SIGCHLD);
	EXPECT_CLONE3_EINVAL(.set_tid = (uintptr_t)stack, .set_tid_size = 33,
			     .exit_signal = SIGCHLD);
	EXPECT_CLONE3_EINVAL(.flags = CLONE_INTO_CGROUP, .cgroup = 1ULL << 31,
			     .exit_signal = SIGCHLD);
	/* The flags' rules of clone itself. */
	EXPECT_CLONE3_EINVAL(.flags = CLONE_SIGHAND, .exit_signal = SIGCHLD);
	EXPECT_CLONE3_EINVAL(.flags = CLONE_THREAD | CLONE_VM);
	EXPECT_CLONE3_EINVAL(.flags = CLONE_FS | CLONE_NEWNS, .exit_signal = SIGCHLD);
#undef EXPECT_CLONE3_EINVAL
	/* CLONE_INTO_CGROUP needs the version 2 struct, with the field. */
	args = (struct clone_args){ .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD };
	EXPECT_ERRNO(fork_like(&args, CLONE_ARGS_SIZE_VER1), EINVAL);
}

/* An fd that is not a cgroup2 directory is refused. */
TEST(clone_into_cgroup_wants_a_cgroup_directory)
{
	int fd = open("/", O_RDONLY | O_DIRECTORY);
	ASSERT_OK(fd);
	struct clone_args args = { .flags = CLONE_INTO_CGROUP, .cgroup = (uint64_t)fd,
				   .exit_signal = SIGCHLD };
	EXPECT_ERRNO(fork_like(&args, sizeof(args)), EBADF);
	close(fd);
}

TEST(fork_like_clone3_sets_the_tids_asked_for)
{
	static pid_t parent_word, child_word;
	struct clone_args args = { .flags = CLONE_PARENT_SETTID | CLONE_CHILD_SETTID,
				   .parent_tid = (uintptr_t)&parent_word,
				   .child_tid = (uintptr_t)&child_word,
				   .exit_signal = SIGCHLD };
	long pid = clone3(&args, sizeof(args));
	if (pid == 0)
		_exit(child_word == getpid() ? 0 : 1);
	ASSERT_OK(pid);
	EXPECT_EQ(parent_word, pid);
	EXPECT_EQ(test_wait((pid_t)pid, 0), 0);
}

static volatile sig_atomic_t exit_signals;

static void on_exit_signal(int sig __attribute__((unused)))
{
	exit_signals++;
}

/* The child's end is told with the signal asked for; a child that does
 * not send SIGCHLD is waited for with __WALL. */
TEST(exit_signal_is_the_one_asked_for)
{
	test_set_handler(SIGUSR2, on_exit_signal, 0);
	exit_signals = 0;
	struct clone_args args = { .exit_signal = SIGUSR2 };
	long pid = clone3(&args, sizeof(args));
	if (pid == 0)
		_exit(0);
	ASSERT_OK(pid);
	EXPECT_EQ(test_wait((pid_t)pid, __WALL), 0);
	EXPECT_EQ(exit_signals, 1);
	signal(SIGUSR2, SIG_DFL);
}

static void on_usr1(int sig __attribute__((unused)))
{
}

/* CLONE_CLEAR_SIGHAND: handlers are back to SIG_DFL, ignored signals
 * stay ignored. */
TEST(clone_clear_sighand_resets_handlers)
{
	test_set_handler(SIGUSR1, on_usr1, 0);
	signal(SIGUSR2, SIG_IGN);
	struct clone_args args = { .flags = CLONE_CLEAR_SIGHAND, .exit_signal = SIGCHLD };
	long pid = clone3(&args, sizeof(args));
	if (pid == 0) {
		struct sigaction usr1, usr2;
		sigaction(SIGUSR1, NULL, &usr1);
		sigaction(SIGUSR2, NULL, &usr2);
		_exit(usr1.sa_handler == SIG_DFL && usr2.sa_handler == SIG_IGN ? 0 : 1);
	}
	ASSERT_OK(pid);
	EXPECT_EQ(test_wait((pid_t)pid, 0), 0);
	struct sigaction now;
	sigaction(SIGUSR1, NULL, &now);
	EXPECT_TRUE(now.sa_handler == on_usr1);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

/* Whether we hold CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE, which
 * choosing a pid needs. */
static bool may_set_tid(void)
{
	char buf[4096];
	if (test_read_file("/proc/self/status", buf, sizeof(buf)) < 0)
		return false;
	const char *eff = strstr(buf, "CapEff:");
	if (!eff)
		return false;
	unsigned long long caps = strtoull(eff + 7, NULL, 16);
	return caps & (1ULL << 21 | 1ULL << 40);
}

/* set_tid: a pid in use is EEXIST for whoever may choose pids. */
TEST(set_tid_of_a_pid_in_use)
{
	pid_t want[1] = { getpid() };
	struct clone_args args = { .set_tid = (uintptr_t)want, .set_tid_size = 1,
				   .exit_signal = SIGCHLD };
	EXPECT_ERRNO(fork_like(&args, sizeof(args)), may_set_tid() ? EEXIST : EPERM);
	want[0] = -5;
	EXPECT_ERRNO(fork_like(&args, sizeof(args)), EINVAL);
	args.set_tid = (uintptr_t)test_bad_ptr();
	EXPECT_ERRNO(fork_like(&args, sizeof(args)), EFAULT);
}

/* set_tid: whoever may choose gets the pid asked for, if it is free. */
TEST(set_tid_gives_the_child_that_pid)
{
	if (!may_set_tid())
		SKIP("needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE");
	/* Some pid a little above ours is free. */
	for (pid_t want = getpid() + 1000; want < getpid() + 1100; want++) {
		pid_t set_tid[1] = { want };
		struct clone_args args = { .set_tid = (uintptr_t)set_tid, .set_tid_size = 1,
					   .exit_signal = SIGCHLD };
		long pid = clone3(&args, sizeof(args));
		if (pid == 0)
			_exit(getpid() == want ? 0 : 1);
		if (pid < 0 && errno == EEXIST)
			continue;
		ASSERT_OK(pid);
		EXPECT_EQ(pid, want);
		EXPECT_EQ(test_wait((pid_t)pid, 0), 0);
		return;
	}
	EXPECT_TRUE(!"no free pid found");
}

/* The thread-like child runs here, on its own stack, with the parent's
 * TLS: it touches nothing but its argument. */
static int thread_body(void *arg)
{
	*(volatile int *)arg = 42;
	return 0;
}

/* clone3 whose child calls FN(ARG) on the stack ARGS gives it and then
 * exit(2)s, never returning into this frame (as glibc's clone3.S). */
static long clone3_run(struct clone_args *args, int (*fn)(void *), void *arg)
{
	register void *r12 __asm__("r12") = arg;
	register void *r13 __asm__("r13") = (void *)fn;
	long ret;
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "mov %%r12, %%rdi\n\t"
			 "call *%%r13\n\t"
			 "mov %%eax, %%edi\n\t"
			 "mov %[exit], %%eax\n\t"
			 "syscall\n\t"
			 "hlt\n"
			 "1:"
			 : "=a"(ret)
			 : "0"((long)SYS_clone3), "D"(args), "S"(sizeof(*args)), "r"(r12),
			   "r"(r13), [exit] "i"(SYS_exit)
			 : "rcx", "r11", "memory");
	return ret;
}

TEST(thread_like_clone3_runs_on_its_stack)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	static volatile int done;
	static pid_t parent_word, tid_word;
	done = 0;
	/* The child writes its tid there when it starts, and clears it at
	 * exit: until then, not 0. */
	tid_word = -1;
	struct clone_args args = {
		.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			 CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
			 CLONE_CHILD_CLEARTID,
		.parent_tid = (uintptr_t)&parent_word,
		.child_tid = (uintptr_t)&tid_word,
		.stack = (uintptr_t)stack,
		.stack_size = sizeof(stack),
	};
	long tid = clone3_run(&args, thread_body, (void *)&done);
	ASSERT_OK(tid);
	EXPECT_EQ(parent_word, tid);
	/* The thread's exit clears the tid word and wakes us. */
	for (;;) {
		pid_t seen = __atomic_load_n(&tid_word, __ATOMIC_ACQUIRE);
		if (!seen)
			break;
		syscall(SYS_futex, &tid_word, FUTEX_WAIT, seen, NULL, NULL, 0);
	}
	EXPECT_EQ(done, 42);
}
