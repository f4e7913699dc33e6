/* POSIX per-process timers (see posix_timer.h), as Linux's
 * kernel/time/posix-timers.c; a timer on the caller's CPU clock polls
 * that clock (posix-cpu-timers.c looks at it on every tick). */
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/creds.h"
#include "cvisor/kernel.h"
#include "cvisor/posix_timer.h"
#include "cvisor/task.h"

#ifndef CLOCK_REALTIME_ALARM
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#endif

void posix_timers_init(struct thread_group *tg)
{
	pthread_mutex_init(&tg->timers_lock, NULL);
	LIST_INIT(&tg->timers);
}

/* TG's timer ID; timers_lock or ts_lock held. */
static struct posix_timer *find_timer(struct thread_group *tg, int id)
{
	struct posix_timer *pt;
	LIST_FOREACH(pt, &tg->timers, link) {
		if (pt->id == id)
			return pt;
	}
	return NULL;
}

/* The still-pending signal of PT in P, if any. ts_lock held. */
static struct sigqueue *queued_signal(struct sigpending *p, struct posix_timer *pt)
{
	struct sigqueue *q;
	TAILQ_FOREACH(q, &p->queue, link) {
		if (q->info.si_code == SI_TIMER && q->info.si_timerid == pt->id &&
		    q->info.si_signo == pt->signo)
			return q;
	}
	return NULL;
}

/* Where PT's signal goes: the shared pending set, or its thread's; NULL
 * when that thread is gone. ts_lock held. */
static struct sigpending *target_pending(struct posix_timer *pt, struct task **target)
{
	struct task *t = NULL;
	if (pt->notify & SIGEV_THREAD_ID) {
		TAILQ_FOREACH(t, &pt->tg->tasks, tg_entry) {
			if (t->tid == pt->tid)
				break;
		}
		if (!t)
			return NULL;
	}
	*target = t;
	return t ? &t->pending : &pt->tg->shared_pending;
}

/* Drops PT's pending signal: a timer that is set again or deleted
 * delivers nothing of its old setting (Linux drops such a signal at
 * delivery, by its it_signal_seq). ts_lock held. */
static void drop_queued_locked(struct posix_timer *pt)
{
	struct task *target;
	struct sigpending *p = target_pending(pt, &target);
	struct sigqueue *q = p ? queued_signal(p, pt) : NULL;
	if (!q)
		return;
	TAILQ_REMOVE(&p->queue, q, link);
	free(q);
	TAILQ_FOREACH(q, &p->queue, link) {
		if (q->info.si_signo == pt->signo)
			return;
	}
	p->set &= ~SIG_BIT(pt->signo);
}

static int add_overrun(int overrun, int64_t more)
{
	int64_t sum = (int64_t)overrun + more;
	return sum > INT32_MAX ? INT32_MAX : (int)sum;	/* timer_overrun_to_int */
}

/* An expiry of PT, MISSED more having passed unseen: its signal, or
 * more overruns on the one still pending. ts_lock held. */
static void expired_locked(struct posix_timer *pt, int64_t missed)
{
	struct task *target;
	struct sigpending *p = target_pending(pt, &target);
	if (!p)
		return;	/* the thread is gone */
	struct sigqueue *q = queued_signal(p, pt);
	if (q) {
		q->info.si_overrun = add_overrun(q->info.si_overrun, 1 + missed);
		return;
	}
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = pt->signo;
	si.si_code = SI_TIMER;
	si.si_timerid = pt->id;
	si.si_overrun = add_overrun(0, missed);
	si.si_value = pt->value;
	signal_send_locked(pt->tg, target, &si);
}

static void posix_timer_fire(struct ktimer *kt)
{
	struct posix_timer *pt = container_of(kt, struct posix_timer, kt);
	pthread_mutex_lock(&pt->tg->k->ts_lock);
	if (!pt->dead)
		expired_locked(pt, kt->missed);
	pthread_mutex_unlock(&pt->tg->k->ts_lock);
}

static bool is_cpu_clock(clockid_t clock)
{
	return clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_THREAD_CPUTIME_ID;
}

