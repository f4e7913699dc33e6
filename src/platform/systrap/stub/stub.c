/* The systrap stub: the only code of a stub process. Built freestanding
 * and position independent (stub.lds), copied by the sentry to
 * ARCH_STUB_BASE + SYSTRAP_CODE_OFF, so every stub forked from the
 * sentry has it there.
 *
 * After fork the stub unmaps everything but its own region, maps its
 * threads' areas, installs its signal handler and a seccomp filter that
 * traps every system call not made from this code, and becomes the
 * control thread: it waits in area 0 for the sentry's commands (map,
 * unmap, new thread). Each application thread is a stub thread that
 * runs application code until a system call or a fault raises a signal;
 * the handler hands the frame to the sentry through the thread's area
 * and waits until the sentry says to return into the application. */
#include <asm/signal.h>
#include <asm/unistd.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/mman.h>
#include <linux/prctl.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <asm/prctl.h>
#include <stddef.h>

#include "cvisor/arch_layout.h"
#include "../sysmsg.h"

#define HIDDEN __attribute__((visibility("hidden")))
#define TASK_SIZE 0x7ffffffff000ULL
#define STUB_REGION_END (ARCH_STUB_BASE + SYSTRAP_AREAS_OFF + SYSTRAP_MAX_THREADS * SYSTRAP_AREA_SIZE)
#define AREAS ((char *)(ARCH_STUB_BASE + SYSTRAP_AREAS_OFF))
#define DATA ((struct systrap_data *)(ARCH_STUB_BASE + SYSTRAP_DATA_OFF))
/* The signal the sentry sends to interrupt a thread; it also makes a new
 * thread trap for the first time. */
#define SIG_INTERRUPT SIGUSR2

struct kernel_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

struct kernel_stack {
	void *sp;
	int flags;
	unsigned long size;
};

static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define sys3(nr, a, b, c) sys6(nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)

static struct sysmsg *area(unsigned idx)
{
	return (struct sysmsg *)(AREAS + (unsigned long)idx * SYSTRAP_AREA_SIZE);
}

static void wake(uint32_t *word)
{
	sys6(__NR_futex, (long)word, FUTEX_WAKE, 1, 0, 0, 0);
}

/* Waits while *WORD == VAL: spins a little, then sleeps (telling the
 * sentry through WAITING that a wake-up is needed). */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

#define SPIN_MIN 50

/* Waits while M's state is VAL: spins (an adapted number of times, kept
 * in the area: doubled when the wait ended within a few spins' time,
 * halved when it went on much longer, within [SPIN_MIN, DATA->spin]),
 * then sleeps, telling the sentry through stub_waiting that a wake-up is
 * needed. */
static uint32_t wait_while(struct sysmsg *m, uint32_t val)
{
	uint32_t s, max = DATA->spin, n = m->stub_spin;
	n = n < SPIN_MIN ? SPIN_MIN : n > max ? max : n;
	uint64_t t0 = rdtsc();
	for (uint32_t i = 0; i < n; i++) {
		s = __atomic_load_n(&m->state, __ATOMIC_ACQUIRE);
		if (s != val) {
			m->stub_spin = n * 2;
			return s;
		}
		__asm__ volatile("pause");
	}
	uint64_t t1 = rdtsc();
	for (;;) {
		__atomic_store_n(&m->stub_waiting, 1, __ATOMIC_SEQ_CST);
		s = __atomic_load_n(&m->state, __ATOMIC_SEQ_CST);
		if (s != val)
			break;
		sys6(__NR_futex, (long)&m->state, FUTEX_WAIT, val, 0, 0, 0);
	}
	__atomic_store_n(&m->stub_waiting, 0, __ATOMIC_RELAXED);
	m->stub_spin = rdtsc() - t1 < 8 * (t1 - t0) ? n * 2 : n / 2;
	return s;
}

/* Hands the area to the sentry in state S. */
static void post(struct sysmsg *m, uint32_t s)
{
	__atomic_store_n(&m->state, s, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&m->sentry_waiting, __ATOMIC_SEQ_CST))
		wake(&m->state);
}

