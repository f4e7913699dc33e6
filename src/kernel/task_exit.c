/* Exiting: exit_group marks the thread group, every task leaves its loop,
 * and the last one out reports the status. When PID 1 exits, every other
 * task of the sandbox is killed, as in a Linux PID namespace. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cvisor/creds.h"
#include "cvisor/fd_table.h"
#include "cvisor/futex.h"
#include "cvisor/ipc.h"
#include "cvisor/kernel.h"
#include "cvisor/log.h"
#include "cvisor/posix_timer.h"
#include "cvisor/task.h"
#include "cvisor/tty.h"
#include "cvisor/vfs.h"

/* Makes T stop what it is doing and look at its state; ts_lock held. */
void task_interrupt_locked(struct task *t)
{
	pthread_mutex_lock(&t->block_lock);
	t->interrupted = true;
	pthread_cond_broadcast(&t->wake);
	pthread_mutex_unlock(&t->block_lock);
	int wake = t->host_wake_fd;
	if (wake >= 0)
		(void)!eventfd_write(wake, 1);
	if (t->ctx)
		t->k->platform.ops->ctx_interrupt(t->ctx);
}

void tg_kill_locked(struct thread_group *tg, int status)
{
	if (tg->exiting)
		return;
	tg->exiting = true;
	tg->exit_status = status;
	struct task *t;
	TAILQ_FOREACH(t, &tg->tasks, tg_entry) {
		t->attention = true;
		task_interrupt_locked(t);
	}
	/* Stopped tasks wait on ts_changed (signal_handle). */
	pthread_cond_broadcast(&tg->k->ts_changed);
}

void task_exit_thread(struct task *t, int status)
{
	pthread_mutex_lock(&t->k->ts_lock);
	t->exit_thread = true;
	t->exit_code = status;
	t->attention = true;
	pthread_mutex_unlock(&t->k->ts_lock);
}

void task_exit_group(struct task *t, int status)
{
	struct kernel *k = t->k;
	pthread_mutex_lock(&k->ts_lock);
	tg_kill_locked(t->tg, status);
	pthread_mutex_unlock(&k->ts_lock);
}

/* Who adopts the children of TG, which is dying: the nearest ancestor
 * that is a child subreaper and not exiting, else init (Linux's
 * find_new_reaper; with nested PID namespaces the walk will stop at the
 * namespace's init). ts_lock held. */
static struct thread_group *find_new_reaper_locked(struct thread_group *tg)
{
	for (struct thread_group *a = tg->parent; a; a = a->parent)
		if (a->is_child_subreaper && !a->exiting)
			return a;
	return tg->k->root_pidns->init;
}

/* The last task of TG is gone: a session leader's terminal hangs up its
 * foreground job (disassociate_ctty); its children go to their new reaper (with
 * their parent-death signals), and TG becomes a zombie for its parent to
 * reap, or is freed at once when nobody will (PID 1, or a parent ignoring
 * SIGCHLD). ts_lock held. */
static void tg_exit_locked(struct thread_group *tg)
{
	struct kernel *k = tg->k;
	struct thread_group *init = k->root_pidns->init;
	struct thread_group *reaper = tg == init ? NULL : find_new_reaper_locked(tg);
	struct thread_group *child;
	bool reaper_has_zombies = false;

	tty_session_leader_exit_locked(tg);
	tg->ctty = NULL;
	while ((child = LIST_FIRST(&tg->children))) {
		LIST_REMOVE(child, sibling);
		child->parent = reaper;
		if (reaper) {
			LIST_INSERT_HEAD(&reaper->children, child, sibling);
			child->exit_signal = SIGCHLD;	/* as Linux's reparent_leader */
		}
		reaper_has_zombies |= child->zombie;
		signal_orphaned_pgrp_locked(child, tg);
		struct task *ct;
		TAILQ_FOREACH(ct, &child->tasks, tg_entry) {
			if (ct->pdeath_signal) {
				siginfo_t si;
				siginfo_from(&si, ct->pdeath_signal, SI_USER, NULL, child);
				si.si_pid = task_tgid_nr(ct, tg);
				signal_send_locked(child, NULL, &si);
			}
		}
	}
	if (reaper_has_zombies && reaper)
		waitqueue_wake_all(&reaper->child_wq);
	signal_orphaned_pgrp_locked(tg, NULL);

	if (tg == init) {
		k->init_exited = true;
		k->init_status = tg->exit_status;
		struct thread_group *other;
		TAILQ_FOREACH(other, &k->thread_groups, all)
			tg_kill_locked(other, SIGKILL);
	}
	struct thread_group *parent = tg->parent;
	/* Linux reaps at once if the parent ignores SIGCHLD (or set
	 * SA_NOCLDWAIT); the signal itself is then dropped as ignored. */
	bool autoreap = !parent ||
			(tg->exit_signal == SIGCHLD &&
			 (parent->sigactions[SIGCHLD - 1].handler == (uint64_t)SIG_IGN ||
			  (parent->sigactions[SIGCHLD - 1].flags & SA_NOCLDWAIT)));
	tg->zombie = !autoreap;
	int st = tg->exit_status;
	if (WIFEXITED(st))
		signal_notify_parent_locked(tg, CLD_EXITED, WEXITSTATUS(st));
	else
		signal_notify_parent_locked(tg, CLD_KILLED, WTERMSIG(st));
	waitqueue_wake_all(&k->pidfd_wq);
	if (autoreap)
		tg_release_locked(tg);
}

