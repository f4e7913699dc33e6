/* The vDSO: the code every process of the sandbox calls for the time and
 * its CPU without a system call, as Linux's arch/x86/entry/vdso. Built
 * freestanding as a shared object (vdso.lds) and embedded in the sentry,
 * which maps it right above its two [vvar] pages (vdso_params.h).
 *
 * It reads only the [vvar] pages and the TSC. Whatever it cannot answer
 * (a clock it does not know, an uncalibrated TSC) goes to the sentry
 * through the system call, which answers from the same parameters. */
#include <linux/time.h>
#include <asm/unistd.h>
#include <stddef.h>

#include "cvisor/vdso_params.h"

struct timeval_k {
	long tv_sec, tv_usec;
};
struct timezone_k {
	int tz_minuteswest, tz_dsttime;
};

/* Placed by vdso.lds at the start of the [vvar] pages. */
extern const volatile struct vdso_time vvar_time __attribute__((visibility("hidden")));
extern const volatile struct vdso_proc vvar_proc __attribute__((visibility("hidden")));

static long syscall2(long nr, long a, long b)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return ret;
}

static long syscall3(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;
	/* lfence: the TSC is read after the sequence count, not before. */
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return (uint64_t)hi << 32 | lo;
}

/* The sandbox's monotonic and realtime clocks; 0 if not published. */
static int read_clock(int64_t *mono, int64_t *real_offset)
{
	uint32_t seq;
	do {
		seq = vvar_time.seq;
		__asm__ volatile("" ::: "memory");
		if (!vvar_time.ready)
			return 0;
		uint64_t delta = rdtsc_ordered() - vvar_time.tsc_base;
		*mono = vvar_time.mono_base_ns +
			(int64_t)(((unsigned __int128)delta * vvar_time.mult) >> VDSO_MULT_SHIFT);
		*real_offset = vvar_time.real_offset_ns;
		__asm__ volatile("" ::: "memory");
	} while ((seq & 1) || seq != vvar_time.seq);
	return 1;
}

static void ns_to_timespec(int64_t ns, struct timespec *ts)
{
	ts->tv_sec = ns / 1000000000;
	ts->tv_nsec = ns % 1000000000;
}

int __vdso_clock_gettime(int id, struct timespec *ts)
{
	int64_t mono, real_offset;
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_TAI:
		if (!read_clock(&mono, &real_offset))
			break;
		ns_to_timespec(mono + real_offset, ts);
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
		if (!read_clock(&mono, &real_offset))
			break;
		ns_to_timespec(mono, ts);
		return 0;
	}
	return (int)syscall2(__NR_clock_gettime, id, (long)ts);
}

int __vdso_gettimeofday(struct timeval_k *tv, struct timezone_k *tz)
{
	int64_t mono, real_offset;
	if (!read_clock(&mono, &real_offset))
		return (int)syscall2(__NR_gettimeofday, (long)tv, (long)tz);
	if (tv) {
		int64_t ns = mono + real_offset;
		tv->tv_sec = ns / 1000000000;
		tv->tv_usec = ns % 1000000000 / 1000;
	}
	if (tz) {
		tz->tz_minuteswest = 0;
		tz->tz_dsttime = 0;
	}
	return 0;
}

long __vdso_time(long *t)
{
	int64_t mono, real_offset;
	if (!read_clock(&mono, &real_offset))
		return syscall2(__NR_time, (long)t, 0);
	long sec = (mono + real_offset) / 1000000000;
	if (t)
		*t = sec;
	return sec;
}

int __vdso_clock_getres(int id, struct timespec *res)
{
	long ns;
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_TAI:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
		ns = 1;
		break;
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
		ns = 4000000;	/* a tick at HZ=250, as the system call says */
		break;
	default:
		return (int)syscall2(__NR_clock_getres, id, (long)res);
	}
	if (res) {
		res->tv_sec = 0;
		res->tv_nsec = ns;
	}
	return 0;
}

/* The host CPU this thread runs on (Linux's per-CPU segment limit holds
 * it in its low 12 bits), folded into the process's affinity mask as the
 * system call folds it. */
int __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused)
{
	uint32_t ncpus = vvar_time.ncpus;
	uint64_t mask = vvar_proc.affinity;
	if (!ncpus || !mask)
		return (int)syscall3(__NR_getcpu, (long)cpu, (long)node, (long)unused);
	unsigned long p;
	__asm__ volatile("lsl %1, %0" : "=r"(p) : "r"(15UL * 8 + 3));
	unsigned c = (unsigned)(p & 0xfff) % ncpus;
	if (!(mask >> c & 1))
		c = (unsigned)__builtin_ctzll(mask);
	if (cpu)
		*cpu = c;
	if (node)
		*node = 0;
	return 0;
}

int clock_gettime(int, struct timespec *)
	__attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval_k *, struct timezone_k *)
	__attribute__((weak, alias("__vdso_gettimeofday")));
long time(long *) __attribute__((weak, alias("__vdso_time")));
int clock_getres(int, struct timespec *)
	__attribute__((weak, alias("__vdso_clock_getres")));
int getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
