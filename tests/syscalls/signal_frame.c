/* The signal frame: the context a handler gets and rt_sigreturn puts
 * back. General registers (a handler may change them through its
 * ucontext), rflags, the FPU/SSE/AVX/AVX-512 state, the stack a handler
 * starts on (ABI alignment, the red zone below the interrupted rsp) and
 * sigaltstack.
 *
 * The register checks use small functions written in assembly, so that
 * the compiler keeps nothing of its own in the registers or stack slots
 * under test; signals are sent with a raw syscall instruction inside one
 * asm statement for the same reason. Every test puts the dispositions it
 * changed back to SIG_DFL. */
#include "test.h"

#include <stddef.h>
#include <sys/mman.h>
#include <ucontext.h>

/* From the uapi <linux/signal.h>, which cannot be included next to
 * glibc's <signal.h>. */
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

static volatile sig_atomic_t hits;
static greg_t seen_gregs[NGREG];	/* the last handler's uc_mcontext */

static void reset_seen_gregs(void)
{
	hits = 0;
	memset(seen_gregs, 0, sizeof(seen_gregs));
}

/* Called by the SA_SIGINFO handlers below. */
static void record_gregs(void *ucv)
{
	ucontext_t *uc = ucv;

	memcpy(seen_gregs, uc->uc_mcontext.gregs, sizeof(seen_gregs));
	hits++;
}

/* --- registers: the context a handler sees and changes --- */

/* The assembly helpers. Each is a plain function (System V ABI) whose
 * body is fixed, so that the tests know exactly which instruction traps
 * and what is in every register at that moment. */
uint64_t asm_gpr_in[14], asm_gpr_out[14];
extern char asm_ud2_then_rax[], asm_ud2_then_rax_trap[];
extern char asm_all_gprs[], asm_all_gprs_trap[];
extern char asm_redzone[], asm_redzone_trap[];
extern char asm_direction_flag[];
extern char asm_record_rsp_handler[], asm_record_rsp_skip_handler[];
uint64_t asm_handler_rsp;

long call_ud2_then_rax(long rax) __asm__("asm_ud2_then_rax");
void call_all_gprs(void) __asm__("asm_all_gprs");
int call_redzone(void) __asm__("asm_redzone");
void call_ud2_with_rsp_lowered(long by) __asm__("asm_ud2_with_rsp_lowered");
long call_direction_flag(void) __asm__("asm_direction_flag");

