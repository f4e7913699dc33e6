#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "cvisor/log.h"
#include "cvisor/util.h"

static FILE *debug_stream;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
FILE *strace_stream;

int log_open(const char *path)
{
	if (path[0] == '-' && path[1] == '\0') {
		debug_stream = stderr;
		return 0;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	debug_stream = fdopen(fd, "a");
	if (!debug_stream) {
		close(fd);
		return -ENOMEM;
	}
	setvbuf(debug_stream, NULL, _IOLBF, 0);
	return 0;
}

bool log_enabled(void)
{
	return debug_stream != NULL;
}

static void vlog(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	int64_t ns = host_monotonic_ns();
	pthread_mutex_lock(&log_lock);
	fprintf(f, "%s%lld.%06lld [%d] ", prefix, (long long)(ns / 1000000000),
		(long long)(ns % 1000000000 / 1000), gettid());
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	pthread_mutex_unlock(&log_lock);
}

void log_debug(const char *fmt, ...)
{
	if (!debug_stream)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(debug_stream, "D ", fmt, ap);
	va_end(ap);
}

static void log_user(const char *fmt, va_list ap)
{
	pthread_mutex_lock(&log_lock);
	fputs("cvisor: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&log_lock);
}

/* To stderr, and to the debug log when it is a file of its own. */
static void log_both(const char *prefix, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	log_user(fmt, ap);
	if (debug_stream && debug_stream != stderr)
		vlog(debug_stream, prefix, fmt, copy);
	va_end(copy);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_both("E ", fmt, ap);
	va_end(ap);
}

void log_fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_both("F ", fmt, ap);
	va_end(ap);
	abort();
}
