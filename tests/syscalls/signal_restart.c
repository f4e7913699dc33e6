/* Blocking syscalls and signals: a handled signal ends a blocking read,
 * write or wait4 with EINTR, or restarts it with SA_RESTART; nanosleep,
 * clock_nanosleep and poll fail with EINTR either way; a signal that is
 * ignored, blocked or whose default is to ignore wakes nothing; a stop
 * and continue is invisible to the stopped process unless it handles
 * SIGCONT.
 *
 * The signals come from another process (an "interrupter" child), sent
 * only once this process is seen blocked in /proc/<pid>/stat, so no test
 * depends on timing. */
#include "test.h"

#include <poll.h>

static volatile sig_atomic_t hits;
static int handled_pipe[2] = { -1, -1 };

/* Counts, and tells the interrupter that it ran. */
static void note_handler(int sig)
{
	(void)sig;
	hits++;
	if (handled_pipe[1] >= 0 && write(handled_pipe[1], "h", 1) < 0)
		hits += 1000;
}

static void setup_handler(int sig, int flags)
{
	hits = 0;
	if (handled_pipe[0] < 0 && pipe(handled_pipe) < 0)
		printf("pipe: %s\n", strerror(errno));
	test_set_handler(sig, note_handler, flags);
}

/* What the interrupter child does, in this order. */
struct plan {
	int sigs[5];		/* sent to the parent once it is blocked (0 ends) */
	bool await_handler;	/* wait until the parent's handler has run */
	int write_fd;		/* write "data" to it (-1: no) */
	int wait_fd;		/* wait for EOF or a byte on it (-1: no) */
	int exit_code;
};

static pid_t spawn_interrupter(struct plan plan)
{
	pid_t parent = getpid();
	pid_t pid = test_fork();
	char c;
	int i;

	if (pid != 0)
		return pid;
	test_wait_state(parent, 'S');
	for (i = 0; i < 5 && plan.sigs[i]; i++)
		if (kill(parent, plan.sigs[i]) < 0)
			_exit(100);
	if (plan.await_handler && read(handled_pipe[0], &c, 1) != 1)
		_exit(101);
	if (plan.write_fd >= 0) {
		/* The parent blocked again (restarted), or never woke; give a
		 * wrong wake-up a moment to show before the data comes. */
		const struct timespec moment = { 0, 20 * 1000 * 1000 };

		test_wait_state(parent, 'S');
		nanosleep(&moment, NULL);
		if (write(plan.write_fd, "data", 4) != 4)
			_exit(102);
	}
	if (plan.wait_fd >= 0 && read(plan.wait_fd, &c, 1) < 0)
		_exit(103);
	_exit(plan.exit_code);
}

static void cleanup(int sig)
{
	test_set_handler(sig, SIG_DFL, 0);
	close(handled_pipe[0]);
	close(handled_pipe[1]);
	handled_pipe[0] = handled_pipe[1] = -1;
}

/* --- read, write, wait4: EINTR or restart --- */

TEST(read_restarts_after_a_handler_with_sa_restart)
{
	int p[2];
	char buf[8] = "";

	ASSERT_OK(pipe(p));
	setup_handler(SIGUSR1, SA_RESTART);
	pid_t pid = spawn_interrupter((struct plan){
		.sigs = { SIGUSR1 }, .await_handler = true,
		.write_fd = p[1], .wait_fd = -1 });
	ASSERT_GE(pid, 1);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 4);
	EXPECT_MEMEQ(buf, "data", 4);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(test_wait(pid, 0), 0);
	close(p[0]);
	close(p[1]);
	cleanup(SIGUSR1);
}

TEST(read_fails_with_eintr_after_a_handler_without_sa_restart)
{
	int p[2];
	char buf[8];

	ASSERT_OK(pipe(p));
	setup_handler(SIGUSR1, 0);
	pid_t pid = spawn_interrupter((struct plan){
		.sigs = { SIGUSR1 }, .write_fd = -1, .wait_fd = -1 });
	ASSERT_GE(pid, 1);
	EXPECT_ERRNO(read(p[0], buf, sizeof(buf)), EINTR);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(test_wait(pid, 0), 0);
	close(p[0]);
	close(p[1]);
	cleanup(SIGUSR1);
}

/* A write blocked on a full pipe, interrupted before it wrote anything. */
TEST(write_to_a_full_pipe_fails_with_eintr_without_sa_restart)
{
	static char buf[1 << 16];
	int p[2];

	ASSERT_OK(pipe(p));
	ASSERT_OK(fcntl(p[1], F_SETFL, O_NONBLOCK));
	while (write(p[1], buf, sizeof(buf)) > 0)
		;
	ASSERT_OK(fcntl(p[1], F_SETFL, 0));
	setup_handler(SIGUSR2, 0);
	pid_t pid = spawn_interrupter((struct plan){
		.sigs = { SIGUSR2 }, .write_fd = -1, .wait_fd = -1 });
	ASSERT_GE(pid, 1);
	EXPECT_ERRNO(write(p[1], buf, 1), EINTR);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(test_wait(pid, 0), 0);
	close(p[0]);
	close(p[1]);
	cleanup(SIGUSR2);
}

