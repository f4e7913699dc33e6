/* Creating processes: fork, vfork and clone without CLONE_THREAD. The
 * child gets a copy-on-write copy of the address space (a new stub,
 * created by its own sentry thread on first run), a copy or a share of
 * the fd table and fs context, and the parent's dispositions. */
#include <linux/sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/creds.h"
#include "cvisor/fd_table.h"
#include "cvisor/kernel.h"
#include "cvisor/log.h"
#include "cvisor/task.h"
#include "cvisor/posix_timer.h"
#include "cvisor/vfs.h"

struct thread_group *tg_alloc_locked(struct kernel *k, struct thread_group *parent)
{
	struct thread_group *tg = xzalloc(sizeof(*tg));
	tg->k = k;
	tg->pidns = k->root_pidns;
	tg->tgid = ++k->root_pidns->last_pid;
	tg->dumpable = 1;
	tg->start_ns = host_monotonic_ns();
	tg->exit_signal = SIGCHLD;
	TAILQ_INIT(&tg->tasks);
	LIST_INIT(&tg->children);
	waitqueue_init(&tg->child_wq);
	sigpending_init(&tg->shared_pending);
	ktimer_init(&tg->itimer_real, itimer_real_fire);
	posix_timers_init(tg);
	if (parent) {
		tg->parent = parent;
		LIST_INSERT_HEAD(&parent->children, tg, sibling);
		tg->pgid = parent->pgid;
		tg->sid = parent->sid;
		tg->has_ctty = parent->has_ctty;
		memcpy(tg->rlimits, parent->rlimits, sizeof(tg->rlimits));
		tg->oom_score_adj = parent->oom_score_adj;
		tg->sched = parent->sched;
		tg->personality = parent->personality;
		tg->oom_score_adj_min = parent->oom_score_adj_min;
		memcpy(tg->sigactions, parent->sigactions, sizeof(tg->sigactions));
	}
	TAILQ_INSERT_TAIL(&k->thread_groups, tg, all);
	return tg;
}

struct task *task_alloc(struct kernel *k, struct thread_group *tg)
{
	struct task *t = xzalloc(sizeof(*t));
	t->k = k;
	t->tg = tg;
	sigpending_init(&t->pending);
	t->altstack.flags = SS_DISABLE;
	t->host_wake_fd = -1;
	task_init_wake(t);
	return t;
}

int task_start(struct task *t)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* A sentry thread needs little stack: no deep recursion, buffers
	 * of a page or two. */
	pthread_attr_setstacksize(&attr, 256 << 10);
	pthread_t thread;
	int err = pthread_create(&thread, &attr, task_run, t);
	pthread_attr_destroy(&attr);
	return -err;
}

#define CLONE_UNSUPPORTED (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | \
			   CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP | \
			   CLONE_PIDFD | CLONE_PTRACE | CLONE_UNTRACED)

/* Waits, uninterruptibly by anything but exit, until the vfork child
 * releases us (exec or exit), as Linux's wait_for_vfork_done. */
static void wait_vfork_done(struct task *t)
{
	struct waiter w = { 0 };
	for (;;) {
		waiter_prepare(&w, t, &t->tg->child_wq);
		pthread_mutex_lock(&t->k->ts_lock);
		bool done = t->vfork_done || t->tg->exiting;
		pthread_mutex_unlock(&t->k->ts_lock);
		if (done)
			break;
		waiter_sleep(&w, -1);
	}
	waiter_finish(&w);
}

/* What a new task C gets from T besides its address space: files and
 * filesystem context (shared or copied per FLAGS), namespaces, signal
 * mask, and T's registers at its clone, returning 0, on STACK and with
 * TLS if asked. */
static void child_state(struct task *t, struct task *c, uint64_t flags, uaddr_t stack,
			uaddr_t ctid, uint64_t tls)
{
	c->fdt = (flags & CLONE_FILES) ? fdt_get(t->fdt) : fdt_fork(t->fdt);
	c->fs = (flags & CLONE_FS) ? fs_context_get(t->fs) : fs_context_copy(t->fs);
	c->utsns = t->utsns;
	c->sigmask = t->sigmask;
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = ctid;
	task_save_fpu(t);
	c->regs.r = t->regs.r;
	arch_fpu_copy(&c->regs.fpu, &t->regs.fpu);
	arch_set_return(&c->regs, 0);
	if (stack)
		c->regs.r.rsp = stack;
	if (flags & CLONE_SETTLS)
		c->regs.r.fs_base = tls;
}

/* CLONE_PARENT_SETTID and CLONE_CHILD_SETTID: ID where each side asked. */
static void set_tids(struct task *t, struct task *c, uint64_t flags, uaddr_t ptid, uaddr_t ctid,
		     pid_t id)
{
	if (flags & CLONE_PARENT_SETTID)
		copy_out(t, ptid, &id, sizeof(id));
	if (flags & CLONE_CHILD_SETTID)
		mm_copy_out(c->mm, ctid, &id, sizeof(id));
}

/* RLIMIT_NPROC, counted on the whole sandbox, holds for neither root nor
 * a holder of CAP_SYS_RESOURCE or CAP_SYS_ADMIN (copy_process). Caller
 * holds ts_lock. */
