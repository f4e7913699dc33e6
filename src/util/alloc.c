#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cvisor/log.h"
#include "cvisor/util.h"

static void *check(void *p, size_t size)
{
	if (!p && size)
		log_fatal("out of host memory allocating %zu bytes", size);
	return p;
}

void *xmalloc(size_t size)
{
	return check(malloc(size), size);
}

void *xzalloc(size_t size)
{
	return check(calloc(1, size), size);
}

void *xrealloc(void *p, size_t size)
{
	return check(realloc(p, size), size);
}

char *xstrdup(const char *s)
{
	return check(strdup(s), 1);
}

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
