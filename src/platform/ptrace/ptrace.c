/* The ptrace platform: works on every host. One stub process per address
 * space; the sentry thread that created a stub is its tracer and runs the
 * application in it with PTRACE_SYSEMU, so application syscalls stop before
 * the host executes them. Mapping changes are the sentry's own syscalls,
 * injected into the stopped stub at the stub's `syscall; int3` pair.
 *
 * ptrace binds a tracee to one tracer thread, so every operation on an
 * address space must come from the thread that created it; the kernel
 * guarantees that while processes are single-threaded. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
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
#include "../stub_process.h"
#include "stub.h"

/* The host signal ctx_interrupt sends to a stub; always suppressed. */
#define SIG_INTERRUPT SIGCHLD

/* A thread of a stub process and the sentry thread tracing it (0: made
 * by as_add_thread, not yet seized by the task that will run it). */
struct stub_thread {
	pid_t tracer, tid;
};

struct address_space {
	struct platform *p;
	uint64_t id;		/* unique: a new one may reuse a freed one's memory */
	pid_t pid;		/* the stub process (its first thread) */
	pthread_mutex_t lock;	/* threads */
	struct stub_thread *threads;
	int nthreads;
	bool dead;
};

struct context {
	struct stub_thread_ref ref;	/* the stub thread it last ran in */
	uint64_t as_id;			/* the address space where TID is this */
	pid_t tid;			/* context's stub thread */
};

/* The stub thread the calling sentry thread traces in AS, or 0. */
static pid_t my_thread(struct address_space *as)
{
	pid_t self = gettid(), tid = 0;
	pthread_mutex_lock(&as->lock);
	for (int i = 0; i < as->nthreads && !tid; i++)
		if (as->threads[i].tracer == self)
			tid = as->threads[i].tid;
	pthread_mutex_unlock(&as->lock);
	return tid;
}

static void add_thread(struct address_space *as, pid_t tracer, pid_t tid)
{
	pthread_mutex_lock(&as->lock);
	as->threads = xrealloc(as->threads, sizeof(*as->threads) * (size_t)(as->nthreads + 1));
	as->threads[as->nthreads++] = (struct stub_thread){ tracer, tid };
	pthread_mutex_unlock(&as->lock);
}

static void remove_thread(struct address_space *as, pid_t tid)
{
	pthread_mutex_lock(&as->lock);
	for (int i = 0; i < as->nthreads; i++)
		if (as->threads[i].tid == tid) {
			as->threads[i] = as->threads[--as->nthreads];
			break;
		}
	pthread_mutex_unlock(&as->lock);
}

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
	static _Atomic uint64_t next_id = 1;
	as->p = p;
	as->id = next_id++;
	as->pid = pid;
	pthread_mutex_init(&as->lock, NULL);
	add_thread(as, gettid(), pid);
	return as;
}

static void ptrace_as_release(struct address_space *as)
{
	pid_t mine = my_thread(as);
	kill(as->pid, SIGKILL);
	/* A traced thread is reaped by its tracer first; then the process
	 * by its parent, the sentry (any of its threads). */
	if (mine)
		wait_gone(mine);
	if (mine != as->pid)
		wait_gone(as->pid);
	pthread_mutex_destroy(&as->lock);
	free(as->threads);
	free(as);
}

/* Runs one host syscall at RIP in the calling thread's stopped stub
 * thread. Returns its result. */
static long inject_at(struct address_space *as, uint64_t rip, long nr, long a0, long a1, long a2,
		      long a3, long a4, long a5)
{
	struct user_regs_struct r;
	int status;

	if (as->dead)
		return -ESRCH;
	pid_t tid = my_thread(as);
	if (!tid)
		log_fatal("ptrace: address space of stub %d used from thread %d",
			  as->pid, gettid());
	if (ptrace(PTRACE_GETREGS, tid, 0, &r) < 0)
		goto dead;
	r.rax = (uint64_t)nr;
	r.orig_rax = (uint64_t)-1;
	r.rdi = (uint64_t)a0;
	r.rsi = (uint64_t)a1;
	r.rdx = (uint64_t)a2;
	r.r10 = (uint64_t)a3;
	r.r8 = (uint64_t)a4;
	r.r9 = (uint64_t)a5;
	r.rip = rip;
	if (ptrace(PTRACE_SETREGS, tid, 0, &r) < 0)
		goto dead;
	for (;;) {
		if (ptrace(PTRACE_CONT, tid, 0, 0) < 0)
			goto dead;
		if (waitpid(tid, &status, __WALL) < 0)
			goto dead;
		if (!WIFSTOPPED(status))
			goto dead;
		if (WSTOPSIG(status) == SIGTRAP)
			break;
		/* An interrupt signal raced with us: drop it and go on. */
	}
	if (ptrace(PTRACE_GETREGS, tid, 0, &r) < 0)
		goto dead;
	return (long)r.rax;
dead:
	as->dead = true;
	return -ESRCH;
}

static long inject(struct address_space *as, long nr, long a0, long a1, long a2, long a3,
		   long a4, long a5)
{
	return inject_at(as, stub_syscall_addr(), nr, a0, a1, a2, a3, a4, a5);
}

/* A new thread in the stub process, for a new task sharing AS: cloned
 * from the caller's stub thread, waiting to be seized by the new task's
 * sentry thread (ctx_switch). */
