/* epoll sets and their items: creation, epoll_ctl, loop checks, and the
 * removal of items when a set or a watched file goes (see
 * eventpoll_internal.h for the design and the lock order). */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>

#include "cvisor/anon_inode.h"
#include "cvisor/kernfs.h"
#include "eventpoll_internal.h"

/* Serialises every change of every set, so loop checks and releases
 * see stable trees (Linux's epnested_mutex and the f_ep lock). */
static pthread_mutex_t epmutex = PTHREAD_MUTEX_INITIALIZER;

int ep_cmp(struct epitem *a, struct epitem *b)
{
	if (a->file != b->file)
		return (uintptr_t)a->file < (uintptr_t)b->file ? -1 : 1;
	return a->fd < b->fd ? -1 : a->fd > b->fd;
}

RB_GENERATE(ep_tree, epitem, rbn, ep_cmp)

static struct epitem *ep_find(struct eventpoll *ep, struct file *f, int fd)
{
	struct epitem key = { .file = f, .fd = fd };
	return RB_FIND(ep_tree, &ep->items, &key);
}

/* Unregisters and frees EPI. epmutex and ep->mtx held: no scan runs, so
 * an item on a list is on the ready list. */
static void ep_remove(struct eventpoll *ep, struct epitem *epi)
{
	struct ep_pwq *pwq, *next;
	for (pwq = epi->pwqs; pwq; pwq = next) {
		next = pwq->next;
		waiter_finish(&pwq->w);
		free(pwq);
	}
	LIST_REMOVE(epi, f_link);
	RB_REMOVE(ep_tree, &ep->items, epi);
	pthread_mutex_lock(&ep->lock);
	if (epi->on_rdl)
		TAILQ_REMOVE(&ep->rdllist, epi, rdllink);
	pthread_mutex_unlock(&ep->lock);
	if (epi->host)
		ep->nr_host--;
	free(epi);
}

void eventpoll_release(struct file *f)
{
	struct epitem *epi;
	pthread_mutex_lock(&epmutex);
	while ((epi = LIST_FIRST(&f->ep_items))) {
		struct eventpoll *ep = epi->ep;
		pthread_mutex_lock(&ep->mtx);
		ep_remove(ep, epi);
		pthread_mutex_unlock(&ep->mtx);
	}
	pthread_mutex_unlock(&epmutex);
}

static void ep_release(struct file *f)
{
	struct eventpoll *ep = EP(f);
	struct epitem *epi;
	pthread_mutex_lock(&epmutex);
	pthread_mutex_lock(&ep->mtx);
	while ((epi = RB_MIN(ep_tree, &ep->items)))
		ep_remove(ep, epi);
	pthread_mutex_unlock(&ep->mtx);
	pthread_mutex_unlock(&epmutex);
	pthread_mutex_destroy(&ep->mtx);
	pthread_mutex_destroy(&ep->lock);
}

/* One line per item (ep_show_fdinfo): fd, events, data, and the
 * watched file's position, inode and device. */
static void ep_show_fdinfo(struct file *f, struct kernfs_buf *b)
{
	struct eventpoll *ep = EP(f);
	struct epitem *epi;
	pthread_mutex_lock(&ep->mtx);
	RB_FOREACH(epi, ep_tree, &ep->items) {
		struct inode *inode = epi->file->inode;
		kernfs_printf(b, "tfd: %8d events: %8x data: %16llx  pos:%lli ino:%llx sdev:%llx\n",
			      epi->fd, epi->events, (unsigned long long)epi->data,
			      (long long)epi->file->pos,
			      inode ? (unsigned long long)inode->ino : 0ULL,
			      inode ? (unsigned long long)inode->sb->dev : 0ULL);
	}
	pthread_mutex_unlock(&ep->mtx);
}

/* No read or write (EINVAL), no llseek (ESPIPE). */
const struct file_ops eventpoll_fops = {
	.poll = ep_eventpoll_poll,
	.show_fdinfo = ep_show_fdinfo,
	.release = ep_release,
};

bool is_file_epoll(const struct file *f)
{
	return f->ops == &eventpoll_fops;
}

long eventpoll_create(const struct creds *cr, int flags, struct file **out)
{
	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	struct file *f = anon_inode_file("eventpoll", sizeof(struct eventpoll), &eventpoll_fops,
					 cr, O_RDWR);
	struct eventpoll *ep = EP(f);
	pthread_mutex_init(&ep->mtx, NULL);
	pthread_mutex_init(&ep->lock, NULL);
	RB_INIT(&ep->items);
	TAILQ_INIT(&ep->rdllist);
	TAILQ_INIT(&ep->ovflist);
	waitqueue_init(&ep->wq);
	waitqueue_init(&ep->poll_wait);
	*out = f;
	return 0;
}

/* Whether TARGET can be reached from EP through nested sets, or the
 * nesting gets deeper than EP_MAX_NESTS (ep_loop_check_proc). epmutex
 * held. */
