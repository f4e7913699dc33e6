/* Generating, queueing and waiting for signals: pending and blocked
 * signals, how standard and real-time signals queue, the order of
 * delivery, SIG_IGN discarding, kill/tgkill/rt_sigqueueinfo targets and
 * errors (process groups included), sigsuspend, rt_sigtimedwait,
 * sigwaitinfo and pause, and what fork inherits.
 *
 * Every test leaves the dispositions it changed at SIG_DFL and the signal
 * mask empty; no test kills this process's own process group. */
#include "test.h"

#include <sys/resource.h>

static volatile sig_atomic_t hits;
static volatile int order[16];		/* signals, in the order handled */
static volatile int order_values[16];	/* their si_value.sival_int */
static volatile int norder;
static siginfo_t seen_info;

static void reset_seen(void)
{
	hits = 0;
	norder = 0;
	memset((void *)order, 0, sizeof(order));
	memset((void *)order_values, 0, sizeof(order_values));
	memset(&seen_info, 0, sizeof(seen_info));
}

static void record_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (norder < 16) {
		order[norder] = sig;
		order_values[norder] = si->si_value.sival_int;
		norder++;
	}
	seen_info = *si;
	hits++;
}

/* record_handler for sig, with every signal blocked while it runs. */
static int set_recorder_blocking_all(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = record_handler;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static sigset_t set_of(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	return set;
}

static void unblock_all(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static uint64_t raw_pending(void)
{
	uint64_t set = 0;

	syscall(SYS_rt_sigpending, &set, 8);
	return set;
}

#define BIT(sig) (1ULL << ((sig) - 1))

static long raw_sigtimedwait(const sigset_t *set, siginfo_t *info,
			     const struct timespec *timeout)
{
	return syscall(SYS_rt_sigtimedwait, set, info, timeout, 8);
}

/* --- pending and blocked --- */

TEST(blocked_signal_stays_pending_until_unblocked)
{
	reset_seen();
	ASSERT_OK(test_set_handler(SIGUSR1, record_handler, SA_SIGINFO));
	ASSERT_OK(test_mask_signal(SIG_BLOCK, SIGUSR1));
	EXPECT_OK(kill(getpid(), SIGUSR1));
	EXPECT_EQ(hits, 0);
	EXPECT_TRUE(test_sig_pending(SIGUSR1));
	EXPECT_EQ(raw_pending(), BIT(SIGUSR1));
	/* Delivered as the unblocking sigprocmask returns. */
	EXPECT_OK(test_mask_signal(SIG_UNBLOCK, SIGUSR1));
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_info.si_code, SI_USER);
	EXPECT_TRUE(!test_sig_pending(SIGUSR1));
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

/* rt_sigpending accepts a smaller set size (it copies that much), not a
 * larger one. */
TEST(rt_sigpending_set_sizes)
{
	uint64_t set = ~0ULL;

	ASSERT_OK(test_mask_signal(SIG_BLOCK, SIGUSR1));
	EXPECT_OK(kill(getpid(), SIGUSR1));
	EXPECT_OK(syscall(SYS_rt_sigpending, &set, 4));
	EXPECT_EQ(set, 0xffffffff00000000ULL | BIT(SIGUSR1));
	EXPECT_ERRNO(syscall(SYS_rt_sigpending, &set, 16), EINVAL);
	EXPECT_ERRNO(syscall(SYS_rt_sigpending, test_bad_ptr(), 8), EFAULT);
	ASSERT_OK(test_set_handler(SIGUSR1, SIG_IGN, 0));	/* discards it */
	unblock_all();
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

/* Standard signals do not queue: a second one while the first is
 * pending is lost. */
TEST(standard_signal_pending_twice_is_delivered_once)
{
	reset_seen();
	ASSERT_OK(test_set_handler(SIGUSR2, record_handler, SA_SIGINFO));
	ASSERT_OK(test_mask_signal(SIG_BLOCK, SIGUSR2));
	EXPECT_OK(kill(getpid(), SIGUSR2));
	EXPECT_OK(kill(getpid(), SIGUSR2));
	EXPECT_OK(sigqueue(getpid(), SIGUSR2, (union sigval){ .sival_int = 5 }));
	unblock_all();
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_info.si_code, SI_USER);	/* the first one */
	test_set_handler(SIGUSR2, SIG_DFL, 0);
}

/* Real-time signals queue every instance, delivered in the order sent,
 * each with its own value. */
TEST(realtime_signals_queue_every_instance_in_order)
{
	int i;

	reset_seen();
	ASSERT_OK(test_set_handler(SIGRTMIN, record_handler, SA_SIGINFO));
	ASSERT_OK(test_mask_signal(SIG_BLOCK, SIGRTMIN));
	for (i = 1; i <= 5; i++)
		EXPECT_OK(sigqueue(getpid(), SIGRTMIN,
				   (union sigval){ .sival_int = i * 11 }));
	EXPECT_OK(kill(getpid(), SIGRTMIN));	/* queues too, SI_USER */
	EXPECT_EQ(raw_pending(), BIT(SIGRTMIN));
	unblock_all();
	EXPECT_EQ(hits, 6);
	for (i = 0; i < 5; i++) {
		EXPECT_EQ(order[i], SIGRTMIN);
		EXPECT_EQ(order_values[i], (i + 1) * 11);
	}
	EXPECT_EQ(seen_info.si_code, SI_USER);
	test_set_handler(SIGRTMIN, SIG_DFL, 0);
}

/* Several pending signals unblocked at once: the lowest-numbered first.
 * (The handlers block everything: otherwise Linux sets up all their
 * frames at once and the last one set up runs first.) */
TEST(lowest_numbered_pending_signal_is_delivered_first)
{
	const int sent[] = { SIGRTMIN + 1, SIGUSR2, SIGRTMIN, SIGUSR1, SIGHUP };
	const int want[] = { SIGHUP, SIGUSR1, SIGUSR2, SIGRTMIN, SIGRTMIN + 1 };
	sigset_t all;
	unsigned i;

	reset_seen();
	sigfillset(&all);
	ASSERT_OK(sigprocmask(SIG_BLOCK, &all, NULL));
	for (i = 0; i < 5; i++) {
		ASSERT_OK(set_recorder_blocking_all(sent[i]));
		EXPECT_OK(kill(getpid(), sent[i]));
	}
	unblock_all();
	EXPECT_EQ(hits, 5);
	for (i = 0; i < 5; i++)
		EXPECT_EQ(order[i], want[i]);
	for (i = 0; i < 5; i++)
		test_set_handler(sent[i], SIG_DFL, 0);
}

/* rt_sigtimedwait dequeues in the same order, except that Linux takes
 * the synchronous signals (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE,
 * SIGSYS) before the others, however they were sent. */
TEST(sigtimedwait_takes_synchronous_signals_then_the_lowest)
{
	const int sent[] = { SIGRTMIN, SIGTERM, SIGHUP, SIGSEGV, SIGUSR1 };
	const int want[] = { SIGSEGV, SIGHUP, SIGUSR1, SIGTERM, SIGRTMIN };
	struct timespec zero = { 0, 0 };
	sigset_t set;
	unsigned i;

	sigemptyset(&set);
	for (i = 0; i < 5; i++)
		sigaddset(&set, sent[i]);
	ASSERT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	for (i = 0; i < 5; i++)
		EXPECT_OK(kill(getpid(), sent[i]));
	for (i = 0; i < 5; i++)
		EXPECT_EQ(raw_sigtimedwait(&set, NULL, &zero), want[i]);
	EXPECT_ERRNO(raw_sigtimedwait(&set, NULL, &zero), EAGAIN);
	unblock_all();
}

/* Setting SIG_IGN discards a pending signal, even a blocked one; so does
 * SIG_DFL for a signal whose default is to be ignored. */
TEST(ignoring_a_signal_discards_it_while_pending)
{
	reset_seen();
	ASSERT_OK(test_mask_signal(SIG_BLOCK, SIGUSR1));
	ASSERT_OK(test_mask_signal(SIG_BLOCK, SIGWINCH));
	ASSERT_OK(test_mask_signal(SIG_BLOCK, SIGRTMIN));
	ASSERT_OK(test_set_handler(SIGWINCH, record_handler, SA_SIGINFO));
	EXPECT_OK(kill(getpid(), SIGUSR1));
	EXPECT_OK(kill(getpid(), SIGWINCH));
	EXPECT_OK(sigqueue(getpid(), SIGRTMIN, (union sigval){ 0 }));
	EXPECT_OK(sigqueue(getpid(), SIGRTMIN, (union sigval){ 0 }));
	EXPECT_EQ(raw_pending(), BIT(SIGUSR1) | BIT(SIGWINCH) | BIT(SIGRTMIN));
	ASSERT_OK(test_set_handler(SIGUSR1, SIG_IGN, 0));
	ASSERT_OK(test_set_handler(SIGWINCH, SIG_DFL, 0));
	ASSERT_OK(test_set_handler(SIGRTMIN, SIG_IGN, 0));
	EXPECT_EQ(raw_pending(), 0);
	ASSERT_OK(test_set_handler(SIGUSR1, record_handler, SA_SIGINFO));
	ASSERT_OK(test_set_handler(SIGWINCH, record_handler, SA_SIGINFO));
	ASSERT_OK(test_set_handler(SIGRTMIN, record_handler, SA_SIGINFO));
	unblock_all();
	EXPECT_EQ(hits, 0);
	test_set_handler(SIGUSR1, SIG_DFL, 0);
	test_set_handler(SIGWINCH, SIG_DFL, 0);
	test_set_handler(SIGRTMIN, SIG_DFL, 0);
}

/* A signal sent while its action is SIG_IGN is dropped at once, unless
 * it is blocked: then it stays pending, as the action may change before
 * it is unblocked. */
TEST(ignored_but_blocked_signal_stays_pending)
{
	ASSERT_OK(test_set_handler(SIGUSR2, SIG_IGN, 0));
	EXPECT_OK(kill(getpid(), SIGUSR2));
	EXPECT_TRUE(!test_sig_pending(SIGUSR2));
	ASSERT_OK(test_mask_signal(SIG_BLOCK, SIGUSR2));
	EXPECT_OK(kill(getpid(), SIGUSR2));
	EXPECT_TRUE(test_sig_pending(SIGUSR2));
	unblock_all();		/* delivered, and ignored */
	EXPECT_TRUE(!test_sig_pending(SIGUSR2));
	test_set_handler(SIGUSR2, SIG_DFL, 0);
}

TEST(fork_child_has_no_pending_signals_but_keeps_mask_and_handlers)
{
	reset_seen();
	ASSERT_OK(test_set_handler(SIGUSR1, record_handler, SA_SIGINFO));
	ASSERT_OK(test_mask_signal(SIG_BLOCK, SIGUSR1));
	EXPECT_OK(kill(getpid(), SIGUSR1));
	pid_t pid = test_fork();
	if (pid == 0) {
		struct sigaction sa;

		EXPECT_TRUE(!test_sig_pending(SIGUSR1));
		EXPECT_TRUE(test_sig_blocked(SIGUSR1));
		sigaction(SIGUSR1, NULL, &sa);
		EXPECT_TRUE(sa.sa_sigaction == record_handler);
		EXPECT_EQ(hits, 0);
		unblock_all();
		EXPECT_EQ(hits, 0);
		test_child_exit();
	}
	ASSERT_GE(pid, 1);
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_EQ(hits, 0);
	unblock_all();
	EXPECT_EQ(hits, 1);
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

/* --- kill, tgkill, rt_sigqueueinfo: targets and errors --- */

TEST(kill_with_signal_zero_checks_existence)
{
	pid_t pid = test_fork();

	if (pid == 0)
		_exit(0);
	ASSERT_GE(pid, 1);
	EXPECT_OK(kill(getpid(), 0));
	/* A zombie still exists until it is reaped. */
	siginfo_t si;
	ASSERT_OK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	EXPECT_OK(kill(pid, 0));
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_ERRNO(kill(pid, 0), ESRCH);
	EXPECT_ERRNO(kill(pid, SIGKILL), ESRCH);
	EXPECT_ERRNO(kill(-pid, 0), ESRCH);	/* no such group either */
}

TEST(kill_with_an_invalid_signal_is_einval)
{
	EXPECT_ERRNO(kill(getpid(), 65), EINVAL);
	EXPECT_ERRNO(kill(getpid(), -1), EINVAL);
	EXPECT_ERRNO(syscall(SYS_tgkill, getpid(), gettid(), 65), EINVAL);
	EXPECT_ERRNO(syscall(SYS_tkill, gettid(), 65), EINVAL);
	/* Linux looks the target up first. */
	EXPECT_ERRNO(kill(1 << 22, 65), ESRCH);
}

/* kill(-pgid) signals every member of the group, and nothing else. */
TEST(kill_negative_pid_signals_the_whole_process_group)
{
	pid_t a = test_spawn_sleeper();
	ASSERT_GE(a, 1);
	pid_t b = test_spawn_sleeper();
	ASSERT_GE(b, 1);
	/* The parent sets the groups itself: no race with the children. */
	EXPECT_OK(setpgid(a, a));
	EXPECT_OK(setpgid(b, a));
	EXPECT_EQ(getpgid(b), a);
	EXPECT_OK(kill(-a, SIGTERM));
	EXPECT_EQ(test_wait(a, 0), W_EXITCODE(0, SIGTERM));
	EXPECT_EQ(test_wait(b, 0), W_EXITCODE(0, SIGTERM));
	EXPECT_ERRNO(kill(-a, SIGTERM), ESRCH);
}

/* In a child leading its own group: kill(0, sig) reaches the child
 * itself and its own child, not this process. */
static void kill_zero_in_own_group(void)
{
	pid_t grandchild;

	EXPECT_OK(setpgid(0, 0));
	grandchild = test_spawn_sleeper();
	EXPECT_GE(grandchild, 1);
	reset_seen();
	EXPECT_OK(test_set_handler(SIGUSR1, record_handler, SA_SIGINFO));
	EXPECT_OK(kill(0, SIGUSR1));
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(test_wait(grandchild, 0), W_EXITCODE(0, SIGUSR1));
	test_child_exit();
}

TEST(kill_zero_signals_the_caller_s_process_group)
{
	pid_t pid = test_fork();

	if (pid == 0)
		kill_zero_in_own_group();
	ASSERT_GE(pid, 1);
	EXPECT_EQ(test_wait(pid, 0), 0);
}

TEST(tgkill_targets_and_errors)
{
	pid_t pid = test_spawn_sleeper();

	ASSERT_GE(pid, 1);
	/* A thread of another thread group: ESRCH. */
	EXPECT_ERRNO(syscall(SYS_tgkill, pid, gettid(), 0), ESRCH);
	EXPECT_ERRNO(syscall(SYS_tgkill, getpid(), pid, 0), ESRCH);
	EXPECT_OK(syscall(SYS_tgkill, pid, pid, 0));
	EXPECT_OK(syscall(SYS_tgkill, getpid(), gettid(), 0));
	EXPECT_ERRNO(syscall(SYS_tgkill, 0, gettid(), 0), EINVAL);
	EXPECT_ERRNO(syscall(SYS_tgkill, getpid(), 0, 0), EINVAL);
	EXPECT_ERRNO(syscall(SYS_tgkill, -1, gettid(), 0), EINVAL);
	EXPECT_ERRNO(syscall(SYS_tkill, 0, 0), EINVAL);
	EXPECT_ERRNO(syscall(SYS_tkill, -5, 0), EINVAL);
	EXPECT_OK(syscall(SYS_tgkill, pid, pid, SIGKILL));
	EXPECT_EQ(test_wait(pid, 0), W_EXITCODE(0, SIGKILL));
}

/* rt_sigqueueinfo(2): "processes cannot send signals [with a si_code
 * >= 0 or SI_TKILL] to other processes": that would impersonate the
 * kernel or kill/tgkill. Not even root may. SI_QUEUE and other negative
 * codes are allowed. */
TEST(rt_sigqueueinfo_to_another_process_cannot_forge_kernel_codes)
{
	const int forged[] = { SI_USER, SI_KERNEL, 1, SI_TKILL };
	siginfo_t si;
	unsigned i;
	pid_t pid = test_spawn_sleeper();

	ASSERT_GE(pid, 1);
	for (i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		memset(&si, 0, sizeof(si));
		si.si_signo = SIGUSR1;
		si.si_code = forged[i];
		EXPECT_ERRNO(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si),
			     EPERM);
		EXPECT_ERRNO(syscall(SYS_rt_tgsigqueueinfo, pid, pid, SIGUSR1,
				     &si), EPERM);
	}
	si.si_code = SI_QUEUE;
	EXPECT_OK(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si));
	EXPECT_EQ(test_wait(pid, 0), W_EXITCODE(0, SIGUSR1));
	EXPECT_ERRNO(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si), ESRCH);
	EXPECT_ERRNO(syscall(SYS_rt_sigqueueinfo, getpid(), 65, &si), EINVAL);
	EXPECT_ERRNO(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1,
			     test_bad_ptr()), EFAULT);
}

