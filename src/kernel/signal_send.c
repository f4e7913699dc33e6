/* Signal generation: pending sets and the rules Linux applies when a
 * signal is sent (kernel/signal.c: prepare_signal, sig_ignored,
 * complete_signal). */
#include <linux/capability.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/creds.h"
#include "cvisor/kernel.h"
#include "cvisor/signal.h"
#include "cvisor/task.h"
#include "cvisor/tty.h"

void sigpending_init(struct sigpending *p)
{
	p->set = 0;
	TAILQ_INIT(&p->queue);
}

void sigpending_flush(struct sigpending *p, uint64_t set)
{
	struct sigqueue *q, *next;
	for (q = TAILQ_FIRST(&p->queue); q; q = next) {
		next = TAILQ_NEXT(q, link);
		if (SIG_BIT(q->info.si_signo) & set) {
			TAILQ_REMOVE(&p->queue, q, link);
			free(q);
		}
	}
	p->set &= ~set;
}

bool sig_default_ignore(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

bool sig_default_stop(int sig)
{
	return (SIG_BIT(sig) & SIG_STOP_SET) != 0;
}

void siginfo_from(siginfo_t *si, int sig, int code, struct task *sender,
		  struct thread_group *receiver)
{
	memset(si, 0, sizeof(*si));
	si->si_signo = sig;
	si->si_code = code;
	if (sender) {
		struct task *observer = receiver ? receiver->leader : NULL;
		si->si_pid = task_tgid_nr(observer, sender->tg);
		si->si_uid = sender->creds->uid;
	}
}

/* Linux's sig_ignored: a blocked signal is kept, since its disposition may
 * change before it is unblocked. */
static bool sig_ignored(struct thread_group *tg, struct task *t, int sig)
{
	struct task *target = t ? t : TAILQ_FIRST(&tg->tasks);
	if (target && (target->sigmask & SIG_BIT(sig)))
		return false;
	uint64_t handler = tg->sigactions[sig - 1].handler;
	return handler == (uint64_t)SIG_IGN ||
	       (handler == (uint64_t)SIG_DFL && sig_default_ignore(sig));
}

static void flush_group_and_tasks(struct thread_group *tg, uint64_t set)
{
	sigpending_flush(&tg->shared_pending, set);
	struct task *t;
	TAILQ_FOREACH(t, &tg->tasks, tg_entry)
		sigpending_flush(&t->pending, set);
}

static int count_queued(const struct sigpending *p)
{
	int n = 0;
	struct sigqueue *q;
	TAILQ_FOREACH(q, &p->queue, link)
		n++;
	return n;
}

/* Adds INFO to P: one instance per standard signal, a queue of them per
 * real-time one up to RLIMIT_SIGPENDING. */
static int enqueue(struct thread_group *tg, struct sigpending *p, const siginfo_t *info)
{
	int sig = info->si_signo;
	if (sig < SIGRTMIN && (p->set & SIG_BIT(sig)))
		return 0;
	if ((rlim_t)count_queued(p) < tg->rlimits[RLIMIT_SIGPENDING].rlim_cur) {
		struct sigqueue *q = xmalloc(sizeof(*q));
		q->info = *info;
		TAILQ_INSERT_TAIL(&p->queue, q, link);
	} else if (sig >= SIGRTMIN && info->si_code != SI_USER) {
		return -EAGAIN;	/* sigqueue(3) over the limit */
	}
	p->set |= SIG_BIT(sig);
	return 0;
}

int signal_send_locked(struct thread_group *tg, struct task *t, const siginfo_t *info)
{
	int sig = info->si_signo;
	if (tg->exiting || TAILQ_EMPTY(&tg->tasks))
		return 0;
	if (sig_default_stop(sig)) {
		flush_group_and_tasks(tg, SIG_BIT(SIGCONT));
	} else if (sig == SIGCONT) {
		flush_group_and_tasks(tg, SIG_STOP_SET);
		signal_continue_group_locked(tg);
	}
	if (sig == SIGKILL) {
		tg_kill_locked(tg, SIGKILL);
		return 0;
	}
	if (sig_ignored(tg, t, sig))
		return 0;
	int ret = enqueue(tg, t ? &t->pending : &tg->shared_pending, info);
	if (ret < 0)
		return ret;
	/* signalfd_notify: readers see blocked signals too. */
	waitqueue_wake_key(&tg->k->signalfd_wq, POLLIN | POLLRDNORM);
	if (t) {
		signal_recalc_locked(t);
	} else {
		struct task *each;
		TAILQ_FOREACH(each, &tg->tasks, tg_entry)
			signal_recalc_locked(each);
	}
	return 0;
}

int signal_send(struct thread_group *tg, struct task *t, const siginfo_t *info)
{
	pthread_mutex_lock(&tg->k->ts_lock);
	int ret = signal_send_locked(tg, t, info);
	pthread_mutex_unlock(&tg->k->ts_lock);
	return ret;
}

bool signal_may_send_locked(struct task *sender, struct thread_group *tg, int sig)
{
	struct task *target = TAILQ_FIRST(&tg->tasks);
	if (!target)
		return true;	/* a zombie: kill(2) succeeds and does nothing */
	const struct creds *s = sender->creds, *r = target->creds;
	if (s->euid == r->suid || s->euid == r->uid || s->uid == r->suid || s->uid == r->uid)
		return true;
	/* SIGCONT within a session needs no privilege. */
	if (sig == SIGCONT && sender->tg->sid == tg->sid)
		return true;
	return creds_has_cap(s, CAP_KILL);
}

int signal_send_pgrp(struct task *sender, pid_t pgid, int sig, int code)
{
	struct kernel *k = sender->k;
	int ret = -ESRCH;
	bool sent = false;

	pthread_mutex_lock(&k->ts_lock);
	struct thread_group *tg, *next;
	for (tg = TAILQ_FIRST(&k->thread_groups); tg; tg = next) {
		next = TAILQ_NEXT(tg, all);
		if (tg->pgid != pgid)
			continue;
		if (sig < 0 || sig > NSIG_K) {
			ret = -EINVAL;
			break;
		}
		if (!signal_may_send_locked(sender, tg, sig)) {
			if (!sent)
				ret = -EPERM;
			continue;
		}
		sent = true;
		ret = 0;
		if (sig) {
			siginfo_t si;
			siginfo_from(&si, sig, code, sender, tg);
			signal_send_locked(tg, NULL, &si);
		}
	}
	pthread_mutex_unlock(&k->ts_lock);
	return ret;
}

void signal_raise(struct task *t, int sig)
{
	siginfo_t si;
	pthread_mutex_lock(&t->k->ts_lock);
	siginfo_from(&si, sig, SI_USER, t, t->tg);
	signal_send_locked(t->tg, t, &si);
	pthread_mutex_unlock(&t->k->ts_lock);
}

void signal_force_fault(struct task *t, int sig, int code, uaddr_t addr)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_addr = (void *)addr;

	pthread_mutex_lock(&t->k->ts_lock);
	struct sigaction_k *sa = &t->tg->sigactions[sig - 1];
	bool blocked = t->sigmask & SIG_BIT(sig);
	if (blocked || sa->handler == (uint64_t)SIG_IGN) {
		sa->handler = (uint64_t)SIG_DFL;
		t->sigmask &= ~SIG_BIT(sig);
	}
	enqueue(t->tg, &t->pending, &si);
	signal_recalc_locked(t);
	pthread_mutex_unlock(&t->k->ts_lock);
}

