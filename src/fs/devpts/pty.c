/* The two ends of a pseudo-terminal as files (Linux's drivers/tty/pty.c
 * with tty_io.c's read, write, poll and ioctl): reads and writes wait on
 * the pair's wait queues, interruptibly (-ERESTARTSYS); the slave is a
 * terminal with job control. A master's close hangs the slave up (its
 * reads return 0, writes and ioctls fail with EIO, the session leader
 * gets SIGHUP); once every slave file is closed, master reads fail with
 * EIO. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/fd_table.h"
#include "cvisor/kernel.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "devpts_internal.h"

struct pty_file {
	struct file vfs;
	struct pty *pty;
};

static const struct file_ops master_fops, slave_fops;

static struct pty *PTY(struct file *f)
{
	return container_of(f, struct pty_file, vfs)->pty;
}

struct tty *tty_of_file(struct file *f)
{
	return f->ops == &slave_fops ? &PTY(f)->tty : NULL;
}

/* Waits on WQ with P unlocked: 0, or -ERESTARTSYS (a signal), or
 * -ETIMEDOUT past DEADLINE (host monotonic ns, < 0: none). P locked on
 * return. */
static int pty_wait(struct pty *p, struct waiter *w, struct waitqueue *wq, int64_t deadline)
{
	waiter_prepare(w, current_task, wq);
	pthread_mutex_unlock(&p->lock);
	int err = waiter_sleep(w, deadline);
	pthread_mutex_lock(&p->lock);
	return err == -EINTR ? -ERESTARTSYS : err;
}

/* Sends the signals in SIGS (bits 1 << sig) to P's foreground group. */
static void raise_sigs(struct pty *p, unsigned sigs)
{
	for (int sig = 1; sigs; sig++)
		if (sigs & (1u << sig)) {
			sigs &= ~(1u << sig);
			tty_signal_fg(&p->tty, sig);
		}
}

/* ---- the master ---- */

static ssize_t master_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct pty *p = PTY(f);
	size_t total = iov_total(iov, cnt);
	struct waiter w = { 0 };
	ssize_t ret;

	if (!total)
		return 0;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		if (p->out_len) {
			size_t n = MIN(total, p->out_len);
			size_t first = MIN(n, PTY_OUT_SIZE - p->out_head);
			iov_copy_to(iov, cnt, 0, p->out + p->out_head, first);
			iov_copy_to(iov, cnt, first, p->out, n - first);
			p->out_head = (p->out_head + n) % PTY_OUT_SIZE;
			p->out_len -= n;
			waitqueue_wake_key(&p->slave_wq, POLLOUT | POLLWRNORM);
			ret = (ssize_t)n;
			break;
		}
		if (p->slave_opened && !p->slaves) {
			ret = -EIO;
			break;
		}
		if ((f->flags & O_NONBLOCK) || !current_task) {
			ret = -EAGAIN;
			break;
		}
		if ((ret = pty_wait(p, &w, &p->master_wq, -1)))
			break;
	}
	pthread_mutex_unlock(&p->lock);
	waiter_finish(&w);
	return ret;
}

/* Input for the terminal, from the master or the kernel. */
static ssize_t master_write(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct pty *p = PTY(f);
	size_t total = iov_total(iov, cnt), done = 0;
	struct waiter w = { 0 };
	unsigned char buf[256];
	unsigned sigs = 0;
	ssize_t ret = 0;

	pthread_mutex_lock(&p->lock);
	while (done < total) {
		size_t n = iov_copy_from(buf, iov, cnt, done, MIN(sizeof(buf), total - done));
		size_t took = n_tty_receive(p, buf, n, &sigs);
		done += took;
		if (took) {
			waitqueue_wake_key(&p->slave_wq, POLLIN | POLLRDNORM);
			waitqueue_wake_key(&p->master_wq, POLLIN | POLLRDNORM);
		}
		if (took == n)
			continue;
		/* The input buffer is full (non-canonical mode). */
		if ((f->flags & O_NONBLOCK) || !current_task) {
			ret = -EAGAIN;
			break;
		}
		if (sigs || done) {
			/* Let readers see what is there before waiting. */
			pthread_mutex_unlock(&p->lock);
			raise_sigs(p, sigs);
			sigs = 0;
			pthread_mutex_lock(&p->lock);
		}
		if ((ret = pty_wait(p, &w, &p->master_wq, -1)))
			break;
	}
	pthread_mutex_unlock(&p->lock);
	waiter_finish(&w);
	raise_sigs(p, sigs);
	return done ? (ssize_t)done : ret;
}