void tg_release_locked(struct thread_group *tg)
{
	TAILQ_REMOVE(&tg->k->thread_groups, tg, all);
	waitqueue_wake_all(&tg->k->pidfd_wq);
	if (tg->parent)
		LIST_REMOVE(tg, sibling);
	sigpending_flush(&tg->shared_pending, ~0ULL);
	if (tg->exit_creds)
		creds_put(tg->exit_creds);
	tg->exit_creds = NULL;
	if (tg == tg->k->root_pidns->init)
		return;	/* PID 1 stays findable for the exit status */
	free(tg);
}

void task_exit(struct task *t)
{
	struct kernel *k = t->k;
	const struct platform_ops *ops = k->platform.ops;

	rusage_task_exit(t);
	/* Leaving an address space other tasks keep: give up this task's
	 * thread of execution in it. */
	if (t->mm && t->mm->as && t->mm->users > 1)
		ops->as_remove_thread(t->mm->as);
	/* Wakes a joiner (clear_child_tid): as late as the mm allows, so the
	 * task is soon gone from /proc/<pid>/task (Linux, too, lists an
	 * exiting thread a little after it wakes its joiner). */
	futex_task_exit(t);
	/* Detach under the task-set lock (/proc readers take references
	 * under it), release outside it: closing files may block. */
	pthread_mutex_lock(&k->ts_lock);
	struct mm *mm = t->mm;
	struct fd_table *fdt = t->fdt;
	struct fs_context *fs = t->fs;
	struct context *ctx = t->ctx;
	t->mm = NULL;
	t->fdt = NULL;
	t->fs = NULL;
	t->ctx = NULL;
	pthread_mutex_unlock(&k->ts_lock);
	mm_put(mm);
	if (ctx)
		ops->ctx_release(ctx);
	fdt_put(fdt);
	fs_context_put(fs);

	task_vfork_release(t);
	/* The process's timers stop before it becomes a zombie: their
	 * callbacks may not see it freed. Of threads exiting together,
	 * the one counted last here does it. */
	pthread_mutex_lock(&k->ts_lock);
	bool last = ++t->tg->nr_leaving == t->tg->nr_tasks;
	pthread_mutex_unlock(&k->ts_lock);
	if (last) {
		sem_exit(t->tg);
		ktimer_cancel(k, &t->tg->itimer_real);
		posix_timers_release(t->tg);
	}
	pthread_mutex_lock(&k->ts_lock);
	struct creds *creds = t->creds;
	t->state = TASK_EXITED;
	struct thread_group *tg = t->tg;
	TAILQ_REMOVE(&tg->tasks, t, tg_entry);
	tg->nr_tasks--;
	tg->nr_leaving--;
	k->nr_tasks--;
	sigpending_flush(&t->pending, ~0ULL);
	if (tg->nr_tasks == 0) {
		/* The last thread's exit(2) is the process's status. */
		if (!tg->exiting) {
			tg->exiting = true;
			tg->exit_status = t->exit_code;
		}
		tg->leader_uid = creds->uid;
		memcpy(tg->exit_comm, t->comm, sizeof(tg->exit_comm));
		tg->exit_creds = creds_get(creds);
		tg_exit_locked(tg);
	}
	pthread_cond_broadcast(&k->ts_changed);
	pthread_mutex_unlock(&k->ts_lock);
	arch_fpu_release(&t->regs.fpu);
	if (t->host_wake_fd >= 0)
		close(t->host_wake_fd);
	creds_put(creds);
	pthread_cond_destroy(&t->wake);
	pthread_mutex_destroy(&t->block_lock);
	free(t);
}
