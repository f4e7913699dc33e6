/* The ptrace platform: works on every host. One stub process per address
 * space; the sentry thread that created a stub is its tracer and runs the
 * application in it with PTRACE_SYSEMU, so application syscalls stop before
 * the host executes them. Mapping changes are the sentry's own syscalls,
 * injected into the stopped stub at the stub's `syscall; int3` pair.
 *
 * ptrace binds a tracee to one tracer thread, so every operation on an
 * address space must come from the thread that created it; the kernel
 * guarantees that while processes are single-threaded. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/elf.h>
#include <time.h>
#include <unistd.h>

#include "cvisor/log.h"
#include "cvisor/memfile.h"
#include "cvisor/platform.h"
#include "stub.h"

/* The host signal ctx_interrupt sends to a stub; always suppressed. */
#define SIG_INTERRUPT SIGCHLD

struct address_space {
	struct platform *p;
	pid_t pid;		/* the stub */
	pid_t tracer;		/* sentry thread allowed to drive it */
	bool dead;
};

struct context {
	_Atomic pid_t running_pid;	/* stub the context last ran in */
	_Atomic bool interrupt;
};

static int ptrace_init(struct platform *p, struct memfile *mf)
{
	p->mf = mf;
	return stub_install();
}

static void wait_gone(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR)
		;
}

static struct address_space *ptrace_as_new(struct platform *p)
{
	pid_t pid = stub_spawn(p->mf->fd);
	if (pid < 0)
		return ERR_PTR(pid);
	struct address_space *as = xzalloc(sizeof(*as));
	as->p = p;
	as->pid = pid;
	as->tracer = gettid();
	return as;
}

static void ptrace_as_release(struct address_space *as)
{
	kill(as->pid, SIGKILL);
	/* Only the tracer (or the parent thread) can reap; the creator is
	 * both. Another thread leaves the zombie to PTRACE_O_EXITKILL/ init. */
	if (as->tracer == gettid())
		wait_gone(as->pid);
	free(as);
}

/* Runs one host syscall inside the stopped stub. Returns its result. */
static long inject(struct address_space *as, long nr, long a0, long a1, long a2,
		   long a3, long a4, long a5)
{
	struct user_regs_struct r;
	int status;

	if (as->dead)
		return -ESRCH;
	if (as->tracer != gettid())
		log_fatal("ptrace: address space of stub %d used from thread %d",
			  as->pid, gettid());
	if (ptrace(PTRACE_GETREGS, as->pid, 0, &r) < 0)
		goto dead;
	r.rax = (uint64_t)nr;
	r.orig_rax = (uint64_t)-1;
	r.rdi = (uint64_t)a0;
	r.rsi = (uint64_t)a1;
	r.rdx = (uint64_t)a2;
	r.r10 = (uint64_t)a3;
	r.r8 = (uint64_t)a4;
	r.r9 = (uint64_t)a5;
	r.rip = stub_syscall_addr();
	if (ptrace(PTRACE_SETREGS, as->pid, 0, &r) < 0)
		goto dead;
	for (;;) {
		if (ptrace(PTRACE_CONT, as->pid, 0, 0) < 0)
			goto dead;
		if (waitpid(as->pid, &status, __WALL) < 0)
			goto dead;
		if (!WIFSTOPPED(status))
			goto dead;
		if (WSTOPSIG(status) == SIGTRAP)
			break;
		/* An interrupt signal raced with us: drop it and go on. */
	}
	if (ptrace(PTRACE_GETREGS, as->pid, 0, &r) < 0)
		goto dead;
	return (long)r.rax;
dead:
	as->dead = true;
	return -ESRCH;
}

static int ptrace_as_map(struct address_space *as, uaddr_t addr, uint64_t size,
			 int prot, uint64_t mf_off)
{
	long ret = inject(as, SYS_mmap, (long)addr, (long)size, prot,
			  MAP_SHARED | MAP_FIXED, as->p->mf->fd, (long)mf_off);
	if (ret < 0 && ret > -4096)
		return (int)ret;
	return 0;
}

static int ptrace_as_unmap(struct address_space *as, uaddr_t addr, uint64_t size)
{
	long ret = inject(as, SYS_munmap, (long)addr, (long)size, 0, 0, 0, 0);
	return ret < 0 ? (int)ret : 0;
}

