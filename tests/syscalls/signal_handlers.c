/* Signal handlers: rt_sigaction and delivery to a handler: when it
 * runs, the siginfo it gets for kill, tgkill, sigqueue and
 * rt_sigqueueinfo, the mask while it runs (the signal, sa_mask,
 * SA_NODEFER) and after, SA_RESETHAND, nesting, the arguments of
 * rt_sigaction and rt_sigprocmask, and default actions. The frame itself
 * (registers, FPU state, stacks, sigaltstack) is signal_frame.c.
 *
 * Every test leaves the dispositions it changed at SIG_DFL and the signal
 * mask empty. */
#include "test.h"

#include <ucontext.h>

/* From the uapi <asm/signal.h>, which cannot be included next to glibc's
 * <signal.h>. */
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

#define BIT(sig) (1ULL << ((sig) - 1))

/* The kernel's struct sigaction for x86-64 (not glibc's). */
struct k_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

static long raw_sigaction(int sig, const struct k_sigaction *act,
			  struct k_sigaction *old, size_t sigsetsize)
{
	return syscall(SYS_rt_sigaction, sig, act, old, sigsetsize);
}

static long raw_sigprocmask(int how, const uint64_t *set, uint64_t *old,
			    size_t sigsetsize)
{
	return syscall(SYS_rt_sigprocmask, how, set, old, sigsetsize);
}

/* The first 64 bits of a sigset: all the kernel has. */
static uint64_t bits_of(const sigset_t *set)
{
	uint64_t bits;

	memcpy(&bits, set, sizeof(bits));
	return bits;
}

static uint64_t current_mask(void)
{
	uint64_t mask = ~0ULL;

	raw_sigprocmask(SIG_BLOCK, NULL, &mask, 8);
	return mask;
}

static void set_mask(uint64_t mask)
{
	raw_sigprocmask(SIG_SETMASK, &mask, NULL, 8);
}

/* sigaction with the given sa_mask. */
static int set_handler_mask(int sig, void *fn, int flags, uint64_t mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = (void (*)(int, siginfo_t *, void *))fn;
	sa.sa_flags = flags;
	memcpy(&sa.sa_mask, &mask, sizeof(mask));
	return sigaction(sig, &sa, NULL);
}

/* What the last handler saw. */
static volatile sig_atomic_t hits;
static volatile int seen_sig;
static siginfo_t seen_info;
static uint64_t seen_mask;		/* sigprocmask inside the handler */
static uint64_t seen_uc_mask;		/* uc->uc_sigmask */
static greg_t seen_gregs[NGREG];

static void reset_seen(void)
{
	hits = 0;
	seen_sig = 0;
	memset(&seen_info, 0, sizeof(seen_info));
	seen_mask = seen_uc_mask = 0;
	memset(seen_gregs, 0, sizeof(seen_gregs));
}

static void count_handler(int sig)
{
	seen_sig = sig;
	hits++;
}

static void record_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	seen_sig = sig;
	seen_info = *si;
	seen_mask = current_mask();
	seen_uc_mask = bits_of(&uc->uc_sigmask);
	memcpy(seen_gregs, uc->uc_mcontext.gregs, sizeof(seen_gregs));
	hits++;
}

/* --- delivery and siginfo --- */

/* kill(2) of oneself: the signal is delivered before kill returns. */
TEST(handler_runs_before_kill_returns)
{
	reset_seen();
	ASSERT_OK(test_set_handler(SIGUSR1, count_handler, 0));
	EXPECT_OK(kill(getpid(), SIGUSR1));
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_sig, SIGUSR1);
	EXPECT_OK(raise(SIGUSR1));
	EXPECT_EQ(hits, 2);
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

TEST(siginfo_from_kill_is_si_user)
{
	reset_seen();
	ASSERT_OK(test_set_handler(SIGUSR1, record_handler, SA_SIGINFO));
	EXPECT_OK(kill(getpid(), SIGUSR1));
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_info.si_signo, SIGUSR1);
	EXPECT_EQ(seen_info.si_code, SI_USER);
	EXPECT_EQ(seen_info.si_errno, 0);
	EXPECT_EQ(seen_info.si_pid, getpid());
	EXPECT_EQ(seen_info.si_uid, getuid());
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