TEST(rt_tgsigqueueinfo_to_self_is_delivered_with_its_value)
{
	siginfo_t si;

	reset_seen();
	ASSERT_OK(test_set_handler(SIGRTMIN + 3, record_handler, SA_SIGINFO));
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGRTMIN + 3;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = 99;
	EXPECT_OK(syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(),
			  SIGRTMIN + 3, &si));
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_info.si_signo, SIGRTMIN + 3);
	EXPECT_EQ(seen_info.si_code, SI_QUEUE);
	EXPECT_EQ(seen_info.si_value.sival_int, 99);
	test_set_handler(SIGRTMIN + 3, SIG_DFL, 0);
}

/* RLIMIT_SIGPENDING bounds the signals queued for a user (all of its
 * processes together): a sigqueue past the limit fails with EAGAIN. The
 * child takes a uid of its own, so that no other process's pending
 * signals count; without the privilege for that it exits 125. */
#define UNUSED_UID 54321

static void sigqueue_over_the_limit(void)
{
	struct rlimit rl = { 8, 8 };
	int i, err = 0, queued = 0;

	if (setresuid(UNUSED_UID, UNUSED_UID, UNUSED_UID) < 0)
		_exit(125);
	EXPECT_OK(setrlimit(RLIMIT_SIGPENDING, &rl));
	EXPECT_OK(test_mask_signal(SIG_BLOCK, SIGRTMIN));
	for (i = 0; i < 64; i++) {
		if (sigqueue(getpid(), SIGRTMIN, (union sigval){ i }) < 0) {
			err = errno;
			break;
		}
		queued++;
	}
	EXPECT_EQ(err, EAGAIN);
	EXPECT_EQ(queued, 8);
	test_child_exit();
}

