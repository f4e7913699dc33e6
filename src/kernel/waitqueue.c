/* Wait queues over the per-task block state: a task sleeps on its own
 * condition variable; wakers and signal senders set its flags. */
#include <sys/eventfd.h>
#include <time.h>

#include "cvisor/kernel.h"
#include "cvisor/task.h"
#include "cvisor/waitqueue.h"

void waitqueue_init(struct waitqueue *wq)
{
	pthread_mutex_init(&wq->lock, NULL);
	TAILQ_INIT(&wq->waiters);
}

void task_wake(struct task *t)
{
	pthread_mutex_lock(&t->block_lock);
	t->woken = true;
	pthread_cond_signal(&t->wake);
	/* Asleep in poll(2) (task_block_host): the eventfd wakes it. */
	if (t->host_waiting)
		(void)!eventfd_write(t->host_wake_fd, 1);
	pthread_mutex_unlock(&t->block_lock);
}

void waitqueue_wake_key(struct waitqueue *wq, unsigned key)
{
	struct waiter *w;
	pthread_mutex_lock(&wq->lock);
	TAILQ_FOREACH(w, &wq->waiters, entry) {
		if (w->fn)
			w->fn(w, key);
		else
			task_wake(w->task);
	}
	pthread_mutex_unlock(&wq->lock);
}

void waitqueue_wake_all(struct waitqueue *wq)
{
	waitqueue_wake_key(wq, 0);
}

void waiter_add_fn(struct waiter *w, struct waitqueue *wq, waiter_fn fn)
{
	w->fn = fn;
	waiter_add(w, NULL, wq);
}

void waiter_add(struct waiter *w, struct task *t, struct waitqueue *wq)
{
	w->task = t;
	w->wq = wq;
	pthread_mutex_lock(&wq->lock);
	TAILQ_INSERT_TAIL(&wq->waiters, w, entry);
	w->queued = true;
	pthread_mutex_unlock(&wq->lock);
}

void waiter_prepare(struct waiter *w, struct task *t, struct waitqueue *wq)
{
	pthread_mutex_lock(&t->block_lock);
	t->woken = false;
	pthread_mutex_unlock(&t->block_lock);
	if (!w->queued || w->wq != wq)
		waiter_add(w, t, wq);
}

int waiter_sleep(struct waiter *w, int64_t deadline_ns)
{
	return task_block(w->task, deadline_ns);
}

void waiter_finish(struct waiter *w)
{
	if (!w->queued)
		return;
	pthread_mutex_lock(&w->wq->lock);
	TAILQ_REMOVE(&w->wq->waiters, w, entry);
	w->queued = false;
	pthread_mutex_unlock(&w->wq->lock);
}
