/* x86-64 application register state and the names the kernel uses for it. */
#ifndef CVISOR_ARCH_H
#define CVISOR_ARCH_H

#include <sys/user.h>

#include "cvisor/arch_layout.h"
#include "cvisor/util.h"

/* The x87/SSE/AVX state of an application thread, as an XSAVE image in
 * the standard (non-compacted) format: what ptrace's NT_X86_XSTATE and the
 * signal frame use. The state lives in the thread while it runs; the
 * kernel asks the platform to save it here only when it needs it (signal
 * frames, fork), and a saved image is loaded back before the thread next
 * runs. */
struct arch_fpu {
	uint8_t *xsave;		/* arch_fpu_size() bytes, 64-aligned; NULL until used */
	bool saved;		/* xsave, not the thread, holds the state */
};

/* What the CPU said about the last fault, for the signal frame
 * (sigcontext's trapno, err and cr2). */
struct arch_fault {
	int signo;		/* 0: none pending */
	uint64_t trapno, err, cr2;
};

/* What a task's application thread was doing when it last trapped. */
struct arch_regs {
	struct user_regs_struct r;
	struct arch_fpu fpu;
	struct arch_fault fault;
};

/* Records fault SIGNO at ADDR for the signal frame. CODE is the si_code;
 * for page faults PRESENT says whether a mapping was there, VMA_PROT its
 * protection and WRITE whether the access was a write (-1 when the
 * platform cannot say: then it is inferred when the mapping allows
 * reads). */
void arch_record_fault(struct arch_regs *regs, int signo, int code, uaddr_t addr, bool present,
		       int vma_prot, int write);

/* Size of an XSAVE image for the features the host enabled (CPUID 0xD),
 * and that feature mask (XCR0). */
size_t arch_fpu_size(void);
uint64_t arch_fpu_features(void);
/* Gives FPU an image buffer (once). */
void arch_fpu_alloc(struct arch_fpu *fpu);
/* Sets FPU to the initial state (what exec and signal handlers start
 * with), to be loaded before the thread runs. */
void arch_fpu_reset(struct arch_fpu *fpu);
/* DST gets SRC's saved state (SRC must be saved). */
void arch_fpu_copy(struct arch_fpu *dst, const struct arch_fpu *src);
void arch_fpu_release(struct arch_fpu *fpu);
/* Makes an image from user memory safe to load: reserved fields cleared,
 * features limited to the host's, MXCSR reserved bits dropped. FULL:
 * whether the image carries the XSAVE header and extended state; if not,
 * only the legacy FXSAVE part is used. */
void arch_fpu_sanitize(uint8_t *xsave, bool full);

/* Registers by meaning (PRoot's SYSARG_n idea), so syscall code never
 * spells out x86-64 register names. */
static inline uint64_t arch_syscall_nr(const struct arch_regs *regs)
{
	return regs->r.orig_rax;
}

static inline void arch_syscall_args(const struct arch_regs *regs, uint64_t a[6])
{
	a[0] = regs->r.rdi;
	a[1] = regs->r.rsi;
	a[2] = regs->r.rdx;
	a[3] = regs->r.r10;
	a[4] = regs->r.r8;
	a[5] = regs->r.r9;
}

static inline void arch_set_return(struct arch_regs *regs, uint64_t v)
{
	regs->r.rax = v;
}

/* Makes the trapped syscall run again when the thread resumes. */
static inline void arch_restart_syscall(struct arch_regs *regs)
{
	regs->r.rax = regs->r.orig_rax;
	regs->r.rip -= 2;	/* length of `syscall` */
}

/* Makes the thread, when it resumes, call restart_syscall(2) instead. */
static inline void arch_restart_syscall_as(struct arch_regs *regs, uint64_t nr)
{
	regs->r.rax = nr;
	regs->r.rip -= 2;
}

static inline uint64_t arch_ip(const struct arch_regs *regs)
{
	return regs->r.rip;
}

static inline uint64_t arch_sp(const struct arch_regs *regs)
{
	return regs->r.rsp;
}

/* Whether ADDR is canonical (the low half of the 48-bit address space or
 * the high half). */
static inline bool arch_canonical(uint64_t addr)
{
	return (uint64_t)(((int64_t)addr << 16) >> 16) == addr;
}

/* Initial register state for a freshly exec'd program (general registers;
 * the FPU is reset separately). */
void arch_regs_init_exec(struct arch_regs *regs, uaddr_t entry, uaddr_t sp);

#endif