TEST(siginfo_from_tgkill_is_si_tkill)
{
	reset_seen();
	ASSERT_OK(test_set_handler(SIGUSR2, record_handler, SA_SIGINFO));
	EXPECT_OK(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2));
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_info.si_signo, SIGUSR2);
	EXPECT_EQ(seen_info.si_code, SI_TKILL);
	EXPECT_EQ(seen_info.si_pid, getpid());
	EXPECT_EQ(seen_info.si_uid, getuid());
	reset_seen();
	EXPECT_OK(syscall(SYS_tkill, gettid(), SIGUSR2));
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_info.si_code, SI_TKILL);
	test_set_handler(SIGUSR2, SIG_DFL, 0);
}

TEST(siginfo_from_sigqueue_is_si_queue_with_the_value)
{
	union sigval v = { .sival_int = 1234 };

	reset_seen();
	ASSERT_OK(test_set_handler(SIGRTMIN, record_handler, SA_SIGINFO));
	EXPECT_OK(sigqueue(getpid(), SIGRTMIN, v));
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_info.si_signo, SIGRTMIN);
	EXPECT_EQ(seen_info.si_code, SI_QUEUE);
	EXPECT_EQ(seen_info.si_pid, getpid());
	EXPECT_EQ(seen_info.si_uid, getuid());
	EXPECT_EQ(seen_info.si_value.sival_int, 1234);
	reset_seen();
	v.sival_ptr = (void *)0x123456789abcULL;
	EXPECT_OK(sigqueue(getpid(), SIGRTMIN, v));
	EXPECT_EQ((uintptr_t)seen_info.si_value.sival_ptr, 0x123456789abcULL);
	test_set_handler(SIGRTMIN, SIG_DFL, 0);
}

/* rt_sigqueueinfo(2) to oneself may use any si_code, and the kernel
 * delivers the siginfo as given: it does not fill in si_pid or si_uid. */
