/* Kernel timers (see ktimer.h): a deadline-ordered list and one thread
 * that sleeps until the first deadline. */
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "cvisor/kernel.h"
#include "cvisor/ktimer.h"

void ktimers_init(struct ktimers *ts)
{
	pthread_mutex_init(&ts->lock, NULL);
	cond_init_monotonic(&ts->changed);
	pthread_cond_init(&ts->fired, NULL);
	TAILQ_INIT(&ts->armed);
}

void ktimer_init(struct ktimer *kt, void (*fire)(struct ktimer *kt))
{
	*kt = (struct ktimer){ .fire = fire };
}

/* Inserts KT in deadline order; ts->lock held. */
static void insert_locked(struct ktimers *ts, struct ktimer *kt)
{
	struct ktimer *at;
	TAILQ_FOREACH(at, &ts->armed, link) {
		if (at->deadline > kt->deadline)
			break;
	}
	if (at)
		TAILQ_INSERT_BEFORE(at, kt, link);
	else
		TAILQ_INSERT_TAIL(&ts->armed, kt, link);
}

static void *timer_thread(void *arg)
{
	struct kernel *k = arg;
	struct ktimers *ts = &k->timers;

	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&ts->lock);
	for (;;) {
		struct ktimer *kt = TAILQ_FIRST(&ts->armed);
		if (!kt) {
			pthread_cond_wait(&ts->changed, &ts->lock);
			continue;
		}
		if (kt->deadline > host_monotonic_ns()) {
			struct timespec at = ns_to_timespec(kt->deadline);
			pthread_cond_timedwait(&ts->changed, &ts->lock, &at);
			continue;
		}
		TAILQ_REMOVE(&ts->armed, kt, link);
		kt->deadline = 0;
		kt->missed = 0;
		if (kt->interval) {
			/* The next expiry in the future, in phase with the
			 * first: missed ones are not made up but counted
			 * (overruns, as hrtimer_forward). */
			int64_t now = host_monotonic_ns();
			kt->missed = (now - kt->expires) / kt->interval;
			kt->expires += (kt->missed + 1) * kt->interval;
			kt->deadline = MAX(kt->expires, now + KTIMER_MIN_GAP);
			insert_locked(ts, kt);
		}
		ts->firing = kt;
		pthread_mutex_unlock(&ts->lock);
		kt->fire(kt);
		pthread_mutex_lock(&ts->lock);
		ts->firing = NULL;
		pthread_cond_broadcast(&ts->fired);
	}
	return NULL;
}

void ktimer_set(struct kernel *k, struct ktimer *kt, int64_t deadline, int64_t interval)
{
	struct ktimers *ts = &k->timers;
	pthread_mutex_lock(&ts->lock);
	if (!ts->started) {
		pthread_t th;
		pthread_create(&th, NULL, timer_thread, k);
		pthread_detach(th);
		ts->started = true;
	}
	if (kt->deadline)
		TAILQ_REMOVE(&ts->armed, kt, link);
	kt->deadline = kt->expires = deadline;
	kt->interval = interval;
	if (deadline)
		insert_locked(ts, kt);
	pthread_cond_signal(&ts->changed);
	pthread_mutex_unlock(&ts->lock);
}

void ktimer_get(struct kernel *k, struct ktimer *kt, int64_t *left, int64_t *interval)
{
	struct ktimers *ts = &k->timers;
	pthread_mutex_lock(&ts->lock);
	*left = kt->deadline ? MAX(kt->deadline - host_monotonic_ns(), 1) : 0;
	*interval = kt->interval;
	pthread_mutex_unlock(&ts->lock);
}

void ktimer_cancel(struct kernel *k, struct ktimer *kt)
{
	struct ktimers *ts = &k->timers;
	pthread_mutex_lock(&ts->lock);
	if (kt->deadline)
		TAILQ_REMOVE(&ts->armed, kt, link);
	kt->deadline = 0;
	kt->interval = 0;
	while (ts->firing == kt)
		pthread_cond_wait(&ts->fired, &ts->lock);
	pthread_mutex_unlock(&ts->lock);
}

int64_t ktimer_deadline(struct task *t, clockid_t clock, int64_t value, bool abs)
{
	int64_t now_host = host_monotonic_ns(), now;
	if (!abs)
		return now_host + MAX(value, 0);
	kernel_clock_read(t, clock, &now);
	int64_t left = value - now;
	/* Already past: due at once (1 ns ago, so it is never "disarmed"). */
	return left <= 0 ? now_host : now_host + left;
}
