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
};

/* Loads ARGS into MM (empty) and fills REGS. Returns 0, or -ENOEXEC (with
 * the reason in ERR), -ENOMEM, -EFAULT... */
int loader_exec(struct mm *mm, const struct exec_args *args, struct arch_regs *regs,
		char *err, size_t errlen);

#endif
