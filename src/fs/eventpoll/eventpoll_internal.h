/* epoll's objects, as Linux's fs/eventpoll.c.
 *
 * An epoll file (struct eventpoll) keeps its items in a tree keyed by
 * (file, fd). Each item has a waiter with a function (ep_pwq) on every
 * wait queue its file named to poll; a wake-up there puts the item on
 * the ready list and wakes the epoll file's own queues: its waiters in
 * epoll_wait (wq) and pollers of the epoll file, outer epoll items
 * included (poll_wait). epoll_wait then looks at the ready items again: level-
 * triggered ones that still have events go back on the list, so a later
 * call sees them again, after the others (a fair order).
 *
 * While a scan works through the items it took off the ready list
 * (without ep->lock, since looking at a file takes the file's locks),
 * wake-ups go to the overflow list, merged back when the scan ends.
 *
 * Items do not hold references to their files: a file's last file_put
 * removes it from every set (eventpoll_release), so closing all fds of
 * a file unwatches it, while closing one of two dups does not.
 *
 * Files backed by a host fd (poll_wait_host) are looked at on every scan
 * and waited for with the host fds in task_block_host: for them EPOLLET
 * behaves like level-triggered.
 *
 * Locks, in order: epmutex (global: every change to any set, loop
 * checks, releases) -> ep->mtx (the items of one set, scans; nested sets
 * are taken outer first) -> file locks -> wait queue locks -> ep->lock
 * (ready and overflow lists, item events) -> task block locks. */
#ifndef CVISOR_FS_EVENTPOLL_INTERNAL_H
#define CVISOR_FS_EVENTPOLL_INTERNAL_H

#include <bsd/sys/tree.h>
#include <sys/queue.h>

#include "cvisor/eventpoll.h"
#include "cvisor/vfs.h"
#include "cvisor/waitqueue.h"

/* Bits of the events word that are not events (Linux's EP_PRIVATE_BITS). */
#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
/* Nesting depth of epoll sets allowed (EP_MAX_NESTS). */
#define EP_MAX_NESTS 4

struct epitem;

/* A waiter of an item on one wait queue of its file. */
struct ep_pwq {
	struct waiter w;
	struct epitem *epi;
	struct ep_pwq *next;
};

struct epitem {
	RB_ENTRY(epitem) rbn;		/* [ep->mtx] in ep->items */
	TAILQ_ENTRY(epitem) rdllink;	/* [ep->lock] ready list or a scan's */
	TAILQ_ENTRY(epitem) ovflink;	/* [ep->lock] overflow list */
	bool on_rdl, on_ovf;		/* [ep->lock] */
	LIST_ENTRY(epitem) f_link;	/* [epmutex] in file->ep_items */
	struct eventpoll *ep;
	struct file *file;		/* not a reference */
	int fd;
	uint32_t events;		/* [written under ep->mtx and ep->lock] */
	uint64_t data;			/* [ep->mtx] */
	struct ep_pwq *pwqs;		/* [ep->mtx] */
	bool host;			/* [ep->mtx] the file waits with a host fd */
	int host_fd;
	short host_events;
};

RB_HEAD(ep_tree, epitem);
int ep_cmp(struct epitem *a, struct epitem *b);
RB_PROTOTYPE(ep_tree, epitem, rbn, ep_cmp)
TAILQ_HEAD(ep_list, epitem);

struct eventpoll {
	struct file vfs;
	pthread_mutex_t mtx;
	struct ep_tree items;		/* [epmutex and mtx to change] */
	int nr_host;			/* [mtx] items with host */
	pthread_mutex_t lock;
	struct ep_list rdllist;		/* [lock] */
	struct ep_list ovflist;		/* [lock] linked by ovflink */
	bool scanning;			/* [lock] wake-ups go to ovflist */
	struct waitqueue wq;		/* tasks in epoll_wait */
	struct waitqueue poll_wait;	/* pollers of the epoll file */
};

static inline struct eventpoll *EP(struct file *f)
{
	return container_of(f, struct eventpoll, vfs);
}

/* ep_wait.c */
void ep_poll_callback(struct waiter *w, unsigned key);
/* Puts EPI on the ready list if it is on none, and wakes the set. */
void ep_make_ready(struct eventpoll *ep, struct epitem *epi);
/* The events of EPI its file has now (PT may queue, see vfs_poll). */
unsigned ep_item_poll(struct epitem *epi, struct poll_table *pt);
/* The epoll file's own readiness: POLLIN when an item has events. */
unsigned ep_eventpoll_poll(struct file *f, struct poll_table *pt);

#endif
