/* The ioctls of the two ends of a pseudo-terminal (Linux's tty_ioctl,
 * tty_mode_ioctl, n_tty_ioctl and pty.c's): termios (the slave's are the
 * line discipline's; the master keeps its own, unused, as Linux's master
 * is raw), window size, input and output queues, flushing, the pty's own
 * (TIOCGPTN, TIOCSPTLCK, TIOCGPTPEER) and job control (tty_jobctl.c). A
 * hung-up slave answers EIO (ENOTTY for TIOCSPGRP), as
 * hung_up_tty_ioctl. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "cvisor/fd_table.h"
#include "cvisor/kernel.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "devpts_internal.h"

static void termios2_to_termios(const struct termios2 *t2, struct termios *t)
{
	t->c_iflag = t2->c_iflag;
	t->c_oflag = t2->c_oflag;
	t->c_cflag = t2->c_cflag;
	t->c_lflag = t2->c_lflag;
	t->c_line = t2->c_line;
	memcpy(t->c_cc, t2->c_cc, sizeof(t->c_cc));
}

/* TCSETS* on the slave (MASTER false: the line discipline's modes) or
 * the master; the 2 forms take a struct termios2. */
static long set_termios(struct pty *p, struct task *t, unsigned cmd, uint64_t arg, bool master)
{
	bool t2 = cmd == TCSETS2 || cmd == TCSETSW2 || cmd == TCSETSF2;
	struct termios2 nt;
	struct termios old;
	long r;

	if (!master && (r = tty_check_change(&p->tty, t)) < 0)
		return r;
	pthread_mutex_lock(&p->lock);
	nt = master ? p->master_termios : p->termios;
	pthread_mutex_unlock(&p->lock);
	if (t2) {
		if (copy_in(t, &nt, arg, sizeof(nt)) < 0)
			return -EFAULT;
	} else {
		if (copy_in(t, &old, arg, sizeof(old)) < 0)
			return -EFAULT;
		nt.c_iflag = old.c_iflag;
		nt.c_oflag = old.c_oflag;
		nt.c_cflag = old.c_cflag;
		nt.c_lflag = old.c_lflag;
		nt.c_line = old.c_line;
		memcpy(nt.c_cc, old.c_cc, sizeof(old.c_cc));
	}
	pthread_mutex_lock(&p->lock);
	if (master) {
		p->master_termios = nt;
	} else {
		/* TCSETSW would wait for output to drain: a pty has no
		 * transmitter, so it never waits (pty_ops without
		 * chars_in_buffer). */
		if (cmd == TCSETSF || cmd == TCSETSF2)
			n_tty_flush_input(p);
		n_tty_set_termios(p, &nt);
	}
	pthread_mutex_unlock(&p->lock);
	waitqueue_wake_all(&p->slave_wq);
	waitqueue_wake_all(&p->master_wq);
	return 0;
}

static void set_winsize(struct pty *p, const struct winsize *ws)
{
	pthread_mutex_lock(&p->lock);
	bool changed = memcmp(&p->ws, ws, sizeof(*ws)) != 0;
	p->ws = *ws;
	pthread_mutex_unlock(&p->lock);
	if (changed)
		tty_signal_fg(&p->tty, SIGWINCH);
}

void pty_send_eof(struct file *master)
{
	struct pty *p = PTY(master);
	unsigned sigs = 0;
	pthread_mutex_lock(&p->lock);
	unsigned char eof[2] = { p->termios.c_cc[VEOF], p->termios.c_cc[VEOF] };
	if (pty_canon(p) && eof[0])
		n_tty_receive(p, eof, sizeof(eof), &sigs);
	pthread_mutex_unlock(&p->lock);
	waitqueue_wake_key(&p->slave_wq, POLLIN | POLLRDNORM);
}

void pty_set_winsize(struct file *master, const struct winsize *ws)
{
	set_winsize(PTY(master), ws);
}

/* TCFLSH: TCIFLUSH drops the input a reader has not taken, TCOFLUSH the
 * output the other side has not read; the master's input is the slave's
 * output. */
static long flush(struct pty *p, uint64_t arg, bool master)
{
	if (arg > TCIOFLUSH)
		return -EINVAL;
	bool in = arg == TCIFLUSH || arg == TCIOFLUSH;
	bool out = arg == TCOFLUSH || arg == TCIOFLUSH;
	pthread_mutex_lock(&p->lock);
	if (master ? out : in)
		n_tty_flush_input(p);
	if (master ? in : out)
		p->out_len = 0;
	pthread_mutex_unlock(&p->lock);
	waitqueue_wake_all(&p->slave_wq);
	waitqueue_wake_all(&p->master_wq);
	return 0;
}