__asm__(
	".text\n"
	/* long asm_ud2_then_rax(long rax): returns rax as it is after a
	 * ud2 that a SIGILL handler skips. */
	".globl asm_ud2_then_rax, asm_ud2_then_rax_trap\n"
	"asm_ud2_then_rax:\n"
	"	mov %rdi, %rax\n"
	"asm_ud2_then_rax_trap:\n"
	"	ud2\n"
	"	ret\n"

	/* void asm_all_gprs(void): loads asm_gpr_in into every general
	 * register but rsp and rbp, traps, stores them to asm_gpr_out. */
	".globl asm_all_gprs, asm_all_gprs_trap\n"
	"asm_all_gprs:\n"
	"	push %rbx; push %r12; push %r13; push %r14; push %r15\n"
	"	mov asm_gpr_in+0(%rip), %rax\n"
	"	mov asm_gpr_in+8(%rip), %rbx\n"
	"	mov asm_gpr_in+16(%rip), %rcx\n"
	"	mov asm_gpr_in+24(%rip), %rdx\n"
	"	mov asm_gpr_in+32(%rip), %rsi\n"
	"	mov asm_gpr_in+40(%rip), %rdi\n"
	"	mov asm_gpr_in+48(%rip), %r8\n"
	"	mov asm_gpr_in+56(%rip), %r9\n"
	"	mov asm_gpr_in+64(%rip), %r10\n"
	"	mov asm_gpr_in+72(%rip), %r11\n"
	"	mov asm_gpr_in+80(%rip), %r12\n"
	"	mov asm_gpr_in+88(%rip), %r13\n"
	"	mov asm_gpr_in+96(%rip), %r14\n"
	"	mov asm_gpr_in+104(%rip), %r15\n"
	"asm_all_gprs_trap:\n"
	"	ud2\n"
	"	mov %rax, asm_gpr_out+0(%rip)\n"
	"	mov %rbx, asm_gpr_out+8(%rip)\n"
	"	mov %rcx, asm_gpr_out+16(%rip)\n"
	"	mov %rdx, asm_gpr_out+24(%rip)\n"
	"	mov %rsi, asm_gpr_out+32(%rip)\n"
	"	mov %rdi, asm_gpr_out+40(%rip)\n"
	"	mov %r8, asm_gpr_out+48(%rip)\n"
	"	mov %r9, asm_gpr_out+56(%rip)\n"
	"	mov %r10, asm_gpr_out+64(%rip)\n"
	"	mov %r11, asm_gpr_out+72(%rip)\n"
	"	mov %r12, asm_gpr_out+80(%rip)\n"
	"	mov %r13, asm_gpr_out+88(%rip)\n"
	"	mov %r14, asm_gpr_out+96(%rip)\n"
	"	mov %r15, asm_gpr_out+104(%rip)\n"
	"	pop %r15; pop %r14; pop %r13; pop %r12; pop %rbx\n"
	"	ret\n"

	/* int asm_redzone(void): fills the 128-byte red zone below rsp,
	 * traps, and returns 1 if the red zone is unchanged. */
	".globl asm_redzone, asm_redzone_trap\n"
	"asm_redzone:\n"
	"	lea -128(%rsp), %rdi\n"
	"	mov $16, %ecx\n"
	"	movabs $0x5a5aa5a5c3c33c3c, %rax\n"
	"	rep stosq\n"
	"asm_redzone_trap:\n"
	"	ud2\n"
	"	lea -128(%rsp), %rdi\n"
	"	mov $16, %ecx\n"
	"	movabs $0x5a5aa5a5c3c33c3c, %rax\n"
	"	repe scasq\n"
	"	sete %al\n"
	"	movzbl %al, %eax\n"
	"	ret\n"

	/* long asm_direction_flag(void): sets DF, traps (the SIGILL handler
	 * skips the ud2), returns rflags as they are after the trap. */
	".globl asm_direction_flag\n"
	"asm_direction_flag:\n"
	"	std\n"
	"	ud2\n"
	"	pushf\n"
	"	pop %rax\n"
	"	cld\n"
	"	ret\n"

	/* void asm_ud2_with_rsp_lowered(long by): traps with rsp lowered by
	 * that many bytes, whatever the alignment that gives. */
	".globl asm_ud2_with_rsp_lowered\n"
	"asm_ud2_with_rsp_lowered:\n"
	"	mov %rsp, %rax\n"
	"	sub %rdi, %rsp\n"
	"	ud2\n"
	"	mov %rax, %rsp\n"
	"	ret\n"

	/* A signal handler that only records its rsp at entry. */
	".globl asm_record_rsp_handler\n"
	"asm_record_rsp_handler:\n"
	"	mov %rsp, asm_handler_rsp(%rip)\n"
	"	ret\n"

	/* An SA_SIGINFO handler that records its rsp at entry and skips the
	 * ud2 it was called for: gregs[REG_RIP] of the ucontext in rdx. */
	".globl asm_record_rsp_skip_handler\n"
	"asm_record_rsp_skip_handler:\n"
	"	mov %rsp, asm_handler_rsp(%rip)\n"
	"	addq $2, 168(%rdx)\n"
	"	ret\n");
_Static_assert(offsetof(ucontext_t, uc_mcontext.gregs[REG_RIP]) == 168,
	       "asm_record_rsp_skip_handler's offset of the saved rip");

static volatile long sigill_set_rax;	/* if nonzero, the handler's new rax */
static volatile uint64_t sigill_handler_rflags;

/* Skips the 2-byte ud2 it was called for; optionally changes rax; and
 * clobbers every caller-saved register on the way (it is C code). */
static void skip_ud2_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint64_t flags;

	__asm__ volatile("pushf; pop %0" : "=r"(flags));
	sigill_handler_rflags = flags;
	record_gregs(ucv);
	uc->uc_mcontext.gregs[REG_RIP] += 2;
	if (sigill_set_rax)
		uc->uc_mcontext.gregs[REG_RAX] = sigill_set_rax;
	/* Some work with the registers a trap must not lose. */
	char junk[256];
	memset(junk, 0xee, sizeof(junk));
	snprintf(junk, sizeof(junk), "%d %p %lld", sig, (void *)si,
		 (long long)test_now_ns());
}

TEST(handler_sees_the_faulting_rip_and_can_skip_it)
{
	reset_seen_gregs();
	sigill_set_rax = 0;
	ASSERT_OK(test_set_handler(SIGILL, skip_ud2_handler, SA_SIGINFO));
	EXPECT_EQ(call_ud2_then_rax(1234), 1234);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_gregs[REG_RIP], (greg_t)asm_ud2_then_rax_trap);
	EXPECT_EQ(seen_gregs[REG_RAX], 1234);
	test_set_handler(SIGILL, SIG_DFL, 0);
}

/* rt_sigreturn restores the registers from the ucontext, so a handler
 * may change them. */
TEST(handler_changes_to_ucontext_registers_are_honoured)
{
	reset_seen_gregs();
	sigill_set_rax = 0x7777;
	ASSERT_OK(test_set_handler(SIGILL, skip_ud2_handler, SA_SIGINFO));
	EXPECT_EQ(call_ud2_then_rax(1), 0x7777);
	EXPECT_EQ(hits, 1);
	sigill_set_rax = 0;
	test_set_handler(SIGILL, SIG_DFL, 0);
}

static void set_rax_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	(void)si;
	record_gregs(ucv);
	uc->uc_mcontext.gregs[REG_RAX] = 0x5151;
}