static bool nproc_exceeded(struct task *t)
{
	const struct creds *c = t->creds;
	return t->tg->rlimits[RLIMIT_NPROC].rlim_cur <= t->k->nr_tasks && c->uid != 0 &&
	       !creds_has_cap(c, CAP_SYS_RESOURCE) && !creds_has_cap(c, CAP_SYS_ADMIN);
}

/* clone(CLONE_THREAD): a new task in T's process, sharing its address
 * space, files and filesystem context (CLONE_THREAD implies CLONE_VM
 * and CLONE_SIGHAND; dispositions are per process already). */
static long clone_thread(struct task *t, uint64_t flags, uaddr_t stack, uaddr_t ptid,
			 uaddr_t ctid, uint64_t tls)
{
	struct kernel *k = t->k;
	const struct platform_ops *ops = k->platform.ops;

	int err = ops->as_add_thread(t->mm->as);
	if (err < 0)
		return err == -ESRCH ? -EAGAIN : err;
	pthread_mutex_lock(&k->ts_lock);
	if (t->tg->exiting || k->nr_tasks >= k->max_tasks || nproc_exceeded(t)) {
		bool exiting = t->tg->exiting;
		pthread_mutex_unlock(&k->ts_lock);
		/* The stub thread made for it is never seized; it goes with
		 * the stub process. */
		return exiting ? -EINTR : -EAGAIN;
	}
	struct thread_group *tg = t->tg;
	struct task *c = task_alloc(k, tg);
	c->tid = ++k->root_pidns->last_pid;
	TAILQ_INSERT_TAIL(&tg->tasks, c, tg_entry);
	tg->nr_tasks++;
	k->nr_tasks++;
	memcpy(c->comm, t->comm, sizeof(c->comm));
	c->creds = creds_get(t->creds);
	pthread_mutex_unlock(&k->ts_lock);

	mm_get(t->mm);
	c->mm = t->mm;
	child_state(t, c, flags, stack, ctid, tls);
	pid_t tid = task_tid_nr(t, c);
	set_tids(t, c, flags, ptid, ctid, tid);
	err = task_start(c);
	if (err < 0) {
		log_error("cannot start a task: %s", strerror(-err));
		task_exit(c);
		return -EAGAIN;
	}
	return tid;
}

long task_clone(struct task *t, uint64_t flags, uaddr_t stack, uaddr_t ptid, uaddr_t ctid,
		uint64_t tls)
{
	struct kernel *k = t->k;

	/* Linux's consistency rules (copy_process). */
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_FS) && (flags & CLONE_NEWNS))
		return -EINVAL;
	/* New namespaces come later: refuse rather than pretend. */
	if (flags & CLONE_UNSUPPORTED)
		return -EINVAL;
	if (flags & CLONE_THREAD)
		return clone_thread(t, flags, stack, ptid, ctid, tls);

	pthread_mutex_lock(&k->ts_lock);
	/* A process being killed makes no children: they would escape a
	 * kill of everything that exists now (Linux: fatal_signal_pending
	 * in copy_process). */
	if (t->tg->exiting) {
		pthread_mutex_unlock(&k->ts_lock);
		return -EINTR;
	}
	if (k->nr_tasks >= k->max_tasks || nproc_exceeded(t)) {
		pthread_mutex_unlock(&k->ts_lock);
		return -EAGAIN;
	}
	struct thread_group *parent = (flags & CLONE_PARENT) && t->tg->parent ? t->tg->parent
									   : t->tg;
	struct thread_group *tg = tg_alloc_locked(k, parent);
	tg->exit_signal = (int)(flags & CSIGNAL);
	struct task *c = task_alloc(k, tg);
	c->tid = tg->tgid;
	tg->leader = c;
	TAILQ_INSERT_TAIL(&tg->tasks, c, tg_entry);
	tg->nr_tasks = 1;
	k->nr_tasks++;
	memcpy(c->comm, t->comm, sizeof(c->comm));
	c->creds = creds_get(t->creds);
	pthread_mutex_unlock(&k->ts_lock);

	/* CLONE_VM without CLONE_THREAD (vfork, posix_spawn) gets a copy
	 * too: one stub cannot serve two processes yet. The parent still
	 * waits for the child's exec or exit as with CLONE_VFORK. */
	c->mm = mm_fork(t->mm);
	/* The alternate signal stack is kept only by a child that does not
	 * share the memory it is in (Linux's copy_process). */
	c->altstack = t->altstack;
	child_state(t, c, flags, stack, ctid, tls);
	pid_t pid = task_tgid_nr(t, tg);
	set_tids(t, c, flags, ptid, ctid, pid);
	if (flags & CLONE_VFORK) {
		c->vfork_parent = t;
		t->vfork_done = false;
	}

	int err = task_start(c);
	if (err < 0) {
		log_error("cannot start a task: %s", strerror(-err));
		task_exit_group(c, SIGKILL);
		task_exit(c);
		return -EAGAIN;
	}
	if (flags & CLONE_VFORK)
		wait_vfork_done(t);
	return pid;
}

void task_vfork_release(struct task *t)
{
	pthread_mutex_lock(&t->k->ts_lock);
	struct task *parent = t->vfork_parent;
	t->vfork_parent = NULL;
	if (parent)
		parent->vfork_done = true;
	pthread_mutex_unlock(&t->k->ts_lock);
	if (parent)
		waitqueue_wake_all(&parent->tg->child_wq);
}
