/* The systrap platform: application system calls and faults reach the
 * sentry without ptrace. A stub process (stub/stub.c) runs the
 * application under a seccomp filter that turns every system call not
 * made by the stub's own code into SIGSYS; the stub's handler leaves the
 * signal frame in the thread's shared area (sysmsg.h) and waits; the
 * sentry reads and rewrites the registers there and lets the handler
 * return into the application. Faults and the sentry's interrupts take
 * the same way. Mapping changes are commands a stub thread runs: the
 * trapped thread of the calling sentry thread when there is one, else
 * the stub's control thread.
 *
 * Stubs are forked by one long-lived sentry thread, so that their
 * parent-death signal (SIGKILL) fires only when the sentry dies. */
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdatomic.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <asm/hwcap2.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cvisor/log.h"
#include "cvisor/memfile.h"
#include "cvisor/platform.h"
#include "../stub_process.h"
#include "sysmsg.h"

#define SIG_INTERRUPT SIGUSR2
#define AREAS_BYTES ((uint64_t)SYSTRAP_MAX_THREADS * SYSTRAP_AREA_SIZE)
#define CODE_BASE (ARCH_STUB_BASE + SYSTRAP_CODE_OFF)
#define DATA ((struct systrap_data *)(ARCH_STUB_BASE + SYSTRAP_DATA_OFF))
/* Pause loops before sleeping on a futex. The sentry waits for the
 * application's next trap: in a syscall-heavy program microseconds away,
 * in one that computes or sleeps much longer. Each context adapts its
 * spin between the bounds: doubled when the trap came within SPIN_WORTH_NS
 * (a longer spin would have caught it, or did), halved otherwise, so a
 * spin that keeps failing stops taking a CPU from the threads that would
 * make progress. The stub waits for the
 * sentry, which either answers at once or blocks for long (a read on an
 * empty pipe): it spins little. */
#define SENTRY_SPIN_MIN 50
#define SENTRY_SPIN_MAX 1000
#define SPIN_WORTH_NS 50000
#define STUB_SPIN 1000		/* the most the stub spins */
#define CMD_SPIN 1000		/* a command is one host mmap or munmap */
/* How long the sentry sleeps on a futex before checking the stub lives. */
#define LIVENESS_NS 200000000L

extern const char systrap_stub_image[], systrap_stub_image_end[];

struct address_space {
	struct platform *p;
	uint64_t id;
	pid_t pid;
	int pidfd;
	int areafd;
	uint8_t *areas;			/* the sentry's mapping of the areas */
	pthread_mutex_t lock;		/* everything below, and area 0 */
	pid_t owner[SYSTRAP_MAX_THREADS]; /* sentry thread running each area */
	pid_t tid[SYSTRAP_MAX_THREADS];	/* host tid of each area's thread */
	bool used[SYSTRAP_MAX_THREADS];
	_Atomic bool dead;
};

struct context {
	struct stub_thread_ref ref;	/* the stub thread it last ran in */
	uint64_t as_id;			/* the address space where IDX is this */
	unsigned idx;			/* the area of this context's thread */
	int spin;			/* the adapted spin (wait_state) */
};

/* The area of the calling sentry thread's trapped stub thread, if any:
 * mapping commands go there rather than to the control thread. */
static __thread struct {
	uint64_t as_id;
	unsigned idx;
} trapped;

static struct sysmsg *area(struct address_space *as, unsigned idx)
{
	return (struct sysmsg *)(as->areas + (uint64_t)idx * SYSTRAP_AREA_SIZE);
}

