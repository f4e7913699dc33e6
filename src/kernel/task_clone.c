/* Creating processes: fork, vfork and clone without CLONE_THREAD. The
 * child gets a copy-on-write copy of the address space (a new stub,
 * created by its own sentry thread on first run), a copy or a share of
 * the fd table and fs context, and the parent's dispositions. */
#include <linux/capability.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/anon_inode.h"
#include "cvisor/creds.h"
#include "cvisor/fd_table.h"
#include "cvisor/kernel.h"
#include "cvisor/log.h"
#include "cvisor/task.h"
#include "cvisor/posix_timer.h"
#include "cvisor/vfs.h"

struct thread_group *tg_alloc_locked(struct kernel *k, struct thread_group *parent, pid_t pid)
{
	struct thread_group *tg = xzalloc(sizeof(*tg));
	tg->k = k;
	tg->pidns = k->root_pidns;
	tg->tgid = pid ? pid : ++k->root_pidns->last_pid;
	tg->serial = kernel_unique_id(k);
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
		tg->ctty = parent->ctty;
		memcpy(tg->rlimits, parent->rlimits, sizeof(tg->rlimits));
		if (tg->rlimits[RLIMIT_CPU].rlim_cur != RLIM_INFINITY)
			cpu_ticker_kick_locked(k);	/* its own CPU time, from 0 */
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

/* New namespaces come later. CLONE_PTRACE and CLONE_UNTRACED are
 * accepted: no task is ever traced, so they change nothing (as on Linux
 * for an untraced parent). */
#define CLONE_UNSUPPORTED (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | \
			   CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP | \
			   CLONE_NEWTIME)

/* The highest pid plus one (/proc/sys/kernel/pid_max). */
#define PID_MAX 4194304

static bool pid_in_use_locked(struct kernel *k, pid_t pid)
{
	struct thread_group *tg;
	struct task *t;
	TAILQ_FOREACH(tg, &k->thread_groups, all) {
		if (tg->tgid == pid || tg->pgid == pid || tg->sid == pid)
			return true;
		TAILQ_FOREACH(t, &tg->tasks, tg_entry) {
			if (t->tid == pid)
				return true;
		}
	}
	return false;
}

/* The pid of a new task: the next one, or clone3's set_tid if it is free
 * and T may choose (alloc_pid: checkpoint_restore_ns_capable). ts_lock
 * held. */
static int alloc_pid_locked(struct task *t, pid_t want, pid_t *pid)
{
	struct pid_ns *ns = t->k->root_pidns;
	if (!want) {
		*pid = ++ns->last_pid;
		return 0;
	}
	if (want < 1 || want >= PID_MAX)
		return -EINVAL;
	if (!creds_has_cap(t->creds, CAP_SYS_ADMIN) &&
	    !creds_has_cap(t->creds, CAP_CHECKPOINT_RESTORE))
		return -EPERM;
	if (pid_in_use_locked(t->k, want))
		return -EEXIST;
	/* Numbers are never reused (pid.c): the next ones come after. */
	ns->last_pid = MAX(ns->last_pid, want);
	*pid = want;
	return 0;
}

/* CLONE_CLEAR_SIGHAND: the child's handlers go back to SIG_DFL; ignored
 * signals stay ignored (flush_signal_handlers). ts_lock held. */
static void clear_handlers_locked(struct thread_group *tg)
{
	for (int i = 0; i < NSIG_K; i++) {
		struct sigaction_k *sa = &tg->sigactions[i];
		bool ignored = sa->handler == (uint64_t)SIG_IGN;
		*sa = (struct sigaction_k){ .handler = ignored ? (uint64_t)SIG_IGN : 0 };
	}
}

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
static void child_state(struct task *t, struct task *c, const struct clone_request *req)
{
	uint64_t flags = req->flags;
	c->fdt = (flags & CLONE_FILES) ? fdt_get(t->fdt) : fdt_fork(t->fdt);
	c->fs = (flags & CLONE_FS) ? fs_context_get(t->fs) : fs_context_copy(t->fs);
	c->utsns = t->utsns;
	c->sigmask = t->sigmask;
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = req->child_tid;
	task_save_fpu(t);
	c->regs.r = t->regs.r;
	arch_fpu_copy(&c->regs.fpu, &t->regs.fpu);
	arch_set_return(&c->regs, 0);
	if (req->stack)
		c->regs.r.rsp = req->stack;
	if (flags & CLONE_SETTLS)
		c->regs.r.fs_base = req->tls;
}

