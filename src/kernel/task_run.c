/* The task loop: the body of every task's sentry thread. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "cvisor/kernel.h"
#include "cvisor/log.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

static void handle_fault(struct task *t, const struct fault_info *fi)
{
	if (fi->signo == SIGSEGV || fi->signo == SIGBUS) {
		int r = mm_handle_fault(t->mm, fi->addr, false);
		if (r == 0)
			return;
		task_force_signal(t, SIGSEGV, -r, fi->addr);
		return;
	}
	task_force_signal(t, fi->signo, fi->code, fi->addr);
}

static bool task_should_exit(struct task *t)
{
	pthread_mutex_lock(&t->k->ts_lock);
	bool exiting = t->tg->exiting;
	pthread_mutex_unlock(&t->k->ts_lock);
	if (!exiting) {
		pthread_mutex_lock(&t->block_lock);
		t->interrupted = false;
		pthread_mutex_unlock(&t->block_lock);
	}
	return exiting;
}

__thread struct task *current_task;

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
		switch (ops->ctx_switch(t->ctx, t->mm->as, &t->regs, &fi)) {
		case SWITCH_SYSCALL:
			syscall_dispatch(t);
			break;
		case SWITCH_FAULT:
			handle_fault(t, &fi);
			break;
		case SWITCH_INTERRUPT:
			break;
		case SWITCH_DEAD:
			log_debug("task %d: stub died", t->tid);
			task_exit_group(t, SIGKILL);
			break;
		}
		if (task_should_exit(t))
			break;
	}
	task_exit(t);
	return NULL;
}
