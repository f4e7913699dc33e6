#include <signal.h>
#include <string.h>
#include <sys/mman.h>

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

/* x86 trap numbers and page-fault error code bits. */
#define TRAP_DE 0	/* divide error */
#define TRAP_BP 3	/* breakpoint */
#define TRAP_UD 6	/* invalid opcode */
#define TRAP_GP 13	/* general protection */
#define TRAP_PF 14	/* page fault */
#define PF_PROT 0x1
#define PF_WRITE 0x2
#define PF_USER 0x4
#define PF_INSTR 0x10

void arch_record_fault(struct arch_regs *regs, int signo, int code, uaddr_t addr, bool present,
		       int vma_prot, int write)
{
	struct arch_fault *f = &regs->fault;
	*f = (struct arch_fault){ .signo = signo };
	switch (signo) {
	case SIGSEGV:
	case SIGBUS:
		if (signo == SIGSEGV && code == SI_KERNEL) {
			f->trapno = TRAP_GP;
			break;
		}
		f->trapno = TRAP_PF;
		f->cr2 = addr;
		f->err = PF_USER;
		if (present)
			f->err |= PF_PROT;
		if (addr == regs->r.rip)
			f->err |= PF_INSTR;
		else if (write >= 0 ? write : present && (vma_prot & PROT_READ))
			f->err |= PF_WRITE;	/* inferred: a read would not have faulted */
		break;
	case SIGFPE:
		f->trapno = TRAP_DE;
		break;
	case SIGILL:
		f->trapno = TRAP_UD;
		break;
	case SIGTRAP:
		f->trapno = TRAP_BP;
		break;
	}
}
