/* The x86-64 rt signal frame, laid out as Linux's (arch/x86/kernel/
 * signal_64.c): below the interrupted stack pointer and its red zone, the
 * XSAVE image (64-aligned, followed by FP_XSTATE_MAGIC2), then struct
 * rt_sigframe whose first word is the restorer the handler returns to. */
#include <stddef.h>
#include <string.h>

#include "cvisor/signal.h"
#include "cvisor/task.h"
#include "fpu_layout.h"

#define USER_CS 0x33
#define USER_DS 0x2b
#define RED_ZONE 128

/* Linux's ucontext flags: the frame has XSAVE state and saves SS. */
#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4

/* EFLAGS bits sigreturn may change (Linux's FIX_EFLAGS). */
#define EFLAGS_CF 0x1
#define EFLAGS_PF 0x4
#define EFLAGS_AF 0x10
#define EFLAGS_ZF 0x40
#define EFLAGS_SF 0x80
#define EFLAGS_TF 0x100
#define EFLAGS_DF 0x400
#define EFLAGS_OF 0x800
#define EFLAGS_AC 0x40000
#define EFLAGS_RF 0x10000
#define FIX_EFLAGS (EFLAGS_AC | EFLAGS_OF | EFLAGS_DF | EFLAGS_TF | EFLAGS_SF | EFLAGS_ZF | \
		    EFLAGS_AF | EFLAGS_PF | EFLAGS_CF | EFLAGS_RF)

/* The kernel's struct sigcontext (uapi asm/sigcontext.h, 64-bit). */
struct sigcontext_k {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};

struct stack_k {
	uint64_t ss_sp;
	int32_t ss_flags;
	uint32_t pad;
	uint64_t ss_size;
};

struct ucontext_k {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct stack_k uc_stack;
	struct sigcontext_k uc_mcontext;
	uint64_t uc_sigmask;
};

struct rt_sigframe {
	uint64_t pretcode;
	struct ucontext_k uc;
	siginfo_t info;
};

_Static_assert(sizeof(struct sigcontext_k) == 256, "struct sigcontext layout");
_Static_assert(offsetof(struct rt_sigframe, uc.uc_mcontext) == 48, "ucontext layout");
_Static_assert(offsetof(struct rt_sigframe, info) == 312, "rt_sigframe layout");

static void save_sigcontext(struct sigcontext_k *sc, const struct user_regs_struct *r)
{
	*sc = (struct sigcontext_k){
		.r8 = r->r8, .r9 = r->r9, .r10 = r->r10, .r11 = r->r11,
		.r12 = r->r12, .r13 = r->r13, .r14 = r->r14, .r15 = r->r15,
		.rdi = r->rdi, .rsi = r->rsi, .rbp = r->rbp, .rbx = r->rbx,
		.rdx = r->rdx, .rax = r->rax, .rcx = r->rcx, .rsp = r->rsp,
		.rip = r->rip, .eflags = r->eflags,
		.cs = USER_CS, .ss = USER_DS,
	};
}

/* Writes T's FPU image at BUF_FX with the software bytes and trailing
 * magic that mark a full XSAVE frame. */
static int save_fpu(struct task *t, uaddr_t buf_fx)
{
	task_save_fpu(t);
	uint8_t *x = t->regs.fpu.xsave;
	size_t size = arch_fpu_size();
	struct fpx_sw_bytes sw = {
		.magic1 = FP_XSTATE_MAGIC1,
		.extended_size = (uint32_t)size + 4,
		.xfeatures = arch_fpu_features(),
		.xstate_size = (uint32_t)size,
	};
	memcpy(x + FX_SW_BYTES, &sw, sizeof(sw));
	uint32_t magic2 = FP_XSTATE_MAGIC2;
	if (copy_out(t, buf_fx, x, size) < 0 ||
	    copy_out(t, buf_fx + size, &magic2, sizeof(magic2)) < 0)
		return -EFAULT;
	return 0;
}