/* A signal delivered on the way out of a syscall: the ucontext has the
 * syscall's result in rax and rip after the syscall instruction; a
 * handler's change of rax replaces the result. */
TEST(handler_sees_and_can_replace_a_syscall_result)
{
	long rax = SYS_kill;

	reset_seen_gregs();
	ASSERT_OK(test_set_handler(SIGUSR1, set_rax_handler, SA_SIGINFO));
	__asm__ volatile("syscall"
			 : "+a"(rax)
			 : "D"((long)getpid()), "S"((long)SIGUSR1)
			 : "rcx", "r11", "memory");
	EXPECT_EQ(rax, 0x5151);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_gregs[REG_RAX], 0);
	EXPECT_EQ(seen_gregs[REG_RDI], getpid());
	EXPECT_EQ(seen_gregs[REG_RSI], SIGUSR1);
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

TEST(general_registers_survive_a_handler)
{
	int i;

	reset_seen_gregs();
	sigill_set_rax = 0;
	for (i = 0; i < 14; i++) {
		asm_gpr_in[i] = 0x0101010101010101ULL * (i + 1) ^ 0x8000000000000000ULL;
		asm_gpr_out[i] = 0;
	}
	ASSERT_OK(test_set_handler(SIGILL, skip_ud2_handler, SA_SIGINFO));
	call_all_gprs();
	EXPECT_EQ(hits, 1);
	EXPECT_MEMEQ(asm_gpr_out, asm_gpr_in, sizeof(asm_gpr_in));
	/* The ucontext had them too, in its own order. */
	EXPECT_EQ(seen_gregs[REG_RAX], asm_gpr_in[0]);
	EXPECT_EQ(seen_gregs[REG_RBX], asm_gpr_in[1]);
	EXPECT_EQ(seen_gregs[REG_R11], asm_gpr_in[9]);
	EXPECT_EQ(seen_gregs[REG_R15], asm_gpr_in[13]);
	EXPECT_EQ(seen_gregs[REG_RIP], (greg_t)asm_all_gprs_trap);
	test_set_handler(SIGILL, SIG_DFL, 0);
}

/* The x86-64 ABI lets code keep data in the 128 bytes below rsp; the
 * signal frame must go below them. */
TEST(signal_frame_leaves_the_red_zone_alone)
{
	reset_seen_gregs();
	ASSERT_OK(test_set_handler(SIGILL, skip_ud2_handler, SA_SIGINFO));
	EXPECT_EQ(call_redzone(), 1);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(seen_gregs[REG_RIP], (greg_t)asm_redzone_trap);
	test_set_handler(SIGILL, SIG_DFL, 0);
}

#define X86_DF 0x400

/* Handlers start with the direction flag clear (the ABI requires it of
 * every function entry); rt_sigreturn puts the interrupted one back. */
TEST(handler_runs_with_df_clear_and_df_is_restored)
{
	reset_seen_gregs();
	ASSERT_OK(test_set_handler(SIGILL, skip_ud2_handler, SA_SIGINFO));
	long flags = call_direction_flag();
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(sigill_handler_rflags & X86_DF, 0);
	EXPECT_EQ(seen_gregs[REG_EFL] & X86_DF, X86_DF);
	EXPECT_EQ(flags & X86_DF, X86_DF);
	test_set_handler(SIGILL, SIG_DFL, 0);
}

/* The ABI: at a function's first instruction (rsp + 8) is a multiple of
 * 16, as after a call from an aligned frame. */
TEST(handler_starts_with_an_abi_aligned_stack)
{
	long by;

	ASSERT_OK(test_set_handler(SIGUSR1, asm_record_rsp_handler, 0));
	asm_handler_rsp = 1;
	EXPECT_OK(raise(SIGUSR1));
	EXPECT_EQ((asm_handler_rsp + 8) % 16, 0);
	test_set_handler(SIGUSR1, SIG_DFL, 0);

	/* Whatever the alignment of the interrupted rsp. */
	ASSERT_OK(test_set_handler(SIGILL, asm_record_rsp_skip_handler,
				   SA_SIGINFO));
	for (by = 0; by < 16; by++) {
		asm_handler_rsp = 1;
		call_ud2_with_rsp_lowered(by);
		EXPECT_EQ((asm_handler_rsp + 8) % 16, 0);
	}
	test_set_handler(SIGILL, SIG_DFL, 0);
}

/* --- FPU, SSE and AVX state --- */

struct fpu_state {
	uint8_t xmm_in[16][16];
	uint8_t xmm_out[16][16];
	double x87_in, x87_out;
	uint32_t mxcsr_in, mxcsr_out;
	uint16_t fcw_in, fcw_out;
	uint32_t mxcsr_default;
	uint16_t fcw_default;
};

static volatile uint32_t handler_mxcsr;
static volatile uint16_t handler_fcw;

/* Records the FPU control state the handler starts with, then clobbers
 * MXCSR, the x87 control word, every x87 register and xmm0-15. */
