/* Kernel timers: callbacks at a host monotonic deadline, run by one
 * sentry thread per kernel (started on first use). What itimers, alarm,
 * POSIX timers and timerfds are built on.
 *
 * A callback runs on the timer thread with no kernel lock held; it may
 * take ts_lock, and re-arm its own timer with ktimer_set (lock order:
 * ts_lock, then the timers' lock). ktimer_cancel waits for a running
 * callback to finish, so after it returns the callback's data may be
 * freed (unless the callback re-armed the timer: a callback that may do
 * so checks a flag set before the cancel): never call it from the
 * callback, nor with a lock the callback takes. */
#ifndef CVISOR_KTIMER_H
#define CVISOR_KTIMER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <time.h>

struct kernel;

struct ktimer {
	void (*fire)(struct ktimer *kt);
	int64_t deadline;		/* host monotonic ns; 0: not armed */
	int64_t interval;		/* re-armed this much later; 0: once */
	/* The next expiry in phase with the first: DEADLINE, unless a
	 * short interval was stretched to KTIMER_MIN_GAP. */
	int64_t expires;
	/* Whole intervals that passed unseen before this firing (the timer
	 * thread ran late): overruns, for POSIX timers and timerfds. Set
	 * before fire() runs. */
	int64_t missed;
	TAILQ_ENTRY(ktimer) link;	/* in deadline order */
};

/* The timer thread waits at least this long (ns) between two firings of
 * a periodic timer, so a tiny interval cannot make it spin; the expiries
 * in between are counted in missed. (Linux never spins either: a POSIX
 * timer waits while its signal is pending, a timerfd until it is read.) */
#define KTIMER_MIN_GAP 200000

/* The timers of a kernel. */
struct ktimers {
	pthread_mutex_t lock;
	pthread_cond_t changed;		/* the first deadline moved */
	pthread_cond_t fired;		/* a callback finished */
	TAILQ_HEAD(, ktimer) armed;
	struct ktimer *firing;
	bool started;
};

void ktimers_init(struct ktimers *ts);
void ktimer_init(struct ktimer *kt, void (*fire)(struct ktimer *kt));
/* Arms KT (again) to fire at DEADLINE, then every INTERVAL ns. A
 * deadline of 0 disarms it. */
void ktimer_set(struct kernel *k, struct ktimer *kt, int64_t deadline, int64_t interval);
/* The host monotonic deadline for a timer on the sandbox clock CLOCK at
 * VALUE (an absolute time when ABS, otherwise a duration): the sandbox's
 * clocks run at the host monotonic rate. */
struct task;
int64_t ktimer_deadline(struct task *t, clockid_t clock, int64_t value, bool abs);
/* Time until KT fires (0 if not armed) and its interval. */
void ktimer_get(struct kernel *k, struct ktimer *kt, int64_t *left, int64_t *interval);
/* Disarms KT and waits for a running callback. */
void ktimer_cancel(struct kernel *k, struct ktimer *kt);

#endif