HIDDEN void stub_thread_main(struct sysmsg *m);

/* clone(2) of a stub thread running on STACK: the child calls
 * stub_thread_main(M) and never returns. */
static long clone_thread(void *stack, struct sysmsg *m)
{
	long ret;
	register long r10 __asm__("r10") = (long)&m->state;	/* child tid */
	register long r8 __asm__("r8") = 0;			/* tls */
	register void *r12 __asm__("r12") = m;
	unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			      CLONE_SYSVSEM | CLONE_CHILD_CLEARTID;
	__asm__ volatile("syscall\n"
			 "test %%rax, %%rax\n"
			 "jnz 1f\n"
			 "mov %%r12, %%rdi\n"
			 "call stub_thread_main\n"
			 "ud2\n"
			 "1:\n"
			 : "=a"(ret)
			 : "a"(__NR_clone), "D"(flags), "S"(stack), "d"(0), "r"(r10), "r"(r8),
			   "r"(r12)
			 : "rcx", "r11", "memory");
	return ret;
}

static long run_cmd(struct sysmsg *m)
{
	switch (m->cmd) {
	case SYSMSG_CMD_MAP:
		return sys6(__NR_mmap, (long)m->args[0], (long)m->args[1], (long)m->args[2],
			    MAP_SHARED | MAP_FIXED, DATA->memfd, (long)m->args[3]);
	case SYSMSG_CMD_UNMAP:
		return sys3(__NR_munmap, m->args[0], m->args[1], 0);
	case SYSMSG_CMD_CLONE: {
		if (m->args[0] == 0 || m->args[0] >= SYSTRAP_MAX_THREADS)
			return -22;
		struct sysmsg *t = area((unsigned)m->args[0]);
		t->state = SYSMSG_CMD;	/* not DEAD: the clear-tid word */
		return clone_thread((char *)t + SYSTRAP_THREAD_STACK, t);
	}
	case SYSMSG_CMD_EXIT:
		sys3(__NR_exit, 0, 0, 0);
		return 0;
	}
	return -22;
}

static void set_altstack(struct sysmsg *m)
{
	struct kernel_stack ss = {
		.sp = (char *)m + SYSTRAP_THREAD_STACK,
		.size = SYSTRAP_AREA_SIZE - SYSTRAP_THREAD_STACK - 64,
	};
	sys3(__NR_sigaltstack, &ss, 0, 0);
}

/* A new application thread: traps at once, and from then on lives in
 * the handler and the application. */
HIDDEN void stub_thread_main(struct sysmsg *m)
{
	unsigned long none = 0;
	set_altstack(m);
	sys6(__NR_rt_sigprocmask, SIG_SETMASK, (long)&none, 0, 8, 0, 0);
	sys3(__NR_tgkill, sys3(__NR_getpid, 0, 0, 0), sys3(__NR_gettid, 0, 0, 0), SIG_INTERRUPT);
	/* The sentry never resumes a thread here: its first RESUME loads
	 * the application's registers. */
	for (;;)
		sys3(__NR_exit, 0, 0, 0);
}

/* The handler of every signal the application's code raises: system
 * calls (SIGSYS from seccomp), faults, and the sentry's interrupts. */
struct stub_siginfo {
	int signo, errno_, code, pad;
	unsigned long addr;
};

