/* Blocking: a task sleeps on its own condition variable (monotonic clock)
 * under its block lock, until woken (task_wake), interrupted by a signal
 * or exit (task_interrupt_locked), or a deadline; or, when host fds are
 * among what it waits for, in poll(2) (task_block_host). */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "cvisor/creds.h"
#include "cvisor/kernel.h"
#include "cvisor/task.h"

void task_init_wake(struct task *t)
{
	cond_init_monotonic(&t->wake);
	pthread_mutex_init(&t->block_lock, NULL);
}

int task_block(struct task *t, int64_t deadline_ns)
{
	struct timespec ts = { .tv_sec = deadline_ns / 1000000000,
			       .tv_nsec = deadline_ns % 1000000000 };
	int ret = 0;

	pthread_mutex_lock(&t->block_lock);
	t->sleeping = true;
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
	t->sleeping = false;
	pthread_mutex_unlock(&t->block_lock);
	return ret;
}

/* Waits in host calls: T sleeps in poll(2) on the host fds and its
 * host_wake_fd, an eventfd. Interrupts always write to it; task_wake
 * does while host_waiting is set, which happens before T looks at its
 * flags a last time, so no wake-up falls between the look and the
 * poll. */
static int host_wake_fd(struct task *t)
{
	int wake = t->host_wake_fd;
	if (wake < 0) {
		wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (wake < 0)
			return -errno;
		t->host_wake_fd = wake;
	}
	return wake;
}

int task_block_host(struct task *t, struct pollfd *fds, int n, int64_t deadline_ns)
{
	int wake = host_wake_fd(t);
	if (wake < 0)
		return wake;
	uint64_t stale;
	(void)!read(wake, &stale, sizeof(stale));
	for (int i = 0; i < n; i++)
		fds[i].revents = 0;

	pthread_mutex_lock(&t->block_lock);
	t->host_waiting = !t->woken && !t->interrupted;
	bool sleep = t->host_waiting;
	pthread_mutex_unlock(&t->block_lock);
	int ret = 0;
	if (sleep) {
		t->sleeping = true;
		struct pollfd *all = xmalloc(sizeof(*all) * (size_t)(n + 1));
		memcpy(all, fds, sizeof(*fds) * (size_t)n);
		all[n] = (struct pollfd){ .fd = wake, .events = POLLIN };
		struct timespec left, *timeout = NULL;
		if (deadline_ns >= 0) {
			left = ns_to_timespec(MAX(deadline_ns - host_monotonic_ns(), 0));
			timeout = &left;
		}
		int r = ppoll(all, (nfds_t)n + 1, timeout, NULL);
		if (r < 0 && errno != EINTR)
			ret = -errno;
		else if (r == 0)
			ret = -ETIMEDOUT;
		for (int i = 0; i < n; i++)
			fds[i].revents = all[i].revents;
		free(all);
		t->sleeping = false;
	}
	pthread_mutex_lock(&t->block_lock);
	t->host_waiting = false;
	if (t->interrupted)
		ret = -EINTR;
	else if (t->woken)
		ret = 0;
	t->woken = false;
	pthread_mutex_unlock(&t->block_lock);
	return ret;
}

int task_wait_host_fd(struct task *t, int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	for (;;) {
		int ret = task_block_host(t, &p, 1, -1);
		if (ret < 0)
			return ret;
		if (p.revents)
			return 0;
	}
}

bool task_signal_pending(struct task *t)
{
	pthread_mutex_lock(&t->block_lock);
	bool pending = t->interrupted;
	pthread_mutex_unlock(&t->block_lock);
	return pending;
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
	int64_t app = t->app_cpu_before_exec + (t->ctx ? ops->ctx_cpu_ns(t->ctx) : 0);
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