TEST(sigqueue_respects_rlimit_sigpending)
{
	pid_t pid = test_fork();

	if (pid == 0)
		sigqueue_over_the_limit();
	ASSERT_GE(pid, 1);
	int status = test_wait(pid, 0);
	if (status == W_EXITCODE(125, 0))
		SKIP("cannot take a uid of its own (not root)");
	EXPECT_EQ(status, 0);
}

/* --- waiting for signals --- */

static uint64_t mask_seen_in_handler;

static void mask_recording_handler(int sig)
{
	sigset_t now;

	sigprocmask(SIG_BLOCK, NULL, &now);
	memcpy(&mask_seen_in_handler, &now, sizeof(mask_seen_in_handler));
	hits++;
	(void)sig;
}

/* sigsuspend with a signal already pending: the handler runs with the
 * temporary mask (plus the signal); sigsuspend then fails with EINTR and
 * the original mask is back. */
TEST(sigsuspend_returns_eintr_after_the_handler_and_restores_the_mask)
{
	sigset_t temp = set_of(SIGTERM);
	sigset_t now;

	reset_seen();
	ASSERT_OK(test_set_handler(SIGUSR1, mask_recording_handler, 0));
	ASSERT_OK(test_mask_signal(SIG_BLOCK, SIGUSR1));
	ASSERT_OK(test_mask_signal(SIG_BLOCK, SIGHUP));
	EXPECT_OK(kill(getpid(), SIGUSR1));
	EXPECT_ERRNO(sigsuspend(&temp), EINTR);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(mask_seen_in_handler, BIT(SIGTERM) | BIT(SIGUSR1));
	ASSERT_OK(sigprocmask(SIG_BLOCK, NULL, &now));
	EXPECT_EQ(sigismember(&now, SIGUSR1), 1);
	EXPECT_EQ(sigismember(&now, SIGHUP), 1);
	EXPECT_EQ(sigismember(&now, SIGTERM), 0);
	unblock_all();
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

TEST(sigsuspend_sleeps_until_another_process_signals)
{
	sigset_t none;

	reset_seen();
	sigemptyset(&none);
	ASSERT_OK(test_set_handler(SIGUSR2, record_handler, SA_SIGINFO));
	ASSERT_OK(test_mask_signal(SIG_BLOCK, SIGUSR2));
	pid_t pid = test_signal_when_blocked(SIGUSR2);
	ASSERT_GE(pid, 1);
	EXPECT_ERRNO(sigsuspend(&none), EINTR);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_info.si_pid, pid);
	EXPECT_EQ(seen_info.si_code, SI_USER);
	EXPECT_TRUE(test_sig_blocked(SIGUSR2));
	EXPECT_EQ(test_wait(pid, 0), 0);
	unblock_all();
	test_set_handler(SIGUSR2, SIG_DFL, 0);
}