HIDDEN void stub_signal(int sig, struct stub_siginfo *info,
			void *uc)
{
	char *sp = __builtin_frame_address(0);
	struct sysmsg *m = (struct sysmsg *)((unsigned long)sp & ~(SYSTRAP_AREA_SIZE - 1));
	unsigned long fs;
	if (DATA->fsgsbase)
		__asm__ volatile("rdfsbase %0" : "=r"(fs));
	else
		sys3(__NR_arch_prctl, ARCH_GET_FS, &fs, 0);
	m->signo = (uint32_t)sig;
	m->fault_code = info->code;
	m->fault_addr = info->addr;
	m->ucontext = (uint64_t)uc;
	m->fs_base = fs;
	post(m, SYSMSG_TRAPPED);
	for (uint32_t s = SYSMSG_TRAPPED;;) {
		s = wait_while(m, s);
		if (s == SYSMSG_CMD) {
			m->ret = run_cmd(m);
			post(m, SYSMSG_CMD_DONE);
			s = SYSMSG_CMD_DONE;
			continue;
		}
		if (s == SYSMSG_RESUME)
			break;
	}
	if (m->set_fs_base) {
		if (DATA->fsgsbase)
			__asm__ volatile("wrfsbase %0" : : "r"(m->new_fs_base));
		else
			sys3(__NR_arch_prctl, ARCH_SET_FS, m->new_fs_base, 0);
	}
}

/* rt_sigreturn, the handler's restorer. */
__asm__(".pushsection .text\n"
	".hidden stub_restorer\n"
	"stub_restorer:\n"
	"	mov $" "15" ", %eax\n"	/* __NR_rt_sigreturn */
	"	syscall\n"
	"	ud2\n"
	".popsection\n");
HIDDEN void stub_restorer(void);

/* The control thread: runs the sentry's commands posted in area 0. */
static __attribute__((noreturn)) void control_loop(void)
{
	struct sysmsg *m = area(0);
	post(m, SYSMSG_IDLE);
	for (uint32_t s = SYSMSG_IDLE;;) {
		s = wait_while(m, s);
		if (s == SYSMSG_CMD) {
			m->ret = run_cmd(m);
			post(m, SYSMSG_CMD_DONE);
			s = SYSMSG_CMD_DONE;
		}
	}
}

HIDDEN __attribute__((noreturn)) void stub_main(int areafd)
{
	/* Nothing of the sentry stays: only this region. */
	sys3(__NR_munmap, 0, ARCH_STUB_BASE, 0);
	sys3(__NR_munmap, STUB_REGION_END, TASK_SIZE - STUB_REGION_END, 0);
	long r = sys6(__NR_mmap, (long)AREAS, SYSTRAP_MAX_THREADS * SYSTRAP_AREA_SIZE,
		      PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, areafd, 0);
	if (r != (long)AREAS)
		sys3(__NR_exit_group, 122, 0, 0);
	sys3(__NR_close, areafd, 0, 0);

	static const int sigs[] = { SIGSYS, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP,
				    SIG_INTERRUPT };
	/* The image has no relocations: addresses come from RIP (a compiler
	 * could otherwise load them from a constant pool). */
	void *handler, *restorer;
	__asm__("lea stub_signal(%%rip), %0" : "=r"(handler));
	__asm__("lea stub_restorer(%%rip), %0" : "=r"(restorer));
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct kernel_sigaction sa = {
			.handler = handler,
			.flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER,
			.restorer = restorer,
			.mask = ~0UL,
		};
		if (sys6(__NR_rt_sigaction, sigs[i], (long)&sa, 0, 8, 0, 0) < 0)
			sys3(__NR_exit_group, 123, 0, 0);
	}
	struct sock_fprog prog = { .len = (unsigned short)DATA->filter_len,
				   .filter = (struct sock_filter *)DATA->filter };
	if (sys6(__NR_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0) < 0 ||
	    sys3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		sys3(__NR_exit_group, 124, 0, 0);
	/* The control thread takes no signal (its threads unblock them). */
	unsigned long all = ~0UL;
	sys6(__NR_rt_sigprocmask, SIG_SETMASK, (long)&all, 0, 8, 0, 0);
	control_loop();
}

/* The entry after fork: the sentry's stack is about to go; take the
 * one at the top of the data page. */
__asm__(".pushsection .text.entry, \"ax\"\n"
	".globl stub_entry\n"
	".hidden stub_entry\n"
	"stub_entry:\n"
	"	lea stub_stack_top(%rip), %rsp\n"
	"	call stub_main\n"
	"	ud2\n"
	".popsection\n");