/* The CPU time PT counts: its thread's, or its process's (the sum over
 * its live threads); -1 if the thread is gone. ts_lock held. */
static int64_t cpu_now_locked(struct posix_timer *pt, int *nr_threads)
{
	int64_t sum = 0;
	struct task *t;
	*nr_threads = 0;
	TAILQ_FOREACH(t, &pt->tg->tasks, tg_entry) {
		if (pt->cpu_tid && t->tid != pt->cpu_tid)
			continue;
		sum += task_cpu_ns(t);
		++*nr_threads;
	}
	return *nr_threads ? sum : -1;
}

/* Arms PT's poll of its CPU clock: CPU time grows at most NR_THREADS
 * times as fast as host time, so nothing can expire before then (as
 * Linux, which looks at CPU timers on ticks). ts_lock held. */
static void cpu_poll_locked(struct posix_timer *pt, int64_t cpu, int nr_threads)
{
	int64_t wait = (pt->cpu_expires - cpu) / MAX(nr_threads, 1);
	ktimer_set(pt->tg->k, &pt->kt, host_monotonic_ns() + MAX(wait, KTIMER_MIN_GAP), 0);
}

/* The poll of a CPU-clock timer: expired yet? */
static void cpu_timer_fire(struct ktimer *kt)
{
	struct posix_timer *pt = container_of(kt, struct posix_timer, kt);
	int nr;

	pthread_mutex_lock(&pt->tg->k->ts_lock);
	int64_t cpu = cpu_now_locked(pt, &nr);
	if (pt->dead || !pt->cpu_expires || cpu < 0)
		goto out_unlock;
	if (cpu >= pt->cpu_expires) {
		int64_t missed = 0;
		if (pt->cpu_interval) {
			missed = (cpu - pt->cpu_expires) / pt->cpu_interval;
			pt->cpu_expires += (missed + 1) * pt->cpu_interval;
		} else {
			pt->cpu_expires = 0;
		}
		expired_locked(pt, missed);
	}
	if (pt->cpu_expires)
		cpu_poll_locked(pt, cpu, nr);
out_unlock:
	pthread_mutex_unlock(&pt->tg->k->ts_lock);
}

void posix_timer_dequeued_locked(struct task *t, const siginfo_t *info)
{
	struct posix_timer *pt = find_timer(t->tg, info->si_timerid);
	if (pt && pt->signo == info->si_signo)
		pt->overrun_last = info->si_overrun;
}

/* Unlists PT and frees it once no callback runs. timers_lock held. */
static void delete_timer(struct thread_group *tg, struct posix_timer *pt)
{
	pthread_mutex_lock(&tg->k->ts_lock);
	pt->dead = true;	/* a callback from now on does nothing */
	LIST_REMOVE(pt, link);
	drop_queued_locked(pt);
	pthread_mutex_unlock(&tg->k->ts_lock);
	ktimer_cancel(tg->k, &pt->kt);
	tg->nr_timers--;
	free(pt);
}

void posix_timers_release(struct thread_group *tg)
{
	pthread_mutex_lock(&tg->timers_lock);
	while (!LIST_EMPTY(&tg->timers))
		delete_timer(tg, LIST_FIRST(&tg->timers));
	pthread_mutex_unlock(&tg->timers_lock);
}

/* Linux's good_sigevent: the notification SEV asks for, checked. */
static int check_sigevent(struct task *t, const struct sigevent *sev, pid_t *tid)
{
	switch (sev->sigev_notify) {
	case SIGEV_SIGNAL | SIGEV_THREAD_ID: {
		pthread_mutex_lock(&t->k->ts_lock);
		struct task *target = task_lookup_locked(t, sev->_sigev_un._tid);
		bool ours = target && target->tg == t->tg && target->state != TASK_EXITED;
		if (ours)
			*tid = target->tid;
		pthread_mutex_unlock(&t->k->ts_lock);
		if (!ours)
			return -EINVAL;
	}
		/* fall through */
	case SIGEV_SIGNAL:
	case SIGEV_THREAD:	/* the C library's business: a signal here */
		if (sev->sigev_signo <= 0 || sev->sigev_signo > NSIG_K)
			return -EINVAL;
		return 0;
	case SIGEV_NONE:
		return 0;
	default:
		return -EINVAL;
	}
}

