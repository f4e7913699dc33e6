/* x86-64 application register state and the names the kernel uses for it. */
#ifndef CVISOR_ARCH_H
#define CVISOR_ARCH_H

#include <sys/user.h>

#include "cvisor/util.h"

/* What a task's application thread was doing when it last trapped. */
struct arch_regs {
	struct user_regs_struct r;
};

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

static inline uint64_t arch_ip(const struct arch_regs *regs)
{
	return regs->r.rip;
}

static inline uint64_t arch_sp(const struct arch_regs *regs)
{
	return regs->r.rsp;
}

/* Initial register state for a freshly exec'd program. */
void arch_regs_init_exec(struct arch_regs *regs, uaddr_t entry, uaddr_t sp);

/* The application's usable address range: [ARCH_MMAP_MIN, ARCH_APP_TOP).
 * Above it sits the platform's stub region, which the application never
 * sees or maps. */
#define ARCH_MMAP_MIN 0x10000ULL
#define ARCH_APP_TOP 0x7ff000000000ULL
#define ARCH_STUB_BASE 0x7ff000000000ULL
#define ARCH_STUB_SIZE 0x200000ULL

#endif