static bool ep_loop(struct eventpoll *ep, struct eventpoll *target, int depth)
{
	struct epitem *epi;
	RB_FOREACH(epi, ep_tree, &ep->items) {
		if (!is_file_epoll(epi->file))
			continue;
		struct eventpoll *sub = EP(epi->file);
		if (sub == target || depth >= EP_MAX_NESTS || ep_loop(sub, target, depth + 1))
			return true;
	}
	return false;
}

/* How many sets contain EP, counting up the longest chain
 * (ep_get_upwards_depth_proc). epmutex held. */
static int ep_depth_up(struct eventpoll *ep, int depth)
{
	struct epitem *epi;
	int max = depth;
	if (depth > EP_MAX_NESTS)
		return depth;
	LIST_FOREACH(epi, &ep->vfs.ep_items, f_link)
		max = MAX(max, ep_depth_up(epi->ep, depth + 1));
	return max;
}

/* The poll_table of an insertion (ep_ptable_queue_proc): a waiter with
 * ep_poll_callback on each queue, or the host fd noted. */
struct ep_pqueue {
	struct poll_table pt;
	struct epitem *epi;
};

static void ep_ptable_queue(struct poll_table *pt, struct waitqueue *wq)
{
	struct epitem *epi = container_of(pt, struct ep_pqueue, pt)->epi;
	struct ep_pwq *pwq = xzalloc(sizeof(*pwq));
	pwq->epi = epi;
	pwq->next = epi->pwqs;
	epi->pwqs = pwq;
	waiter_add_fn(&pwq->w, wq, ep_poll_callback);
}

static void ep_ptable_host(struct poll_table *pt, int host_fd, short events)
{
	struct epitem *epi = container_of(pt, struct ep_pqueue, pt)->epi;
	if (epi->host)
		return;
	epi->host = true;
	epi->host_fd = host_fd;
	epi->host_events = events;
	epi->ep->nr_host++;
}

static void ep_insert(struct eventpoll *ep, const struct epoll_event *ev, struct file *tf, int fd)
{
	struct epitem *epi = xzalloc(sizeof(*epi));
	epi->ep = ep;
	epi->file = tf;
	epi->fd = fd;
	epi->events = ev->events;
	epi->data = ev->data.u64;
	LIST_INSERT_HEAD(&tf->ep_items, epi, f_link);
	RB_INSERT(ep_tree, &ep->items, epi);

	struct ep_pqueue pq = {
		.pt = { .queue = ep_ptable_queue, .queue_host = ep_ptable_host },
		.epi = epi,
	};
	if (ep_item_poll(epi, &pq.pt))
		ep_make_ready(ep, epi);
}

static void ep_modify(struct eventpoll *ep, struct epitem *epi, const struct epoll_event *ev)
{
	pthread_mutex_lock(&ep->lock);
	epi->events = ev->events;
	pthread_mutex_unlock(&ep->lock);
	epi->data = ev->data.u64;
	if (ep_item_poll(epi, NULL))
		ep_make_ready(ep, epi);
}

/* The events EPOLLEXCLUSIVE may come with (EPOLLEXCLUSIVE_OK_BITS). */
#define EXCLUSIVE_OK (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | \
		      EPOLLEXCLUSIVE)

long eventpoll_ctl(struct file *epf, int op, struct file *tf, int fd, struct epoll_event *ev)
{
	/* do_epoll_ctl's order of checks. */
	if (!tf->ops->poll)
		return -EPERM;
	if (epf == tf || !is_file_epoll(epf))
		return -EINVAL;
	bool has_event = op != EPOLL_CTL_DEL;
	if (has_event && (ev->events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == EPOLL_CTL_ADD && (is_file_epoll(tf) || (ev->events & ~EXCLUSIVE_OK)))
			return -EINVAL;
	}
	struct eventpoll *ep = EP(epf);
	struct epoll_event e = { 0 };
	if (has_event)
		e = (struct epoll_event){ .events = ev->events | EPOLLERR | EPOLLHUP,
					  .data = ev->data };
	long err = 0;

	pthread_mutex_lock(&epmutex);
	pthread_mutex_lock(&ep->mtx);
	if (op == EPOLL_CTL_ADD && is_file_epoll(tf) &&
	    (ep_loop(EP(tf), ep, 0) ||
	     ep_depth_up(ep, 0) + 1 > EP_MAX_NESTS)) {
		err = -ELOOP;
		goto out_unlock;
	}
	struct epitem *epi = ep_find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (epi)
			err = -EEXIST;
		else
			ep_insert(ep, &e, tf, fd);
		break;
	case EPOLL_CTL_DEL:
		if (epi)
			ep_remove(ep, epi);
		else
			err = -ENOENT;
		break;
	case EPOLL_CTL_MOD:
		if (!epi)
			err = -ENOENT;
		else if (epi->events & EPOLLEXCLUSIVE)
			err = -EINVAL;
		else
			ep_modify(ep, epi, &e);
		break;
	default:
		err = -EINVAL;
	}
out_unlock:
	pthread_mutex_unlock(&ep->mtx);
	pthread_mutex_unlock(&epmutex);
	return err;
}