TEST(rt_sigqueueinfo_to_self_delivers_the_siginfo_as_given)
{
	siginfo_t si;

	reset_seen();
	ASSERT_OK(test_set_handler(SIGUSR1, record_handler, SA_SIGINFO));
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = -42;
	si.si_pid = 4242;
	si.si_uid = 4343;
	si.si_value.sival_int = 77;
	EXPECT_OK(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_info.si_signo, SIGUSR1);
	EXPECT_EQ(seen_info.si_code, -42);
	EXPECT_EQ(seen_info.si_pid, 4242);
	EXPECT_EQ(seen_info.si_uid, 4343);
	EXPECT_EQ(seen_info.si_value.sival_int, 77);
	/* A positive (kernel) si_code is allowed towards oneself too. */
	reset_seen();
	si.si_code = SI_KERNEL;
	EXPECT_OK(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_info.si_code, SI_KERNEL);
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

/* --- the mask around a handler --- */

/* During the handler the mask is the old one plus the signal plus
 * sa_mask; uc_sigmask holds the old one, which rt_sigreturn restores. */
TEST(handler_mask_adds_the_signal_and_sa_mask_and_is_restored)
{
	uint64_t before = BIT(SIGHUP);

	reset_seen();
	set_mask(before);
	ASSERT_OK(set_handler_mask(SIGUSR1, record_handler, SA_SIGINFO,
				   BIT(SIGTERM) | BIT(SIGRTMIN + 2)));
	EXPECT_OK(kill(getpid(), SIGUSR1));
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_mask,
		  before | BIT(SIGUSR1) | BIT(SIGTERM) | BIT(SIGRTMIN + 2));
	EXPECT_EQ(seen_uc_mask, before);
	EXPECT_EQ(current_mask(), before);
	set_mask(0);
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

/* sa_mask cannot block SIGKILL or SIGSTOP either. */
TEST(sa_mask_drops_sigkill_and_sigstop)
{
	struct sigaction old;

	reset_seen();
	ASSERT_OK(set_handler_mask(SIGUSR1, record_handler, SA_SIGINFO,
				   ~0ULL));
	ASSERT_OK(sigaction(SIGUSR1, NULL, &old));
	EXPECT_EQ(sigismember(&old.sa_mask, SIGKILL), 0);
	EXPECT_EQ(sigismember(&old.sa_mask, SIGSTOP), 0);
	EXPECT_EQ(sigismember(&old.sa_mask, SIGTERM), 1);
	EXPECT_OK(kill(getpid(), SIGUSR1));
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_mask, ~(BIT(SIGKILL) | BIT(SIGSTOP)));
	EXPECT_EQ(current_mask(), 0);
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

static volatile int depth, max_depth;

static void reentering_handler(int sig)
{
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	hits++;
	if (hits == 1)
		raise(sig);
	depth--;
}

/* Without SA_NODEFER the second signal waits for the first handler to
 * return; with it, the handler is entered again from inside itself. */
TEST(sa_nodefer_lets_a_handler_interrupt_itself)
{
	reset_seen();
	depth = max_depth = 0;
	ASSERT_OK(test_set_handler(SIGUSR1, reentering_handler, 0));
	EXPECT_OK(raise(SIGUSR1));
	EXPECT_EQ(hits, 2);
	EXPECT_EQ(max_depth, 1);

	reset_seen();
	depth = max_depth = 0;
	ASSERT_OK(test_set_handler(SIGUSR1, reentering_handler, SA_NODEFER));
	EXPECT_OK(raise(SIGUSR1));
	EXPECT_EQ(hits, 2);
	EXPECT_EQ(max_depth, 2);
	EXPECT_EQ(current_mask(), 0);
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

TEST(sa_nodefer_leaves_the_signal_out_of_the_handler_mask)
{
	reset_seen();
	ASSERT_OK(test_set_handler(SIGUSR2, record_handler,
				   SA_SIGINFO | SA_NODEFER));
	EXPECT_OK(raise(SIGUSR2));
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_mask & BIT(SIGUSR2), 0);
	test_set_handler(SIGUSR2, SIG_DFL, 0);
}

static void *resethand_seen_handler;

static void resethand_handler(int sig, siginfo_t *si, void *uc)
{
	struct sigaction now;

	record_handler(sig, si, uc);
	sigaction(sig, NULL, &now);
	resethand_seen_handler = (void *)now.sa_handler;
}

/* SA_RESETHAND: the disposition is back to SIG_DFL as the handler is
 * entered. Linux still blocks the signal during the handler (it does
 * not imply SA_NODEFER). */
TEST(sa_resethand_resets_the_disposition_on_delivery)
{
	struct sigaction now;

	reset_seen();
	resethand_seen_handler = NULL;
	ASSERT_OK(test_set_handler(SIGUSR1, resethand_handler,
				   SA_SIGINFO | SA_RESETHAND));
	EXPECT_OK(raise(SIGUSR1));
	EXPECT_EQ(hits, 1);
	EXPECT_TRUE(resethand_seen_handler == (void *)SIG_DFL);
	EXPECT_NE(seen_mask & BIT(SIGUSR1), 0);
	ASSERT_OK(sigaction(SIGUSR1, NULL, &now));
	EXPECT_TRUE(now.sa_handler == SIG_DFL);
	/* SIGUSR1's default action would now end this process: check in a
	 * child that it does. */
	pid_t pid = test_fork();
	if (pid == 0) {
		test_set_handler(SIGUSR1, count_handler, SA_RESETHAND);
		raise(SIGUSR1);
		raise(SIGUSR1);
		_exit(0);
	}
	ASSERT_GE(pid, 1);
	EXPECT_EQ(test_wait(pid, 0), W_EXITCODE(0, SIGUSR1));
}

static char nest_log[8];
static volatile int nest_len;

static void nest_outer(int sig)
{
	(void)sig;
	nest_log[nest_len++] = 'a';
	raise(SIGUSR2);
	nest_log[nest_len++] = 'b';
}

static void nest_inner(int sig)
{
	(void)sig;
	nest_log[nest_len++] = 'x';
}

TEST(a_handler_can_take_another_signal_inside_it)
{
	nest_len = 0;
	memset(nest_log, 0, sizeof(nest_log));
	ASSERT_OK(test_set_handler(SIGUSR1, nest_outer, 0));
	ASSERT_OK(test_set_handler(SIGUSR2, nest_inner, 0));
	EXPECT_OK(raise(SIGUSR1));
	EXPECT_STREQ(nest_log, "axb");
	EXPECT_EQ(current_mask(), 0);
	test_set_handler(SIGUSR1, SIG_DFL, 0);
	test_set_handler(SIGUSR2, SIG_DFL, 0);
}

/* --- rt_sigaction and rt_sigprocmask arguments --- */

TEST(sigaction_reports_the_previous_action)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = count_handler;
	sa.sa_flags = SA_RESTART | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGRTMAX);
	ASSERT_OK(sigaction(SIGUSR1, &sa, NULL));
	memset(&old, 0, sizeof(old));
	ASSERT_OK(sigaction(SIGUSR1, &sa, &old));
	EXPECT_TRUE(old.sa_handler == count_handler);
	EXPECT_EQ(old.sa_flags & (SA_RESTART | SA_NODEFER | SA_SIGINFO),
		  SA_RESTART | SA_NODEFER);
	EXPECT_EQ(sigismember(&old.sa_mask, SIGTERM), 1);
	EXPECT_EQ(sigismember(&old.sa_mask, SIGRTMAX), 1);
	EXPECT_EQ(sigismember(&old.sa_mask, SIGUSR1), 0);
	ASSERT_OK(sigaction(SIGUSR1, NULL, &old));
	EXPECT_TRUE(old.sa_handler == count_handler);
	test_set_handler(SIGUSR1, SIG_DFL, 0);
	ASSERT_OK(sigaction(SIGUSR1, NULL, &old));
	EXPECT_TRUE(old.sa_handler == SIG_DFL);
}