/* The clocks timers run on; what Linux's k_clocks answer for the others. */
static int check_clock(struct task *t, clockid_t clock)
{
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		return 0;
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		/* The sandbox never suspends: with the capability these are
		 * the plain clocks. */
		return creds_has_cap(t->creds, CAP_WAKE_ALARM) ? 0 : -EPERM;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		return 0;
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
		return -EOPNOTSUPP;	/* no timer_create in their k_clock */
	default:
		/* And the CPU clocks of other processes and threads (negative
		 * clock IDs): not yet. */
		return -EINVAL;
	}
}

static clockid_t base_clock(clockid_t clock)
{
	if (clock == CLOCK_REALTIME_ALARM || clock == CLOCK_TAI)
		return CLOCK_REALTIME;
	if (clock == CLOCK_BOOTTIME_ALARM)
		return CLOCK_BOOTTIME;
	return clock;
}

int posix_timer_create(struct task *t, clockid_t clock, const struct sigevent *sev, int *id)
{
	struct thread_group *tg = t->tg;
	pid_t tid = 0;
	int ret = check_clock(t, clock);
	if (ret < 0)
		return ret;
	if (sev && (ret = check_sigevent(t, sev, &tid)) < 0)
		return ret;

	struct posix_timer *pt = xzalloc(sizeof(*pt));
	ktimer_init(&pt->kt, is_cpu_clock(clock) ? cpu_timer_fire : posix_timer_fire);
	pt->tg = tg;
	pt->clock = base_clock(clock);
	if (clock == CLOCK_THREAD_CPUTIME_ID)
		pt->cpu_tid = t->tid;
	pt->tid = tid;
	if (sev) {
		pt->notify = sev->sigev_notify == SIGEV_THREAD ? SIGEV_SIGNAL : sev->sigev_notify;
		pt->signo = sev->sigev_signo;
		pt->value = sev->sigev_value;
	} else {
		pt->notify = SIGEV_SIGNAL;
		pt->signo = SIGALRM;
	}

	pthread_mutex_lock(&tg->timers_lock);
	pthread_mutex_lock(&t->k->ts_lock);
	rlim_t limit = tg->rlimits[RLIMIT_SIGPENDING].rlim_cur;
	pthread_mutex_unlock(&t->k->ts_lock);
	/* Linux charges each timer's preallocated signal to the user's
	 * RLIMIT_SIGPENDING; here the process's timers alone count. */
	if ((rlim_t)tg->nr_timers >= limit) {
		pthread_mutex_unlock(&tg->timers_lock);
		free(pt);
		return -EAGAIN;
	}
	/* IDs go up from 0 and are not reused soon (next_posix_timer_id). */
	do {
		pt->id = tg->next_timer_id;
		tg->next_timer_id = tg->next_timer_id == INT32_MAX ? 0 : tg->next_timer_id + 1;
	} while (find_timer(tg, pt->id));
	if (!sev)
		pt->value.sival_int = pt->id;
	pthread_mutex_lock(&t->k->ts_lock);
	LIST_INSERT_HEAD(&tg->timers, pt, link);
	pthread_mutex_unlock(&t->k->ts_lock);
	tg->nr_timers++;
	pthread_mutex_unlock(&tg->timers_lock);
	*id = pt->id;
	return 0;
}

/* get_locked for a timer on a CPU clock (posix_cpu_timer_get). */
static void get_cpu(struct posix_timer *pt, int64_t *value, int64_t *interval)
{
	int nr;
	pthread_mutex_lock(&pt->tg->k->ts_lock);
	int64_t cpu = cpu_now_locked(pt, &nr);
	*value = 0;
	*interval = pt->cpu_interval;
	if (pt->cpu_expires && pt->notify == SIGEV_NONE && pt->cpu_interval &&
	    cpu >= pt->cpu_expires)
		pt->cpu_expires += ((cpu - pt->cpu_expires) / pt->cpu_interval + 1) *
				   pt->cpu_interval;
	if (pt->cpu_expires && cpu >= 0) {
		if (cpu < pt->cpu_expires)
			*value = pt->cpu_expires - cpu;
		else if (pt->notify != SIGEV_NONE)
			*value = 1;	/* about to fire */
		else
			pt->cpu_expires = 0;
	}
	pthread_mutex_unlock(&pt->tg->k->ts_lock);
}

