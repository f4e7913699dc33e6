/* Helpers both platforms' stub processes use (stub_process.h). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cvisor/util.h"
#include "stub_process.h"

static void close_between(int lo, int hi)
{
	if (lo <= hi)
		syscall(SYS_close_range, lo, hi, 0);
}

void stub_process_prepare(int keep_a, int keep_b)
{
	syscall(SYS_setsid);
	int lo = MIN(keep_a, keep_b), hi = MAX(keep_a, keep_b);
	if (lo < 0)
		lo = hi;
	close_between(0, lo - 1);
	close_between(lo + 1, hi - 1);
	close_between(hi + 1, ~0U >> 1);
	/* The thread's rseq area lives in memory the stub is about to unmap;
	 * left registered, the host kernel would fault on every preemption.
	 * glibc registers at least 32 bytes even when __rseq_size says less. */
	if (__rseq_size) {
		void *area = (char *)__builtin_thread_pointer() + __rseq_offset;
		if (syscall(SYS_rseq, area, MAX(__rseq_size, 32U), RSEQ_FLAG_UNREGISTER, RSEQ_SIG) < 0 &&
		    syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) < 0)
			syscall(SYS_exit_group, 121);
	}
	sigset_t none;
	sigemptyset(&none);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
}

struct context *stub_ctx_alloc(size_t size, int sig)
{
	struct stub_thread_ref *ref = xzalloc(size);
	ref->sig = sig;
	return (struct context *)ref;
}

void stub_ctx_release(struct context *c)
{
	free(c);
}

void stub_ctx_interrupt(struct context *c)
{
	struct stub_thread_ref *ref = (struct stub_thread_ref *)c;
	ref->interrupt = true;
	pid_t tid = ref->tid, tgid = ref->tgid;
	if (tid > 0)
		syscall(SYS_tgkill, tgid, tid, ref->sig);
}

int64_t stub_ctx_cpu_ns(struct context *c)
{
	pid_t tid = ((struct stub_thread_ref *)c)->tid;
	/* Linux gives thread CPU clocks only within one's own process, and
	 * a stub's process clock counts all its threads: the scheduler's
	 * figure in /proc/<tid>/schedstat is the thread's alone, in ns. */
	char path[48], buf[64];
	if (tid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}
