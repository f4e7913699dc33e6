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

#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "devpts_internal.h"

struct pty_file {
	struct file vfs;
	struct pty *pty;
};

static const struct file_ops master_fops, slave_fops;

struct pty *PTY(struct file *f)
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

/* pty_wait for F's reader or writer: -EAGAIN instead when F does not
 * block, or when the kernel itself (no current task) does the I/O. */
static int pty_wait_io(struct pty *p, struct file *f, struct waiter *w, struct waitqueue *wq)
{
	if ((f->flags & O_NONBLOCK) || !current_task)
		return -EAGAIN;
	return pty_wait(p, w, wq, -1);
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
		if ((ret = pty_wait_io(p, f, &w, &p->master_wq)))
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
		if (sigs || done) {
			/* Let readers see what is there before waiting. */
			pthread_mutex_unlock(&p->lock);
			raise_sigs(p, sigs);
			sigs = 0;
			pthread_mutex_lock(&p->lock);
		}
		if ((ret = pty_wait_io(p, f, &w, &p->master_wq)))
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
		if ((ret = pty_wait_io(p, f, &w, &p->slave_wq)))
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
	.ioctl = pty_master_ioctl,
	.release = master_release,
};

static const struct file_ops slave_fops = {
	.read = slave_read,
	.write = slave_write,
	.poll = slave_poll,
	.ioctl = pty_slave_ioctl,
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
