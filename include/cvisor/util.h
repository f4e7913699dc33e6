/* Small helpers shared by every subsystem. */
#ifndef CVISOR_UTIL_H
#define CVISOR_UTIL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <errno.h>
#include <time.h>

/* An address in an application's address space. Never dereferenced by the
 * sentry: it goes through mm_copy_in/mm_copy_out. */
typedef uint64_t uaddr_t;

/* <sys/user.h> defines PAGE_SIZE, PAGE_SHIFT and PAGE_MASK (4 KiB). */
#include <sys/user.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

static inline uint64_t round_down(uint64_t x, uint64_t align)
{
	return x & ~(align - 1);
}

static inline uint64_t round_up(uint64_t x, uint64_t align)
{
	return (x + align - 1) & ~(align - 1);
}

static inline bool page_aligned(uint64_t x)
{
	return (x & (PAGE_SIZE - 1)) == 0;
}

/* Linux's ERR_PTR convention: a pointer return carries -errno in the top
 * 4095 values of the address space. */
#define MAX_ERRNO 4095
static inline void *ERR_PTR(long err)
{
	return (void *)err;
}
static inline long PTR_ERR(const void *p)
{
	return (long)p;
}
static inline bool IS_ERR(const void *p)
{
	return (uintptr_t)p >= (uintptr_t)-MAX_ERRNO;
}
static inline bool IS_ERR_OR_NULL(const void *p)
{
	return !p || IS_ERR(p);
}

/* Allocation that never returns NULL: the sentry aborts cleanly on host OOM
 * rather than continue with a half-built object. */
void *xmalloc(size_t size);
void *xzalloc(size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);

/* Monotonic host time in nanoseconds. */
int64_t host_monotonic_ns(void);
int64_t host_realtime_ns(void);

#define NSEC_PER_SEC 1000000000LL

/* NS (>= 0) as a timespec. */
static inline struct timespec ns_to_timespec(int64_t ns)
{
	return (struct timespec){ .tv_sec = ns / NSEC_PER_SEC, .tv_nsec = ns % NSEC_PER_SEC };
}

/* A duration as nanoseconds: -EINVAL unless tv_sec >= 0 and 0 <= tv_nsec
 * < 1e9. A longer one than INT64_MAX / 2 is cut there: far beyond any
 * wait, and still safe to add to a clock reading. */
int timespec_to_ns(const struct timespec *ts, int64_t *ns);

/* Initialises C so that timed waits take host monotonic deadlines. */
void cond_init_monotonic(pthread_cond_t *c);

#endif
