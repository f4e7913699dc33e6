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

int64_t host_realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
