/* Loading programs into a fresh mm: ELF (static, static-PIE, dynamic via
 * PT_INTERP), the initial stack with argv, envp and auxv, and the initial
 * registers. */
#ifndef CVISOR_LOADER_H
#define CVISOR_LOADER_H

#include <sys/types.h>

#include "cvisor/arch.h"

struct mm;
struct file;
struct creds;
struct task;

struct exec_args {
	struct task *task;	/* whose root and cwd resolve the interpreter */
	struct file *file;	/* the program, opened for exec */
	const char *filename;	/* as given to execve: AT_EXECFN */
	char *const *argv;
	char *const *envp;
	const struct creds *creds;
	uint64_t affinity;	/* the CPUs the process may run on */
	uint64_t stack_limit;	/* RLIMIT_STACK */
};

/* Creates the vDSO of kernel K and starts its timekeeper. */
struct kernel;
int vdso_init(struct kernel *k);
/* Maps the [vvar] pages and the vDSO into MM, for a process whose CPU
 * affinity is AFFINITY (a mask of the sandbox's CPUs). Returns the vDSO's
 * address (AT_SYSINFO_EHDR) or -errno. */
int64_t vdso_map(struct mm *mm, uint64_t affinity);
/* Tells MM's vDSO that its process now runs on the CPUs of MASK. */
void vdso_set_affinity(struct mm *mm, uint64_t mask);

/* Loads ARGS into MM (empty) and fills REGS. Returns 0, or -ENOEXEC (with
 * the reason in ERR), -ENOMEM, -EFAULT... */
int loader_exec(struct mm *mm, const struct exec_args *args, struct arch_regs *regs,
		char *err, size_t errlen);

#endif
