/* Blocking: a task sleeps on its own condition variable (monotonic clock)
 * under its block lock, until woken (task_wake), interrupted by a signal
 * or exit (task_interrupt_locked), or a deadline. */
#include <poll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "cvisor/creds.h"
#include "cvisor/kernel.h"
#include "cvisor/task.h"

void task_init_wake(struct task *t)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&t->wake, &attr);
	pthread_condattr_destroy(&attr);
	pthread_mutex_init(&t->block_lock, NULL);
}

int task_block(struct task *t, int64_t deadline_ns)
{
	struct timespec ts = { .tv_sec = deadline_ns / 1000000000,
			       .tv_nsec = deadline_ns % 1000000000 };
	int ret = 0;

	pthread_mutex_lock(&t->block_lock);
	while (!t->woken) {
		if (t->interrupted) {
			ret = -EINTR;
			break;
		}
		if (deadline_ns < 0) {
			pthread_cond_wait(&t->wake, &t->block_lock);
			continue;
		}
		if (host_monotonic_ns() >= deadline_ns) {
			ret = -ETIMEDOUT;
			break;
		}
		pthread_cond_timedwait(&t->wake, &t->block_lock, &ts);
	}
	t->woken = false;
	pthread_mutex_unlock(&t->block_lock);
	return ret;
}

int task_wait_host_fd(struct task *t, int fd, short events)
{
	int wake = t->host_wake_fd;
	if (wake < 0) {
		wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (wake < 0)
			return -errno;
		t->host_wake_fd = wake;
	}
	for (;;) {
		uint64_t n;
		(void)!read(wake, &n, sizeof(n));
		/* Set before the interrupter looked at host_wake_fd, or it
		 * wrote to it after this read. */
		pthread_mutex_lock(&t->block_lock);
		bool interrupted = t->interrupted;
		pthread_mutex_unlock(&t->block_lock);
		if (interrupted)
			return -EINTR;
		struct pollfd p[2] = { { .fd = fd, .events = events }, { .fd = wake, .events = POLLIN } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return -errno;
		if (p[0].revents)
			return 0;
	}
}

int task_sleep_until(struct task *t, int64_t deadline_ns)
{
	/* Nothing wakes a plain sleep but a signal or the deadline. */
	for (;;) {
		int ret = task_block(t, deadline_ns);
		if (ret == -ETIMEDOUT)
			return 0;
		if (ret == -EINTR)
			return ret;
	}
}

int64_t task_cpu_ns(struct task *t)
{
	const struct platform_ops *ops = t->k->platform.ops;
	int64_t app = t->ctx ? ops->ctx_cpu_ns(t->ctx) : 0;
	struct timespec ts;
	clockid_t cid;
	int64_t sentry = 0;
	if (pthread_getcpuclockid(t->thread, &cid) == 0 && clock_gettime(cid, &ts) == 0)
		sentry = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	return app + sentry;
}

void task_set_creds(struct task *t, struct creds *c)
{
	pthread_mutex_lock(&t->k->ts_lock);
	struct creds *old = t->creds;
	t->creds = c;
	pthread_mutex_unlock(&t->k->ts_lock);
	creds_put(old);
}