static long futex(uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

/* The application wrote something impossible into its shared area: the
 * address space is finished (its tasks get SIGKILL), said once. */
static void corrupted(struct address_space *as, const char *what)
{
	if (!atomic_exchange(&as->dead, true))
		log_error("systrap: the application overwrote its shared area (%s): killing it",
			  what);
}

static bool stub_alive(struct address_space *as)
{
	struct pollfd pfd = { .fd = as->pidfd, .events = POLLIN };
	return poll(&pfd, 1, 0) == 0;
}

/* Waits until M's state is no longer FROM, spinning up to *SPIN times
 * first (adapted, see SENTRY_SPIN_MIN; NULL: CMD_SPIN); SYSMSG_DEAD if
 * the thread or the whole stub died meanwhile. */
static uint32_t wait_state(struct address_space *as, struct sysmsg *m, uint32_t from, int *spin)
{
	uint32_t s;
	int n = spin ? MAX(*spin, SENTRY_SPIN_MIN) : CMD_SPIN;
	for (int i = 0; i < n; i++) {
		s = __atomic_load_n(&m->state, __ATOMIC_ACQUIRE);
		if (s != from) {
			if (spin)
				*spin = MIN(n * 2, SENTRY_SPIN_MAX);
			return s;
		}
		__builtin_ia32_pause();
	}
	int64_t slept = spin ? host_monotonic_ns() : 0;
	struct timespec ts = { 0, LIVENESS_NS };
	for (;;) {
		__atomic_store_n(&m->sentry_waiting, 1, __ATOMIC_SEQ_CST);
		s = __atomic_load_n(&m->state, __ATOMIC_SEQ_CST);
		if (s != from)
			break;
		if (futex(&m->state, FUTEX_WAIT, from, &ts) < 0 && errno == ETIMEDOUT &&
		    !stub_alive(as)) {
			s = SYSMSG_DEAD;
			break;
		}
	}
	__atomic_store_n(&m->sentry_waiting, 0, __ATOMIC_RELAXED);
	if (spin)
		*spin = host_monotonic_ns() - slept < SPIN_WORTH_NS ? MIN(n * 2, SENTRY_SPIN_MAX)
								  : MAX(n / 2, SENTRY_SPIN_MIN);
	return s;
}

static void post(struct sysmsg *m, uint32_t s)
{
	__atomic_store_n(&m->state, s, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&m->stub_waiting, __ATOMIC_SEQ_CST))
		futex(&m->state, FUTEX_WAKE, 1, NULL);
}

/* Runs CMD in the thread of area IDX, which waits in state FROM
 * (SYSMSG_TRAPPED, SYSMSG_IDLE or SYSMSG_CMD_DONE). */
static long run_cmd(struct address_space *as, unsigned idx, uint64_t cmd, uint64_t a0,
		    uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct sysmsg *m = area(as, idx);
	uint32_t from = __atomic_load_n(&m->state, __ATOMIC_ACQUIRE);
	if (from != SYSMSG_TRAPPED && from != SYSMSG_IDLE && from != SYSMSG_CMD_DONE) {
		corrupted(as, "a thread's state");
		return -ESRCH;
	}
	m->cmd = cmd;
	m->args[0] = a0;
	m->args[1] = a1;
	m->args[2] = a2;
	m->args[3] = a3;
	post(m, SYSMSG_CMD);
	uint32_t s = wait_state(as, m, SYSMSG_CMD, NULL);
	if (s != SYSMSG_CMD_DONE) {
		if (s == SYSMSG_DEAD)
			as->dead = true;
		else
			corrupted(as, "a command's state");
		return -ESRCH;
	}
	long ret = m->ret;
	/* A trapped thread goes back to waiting as trapped. */
	if (from == SYSMSG_TRAPPED)
		__atomic_store_n(&m->state, SYSMSG_TRAPPED, __ATOMIC_SEQ_CST);
	return ret;
}

/* A command for AS from whichever thread can run it now. */
static long command(struct address_space *as, uint64_t cmd, uint64_t a0, uint64_t a1,
		    uint64_t a2, uint64_t a3)
{
	if (as->dead)
		return -ESRCH;
	if (trapped.as_id == as->id)
		return run_cmd(as, trapped.idx, cmd, a0, a1, a2, a3);
	pthread_mutex_lock(&as->lock);
	long ret = run_cmd(as, 0, cmd, a0, a1, a2, a3);
	pthread_mutex_unlock(&as->lock);
	return ret;
}

/* ---- spawning stubs ---- */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int areafd;		/* request: -1 when none */
	pid_t result;
	bool done;
} spawner = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, -1, 0, false };

static __attribute__((noreturn)) void stub_child(int memfd, int areafd)
{
	stub_process_prepare(memfd, areafd);
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	register long rdi __asm__("rdi") = areafd;
	__asm__ volatile("jmp *%0" : : "r"(CODE_BASE), "r"(rdi));
	__builtin_unreachable();
}