static void fpu_clobber_handler(int sig)
{
	uint32_t mxcsr, bad_mxcsr = 0x3f80 | 0x0040;	/* round down, DAZ */
	uint16_t fcw, bad_fcw = 0x0c7f;			/* round to zero */

	__asm__ volatile("stmxcsr %0; fnstcw %1" : "=m"(mxcsr), "=m"(fcw));
	handler_mxcsr = mxcsr;
	handler_fcw = fcw;
	__asm__ volatile(
		"fninit\n"
		"fld1; fld1; fld1; fld1; fld1; fld1; fld1; fld1\n"
		"fninit\n"
		"fldcw %1\n"
		"ldmxcsr %0\n"
		"pcmpeqd %%xmm0, %%xmm0\n"
		"movdqa %%xmm0, %%xmm1; movdqa %%xmm0, %%xmm2\n"
		"movdqa %%xmm0, %%xmm3; movdqa %%xmm0, %%xmm4\n"
		"movdqa %%xmm0, %%xmm5; movdqa %%xmm0, %%xmm6\n"
		"movdqa %%xmm0, %%xmm7; movdqa %%xmm0, %%xmm8\n"
		"movdqa %%xmm0, %%xmm9; movdqa %%xmm0, %%xmm10\n"
		"movdqa %%xmm0, %%xmm11; movdqa %%xmm0, %%xmm12\n"
		"movdqa %%xmm0, %%xmm13; movdqa %%xmm0, %%xmm14\n"
		"movdqa %%xmm0, %%xmm15\n"
		:
		: "m"(bad_mxcsr), "m"(bad_fcw)
		: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
		  "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
		  "xmm14", "xmm15", "memory");
	hits++;
	(void)sig;
}

#define OFF(field) "i"(offsetof(struct fpu_state, field))

/* Loads the _in state, sends SIGUSR1 to this process with a raw syscall
 * (delivered on its way out), stores the state to _out, then puts the
 * default control words back. One asm statement, so that no compiled
 * code runs between the loads and the stores. */