void signal_recalc_locked(struct task *t)
{
	struct thread_group *tg = t->tg;
	uint64_t blocked = t->sigmask & ~t->sigwait_set;
	bool need = tg->exiting || tg->stopped ||
		    ((t->pending.set | tg->shared_pending.set) & ~blocked);
	if (need) {
		t->attention = true;
		if (t == current_task) {
			pthread_mutex_lock(&t->block_lock);
			t->interrupted = true;
			pthread_mutex_unlock(&t->block_lock);
		} else {
			task_interrupt_locked(t);
		}
	} else {
		pthread_mutex_lock(&t->block_lock);
		t->interrupted = false;
		pthread_mutex_unlock(&t->block_lock);
	}
}

void signal_set_mask(struct task *t, uint64_t mask)
{
	pthread_mutex_lock(&t->k->ts_lock);
	t->sigmask = mask & ~SIG_UNBLOCKABLE;
	signal_recalc_locked(t);
	pthread_mutex_unlock(&t->k->ts_lock);
}

void signal_set_temporary_mask(struct task *t, uint64_t mask)
{
	t->saved_sigmask = t->sigmask;
	t->restore_sigmask = true;
	signal_set_mask(t, mask);
}

void signal_restore_saved_mask(struct task *t)
{
	if (!t->restore_sigmask)
		return;
	t->restore_sigmask = false;
	signal_set_mask(t, t->saved_sigmask);
}

void kernel_signal_from_host(struct kernel *k, int sig)
{
	pthread_mutex_lock(&k->ts_lock);
	/* Keyboard signals reach the terminal's foreground job, as a
	 * terminal sends them; the rest go to PID 1. */
	struct tty *ctty = k->root_pidns->init ? k->root_pidns->init->ctty : NULL;
	pid_t fg = ctty && (sig == SIGINT || sig == SIGQUIT) ? ctty->fg_pgrp : 0;
	struct thread_group *tg, *next;
	for (tg = TAILQ_FIRST(&k->thread_groups); tg; tg = next) {
		next = TAILQ_NEXT(tg, all);
		if (fg ? tg->pgid != fg : tg != k->root_pidns->init)
			continue;
		siginfo_t si;
		siginfo_from(&si, sig, SI_USER, NULL, tg);
		signal_send_locked(tg, NULL, &si);
	}
	pthread_mutex_unlock(&k->ts_lock);
}

void itimer_real_fire(struct ktimer *kt)
{
	struct thread_group *tg = container_of(kt, struct thread_group, itimer_real);
	siginfo_t si;
	siginfo_from(&si, SIGALRM, SI_KERNEL, NULL, tg);
	signal_send(tg, NULL, &si);
}
