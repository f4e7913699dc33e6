/* Host clocks, durations, and condition variables on the monotonic
 * clock (what every deadline in the sentry is measured on). */
#include <pthread.h>
#include <time.h>

#include "cvisor/util.h"

int64_t host_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int timespec_to_ns(const struct timespec *ts, int64_t *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	*ns = ts->tv_sec >= INT64_MAX / 2 / NSEC_PER_SEC ? INT64_MAX / 2
							 : ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
	return 0;
}

int64_t host_realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void cond_init_monotonic(pthread_cond_t *c)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(c, &attr);
	pthread_condattr_destroy(&attr);
}