/* The ioctls both sides answer (tty_ioctl and tty_mode_ioctl). */
static long common_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg,
			 bool master)
{
	struct pty *p = PTY(f);
	struct termios2 t2;
	struct termios t1;
	struct winsize ws;
	int n;

	switch (cmd) {
	case TCGETS:
	case TCGETS2:
		pthread_mutex_lock(&p->lock);
		t2 = master ? p->master_termios : p->termios;
		pthread_mutex_unlock(&p->lock);
		if (cmd == TCGETS2)
			return copy_out(t, arg, &t2, sizeof(t2));
		memset(&t1, 0, sizeof(t1));
		termios2_to_termios(&t2, &t1);
		return copy_out(t, arg, &t1, sizeof(t1));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
	case TCSETS2:
	case TCSETSW2:
	case TCSETSF2:
		return set_termios(p, t, cmd, arg, master);
	case TIOCGWINSZ:
		pthread_mutex_lock(&p->lock);
		ws = p->ws;
		pthread_mutex_unlock(&p->lock);
		return copy_out(t, arg, &ws, sizeof(ws));
	case TIOCSWINSZ:
		if (copy_in(t, &ws, arg, sizeof(ws)) < 0)
			return -EFAULT;
		set_winsize(p, &ws);
		return 0;
	case FIONREAD:
		pthread_mutex_lock(&p->lock);
		n = (int)(master ? p->out_len : n_tty_inq(p));
		pthread_mutex_unlock(&p->lock);
		return copy_out(t, arg, &n, sizeof(n));
	case TIOCOUTQ:
		/* Nothing waits in a pty's driver (no chars_in_buffer). */
		n = 0;
		return copy_out(t, arg, &n, sizeof(n));
	case TCFLSH:
		if (!master) {
			long r = tty_check_change(&p->tty, t);
			if (r < 0)
				return r;
		}
		return flush(p, arg, master);
	case TCSBRK:
	case TCSBRKP:
	case TCXONC:
		/* tcdrain, tcsendbreak, tcflow: no line to drain or stop. */
		return 0;
	case TIOCGETD:
		n = N_TTY;
		return copy_out(t, arg, &n, sizeof(n));
	case TIOCSETD:
		if (copy_in(t, &n, arg, sizeof(n)) < 0)
			return -EFAULT;
		return n == N_TTY ? 0 : -EINVAL;
	}
	return -ENOTTY;
}

long pty_master_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	struct pty *p = PTY(f);
	int v;
	pid_t pid;

	switch (cmd) {
	case TIOCGPTN:
		return copy_out(t, arg, &p->index, sizeof(p->index));
	case TIOCSPTLCK:
		if (copy_in(t, &v, arg, sizeof(v)) < 0)
			return -EFAULT;
		pthread_mutex_lock(&p->lock);
		p->locked = v != 0;
		pthread_mutex_unlock(&p->lock);
		return 0;
	case TIOCGPTLCK:
		pthread_mutex_lock(&p->lock);
		v = p->locked;
		pthread_mutex_unlock(&p->lock);
		return copy_out(t, arg, &v, sizeof(v));
	case TIOCGPTPEER: {
		/* The slave without a path walk (ptm_open_peer). */
		if (arg & ~(uint64_t)(O_ACCMODE | O_NOCTTY | O_NONBLOCK | O_CLOEXEC))
			return -EINVAL;
		struct file *s = pty_slave_open(p, (int)arg);
		if (IS_ERR(s))
			return PTR_ERR(s);
		long fd = fdt_install(t->fdt, s, arg & O_CLOEXEC, 0,
				      t->tg->rlimits[RLIMIT_NOFILE].rlim_cur);
		file_put(s);
		return fd;
	}
	case TIOCGPGRP:
	case TIOCGSID:
		/* The slave's, without the controlling-terminal check. */
		pthread_mutex_lock(&t->k->ts_lock);
		pid = cmd == TIOCGPGRP ? p->tty.fg_pgrp : p->tty.sid;
		pthread_mutex_unlock(&t->k->ts_lock);
		if (cmd == TIOCGSID && !pid)
			return -ENOTTY;
		return copy_out(t, arg, &pid, sizeof(pid));
	}
	return common_ioctl(f, t, cmd, arg, true);
}

long pty_slave_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	struct pty *p = PTY(f);
	pthread_mutex_lock(&p->lock);
	bool hung_up = p->hung_up;
	pthread_mutex_unlock(&p->lock);
	/* hung_up_tty_ioctl */
	if (hung_up)
		return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
	long r = tty_jobctl_ioctl(&p->tty, t, cmd, arg, f->fmode & FMODE_READ);
	if (r != -ENOIOCTLCMD)
		return r;
	return common_ioctl(f, t, cmd, arg, false);
}