/* CLONE_PARENT_SETTID and CLONE_CHILD_SETTID: ID where each side asked. */
static void set_tids(struct task *t, struct task *c, const struct clone_request *req, pid_t id)
{
	if (req->flags & CLONE_PARENT_SETTID)
		copy_out(t, req->parent_tid, &id, sizeof(id));
	if (req->flags & CLONE_CHILD_SETTID)
		mm_copy_out(c->mm, req->child_tid, &id, sizeof(id));
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
static long clone_thread(struct task *t, const struct clone_request *req)
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
	pid_t new_tid;
	if ((err = alloc_pid_locked(t, req->set_tid, &new_tid)) < 0) {
		pthread_mutex_unlock(&k->ts_lock);
		return err;
	}
	struct thread_group *tg = t->tg;
	struct task *c = task_alloc(k, tg);
	c->tid = new_tid;
	TAILQ_INSERT_TAIL(&tg->tasks, c, tg_entry);
	tg->nr_tasks++;
	k->nr_tasks++;
	memcpy(c->comm, t->comm, sizeof(c->comm));
	c->creds = creds_get(t->creds);
	pthread_mutex_unlock(&k->ts_lock);

	mm_get(t->mm);
	c->mm = t->mm;
	child_state(t, c, req);
	pid_t tid = task_tid_nr(t, c);
	set_tids(t, c, req, tid);
	err = task_start(c);
	if (err < 0) {
		log_error("cannot start a task: %s", strerror(-err));
		task_exit(c);
		return -EAGAIN;
	}
	return tid;
}

long task_clone(struct task *t, const struct clone_request *req)
{
	struct kernel *k = t->k;
	uint64_t flags = req->flags;

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
	/* The sandbox has no cgroup2 hierarchy (/sys/fs/cgroup is empty),
	 * so no fd is a cgroup directory: cgroup_css_set_fork's EBADF. */
	if (flags & CLONE_INTO_CGROUP)
		return -EBADF;
	if (flags & CLONE_PIDFD) {
		/* Linux 6.9 gives pidfds of threads too: not yet. */
		if (flags & (CLONE_DETACHED | CLONE_THREAD))
			return -EINVAL;
		/* Legacy clone puts it at parent_tid: not both there. */
		if ((flags & CLONE_PARENT_SETTID) && req->pidfd == req->parent_tid)
			return -EINVAL;
		/* Linux writes the fd before the child exists. */
		int none = -1;
		if (copy_out(t, req->pidfd, &none, sizeof(none)) < 0)
			return -EFAULT;
	}
	if (flags & CLONE_THREAD)
		return clone_thread(t, req);

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
	pid_t new_pid;
	int err = alloc_pid_locked(t, req->set_tid, &new_pid);
	if (err < 0) {
		pthread_mutex_unlock(&k->ts_lock);
		return err;
	}
	struct thread_group *parent = (flags & CLONE_PARENT) && t->tg->parent ? t->tg->parent
									   : t->tg;
	struct thread_group *tg = tg_alloc_locked(k, parent, new_pid);
	tg->exit_signal = req->exit_signal;
	if (flags & CLONE_CLEAR_SIGHAND)
		clear_handlers_locked(tg);
	struct file *pidfd = flags & CLONE_PIDFD ? pidfd_new_locked(t->creds, tg, 0) : NULL;
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
	child_state(t, c, req);
	pid_t pid = task_tgid_nr(t, tg);
	set_tids(t, c, req, pid);
	if (flags & CLONE_VFORK) {
		c->vfork_parent = t;
		t->vfork_done = false;
	}

	if (pidfd) {
		int fd = fdt_install(t->fdt, pidfd, true, 0,
				     t->tg->rlimits[RLIMIT_NOFILE].rlim_cur);
		file_put(pidfd);
		if (fd < 0) {
			err = fd;
			goto out_kill_child;
		}
		copy_out(t, req->pidfd, &fd, sizeof(fd));
	}
	err = task_start(c);
	if (err < 0) {
		log_error("cannot start a task: %s", strerror(-err));
		err = -EAGAIN;
		goto out_kill_child;
	}
	if (flags & CLONE_VFORK)
		wait_vfork_done(t);
	return pid;

out_kill_child:
	task_exit_group(c, SIGKILL);
	task_exit(c);
	return err;
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
