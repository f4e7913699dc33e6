/* A tiny self-checking harness for the syscall conformance tests.
 *
 * Each tests/syscalls/<area>.c includes this header first, defines tests
 * with TEST(name) { ... } and nothing else: main() is here. A program runs
 * every test in definition order (or, given test names as arguments, only
 * those), prints one line per failed expectation and a summary, and exits
 *     0   all tests passed (some may have been skipped),
 *     1   at least one expectation failed,
 *     125 every test was skipped (the environment lacks the feature).
 *
 * Expectations (each evaluates its arguments exactly once):
 *     EXPECT_OK(expr)            expr >= 0 (a syscall that succeeded)
 *     EXPECT_ERRNO(expr, ERRNO)  expr == -1 and errno == ERRNO
 *     EXPECT_EQ(a, b), EXPECT_NE, EXPECT_GE, EXPECT_LE   integer comparisons
 *     EXPECT_STREQ(a, b)         C strings equal
 *     EXPECT_MEMEQ(a, b, n)      n bytes equal
 *     EXPECT_TRUE(cond)
 * EXPECT_* record a failure and go on; the ASSERT_* twins also return from
 * the test function (for when the rest of the test would be meaningless).
 * SKIP("why") marks the current test skipped and returns.
 *
 * A program that defines TEST_WORKDIR before including this header gets a
 * fresh directory under $TMPDIR or /tmp (mkdtemp), and each test starts
 * with its own empty subdirectory of it as the current directory. Every
 * test starts with umask 022. The directory is removed at exit (not after
 * a crash: run.sh points TMPDIR at a directory it removes itself).
 * test_workdir() is the current test's directory, an absolute path;
 * test_start_dir is where the program started (argv[0] may be relative
 * to it).
 *
 * Calls go through glibc where glibc passes them straight to the kernel;
 * tests use syscall(2) where glibc would hide the behaviour under test.
 */
#ifndef CVISOR_TESTS_SYSCALLS_TEST_H
#define CVISOR_TESTS_SYSCALLS_TEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Every helper is static: each test program is a single file. */
#define TEST_HELPER static __attribute__((unused))

/* The signals the harness catches to report a crash or a timeout. */
static const int test_fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE,
					  SIGABRT, SIGALRM, SIGSYS };
#define TEST_N_FATAL_SIGNALS \
	((int)(sizeof(test_fatal_signals) / sizeof(test_fatal_signals[0])))

#define TEST_MAX_CASES 256
#define TEST_TIMEOUT_SECONDS 30   /* per test; run.sh bounds the program too */

struct test_case {
	const char *name;
	void (*fn)(void);
};

static struct test_case test_cases[TEST_MAX_CASES];
static int test_ncases;
static const char *test_current = "(setup)";
static int test_current_failures;
static bool test_current_skipped;
static int test_argc;
static char **test_argv;
static char test_root_dir[PATH_MAX / 2]; /* the mkdtemp directory, or "" */
static char test_dir_path[PATH_MAX];     /* the current test's directory */
static char test_start_dir[PATH_MAX];    /* the cwd the program started in */

TEST_HELPER void test_register(const char *name, void (*fn)(void))
{
	if (test_ncases == TEST_MAX_CASES) {
		fprintf(stderr, "test.h: more than %d tests\n", TEST_MAX_CASES);
		exit(1);
	}
	test_cases[test_ncases].name = name;
	test_cases[test_ncases].fn = fn;
	test_ncases++;
}

/* TEST(name) { body }: defines and registers test_<name>. Constructors run
 * in definition order, so tests run in the order they appear. */
