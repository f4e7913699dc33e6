/* eventfd files, as Linux's fs/eventfd.c: a 64-bit counter. A read takes
 * the whole count (EFD_SEMAPHORE: one) and waits while it is zero; a
 * write adds and waits while the sum would pass 0xfffffffffffffffe.
 * Transfers are exactly 8 bytes (a larger read buffer gets 8). One wait
 * queue serves readers, writers and pollers, as Linux's wqh. */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/eventfd.h>

#include "cvisor/anon_inode.h"
#include "cvisor/kernfs.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "cvisor/vfs.h"
#include "cvisor/waitqueue.h"

struct eventfd_file {
	struct file vfs;
	pthread_mutex_t lock;
	struct waitqueue wq;
	uint64_t count;		/* [lock] */
	bool semaphore;
	int id;			/* fdinfo's eventfd-id */
};

/* eventfd ids (Linux's eventfd_ida, here never reused). */
static _Atomic int next_id;

static struct eventfd_file *EVENTFD_F(struct file *f)
{
	return container_of(f, struct eventfd_file, vfs);
}

/* Whether adding ADD (a write) or taking (ADD == 0, a read) can go
 * ahead now. E locked. */
static bool efd_can(struct eventfd_file *e, bool write, uint64_t add)
{
	return write ? UINT64_MAX - e->count > add : e->count > 0;
}

/* Locks E and waits until efd_can: 0 with E locked, or -EAGAIN (F
 * non-blocking) or -ERESTARTSYS (a signal, as Linux's interruptible
 * wait) with E unlocked. */
static int efd_lock_when(struct file *f, bool write, uint64_t add)
{
	struct eventfd_file *e = EVENTFD_F(f);
	struct task *t = current_task;
	struct waiter w = { 0 };
	int ret = 0;

	pthread_mutex_lock(&e->lock);
	while (!efd_can(e, write, add)) {
		if ((f->flags & O_NONBLOCK) || !t) {
			ret = -EAGAIN;
			break;
		}
		waiter_prepare(&w, t, &e->wq);
		pthread_mutex_unlock(&e->lock);
		int err = waiter_sleep(&w, -1);
		pthread_mutex_lock(&e->lock);
		if (err) {
			ret = -ERESTARTSYS;
			break;
		}
	}
	if (ret)
		pthread_mutex_unlock(&e->lock);
	waiter_finish(&w);
	return ret;
}

static ssize_t efd_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct eventfd_file *e = EVENTFD_F(f);
	uint64_t val;

	if (iov_total(iov, cnt) < sizeof(val))
		return -EINVAL;
	int ret = efd_lock_when(f, false, 0);
	if (ret)
		return ret;
	val = e->semaphore ? 1 : e->count;
	e->count -= val;
	waitqueue_wake_key(&e->wq, POLLOUT | POLLWRNORM);
	pthread_mutex_unlock(&e->lock);
	iov_copy_to(iov, cnt, 0, &val, sizeof(val));
	return sizeof(val);
}

static ssize_t efd_write(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct eventfd_file *e = EVENTFD_F(f);
	uint64_t val;

	if (iov_total(iov, cnt) < sizeof(val))
		return -EINVAL;
	iov_copy_from(&val, iov, cnt, 0, sizeof(val));
	if (val == UINT64_MAX)
		return -EINVAL;
	int ret = efd_lock_when(f, true, val);
	if (ret)
		return ret;
	e->count += val;
	if (val)
		waitqueue_wake_key(&e->wq, POLLIN | POLLRDNORM);
	pthread_mutex_unlock(&e->lock);
	return sizeof(val);
}

static unsigned efd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd_file *e = EVENTFD_F(f);
	unsigned mask = 0;

	poll_wait(pt, &e->wq);
	pthread_mutex_lock(&e->lock);
	if (e->count > 0)
		mask |= POLLIN | POLLRDNORM;
	if (e->count == UINT64_MAX)
		mask |= POLLERR;
	if (UINT64_MAX - 1 > e->count)
		mask |= POLLOUT | POLLWRNORM;
	pthread_mutex_unlock(&e->lock);
	return mask;
}

static void efd_show_fdinfo(struct file *f, struct kernfs_buf *b)
{
	struct eventfd_file *e = EVENTFD_F(f);
	pthread_mutex_lock(&e->lock);
	unsigned long long count = e->count;
	pthread_mutex_unlock(&e->lock);
	kernfs_printf(b, "eventfd-count: %16llx\neventfd-id: %d\neventfd-semaphore: %d\n", count,
		      e->id, e->semaphore);
}

/* noop_llseek: the position, unchanged. */
static int64_t efd_llseek(struct file *f, int64_t off, int whence)
{
	return f->pos;
}

static void efd_release(struct file *f)
{
	struct eventfd_file *e = EVENTFD_F(f);
	/* Pollers (epoll items) still queued hold references: none are. */
	pthread_mutex_destroy(&e->lock);
}

const struct file_ops eventfd_fops = {
	.llseek = efd_llseek,
	.read = efd_read,
	.write = efd_write,
	.poll = efd_poll,
	.show_fdinfo = efd_show_fdinfo,
	.release = efd_release,
};

long eventfd_create(const struct creds *cr, unsigned initval, int flags, struct file **out)
{
	if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	struct file *f = anon_inode_file("eventfd", sizeof(struct eventfd_file),
					 &eventfd_fops, cr, O_RDWR | (flags & O_NONBLOCK));
	struct eventfd_file *e = EVENTFD_F(f);
	pthread_mutex_init(&e->lock, NULL);
	waitqueue_init(&e->wq);
	e->count = initval;
	e->semaphore = flags & EFD_SEMAPHORE;
	e->id = next_id++;
	*out = f;
	return 0;
}
