/* The alternate signal stack (sigaltstack(2)). */
#include "cvisor/signal.h"
#include "cvisor/task.h"

/* The uapi's MINSIGSTKSZ, which sys_sigaltstack checks: glibc's macro of
 * that name is a sysconf of the host CPU's signal frame size, larger. */
#define LINUX_MINSIGSTKSZ 2048

bool sigaltstack_on(const struct task *t, uaddr_t sp)
{
	const struct sigaltstack_k *ss = &t->altstack;
	/* With SS_AUTODISARM the stack is disarmed while in use, so a task
	 * is never "on" it (Linux's on_sig_stack). */
	if (ss->flags & (SS_DISABLE | SS_AUTODISARM) || !ss->size)
		return false;
	/* Linux's on_sig_stack: the stack grows down from sp + size. */
	return sp > ss->sp && sp - ss->sp <= ss->size;
}

stack_t sigaltstack_get(const struct task *t, uaddr_t sp)
{
	const struct sigaltstack_k *ss = &t->altstack;
	stack_t out = { .ss_sp = (void *)ss->sp, .ss_size = ss->size,
			.ss_flags = ss->flags & SS_AUTODISARM };
	if (!ss->size || (ss->flags & SS_DISABLE))
		out.ss_flags = SS_DISABLE;
	else if (sigaltstack_on(t, sp))
		out.ss_flags |= SS_ONSTACK;
	return out;
}

int sigaltstack_set(struct task *t, const stack_t *ss, uaddr_t sp)
{
	if (sigaltstack_on(t, sp))
		return -EPERM;
	int mode = ss->ss_flags & ~SS_AUTODISARM;
	if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
		return -EINVAL;
	if (mode == SS_DISABLE) {
		t->altstack = (struct sigaltstack_k){ .flags = SS_DISABLE };
		return 0;
	}
	if (ss->ss_size < LINUX_MINSIGSTKSZ)
		return -ENOMEM;
	t->altstack = (struct sigaltstack_k){ .sp = (uaddr_t)ss->ss_sp, .size = ss->ss_size,
					      .flags = ss->ss_flags & SS_AUTODISARM };
	return 0;
}