#define TEST(name)                                                        \
	static void test_##name(void);                                    \
	__attribute__((constructor)) static void test_register_##name(void) \
	{                                                                 \
		test_register(#name, test_##name);                        \
	}                                                                 \
	static void test_##name(void)

TEST_HELPER const char *test_workdir(void)
{
	return test_dir_path;
}

/* "ENOENT (No such file or directory)" for an errno value. */
TEST_HELPER const char *test_errno_text(int e)
{
	static char buf[128];
	const char *name = strerrorname_np(e);

	snprintf(buf, sizeof(buf), "%s (%s)", name ? name : "?", strerror(e));
	return buf;
}

TEST_HELPER void test_fail_header(const char *file, int line, const char *what)
{
	test_current_failures++;
	printf("FAIL %s: %s:%d: %s\n", test_current, file, line, what);
}

TEST_HELPER bool test_check_ok(long got, int err, const char *expr,
			       const char *file, int line)
{
	if (got >= 0)
		return true;
	test_fail_header(file, line, expr);
	printf("    expected success (>= 0), got %ld, errno %s\n", got,
	       test_errno_text(err));
	return false;
}

TEST_HELPER bool test_check_errno(long got, int err, int want,
				  const char *expr, const char *want_name,
				  const char *file, int line)
{
	if (got == -1 && err == want)
		return true;
	test_fail_header(file, line, expr);
	printf("    expected -1 with errno %s\n", want_name);
	if (got == -1)
		printf("    got -1 with errno %s\n", test_errno_text(err));
	else
		printf("    got %ld (no error)\n", got);
	return false;
}

TEST_HELPER bool test_check_cmp(bool ok, long long a, long long b, int err,
				const char *a_expr, const char *op,
				const char *b_expr, const char *file, int line)
{
	char what[512];

	if (ok)
		return true;
	snprintf(what, sizeof(what), "%s %s %s", a_expr, op, b_expr);
	test_fail_header(file, line, what);
	printf("    left:  %lld (%#llx)\n", a, (unsigned long long)a);
	printf("    right: %lld (%#llx)\n", b, (unsigned long long)b);
	if (a == -1 && err != 0)
		printf("    errno: %s\n", test_errno_text(err));
	return false;
}

TEST_HELPER bool test_check_streq(const char *a, const char *b,
				  const char *a_expr, const char *b_expr,
				  const char *file, int line)
{
	char what[512];

	if (a && b && strcmp(a, b) == 0)
		return true;
	snprintf(what, sizeof(what), "%s == %s", a_expr, b_expr);
	test_fail_header(file, line, what);
	printf("    left:  %s%s%s\n", a ? "\"" : "", a ? a : "NULL",
	       a ? "\"" : "");
	printf("    right: %s%s%s\n", b ? "\"" : "", b ? b : "NULL",
	       b ? "\"" : "");
	return false;
}

TEST_HELPER bool test_check_memeq(const void *a, const void *b, size_t n,
				  const char *a_expr, const char *b_expr,
				  const char *file, int line)
{
	const unsigned char *pa = a, *pb = b;
	char what[512];
	size_t i;

	if (memcmp(a, b, n) == 0)
		return true;
	for (i = 0; pa[i] == pb[i]; i++)
		;
	snprintf(what, sizeof(what), "%s == %s (%zu bytes)", a_expr, b_expr, n);
	test_fail_header(file, line, what);
	printf("    first difference at byte %zu: %#04x vs %#04x\n", i, pa[i],
	       pb[i]);
	return false;
}

TEST_HELPER bool test_check_true(bool ok, int err, const char *expr,
				 const char *file, int line)
{
	if (ok)
		return true;
	test_fail_header(file, line, expr);
	if (err != 0)
		printf("    expected true, got false (errno %s)\n",
		       test_errno_text(err));
	else
		printf("    expected true, got false\n");
	return false;
}

/* The checks, as expressions yielding true when the expectation held.
 * The public macros stringify their arguments themselves, so a failure
 * shows the expression as written, before macro expansion. */
#define TEST_OK_(expr, text) ({                                           \
	errno = 0;                                                        \
	long test_got_ = (long)(expr);                                    \
	test_check_ok(test_got_, errno, text, __FILE__, __LINE__);        \
})
#define TEST_ERRNO_(expr, want, text, want_text) ({                       \
	errno = 0;                                                        \
	long test_got_ = (long)(expr);                                    \
	test_check_errno(test_got_, errno, (want), text, want_text,       \
			 __FILE__, __LINE__);                             \
})
#define TEST_CMP_(a, op, b, a_text, b_text) ({                            \
	errno = 0;                                                        \
	long long test_a_ = (long long)(a);                               \
	long long test_b_ = (long long)(b);                               \
	test_check_cmp(test_a_ op test_b_, test_a_, test_b_, errno,       \
		       a_text, #op, b_text, __FILE__, __LINE__);          \
})
#define TEST_TRUE_(cond, text) ({                                         \
	errno = 0;                                                        \
	bool test_ok_ = (cond);                                           \
	test_check_true(test_ok_, errno, text, __FILE__, __LINE__);       \
})
#define TEST_STREQ_(a, b, a_text, b_text) \
	test_check_streq((a), (b), a_text, b_text, __FILE__, __LINE__)

