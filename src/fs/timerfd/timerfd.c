/* timerfd (see timerfd.h): a kernel timer whose callback adds to a count
 * of expiries that read(2) takes, 8 bytes at a time. */
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>

#include "cvisor/ktimer.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "cvisor/timerfd.h"
#include "cvisor/vfs.h"
#include "cvisor/waitqueue.h"

#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)
#endif

struct timerfd {
	struct file vfs;
	struct ktimer kt;
	struct kernel *k;
	clockid_t clock;
	pthread_mutex_t set_lock;	/* serializes settime (held over ktimer_cancel) */
	pthread_mutex_t lock;		/* taken by the callback */
	uint64_t ticks;			/* [lock] expiries not yet read */
	struct waitqueue wq;		/* ticks became non-zero */
};

static const struct file_ops timerfd_fops;

static struct timerfd *TIMERFD(struct file *f)
{
	return f->ops == &timerfd_fops ? container_of(f, struct timerfd, vfs) : NULL;
}

static void timerfd_fire(struct ktimer *kt)
{
	struct timerfd *tfd = container_of(kt, struct timerfd, kt);
	pthread_mutex_lock(&tfd->lock);
	tfd->ticks += 1 + (uint64_t)kt->missed;
	pthread_mutex_unlock(&tfd->lock);
	waitqueue_wake_all(&tfd->wq);
}

static ssize_t timerfd_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct timerfd *tfd = TIMERFD(f);
	struct task *t = current_task;
	struct waiter w = { 0 };
	uint64_t ticks = 0;
	ssize_t ret = 0;

	if (iov_total(iov, cnt) < sizeof(ticks))
		return -EINVAL;
	pthread_mutex_lock(&tfd->lock);
	for (;;) {
		if (tfd->ticks) {
			ticks = tfd->ticks;
			tfd->ticks = 0;
			break;
		}
		if ((f->flags & O_NONBLOCK) || !t) {
			ret = -EAGAIN;
			break;
		}
		waiter_prepare(&w, t, &tfd->wq);
		pthread_mutex_unlock(&tfd->lock);
		int err = waiter_sleep(&w, -1);
		pthread_mutex_lock(&tfd->lock);
		if (err) {
			ret = -ERESTARTSYS;
			break;
		}
	}
	pthread_mutex_unlock(&tfd->lock);
	waiter_finish(&w);
	if (ret)
		return ret;
	iov_copy_to(iov, cnt, 0, &ticks, sizeof(ticks));
	return sizeof(ticks);
}

static unsigned timerfd_poll(struct file *f, struct poll_table *pt)
{
	struct timerfd *tfd = TIMERFD(f);
	poll_wait(pt, &tfd->wq);
	pthread_mutex_lock(&tfd->lock);
	unsigned mask = tfd->ticks ? POLLIN | POLLRDNORM : 0;
	pthread_mutex_unlock(&tfd->lock);
	return mask;
}

/* TFD_IOC_SET_TICKS (checkpoint/restore): sets the count of expiries. */
static long timerfd_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	struct timerfd *tfd = TIMERFD(f);
	uint64_t ticks;

	if (cmd != TFD_IOC_SET_TICKS)
		return -ENOTTY;
	if (copy_in(t, &ticks, arg, sizeof(ticks)) < 0)
		return -EFAULT;
	if (!ticks)
		return -EINVAL;
	pthread_mutex_lock(&tfd->lock);
	tfd->ticks = ticks;
	pthread_mutex_unlock(&tfd->lock);
	waitqueue_wake_all(&tfd->wq);
	return 0;
}

static void timerfd_release(struct file *f)
{
	struct timerfd *tfd = TIMERFD(f);
	ktimer_cancel(tfd->k, &tfd->kt);
	pthread_mutex_destroy(&tfd->lock);
	pthread_mutex_destroy(&tfd->set_lock);
}

static const struct file_ops timerfd_fops = {
	.read = timerfd_read,
	.poll = timerfd_poll,
	.ioctl = timerfd_ioctl,
	.release = timerfd_release,
};

struct file *timerfd_new(struct task *t, clockid_t clock, int flags)
{
	struct file *f = anon_inode_file("timerfd", sizeof(struct timerfd), &timerfd_fops,
					  t->creds, O_RDWR | (flags & O_NONBLOCK));
	struct timerfd *tfd = TIMERFD(f);
	ktimer_init(&tfd->kt, timerfd_fire);
	tfd->k = t->k;
	tfd->clock = clock;
	pthread_mutex_init(&tfd->set_lock, NULL);
	pthread_mutex_init(&tfd->lock, NULL);
	waitqueue_init(&tfd->wq);
	return f;
}

int tfd_settime(struct task *t, struct file *f, bool abs, int64_t value, int64_t interval,
		    int64_t *old_value, int64_t *old_interval)
{
	struct timerfd *tfd = TIMERFD(f);
	if (!tfd)
		return -EINVAL;
	pthread_mutex_lock(&tfd->set_lock);
	ktimer_get(t->k, &tfd->kt, old_value, old_interval);
	ktimer_cancel(t->k, &tfd->kt);
	pthread_mutex_lock(&tfd->lock);
	tfd->ticks = 0;
	pthread_mutex_unlock(&tfd->lock);
	if (value)
		ktimer_set(t->k, &tfd->kt, ktimer_deadline(t, tfd->clock, value, abs), interval);
	pthread_mutex_unlock(&tfd->set_lock);
	return 0;
}

int tfd_gettime(struct file *f, int64_t *value, int64_t *interval)
{
	struct timerfd *tfd = TIMERFD(f);
	if (!tfd)
		return -EINVAL;
	ktimer_get(tfd->k, &tfd->kt, value, interval);
	return 0;
}
