/* epoll's readiness side: the wake-up function of items, scans of the
 * ready list (epoll_wait's events, the epoll file's own poll) and the
 * waiting of epoll_wait (see eventpoll_internal.h). */
#include <poll.h>
#include <stdlib.h>

#include "cvisor/kernel.h"
#include "cvisor/task.h"
#include "eventpoll_internal.h"

/* Puts EPI on the ready list (or, during a scan, the overflow list)
 * unless it is there already. ep->lock held. */
static void ep_queue_ready(struct eventpoll *ep, struct epitem *epi)
{
	if (ep->scanning) {
		if (!epi->on_ovf) {
			TAILQ_INSERT_TAIL(&ep->ovflist, epi, ovflink);
			epi->on_ovf = true;
		}
	} else if (!epi->on_rdl) {
		TAILQ_INSERT_TAIL(&ep->rdllist, epi, rdllink);
		epi->on_rdl = true;
	}
}

/* Something became ready: epoll_wait callers and pollers look. */
static void ep_wake(struct eventpoll *ep)
{
	waitqueue_wake_key(&ep->wq, POLLIN | POLLRDNORM);
	waitqueue_wake_key(&ep->poll_wait, POLLIN | POLLRDNORM);
}

void ep_make_ready(struct eventpoll *ep, struct epitem *epi)
{
	pthread_mutex_lock(&ep->lock);
	ep_queue_ready(ep, epi);
	pthread_mutex_unlock(&ep->lock);
	ep_wake(ep);
}

void ep_poll_callback(struct waiter *w, unsigned key)
{
	struct epitem *epi = container_of(w, struct ep_pwq, w)->epi;
	struct eventpoll *ep = epi->ep;

	pthread_mutex_lock(&ep->lock);
	/* A disarmed EPOLLONESHOT item, or a change it does not watch. */
	if (!(epi->events & ~EP_PRIVATE_BITS) || (key && !(key & epi->events))) {
		pthread_mutex_unlock(&ep->lock);
		return;
	}
	ep_queue_ready(ep, epi);
	pthread_mutex_unlock(&ep->lock);
	ep_wake(ep);
}

unsigned ep_item_poll(struct epitem *epi, struct poll_table *pt)
{
	if (pt)
		pt->key = epi->events;
	return vfs_poll(epi->file, pt) & epi->events;
}

/* A scan (ep->mtx held) takes the ready list into TX; wake-ups go to the
 * overflow list meanwhile (ep_start_scan). */
static void ep_start_scan(struct eventpoll *ep, struct ep_list *tx)
{
	TAILQ_INIT(tx);
	pthread_mutex_lock(&ep->lock);
	TAILQ_CONCAT(tx, &ep->rdllist, rdllink);
	ep->scanning = true;
	pthread_mutex_unlock(&ep->lock);
}

/* Takes EPI off the scan list TX. */
static void ep_tx_remove(struct eventpoll *ep, struct ep_list *tx, struct epitem *epi)
{
	pthread_mutex_lock(&ep->lock);
	TAILQ_REMOVE(tx, epi, rdllink);
	epi->on_rdl = false;
	pthread_mutex_unlock(&ep->lock);
}

/* The ready list becomes what TX still holds, then what woke during the
 * scan, then what the scan put back (ep_done_scan); other epoll_wait
 * callers are woken if anything is ready (pollers are not: nothing new
 * happened). */
static void ep_done_scan(struct eventpoll *ep, struct ep_list *tx)
{
	struct epitem *epi;
	pthread_mutex_lock(&ep->lock);
	ep->scanning = false;
	while ((epi = TAILQ_FIRST(&ep->ovflist))) {
		TAILQ_REMOVE(&ep->ovflist, epi, ovflink);
		epi->on_ovf = false;
		if (!epi->on_rdl) {
			TAILQ_INSERT_TAIL(tx, epi, rdllink);
			epi->on_rdl = true;
		}
	}
	TAILQ_CONCAT(tx, &ep->rdllist, rdllink);
	TAILQ_CONCAT(&ep->rdllist, tx, rdllink);
	bool ready = !TAILQ_EMPTY(&ep->rdllist);
	pthread_mutex_unlock(&ep->lock);
	if (ready)
		waitqueue_wake_key(&ep->wq, POLLIN | POLLRDNORM);
}

/* Items on host fds are looked at by every scan. ep->mtx held. */
static void ep_ready_host_items(struct eventpoll *ep)
{
	struct epitem *epi;
	if (!ep->nr_host)
		return;
	pthread_mutex_lock(&ep->lock);
	RB_FOREACH(epi, ep_tree, &ep->items)
		if (epi->host && (epi->events & ~EP_PRIVATE_BITS))
			ep_queue_ready(ep, epi);
	pthread_mutex_unlock(&ep->lock);
}

