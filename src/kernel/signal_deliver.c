/* Taking signals: run by each task's own sentry thread before it returns
 * to the application (Linux's get_signal and handle_signal). */
#include <asm/unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cvisor/kernel.h"
#include "cvisor/log.h"
#include "cvisor/posix_timer.h"
#include "cvisor/signal.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

/* Takes the first instance of SIG out of P into INFO. */
static void take(struct sigpending *p, int sig, siginfo_t *info)
{
	struct sigqueue *q;
	bool more = false;
	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = SI_USER;	/* an instance the queue had no room for */
	TAILQ_FOREACH(q, &p->queue, link) {
		if (q->info.si_signo == sig)
			break;
	}
	if (q) {
		*info = q->info;
		struct sigqueue *r = TAILQ_NEXT(q, link);
		TAILQ_REMOVE(&p->queue, q, link);
		free(q);
		for (; r && !more; r = TAILQ_NEXT(r, link))
			more = r->info.si_signo == sig;
	}
	if (!more)
		p->set &= ~SIG_BIT(sig);
}

/* The signal to take first from SET: faults, then the lowest number. */
static int pick(uint64_t set)
{
	uint64_t sync = set & SIG_SYNC_SET;
	return __builtin_ctzll(sync ? sync : set) + 1;
}

int signal_dequeue_locked(struct task *t, uint64_t allowed, siginfo_t *info)
{
	uint64_t mine = t->pending.set & allowed;
	uint64_t shared = t->tg->shared_pending.set & allowed;
	int sig = 0;
	if (mine) {
		sig = pick(mine);
		take(&t->pending, sig, info);
	} else if (shared) {
		sig = pick(shared);
		take(&t->tg->shared_pending, sig, info);
	}
	if (sig && info->si_code == SI_TIMER)
		posix_timer_dequeued_locked(t, info);
	return sig;
}

static void group_stop_locked(struct thread_group *tg, int sig)
{
	tg->stopped = true;
	tg->stop_signal = sig;
	tg->report_stopped = true;
	tg->report_continued = false;
	signal_notify_parent_locked(tg, CLD_STOPPED, sig);
}

/* Resolves a syscall that asked for a restart, now that we know whether
 * a handler runs (HANDLER; SA_FLAGS its flags): Linux's rules. */
static void resolve_restart(struct task *t, bool handler, uint64_t sa_flags)
{
	long code = t->restart_code;
	t->restart_code = 0;
	if (!code)
		return;
	if (!handler) {
		if (code == -ERESTART_RESTARTBLOCK)
			arch_restart_syscall_as(&t->regs, __NR_restart_syscall);
		else
			arch_restart_syscall(&t->regs);
		return;
	}
	if (code == -ERESTARTNOINTR || (code == -ERESTARTSYS && (sa_flags & SA_RESTART)))
		arch_restart_syscall(&t->regs);
	else
		arch_set_return(&t->regs, (uint64_t)-EINTR);
}

/* Runs handler SA for SIG: a frame on the stack, the handler's mask. */
static bool run_handler(struct task *t, int sig, const struct sigaction_k *sa,
			const siginfo_t *info)
{
	resolve_restart(t, true, sa->flags);
	uint64_t oldmask = t->restore_sigmask ? t->saved_sigmask : t->sigmask;
	t->restore_sigmask = false;
	if (arch_signal_setup_frame(t, sa, info, oldmask) < 0) {
		log_debug("task %d: cannot build a frame for signal %d", t->tid, sig);
		task_exit_group(t, SIGSEGV);
		return false;
	}
	uint64_t mask = t->sigmask | sa->mask;
	if (!(sa->flags & SA_NODEFER))
		mask |= SIG_BIT(sig);
	signal_set_mask(t, mask);
	return true;
}

bool signal_handle(struct task *t)
{
	struct kernel *k = t->k;
	struct thread_group *tg = t->tg;

	pthread_mutex_lock(&k->ts_lock);
	for (;;) {
		t->attention = false;
		if (tg->exiting || t->exit_thread) {
			pthread_mutex_unlock(&k->ts_lock);
			return false;
		}
		if (tg->stopped) {
			pthread_cond_wait(&k->ts_changed, &k->ts_lock);
			continue;
		}
		siginfo_t info;
		int sig = signal_dequeue_locked(t, ~t->sigmask, &info);
		if (!sig)
			break;
		struct sigaction_k sa = tg->sigactions[sig - 1];
		if (sa.handler == (uint64_t)SIG_IGN)
			continue;
		if (sa.handler != (uint64_t)SIG_DFL) {
			if (sa.flags & SA_RESETHAND)
				tg->sigactions[sig - 1].handler = (uint64_t)SIG_DFL;
			pthread_mutex_unlock(&k->ts_lock);
			if (!run_handler(t, sig, &sa, &info))
				return false;
			pthread_mutex_lock(&k->ts_lock);
			continue;
		}
		if (sig_default_ignore(sig))
			continue;
		if (sig_default_stop(sig)) {
			if (sig == SIGSTOP || !pgrp_orphaned_locked(k, tg->pgid, tg->sid, NULL))
				group_stop_locked(tg, sig);
			continue;
		}
		log_debug("task %d: killed by signal %d (code %d, addr %p)", t->tid, sig,
			  info.si_code, info.si_addr);
		tg_kill_locked(tg, sig);
		pthread_mutex_unlock(&k->ts_lock);
		return false;
	}
	signal_recalc_locked(t);
	pthread_mutex_unlock(&k->ts_lock);

	resolve_restart(t, false, 0);
	signal_restore_saved_mask(t);
	return true;
}