/* PT's time left and interval (Linux's common_timer_get). timers_lock
 * held. */
static void get_locked(struct posix_timer *pt, int64_t *value, int64_t *interval)
{
	if (is_cpu_clock(pt->clock)) {
		get_cpu(pt, value, interval);
		return;
	}
	if (pt->notify != SIGEV_NONE) {
		ktimer_get(pt->tg->k, &pt->kt, value, interval);
		return;
	}
	*value = *interval = 0;
	if (!pt->none_expires)
		return;
	int64_t now = host_monotonic_ns();
	if (pt->none_interval && now >= pt->none_expires)
		pt->none_expires += ((now - pt->none_expires) / pt->none_interval + 1) *
				    pt->none_interval;
	*interval = pt->none_interval;
	*value = MAX(pt->none_expires - now, 0);
	/* An expired one-shot SIGEV_NONE timer reads as disarmed. */
	if (!*value)
		pt->none_expires = 0;
}

int posix_timer_settime(struct task *t, int id, bool abs, int64_t value, int64_t interval,
			int64_t *old_value, int64_t *old_interval)
{
	struct thread_group *tg = t->tg;
	pthread_mutex_lock(&tg->timers_lock);
	struct posix_timer *pt = find_timer(tg, id);
	if (!pt) {
		pthread_mutex_unlock(&tg->timers_lock);
		return -EINVAL;
	}
	get_locked(pt, old_value, old_interval);
	/* No expiry of the old setting may land after the new one. */
	ktimer_cancel(t->k, &pt->kt);
	if (!value)
		interval = 0;
	pthread_mutex_lock(&t->k->ts_lock);
	pt->overrun_last = 0;
	drop_queued_locked(pt);
	if (is_cpu_clock(pt->clock)) {
		int nr;
		int64_t cpu = cpu_now_locked(pt, &nr);
		pt->cpu_expires = value && cpu >= 0 ? MAX(abs ? value : cpu + value, 1) : 0;
		pt->cpu_interval = interval;
		if (pt->cpu_expires && pt->notify != SIGEV_NONE)
			cpu_poll_locked(pt, cpu, nr);
	}
	pthread_mutex_unlock(&t->k->ts_lock);
	if (!is_cpu_clock(pt->clock)) {
		int64_t deadline = value ? ktimer_deadline(t, pt->clock, value, abs) : 0;
		if (pt->notify == SIGEV_NONE) {
			pt->none_expires = deadline;
			pt->none_interval = interval;
		} else if (deadline) {
			ktimer_set(t->k, &pt->kt, deadline, interval);
		}
	}
	pthread_mutex_unlock(&tg->timers_lock);
	return 0;
}

int posix_timer_gettime(struct task *t, int id, int64_t *value, int64_t *interval)
{
	struct thread_group *tg = t->tg;
	pthread_mutex_lock(&tg->timers_lock);
	struct posix_timer *pt = find_timer(tg, id);
	if (pt)
		get_locked(pt, value, interval);
	pthread_mutex_unlock(&tg->timers_lock);
	return pt ? 0 : -EINVAL;
}

int posix_timer_getoverrun(struct task *t, int id)
{
	struct thread_group *tg = t->tg;
	pthread_mutex_lock(&t->k->ts_lock);
	struct posix_timer *pt = find_timer(tg, id);
	int ret = pt ? pt->overrun_last : -EINVAL;
	pthread_mutex_unlock(&t->k->ts_lock);
	return ret;
}

int posix_timer_delete(struct task *t, int id)
{
	struct thread_group *tg = t->tg;
	pthread_mutex_lock(&tg->timers_lock);
	struct posix_timer *pt = find_timer(tg, id);
	if (pt)
		delete_timer(tg, pt);
	pthread_mutex_unlock(&tg->timers_lock);
	return pt ? 0 : -EINVAL;
}
