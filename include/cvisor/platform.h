/* How application code runs and how its syscalls and faults reach the
 * sentry. Three small interfaces, as in gVisor: the platform creates address
 * spaces and contexts; an address space maps memory-file ranges; a context
 * switches into the application until it traps. */
#ifndef CVISOR_PLATFORM_H
#define CVISOR_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "cvisor/arch.h"

struct memfile;
struct platform;
struct address_space;
struct context;

/* Why ctx_switch returned: the closed set of outcomes. */
enum switch_result {
	SWITCH_SYSCALL,		/* the application made a syscall; regs hold it */
	SWITCH_FAULT,		/* a synchronous fault or trap; see fault_info */
	SWITCH_INTERRUPT,	/* ctx_interrupt was called, or a host signal */
	SWITCH_DEAD,		/* the stub is gone (killed from outside) */
};

struct fault_info {
	int signo;		/* SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP */
	int code;		/* si_code as the host reported it */
	uaddr_t addr;		/* si_addr */
	/* For a page fault, whether it was a write, if the platform
	 * knows (-1 if not: ptrace sees no error code). */
	int write;
};

struct platform_ops {
	const char *name;
	/* One-time set-up; MF is the memory file every stub maps from. */
	int (*init)(struct platform *p, struct memfile *mf);

	/* A fresh empty address space. Called on the sentry thread that will
	 * run it (ptrace tracers are per thread). Returns ERR_PTR on failure. */
	struct address_space *(*as_new)(struct platform *p);
	void (*as_release)(struct address_space *as);
	/* Map memory-file range [mf_off, mf_off+size) at ADDR with PROT;
	 * replaces whatever was there. */
	int (*as_map)(struct address_space *as, uaddr_t addr, uint64_t size,
		      int prot, uint64_t mf_off);
	int (*as_unmap)(struct address_space *as, uaddr_t addr, uint64_t size);

	/* Threads: a task about to share AS with the calling one gets its
	 * own thread of execution there (as_add_thread, called by the
	 * creating task; the new task takes it at its first ctx_switch),
	 * and a task leaving an AS others keep gives its own up
	 * (as_remove_thread). Return 0 or -errno. */
	int (*as_add_thread)(struct address_space *as);
	void (*as_remove_thread)(struct address_space *as);

	struct context *(*ctx_new)(struct platform *p);
	void (*ctx_release)(struct context *c);
	/* Runs the application with REGS in AS until it traps; REGS are
	 * updated. A saved FPU image in REGS is loaded first. Returns why it
	 * stopped. */
	enum switch_result (*ctx_switch)(struct context *c, struct address_space *as,
					 struct arch_regs *regs, struct fault_info *fi);
	/* Saves the FPU state of the application thread (which last ran
	 * with REGS in AS) into REGS->fpu. Returns 0 or -errno. */
	int (*ctx_save_fpu)(struct context *c, struct address_space *as, struct arch_regs *regs);
	/* Makes a running or about-to-run ctx_switch return SWITCH_INTERRUPT.
	 * Safe from any thread. */
	void (*ctx_interrupt)(struct context *c);
	/* CPU time the application thread of C has used, in nanoseconds. */
	int64_t (*ctx_cpu_ns)(struct context *c);
};

struct platform {
	const struct platform_ops *ops;
	struct memfile *mf;
	void *priv;
};

/* Looks a platform up by name ("ptrace"); NULL if unknown. */
const struct platform_ops *platform_lookup(const char *name);
/* systrap where the host allows it, else ptrace (saying why on stderr). */
const struct platform_ops *platform_default(void);
/* Whether the host has what systrap needs; if not, *WHY says what. */
bool systrap_supported(const char **why);
/* Comma-separated list of known platform names, for --help. */
const char *platform_names(void);

#endif