static void *spawner_thread(void *arg)
{
	struct memfile *mf = arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&spawner.lock);
	for (;;) {
		while (spawner.areafd < 0)
			pthread_cond_wait(&spawner.cond, &spawner.lock);
		DATA->memfd = mf->fd;
		pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
		if (pid == 0)
			stub_child(mf->fd, spawner.areafd);
		spawner.result = pid < 0 ? -errno : pid;
		spawner.areafd = -1;
		spawner.done = true;
		pthread_cond_broadcast(&spawner.cond);
	}
	return NULL;
}

static pid_t spawn(int areafd)
{
	pthread_mutex_lock(&spawner.lock);
	while (spawner.areafd >= 0 || spawner.done)
		pthread_cond_wait(&spawner.cond, &spawner.lock);
	spawner.areafd = areafd;
	pthread_cond_broadcast(&spawner.cond);
	while (!spawner.done)
		pthread_cond_wait(&spawner.cond, &spawner.lock);
	pid_t pid = spawner.result;
	spawner.done = false;
	pthread_cond_broadcast(&spawner.cond);
	pthread_mutex_unlock(&spawner.lock);
	return pid;
}

/* seccomp: system calls from the stub's code run; any other traps. */
static size_t build_filter(struct sock_filter *f)
{
	uint32_t lo = (uint32_t)CODE_BASE, hi = (uint32_t)(CODE_BASE >> 32);
	const struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, instruction_pointer) + 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, hi, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, lo, 0, 1),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, lo + (uint32_t)SYSTRAP_CODE_SIZE, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	memcpy(f, prog, sizeof(prog));
	return ARRAY_SIZE(prog);
}

static int systrap_init(struct platform *p, struct memfile *mf)
{
	size_t len = (size_t)(systrap_stub_image_end - systrap_stub_image);
	if (len > SYSTRAP_CODE_SIZE)
		return -E2BIG;
	/* Code and data in the stub region, which every stub inherits. The
	 * areas above it need no room in the sentry: a stub maps them over
	 * whatever of the sentry it found there. */
	int err;
	if ((err = stub_region_map(SYSTRAP_CODE_OFF, SYSTRAP_CODE_SIZE, systrap_stub_image, len,
				   PROT_READ | PROT_EXEC)) < 0 ||
	    (err = stub_region_map(SYSTRAP_DATA_OFF, SYSTRAP_DATA_SIZE, NULL, 0,
				   PROT_READ | PROT_WRITE)) < 0)
		return err;
	DATA->filter_len = build_filter((struct sock_filter *)DATA->filter);
	DATA->spin = STUB_SPIN;
	DATA->fsgsbase = (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE) != 0;
	p->mf = mf;
	pthread_t th;
	if (pthread_create(&th, NULL, spawner_thread, mf) != 0)
		return -EAGAIN;
	pthread_detach(th);
	return 0;
}

bool systrap_supported(const char **why)
{
	uint32_t action = SECCOMP_RET_TRAP;
	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) < 0) {
		*why = "no seccomp SECCOMP_RET_TRAP";
		return false;
	}
	int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (fd < 0) {
		*why = "no pidfd_open";
		return false;
	}
	close(fd);
	return true;
}

/* ---- address spaces ---- */

static int new_thread(struct address_space *as)
{
	pthread_mutex_lock(&as->lock);
	unsigned idx = 1;
	while (idx < SYSTRAP_MAX_THREADS && as->used[idx])
		idx++;
	if (idx == SYSTRAP_MAX_THREADS) {
		pthread_mutex_unlock(&as->lock);
		return -EAGAIN;
	}
	struct sysmsg *m = area(as, idx);
	memset(m, 0, sizeof(*m));
	long tid = run_cmd(as, 0, SYSMSG_CMD_CLONE, idx, 0, 0, 0);
	if (tid > 0) {
		as->used[idx] = true;
		as->owner[idx] = 0;
		as->tid[idx] = (pid_t)tid;
	}
	pthread_mutex_unlock(&as->lock);
	return tid < 0 ? (int)tid : 0;
}

