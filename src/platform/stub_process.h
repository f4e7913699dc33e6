/* What the platforms' stub processes share: turning a freshly forked
 * copy of the sentry into a bare stub, and a stub thread's CPU time. */
#ifndef CVISOR_PLATFORM_STUB_PROCESS_H
#define CVISOR_PLATFORM_STUB_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Maps SIZE bytes at ARCH_STUB_BASE + OFF in the sentry (then inherited
 * by every stub it forks): a copy of IMAGE (LEN bytes; NULL: zeros) with
 * protection PROT. -EEXIST if the stub region could not be reserved at
 * start (something of the host's was already there). */
int stub_region_map(uint64_t off, uint64_t size, const void *image, size_t len, int prot);

/* In a child just forked from the sentry (raw syscalls only): its own
 * session, every fd closed but KEEP_A and KEEP_B (-1: none), no rseq area
 * (it lives in memory the stub unmaps), no signal blocked. */
void stub_process_prepare(int keep_a, int keep_b);

/* The stub thread a context last ran in, for interrupting and timing it
 * from any sentry thread. Both platforms' struct context start with one,
 * so the context operations below serve both. */
struct stub_thread_ref {
	_Atomic pid_t tid;
	_Atomic pid_t tgid;		/* its stub process */
	_Atomic bool interrupt;		/* the next or current switch returns */
	int sig;			/* the host signal that interrupts it */
};

struct context;
/* A zeroed context of SIZE bytes interrupted with SIG. */
struct context *stub_ctx_alloc(size_t size, int sig);
/* ctx_release, ctx_interrupt and ctx_cpu_ns of both platforms. */
void stub_ctx_release(struct context *c);
void stub_ctx_interrupt(struct context *c);
int64_t stub_ctx_cpu_ns(struct context *c);

#endif