static unsigned master_poll(struct file *f, struct poll_table *pt)
{
	struct pty *p = PTY(f);
	unsigned mask = 0;

	poll_wait(pt, &p->master_wq);
	pthread_mutex_lock(&p->lock);
	if (p->out_len)
		mask |= POLLIN | POLLRDNORM;
	if (p->slave_opened && !p->slaves)
		mask |= POLLIN | POLLRDNORM | POLLHUP;
	if (pty_canon(p) || p->in_len < N_TTY_BUF_SIZE)
		mask |= POLLOUT | POLLWRNORM;
	pthread_mutex_unlock(&p->lock);
	return mask;
}

/* ---- the slave ---- */

static ssize_t slave_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct pty *p = PTY(f);
	size_t total = iov_total(iov, cnt), done = 0;
	struct waiter w = { 0 };
	ssize_t ret = 0;

	int err = tty_check_read(&p->tty, current_task);
	if (err < 0)
		return err;
	if (!total)
		return 0;
	pthread_mutex_lock(&p->lock);
	/* Non-canonical reads per VMIN and VTIME (n_tty_read): with VMIN 0
	 * VTIME is an overall timeout; otherwise VTIME is a timer between
	 * bytes once one came, and a read takes up to VMIN bytes. */
	unsigned min = p->termios.c_cc[VMIN];
	int64_t vtime = (int64_t)p->termios.c_cc[VTIME] * 100000000;
	int64_t deadline = -1;
	if (!pty_canon(p) && !min) {
		min = 1;
		deadline = vtime ? host_monotonic_ns() + vtime : 0;
	}
	for (;;) {
		if (p->hung_up)
			break;
		if (n_tty_readable(p, 1)) {
			unsigned char buf[256];
			size_t n = n_tty_read(p, buf, MIN(sizeof(buf), total - done));
			iov_copy_to(iov, cnt, done, buf, n);
			done += n;
			waitqueue_wake_key(&p->master_wq, POLLOUT | POLLWRNORM);
			if (pty_canon(p) || done == total || done >= min)
				break;
			if (vtime)
				deadline = host_monotonic_ns() + vtime;
			continue;
		}
		if (deadline == 0)
			break;
		if (f->flags & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		if (!current_task)
			break;
		ret = pty_wait(p, &w, &p->slave_wq, deadline);
		if (ret == -ETIMEDOUT) {
			ret = 0;
			break;
		}
		if (ret)
			break;
	}
	pthread_mutex_unlock(&p->lock);
	waiter_finish(&w);
	return done ? (ssize_t)done : ret;
}