static void release_areas(struct address_space *as)
{
	if (as->areas)
		munmap(as->areas, AREAS_BYTES);
	if (as->areafd >= 0)
		close(as->areafd);
	if (as->pidfd >= 0)
		close(as->pidfd);
	pthread_mutex_destroy(&as->lock);
	free(as);
}

static struct address_space *systrap_as_new(struct platform *p)
{
	struct address_space *as = xzalloc(sizeof(*as));
	static _Atomic uint64_t next_id = 1;
	as->p = p;
	as->id = next_id++;
	as->pidfd = -1;
	pthread_mutex_init(&as->lock, NULL);
	int err = -ENOMEM;
	as->areafd = memfd_create("cvisor-sysmsg", MFD_CLOEXEC);
	if (as->areafd < 0 || ftruncate(as->areafd, (off_t)AREAS_BYTES) < 0)
		goto fail;
	as->areas = mmap(NULL, AREAS_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
			 as->areafd, 0);
	if (as->areas == MAP_FAILED) {
		as->areas = NULL;
		goto fail;
	}
	pid_t pid = spawn(as->areafd);
	if ((err = pid) < 0)
		goto fail;
	as->pid = pid;
	as->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct sysmsg *control = area(as, 0);
	if (as->pidfd < 0 || wait_state(as, control, SYSMSG_DEAD, NULL) != SYSMSG_IDLE ||
	    (err = new_thread(as)) < 0) {
		int status;
		kill(pid, SIGKILL);
		waitpid(pid, &status, __WALL);
		log_error("systrap: stub %d did not start (%s)", pid,
			  WIFEXITED(status) ? "exited" : "killed");
		err = err < 0 ? err : -ECHILD;
		goto fail;
	}
	return as;
fail:
	release_areas(as);
	return ERR_PTR(err < 0 ? err : -ENOMEM);
}

static void systrap_as_release(struct address_space *as)
{
	if (as->pid > 0) {
		kill(as->pid, SIGKILL);
		while (waitpid(as->pid, NULL, __WALL) < 0 && errno == EINTR)
			;
	}
	release_areas(as);
}

static int systrap_as_map(struct address_space *as, uaddr_t addr, uint64_t size, int prot,
			  uint64_t mf_off)
{
	long ret = command(as, SYSMSG_CMD_MAP, addr, size, (uint64_t)prot, mf_off);
	return ret < 0 && ret > -4096 ? (int)ret : 0;
}

static int systrap_as_unmap(struct address_space *as, uaddr_t addr, uint64_t size)
{
	long ret = command(as, SYSMSG_CMD_UNMAP, addr, size, 0, 0);
	return ret < 0 ? (int)ret : 0;
}

static int systrap_as_add_thread(struct address_space *as)
{
	return new_thread(as);
}

/* The calling sentry thread's area in AS, or 0. */
static unsigned my_area(struct address_space *as)
{
	pid_t self = gettid();
	unsigned found = 0;
	pthread_mutex_lock(&as->lock);
	for (unsigned i = 1; i < SYSTRAP_MAX_THREADS && !found; i++)
		if (as->used[i] && as->owner[i] == self)
			found = i;
	pthread_mutex_unlock(&as->lock);
	return found;
}

static void systrap_as_remove_thread(struct address_space *as)
{
	unsigned idx = my_area(as);
	if (!idx)
		return;
	if (!as->dead) {
		struct sysmsg *m = area(as, idx);
		m->cmd = SYSMSG_CMD_EXIT;
		post(m, SYSMSG_CMD);
		wait_state(as, m, SYSMSG_CMD, NULL);
	}
	if (trapped.as_id == as->id)
		trapped.as_id = 0;
	pthread_mutex_lock(&as->lock);
	as->used[idx] = false;
	pthread_mutex_unlock(&as->lock);
}

/* ---- contexts ---- */

static struct context *systrap_ctx_new(struct platform *p)
{
	return stub_ctx_alloc(sizeof(struct context), SIG_INTERRUPT);
}

/* The ucontext of the frame in area IDX, as the sentry sees it; NULL if
 * the pointer the area holds is not inside the area. */
