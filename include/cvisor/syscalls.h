/* The x86-64 syscall table. The table is data: every entry has a name, a
 * handler, a support level, an argument format for --strace and a note, so
 * `cvisor syscalls` can print the compatibility list.
 *
 * Handlers are `long sys_<linux name>(struct task *t, const struct
 * syscall_args *a)`: they unpack a->arg[] into named locals and return a
 * value or -errno. dispatch.c is the only place results and restart codes
 * reach registers.
 */
#ifndef CVISOR_SYSCALLS_H
#define CVISOR_SYSCALLS_H

#include <stdint.h>

struct task;

struct syscall_args {
	uint64_t arg[6];
};

typedef long (*syscall_fn)(struct task *t, const struct syscall_args *a);

enum syscall_support {
	SUPPORT_NONE,		/* -ENOSYS and an "unimplemented" event */
	SUPPORT_FULL,		/* Linux behaviour */
	SUPPORT_PARTIAL,	/* works, with limits named in the note */
	SUPPORT_ERROR,		/* deliberately fails, with the errno in the note */
};

/* Argument formats for --strace, one character per argument:
 *   d int   u unsigned   x hex   f fd   p pointer   s path (string in)
 *   b buffer in (length = next arg)   B buffer out (length = result)
 *   o open flags   m mode (octal)   c clock id   S signal number
 *   a argv (string array) */
struct syscall_entry {
	const char *name;
	syscall_fn fn;
	enum syscall_support support;
	const char *argfmt;
	const char *note;
};

#define SYSCALL_TABLE_SIZE 512
extern const struct syscall_entry syscall_table[SYSCALL_TABLE_SIZE];

/* Internal restart codes (Linux's values). They never reach the
 * application: dispatch turns them into EINTR or a restart. */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ENOIOCTLCMD 515		/* an ioctl handler does not know the request */
#define ERESTART_RESTARTBLOCK 516
/* A handler that set every register itself (rt_sigreturn): dispatch
 * leaves the return register alone. Outside Linux's errno range. */
#define EJUSTRETURN 4096

/* Runs one syscall of T: decode, --strace, handle, write the result. */
void syscall_dispatch(struct task *t);

/* Name of syscall NR, or NULL. */
const char *syscall_name(uint64_t nr);

/* Prints the table (`cvisor syscalls`). */
void syscall_table_print(void);

#define DECLARE_SYSCALL(name) long sys_##name(struct task *t, const struct syscall_args *a)
#define SYSCALL(name, support, argfmt, note) DECLARE_SYSCALL(name);
#include "syscall_list.h"
#undef SYSCALL

#endif
