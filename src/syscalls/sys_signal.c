/* Signal dispositions and masks. Until delivery to handlers exists, the
 * dispositions are only recorded; fatal signals take default actions. */
#include <signal.h>
#include <string.h>

#include "cvisor/kernel.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

#define SIGSET_SIZE 8
#define UNBLOCKABLE ((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)))

long sys_rt_sigaction(struct task *t, const struct syscall_args *a)
{
	int sig = (int)a->arg[0];
	struct sigaction_k act, old;

	if (a->arg[3] != SIGSET_SIZE)
		return -EINVAL;
	if (sig < 1 || sig > 64)
		return -EINVAL;
	if (a->arg[1]) {
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
		if (copy_in(t, &act, a->arg[1], sizeof(act)) < 0)
			return -EFAULT;
		act.mask &= ~UNBLOCKABLE;
	}
	pthread_mutex_lock(&t->k->ts_lock);
	old = t->tg->sigactions[sig - 1];
	if (a->arg[1])
		t->tg->sigactions[sig - 1] = act;
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
			t->sigmask |= set;
			break;
		case SIG_UNBLOCK:
			t->sigmask &= ~set;
			break;
		case SIG_SETMASK:
			t->sigmask = set;
			break;
		default:
			return -EINVAL;
		}
		t->sigmask &= ~UNBLOCKABLE;
	}
	if (a->arg[2] && copy_out(t, a->arg[2], &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}
