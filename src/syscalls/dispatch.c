/* The one place a syscall's result and restart codes reach registers. */
#include <asm/unistd.h>

#include "cvisor/kernel.h"
#include "cvisor/log.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "strace.h"

void syscall_dispatch(struct task *t)
{
	uint64_t nr = arch_syscall_nr(&t->regs);
	struct syscall_args a;
	arch_syscall_args(&t->regs, a.arg);
	const struct syscall_entry *e = nr < SYSCALL_TABLE_SIZE ? &syscall_table[nr] : NULL;
	long ret;

	t->sc_nr = nr;
	if (!e || !e->fn) {
		kernel_unimplemented_syscall(t->k, t, nr);
		ret = -ENOSYS;
	} else {
		if (t->k->strace && (nr == __NR_exit || nr == __NR_exit_group))
			strace_log(t, e, &a, 0, true);
		ret = e->fn(t, &a);
	}
	if (t->k->strace)
		strace_log(t, e, &a, ret, false);
	if (ret == -EJUSTRETURN)
		return;		/* rt_sigreturn set every register */
	/* A restart code stays in the return register until signal_handle
	 * knows whether a handler runs and resolves it. */
	if (ret == -ERESTARTSYS || ret == -ERESTARTNOINTR || ret == -ERESTARTNOHAND ||
	    ret == -ERESTART_RESTARTBLOCK)
		t->restart_code = ret;
	arch_set_return(&t->regs, (uint64_t)ret);
}
