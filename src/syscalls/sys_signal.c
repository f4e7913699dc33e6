/* Signal dispositions, masks, waiting for signals, the alternate stack and
 * the return from a handler. Sending is in sys_kill.c. */
#include <signal.h>
#include <string.h>

#include "cvisor/kernel.h"
#include "cvisor/signal.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

#define SIGSET_SIZE 8
/* The sa_flags Linux keeps (UAPI_SA_FLAGS); others read back as 0, which
 * is how programs probe for flag support (SA_UNSUPPORTED). */
#define SA_EXPOSE_TAGBITS_K 0x800
#define SA_KNOWN (SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_EXPOSE_TAGBITS_K | SA_ONSTACK | \
		  SA_RESTART | SA_NODEFER | SA_RESETHAND | SA_RESTORER)

long sys_rt_sigaction(struct task *t, const struct syscall_args *a)
{
	int sig = (int)a->arg[0];
	struct sigaction_k act, old;

	if (a->arg[3] != SIGSET_SIZE)
		return -EINVAL;
	if (sig < 1 || sig > NSIG_K)
		return -EINVAL;
	if (a->arg[1]) {
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
		if (copy_in(t, &act, a->arg[1], sizeof(act)) < 0)
			return -EFAULT;
		act.mask &= ~SIG_UNBLOCKABLE;
		act.flags &= SA_KNOWN;
	}
	struct thread_group *tg = t->tg;
	pthread_mutex_lock(&t->k->ts_lock);
	old = tg->sigactions[sig - 1];
	if (a->arg[1]) {
		tg->sigactions[sig - 1] = act;
		/* A signal now ignored is dropped even if pending
		 * (POSIX; Linux's do_sigaction). */
		if (act.handler == (uint64_t)SIG_IGN ||
		    (act.handler == (uint64_t)SIG_DFL && sig_default_ignore(sig))) {
			sigpending_flush(&tg->shared_pending, SIG_BIT(sig));
			struct task *each;
			TAILQ_FOREACH(each, &tg->tasks, tg_entry)
				sigpending_flush(&each->pending, SIG_BIT(sig));
		}
	}
	pthread_mutex_unlock(&t->k->ts_lock);
	if (a->arg[2] && copy_out(t, a->arg[2], &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

long sys_rt_sigprocmask(struct task *t, const struct syscall_args *a)
{
	int how = (int)a->arg[0];
	uint64_t set, old = t->sigmask;

	if (a->arg[3] != SIGSET_SIZE)
		return -EINVAL;
	if (a->arg[1]) {
		if (copy_in(t, &set, a->arg[1], sizeof(set)) < 0)
			return -EFAULT;
		switch (how) {
		case SIG_BLOCK:
			set |= old;
			break;
		case SIG_UNBLOCK:
			set = old & ~set;
			break;
		case SIG_SETMASK:
			break;
		default:
			return -EINVAL;
		}
		signal_set_mask(t, set);
	}
	if (a->arg[2] && copy_out(t, a->arg[2], &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

long sys_rt_sigpending(struct task *t, const struct syscall_args *a)
{
	size_t size = a->arg[1];
	if (size > SIGSET_SIZE)
		return -EINVAL;
	pthread_mutex_lock(&t->k->ts_lock);
	uint64_t set = (t->pending.set | t->tg->shared_pending.set) & t->sigmask;
	pthread_mutex_unlock(&t->k->ts_lock);
	return copy_out(t, a->arg[0], &set, size) < 0 ? -EFAULT : 0;
}

/* Sleeps until a signal needs T's attention. */
static void wait_for_signal(struct task *t)
{
	while (task_block(t, -1) != -EINTR)
		;
}

long sys_rt_sigsuspend(struct task *t, const struct syscall_args *a)
{
	uint64_t mask;
	if (a->arg[1] != SIGSET_SIZE)
		return -EINVAL;
	if (copy_in(t, &mask, a->arg[0], sizeof(mask)) < 0)
		return -EFAULT;
	signal_set_temporary_mask(t, mask);
	wait_for_signal(t);
	return -ERESTARTNOHAND;
}

long sys_pause(struct task *t, const struct syscall_args *a)
{
	wait_for_signal(t);
	return -ERESTARTNOHAND;
}

long sys_rt_sigtimedwait(struct task *t, const struct syscall_args *a)
{
	uint64_t set;
	int64_t deadline = -1;
	siginfo_t info;

	if (a->arg[3] != SIGSET_SIZE)
		return -EINVAL;
	if (copy_in(t, &set, a->arg[0], sizeof(set)) < 0)
		return -EFAULT;
	set &= ~SIG_UNBLOCKABLE;
	if (a->arg[2]) {
		struct timespec ts;
		int64_t ns;
		if (copy_in(t, &ts, a->arg[2], sizeof(ts)) < 0)
			return -EFAULT;
		if (timespec_to_ns(&ts, &ns) < 0)
			return -EINVAL;
		deadline = host_monotonic_ns() + ns;
	}

	struct kernel *k = t->k;
	int err = 0;
	pthread_mutex_lock(&k->ts_lock);
	int sig = signal_dequeue_locked(t, set, &info);
	if (!sig && deadline >= 0 && deadline <= host_monotonic_ns())
		err = -EAGAIN;
	if (!sig && !err) {
		/* Waited-for signals wake us even while blocked. */
		t->sigwait_set = set;
		signal_recalc_locked(t);
		pthread_mutex_unlock(&k->ts_lock);
		do
			err = task_block(t, deadline);
		while (err == 0);
		pthread_mutex_lock(&k->ts_lock);
		t->sigwait_set = 0;
		sig = signal_dequeue_locked(t, set, &info);
		signal_recalc_locked(t);
	}
	pthread_mutex_unlock(&k->ts_lock);
	if (!sig)
		return err == -ETIMEDOUT || err == -EAGAIN ? -EAGAIN : -EINTR;
	if (a->arg[1] && copy_out(t, a->arg[1], &info, sizeof(info)) < 0)
		return -EFAULT;
	return sig;
}

long sys_sigaltstack(struct task *t, const struct syscall_args *a)
{
	uaddr_t sp = arch_sp(&t->regs);
	stack_t old = sigaltstack_get(t, sp);
	if (a->arg[0]) {
		stack_t ss;
		if (copy_in(t, &ss, a->arg[0], sizeof(ss)) < 0)
			return -EFAULT;
		int ret = sigaltstack_set(t, &ss, sp);
		if (ret < 0)
			return ret;
	}
	if (a->arg[1] && copy_out(t, a->arg[1], &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

long sys_rt_sigreturn(struct task *t, const struct syscall_args *a)
{
	t->restart.fn = NULL;
	if (arch_signal_return(t) < 0)
		signal_force_fault(t, SIGSEGV, SI_KERNEL, 0);
	return -EJUSTRETURN;
}

long sys_restart_syscall(struct task *t, const struct syscall_args *a)
{
	long (*fn)(struct task *) = t->restart.fn;
	t->restart.fn = NULL;
	return fn ? fn(t) : -EINTR;
}
