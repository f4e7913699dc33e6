/* Wait queues: how a task blocks until something happens (data in a pipe,
 * a child exiting), interruptibly by signals, as Linux's wait_event.
 *
 *   struct waiter w;
 *   for (;;) {
 *           waiter_prepare(&w, t, wq);     // queued before the check
 *           if (condition) break;
 *           err = waiter_sleep(&w, deadline);   // 0, -EINTR, -ETIMEDOUT
 *           if (err) break;
 *   }
 *   waiter_finish(&w);
 *
 * Queuing before checking the condition means a wake-up between the check
 * and the sleep is never lost. Lock order: whatever lock guards the
 * condition -> wq->lock -> task block lock.
 *
 * A waiter may instead carry a function (waiter_add_fn; Linux's
 * wait_queue_entry.func): a wake-up calls it, under wq->lock, instead of
 * waking a task. epoll items use it to learn that a file they watch may
 * have changed. The function must not sleep nor take a lock that is held
 * around a wake-up of the same queue. A wake-up may name the POLL* events
 * it is about (waitqueue_wake_key; Linux's wake_up_poll), which lets such
 * a function ignore changes it does not care about.
 */
#ifndef CVISOR_WAITQUEUE_H
#define CVISOR_WAITQUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

struct task;

struct waitqueue {
	pthread_mutex_t lock;
	TAILQ_HEAD(, waiter) waiters;	/* [lock] */
};

struct waiter;
/* KEY: the POLL* events of the wake-up, 0 if unknown (any). */
typedef void (*waiter_fn)(struct waiter *w, unsigned key);

struct waiter {
	struct task *task;		/* NULL for a waiter with a function */
	waiter_fn fn;
	struct waitqueue *wq;
	TAILQ_ENTRY(waiter) entry;	/* [wq->lock] */
	bool queued;			/* [wq->lock] */
};

void waitqueue_init(struct waitqueue *wq);
/* Wakes every task waiting on WQ. */
void waitqueue_wake_all(struct waitqueue *wq);
/* The same, for a change of the POLL* events in KEY only. */
void waitqueue_wake_key(struct waitqueue *wq, unsigned key);

void waiter_prepare(struct waiter *w, struct task *t, struct waitqueue *wq);
/* Queues W (zeroed, or finished) for T on WQ without touching T's woken
 * flag: for a poller that queues on many queues while it checks them, so
 * a wake-up after an earlier check is not lost. */
void waiter_add(struct waiter *w, struct task *t, struct waitqueue *wq);
/* Sleeps until woken, interrupted (-EINTR: a signal or exit is pending)
 * or DEADLINE_NS on the host monotonic clock passes (-ETIMEDOUT; < 0 means
 * no deadline). */
int waiter_sleep(struct waiter *w, int64_t deadline_ns);
void waiter_finish(struct waiter *w);
/* Queues W (zeroed, or finished) on WQ with FN, called on each wake-up
 * until waiter_finish; once that returns, FN is not running. */
void waiter_add_fn(struct waiter *w, struct waitqueue *wq, waiter_fn fn);

#endif
