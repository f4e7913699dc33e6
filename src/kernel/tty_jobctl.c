/* Job control on a terminal (see tty.h): Linux's tty_jobctrl.c rules
 * over each terminal's session and foreground process group. */
#include <linux/capability.h>
#include <sys/ioctl.h>

#include "cvisor/creds.h"
#include "cvisor/kernel.h"
#include "cvisor/signal.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "cvisor/tty.h"
#include "cvisor/vfs.h"

/* Whether TTY is T's controlling terminal. ts_lock held. */
static bool is_ctty_locked(struct tty *tty, struct task *t)
{
	return t->tg->ctty == tty && tty->sid == t->tg->sid;
}

/* No process has TTY as its controlling terminal any more. ts_lock
 * held. */
static void clear_ctty_locked(struct tty *tty)
{
	struct thread_group *p;
	TAILQ_FOREACH(p, &tty->k->thread_groups, all)
		if (p->ctty == tty)
			p->ctty = NULL;
	tty->sid = 0;
	tty->fg_pgrp = 0;
}

void tty_attach_init(struct tty *tty, struct thread_group *init)
{
	pthread_mutex_lock(&tty->k->ts_lock);
	tty->sid = init->sid;
	tty->fg_pgrp = init->pgid;
	init->ctty = tty;
	pthread_mutex_unlock(&tty->k->ts_lock);
}

void tty_open_set_ctty(struct tty *tty, struct task *t, int flags)
{
	if ((flags & O_NOCTTY) || !t)
		return;
	struct thread_group *tg = t->tg;
	pthread_mutex_lock(&tty->k->ts_lock);
	if (tg->sid == tg->tgid && !tg->ctty && !tty->sid) {
		tty->sid = tg->sid;
		tty->fg_pgrp = tg->pgid;
		tg->ctty = tty;
	}
	pthread_mutex_unlock(&tty->k->ts_lock);
}

struct file *tty_open_ctty(struct inode *inode, int flags)
{
	struct task *t = current_task;
	if (!t)
		return ERR_PTR(-ENXIO);
	pthread_mutex_lock(&t->k->ts_lock);
	struct tty *tty = t->tg->ctty;
	pthread_mutex_unlock(&t->k->ts_lock);
	if (!tty)
		return ERR_PTR(-ENXIO);
	/* The terminal lives while it is someone's controlling terminal:
	 * only its hangup, which clears that, ends it. */
	return tty->reopen(tty, flags);
}

void tty_forget_locked(struct thread_group *tg)
{
	tg->ctty = NULL;
}

static bool sig_ignored_or_blocked_locked(struct task *t, int sig)
{
	return (t->sigmask & SIG_BIT(sig)) ||
	       t->tg->sigactions[sig - 1].handler == (uint64_t)SIG_IGN;
}

/* A background job touching its terminal (Linux's __tty_check_change):
 * 0 to go on, -EIO, or -ERESTARTSYS once SIG went to the caller's group.
 * An ignored or blocked SIGTTOU lets the job go on; SIGTTIN gives EIO. */
static int check_change(struct tty *tty, struct task *t, int sig)
{
	struct kernel *k = t->k;
	struct thread_group *tg = t->tg;
	int ret = 0;

	pthread_mutex_lock(&k->ts_lock);
	if (is_ctty_locked(tty, t) && tty->fg_pgrp && tg->pgid != tty->fg_pgrp) {
		if (sig_ignored_or_blocked_locked(t, sig)) {
			ret = sig == SIGTTIN ? -EIO : 0;
		} else if (pgrp_orphaned_locked(k, tg->pgid, tg->sid, NULL)) {
			ret = -EIO;
		} else {
			signal_pgrp_kernel_locked(k, tg->pgid, sig);
			ret = -ERESTARTSYS;
		}
	}
	pthread_mutex_unlock(&k->ts_lock);
	return ret;
}

int tty_check_read(struct tty *tty, struct task *t)
{
	return t ? check_change(tty, t, SIGTTIN) : 0;
}

int tty_check_write(struct tty *tty, struct task *t, bool tostop)
{
	return t && tostop ? check_change(tty, t, SIGTTOU) : 0;
}

int tty_check_change(struct tty *tty, struct task *t)
{
	return t ? check_change(tty, t, SIGTTOU) : 0;
}

void tty_signal_fg(struct tty *tty, int sig)
{
	pthread_mutex_lock(&tty->k->ts_lock);
	if (tty->fg_pgrp)
		signal_pgrp_kernel_locked(tty->k, tty->fg_pgrp, sig);
	pthread_mutex_unlock(&tty->k->ts_lock);
}

