/* Job control on the console (see console.h): Linux's tty_jobctrl.c
 * rules for the one terminal the sandbox has. */
#include <asm/termbits.h>
#include <linux/capability.h>
#include <sys/ioctl.h>

#include "cvisor/console.h"
#include "cvisor/creds.h"
#include "cvisor/kernel.h"
#include "cvisor/signal.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "cvisor/vfs.h"

/* Whether the console is T's controlling terminal. ts_lock held. */
static bool is_ctty_locked(struct task *t)
{
	return t->tg->has_ctty && t->k->console.sid == t->tg->sid;
}

void console_attach_init(struct kernel *k, struct thread_group *init, struct file *f)
{
	k->console.present = true;
	k->console.file = file_get(f);
	k->console.sid = init->sid;
	k->console.fg_pgrp = init->pgid;
	init->has_ctty = true;
}

struct file *console_open_tty(struct inode *inode, int flags)
{
	struct task *t = current_task;
	if (!t)
		return ERR_PTR(-ENXIO);
	pthread_mutex_lock(&t->k->ts_lock);
	struct file *tty = is_ctty_locked(t) ? file_get(t->k->console.file) : NULL;
	pthread_mutex_unlock(&t->k->ts_lock);
	if (!tty)
		return ERR_PTR(-ENXIO);
	struct file *f = hostfd_file_reopen(tty, flags);
	file_put(tty);
	return f;
}

void console_forget_locked(struct thread_group *tg)
{
	tg->has_ctty = false;
}

static bool sig_ignored_or_blocked_locked(struct task *t, int sig)
{
	return (t->sigmask & SIG_BIT(sig)) ||
	       t->tg->sigactions[sig - 1].handler == (uint64_t)SIG_IGN;
}

/* A background job touching its terminal (Linux's __tty_check_change):
 * 0 to go on, -EIO, or -ERESTARTSYS once SIG went to the caller's group.
 * An ignored or blocked SIGTTOU lets the job go on; SIGTTIN gives EIO. */
static int check_change(struct task *t, int sig)
{
	struct kernel *k = t->k;
	struct thread_group *tg = t->tg;
	int ret = 0;

	pthread_mutex_lock(&k->ts_lock);
	if (is_ctty_locked(t) && k->console.fg_pgrp && tg->pgid != k->console.fg_pgrp) {
		if (sig_ignored_or_blocked_locked(t, sig)) {
			ret = sig == SIGTTIN ? -EIO : 0;
		} else if (pgrp_orphaned_locked(k, tg->pgid, tg->sid, NULL)) {
			ret = -EIO;
		} else {
			struct thread_group *p, *next;
			for (p = TAILQ_FIRST(&k->thread_groups); p; p = next) {
				next = TAILQ_NEXT(p, all);
				if (p->pgid != tg->pgid)
					continue;
				siginfo_t si;
				siginfo_from(&si, sig, SI_KERNEL, NULL, p);
				signal_send_locked(p, NULL, &si);
			}
			ret = -ERESTARTSYS;
		}
	}
	pthread_mutex_unlock(&k->ts_lock);
	return ret;
}

int console_check_read(struct task *t)
{
	return check_change(t, SIGTTIN);
}

int console_check_write(struct task *t, bool tostop)
{
	return tostop ? check_change(t, SIGTTOU) : 0;
}

static long set_pgrp(struct task *t, uaddr_t arg)
{
	int ret = check_change(t, SIGTTOU);
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
	if (is_ctty_locked(t)) {
		ret = -ESRCH;
		struct thread_group *p;
		TAILQ_FOREACH(p, &k->thread_groups, all) {
			if (task_pgrp_nr(t, p) != pgrp)
				continue;
			ret = p->sid == t->tg->sid ? 0 : -EPERM;
			if (!ret)
				k->console.fg_pgrp = p->pgid;
			break;
		}
	}
	pthread_mutex_unlock(&k->ts_lock);
	return ret;
}

/* TIOCSCTTY: a session leader without a terminal takes the console. */
static long set_ctty_locked(struct task *t, uint64_t arg, bool readable)
{
	struct console *c = &t->k->console;
	struct thread_group *tg = t->tg;
	bool leader = tg->sid == tg->tgid;
	if (leader && c->sid == tg->sid)
		return 0;
	if (!leader || tg->has_ctty)
		return -EPERM;
	bool admin = creds_has_cap(t->creds, CAP_SYS_ADMIN);
	if (c->sid) {
		if (arg != 1 || !admin)
			return -EPERM;
		struct thread_group *p;	/* steal it */
		TAILQ_FOREACH(p, &t->k->thread_groups, all)
			if (p->sid == c->sid)
				p->has_ctty = false;
	}
	if (!readable && !admin)
		return -EPERM;
	c->sid = tg->sid;
	c->fg_pgrp = tg->pgid;
	tg->has_ctty = true;
	return 0;
}

/* TIOCNOTTY: the caller gives the console up; a session leader gives it
 * up for its whole session, hanging up the foreground job. */
static long notty_locked(struct task *t)
{
	struct kernel *k = t->k;
	struct console *c = &k->console;
	struct thread_group *tg = t->tg;
	if (!is_ctty_locked(t))
		return -ENOTTY;
	if (tg->sid != tg->tgid) {
		tg->has_ctty = false;
		return 0;
	}
	struct thread_group *p, *next;
	for (p = TAILQ_FIRST(&k->thread_groups); p; p = next) {
		next = TAILQ_NEXT(p, all);
		if (p->pgid == c->fg_pgrp) {
			siginfo_t si;
			siginfo_from(&si, SIGHUP, SI_KERNEL, NULL, p);
			signal_send_locked(p, NULL, &si);
			si.si_signo = SIGCONT;
			signal_send_locked(p, NULL, &si);
		}
		if (p->sid == tg->sid)
			p->has_ctty = false;
	}
	c->sid = 0;
	c->fg_pgrp = 0;
	return 0;
}

long console_ioctl(struct task *t, unsigned cmd, uint64_t arg, bool readable)
{
	struct kernel *k = t->k;
	long ret;
	pid_t v;

	switch (cmd) {
	case TIOCSPGRP:
		return set_pgrp(t, arg);
	case TIOCGPGRP:
	case TIOCGSID:
		pthread_mutex_lock(&k->ts_lock);
		ret = is_ctty_locked(t) ? 0 : -ENOTTY;
		v = cmd == TIOCGPGRP ? k->console.fg_pgrp : k->console.sid;
		pthread_mutex_unlock(&k->ts_lock);
		if (ret < 0)
			return ret;
		return copy_out(t, arg, &v, sizeof(v)) < 0 ? -EFAULT : 0;
	case TIOCSCTTY:
		pthread_mutex_lock(&k->ts_lock);
		ret = set_ctty_locked(t, arg, readable);
		pthread_mutex_unlock(&k->ts_lock);
		return ret;
	case TIOCNOTTY:
		pthread_mutex_lock(&k->ts_lock);
		ret = notty_locked(t);
		pthread_mutex_unlock(&k->ts_lock);
		return ret;
	}
	return -ENOIOCTLCMD;
}