TEST(sigtimedwait_returns_a_pending_signal_with_its_siginfo)
{
	sigset_t set = set_of(SIGRTMIN + 1);
	siginfo_t si;

	ASSERT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	EXPECT_OK(sigqueue(getpid(), SIGRTMIN + 1,
			   (union sigval){ .sival_int = 4321 }));
	memset(&si, 0, sizeof(si));
	EXPECT_EQ(raw_sigtimedwait(&set, &si, NULL), SIGRTMIN + 1);
	EXPECT_EQ(si.si_signo, SIGRTMIN + 1);
	EXPECT_EQ(si.si_code, SI_QUEUE);
	EXPECT_EQ(si.si_pid, getpid());
	EXPECT_EQ(si.si_uid, getuid());
	EXPECT_EQ(si.si_value.sival_int, 4321);
	EXPECT_TRUE(!test_sig_pending(SIGRTMIN + 1));	/* dequeued */
	unblock_all();
}

TEST(sigtimedwait_times_out_with_eagain)
{
	sigset_t set = set_of(SIGUSR1);
	struct timespec zero = { 0, 0 }, short_wait = { 0, 50 * 1000 * 1000 };
	siginfo_t si;

	ASSERT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	EXPECT_ERRNO(raw_sigtimedwait(&set, &si, &zero), EAGAIN);
	long long start = test_now_ns();
	EXPECT_ERRNO(raw_sigtimedwait(&set, &si, &short_wait), EAGAIN);
	EXPECT_GE(test_now_ns() - start, 50 * 1000 * 1000);
	unblock_all();
}

