/* The systrap platform's shared memory: one area per stub thread, written
 * by the stub (its signal handler runs on the area's alternate stack, so
 * the signal frame with the application's registers and FPU state is in
 * the area too) and by the sentry, which maps the same pages.
 *
 * The application can write every byte of its process's areas: to the
 * sentry each field is untrusted input, bounds-checked before use.
 *
 * Shared by the sentry and the stub (built freestanding): fixed-size
 * types and constants only. */
#ifndef CVISOR_SYSTRAP_SYSMSG_H
#define CVISOR_SYSTRAP_SYSMSG_H

#include <stdint.h>

/* Layout of the stub region (from ARCH_STUB_BASE; the ptrace stub uses
 * its first page): the stub's code, its data page (the seccomp filter,
 * the first stack), both within the ARCH_STUB_SIZE the sentry reserves,
 * then the areas, AREA_SIZE-aligned, which exist in stubs only. */
#define SYSTRAP_CODE_OFF 0x100000ULL
#define SYSTRAP_CODE_SIZE 0x10000ULL
#define SYSTRAP_DATA_OFF (SYSTRAP_CODE_OFF + SYSTRAP_CODE_SIZE)
#define SYSTRAP_DATA_SIZE 0x10000ULL
#define SYSTRAP_AREAS_OFF 0x200000ULL
#define SYSTRAP_AREA_SIZE 0x10000ULL	/* 64 KiB: header, thread stack, altstack */
#define SYSTRAP_MAX_THREADS 4096	/* per stub process, area 0 included */
#define SYSTRAP_THREAD_STACK 0x1000ULL	/* a new thread's stack before it traps */

/* sysmsg.state: who holds the thread. */
enum {
	SYSMSG_DEAD = 0,	/* the thread exited (its clear-tid word) */
	SYSMSG_TRAPPED = 1,	/* in the handler: the frame is the sentry's */
	SYSMSG_RESUME = 2,	/* the sentry is done: return to the application */
	SYSMSG_CMD = 3,		/* the sentry asks for CMD */
	SYSMSG_CMD_DONE = 4,	/* CMD ran; RET holds its result */
	SYSMSG_IDLE = 5,	/* area 0: the control thread waits for a CMD */
};

/* Commands a stub thread runs for the sentry. */
enum {
	SYSMSG_CMD_MAP = 1,	/* mmap(a0, a1, a2, MAP_SHARED|MAP_FIXED, memfd, a3) */
	SYSMSG_CMD_UNMAP = 2,	/* munmap(a0, a1) */
	SYSMSG_CMD_CLONE = 3,	/* a new thread with area a0 (area 0 only) */
	SYSMSG_CMD_EXIT = 4,	/* this thread exits */
};

struct sysmsg {
	uint32_t state;		/* futex word, SYSMSG_* */
	uint32_t sentry_waiting; /* the sentry sleeps on STATE: wake it */
	uint32_t stub_waiting;	/* the stub sleeps on STATE: wake it */
	uint32_t stub_spin;	/* the stub's adapted spin (its own: clamped) */
	uint32_t signo;		/* the host signal that trapped */
	int32_t fault_code;
	uint32_t pad;
	uint64_t fault_addr;
	uint64_t ucontext;	/* stub address of the signal frame's ucontext */
	uint64_t fs_base;	/* the thread's FS base when it trapped */
	uint64_t set_fs_base;	/* on RESUME: non-zero to load NEW_FS_BASE */
	uint64_t new_fs_base;
	uint64_t cmd;
	uint64_t args[4];
	int64_t ret;
};

/* The stub's data page: what the sentry prepares before forking a stub. */
struct systrap_data {
	uint64_t filter_len;	/* sock_filter instructions */
	uint64_t filter[64];	/* struct sock_filter, 8 bytes each */
	int32_t memfd;		/* the memory file, for CMD_MAP */
	uint32_t spin;		/* iterations to spin before sleeping */
	uint32_t fsgsbase;	/* rdfsbase/wrfsbase allowed (HWCAP2_FSGSBASE) */
	uint32_t pad;
};

#endif