/* The interrupter is also the child waited for. */
TEST(wait4_restarts_after_a_handler_with_sa_restart)
{
	int status;

	setup_handler(SIGUSR1, SA_RESTART);
	pid_t pid = spawn_interrupter((struct plan){
		.sigs = { SIGUSR1 }, .await_handler = true, .write_fd = -1,
		.wait_fd = -1, .exit_code = 7 });
	ASSERT_GE(pid, 1);
	EXPECT_EQ(wait4(pid, &status, 0, NULL), pid);
	EXPECT_EQ(status, W_EXITCODE(7, 0));
	EXPECT_EQ(hits, 1);
	cleanup(SIGUSR1);
}

TEST(wait4_fails_with_eintr_after_a_handler_without_sa_restart)
{
	int go[2], status;

	ASSERT_OK(pipe(go));
	setup_handler(SIGUSR1, 0);
	pid_t pid = spawn_interrupter((struct plan){
		.sigs = { SIGUSR1 }, .write_fd = -1, .wait_fd = go[0],
		.exit_code = 7 });
	ASSERT_GE(pid, 1);
	EXPECT_ERRNO(wait4(pid, &status, 0, NULL), EINTR);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(write(go[1], "g", 1), 1);
	EXPECT_EQ(test_wait(pid, 0), W_EXITCODE(7, 0));
	close(go[0]);
	close(go[1]);
	cleanup(SIGUSR1);
}

/* --- sleeps and poll: EINTR even with SA_RESTART (signal(7)) --- */

TEST(nanosleep_fails_with_eintr_and_the_time_left_even_with_sa_restart)
{
	const int flags[] = { 0, SA_RESTART };
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct timespec req = { 10, 0 }, rem = { -1, -1 };

		setup_handler(SIGUSR1, flags[i]);
		pid_t pid = spawn_interrupter((struct plan){
			.sigs = { SIGUSR1 }, .write_fd = -1, .wait_fd = -1 });
		ASSERT_GE(pid, 1);
		EXPECT_ERRNO(nanosleep(&req, &rem), EINTR);
		EXPECT_EQ(hits, 1);
		EXPECT_GE(rem.tv_sec, 0);
		EXPECT_LE(rem.tv_sec, 10);
		EXPECT_TRUE(rem.tv_sec > 0 || rem.tv_nsec > 0);
		EXPECT_TRUE(rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000);
		EXPECT_TRUE(rem.tv_sec < 10 || rem.tv_nsec == 0);
		EXPECT_EQ(test_wait(pid, 0), 0);
		cleanup(SIGUSR1);
	}
}

/* With TIMER_ABSTIME there is no remaining time to report: rem is left
 * alone. */
TEST(clock_nanosleep_absolute_fails_with_eintr_and_leaves_rem)
{
	struct timespec until, rem = { 123, 456 };

	ASSERT_OK(clock_gettime(CLOCK_MONOTONIC, &until));
	until.tv_sec += 10;
	setup_handler(SIGUSR2, SA_RESTART);
	pid_t pid = spawn_interrupter((struct plan){
		.sigs = { SIGUSR2 }, .write_fd = -1, .wait_fd = -1 });
	ASSERT_GE(pid, 1);
	EXPECT_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC,
			     TIMER_ABSTIME, &until, &rem), EINTR);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(rem.tv_sec, 123);
	EXPECT_EQ(rem.tv_nsec, 456);
	EXPECT_EQ(test_wait(pid, 0), 0);
	cleanup(SIGUSR2);
}

TEST(poll_fails_with_eintr_even_with_sa_restart)
{
	int p[2];
	struct pollfd pfd;

	ASSERT_OK(pipe(p));
	pfd.fd = p[0];
	pfd.events = POLLIN;
	setup_handler(SIGUSR1, SA_RESTART);
	pid_t pid = spawn_interrupter((struct plan){
		.sigs = { SIGUSR1 }, .write_fd = -1, .wait_fd = -1 });
	ASSERT_GE(pid, 1);
	EXPECT_ERRNO(poll(&pfd, 1, 10000), EINTR);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(test_wait(pid, 0), 0);
	close(p[0]);
	close(p[1]);
	cleanup(SIGUSR1);
}

/* --- signals that must not wake anything --- */

/* Ignored (SIG_IGN), ignored by default (SIGCHLD, SIGWINCH, SIGURG at
 * SIG_DFL; SIGCONT of a running process) and blocked signals do not
 * interrupt a read: it goes on and returns the data. */