static ssize_t slave_write(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct pty *p = PTY(f);
	size_t total = iov_total(iov, cnt), done = 0;
	struct waiter w = { 0 };
	unsigned char buf[256];
	ssize_t ret = 0;

	pthread_mutex_lock(&p->lock);
	bool tostop = p->termios.c_lflag & TOSTOP;
	pthread_mutex_unlock(&p->lock);
	int err = tty_check_write(&p->tty, current_task, tostop);
	if (err < 0)
		return err;
	pthread_mutex_lock(&p->lock);
	while (done < total) {
		if (p->hung_up) {
			ret = -EIO;
			break;
		}
		size_t n = iov_copy_from(buf, iov, cnt, done, MIN(sizeof(buf), total - done));
		size_t took = n_tty_write(p, buf, n);
		done += took;
		if (took)
			waitqueue_wake_key(&p->master_wq, POLLIN | POLLRDNORM);
		if (took == n)
			continue;
		if ((f->flags & O_NONBLOCK) || !current_task) {
			ret = -EAGAIN;
			break;
		}
		if ((ret = pty_wait(p, &w, &p->slave_wq, -1)))
			break;
	}
	pthread_mutex_unlock(&p->lock);
	waiter_finish(&w);
	return done ? (ssize_t)done : ret;
}

static unsigned slave_poll(struct file *f, struct poll_table *pt)
{
	struct pty *p = PTY(f);
	unsigned mask = 0;

	poll_wait(pt, &p->slave_wq);
	pthread_mutex_lock(&p->lock);
	if (p->hung_up) {
		mask = POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM | POLLWRNORM;
	} else {
		/* With VMIN > 1 and no VTIME, readable means VMIN bytes. */
		size_t min = p->termios.c_cc[VTIME] ? 1 : MAX(p->termios.c_cc[VMIN], 1);
		if (n_tty_readable(p, min))
			mask |= POLLIN | POLLRDNORM;
		if (p->out_len < PTY_OUT_SIZE)
			mask |= POLLOUT | POLLWRNORM;
	}
	pthread_mutex_unlock(&p->lock);
	return mask;
}

/* ---- ioctls ---- */

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

static long master_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
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

static long slave_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
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

/* ---- opening and closing ---- */

static void master_release(struct file *f)
{
	struct pty *p = PTY(f);
	pthread_mutex_lock(&p->lock);
	p->hung_up = true;
	pthread_mutex_unlock(&p->lock);
	devpts_remove(p);
	waitqueue_wake_all(&p->slave_wq);
	tty_hangup(&p->tty);
	pty_put(p);
}

static void slave_release(struct file *f)
{
	struct pty *p = PTY(f);
	pthread_mutex_lock(&p->lock);
	p->slaves--;
	pthread_mutex_unlock(&p->lock);
	waitqueue_wake_all(&p->master_wq);
	pty_put(p);
}

static const struct file_ops master_fops = {
	.read = master_read,
	.write = master_write,
	.poll = master_poll,
	.ioctl = master_ioctl,
	.release = master_release,
};

static const struct file_ops slave_fops = {
	.read = slave_read,
	.write = slave_write,
	.poll = slave_poll,
	.ioctl = slave_ioctl,
	.release = slave_release,
};

static struct file *pty_file(struct pty *p, const struct file_ops *fops, struct inode *inode,
			     int flags)
{
	struct file *f = file_alloc(sizeof(struct pty_file), fops, inode);
	container_of(f, struct pty_file, vfs)->pty = pty_get(p);
	int acc = flags & O_ACCMODE;
	if (acc == O_RDONLY || acc == O_RDWR)
		f->fmode |= FMODE_READ;
	if (acc == O_WRONLY || acc == O_RDWR)
		f->fmode |= FMODE_WRITE;
	f->flags = (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)) |
		   LINUX_O_LARGEFILE;
	return f;
}

struct file *pty_slave_open(struct pty *p, int flags)
{
	pthread_mutex_lock(&p->lock);
	int err = p->locked || p->hung_up ? -EIO : 0;
	if (!err) {
		p->slaves++;
		p->slave_opened = true;
	}
	pthread_mutex_unlock(&p->lock);
	if (err)
		return ERR_PTR(err);
	tty_open_set_ctty(&p->tty, current_task, flags);
	return pty_file(p, &slave_fops, p->slave_inode, flags);
}

struct file *pty_master_file(struct pty *p, struct inode *inode, int flags)
{
	return pty_file(p, &master_fops, inode, flags);
}