/* The kernel keeps the action as given (flags, restorer, mask), but
 * drops flag bits it does not know (since Linux 5.11; SA_UNSUPPORTED,
 * 0x400, is reserved so that programs can detect that). */
TEST(rt_sigaction_round_trips_and_drops_unknown_flags)
{
	struct k_sigaction act, got, saved;

	ASSERT_OK(raw_sigaction(SIGUSR2, NULL, &saved, 8));
	memset(&act, 0, sizeof(act));
	act.handler = (void *)count_handler;
	act.flags = SA_RESTORER | SA_RESTART | SA_ONSTACK | 0x400;
	act.restorer = (void *)0x1234;
	act.mask = BIT(SIGHUP) | BIT(64);
	ASSERT_OK(raw_sigaction(SIGUSR2, &act, NULL, 8));
	memset(&got, 0xff, sizeof(got));
	ASSERT_OK(raw_sigaction(SIGUSR2, NULL, &got, 8));
	EXPECT_TRUE(got.handler == (void *)count_handler);
	EXPECT_EQ(got.flags, SA_RESTORER | SA_RESTART | SA_ONSTACK);
	EXPECT_TRUE(got.restorer == (void *)0x1234);
	EXPECT_EQ(got.mask, BIT(SIGHUP) | BIT(64));
	EXPECT_OK(raw_sigaction(SIGUSR2, &saved, NULL, 8));
}

TEST(rt_sigaction_errors)
{
	struct k_sigaction act, old;

	memset(&act, 0, sizeof(act));
	act.handler = (void *)SIG_IGN;
	EXPECT_ERRNO(raw_sigaction(SIGKILL, &act, NULL, 8), EINVAL);
	EXPECT_ERRNO(raw_sigaction(SIGSTOP, &act, NULL, 8), EINVAL);
	act.handler = (void *)SIG_DFL;
	EXPECT_ERRNO(raw_sigaction(SIGKILL, &act, NULL, 8), EINVAL);
	/* Reading their actions is allowed. */
	EXPECT_OK(raw_sigaction(SIGKILL, NULL, &old, 8));
	EXPECT_TRUE(old.handler == (void *)SIG_DFL);
	EXPECT_OK(raw_sigaction(SIGSTOP, NULL, &old, 8));
	EXPECT_ERRNO(raw_sigaction(0, NULL, &old, 8), EINVAL);
	EXPECT_ERRNO(raw_sigaction(65, NULL, &old, 8), EINVAL);
	EXPECT_ERRNO(raw_sigaction(-1, NULL, &old, 8), EINVAL);
	EXPECT_ERRNO(raw_sigaction(SIGUSR1, NULL, &old, 4), EINVAL);
	EXPECT_ERRNO(raw_sigaction(SIGUSR1, NULL, &old, 16), EINVAL);
	EXPECT_ERRNO(raw_sigaction(SIGUSR1, test_bad_ptr(), NULL, 8), EFAULT);
	EXPECT_ERRNO(raw_sigaction(SIGUSR1, NULL, test_bad_ptr(), 8), EFAULT);
	/* The highest real-time signal is valid. */
	EXPECT_OK(raw_sigaction(64, NULL, &old, 8));
}

