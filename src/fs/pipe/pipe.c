/* The pipe object and its file operations, as Linux's fs/pipe.c: reads
 * wait for data or for the last writer to leave (then EOF), writes wait
 * until everything is written, writes of at most PIPE_BUF bytes are never
 * interleaved with others, and a write with no reader left fails with
 * EPIPE and SIGPIPE. */
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "pipe_internal.h"

static struct pipe_file *PIPE_F(struct file *f)
{
	return container_of(f, struct pipe_file, vfs);
}

struct pipe_inode_info *pipe_new(void)
{
	struct pipe_inode_info *p = xzalloc(sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	p->ring.size = PIPE_DEF_SIZE;
	waitqueue_init(&p->rd_wait);
	waitqueue_init(&p->wr_wait);
	return p;
}

void pipe_put_files(struct inode *inode, struct pipe_inode_info *p)
{
	pthread_mutex_lock(&inode->lock);
	bool last = --p->files == 0;
	if (last)
		inode->pipe = NULL;
	pthread_mutex_unlock(&inode->lock);
	if (!last)
		return;
	ring_free(&p->ring);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

struct file *pipe_file_new(struct inode *inode, struct pipe_inode_info *p, int flags)
{
	struct file *f = file_alloc(sizeof(struct pipe_file), &pipe_fops, inode);
	struct pipe_file *pf = PIPE_F(f);
	int acc = flags & O_ACCMODE;
	pf->pipe = p;
	pf->reader = acc == O_RDONLY || acc == O_RDWR;
	pf->writer = acc == O_WRONLY || acc == O_RDWR;
	f->fmode = (pf->reader ? FMODE_READ : 0) | (pf->writer ? FMODE_WRITE : 0);
	f->flags = flags;
	return f;
}

int pipe_wait(struct pipe_inode_info *p, struct waiter *w, struct waitqueue *wq)
{
	struct task *t = current_task;
	if (!t)
		return -EAGAIN;
	waiter_prepare(w, t, wq);
	pthread_mutex_unlock(&p->lock);
	int err = waiter_sleep(w, -1);
	pthread_mutex_lock(&p->lock);
	return err ? -ERESTARTSYS : 0;
}

static ssize_t pipe_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct pipe_inode_info *p = PIPE_F(f)->pipe;
	size_t total = iov_total(iov, cnt);
	struct waiter w = { 0 };
	ssize_t ret;

	if (total == 0)
		return 0;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		if (p->ring.len) {
			size_t n = MIN(total, p->ring.len);
			ring_read(&p->ring, iov, cnt, n);
			waitqueue_wake_key(&p->wr_wait, POLLOUT | POLLWRNORM);
			ret = (ssize_t)n;
			break;
		}
		if (!p->writers) {
			ret = 0;
			break;
		}
		if (f->flags & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		ret = pipe_wait(p, &w, &p->rd_wait);
		if (ret)
			break;
	}
	pthread_mutex_unlock(&p->lock);
	waiter_finish(&w);
	return ret;
}

static ssize_t pipe_write(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct pipe_inode_info *p = PIPE_F(f)->pipe;
	size_t total = iov_total(iov, cnt), done = 0;
	struct waiter w = { 0 };
	ssize_t ret = 0;

	/* An empty write succeeds, reader or not (pipe_write). */
	if (total == 0)
		return 0;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		if (!p->readers) {
			ret = -EPIPE;
			break;
		}
		size_t room = p->ring.size - p->ring.len;
		/* Up to PIPE_BUF bytes go in whole or wait for room. */
		if (room && (total > PIPE_BUF_SIZE || room >= total)) {
			size_t n = MIN(room, total - done);
			ring_write(&p->ring, iov, cnt, done, n);
			done += n;
			waitqueue_wake_key(&p->rd_wait, POLLIN | POLLRDNORM);
			if (done == total)
				break;
			continue;
		}
		if (f->flags & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		ret = pipe_wait(p, &w, &p->wr_wait);
		if (ret)
			break;
	}
	pthread_mutex_unlock(&p->lock);
	waiter_finish(&w);
	/* Even after a partial write, as Linux. */
	if (ret == -EPIPE && current_task)
		signal_raise(current_task, SIGPIPE);
	return done ? (ssize_t)done : ret;
}

static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe_file *pf = PIPE_F(f);
	struct pipe_inode_info *p = pf->pipe;
	unsigned mask = 0;

	poll_wait(pt, &p->rd_wait);
	poll_wait(pt, &p->wr_wait);
	pthread_mutex_lock(&p->lock);
	if (pf->reader) {
		if (p->ring.len)
			mask |= POLLIN | POLLRDNORM;
		if (!p->writers && pf->w_seen != p->w_counter)
			mask |= POLLHUP;
	}
	if (pf->writer) {
		/* Writable means a PIPE_BUF write would not wait (Linux: a
		 * free page slot). */
		if (p->ring.size - p->ring.len >= PIPE_BUF_SIZE)
			mask |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			mask |= POLLERR;
	}
	pthread_mutex_unlock(&p->lock);
	return mask;
}