TEST(ignored_and_blocked_signals_do_not_interrupt_a_read)
{
	int p[2];
	char buf[8] = "";

	ASSERT_OK(pipe(p));
	setup_handler(SIGUSR2, 0);
	ASSERT_OK(test_mask_signal(SIG_BLOCK, SIGUSR2));
	ASSERT_OK(test_set_handler(SIGUSR1, SIG_IGN, 0));
	pid_t pid = spawn_interrupter((struct plan){
		.sigs = { SIGUSR1, SIGCHLD, SIGWINCH, SIGURG, SIGUSR2 },
		.write_fd = p[1], .wait_fd = -1 });
	ASSERT_GE(pid, 1);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 4);
	EXPECT_MEMEQ(buf, "data", 4);
	EXPECT_EQ(hits, 0);
	EXPECT_EQ(test_wait(pid, 0), 0);
	pid = spawn_interrupter((struct plan){
		.sigs = { SIGCONT }, .write_fd = p[1], .wait_fd = -1 });
	ASSERT_GE(pid, 1);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 4);
	EXPECT_EQ(test_wait(pid, 0), 0);
	/* The blocked one is still pending; it runs the handler now. */
	EXPECT_TRUE(test_sig_pending(SIGUSR2));
	ASSERT_OK(test_mask_signal(SIG_UNBLOCK, SIGUSR2));
	EXPECT_EQ(hits, 1);
	test_set_handler(SIGUSR1, SIG_DFL, 0);
	close(p[0]);
	close(p[1]);
	cleanup(SIGUSR2);
}

/* --- stop and continue --- */

/* Stops the child once it is blocked, checks it stopped, continues it,
 * checks it continued. */
static void stop_and_continue(pid_t pid)
{
	EXPECT_TRUE(test_wait_state(pid, 'S'));
	EXPECT_OK(kill(pid, SIGSTOP));
	EXPECT_EQ(test_wait(pid, WUNTRACED), W_STOPCODE(SIGSTOP));
	EXPECT_OK(kill(pid, SIGCONT));
	EXPECT_EQ(test_wait(pid, WCONTINUED), 0xffff);
}

static void child_reads(int fd)
{
	char buf[8] = "";

	EXPECT_EQ(read(fd, buf, sizeof(buf)), 4);
	EXPECT_MEMEQ(buf, "data", 4);
	test_child_exit();
}

/* A process stopped and continued in the middle of a read goes on
 * reading: the stop is not a signal it sees. */
TEST(stop_and_continue_do_not_interrupt_a_read)
{
	int p[2];

	ASSERT_OK(pipe(p));
	pid_t pid = test_fork();
	if (pid == 0)
		child_reads(p[0]);
	ASSERT_GE(pid, 1);
	stop_and_continue(pid);
	/* Back in its read, not gone. */
	EXPECT_TRUE(test_wait_state(pid, 'S'));
	EXPECT_EQ(write(p[1], "data", 4), 4);
	EXPECT_EQ(test_wait(pid, 0), 0);
	close(p[0]);
	close(p[1]);
}

static void child_sleeps(void)
{
	struct timespec req = { 20, 0 };

	_exit(nanosleep(&req, NULL) == 0 ? 0 : 1);
}

/* The same for nanosleep (Linux restarts it for the time left). The
 * child sleeps far longer than the test: it is killed at the end, still
 * asleep. */
TEST(stop_and_continue_do_not_interrupt_nanosleep)
{
	pid_t pid = test_fork();

	if (pid == 0)
		child_sleeps();
	ASSERT_GE(pid, 1);
	stop_and_continue(pid);
	EXPECT_TRUE(test_wait_state(pid, 'S'));
	EXPECT_EQ(waitpid(pid, NULL, WNOHANG), 0);	/* still asleep */
	EXPECT_OK(kill(pid, SIGKILL));
	EXPECT_EQ(test_wait(pid, 0), W_EXITCODE(0, SIGKILL));
}

static void child_reads_with_sigcont_handler(int fd)
{
	char buf[8];

	setup_handler(SIGCONT, 0);
	EXPECT_ERRNO(read(fd, buf, sizeof(buf)), EINTR);
	EXPECT_EQ(hits, 1);
	test_child_exit();
}

/* A SIGCONT handler does run, and without SA_RESTART it ends the read. */
TEST(sigcont_handler_without_sa_restart_interrupts_a_read)
{
	int p[2];

	ASSERT_OK(pipe(p));
	pid_t pid = test_fork();
	if (pid == 0)
		child_reads_with_sigcont_handler(p[0]);
	ASSERT_GE(pid, 1);
	/* Not stop_and_continue: this child may exit before a wait for
	 * WCONTINUED, and a zombie reports no continue (on Linux too). */
	EXPECT_TRUE(test_wait_state(pid, 'S'));
	EXPECT_OK(kill(pid, SIGSTOP));
	EXPECT_EQ(test_wait(pid, WUNTRACED), W_STOPCODE(SIGSTOP));
	EXPECT_OK(kill(pid, SIGCONT));
	EXPECT_EQ(test_wait(pid, 0), 0);
	close(p[0]);
	close(p[1]);
}
