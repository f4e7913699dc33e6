#include <string.h>

#include "cvisor/arch.h"

/* Selector values Linux gives 64-bit user processes. */
#define USER_CS 0x33
#define USER_DS 0x2b

void arch_regs_init_exec(struct arch_regs *regs, uaddr_t entry, uaddr_t sp)
{
	memset(regs, 0, sizeof(*regs));
	regs->r.rip = entry;
	regs->r.rsp = sp;
	regs->r.cs = USER_CS;
	regs->r.ss = USER_DS;
	regs->r.eflags = 0x202; /* IF set, as the kernel starts every thread */
}
