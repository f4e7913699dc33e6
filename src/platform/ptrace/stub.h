/* The ptrace platform's stub process: an address space holding nothing but
 * the stub code page and the memory-file ranges the sentry maps into it. */
#ifndef CVISOR_PTRACE_STUB_H
#define CVISOR_PTRACE_STUB_H

#include <stdint.h>
#include <sys/types.h>

/* Address of the `syscall; int3` pair used to inject the sentry's own
 * mapping calls into a stopped stub. */
uint64_t stub_syscall_addr(void);
/* Address of the `syscall` that clones a stub thread: the parent then
 * traps (int3), the child waits in pause(2) to be seized. */
uint64_t stub_clone_addr(void);
/* Address of the pause(2) loop a stub thread waits in. */
uint64_t stub_park_addr(void);
/* Copies the stub code to ARCH_STUB_BASE in the sentry (once), so every
 * forked stub has it at the same address. Returns 0 or -errno. */
int stub_install(void);
/* Forks a stub traced by the calling thread; returns its pid stopped in a
 * signal-delivery stop, or -errno. MEMFD stays open in the stub. */
pid_t stub_spawn(int memfd);

#endif
