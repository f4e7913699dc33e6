/* The task loop: the body of every task's sentry thread. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "cvisor/kernel.h"
#include "cvisor/log.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

/* SEEN_GEN: the mm's mirror_gen when T's thread was resumed. */
static void handle_fault(struct task *t, const struct fault_info *fi, uint64_t seen_gen)
{
	int sig = fi->signo, code = fi->code;
	bool present = false;
	/* A page fault: maybe only a page not yet mirrored into the stub.
	 * Other host SIGSEGVs (general protection, SI_KERNEL) go as they
	 * are. */
	if ((sig == SIGSEGV && code != SI_KERNEL) || sig == SIGBUS) {
		int r = -mm_handle_fault(t->mm, fi->addr, fi->write == 1, seen_gen);
		if (r == 0)
			return;
		sig = r & MM_FAULT_SIGBUS ? SIGBUS : SIGSEGV;
		code = r & ~MM_FAULT_SIGBUS;
		present = sig == SIGSEGV && code == SEGV_ACCERR;
	}
	int prot = present ? mm_prot_at(t->mm, fi->addr) : 0;
	arch_record_fault(&t->regs, sig, code, fi->addr, present, prot, fi->write);
	signal_force_fault(t, sig, code, fi->addr);
}

__thread struct task *current_task;

void task_save_fpu(struct task *t)
{
	const struct platform_ops *ops = t->k->platform.ops;
	if (t->regs.fpu.saved)
		return;
	if (!t->mm->as || ops->ctx_save_fpu(t->ctx, t->mm->as, &t->regs) < 0)
		arch_fpu_reset(&t->regs.fpu);	/* no thread yet, or it is gone */
}

static bool ensure_address_space(struct task *t)
{
	struct address_space *as = t->k->platform.ops->as_new(&t->k->platform);
	if (IS_ERR(as)) {
		log_error("cannot create an address space: %s", strerror(-(int)PTR_ERR(as)));
		task_exit_group(t, SIGKILL);
		return false;
	}
	pthread_mutex_lock(&t->mm->lock);
	t->mm->as = as;
	pthread_mutex_unlock(&t->mm->lock);
	return true;
}

void *task_run(void *arg)
{
	struct task *t = arg;
	current_task = t;
	t->thread = pthread_self();
	const struct platform_ops *ops = t->k->platform.ops;

	/* Signals for the sandbox are handled by the CLI's forwarder thread. */
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	t->ctx = ops->ctx_new(&t->k->platform);

	for (;;) {
		struct fault_info fi;
		/* A new process or a fresh exec: its stub is made by this
		 * thread, which becomes its tracer. */
		if (!t->mm->as && !ensure_address_space(t))
			break;
		uint64_t gen = t->mm->mirror_gen;
		switch (ops->ctx_switch(t->ctx, t->mm->as, &t->regs, &fi)) {
		case SWITCH_SYSCALL:
			syscall_dispatch(t);
			break;
		case SWITCH_FAULT:
			handle_fault(t, &fi, gen);
			break;
		case SWITCH_INTERRUPT:
			break;
		case SWITCH_DEAD:
			log_debug("task %d: stub died", t->tid);
			task_exit_group(t, SIGKILL);
			break;
		}
		/* Signals, exit and stops, and the restart of an interrupted
		 * syscall, are all settled here before the thread runs on. */
		if ((t->attention || t->restart_code) && !signal_handle(t))
			break;
	}
	task_exit(t);
	return NULL;
}