static long pipe_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	struct pipe_inode_info *p = PIPE_F(f)->pipe;

	if (cmd != FIONREAD)
		return -ENOTTY;
	pthread_mutex_lock(&p->lock);
	int n = (int)p->ring.len;
	pthread_mutex_unlock(&p->lock);
	return copy_out(t, arg, &n, sizeof(n));
}

static void pipe_release(struct file *f)
{
	struct pipe_file *pf = PIPE_F(f);
	struct pipe_inode_info *p = pf->pipe;

	pthread_mutex_lock(&p->lock);
	if (pf->reader)
		p->readers--;
	if (pf->writer)
		p->writers--;
	pthread_mutex_unlock(&p->lock);
	/* Readers see EOF, writers EPIPE, pollers HUP or ERR. */
	waitqueue_wake_all(&p->rd_wait);
	waitqueue_wake_all(&p->wr_wait);
	pipe_put_files(f->inode, p);
}

/* No llseek: ESPIPE; no mmap. */
const struct file_ops pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
};

/* F_SETPIPE_SZ's rounding (round_pipe_size): a power-of-two number of
 * pages, at least one; 0 for sizes beyond 2^31 (EINVAL). */
static size_t round_pipe_size(unsigned size)
{
	if (size > (1U << 31))
		return 0;
	if (size < PAGE_SIZE)
		return PAGE_SIZE;
	size_t r = PAGE_SIZE;
	while (r < size)
		r <<= 1;
	return r;
}

long pipe_fcntl(struct file *f, const struct creds *cr, int cmd, unsigned arg)
{
	if (f->ops != &pipe_fops)
		return -EBADF;
	struct pipe_inode_info *p = PIPE_F(f)->pipe;
	long r;

	pthread_mutex_lock(&p->lock);
	if (cmd == F_GETPIPE_SZ) {
		r = (long)p->ring.size;
		goto out_unlock;
	}
	size_t size = round_pipe_size(arg);
	if (!size) {
		r = -EINVAL;
		goto out_unlock;
	}
	/* Only growing past pipe-max-size needs the capability. */
	if (size > p->ring.size && size > PIPE_MAX_SIZE && !vfs_capable(cr, CAP_SYS_RESOURCE)) {
		r = -EPERM;
		goto out_unlock;
	}
	r = ring_resize(&p->ring, size);
	if (!r)
		r = (long)size;
out_unlock:
	pthread_mutex_unlock(&p->lock);
	if (r > 0 && cmd == F_SETPIPE_SZ)
		waitqueue_wake_all(&p->wr_wait);
	return r;
}

bool file_is_pipe(struct file *f)
{
	return f->ops == &pipe_fops;
}

size_t pipe_room(struct file *f)
{
	struct pipe_inode_info *p = PIPE_F(f)->pipe;
	pthread_mutex_lock(&p->lock);
	size_t used = round_up(p->ring.len, PAGE_SIZE);
	size_t room = p->ring.size > used ? p->ring.size - used : 0;
	pthread_mutex_unlock(&p->lock);
	return room;
}

size_t pipe_held(struct file *f, bool *writers)
{
	struct pipe_inode_info *p = PIPE_F(f)->pipe;
	pthread_mutex_lock(&p->lock);
	size_t len = p->ring.len;
	*writers = p->writers > 0;
	pthread_mutex_unlock(&p->lock);
	return len;
}

ssize_t pipe_tee(struct file *in, struct file *out, size_t len, bool nonblock)
{
	struct pipe_inode_info *ip = PIPE_F(in)->pipe, *op = PIPE_F(out)->pipe;
	struct waiter w = { 0 };
	ssize_t ret = 0;

	if (ip == op)
		return -EINVAL;
	if (len == 0)
		return 0;
	/* Wait for data, then take a copy of it. */
	pthread_mutex_lock(&ip->lock);
	for (;;) {
		if (ip->ring.len)
			break;
		if (!ip->writers)
			goto out_unlock_in;
		if (nonblock || (in->flags & O_NONBLOCK)) {
			ret = -EAGAIN;
			goto out_unlock_in;
		}
		ret = pipe_wait(ip, &w, &ip->rd_wait);
		if (ret)
			goto out_unlock_in;
	}
	size_t n = MIN(len, ip->ring.len);
	char *buf = xmalloc(n);
	ring_peek(&ip->ring, buf, n);
	pthread_mutex_unlock(&ip->lock);
	waiter_finish(&w);

	/* Then put as much as fits into OUT. */
	struct iovec iov = { .iov_base = buf, .iov_len = n };
	pthread_mutex_lock(&op->lock);
	for (;;) {
		if (!op->readers) {
			ret = -EPIPE;
			break;
		}
		size_t room = op->ring.size - op->ring.len;
		if (room) {
			ret = (ssize_t)MIN(room, n);
			ring_write(&op->ring, &iov, 1, 0, (size_t)ret);
			waitqueue_wake_all(&op->rd_wait);
			break;
		}
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		ret = pipe_wait(op, &w, &op->wr_wait);
		if (ret)
			break;
	}
	pthread_mutex_unlock(&op->lock);
	waiter_finish(&w);
	free(buf);
	return ret;

out_unlock_in:
	pthread_mutex_unlock(&ip->lock);
	waiter_finish(&w);
	return ret;
}