static ucontext_t *frame(struct address_space *as, unsigned idx)
{
	struct sysmsg *m = area(as, idx);
	uint64_t base = ARCH_STUB_BASE + SYSTRAP_AREAS_OFF + (uint64_t)idx * SYSTRAP_AREA_SIZE;
	uint64_t uc = m->ucontext;
	size_t need = offsetof(ucontext_t, uc_sigmask) + sizeof(uint64_t);
	if (uc < base + SYSTRAP_THREAD_STACK || uc > base + SYSTRAP_AREA_SIZE - need || uc % 8)
		return NULL;
	return (ucontext_t *)((uint8_t *)m + (uc - base));
}

/* The XSAVE image of the frame in area IDX, with its size; NULL if out
 * of the area or not an extended frame. */
static uint8_t *frame_fpu(struct address_space *as, unsigned idx, ucontext_t *uc, size_t *size)
{
	struct sysmsg *m = area(as, idx);
	uint64_t base = ARCH_STUB_BASE + SYSTRAP_AREAS_OFF + (uint64_t)idx * SYSTRAP_AREA_SIZE;
	uint64_t fp = (uint64_t)uc->uc_mcontext.fpregs;
	size_t n = arch_fpu_size();
	if (fp < base + SYSTRAP_THREAD_STACK || fp > base + SYSTRAP_AREA_SIZE - n || fp % 64)
		return NULL;
	*size = n;
	return (uint8_t *)m + (fp - base);
}

/* Where each general register is in user_regs_struct and in the
 * signal frame's mcontext. */
#define UREG(name, greg) { offsetof(struct user_regs_struct, name) / 8, greg }
static const struct {
	unsigned user, greg;
} reg_map[] = {
	UREG(r8, REG_R8),   UREG(r9, REG_R9),   UREG(r10, REG_R10), UREG(r11, REG_R11),
	UREG(r12, REG_R12), UREG(r13, REG_R13), UREG(r14, REG_R14), UREG(r15, REG_R15),
	UREG(rdi, REG_RDI), UREG(rsi, REG_RSI), UREG(rbp, REG_RBP), UREG(rbx, REG_RBX),
	UREG(rdx, REG_RDX), UREG(rax, REG_RAX), UREG(rcx, REG_RCX), UREG(rsp, REG_RSP),
	UREG(rip, REG_RIP), UREG(eflags, REG_EFL),
};

static void regs_to_frame(const struct user_regs_struct *r, ucontext_t *uc)
{
	const uint64_t *words = (const uint64_t *)r;
	for (size_t i = 0; i < ARRAY_SIZE(reg_map); i++)
		uc->uc_mcontext.gregs[reg_map[i].greg] = (greg_t)words[reg_map[i].user];
	/* The stub thread blocks nothing while the application runs. */
	memset(&uc->uc_sigmask, 0, sizeof(uint64_t));
}

static void regs_from_frame(struct user_regs_struct *r, const ucontext_t *uc)
{
	uint64_t *words = (uint64_t *)r;
	for (size_t i = 0; i < ARRAY_SIZE(reg_map); i++)
		words[reg_map[i].user] = (uint64_t)uc->uc_mcontext.gregs[reg_map[i].greg];
}

/* The fx_sw_bytes the kernel keeps in the legacy area's unused tail:
 * they tell sigreturn how to restore, so they stay the kernel's. */
#define FX_SW_OFF 464
#define FX_SW_LEN 48

static void load_fpu(uint8_t *dst, size_t size, struct arch_regs *regs)
{
	memcpy(dst, regs->fpu.xsave, FX_SW_OFF);
	memcpy(dst + FX_SW_OFF + FX_SW_LEN, regs->fpu.xsave + FX_SW_OFF + FX_SW_LEN,
	       size - FX_SW_OFF - FX_SW_LEN);
	regs->fpu.saved = false;
}

static int systrap_ctx_save_fpu(struct context *c, struct address_space *as,
				struct arch_regs *regs)
{
	if (regs->fpu.saved)
		return 0;
	ucontext_t *uc = frame(as, c->idx);
	size_t size;
	uint8_t *fp = uc ? frame_fpu(as, c->idx, uc, &size) : NULL;
	if (!fp)
		return -EFAULT;
	arch_fpu_alloc(&regs->fpu);
	memcpy(regs->fpu.xsave, fp, size);
	arch_fpu_sanitize(regs->fpu.xsave, true);
	regs->fpu.saved = true;
	return 0;
}