int arch_signal_setup_frame(struct task *t, const struct sigaction_k *sa, const siginfo_t *info,
			    uint64_t oldmask)
{
	struct user_regs_struct *r = &t->regs.r;
	uaddr_t sp = r->rsp - RED_ZONE;
	bool nested = sigaltstack_on(t, r->rsp);
	bool entering = false;
	stack_t saved_stack = sigaltstack_get(t, r->rsp);

	/* Linux requires a restorer on x86-64 (glibc always sets one). */
	if (!(sa->flags & SA_RESTORER))
		return -EFAULT;
	if ((sa->flags & SA_ONSTACK) && !(saved_stack.ss_flags & (SS_DISABLE | SS_ONSTACK))) {
		sp = t->altstack.sp + t->altstack.size;
		entering = true;
	}
	uaddr_t buf_fx = round_down(sp - arch_fpu_size() - 4, 64);
	uaddr_t frame = round_down(buf_fx - sizeof(struct rt_sigframe), 16) - 8;
	/* A frame that would overflow the alternate stack kills instead. */
	if ((nested && !sigaltstack_on(t, frame)) || (entering && frame < t->altstack.sp))
		return -EFAULT;
	if (frame > sp)
		return -EFAULT;

	struct rt_sigframe f;
	memset(&f, 0, sizeof(f));
	f.pretcode = sa->restorer;
	f.uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f.uc.uc_stack = (struct stack_k){ .ss_sp = (uint64_t)saved_stack.ss_sp,
					  .ss_flags = saved_stack.ss_flags,
					  .ss_size = saved_stack.ss_size };
	save_sigcontext(&f.uc.uc_mcontext, r);
	/* The fault this signal reports, if it is one (Linux keeps them in
	 * the thread: trap_nr, error_code, cr2). */
	struct arch_fault *fault = &t->regs.fault;
	if (fault->signo == info->si_signo && info->si_code > 0) {
		f.uc.uc_mcontext.trapno = fault->trapno;
		f.uc.uc_mcontext.err = fault->err;
		f.uc.uc_mcontext.cr2 = fault->cr2;
		fault->signo = 0;
	}
	f.uc.uc_mcontext.oldmask = oldmask;
	f.uc.uc_mcontext.fpstate = buf_fx;
	f.uc.uc_sigmask = oldmask;
	f.info = *info;
	if (save_fpu(t, buf_fx) < 0 || copy_out(t, frame, &f, sizeof(f)) < 0)
		return -EFAULT;
	if (t->altstack.flags & SS_AUTODISARM)
		t->altstack = (struct sigaltstack_k){ .flags = SS_DISABLE };

	/* The handler starts with a clean FPU, as on Linux. */
	arch_fpu_reset(&t->regs.fpu);
	r->rdi = (uint64_t)info->si_signo;
	r->rsi = frame + offsetof(struct rt_sigframe, info);
	r->rdx = frame + offsetof(struct rt_sigframe, uc);
	r->rax = 0;
	r->rsp = frame;
	r->rip = sa->handler;
	r->cs = USER_CS;
	r->ss = USER_DS;
	r->eflags &= ~(uint64_t)(EFLAGS_DF | EFLAGS_RF | EFLAGS_TF);
	return 0;
}

/* Loads the FPU image a frame points at (FPSTATE; 0 means none: the
 * initial state), checked like Linux's check_xstate_in_sigframe: without
 * both magics and the right size only the legacy part is taken. */
static int restore_fpu(struct task *t, uaddr_t fpstate)
{
	struct arch_fpu *fpu = &t->regs.fpu;
	size_t size = arch_fpu_size();

	arch_fpu_reset(fpu);
	if (!fpstate)
		return 0;
	if (copy_in(t, fpu->xsave, fpstate, FX_SIZE) < 0)
		return -EFAULT;
	struct fpx_sw_bytes sw;
	memcpy(&sw, fpu->xsave + FX_SW_BYTES, sizeof(sw));
	uint32_t magic2 = 0;
	bool full = sw.magic1 == FP_XSTATE_MAGIC1 && sw.xstate_size == size &&
		    sw.extended_size == size + 4 &&
		    copy_in(t, &magic2, fpstate + size, sizeof(magic2)) == 0 &&
		    magic2 == FP_XSTATE_MAGIC2;
	if (full && copy_in(t, fpu->xsave + FX_SIZE, fpstate + FX_SIZE, size - FX_SIZE) < 0)
		return -EFAULT;
	arch_fpu_sanitize(fpu->xsave, full);
	return 0;
}

int arch_signal_return(struct task *t)
{
	struct user_regs_struct *r = &t->regs.r;
	struct ucontext_k uc;

	if (copy_in(t, &uc, r->rsp - 8 + offsetof(struct rt_sigframe, uc), sizeof(uc)) < 0)
		return -EFAULT;
	const struct sigcontext_k *sc = &uc.uc_mcontext;
	if (restore_fpu(t, sc->fpstate) < 0)
		return -EFAULT;
	r->r8 = sc->r8; r->r9 = sc->r9; r->r10 = sc->r10; r->r11 = sc->r11;
	r->r12 = sc->r12; r->r13 = sc->r13; r->r14 = sc->r14; r->r15 = sc->r15;
	r->rdi = sc->rdi; r->rsi = sc->rsi; r->rbp = sc->rbp; r->rbx = sc->rbx;
	r->rdx = sc->rdx; r->rax = sc->rax; r->rcx = sc->rcx; r->rsp = sc->rsp;
	r->rip = sc->rip;
	r->eflags = (r->eflags & ~(uint64_t)FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	r->cs = USER_CS;
	r->ss = USER_DS;
	r->orig_rax = (uint64_t)-1;	/* no syscall to restart */

	signal_set_mask(t, uc.uc_sigmask);
	/* Linux's restore_altstack ignores what sigaltstack refuses. */
	stack_t ss = { .ss_sp = (void *)uc.uc_stack.ss_sp, .ss_flags = uc.uc_stack.ss_flags,
		       .ss_size = uc.uc_stack.ss_size };
	sigaltstack_set(t, &ss, r->rsp);
	return 0;
}