#define EXPECT_OK(expr)          TEST_OK_(expr, #expr)
#define EXPECT_ERRNO(expr, want) TEST_ERRNO_(expr, want, #expr, #want)
#define EXPECT_EQ(a, b)          TEST_CMP_(a, ==, b, #a, #b)
#define EXPECT_NE(a, b)          TEST_CMP_(a, !=, b, #a, #b)
#define EXPECT_GE(a, b)          TEST_CMP_(a, >=, b, #a, #b)
#define EXPECT_LE(a, b)          TEST_CMP_(a, <=, b, #a, #b)
#define EXPECT_STREQ(a, b)       TEST_STREQ_(a, b, #a, #b)
#define EXPECT_MEMEQ(a, b, n) \
	test_check_memeq((a), (b), (n), #a, #b, __FILE__, __LINE__)
#define EXPECT_TRUE(cond)        TEST_TRUE_(cond, #cond)

#define TEST_RETURN_UNLESS_(check) do { if (!(check)) return; } while (0)
#define ASSERT_OK(expr)          TEST_RETURN_UNLESS_(TEST_OK_(expr, #expr))
#define ASSERT_ERRNO(expr, want) \
	TEST_RETURN_UNLESS_(TEST_ERRNO_(expr, want, #expr, #want))
#define ASSERT_EQ(a, b)     TEST_RETURN_UNLESS_(TEST_CMP_(a, ==, b, #a, #b))
#define ASSERT_NE(a, b)     TEST_RETURN_UNLESS_(TEST_CMP_(a, !=, b, #a, #b))
#define ASSERT_GE(a, b)     TEST_RETURN_UNLESS_(TEST_CMP_(a, >=, b, #a, #b))
#define ASSERT_LE(a, b)     TEST_RETURN_UNLESS_(TEST_CMP_(a, <=, b, #a, #b))
#define ASSERT_STREQ(a, b)  TEST_RETURN_UNLESS_(TEST_STREQ_(a, b, #a, #b))
#define ASSERT_TRUE(cond)   TEST_RETURN_UNLESS_(TEST_TRUE_(cond, #cond))

#define SKIP(why) do {                                                    \
	printf("SKIP %s: %s\n", test_current, (why));                     \
	test_current_skipped = true;                                      \
	return;                                                           \
} while (0)

/* Small helpers shared by the areas. */

/* Creates (or truncates) path with the given contents; returns 0 or -1. */
TEST_HELPER int test_write_file(const char *path, const char *contents)
{
	size_t len = strlen(contents);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	if (write(fd, contents, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Reads up to size-1 bytes of path into buf, NUL-terminated; returns the
 * length or -1. Reads until EOF: files under /proc report size 0. */
TEST_HELPER ssize_t test_read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	close(fd);
	return n < 0 ? -1 : (ssize_t)len;
}

/* test_read_file of /proc/self/fdinfo/<fd>. */
TEST_HELPER ssize_t test_read_fdinfo(int fd, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return test_read_file(path, buf, size);
}

/* An address no mapping covers, for EFAULT tests; opaque to the compiler
 * so it does not warn about passing it where a buffer is expected. */
TEST_HELPER void *test_bad_ptr(void)
{
	volatile uintptr_t addr = 1;

	return (void *)addr;
}

/* The time of CLOCK in nanoseconds. */
TEST_HELPER long long test_clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Monotonic time in nanoseconds. */
TEST_HELPER long long test_now_ns(void)
{
	return test_clock_ns(CLOCK_MONOTONIC);
}

/* Sleeps at least MS milliseconds, signals or not. */
TEST_HELPER void test_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A timer setting (timer_settime, timerfd_settime) in milliseconds. */
TEST_HELPER struct itimerspec test_itimerspec_ms(long ms, long interval_ms)
{
	return (struct itimerspec){
		.it_value = { ms / 1000, ms % 1000 * 1000000 },
		.it_interval = { interval_ms / 1000, interval_ms % 1000 * 1000000 },
	};
}

/* Creates in *TIMER a one-shot CLOCK_MONOTONIC timer that sends SIG to
 * this process in MS milliseconds (re-arm it with timer_settime). 0, or
 * -1 with errno. */
TEST_HELPER int test_signal_after_ms(int sig, long ms, timer_t *timer)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = sig };
	struct itimerspec its = test_itimerspec_ms(ms, 0);

	if (timer_create(CLOCK_MONOTONIC, &sev, timer) < 0)
		return -1;
	return timer_settime(*timer, 0, &its, NULL);
}

/* --- clean-up at exit ---
 *
 * What a test makes outside its directory (System V IPC ids) is removed
 * when the program exits, even after a failure. */

#define TEST_MAX_REMOVALS 64
static struct { void (*remove)(int id); int id; } test_removals[TEST_MAX_REMOVALS];
static int test_nremovals;

/* Has REMOVE(ID) run at exit when ID is not negative; returns ID. */
TEST_HELPER int test_remove_at_exit(void (*remove)(int id), int id)
{
	if (id >= 0 && test_nremovals < TEST_MAX_REMOVALS)
		test_removals[test_nremovals++] = (typeof(test_removals[0])){ remove, id };
	return id;
}

__attribute__((destructor)) static void test_run_removals(void)
{
	for (int i = 0; i < test_nremovals; i++)
		test_removals[i].remove(test_removals[i].id);
}

/* --- processes and signals ---
 *
 * A forked child may use the EXPECT_* macros: a failure prints its FAIL
 * line (stdout is unbuffered) and test_child_exit() turns the child's
 * count into its exit status for the parent to check. ASSERT_* return
 * from the function they are in, so a child's code belongs in its own
 * function, followed by test_child_exit(). */

/* fork() for tests. In the child the harness's handlers for fatal signals
 * are back to SIG_DFL (a child meant to crash dies of the real signal, not
 * of the harness's report) and the failure count starts at zero. */
TEST_HELPER pid_t test_fork(void)
{
	pid_t pid = fork();
	int i;

	if (pid == 0) {
		test_current_failures = 0;
		for (i = 0; i < TEST_N_FATAL_SIGNALS; i++)
			signal(test_fatal_signals[i], SIG_DFL);
	}
	return pid;
}

/* In a forked child: exits 0 if every expectation held, 1 otherwise. */
TEST_HELPER void test_child_exit(void)
{
	_exit(test_current_failures ? 1 : 0);
}

/* waitpid(pid, &status, options) retried on EINTR; returns the status,
 * or -1 (with errno) if waitpid failed. Not for WNOHANG: use waitpid. */
TEST_HELPER int test_wait(pid_t pid, int options)
{
	int status;
	pid_t got;

	do
		got = waitpid(pid, &status, options);
	while (got < 0 && errno == EINTR);
	return got < 0 ? -1 : status;
}

/* Runs FN in a forked child (test_fork) and expects it to exit 0: for
 * tests that change what they cannot undo (ids, capabilities, limits).
 * The child's failures print as they happen. */
TEST_HELPER void test_in_child(void (*fn)(void))
{
	pid_t pid = test_fork();

	if (pid == 0) {
		fn();
		test_child_exit();
	}
	ASSERT_OK(pid);
	EXPECT_EQ(test_wait(pid, 0), 0);
}

/* test_wait, giving up after SECONDS: then pid is killed (SIGKILL) and
 * reaped, and the result is -2. For waits that a wrong kernel could make
 * endless in a child process, which the harness's alarm does not cover
 * (the alarm is not inherited). */
TEST_HELPER int test_wait_timeout(pid_t pid, int options, int seconds)
{
	const struct timespec ms = { 0, 1000000 };
	long long deadline = test_now_ns() + seconds * 1000000000LL;
	int status;

	while (test_now_ns() < deadline) {
		pid_t got = waitpid(pid, &status, options | WNOHANG);

		if (got == pid)
			return status;
		if (got < 0 && errno != EINTR)
			return -1;
		nanosleep(&ms, NULL);
	}
	kill(pid, SIGKILL);
	test_wait(pid, 0);
	return -2;
}

/* The state letter of /proc/<pid>/stat (R, S, D, T, t, Z...), or 0. */
TEST_HELPER char test_proc_state(pid_t pid)
{
	char path[64], buf[512];
	const char *paren;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (test_read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	paren = strrchr(buf, ')');	/* the command name may hold spaces */
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

/* Waits until pid is in state STATE (e.g. 'S': blocked interruptibly in
 * a syscall, 'T': stopped), polling every millisecond for up to 10 s.
 * This is how a test makes sure another process is blocked before
 * signalling it, without guessing how long that takes. Returns whether
 * the state was seen: false after 10 s, at once for a zombie, after
 * 0.1 s if /proc cannot say; callers that only synchronise go ahead
 * anyway. */
TEST_HELPER bool test_wait_state(pid_t pid, char state)
{
	const struct timespec ms = { 0, 1000000 };
	int i;

	for (i = 0; i < 10000; i++) {
		char got = test_proc_state(pid);

		if (got == state)
			return true;
		if (got == 'Z' || got == 'X')
			return false;	/* dead: it will not get there */
		if (got == 0) {
			/* No /proc: a guess is better than nothing. */
			const struct timespec guess = { 0, 100000000 };

			nanosleep(&guess, NULL);
			return false;
		}
		nanosleep(&ms, NULL);
	}
	return false;
}

/* Forks a child that does nothing until it is killed: a target for
 * signals, process groups and waits. It exits by itself (status 0) when
 * this process has exited, or after 20 s, so that no test leaves it
 * behind however it fails. It blocks in poll (state 'S'). */
TEST_HELPER pid_t test_spawn_sleeper(void)
{
	static int lifeline[2] = { -1, -1 };	/* only we hold the write end */
	pid_t pid;

	if (lifeline[0] < 0 && pipe2(lifeline, O_CLOEXEC) < 0)
		return -1;
	pid = test_fork();
	if (pid == 0) {
		struct pollfd pfd = { .fd = lifeline[0], .events = POLLIN };
		long long end = test_now_ns() + 20 * 1000000000LL;

		close(lifeline[1]);
		while (test_now_ns() < end &&
		       poll(&pfd, 1, (int)((end - test_now_ns()) / 1000000)) <= 0)
			;
		_exit(0);
	}
	return pid;
}

/* Forks a child that waits until this process is blocked in a syscall,
 * sends it sig and exits (status 0, or 1 if kill failed). The caller
 * then makes the blocking call and reaps the child with test_wait. */
TEST_HELPER pid_t test_signal_when_blocked(int sig)
{
	pid_t parent = getpid();
	pid_t pid = test_fork();

	if (pid == 0) {
		test_wait_state(parent, 'S');
		_exit(kill(parent, sig) == 0 ? 0 : 1);
	}
	return pid;
}

/* sigaction(sig) with an empty sa_mask: fn is a sa_sigaction if flags has
 * SA_SIGINFO, else a sa_handler (SIG_DFL and SIG_IGN included). */
TEST_HELPER int test_set_handler(int sig, void *fn, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	if (flags & SA_SIGINFO)
		sa.sa_sigaction = (void (*)(int, siginfo_t *, void *))fn;
	else
		sa.sa_handler = (void (*)(int))fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

/* sigprocmask(how, {sig}, NULL); returns its result. */
TEST_HELPER int test_mask_signal(int how, int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigprocmask(how, &set, NULL);
}

/* Whether sig is in this thread's signal mask. */
TEST_HELPER bool test_sig_blocked(int sig)
{
	sigset_t set;

	return sigprocmask(SIG_BLOCK, NULL, &set) == 0 &&
	       sigismember(&set, sig) == 1;
}

/* Whether sig is pending (for the thread or the process). */
TEST_HELPER bool test_sig_pending(int sig)
{
	sigset_t set;

	return sigpending(&set) == 0 && sigismember(&set, sig) == 1;
}

/* Diagnostics when a test crashes or hangs: say which one, then die. */
TEST_HELPER void test_on_fatal_signal(int sig)
{
	char msg[256];
	int len;

	if (sig == SIGALRM)
		len = snprintf(msg, sizeof(msg),
			       "FAIL %s: timed out after %ds\n",
			       test_current, TEST_TIMEOUT_SECONDS);
	else
		len = snprintf(msg, sizeof(msg),
			       "FAIL %s: killed by signal %d (%s)\n",
			       test_current, sig, strsignal(sig));
	if (write(STDOUT_FILENO, msg, len) < 0) {
		/* nothing left to report to */
	}
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(1);
}

TEST_HELPER int test_remove_entry(const char *path, const struct stat *st,
				  int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

TEST_HELPER void test_remove_root_dir(void)
{
	if (test_root_dir[0] == '\0')
		return;
	if (chdir("/") < 0 || nftw(test_root_dir, test_remove_entry, 16,
				   FTW_DEPTH | FTW_PHYS) < 0)
		printf("warning: could not remove %s: %s\n", test_root_dir,
		       strerror(errno));
}

/* Gives the next test a fresh cwd and the default umask. */
TEST_HELPER bool test_enter_dir(const char *name)
{
	umask(022);
	if (test_root_dir[0] == '\0')
		return true;
	snprintf(test_dir_path, sizeof(test_dir_path), "%s/%s", test_root_dir,
		 name);
	if (mkdir(test_dir_path, 0755) < 0 || chdir(test_dir_path) < 0) {
		printf("FAIL %s: setting up %s: %s\n", name, test_dir_path,
		       strerror(errno));
		return false;
	}
	return true;
}

TEST_HELPER bool test_make_root_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	snprintf(test_root_dir, sizeof(test_root_dir), "%s/cvisor-test-XXXXXX",
		 tmp);
	if (mkdtemp(test_root_dir) == NULL) {
		printf("FAIL (setup): mkdtemp %s: %s\n", test_root_dir,
		       strerror(errno));
		test_root_dir[0] = '\0';
		return false;
	}
	return true;
}

/* Whether the command line selects the test: no arguments select all. */
TEST_HELPER bool test_selected(const char *name)
{
	int i;

	for (i = 1; i < test_argc; i++)
		if (strcmp(test_argv[i], name) == 0)
			return true;
	return test_argc < 2;
}

TEST_HELPER const char *test_program_name(void)
{
	const char *slash = strrchr(test_argv[0], '/');

	return slash ? slash + 1 : test_argv[0];
}

int main(int argc, char **argv)
{
	int failed = 0, skipped = 0, i;

	test_argc = argc;
	test_argv = argv;
	if (getcwd(test_start_dir, sizeof(test_start_dir)) == NULL)
		test_start_dir[0] = '\0';
	setvbuf(stdout, NULL, _IONBF, 0);
	for (i = 0; i < TEST_N_FATAL_SIGNALS; i++)
		signal(test_fatal_signals[i], test_on_fatal_signal); /* best effort */

#ifdef TEST_WORKDIR
	if (!test_make_root_dir())
		return 1;
#endif
	for (i = 0; i < test_ncases; i++) {
		if (!test_selected(test_cases[i].name)) {
			skipped++;
			continue;
		}
		test_current = test_cases[i].name;
		test_current_failures = 0;
		test_current_skipped = false;
		if (!test_enter_dir(test_current)) {
			failed++;
			continue;
		}
		alarm(TEST_TIMEOUT_SECONDS);
		test_cases[i].fn();
		alarm(0);
		if (test_current_failures)
			failed++;
		else if (test_current_skipped)
			skipped++;
	}
	test_current = "(cleanup)";
	test_remove_root_dir();

	printf("%s: %d tests, %d passed, %d failed, %d skipped\n",
	       test_program_name(), test_ncases,
	       test_ncases - failed - skipped, failed, skipped);
	if (failed)
		return 1;
	if (skipped && skipped == test_ncases)
		return 125;
	return 0;
}

#endif /* CVISOR_TESTS_SYSCALLS_TEST_H */
