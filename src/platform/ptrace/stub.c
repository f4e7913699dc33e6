/* Creating stub processes. A stub is forked from the sentry, then jumps to
 * code at ARCH_STUB_BASE which unmaps everything else (the sentry's heap,
 * stacks, libraries) and stops itself for its tracer. What remains is the
 * stub page and, later, memory-file ranges: no sentry memory at all. */
#include <asm/unistd.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cvisor/arch.h"
#include "cvisor/log.h"
#include "../stub_process.h"
#include "stub.h"

#define TASK_SIZE 0x7ffffffff000ULL
#define STUB_END (ARCH_STUB_BASE + ARCH_STUB_SIZE)

#define STR_(x) #x
#define STR(x) STR_(x)

/* Position-independent: only immediates and relative jumps. Runs with no
 * stack. */
__asm__(".pushsection .text\n"
	".globl cvisor_stub_code_start, cvisor_stub_code_end, cvisor_stub_syscall\n"
	".globl cvisor_stub_clone, cvisor_stub_park\n"
	"cvisor_stub_code_start:\n"
	"	mov $" STR(__NR_munmap) ", %eax\n"
	"	xor %edi, %edi\n"
	"	movabs $" STR(ARCH_STUB_BASE) ", %rsi\n"
	"	syscall\n"
	"	mov $" STR(__NR_munmap) ", %eax\n"
	"	movabs $" STR(STUB_END) ", %rdi\n"
	"	movabs $(" STR(TASK_SIZE) " - " STR(STUB_END) "), %rsi\n"
	"	syscall\n"
	"	mov $" STR(__NR_getpid) ", %eax\n"
	"	syscall\n"
	"	mov %eax, %edi\n"
	"	mov $" STR(SIGSTOP) ", %esi\n"
	"	mov $" STR(__NR_kill) ", %eax\n"
	"	syscall\n"
	"cvisor_stub_syscall:\n"
	"	syscall\n"
	"	int3\n"
	"	jmp cvisor_stub_syscall\n"
	/* An injected clone of a thread: the parent traps back to its
	 * tracer; the new thread waits in pause until its own tracer
	 * seizes it. */
	"cvisor_stub_clone:\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz cvisor_stub_park\n"
	"	int3\n"
	"cvisor_stub_park:\n"
	"	mov $" STR(__NR_pause) ", %eax\n"
	"	syscall\n"
	"	jmp cvisor_stub_park\n"
	"cvisor_stub_code_end:\n"
	".popsection\n");

extern const char cvisor_stub_code_start[], cvisor_stub_code_end[],
	cvisor_stub_syscall[], cvisor_stub_clone[], cvisor_stub_park[];

uint64_t stub_syscall_addr(void)
{
	return ARCH_STUB_BASE + (uint64_t)(cvisor_stub_syscall - cvisor_stub_code_start);
}

uint64_t stub_park_addr(void)
{
	return ARCH_STUB_BASE + (uint64_t)(cvisor_stub_park - cvisor_stub_code_start);
}

uint64_t stub_clone_addr(void)
{
	return ARCH_STUB_BASE + (uint64_t)(cvisor_stub_clone - cvisor_stub_code_start);
}

int stub_install(void)
{
	size_t len = (size_t)(cvisor_stub_code_end - cvisor_stub_code_start);
	return stub_region_map(0, PAGE_SIZE, cvisor_stub_code_start, len, PROT_READ | PROT_EXEC);
}

/* In the child after fork: only raw syscalls, then off to the stub page. */
static __attribute__((noreturn)) void stub_child(int memfd)
{
	stub_process_prepare(memfd, -1);
	if (syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0) < 0)
		syscall(SYS_exit_group, 120);
	/* No PR_SET_PDEATHSIG: it fires when the creating sentry *thread*
	 * exits, and other threads may still run the stub's threads.
	 * PTRACE_O_EXITKILL on every stub thread covers a sentry that dies. */
	__asm__ volatile("jmp *%0" : : "r"((uint64_t)ARCH_STUB_BASE));
	__builtin_unreachable();
}

pid_t stub_spawn(int memfd)
{
	pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		return -errno;
	if (pid == 0)
		stub_child(memfd);

	int status;
	if (waitpid(pid, &status, __WALL) < 0)
		return -errno;
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP) {
		struct user_regs_struct r = { 0 };
		siginfo_t si = { 0 };
		if (WIFSTOPPED(status)) {
			ptrace(PTRACE_GETREGS, pid, 0, &r);
			ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
		}
		log_error("ptrace: stub %d did not start (status %#x, ip %#llx, addr %p)", pid,
			  status, r.rip, si.si_addr);
		kill(pid, SIGKILL);
		waitpid(pid, &status, __WALL);
		return -ECHILD;
	}
	long opts = PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, opts) < 0) {
		int err = -errno;
		kill(pid, SIGKILL);
		waitpid(pid, &status, __WALL);
		return err;
	}
	return pid;
}