static void fpu_roundtrip(struct fpu_state *s)
{
	long rax = SYS_kill;

	__asm__ volatile(
		"ldmxcsr %c[mxi](%[s])\n"
		"fldcw %c[fcwi](%[s])\n"
		"fldl %c[x87i](%[s])\n"
		"movdqu 0(%[s]), %%xmm0\n"
		"movdqu 16(%[s]), %%xmm1\n"
		"movdqu 32(%[s]), %%xmm2\n"
		"movdqu 48(%[s]), %%xmm3\n"
		"movdqu 64(%[s]), %%xmm4\n"
		"movdqu 80(%[s]), %%xmm5\n"
		"movdqu 96(%[s]), %%xmm6\n"
		"movdqu 112(%[s]), %%xmm7\n"
		"movdqu 128(%[s]), %%xmm8\n"
		"movdqu 144(%[s]), %%xmm9\n"
		"movdqu 160(%[s]), %%xmm10\n"
		"movdqu 176(%[s]), %%xmm11\n"
		"movdqu 192(%[s]), %%xmm12\n"
		"movdqu 208(%[s]), %%xmm13\n"
		"movdqu 224(%[s]), %%xmm14\n"
		"movdqu 240(%[s]), %%xmm15\n"
		"syscall\n"
		"movdqu %%xmm0, 256(%[s])\n"
		"movdqu %%xmm1, 272(%[s])\n"
		"movdqu %%xmm2, 288(%[s])\n"
		"movdqu %%xmm3, 304(%[s])\n"
		"movdqu %%xmm4, 320(%[s])\n"
		"movdqu %%xmm5, 336(%[s])\n"
		"movdqu %%xmm6, 352(%[s])\n"
		"movdqu %%xmm7, 368(%[s])\n"
		"movdqu %%xmm8, 384(%[s])\n"
		"movdqu %%xmm9, 400(%[s])\n"
		"movdqu %%xmm10, 416(%[s])\n"
		"movdqu %%xmm11, 432(%[s])\n"
		"movdqu %%xmm12, 448(%[s])\n"
		"movdqu %%xmm13, 464(%[s])\n"
		"movdqu %%xmm14, 480(%[s])\n"
		"movdqu %%xmm15, 496(%[s])\n"
		"fstpl %c[x87o](%[s])\n"
		"fnstcw %c[fcwo](%[s])\n"
		"stmxcsr %c[mxo](%[s])\n"
		"fldcw %c[fcwd](%[s])\n"
		"ldmxcsr %c[mxd](%[s])\n"
		: "+a"(rax)
		: [s] "r"(s), "D"((long)getpid()), "S"((long)SIGUSR1),
		  [mxi] OFF(mxcsr_in), [mxo] OFF(mxcsr_out),
		  [fcwi] OFF(fcw_in), [fcwo] OFF(fcw_out),
		  [x87i] OFF(x87_in), [x87o] OFF(x87_out),
		  [mxd] OFF(mxcsr_default), [fcwd] OFF(fcw_default)
		: "rcx", "r11", "memory", "st", "xmm0", "xmm1", "xmm2", "xmm3",
		  "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
		  "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

TEST(fpu_and_sse_state_survive_a_handler_that_clobbers_it)
{
	static struct fpu_state s;
	int i, j;

	for (i = 0; i < 16; i++)
		for (j = 0; j < 16; j++)
			s.xmm_in[i][j] = (uint8_t)(i * 16 + j + 1);
	s.x87_in = 3.25;
	s.mxcsr_in = 0x1f80 | 0x6000;		/* round toward zero */
	s.fcw_in = 0x037f | 0x0800;		/* round up */
	s.mxcsr_default = 0x1f80;
	s.fcw_default = 0x037f;
	hits = 0;
	ASSERT_OK(test_set_handler(SIGUSR1, fpu_clobber_handler, 0));
	fpu_roundtrip(&s);
	EXPECT_EQ(hits, 1);
	EXPECT_MEMEQ(s.xmm_out, s.xmm_in, sizeof(s.xmm_in));
	EXPECT_TRUE(s.x87_out == 3.25);
	EXPECT_EQ(s.mxcsr_out, s.mxcsr_in);
	EXPECT_EQ(s.fcw_out, s.fcw_in);
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

/* Linux starts a handler with the FPU in its initial state, whatever the
 * interrupted code had set: MXCSR 0x1f80 and x87 control word 0x37f. */
TEST(handler_starts_with_default_mxcsr_and_x87_control_word)
{
	static struct fpu_state s;

	s.mxcsr_in = 0x1f80 | 0x6000 | 0x8040;	/* round to zero, FTZ, DAZ */
	s.fcw_in = 0x037f | 0x0c00;
	s.mxcsr_default = 0x1f80;
	s.fcw_default = 0x037f;
	handler_mxcsr = 0;
	handler_fcw = 0;
	hits = 0;
	ASSERT_OK(test_set_handler(SIGUSR1, fpu_clobber_handler, 0));
	fpu_roundtrip(&s);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(handler_mxcsr, 0x1f80);
	EXPECT_EQ(handler_fcw, 0x037f);
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

/* AVX: the upper halves of ymm0-15 are part of the saved state too. */
static uint8_t ymm_in[16][32], ymm_out[16][32];

static void ymm_clobber_handler(int sig)
{
	(void)sig;
	__asm__ volatile(
		"vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n"
		"vmovdqa %%ymm0, %%ymm1; vmovdqa %%ymm0, %%ymm2\n"
		"vmovdqa %%ymm0, %%ymm3; vmovdqa %%ymm0, %%ymm4\n"
		"vmovdqa %%ymm0, %%ymm5; vmovdqa %%ymm0, %%ymm6\n"
		"vmovdqa %%ymm0, %%ymm7; vmovdqa %%ymm0, %%ymm8\n"
		"vmovdqa %%ymm0, %%ymm9; vmovdqa %%ymm0, %%ymm10\n"
		"vmovdqa %%ymm0, %%ymm11; vmovdqa %%ymm0, %%ymm12\n"
		"vmovdqa %%ymm0, %%ymm13; vmovdqa %%ymm0, %%ymm14\n"
		"vmovdqa %%ymm0, %%ymm15\n"
		"vzeroupper\n"
		: : : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
		  "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
		  "xmm14", "xmm15");
	hits++;
}

TEST(avx_ymm_state_survives_a_handler)
{
	long rax = SYS_kill;
	int i, j;

	if (!__builtin_cpu_supports("avx"))
		SKIP("no AVX");
	for (i = 0; i < 16; i++)
		for (j = 0; j < 32; j++)
			ymm_in[i][j] = (uint8_t)(i * 32 + j + 7);
	memset(ymm_out, 0, sizeof(ymm_out));
	hits = 0;
	ASSERT_OK(test_set_handler(SIGUSR1, ymm_clobber_handler, 0));
#define YMM(n) "vmovdqu " #n "*32(%[in]), %%ymm" #n "\n"
#define YMM_OUT(n) "vmovdqu %%ymm" #n ", " #n "*32(%[out])\n"
	__asm__ volatile(
		YMM(0) YMM(1) YMM(2) YMM(3) YMM(4) YMM(5) YMM(6) YMM(7)
		YMM(8) YMM(9) YMM(10) YMM(11) YMM(12) YMM(13) YMM(14) YMM(15)
		"syscall\n"
		YMM_OUT(0) YMM_OUT(1) YMM_OUT(2) YMM_OUT(3) YMM_OUT(4)
		YMM_OUT(5) YMM_OUT(6) YMM_OUT(7) YMM_OUT(8) YMM_OUT(9)
		YMM_OUT(10) YMM_OUT(11) YMM_OUT(12) YMM_OUT(13) YMM_OUT(14)
		YMM_OUT(15)
		"vzeroupper\n"
		: "+a"(rax)
		: [in] "r"(ymm_in), [out] "r"(ymm_out), "D"((long)getpid()),
		  "S"((long)SIGUSR1)
		: "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3",
		  "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
		  "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
#undef YMM
#undef YMM_OUT
	EXPECT_EQ(rax, 0);
	EXPECT_EQ(hits, 1);
	EXPECT_MEMEQ(ymm_out, ymm_in, sizeof(ymm_in));
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

/* AVX-512: zmm16-31 (only reachable with EVEX encodings) and the mask
 * registers k1-k7. */
static uint8_t zmm_in[16][64], zmm_out[16][64];
static uint16_t k_in[7], k_out[7];

static void zmm_clobber_handler(int sig)
{
	(void)sig;
#define ZCLOB(n) "vpternlogd $0xff, %%zmm" #n ", %%zmm" #n ", %%zmm" #n "\n"
	__asm__ volatile(
		ZCLOB(16) ZCLOB(17) ZCLOB(18) ZCLOB(19) ZCLOB(20) ZCLOB(21)
		ZCLOB(22) ZCLOB(23) ZCLOB(24) ZCLOB(25) ZCLOB(26) ZCLOB(27)
		ZCLOB(28) ZCLOB(29) ZCLOB(30) ZCLOB(31)
		"kxnorw %%k0, %%k0, %%k1\n"
		"kmovw %%k1, %%k2; kmovw %%k1, %%k3; kmovw %%k1, %%k4\n"
		"kmovw %%k1, %%k5; kmovw %%k1, %%k6; kmovw %%k1, %%k7\n"
		"vzeroupper\n"
		: : : "memory");
#undef ZCLOB
	hits++;
}

TEST(avx512_zmm16_31_and_mask_registers_survive_a_handler)
{
	long rax = SYS_kill;
	int i, j;

	if (!__builtin_cpu_supports("avx512f"))
		SKIP("no AVX-512");
	for (i = 0; i < 16; i++)
		for (j = 0; j < 64; j++)
			zmm_in[i][j] = (uint8_t)(i * 64 + j + 3);
	for (i = 0; i < 7; i++)
		k_in[i] = (uint16_t)(0x1111 * (i + 1));
	memset(zmm_out, 0, sizeof(zmm_out));
	memset(k_out, 0, sizeof(k_out));
	hits = 0;
	ASSERT_OK(test_set_handler(SIGUSR1, zmm_clobber_handler, 0));
#define ZIN(n, i) "vmovdqu64 " #i "*64(%[zin]), %%zmm" #n "\n"
#define ZOUT(n, i) "vmovdqu64 %%zmm" #n ", " #i "*64(%[zout])\n"
#define KIN(n) "kmovw (" #n "-1)*2(%[kin]), %%k" #n "\n"
#define KOUT(n) "kmovw %%k" #n ", (" #n "-1)*2(%[kout])\n"
	__asm__ volatile(
		ZIN(16, 0) ZIN(17, 1) ZIN(18, 2) ZIN(19, 3) ZIN(20, 4)
		ZIN(21, 5) ZIN(22, 6) ZIN(23, 7) ZIN(24, 8) ZIN(25, 9)
		ZIN(26, 10) ZIN(27, 11) ZIN(28, 12) ZIN(29, 13) ZIN(30, 14)
		ZIN(31, 15)
		KIN(1) KIN(2) KIN(3) KIN(4) KIN(5) KIN(6) KIN(7)
		"syscall\n"
		ZOUT(16, 0) ZOUT(17, 1) ZOUT(18, 2) ZOUT(19, 3) ZOUT(20, 4)
		ZOUT(21, 5) ZOUT(22, 6) ZOUT(23, 7) ZOUT(24, 8) ZOUT(25, 9)
		ZOUT(26, 10) ZOUT(27, 11) ZOUT(28, 12) ZOUT(29, 13)
		ZOUT(30, 14) ZOUT(31, 15)
		KOUT(1) KOUT(2) KOUT(3) KOUT(4) KOUT(5) KOUT(6) KOUT(7)
		"vzeroupper\n"
		: "+a"(rax)
		: [zin] "r"(zmm_in), [zout] "r"(zmm_out), [kin] "r"(k_in),
		  [kout] "r"(k_out), "D"((long)getpid()), "S"((long)SIGUSR1)
		: "rcx", "r11", "memory");
#undef ZIN
#undef ZOUT
#undef KIN
#undef KOUT
	EXPECT_EQ(rax, 0);
	EXPECT_EQ(hits, 1);
	EXPECT_MEMEQ(zmm_out, zmm_in, sizeof(zmm_in));
	EXPECT_MEMEQ(k_out, k_in, sizeof(k_in));
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

/* --- sigaltstack --- */

#define ALT_SIZE (64 * 1024)

static char *alt_base;		/* the alternate stack's memory */
static volatile uintptr_t alt_local;	/* a local's address in the handler */
static stack_t alt_seen;		/* sigaltstack(NULL, &old) inside */
static volatile int alt_set_errno;	/* errno of sigaltstack(new) inside */
static stack_t alt_uc_stack;		/* uc->uc_stack */
static bool alt_try_set;		/* whether to try sigaltstack(new) */

static void altstack_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	volatile char local;
	stack_t other = { .ss_sp = alt_base, .ss_size = ALT_SIZE };

	(void)sig;
	(void)si;
	alt_local = (uintptr_t)&local;
	sigaltstack(NULL, &alt_seen);
	if (alt_try_set)
		alt_set_errno = sigaltstack(&other, NULL) < 0 ? errno : 0;
	alt_uc_stack = uc->uc_stack;
	hits++;
}

static bool on_alt_stack(uintptr_t addr)
{
	return addr >= (uintptr_t)alt_base &&
	       addr < (uintptr_t)alt_base + ALT_SIZE;
}

static void altstack_begin(void)
{
	if (alt_base == NULL)
		alt_base = mmap(NULL, ALT_SIZE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hits = 0;
	alt_local = 0;
	alt_try_set = true;
	alt_set_errno = -1;
	memset(&alt_seen, 0, sizeof(alt_seen));
	memset(&alt_uc_stack, 0, sizeof(alt_uc_stack));
}

static void altstack_end(void)
{
	stack_t off = { .ss_flags = SS_DISABLE };

	sigaltstack(&off, NULL);
	test_set_handler(SIGUSR1, SIG_DFL, 0);
}

TEST(sigaltstack_is_disabled_at_first)
{
	stack_t old;

	memset(&old, 0xff, sizeof(old));
	ASSERT_OK(sigaltstack(NULL, &old));
	EXPECT_EQ(old.ss_flags, SS_DISABLE);
	EXPECT_TRUE(old.ss_sp == NULL);
	EXPECT_EQ(old.ss_size, 0);
}

/* An SA_ONSTACK handler runs on the alternate stack; there
 * sigaltstack(NULL) reports SS_ONSTACK and changing it is EPERM. */
TEST(sa_onstack_handler_runs_on_the_alternate_stack)
{
	stack_t ss, old;

	altstack_begin();
	ASSERT_TRUE(alt_base != MAP_FAILED);
	ss.ss_sp = alt_base;
	ss.ss_size = ALT_SIZE;
	ss.ss_flags = 0;
	ASSERT_OK(sigaltstack(&ss, NULL));
	ASSERT_OK(sigaltstack(NULL, &old));
	EXPECT_TRUE(old.ss_sp == alt_base);
	EXPECT_EQ(old.ss_size, ALT_SIZE);
	EXPECT_EQ(old.ss_flags, 0);

	ASSERT_OK(test_set_handler(SIGUSR1, altstack_handler,
				   SA_SIGINFO | SA_ONSTACK));
	EXPECT_OK(raise(SIGUSR1));
	EXPECT_EQ(hits, 1);
	EXPECT_TRUE(on_alt_stack(alt_local));
	EXPECT_EQ(alt_seen.ss_flags, SS_ONSTACK);
	EXPECT_TRUE(alt_seen.ss_sp == alt_base);
	EXPECT_EQ(alt_seen.ss_size, ALT_SIZE);
	EXPECT_EQ(alt_set_errno, EPERM);
	EXPECT_TRUE(alt_uc_stack.ss_sp == alt_base);
	EXPECT_EQ(alt_uc_stack.ss_size, ALT_SIZE);
	/* Back on the normal stack, it is no longer "on stack". */
	ASSERT_OK(sigaltstack(NULL, &old));
	EXPECT_EQ(old.ss_flags, 0);
	altstack_end();
}

TEST(handler_without_sa_onstack_stays_on_the_normal_stack)
{
	stack_t ss = { .ss_size = ALT_SIZE };
	volatile char here;

	altstack_begin();
	ASSERT_TRUE(alt_base != MAP_FAILED);
	ss.ss_sp = alt_base;
	ASSERT_OK(sigaltstack(&ss, NULL));
	ASSERT_OK(test_set_handler(SIGUSR1, altstack_handler, SA_SIGINFO));
	EXPECT_OK(raise(SIGUSR1));
	EXPECT_EQ(hits, 1);
	EXPECT_TRUE(!on_alt_stack(alt_local));
	/* Near this frame: within a few pages below it. */
	EXPECT_TRUE(alt_local < (uintptr_t)&here);
	EXPECT_TRUE(alt_local > (uintptr_t)&here - 64 * 1024);
	EXPECT_EQ(alt_seen.ss_flags, 0);
	EXPECT_EQ(alt_set_errno, 0);	/* not on it: may change it */
	altstack_end();
}

TEST(sigaltstack_disabled_means_the_normal_stack)
{
	stack_t ss = { .ss_size = ALT_SIZE }, old;

	altstack_begin();
	ASSERT_TRUE(alt_base != MAP_FAILED);
	ss.ss_sp = alt_base;
	ASSERT_OK(sigaltstack(&ss, NULL));
	ss.ss_flags = SS_DISABLE;
	ss.ss_size = 0;		/* ignored with SS_DISABLE */
	ASSERT_OK(sigaltstack(&ss, NULL));
	ASSERT_OK(sigaltstack(NULL, &old));
	EXPECT_EQ(old.ss_flags, SS_DISABLE);
	ASSERT_OK(test_set_handler(SIGUSR1, altstack_handler,
				   SA_SIGINFO | SA_ONSTACK));
	EXPECT_OK(raise(SIGUSR1));
	EXPECT_EQ(hits, 1);
	EXPECT_TRUE(!on_alt_stack(alt_local));
	EXPECT_EQ(alt_seen.ss_flags, SS_DISABLE);
	altstack_end();
}

/* SS_AUTODISARM: while the handler runs the alternate stack is disarmed
 * (so a nested signal could not clobber it); rt_sigreturn re-arms it
 * from uc_stack. */
TEST(sigaltstack_autodisarm)
{
	stack_t ss = { .ss_flags = SS_AUTODISARM, .ss_size = ALT_SIZE }, old;

	altstack_begin();
	ASSERT_TRUE(alt_base != MAP_FAILED);
	ss.ss_sp = alt_base;
	ASSERT_OK(sigaltstack(&ss, NULL));
	ASSERT_OK(test_set_handler(SIGUSR1, altstack_handler,
				   SA_SIGINFO | SA_ONSTACK));
	alt_try_set = false;
	EXPECT_OK(raise(SIGUSR1));
	EXPECT_EQ(hits, 1);
	EXPECT_TRUE(on_alt_stack(alt_local));
	EXPECT_EQ(alt_seen.ss_flags, SS_DISABLE);
	EXPECT_TRUE(alt_uc_stack.ss_sp == alt_base);
	EXPECT_EQ(alt_uc_stack.ss_flags, (int)SS_AUTODISARM);
	ASSERT_OK(sigaltstack(NULL, &old));
	EXPECT_TRUE(old.ss_sp == alt_base);
	EXPECT_EQ(old.ss_size, ALT_SIZE);
	EXPECT_EQ(old.ss_flags, (int)SS_AUTODISARM);
	altstack_end();
}

/* The frame on an alternate stack is aligned like any other, whatever
 * the alignment of the stack's end. */
TEST(handler_on_a_misaligned_alternate_stack_is_aligned)
{
	size_t skew;

	altstack_begin();
	ASSERT_TRUE(alt_base != MAP_FAILED);
	ASSERT_OK(test_set_handler(SIGUSR1, asm_record_rsp_handler,
				   SA_ONSTACK));
	for (skew = 0; skew < 16; skew += 3) {
		stack_t ss = { .ss_sp = alt_base + skew,
			       .ss_size = ALT_SIZE - 2 * skew - 1 };
		ASSERT_OK(sigaltstack(&ss, NULL));
		asm_handler_rsp = 1;
		EXPECT_OK(raise(SIGUSR1));
		EXPECT_TRUE(on_alt_stack(asm_handler_rsp));
		EXPECT_EQ((asm_handler_rsp + 8) % 16, 0);
	}
	altstack_end();
}

TEST(sigaltstack_errors)
{
	stack_t ss = { .ss_size = ALT_SIZE }, old;

	altstack_begin();
	ASSERT_TRUE(alt_base != MAP_FAILED);
	ss.ss_sp = alt_base;
	/* The kernel's MINSIGSTKSZ is 2048 (glibc's macro may be a sysconf
	 * of the CPU's real need). */
	ss.ss_size = 2047;
	EXPECT_ERRNO(sigaltstack(&ss, NULL), ENOMEM);
	/* and 2048 is enough, whatever the CPU (Python's faulthandler
	 * relies on it). */
	ss.ss_size = 2048;
	EXPECT_OK(sigaltstack(&ss, NULL));
	ss.ss_flags = SS_DISABLE;
	EXPECT_OK(sigaltstack(&ss, NULL));
	ss.ss_size = ALT_SIZE;
	ss.ss_flags = 0x10;
	EXPECT_ERRNO(sigaltstack(&ss, NULL), EINVAL);
	ss.ss_flags = SS_ONSTACK | SS_DISABLE;
	EXPECT_ERRNO(sigaltstack(&ss, NULL), EINVAL);
	EXPECT_ERRNO(sigaltstack(test_bad_ptr(), NULL), EFAULT);
	EXPECT_ERRNO(sigaltstack(NULL, test_bad_ptr()), EFAULT);
	/* Nothing changed. */
	ASSERT_OK(sigaltstack(NULL, &old));
	EXPECT_EQ(old.ss_flags, SS_DISABLE);
	/* SS_ONSTACK as a flag to set is accepted, for old programs. */
	ss.ss_flags = SS_ONSTACK;
	EXPECT_OK(sigaltstack(&ss, NULL));
	ASSERT_OK(sigaltstack(NULL, &old));
	EXPECT_EQ(old.ss_flags, 0);
	altstack_end();
}

