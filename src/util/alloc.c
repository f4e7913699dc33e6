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
