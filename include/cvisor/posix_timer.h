/* POSIX per-process timers (timer_create(2) and friends), on kernel
 * timers (ktimer.h).
 *
 * A process's timers are listed in its thread group; the list changes
 * under tg->timers_lock and ts_lock both (lock order: timers_lock, then
 * the ktimer lock or ts_lock), so signal code may walk it under ts_lock
 * alone. An expiry queues the timer's signal (si_code SI_TIMER) unless
 * its previous one is still pending: then it only raises that one's
 * si_overrun, and the count reaches timer_getoverrun when the signal is
 * taken (the effect of Linux's preallocated sigqueue and
 * posixtimer_rearm, kernel/time/posix-timers.c). */
#ifndef CVISOR_POSIX_TIMER_H
#define CVISOR_POSIX_TIMER_H

#include <signal.h>
#include <stdbool.h>
#include <sys/queue.h>
#include <time.h>

#include "cvisor/ktimer.h"

struct task;
struct thread_group;

struct posix_timer {
	struct ktimer kt;		/* not armed for SIGEV_NONE */
	struct thread_group *tg;
	int id;
	clockid_t clock;
	int notify;			/* SIGEV_SIGNAL, SIGEV_NONE, |SIGEV_THREAD_ID */
	int signo;
	pid_t tid;			/* SIGEV_THREAD_ID: the root-namespace tid */
	union sigval value;
	int overrun_last;		/* [ts] timer_getoverrun(2) */
	bool dead;			/* [ts] deleted: callbacks do nothing */
	/* On a CPU clock: the expiry and interval in CPU time (0: disarmed),
	 * and the thread whose clock it is (0: the process's). KT then
	 * polls the clock. */
	int64_t cpu_expires, cpu_interval;	/* [ts] */
	pid_t cpu_tid;
	/* SIGEV_NONE: the expiry (host monotonic, 0: disarmed) and interval,
	 * for timer_gettime alone. [timers_lock] */
	int64_t none_expires, none_interval;
	LIST_ENTRY(posix_timer) link;	/* [timers_lock + ts] tg->timers */
};

/* Sets up TG's (empty) timer list. */
void posix_timers_init(struct thread_group *tg);
/* Deletes every timer of TG: at exit and exec. No lock held. */
void posix_timers_release(struct thread_group *tg);
/* Records the overrun count of a SI_TIMER signal INFO that T takes for
 * the timer it came from. ts_lock held. */
void posix_timer_dequeued_locked(struct task *t, const siginfo_t *info);

/* The syscalls' work; each returns 0 or a negative errno. SEV NULL:
 * SIGALRM with the timer ID as value. */
int posix_timer_create(struct task *t, clockid_t clock, const struct sigevent *sev, int *id);
int posix_timer_settime(struct task *t, int id, bool abs, int64_t value, int64_t interval,
			int64_t *old_value, int64_t *old_interval);
int posix_timer_gettime(struct task *t, int id, int64_t *value, int64_t *interval);
int posix_timer_getoverrun(struct task *t, int id);
int posix_timer_delete(struct task *t, int id);

#endif
