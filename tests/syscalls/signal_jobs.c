/* Job control signals: stopping and continuing a process and what wait4
 * and waitid report; SIGCHLD to the parent with its si_code for every
 * change, SA_NOCLDSTOP, SA_NOCLDWAIT and SIGCHLD ignored; SIGTSTP,
 * SIGTTIN and SIGTTOU stop a process unless its process group is
 * orphaned; an orphaned group with a stopped member gets SIGHUP and
 * SIGCONT; stop signals and SIGCONT cancel each other while pending.
 *
 * Children that are stopped are always continued or killed and reaped
 * before a test ends. */
#include "test.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#define BIT(sig) (1ULL << ((sig) - 1))

/* A child that answers each byte written to it: proof that it runs. */
struct echo {
	pid_t pid;
	int to, from;		/* the parent's ends */
};

static bool spawn_echo(struct echo *e)
{
	int down[2], up[2];
	char c;

	if (pipe(down) < 0 || pipe(up) < 0)
		return false;
	e->pid = test_fork();
	if (e->pid == 0) {
		while (read(down[0], &c, 1) == 1)
			if (write(up[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	e->to = down[1];
	e->from = up[0];
	return e->pid > 0;
}

static bool echo_ping(struct echo *e)
{
	char c = 'p';

	return write(e->to, &c, 1) == 1 && read(e->from, &c, 1) == 1;
}

static void echo_end(struct echo *e)
{
	kill(e->pid, SIGKILL);
	test_wait(e->pid, 0);
	close(e->to);
	close(e->from);
}

/* --- stop, continue, and what wait reports --- */

TEST(sigstop_and_sigcont_are_reported_once_each_by_waitpid)
{
	pid_t pid = test_spawn_sleeper();

	ASSERT_GE(pid, 1);
	EXPECT_OK(kill(pid, SIGSTOP));
	int status = test_wait(pid, WUNTRACED);
	EXPECT_TRUE(WIFSTOPPED(status));
	EXPECT_EQ(WSTOPSIG(status), SIGSTOP);
	EXPECT_EQ(status, W_STOPCODE(SIGSTOP));
	EXPECT_EQ(test_proc_state(pid), 'T');
	/* Reported once; and never without WUNTRACED. */
	EXPECT_EQ(waitpid(pid, &status, WUNTRACED | WNOHANG), 0);
	EXPECT_EQ(waitpid(pid, &status, WNOHANG), 0);

	EXPECT_OK(kill(pid, SIGCONT));
	status = test_wait(pid, WCONTINUED);
	EXPECT_TRUE(WIFCONTINUED(status));
	EXPECT_EQ(status, 0xffff);
	EXPECT_EQ(waitpid(pid, &status, WCONTINUED | WNOHANG), 0);

	EXPECT_OK(kill(pid, SIGKILL));
	EXPECT_EQ(test_wait(pid, 0), W_EXITCODE(0, SIGKILL));
}

TEST(waitid_reports_cld_stopped_and_cld_continued)
{
	siginfo_t si;
	pid_t pid = test_spawn_sleeper();

	ASSERT_GE(pid, 1);
	EXPECT_OK(kill(pid, SIGSTOP));
	memset(&si, 0, sizeof(si));
	EXPECT_OK(waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT));
	EXPECT_EQ(si.si_signo, SIGCHLD);
	EXPECT_EQ(si.si_code, CLD_STOPPED);
	EXPECT_EQ(si.si_status, SIGSTOP);
	EXPECT_EQ(si.si_pid, pid);
	EXPECT_EQ(si.si_uid, getuid());
	/* WNOWAIT left it to report again. */
	memset(&si, 0, sizeof(si));
	EXPECT_OK(waitid(P_PID, pid, &si, WSTOPPED));
	EXPECT_EQ(si.si_code, CLD_STOPPED);
	memset(&si, 0, sizeof(si));
	EXPECT_OK(waitid(P_PID, pid, &si, WSTOPPED | WNOHANG));
	EXPECT_EQ(si.si_pid, 0);

	EXPECT_OK(kill(pid, SIGCONT));
	memset(&si, 0, sizeof(si));
	EXPECT_OK(waitid(P_PID, pid, &si, WCONTINUED));
	EXPECT_EQ(si.si_code, CLD_CONTINUED);
	EXPECT_EQ(si.si_status, SIGCONT);
	EXPECT_EQ(si.si_pid, pid);

	EXPECT_OK(kill(pid, SIGKILL));
	memset(&si, 0, sizeof(si));
	EXPECT_OK(waitid(P_PID, pid, &si, WEXITED));
	EXPECT_EQ(si.si_code, CLD_KILLED);
	EXPECT_EQ(si.si_status, SIGKILL);
}

TEST(a_stopped_process_dies_of_sigkill)
{
	pid_t pid = test_spawn_sleeper();

	ASSERT_GE(pid, 1);
	EXPECT_OK(kill(pid, SIGSTOP));
	EXPECT_EQ(test_wait(pid, WUNTRACED), W_STOPCODE(SIGSTOP));
	EXPECT_OK(kill(pid, SIGKILL));
	EXPECT_EQ(test_wait(pid, 0), W_EXITCODE(0, SIGKILL));
}

/* Other signals wait until the process is continued. */
TEST(a_stopped_process_acts_on_sigterm_only_once_continued)
{
	pid_t pid = test_spawn_sleeper();

	ASSERT_GE(pid, 1);
	EXPECT_OK(kill(pid, SIGSTOP));
	EXPECT_EQ(test_wait(pid, WUNTRACED), W_STOPCODE(SIGSTOP));
	EXPECT_OK(kill(pid, SIGTERM));
	EXPECT_EQ(test_proc_state(pid), 'T');
	EXPECT_EQ(waitpid(pid, NULL, WNOHANG), 0);
	EXPECT_OK(kill(pid, SIGCONT));
	EXPECT_EQ(test_wait(pid, 0), W_EXITCODE(0, SIGTERM));
}

static void sleep_with_sigcont(int how)
{
	if (how == 0)
		test_mask_signal(SIG_BLOCK, SIGCONT);
	else
		test_set_handler(SIGCONT, SIG_IGN, 0);
	struct timespec t = { 20, 0 };
	nanosleep(&t, NULL);
	_exit(0);
}

/* SIGCONT continues a stopped process as it is sent, even if the
 * process blocks or ignores it. */
TEST(sigcont_continues_even_when_blocked_or_ignored)
{
	int how;

	for (how = 0; how < 2; how++) {
		pid_t pid = test_fork();
		if (pid == 0)
			sleep_with_sigcont(how);
		ASSERT_GE(pid, 1);
		EXPECT_TRUE(test_wait_state(pid, 'S'));	/* set up */
		EXPECT_OK(kill(pid, SIGSTOP));
		EXPECT_EQ(test_wait(pid, WUNTRACED), W_STOPCODE(SIGSTOP));
		EXPECT_OK(kill(pid, SIGCONT));
		EXPECT_EQ(test_wait(pid, WCONTINUED), 0xffff);
		EXPECT_OK(kill(pid, SIGKILL));
		EXPECT_EQ(test_wait(pid, 0), W_EXITCODE(0, SIGKILL));
	}
}

TEST(sigstop_to_a_process_group_stops_every_member)
{
	pid_t a = test_spawn_sleeper();
	ASSERT_GE(a, 1);
	pid_t b = test_spawn_sleeper();
	ASSERT_GE(b, 1);
	EXPECT_OK(setpgid(a, a));
	EXPECT_OK(setpgid(b, a));
	EXPECT_OK(kill(-a, SIGSTOP));
	EXPECT_EQ(test_wait(a, WUNTRACED), W_STOPCODE(SIGSTOP));
	EXPECT_EQ(test_wait(b, WUNTRACED), W_STOPCODE(SIGSTOP));
	EXPECT_OK(kill(-a, SIGKILL));
	EXPECT_EQ(test_wait(a, 0), W_EXITCODE(0, SIGKILL));
	EXPECT_EQ(test_wait(b, 0), W_EXITCODE(0, SIGKILL));
}

/* --- SIGCHLD --- */

static volatile sig_atomic_t chld_hits;
static siginfo_t chld_info;

static void chld_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	chld_info = *si;
	chld_hits++;
}

/* With SIGCHLD blocked since before the event: lets it in and waits
 * for the handler. */
static void await_sigchld(void)
{
	sigset_t none;
	int before = chld_hits;

	sigemptyset(&none);
	memset(&chld_info, 0, sizeof(chld_info));
	while (chld_hits == before)
		sigsuspend(&none);
}

static void exit_7(void)
{
	_exit(7);
}

static void crash(void)
{
	struct rlimit zero = { 0, 0 };

	setrlimit(RLIMIT_CORE, &zero);
	*(volatile int *)test_bad_ptr() = 1;
}

static bool core_pattern_is_a_pipe(void)
{
	char buf[256];

	return test_read_file("/proc/sys/kernel/core_pattern", buf,
			      sizeof(buf)) > 0 && buf[0] == '|';
}

/* The parent's SIGCHLD handler gets one signal per change of a child,
 * with what changed in si_code and si_status. */
TEST(sigchld_handler_gets_the_child_s_change)
{
	ASSERT_OK(test_mask_signal(SIG_BLOCK, SIGCHLD));
	ASSERT_OK(test_set_handler(SIGCHLD, chld_handler, SA_SIGINFO));
	chld_hits = 0;

	pid_t pid = test_fork();
	if (pid == 0)
		exit_7();
	ASSERT_GE(pid, 1);
	await_sigchld();
	EXPECT_EQ(chld_info.si_signo, SIGCHLD);
	EXPECT_EQ(chld_info.si_code, CLD_EXITED);
	EXPECT_EQ(chld_info.si_status, 7);
	EXPECT_EQ(chld_info.si_pid, pid);
	EXPECT_EQ(chld_info.si_uid, getuid());
	EXPECT_EQ(test_wait(pid, 0), W_EXITCODE(7, 0));

	pid = test_spawn_sleeper();
	ASSERT_GE(pid, 1);
	EXPECT_OK(kill(pid, SIGSTOP));
	await_sigchld();
	EXPECT_EQ(chld_info.si_code, CLD_STOPPED);
	EXPECT_EQ(chld_info.si_status, SIGSTOP);
	EXPECT_EQ(chld_info.si_pid, pid);
	EXPECT_EQ(test_wait(pid, WUNTRACED), W_STOPCODE(SIGSTOP));
	EXPECT_OK(kill(pid, SIGCONT));
	await_sigchld();
	EXPECT_EQ(chld_info.si_code, CLD_CONTINUED);
	EXPECT_EQ(chld_info.si_status, SIGCONT);
	EXPECT_EQ(chld_info.si_pid, pid);
	EXPECT_OK(kill(pid, SIGTERM));
	await_sigchld();
	EXPECT_EQ(chld_info.si_code, CLD_KILLED);
	EXPECT_EQ(chld_info.si_status, SIGTERM);
	EXPECT_EQ(test_wait(pid, 0), W_EXITCODE(0, SIGTERM));

	/* A crash without a core dump is CLD_KILLED, not CLD_DUMPED. */
	if (!core_pattern_is_a_pipe()) {
		pid = test_fork();
		if (pid == 0)
			crash();
		ASSERT_GE(pid, 1);
		await_sigchld();
		EXPECT_EQ(chld_info.si_code, CLD_KILLED);
		EXPECT_EQ(chld_info.si_status, SIGSEGV);
		EXPECT_EQ(test_wait(pid, 0), W_EXITCODE(0, SIGSEGV));
	}

	test_set_handler(SIGCHLD, SIG_DFL, 0);
	test_mask_signal(SIG_UNBLOCK, SIGCHLD);
}

/* Stops and continues the echo child; returns whether a SIGCHLD is
 * pending afterwards (SIGCHLD being blocked). The echo round trip after
 * SIGCONT proves the child ran again, which is when Linux sends the
 * CLD_CONTINUED notification. */
static bool sigchld_after_stop(struct echo *e, bool *after_cont)
{
	bool after_stop;

	kill(e->pid, SIGSTOP);
	EXPECT_EQ(test_wait(e->pid, WUNTRACED), W_STOPCODE(SIGSTOP));
	after_stop = test_sig_pending(SIGCHLD);
	test_set_handler(SIGCHLD, SIG_IGN, 0);		/* discard it */
	test_set_handler(SIGCHLD, chld_handler, SA_SIGINFO | SA_NOCLDSTOP);
	kill(e->pid, SIGCONT);
	EXPECT_EQ(test_wait(e->pid, WCONTINUED), 0xffff);
	EXPECT_TRUE(echo_ping(e));
	*after_cont = test_sig_pending(SIGCHLD);
	return after_stop;
}

/* SA_NOCLDSTOP: no SIGCHLD when a child stops or continues (wait still
 * reports both). */
TEST(sa_nocldstop_suppresses_sigchld_for_stop_and_continue)
{
	struct echo e;
	bool cont;

	ASSERT_OK(test_mask_signal(SIG_BLOCK, SIGCHLD));
	ASSERT_TRUE(spawn_echo(&e));
	ASSERT_TRUE(echo_ping(&e));

	/* Without the flag for the stop: a SIGCHLD. */
	ASSERT_OK(test_set_handler(SIGCHLD, chld_handler, SA_SIGINFO));
	EXPECT_TRUE(sigchld_after_stop(&e, &cont));
	EXPECT_TRUE(!cont);
	/* With it. */
	ASSERT_OK(test_set_handler(SIGCHLD, chld_handler,
				   SA_SIGINFO | SA_NOCLDSTOP));
	EXPECT_TRUE(!sigchld_after_stop(&e, &cont));
	EXPECT_TRUE(!cont);
	/* Without the flag for the continue: a SIGCHLD. */
	test_set_handler(SIGCHLD, chld_handler, SA_SIGINFO | SA_NOCLDSTOP);
	kill(e.pid, SIGSTOP);
	EXPECT_EQ(test_wait(e.pid, WUNTRACED), W_STOPCODE(SIGSTOP));
	test_set_handler(SIGCHLD, chld_handler, SA_SIGINFO);
	kill(e.pid, SIGCONT);
	EXPECT_EQ(test_wait(e.pid, WCONTINUED), 0xffff);
	EXPECT_TRUE(echo_ping(&e));
	EXPECT_TRUE(test_sig_pending(SIGCHLD));

	echo_end(&e);
	test_set_handler(SIGCHLD, SIG_IGN, 0);
	test_set_handler(SIGCHLD, SIG_DFL, 0);
	test_mask_signal(SIG_UNBLOCK, SIGCHLD);
}

/* SIGCHLD ignored: children are reaped as they exit, and a wait for
 * them ends with ECHILD once they are all gone. */
TEST(sigchld_ignored_reaps_children_automatically)
{
	int status;

	ASSERT_OK(test_set_handler(SIGCHLD, SIG_IGN, 0));
	pid_t pid = test_fork();
	if (pid == 0)
		exit_7();
	ASSERT_GE(pid, 1);
	EXPECT_ERRNO(waitpid(pid, &status, 0), ECHILD);
	EXPECT_ERRNO(kill(pid, 0), ESRCH);
	test_set_handler(SIGCHLD, SIG_DFL, 0);
}

/* SA_NOCLDWAIT reaps likewise, but a handler still gets the SIGCHLD. */
TEST(sa_nocldwait_reaps_but_still_signals)
{
	int status;

	chld_hits = 0;
	ASSERT_OK(test_set_handler(SIGCHLD, chld_handler,
				   SA_SIGINFO | SA_NOCLDWAIT));
	pid_t pid = test_fork();
	if (pid == 0)
		exit_7();
	ASSERT_GE(pid, 1);
	EXPECT_ERRNO(waitpid(pid, &status, 0), ECHILD);
	EXPECT_EQ(chld_hits, 1);
	EXPECT_EQ(chld_info.si_code, CLD_EXITED);
	EXPECT_EQ(chld_info.si_pid, pid);
	test_set_handler(SIGCHLD, SIG_DFL, 0);
}

/* --- terminal stop signals and orphaned process groups --- */

static void new_group_then_raise(int sig)
{
	setpgid(0, 0);
	raise(sig);
	_exit(0);
}

/* The child leads a new group; its parent (this process) is in another
 * group of the same session, so the group is not orphaned and the
 * default action of SIGTSTP, SIGTTIN and SIGTTOU is to stop. */
TEST(sigtstp_sigttin_sigttou_stop_a_process_in_a_group_with_a_parent)
{
	const int sigs[] = { SIGTSTP, SIGTTIN, SIGTTOU };
	unsigned i;

	for (i = 0; i < 3; i++) {
		pid_t pid = test_fork();
		if (pid == 0)
			new_group_then_raise(sigs[i]);
		ASSERT_GE(pid, 1);
		EXPECT_EQ(test_wait(pid, WUNTRACED), W_STOPCODE(sigs[i]));
		EXPECT_OK(kill(pid, SIGCONT));
		EXPECT_EQ(test_wait(pid, 0), W_EXITCODE(0, 0));
	}
}

static void new_session_then_raise(int sig)
{
	if (setsid() < 0)
		_exit(10);
	raise(sig);
	_exit(0);
}

/* After setsid the child's group has no parent in the session: it is
 * orphaned, and Linux discards SIGTSTP, SIGTTIN and SIGTTOU whose action
 * is the default (nobody could continue it). SIGSTOP still stops. */
TEST(terminal_stop_signals_are_discarded_in_an_orphaned_group)
{
	const int sigs[] = { SIGTSTP, SIGTTIN, SIGTTOU };
	unsigned i;

	for (i = 0; i < 3; i++) {
		pid_t pid = test_fork();
		if (pid == 0)
			new_session_then_raise(sigs[i]);
		ASSERT_GE(pid, 1);
		EXPECT_EQ(test_wait_timeout(pid, WUNTRACED, 10),
			  W_EXITCODE(0, 0));
	}
	pid_t pid = test_fork();
	if (pid == 0)
		new_session_then_raise(SIGSTOP);
	ASSERT_GE(pid, 1);
	EXPECT_EQ(test_wait(pid, WUNTRACED), W_STOPCODE(SIGSTOP));
	EXPECT_OK(kill(pid, SIGCONT));
	EXPECT_EQ(test_wait(pid, 0), W_EXITCODE(0, 0));
}

static void exit_42(int sig)
{
	(void)sig;
	_exit(42);
}

/* Grandchild: its own group in the session of its parent, stopped. */
static void stopped_grandchild(void)
{
	setpgid(0, 0);
	test_set_handler(SIGHUP, exit_42, 0);
	raise(SIGSTOP);
	_exit(1);	/* continued without the SIGHUP */
}

/* Child: a session leader whose child stops; then it exits. It writes
 * the grandchild's pid to fd. */
static void session_with_a_stopped_child(int fd)
{
	if (setsid() < 0)
		_exit(10);
	pid_t pid = test_fork();
	if (pid == 0)
		stopped_grandchild();
	if (write(fd, &pid, sizeof(pid)) != sizeof(pid))
		_exit(11);
	if (test_wait_timeout(pid, WUNTRACED, 10) != W_STOPCODE(SIGSTOP))
		_exit(12);
	_exit(0);
}

/* Middle process: a subreaper, so that the grandchild comes to it when
 * the child exits (and the group is orphaned: the subreaper is in
 * another session). */
static void reaper_of_an_orphaned_group(void)
{
	pid_t grandchild = -1;
	int p[2];

	EXPECT_OK(prctl(PR_SET_CHILD_SUBREAPER, 1));
	EXPECT_OK(pipe(p));
	pid_t child = test_fork();
	if (child == 0)
		session_with_a_stopped_child(p[1]);
	EXPECT_EQ(read(p[0], &grandchild, sizeof(grandchild)),
		  sizeof(grandchild));
	EXPECT_EQ(test_wait_timeout(child, 0, 10), W_EXITCODE(0, 0));
	/* Woken by SIGCONT, its SIGHUP handler exits 42. */
	if (grandchild > 0)
		EXPECT_EQ(test_wait_timeout(grandchild, 0, 10),
			  W_EXITCODE(42, 0));
	test_child_exit();
}

/* When a process exits and its child's group becomes orphaned while it
 * has a stopped member, Linux sends the group SIGHUP then SIGCONT. */
TEST(a_newly_orphaned_group_with_a_stopped_member_gets_sighup_and_sigcont)
{
	pid_t pid = test_fork();

	if (pid == 0)
		reaper_of_an_orphaned_group();
	ASSERT_GE(pid, 1);
	EXPECT_EQ(test_wait(pid, 0), W_EXITCODE(0, 0));
}

/* Generating a stop signal discards a pending SIGCONT; generating
 * SIGCONT discards pending stop signals. (Blocked here, so that none of
 * them acts.) */
static void stop_and_cont_cancel(void)
{
	sigset_t set;
	uint64_t pending;

	sigemptyset(&set);
	sigaddset(&set, SIGCONT);
	sigaddset(&set, SIGTSTP);
	sigaddset(&set, SIGTTIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGCONT);
	EXPECT_TRUE(test_sig_pending(SIGCONT));
	raise(SIGTSTP);
	EXPECT_TRUE(!test_sig_pending(SIGCONT));
	EXPECT_TRUE(test_sig_pending(SIGTSTP));
	raise(SIGTTIN);
	raise(SIGCONT);
	EXPECT_TRUE(!test_sig_pending(SIGTSTP));
	EXPECT_TRUE(!test_sig_pending(SIGTTIN));
	EXPECT_TRUE(test_sig_pending(SIGCONT));
	sigpending(&set);
	memcpy(&pending, &set, sizeof(pending));
	EXPECT_EQ(pending, BIT(SIGCONT));
	/* Whatever happened, do not stop. */
	test_set_handler(SIGTSTP, SIG_IGN, 0);
	test_set_handler(SIGTTIN, SIG_IGN, 0);
	test_child_exit();
}

TEST(stop_signals_and_sigcont_cancel_each_other_while_pending)
{
	pid_t pid = test_fork();

	if (pid == 0)
		stop_and_cont_cancel();
	ASSERT_GE(pid, 1);
	EXPECT_EQ(test_wait_timeout(pid, WUNTRACED, 10), W_EXITCODE(0, 0));
}