/* Takes a thread as_add_thread (or as_new) made for a new context. */
static int take_thread(struct address_space *as, struct context *c)
{
	pid_t self = gettid();
	unsigned idx = 0;
	pthread_mutex_lock(&as->lock);
	for (unsigned i = 1; i < SYSTRAP_MAX_THREADS && !idx; i++)
		if (as->used[i] && !as->owner[i])
			idx = i;
	if (idx)
		as->owner[idx] = self;
	pthread_mutex_unlock(&as->lock);
	if (!idx)
		return -ESRCH;
	/* Its first trap: the thread raises an interrupt at start. */
	if (wait_state(as, area(as, idx), SYSMSG_CMD, NULL) != SYSMSG_TRAPPED)
		return -ESRCH;
	c->as_id = as->id;
	c->idx = idx;
	return 0;
}

static enum switch_result systrap_ctx_switch(struct context *c, struct address_space *as,
					     struct arch_regs *regs, struct fault_info *fi)
{
	if (as->dead)
		return SWITCH_DEAD;
	if (c->as_id != as->id && take_thread(as, c) < 0)
		goto dead;
	struct sysmsg *m = area(as, c->idx);
	c->ref.tgid = as->pid;
	c->ref.tid = as->tid[c->idx];
	if (c->ref.interrupt) {
		c->ref.interrupt = false;
		return SWITCH_INTERRUPT;
	}
	ucontext_t *uc = frame(as, c->idx);
	if (!uc) {
		corrupted(as, "a signal frame's address");
		return SWITCH_DEAD;
	}
	regs_to_frame(&regs->r, uc);
	if (regs->fpu.saved) {
		size_t size;
		uint8_t *fp = frame_fpu(as, c->idx, uc, &size);
		if (!fp) {
			corrupted(as, "an FPU state's address");
			return SWITCH_DEAD;
		}
		load_fpu(fp, size, regs);
	}
	m->set_fs_base = regs->r.fs_base != m->fs_base;
	m->new_fs_base = regs->r.fs_base;
	trapped.as_id = 0;
	post(m, SYSMSG_RESUME);
	uint32_t s = wait_state(as, m, SYSMSG_RESUME, &c->spin);
	if (s == SYSMSG_DEAD)
		goto dead;
	if (s != SYSMSG_TRAPPED || !(uc = frame(as, c->idx))) {
		corrupted(as, s != SYSMSG_TRAPPED ? "a thread's state" : "a signal frame's address");
		return SWITCH_DEAD;
	}
	trapped.as_id = as->id;
	trapped.idx = c->idx;
	regs_from_frame(&regs->r, uc);
	regs->r.fs_base = m->fs_base;
	switch (m->signo) {
	case SIGSYS:
		if (m->fault_code != 1 /* SYS_SECCOMP */)
			break;
		regs->r.orig_rax = regs->r.rax;
		regs->r.rax = (uint64_t)-ENOSYS;
		return SWITCH_SYSCALL;
	case SIGSEGV:
	case SIGBUS:
	case SIGFPE:
	case SIGILL:
	case SIGTRAP:
		fi->signo = (int)m->signo;
		fi->code = m->fault_code;
		fi->addr = m->fault_addr;
		fi->write = uc->uc_mcontext.gregs[REG_TRAPNO] == 14 /* #PF */
				    ? (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0 : -1;
		return SWITCH_FAULT;
	}
	c->ref.interrupt = false;
	return SWITCH_INTERRUPT;
dead:
	as->dead = true;
	return SWITCH_DEAD;
}

const struct platform_ops systrap_platform_ops = {
	.name = "systrap",
	.init = systrap_init,
	.as_new = systrap_as_new,
	.as_release = systrap_as_release,
	.as_map = systrap_as_map,
	.as_unmap = systrap_as_unmap,
	.as_add_thread = systrap_as_add_thread,
	.as_remove_thread = systrap_as_remove_thread,
	.ctx_new = systrap_ctx_new,
	.ctx_release = stub_ctx_release,
	.ctx_switch = systrap_ctx_switch,
	.ctx_save_fpu = systrap_ctx_save_fpu,
	.ctx_interrupt = stub_ctx_interrupt,
	.ctx_cpu_ns = stub_ctx_cpu_ns,
};
