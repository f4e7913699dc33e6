/* What the platforms' stub processes share: turning a freshly forked
 * copy of the sentry into a bare stub, and a stub thread's CPU time. */
#ifndef CVISOR_PLATFORM_STUB_PROCESS_H
#define CVISOR_PLATFORM_STUB_PROCESS_H

#include <stdint.h>
#include <sys/types.h>

/* In a child just forked from the sentry (raw syscalls only): its own
 * session, every fd closed but KEEP_A and KEEP_B (-1: none), no rseq area
 * (it lives in memory the stub unmaps), no signal blocked. */
void stub_process_prepare(int keep_a, int keep_b);

/* CPU time of host thread TID in nanoseconds (0 if unknown). */
int64_t platform_thread_cpu_ns(pid_t tid);

#endif