static int ptrace_as_add_thread(struct address_space *as)
{
	long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
		     CLONE_SYSVSEM;
	long tid = inject_at(as, stub_clone_addr(), SYS_clone, flags, 0, 0, 0, 0, 0);
	if (tid < 0)
		return (int)tid;
	add_thread(as, 0, (pid_t)tid);
	return 0;
}

/* Takes a stub thread as_add_thread left for the calling sentry thread. */
static pid_t seize_thread(struct address_space *as)
{
	pid_t tid = 0, self = gettid();
	int status;
	pthread_mutex_lock(&as->lock);
	for (int i = 0; i < as->nthreads && !tid; i++)
		if (!as->threads[i].tracer) {
			as->threads[i].tracer = self;
			tid = as->threads[i].tid;
		}
	pthread_mutex_unlock(&as->lock);
	if (!tid)
		return -ESRCH;
	if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD) < 0 ||
	    ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0 || waitpid(tid, &status, __WALL) < 0 ||
	    !WIFSTOPPED(status))
		return -ESRCH;
	return tid;
}

/* The calling task leaves AS, which other tasks keep: its stub thread
 * must not stay traced (a tracer that exits kills its tracees,
 * PTRACE_O_EXITKILL). A thread exits; the stub's first thread cannot be
 * waited for until the whole process ends (Linux delays a group leader),
 * so it is parked in pause(2) and detached instead. */
static void ptrace_as_remove_thread(struct address_space *as)
{
	struct user_regs_struct r;
	int status;
	pid_t tid = my_thread(as);
	if (!tid)
		return;
	if (!as->dead && ptrace(PTRACE_GETREGS, tid, 0, &r) == 0) {
		r.orig_rax = (uint64_t)-1;
		if (tid == as->pid) {
			r.rip = stub_park_addr();
			if (ptrace(PTRACE_SETREGS, tid, 0, &r) == 0)
				ptrace(PTRACE_DETACH, tid, 0, 0);
		} else {
			r.rax = SYS_exit;
			r.rdi = 0;
			r.rip = stub_syscall_addr();
			if (ptrace(PTRACE_SETREGS, tid, 0, &r) == 0 &&
			    ptrace(PTRACE_CONT, tid, 0, 0) == 0)
				while (waitpid(tid, &status, __WALL) == tid && WIFSTOPPED(status))
					ptrace(PTRACE_CONT, tid, 0, 0);
		}
	}
	remove_thread(as, tid);
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
	return stub_ctx_alloc(sizeof(struct context), SIG_INTERRUPT);
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
	if (ptrace(PTRACE_GETREGSET, my_thread(as), NT_X86_XSTATE, &iov) < 0)
		return -errno;
	regs->fpu.saved = true;
	return 0;
}

static int load_fpu(pid_t tid, struct arch_regs *regs)
{
	struct iovec iov = { regs->fpu.xsave, arch_fpu_size() };
	if (ptrace(PTRACE_SETREGSET, tid, NT_X86_XSTATE, &iov) < 0)
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
	fi->write = -1;
	return SWITCH_FAULT;
}

static enum switch_result ptrace_ctx_switch(struct context *c, struct address_space *as,
					    struct arch_regs *regs, struct fault_info *fi)
{
	int status;

	if (as->dead)
		return SWITCH_DEAD;
	/* The stub thread this sentry thread runs in AS; a new task's is
	 * seized on its first switch. */
	if (c->as_id != as->id) {
		pid_t tid = my_thread(as);
		if (!tid && (tid = seize_thread(as)) < 0)
			goto dead;
		c->as_id = as->id;
		c->tid = tid;
	}
	pid_t tid = c->tid;
	c->ref.tgid = as->pid;
	c->ref.tid = tid;
	if (c->ref.interrupt) {
		c->ref.interrupt = false;
		return SWITCH_INTERRUPT;
	}
	if (ptrace(PTRACE_SETREGS, tid, 0, &regs->r) < 0)
		goto dead;
	if (regs->fpu.saved && load_fpu(tid, regs) < 0) {
		/* The kernel sanitizes every image it loads; a refusal
		 * still must not let the thread run with the wrong state. */
		log_debug("ptrace: stub thread %d refused an FPU image", tid);
		goto dead;
	}
	if (ptrace(PTRACE_SYSEMU, tid, 0, 0) < 0)
		goto dead;
	for (;;) {
		if (waitpid(tid, &status, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			goto dead;
		}
		break;
	}
	if (!WIFSTOPPED(status))
		goto dead;
	if (ptrace(PTRACE_GETREGS, tid, 0, &regs->r) < 0)
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
		return fault_result(tid, sig, fi);
	default:
		/* SIG_INTERRUPT or a stray host signal (the stub has its own
		 * session, so terminal signals do not reach it). */
		c->ref.interrupt = false;
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
	.ctx_release = stub_ctx_release,
	.ctx_switch = ptrace_ctx_switch,
	.as_add_thread = ptrace_as_add_thread,
	.as_remove_thread = ptrace_as_remove_thread,
	.ctx_save_fpu = ptrace_ctx_save_fpu,
	.ctx_interrupt = stub_ctx_interrupt,
	.ctx_cpu_ns = stub_ctx_cpu_ns,
};
