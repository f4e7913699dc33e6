#ifndef CVISOR_STRACE_H
#define CVISOR_STRACE_H

#include <stdbool.h>

#include "cvisor/syscalls.h"

/* Logs one syscall of T with decoded arguments (--strace). ENTRY_ONLY for
 * calls that do not return (exit). */
void strace_log(struct task *t, const struct syscall_entry *e, const struct syscall_args *a,
		long ret, bool entry_only);

#endif
