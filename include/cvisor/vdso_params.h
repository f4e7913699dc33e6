/* What the sentry publishes for the vDSO (src/vdso/): the layout of the
 * two [vvar] pages mapped read-only below the vDSO in every process.
 * Shared by the sentry and the vDSO, which is built freestanding: only
 * fixed-size types here. */
#ifndef CVISOR_VDSO_PARAMS_H
#define CVISOR_VDSO_PARAMS_H

#include <stdint.h>

/* Page 0, one for the whole kernel: the timekeeper's clock as a function
 * of the TSC. monotonic = mono_base_ns + ((tsc - tsc_base) * mult >> 32);
 * realtime = monotonic + real_offset_ns. Written under a sequence count:
 * odd while an update is in progress. READY is 0 until the TSC is
 * calibrated (and stays 0 where it cannot be): the vDSO then makes the
 * system call. */
struct vdso_time {
	uint32_t seq;
	uint32_t ready;
	uint64_t tsc_base;
	int64_t mono_base_ns;
	int64_t real_offset_ns;
	uint64_t mult;		/* ns per TSC cycle, 32.32 fixed point */
	uint32_t ncpus;		/* the sandbox's CPUs, for getcpu */
	uint32_t pad;
};

/* Page 1, one per process: what getcpu needs to answer as the system
 * call does. */
struct vdso_proc {
	uint64_t affinity;	/* the sandbox CPUs the process may run on */
};

#define VDSO_VVAR_PAGES 2
#define VDSO_MULT_SHIFT 32

#endif