TEST(sigkill_and_sigstop_cannot_be_blocked)
{
	uint64_t all = ~0ULL, got = 0;

	ASSERT_OK(raw_sigprocmask(SIG_SETMASK, &all, NULL, 8));
	EXPECT_OK(raw_sigprocmask(SIG_BLOCK, NULL, &got, 8));
	set_mask(0);
	EXPECT_EQ(got, ~(BIT(SIGKILL) | BIT(SIGSTOP)));
	ASSERT_OK(raw_sigprocmask(SIG_BLOCK, &all, NULL, 8));
	got = current_mask();
	set_mask(0);
	EXPECT_EQ(got, ~(BIT(SIGKILL) | BIT(SIGSTOP)));
}

TEST(rt_sigprocmask_block_unblock_setmask)
{
	uint64_t set = BIT(SIGUSR1) | BIT(SIGRTMIN), old = 0;

	set_mask(BIT(SIGHUP));
	EXPECT_OK(raw_sigprocmask(SIG_BLOCK, &set, &old, 8));
	EXPECT_EQ(old, BIT(SIGHUP));
	EXPECT_EQ(current_mask(), BIT(SIGHUP) | set);
	set = BIT(SIGHUP) | BIT(SIGUSR2);	/* SIGUSR2 was not blocked */
	EXPECT_OK(raw_sigprocmask(SIG_UNBLOCK, &set, &old, 8));
	EXPECT_EQ(old, BIT(SIGHUP) | BIT(SIGUSR1) | BIT(SIGRTMIN));
	EXPECT_EQ(current_mask(), BIT(SIGUSR1) | BIT(SIGRTMIN));
	set = BIT(SIGTERM);
	EXPECT_OK(raw_sigprocmask(SIG_SETMASK, &set, NULL, 8));
	EXPECT_EQ(current_mask(), BIT(SIGTERM));
	set_mask(0);
}

TEST(rt_sigprocmask_errors)
{
	uint64_t set = BIT(SIGUSR1), old;

	EXPECT_ERRNO(raw_sigprocmask(3, &set, NULL, 8), EINVAL);
	EXPECT_ERRNO(raw_sigprocmask(-1, &set, NULL, 8), EINVAL);
	/* how is not looked at without a new set. */
	EXPECT_OK(raw_sigprocmask(12345, NULL, &old, 8));
	EXPECT_ERRNO(raw_sigprocmask(SIG_BLOCK, &set, NULL, 4), EINVAL);
	EXPECT_ERRNO(raw_sigprocmask(SIG_BLOCK, NULL, &old, 16), EINVAL);
	EXPECT_ERRNO(raw_sigprocmask(SIG_BLOCK, test_bad_ptr(), NULL, 8),
		     EFAULT);
	EXPECT_ERRNO(raw_sigprocmask(SIG_BLOCK, NULL, test_bad_ptr(), 8),
		     EFAULT);
	EXPECT_EQ(current_mask(), 0);
}

/* --- dispositions --- */

TEST(ignored_signals_do_nothing)
{
	ASSERT_OK(test_set_handler(SIGUSR1, SIG_IGN, 0));
	EXPECT_OK(kill(getpid(), SIGUSR1));
	EXPECT_OK(raise(SIGUSR1));
	EXPECT_TRUE(!test_sig_pending(SIGUSR1));
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

/* Default actions: most signals end the process; SIGCHLD, SIGURG,
 * SIGWINCH (and SIGCONT when not stopped) are ignored. */
TEST(default_actions_terminate_or_ignore)
{
	const int fatal[] = { SIGHUP, SIGINT, SIGUSR1, SIGUSR2, SIGTERM,
			      SIGALRM, SIGPIPE, SIGPROF, SIGVTALRM, SIGIO,
			      SIGSTKFLT, SIGPWR, 34, 64 };
	const int ignored[] = { SIGCHLD, SIGURG, SIGWINCH, SIGCONT };
	unsigned i;

	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
		pid_t pid = test_fork();
		if (pid == 0) {
			raise(fatal[i]);
			_exit(100);
		}
		ASSERT_GE(pid, 1);
		EXPECT_EQ(test_wait(pid, 0), W_EXITCODE(0, fatal[i]));
	}
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		pid_t pid = test_fork();
		if (pid == 0) {
			raise(ignored[i]);
			_exit(7);
		}
		ASSERT_GE(pid, 1);
		EXPECT_EQ(test_wait(pid, 0), W_EXITCODE(7, 0));
	}
}