static struct context *ptrace_ctx_new(struct platform *p)
{
	return xzalloc(sizeof(struct context));
}

static void ptrace_ctx_release(struct context *c)
{
	free(c);
}

static void ptrace_ctx_interrupt(struct context *c)
{
	c->interrupt = true;
	pid_t pid = c->running_pid;
	if (pid > 0)
		syscall(SYS_tgkill, pid, pid, SIG_INTERRUPT);
}

static int64_t ptrace_ctx_cpu_ns(struct context *c)
{
	/* The stub is single-threaded: its process CPU clock (Linux's
	 * MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)) is the thread's. */
	pid_t pid = c->running_pid;
	struct timespec ts;
	if (pid <= 0 || clock_gettime((clockid_t)((~(unsigned)pid << 3) | 2), &ts) < 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int ptrace_ctx_save_fpu(struct context *c, struct address_space *as,
			       struct arch_regs *regs)
{
	if (regs->fpu.saved)
		return 0;
	if (as->dead)
		return -ESRCH;
	arch_fpu_alloc(&regs->fpu);
	struct iovec iov = { regs->fpu.xsave, arch_fpu_size() };
	if (ptrace(PTRACE_GETREGSET, as->pid, NT_X86_XSTATE, &iov) < 0)
		return -errno;
	regs->fpu.saved = true;
	return 0;
}

static int load_fpu(struct address_space *as, struct arch_regs *regs)
{
	struct iovec iov = { regs->fpu.xsave, arch_fpu_size() };
	if (ptrace(PTRACE_SETREGSET, as->pid, NT_X86_XSTATE, &iov) < 0)
		return -errno;
	regs->fpu.saved = false;
	return 0;
}

static enum switch_result fault_result(pid_t pid, int sig, struct fault_info *fi)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
	fi->signo = sig;
	fi->code = si.si_code;
	fi->addr = (uaddr_t)si.si_addr;
	return SWITCH_FAULT;
}

static enum switch_result ptrace_ctx_switch(struct context *c, struct address_space *as,
					    struct arch_regs *regs, struct fault_info *fi)
{
	int status;

	if (as->dead)
		return SWITCH_DEAD;
	c->running_pid = as->pid;
	if (c->interrupt) {
		c->interrupt = false;
		return SWITCH_INTERRUPT;
	}
	if (ptrace(PTRACE_SETREGS, as->pid, 0, &regs->r) < 0)
		goto dead;
	if (regs->fpu.saved && load_fpu(as, regs) < 0) {
		/* The kernel sanitizes every image it loads; a refusal
		 * still must not let the thread run with the wrong state. */
		log_debug("ptrace: stub %d refused an FPU image", as->pid);
		goto dead;
	}
	if (ptrace(PTRACE_SYSEMU, as->pid, 0, 0) < 0)
		goto dead;
	for (;;) {
		if (waitpid(as->pid, &status, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			goto dead;
		}
		break;
	}
	if (!WIFSTOPPED(status))
		goto dead;
	if (ptrace(PTRACE_GETREGS, as->pid, 0, &regs->r) < 0)
		goto dead;

	int sig = WSTOPSIG(status);
	switch (sig) {
	case SIGTRAP | 0x80:
		return SWITCH_SYSCALL;
	case SIGSEGV:
	case SIGBUS:
	case SIGFPE:
	case SIGILL:
	case SIGTRAP:
		return fault_result(as->pid, sig, fi);
	default:
		/* SIG_INTERRUPT or a stray host signal (the stub has its own
		 * session, so terminal signals do not reach it). */
		c->interrupt = false;
		return SWITCH_INTERRUPT;
	}
dead:
	as->dead = true;
	return SWITCH_DEAD;
}

const struct platform_ops ptrace_platform_ops = {
	.name = "ptrace",
	.init = ptrace_init,
	.as_new = ptrace_as_new,
	.as_release = ptrace_as_release,
	.as_map = ptrace_as_map,
	.as_unmap = ptrace_as_unmap,
	.ctx_new = ptrace_ctx_new,
	.ctx_release = ptrace_ctx_release,
	.ctx_switch = ptrace_ctx_switch,
	.ctx_save_fpu = ptrace_ctx_save_fpu,
	.ctx_interrupt = ptrace_ctx_interrupt,
	.ctx_cpu_ns = ptrace_ctx_cpu_ns,
};