/* Collects up to MAXEVENTS events of ready items (ep_send_events):
 * level-triggered items with events go back on the ready list, one-shot
 * ones are disarmed. */
static int ep_send_events(struct eventpoll *ep, struct epoll_event *evs, int maxevents)
{
	struct ep_list tx;
	struct epitem *epi;
	int n = 0;

	pthread_mutex_lock(&ep->mtx);
	ep_ready_host_items(ep);
	ep_start_scan(ep, &tx);
	while (n < maxevents && (epi = TAILQ_FIRST(&tx))) {
		ep_tx_remove(ep, &tx, epi);
		unsigned revents = ep_item_poll(epi, NULL);
		if (!revents)
			continue;
		evs[n].events = revents;
		evs[n].data.u64 = epi->data;
		n++;
		pthread_mutex_lock(&ep->lock);
		if (epi->events & EPOLLONESHOT) {
			epi->events &= EP_PRIVATE_BITS;
		} else if (!(epi->events & EPOLLET) && !epi->on_rdl) {
			/* Straight back on the ready list, behind the rest. */
			TAILQ_INSERT_TAIL(&ep->rdllist, epi, rdllink);
			epi->on_rdl = true;
		}
		pthread_mutex_unlock(&ep->lock);
	}
	ep_done_scan(ep, &tx);
	pthread_mutex_unlock(&ep->mtx);
	return n;
}

unsigned ep_eventpoll_poll(struct file *f, struct poll_table *pt)
{
	struct eventpoll *ep = EP(f);
	struct ep_list tx;
	struct epitem *epi;
	unsigned res = 0;

	poll_wait(pt, &ep->poll_wait);
	pthread_mutex_lock(&ep->mtx);
	/* Host-fd items: the poller waits on their host fds itself. */
	if (ep->nr_host) {
		unsigned key = poll_requested_events(pt);
		RB_FOREACH(epi, ep_tree, &ep->items)
			if (epi->host && ep_item_poll(epi, pt))
				res = POLLIN | POLLRDNORM;
		if (pt)
			pt->key = key;
	}
	/* __ep_eventpoll_poll: items no longer ready leave the list. */
	ep_start_scan(ep, &tx);
	while (!res && (epi = TAILQ_FIRST(&tx))) {
		if (ep_item_poll(epi, NULL))
			res = POLLIN | POLLRDNORM;
		else
			ep_tx_remove(ep, &tx, epi);
	}
	ep_done_scan(ep, &tx);
	pthread_mutex_unlock(&ep->mtx);
	return res;
}

static bool ep_events_available(struct eventpoll *ep)
{
	pthread_mutex_lock(&ep->lock);
	bool avail = !TAILQ_EMPTY(&ep->rdllist) || !TAILQ_EMPTY(&ep->ovflist);
	pthread_mutex_unlock(&ep->lock);
	return avail;
}

/* Sleeps (T queued on ep->wq) until woken, a host fd of an item has
 * events, a signal (-EINTR) or the host DEADLINE (-ETIMEDOUT). */
static int ep_sleep(struct task *t, struct eventpoll *ep, int64_t deadline)
{
	struct epitem *epi;
	int n = 0;

	pthread_mutex_lock(&ep->mtx);
	if (!ep->nr_host) {
		pthread_mutex_unlock(&ep->mtx);
		return task_block(t, deadline);
	}
	struct pollfd *fds = xmalloc(sizeof(*fds) * (size_t)ep->nr_host);
	RB_FOREACH(epi, ep_tree, &ep->items)
		if (epi->host)
			fds[n++] = (struct pollfd){ .fd = epi->host_fd, .events = epi->host_events };
	pthread_mutex_unlock(&ep->mtx);
	int ret = task_block_host(t, fds, n, deadline);
	free(fds);
	return ret;
}

long eventpoll_wait(struct task *t, struct file *epf, struct epoll_event *evs, int maxevents,
		    int64_t deadline)
{
	struct eventpoll *ep = EP(epf);
	struct waiter w = { 0 };
	bool timed_out = deadline == 0;
	int64_t host_deadline = -1;
	long n;

	if (deadline > 0)
		host_deadline = host_monotonic_ns() +
				MAX(deadline - kernel_monotonic_ns(t->k), 0);
	for (;;) {
		n = ep_send_events(ep, evs, maxevents);
		if (n || timed_out)
			break;
		waiter_prepare(&w, t, &ep->wq);
		if (ep_events_available(ep))
			continue;
		int r = ep_sleep(t, ep, host_deadline);
		if (r == -EINTR) {
			n = -EINTR;
			break;
		}
		if (r == -ETIMEDOUT)
			timed_out = true;
	}
	waiter_finish(&w);
	return n;
}