void tty_hangup(struct tty *tty)
{
	struct kernel *k = tty->k;
	pthread_mutex_lock(&k->ts_lock);
	if (tty->sid) {
		struct thread_group *p, *next;
		for (p = TAILQ_FIRST(&k->thread_groups); p; p = next) {
			next = TAILQ_NEXT(p, all);
			if (p->sid != tty->sid || p->tgid != p->sid || p->ctty != tty)
				continue;
			siginfo_t si;
			siginfo_from(&si, SIGHUP, SI_KERNEL, NULL, p);
			signal_send_locked(p, NULL, &si);
			si.si_signo = SIGCONT;
			signal_send_locked(p, NULL, &si);
		}
	}
	clear_ctty_locked(tty);
	pthread_mutex_unlock(&k->ts_lock);
}

void tty_session_leader_exit_locked(struct thread_group *tg)
{
	struct tty *tty = tg->ctty;
	if (!tty || tg->sid != tg->tgid || tty->sid != tg->sid)
		return;
	if (tty->fg_pgrp)
		signal_pgrp_kernel_locked(tg->k, tty->fg_pgrp, SIGHUP);
	struct thread_group *p;
	TAILQ_FOREACH(p, &tg->k->thread_groups, all)
		if (p->sid == tg->sid && p->ctty == tty)
			p->ctty = NULL;
	tty->sid = 0;
	tty->fg_pgrp = 0;
}

static long set_pgrp(struct tty *tty, struct task *t, uaddr_t arg)
{
	int ret = check_change(tty, t, SIGTTOU);
	if (ret == -EIO)
		return -ENOTTY;
	if (ret < 0)
		return ret;
	pid_t pgrp;
	if (copy_in(t, &pgrp, arg, sizeof(pgrp)) < 0)
		return -EFAULT;
	if (pgrp < 0)
		return -EINVAL;
	struct kernel *k = t->k;
	pthread_mutex_lock(&k->ts_lock);
	ret = -ENOTTY;
	if (is_ctty_locked(tty, t)) {
		ret = -ESRCH;
		struct thread_group *p;
		TAILQ_FOREACH(p, &k->thread_groups, all) {
			if (task_pgrp_nr(t, p) != pgrp)
				continue;
			ret = p->sid == t->tg->sid ? 0 : -EPERM;
			if (!ret)
				tty->fg_pgrp = p->pgid;
			break;
		}
	}
	pthread_mutex_unlock(&k->ts_lock);
	return ret;
}

/* TIOCSCTTY: a session leader without a terminal takes TTY. */
static long set_ctty_locked(struct tty *tty, struct task *t, uint64_t arg, bool readable)
{
	struct thread_group *tg = t->tg;
	bool leader = tg->sid == tg->tgid;
	if (leader && tty->sid == tg->sid)
		return 0;
	if (!leader || tg->ctty)
		return -EPERM;
	bool admin = creds_has_cap(t->creds, CAP_SYS_ADMIN);
	if (tty->sid) {
		if (arg != 1 || !admin)
			return -EPERM;
		clear_ctty_locked(tty);	/* steal it */
	}
	if (!readable && !admin)
		return -EPERM;
	tty->sid = tg->sid;
	tty->fg_pgrp = tg->pgid;
	tg->ctty = tty;
	return 0;
}

/* TIOCNOTTY: the caller gives TTY up; a session leader gives it up for
 * its whole session, hanging up the foreground job. */
static long notty_locked(struct tty *tty, struct task *t)
{
	struct kernel *k = t->k;
	struct thread_group *tg = t->tg;
	if (!is_ctty_locked(tty, t))
		return -ENOTTY;
	if (tg->sid != tg->tgid) {
		tg->ctty = NULL;
		return 0;
	}
	if (tty->fg_pgrp) {
		signal_pgrp_kernel_locked(k, tty->fg_pgrp, SIGHUP);
		signal_pgrp_kernel_locked(k, tty->fg_pgrp, SIGCONT);
	}
	clear_ctty_locked(tty);
	return 0;
}

long tty_jobctl_ioctl(struct tty *tty, struct task *t, unsigned cmd, uint64_t arg,
		      bool readable)
{
	struct kernel *k = t->k;
	long ret;
	pid_t v;

	switch (cmd) {
	case TIOCSPGRP:
		return set_pgrp(tty, t, arg);
	case TIOCGPGRP:
	case TIOCGSID:
		pthread_mutex_lock(&k->ts_lock);
		ret = is_ctty_locked(tty, t) ? 0 : -ENOTTY;
		v = cmd == TIOCGPGRP ? tty->fg_pgrp : tty->sid;
		pthread_mutex_unlock(&k->ts_lock);
		if (ret < 0)
			return ret;
		return copy_out(t, arg, &v, sizeof(v)) < 0 ? -EFAULT : 0;
	case TIOCSCTTY:
		pthread_mutex_lock(&k->ts_lock);
		ret = set_ctty_locked(tty, t, arg, readable);
		pthread_mutex_unlock(&k->ts_lock);
		return ret;
	case TIOCNOTTY:
		pthread_mutex_lock(&k->ts_lock);
		ret = notty_locked(tty, t);
		pthread_mutex_unlock(&k->ts_lock);
		return ret;
	}
	return -ENOIOCTLCMD;
}