TEST(sigtimedwait_wakes_when_another_process_signals)
{
	sigset_t set = set_of(SIGUSR1);
	struct timespec ten = { 10, 0 };
	siginfo_t si;

	reset_seen();
	ASSERT_OK(test_set_handler(SIGUSR1, record_handler, SA_SIGINFO));
	ASSERT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	pid_t pid = test_signal_when_blocked(SIGUSR1);
	ASSERT_GE(pid, 1);
	memset(&si, 0, sizeof(si));
	EXPECT_EQ(raw_sigtimedwait(&set, &si, &ten), SIGUSR1);
	EXPECT_EQ(si.si_code, SI_USER);
	EXPECT_EQ(si.si_pid, pid);
	EXPECT_EQ(hits, 0);		/* taken by sigtimedwait, not the handler */
	EXPECT_EQ(test_wait(pid, 0), 0);
	unblock_all();
	EXPECT_EQ(hits, 0);
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

/* A signal outside the set, with a handler, ends the wait with EINTR. */
TEST(sigtimedwait_is_interrupted_by_a_handled_signal)
{
	sigset_t set = set_of(SIGUSR1);
	struct timespec ten = { 10, 0 };
	siginfo_t si;

	reset_seen();
	ASSERT_OK(test_set_handler(SIGUSR2, record_handler, SA_SIGINFO));
	ASSERT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	pid_t pid = test_signal_when_blocked(SIGUSR2);
	ASSERT_GE(pid, 1);
	EXPECT_ERRNO(raw_sigtimedwait(&set, &si, &ten), EINTR);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(order[0], SIGUSR2);
	EXPECT_EQ(test_wait(pid, 0), 0);
	unblock_all();
	test_set_handler(SIGUSR2, SIG_DFL, 0);
}

TEST(sigtimedwait_errors)
{
	sigset_t set = set_of(SIGUSR1);
	struct timespec bad_nsec = { 0, 1000 * 1000 * 1000 };
	struct timespec negative = { -1, 0 };
	siginfo_t si;

	EXPECT_ERRNO(syscall(SYS_rt_sigtimedwait, &set, &si, NULL, 4), EINVAL);
	EXPECT_ERRNO(syscall(SYS_rt_sigtimedwait, &set, &si, NULL, 16), EINVAL);
	EXPECT_ERRNO(raw_sigtimedwait(&set, &si, &bad_nsec), EINVAL);
	EXPECT_ERRNO(raw_sigtimedwait(&set, &si, &negative), EINVAL);
	EXPECT_ERRNO(raw_sigtimedwait(test_bad_ptr(), &si, NULL), EFAULT);
}

TEST(sigwaitinfo_gets_a_realtime_signal_s_value)
{
	sigset_t set = set_of(SIGRTMAX);
	siginfo_t si;

	ASSERT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	EXPECT_OK(sigqueue(getpid(), SIGRTMAX, (union sigval){ .sival_int = 8 }));
	EXPECT_OK(sigqueue(getpid(), SIGRTMAX, (union sigval){ .sival_int = 9 }));
	memset(&si, 0, sizeof(si));
	EXPECT_EQ(sigwaitinfo(&set, &si), SIGRTMAX);
	EXPECT_EQ(si.si_value.sival_int, 8);
	EXPECT_EQ(sigwaitinfo(&set, &si), SIGRTMAX);
	EXPECT_EQ(si.si_value.sival_int, 9);
	EXPECT_TRUE(!test_sig_pending(SIGRTMAX));
	unblock_all();
}

TEST(pause_returns_eintr_after_a_handler)
{
	reset_seen();
	ASSERT_OK(test_set_handler(SIGUSR1, record_handler, SA_SIGINFO));
	pid_t pid = test_signal_when_blocked(SIGUSR1);
	ASSERT_GE(pid, 1);
	EXPECT_ERRNO(pause(), EINTR);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_info.si_pid, pid);
	EXPECT_EQ(test_wait(pid, 0), 0);
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}
