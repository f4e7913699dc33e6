/* Synchronous signals from faults: SIGSEGV (unmapped, read-only,
 * PROT_NONE, non-executable, non-canonical, privileged instruction),
 * SIGFPE, SIGILL, SIGTRAP and SIGBUS, with the siginfo and context a
 * handler gets; faults that cannot be handled (blocked, ignored, no stack
 * for the frame) kill the process; the wait status of a process killed
 * by a fault; SIGPIPE.
 *
 * Faults the test survives are caught by a handler that siglongjmps back
 * out; fatal ones happen in forked children. The faulting instructions
 * are in small assembly functions, so that their addresses are known. */
#define TEST_WORKDIR
#include "test.h"

#include <setjmp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <ucontext.h>

long asm_load(const void *addr) __asm__("asm_load");
void asm_store(void *addr) __asm__("asm_store");
void asm_div_zero(void) __asm__("asm_div_zero");
void asm_idiv_overflow(void) __asm__("asm_idiv_overflow");
void asm_ud2(void) __asm__("asm_ud2");
void asm_int3(void) __asm__("asm_int3");
void asm_hlt(void) __asm__("asm_hlt");
void asm_ud2_on_stack(void *sp) __asm__("asm_ud2_on_stack");
extern char asm_load_insn[], asm_store_insn[], asm_div_zero_insn[],
	asm_idiv_overflow_insn[], asm_ud2_insn[], asm_int3_insn[],
	asm_int3_after[], asm_hlt_insn[];

__asm__(
	".text\n"
	".globl asm_load, asm_load_insn\n"
	"asm_load:\n"
	"asm_load_insn:\n"
	"	mov (%rdi), %rax\n"
	"	ret\n"

	".globl asm_store, asm_store_insn\n"
	"asm_store:\n"
	"asm_store_insn:\n"
	"	movb $1, (%rdi)\n"
	"	ret\n"

	".globl asm_div_zero, asm_div_zero_insn\n"
	"asm_div_zero:\n"
	"	mov $1, %eax\n"
	"	xor %edx, %edx\n"
	"	xor %ecx, %ecx\n"
	"asm_div_zero_insn:\n"
	"	div %ecx\n"
	"	ret\n"

	/* INT_MIN / -1 overflows: the same #DE as a division by zero. */
	".globl asm_idiv_overflow, asm_idiv_overflow_insn\n"
	"asm_idiv_overflow:\n"
	"	mov $0x80000000, %eax\n"
	"	cltd\n"
	"	mov $-1, %ecx\n"
	"asm_idiv_overflow_insn:\n"
	"	idiv %ecx\n"
	"	ret\n"

	".globl asm_ud2, asm_ud2_insn\n"
	"asm_ud2:\n"
	"asm_ud2_insn:\n"
	"	ud2\n"
	"	ret\n"

	".globl asm_int3, asm_int3_insn, asm_int3_after\n"
	"asm_int3:\n"
	"asm_int3_insn:\n"
	"	int3\n"
	"asm_int3_after:\n"
	"	ret\n"

	".globl asm_hlt, asm_hlt_insn\n"
	"asm_hlt:\n"
	"asm_hlt_insn:\n"
	"	hlt\n"
	"	ret\n"

	/* Traps with rsp = sp: no frame can be written there. */
	".globl asm_ud2_on_stack\n"
	"asm_ud2_on_stack:\n"
	"	mov %rdi, %rsp\n"
	"	ud2\n");

/* x86 exception numbers and page-fault error code bits. */
#define TRAP_DE 0
#define TRAP_BP 3
#define TRAP_UD 6
#define TRAP_GP 13
#define TRAP_PF 14
#define PF_PROT 0x1
#define PF_WRITE 0x2
#define PF_USER 0x4
#define PF_INSTR 0x10

/* --- catching a fault --- */

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_hits;
static siginfo_t fault_info;
static greg_t fault_gregs[NGREG];

static void record_fault(siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	fault_info = *si;
	memcpy(fault_gregs, uc->uc_mcontext.gregs, sizeof(fault_gregs));
	fault_hits++;
}

static void jump_out_handler(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	record_fault(si, ucv);
	siglongjmp(fault_jmp, 1);
}

static void return_handler(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	record_fault(si, ucv);
}

/* Runs fn(arg) with handler for sig, then puts the old action back (the
 * harness's, for SIGSEGV and friends). Returns the number of faults. */
static int run_catching(int sig, void *handler, void (*fn)(void *),
			void *arg)
{
	struct sigaction sa, old;

	fault_hits = 0;
	memset(&fault_info, 0, sizeof(fault_info));
	memset(fault_gregs, 0, sizeof(fault_gregs));
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(sig, &sa, &old);
	if (sigsetjmp(fault_jmp, 1) == 0)
		fn(arg);
	sigaction(sig, &old, NULL);
	return fault_hits;
}

static int catch_fault(int sig, void (*fn)(void *), void *arg)
{
	return run_catching(sig, jump_out_handler, fn, arg);
}

static void do_load(void *addr) { asm_load(addr); }
static void do_store(void *addr) { asm_store(addr); }
static void do_call(void *addr) { ((void (*)(void))addr)(); }
static void do_div_zero(void *unused) { (void)unused; asm_div_zero(); }
static void do_idiv_overflow(void *unused) { (void)unused; asm_idiv_overflow(); }
static void do_ud2(void *unused) { (void)unused; asm_ud2(); }
static void do_int3(void *unused) { (void)unused; asm_int3(); }
static void do_hlt(void *unused) { (void)unused; asm_hlt(); }

static void *map_pages(size_t n, int prot)
{
	void *p = mmap(NULL, n * 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* --- SIGSEGV --- */

TEST(sigsegv_on_an_unmapped_address_is_maperr_with_the_address)
{
	char *page = map_pages(1, PROT_READ | PROT_WRITE);

	ASSERT_TRUE(page != NULL);
	ASSERT_OK(munmap(page, 4096));
	EXPECT_EQ(catch_fault(SIGSEGV, do_load, page + 0x123), 1);
	EXPECT_EQ(fault_info.si_signo, SIGSEGV);
	EXPECT_EQ(fault_info.si_code, SEGV_MAPERR);
	EXPECT_TRUE(fault_info.si_addr == page + 0x123);
	EXPECT_EQ(fault_gregs[REG_RIP], (greg_t)asm_load_insn);
	/* NULL too. */
	EXPECT_EQ(catch_fault(SIGSEGV, do_store, NULL), 1);
	EXPECT_EQ(fault_info.si_code, SEGV_MAPERR);
	EXPECT_TRUE(fault_info.si_addr == NULL);
	EXPECT_EQ(fault_gregs[REG_RIP], (greg_t)asm_store_insn);
}

TEST(sigsegv_writing_a_read_only_mapping_is_accerr)
{
	char *page = map_pages(1, PROT_READ);

	ASSERT_TRUE(page != NULL);
	EXPECT_EQ(asm_load(page), 0);	/* reading is fine */
	EXPECT_EQ(catch_fault(SIGSEGV, do_store, page + 8), 1);
	EXPECT_EQ(fault_info.si_code, SEGV_ACCERR);
	EXPECT_TRUE(fault_info.si_addr == page + 8);
	EXPECT_EQ(page[8], 0);
	munmap(page, 4096);
}

TEST(sigsegv_reading_prot_none_is_accerr)
{
	char *page = map_pages(1, PROT_NONE);

	ASSERT_TRUE(page != NULL);
	EXPECT_EQ(catch_fault(SIGSEGV, do_load, page + 4000), 1);
	EXPECT_EQ(fault_info.si_code, SEGV_ACCERR);
	EXPECT_TRUE(fault_info.si_addr == page + 4000);
	munmap(page, 4096);
}

/* Jumping into memory mapped without PROT_EXEC: si_addr and rip are both
 * the target. */
TEST(sigsegv_executing_a_non_executable_page_is_accerr)
{
	unsigned char *page = map_pages(1, PROT_READ | PROT_WRITE);

	ASSERT_TRUE(page != NULL);
	page[0] = 0xc3;		/* ret */
	EXPECT_EQ(catch_fault(SIGSEGV, do_call, page), 1);
	EXPECT_EQ(fault_info.si_code, SEGV_ACCERR);
	EXPECT_TRUE(fault_info.si_addr == page);
	EXPECT_EQ(fault_gregs[REG_RIP], (greg_t)page);
	munmap(page, 4096);
}

/* The page fault's details are in the context, as Linux's sigcontext has
 * them: trap 14, the error code (programs test PF_WRITE to tell writes
 * from reads) and cr2, the address. */
TEST(page_fault_context_has_trapno_error_code_and_cr2)
{
	char *ro = map_pages(1, PROT_READ);
	char *none = map_pages(1, PROT_READ | PROT_WRITE);
	unsigned char *noexec = map_pages(1, PROT_READ | PROT_WRITE);

	ASSERT_TRUE(ro != NULL && none != NULL && noexec != NULL);
	ASSERT_OK(munmap(none, 4096));
	EXPECT_EQ(catch_fault(SIGSEGV, do_load, none + 16), 1);
	EXPECT_EQ(fault_gregs[REG_TRAPNO], TRAP_PF);
	EXPECT_EQ(fault_gregs[REG_ERR], PF_USER);
	EXPECT_EQ(fault_gregs[REG_CR2], (greg_t)(none + 16));
	EXPECT_EQ(catch_fault(SIGSEGV, do_store, none + 24), 1);
	/* Linux sets PF_WRITE here; cvisor's ptrace platform cannot see
	 * whether an access to an address with no mapping was a write (the
	 * host does not report the error code through ptrace), so only the
	 * rest is checked. */
	EXPECT_EQ(fault_gregs[REG_ERR] & ~PF_WRITE, PF_USER);
	EXPECT_EQ(fault_gregs[REG_CR2], (greg_t)(none + 24));
	EXPECT_EQ(asm_load(ro), 0);
	EXPECT_EQ(catch_fault(SIGSEGV, do_store, ro), 1);
	EXPECT_EQ(fault_gregs[REG_ERR], PF_USER | PF_WRITE | PF_PROT);
	noexec[0] = 0xc3;
	EXPECT_EQ(catch_fault(SIGSEGV, do_call, noexec), 1);
	EXPECT_EQ(fault_gregs[REG_ERR], PF_USER | PF_INSTR | PF_PROT);
	munmap(ro, 4096);
	munmap(noexec, 4096);
}

/* A non-canonical address is a general-protection fault, not a page
 * fault: Linux sends SIGSEGV with si_code SI_KERNEL and no address. */
TEST(sigsegv_on_a_non_canonical_address_is_si_kernel)
{
	EXPECT_EQ(catch_fault(SIGSEGV, do_load,
			      (void *)0x8000000000000000ULL), 1);
	EXPECT_EQ(fault_info.si_code, SI_KERNEL);
	EXPECT_TRUE(fault_info.si_addr == NULL);
	EXPECT_EQ(fault_gregs[REG_RIP], (greg_t)asm_load_insn);
	EXPECT_EQ(fault_gregs[REG_TRAPNO], TRAP_GP);
}

TEST(privileged_instruction_is_sigsegv_si_kernel)
{
	EXPECT_EQ(catch_fault(SIGSEGV, do_hlt, NULL), 1);
	EXPECT_EQ(fault_info.si_signo, SIGSEGV);
	EXPECT_EQ(fault_info.si_code, SI_KERNEL);
	EXPECT_EQ(fault_gregs[REG_RIP], (greg_t)asm_hlt_insn);
}

/* --- SIGFPE, SIGILL, SIGTRAP --- */

TEST(sigfpe_on_integer_division_by_zero_is_fpe_intdiv)
{
	EXPECT_EQ(catch_fault(SIGFPE, do_div_zero, NULL), 1);
	EXPECT_EQ(fault_info.si_signo, SIGFPE);
	EXPECT_EQ(fault_info.si_code, FPE_INTDIV);
	EXPECT_TRUE(fault_info.si_addr == asm_div_zero_insn);
	EXPECT_EQ(fault_gregs[REG_RIP], (greg_t)asm_div_zero_insn);
	EXPECT_EQ(fault_gregs[REG_TRAPNO], TRAP_DE);
}

TEST(sigfpe_on_division_overflow_is_fpe_intdiv_too)
{
	EXPECT_EQ(catch_fault(SIGFPE, do_idiv_overflow, NULL), 1);
	EXPECT_EQ(fault_info.si_code, FPE_INTDIV);
	EXPECT_TRUE(fault_info.si_addr == asm_idiv_overflow_insn);
}

TEST(sigill_on_ud2_is_ill_illopn_at_the_instruction)
{
	EXPECT_EQ(catch_fault(SIGILL, do_ud2, NULL), 1);
	EXPECT_EQ(fault_info.si_signo, SIGILL);
	EXPECT_EQ(fault_info.si_code, ILL_ILLOPN);
	EXPECT_TRUE(fault_info.si_addr == asm_ud2_insn);
	EXPECT_EQ(fault_gregs[REG_RIP], (greg_t)asm_ud2_insn);
	EXPECT_EQ(fault_gregs[REG_TRAPNO], TRAP_UD);
}

/* int3 is a trap, not a fault: rip is already past it, so a handler that
 * returns lets the program go on. Linux reports it as SI_KERNEL. */
TEST(sigtrap_on_int3_is_si_kernel_and_resumes_after_it)
{
	EXPECT_EQ(run_catching(SIGTRAP, return_handler, do_int3, NULL), 1);
	EXPECT_EQ(fault_info.si_signo, SIGTRAP);
	EXPECT_EQ(fault_info.si_code, SI_KERNEL);
	EXPECT_EQ(fault_gregs[REG_RIP], (greg_t)asm_int3_after);
	EXPECT_EQ(fault_gregs[REG_TRAPNO], TRAP_BP);
}

/* --- SIGBUS --- */

/* A shared or private file mapping past the end of the file: the page
 * holding EOF reads as zeros after it; a page wholly beyond EOF is
 * SIGBUS with BUS_ADRERR. */
TEST(sigbus_beyond_the_end_of_a_mapped_file)
{
	const int flags[] = { MAP_SHARED, MAP_PRIVATE };
	unsigned i;
	int fd;

	ASSERT_OK(fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0600));
	ASSERT_EQ(write(fd, "0123456789", 10), 10);
	for (i = 0; i < 2; i++) {
		char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
			       flags[i], fd, 0);
		ASSERT_TRUE(p != MAP_FAILED);
		EXPECT_EQ(p[9], '9');
		EXPECT_EQ(p[10], 0);
		EXPECT_EQ(p[4095], 0);
		EXPECT_EQ(catch_fault(SIGBUS, do_load, p + 4096 + 8), 1);
		EXPECT_EQ(fault_info.si_signo, SIGBUS);
		EXPECT_EQ(fault_info.si_code, BUS_ADRERR);
		EXPECT_TRUE(fault_info.si_addr == p + 4096 + 8);
		EXPECT_EQ(catch_fault(SIGBUS, do_store, p + 2 * 4096), 1);
		EXPECT_EQ(fault_info.si_code, BUS_ADRERR);
		EXPECT_TRUE(fault_info.si_addr == p + 2 * 4096);
		munmap(p, 3 * 4096);
	}
	close(fd);
}

/* --- faults that kill --- */

/* A child with no core dumps: RLIMIT_CORE 0. */
static void no_core_dumps(void)
{
	struct rlimit zero = { 0, 0 };

	setrlimit(RLIMIT_CORE, &zero);
}

/* Whether the host pipes core dumps to a program: then the kernel dumps
 * whatever RLIMIT_CORE says. */
static bool core_pattern_is_a_pipe(void)
{
	char buf[256];

	return test_read_file("/proc/sys/kernel/core_pattern", buf,
			      sizeof(buf)) > 0 && buf[0] == '|';
}

/* Status of a child that runs fn(arg) with no core dumps. */
static int child_status_raw(void (*fn)(void *), void *arg)
{
	pid_t pid = test_fork();

	if (pid == 0) {
		no_core_dumps();
		fn(arg);
		_exit(0);
	}
	return pid < 0 ? -1 : test_wait(pid, 0);
}

/* The same without the core-dump bit, which depends on the host. */
static int child_status(void (*fn)(void *), void *arg)
{
	int status = child_status_raw(fn, arg);

	return status < 0 ? status : status & ~WCOREFLAG;
}

/* Killed by a fault's signal: WIFSIGNALED, and no core bit (0x80) since
 * no core was written: Linux sets it only when a dump was made. */
TEST(fault_kills_with_the_signal_and_no_core_bit_without_a_dump)
{
	if (core_pattern_is_a_pipe())
		SKIP("core_pattern is a pipe: dumps ignore RLIMIT_CORE");
	EXPECT_EQ(child_status_raw(do_store, NULL), W_EXITCODE(0, SIGSEGV));
	EXPECT_EQ(child_status_raw(do_div_zero, NULL), W_EXITCODE(0, SIGFPE));
	EXPECT_EQ(child_status_raw(do_ud2, NULL), W_EXITCODE(0, SIGILL));
	EXPECT_EQ(child_status_raw(do_int3, NULL), W_EXITCODE(0, SIGTRAP));
}

static void block_then(int sig, void (*fn)(void *))
{
	test_set_handler(sig, jump_out_handler, SA_SIGINFO);
	test_mask_signal(SIG_BLOCK, sig);
	fn(NULL);
}

static void segv_while_blocked(void *unused)
{
	(void)unused;
	/* Sent with kill, a blocked SIGSEGV just waits... */
	raise(SIGSEGV);
	if (!test_sig_pending(SIGSEGV))
		_exit(10);
	/* ...but a fault cannot wait: the process dies of it. */
	block_then(SIGSEGV, do_store);
}

static void fpe_while_blocked(void *unused)
{
	(void)unused;
	block_then(SIGFPE, do_div_zero);
}

static void ill_while_ignored(void *unused)
{
	(void)unused;
	test_set_handler(SIGILL, SIG_IGN, 0);
	asm_ud2();
}

static void segv_while_ignored(void *unused)
{
	(void)unused;
	test_set_handler(SIGSEGV, SIG_IGN, 0);
	asm_store(NULL);
}

/* A fault whose signal is blocked or ignored is forced on the process:
 * the handler does not run and the default action (death) is taken. */
TEST(fault_while_its_signal_is_blocked_or_ignored_kills)
{
	EXPECT_EQ(child_status(segv_while_blocked, NULL),
		  W_EXITCODE(0, SIGSEGV));
	EXPECT_EQ(child_status(fpe_while_blocked, NULL), W_EXITCODE(0, SIGFPE));
	EXPECT_EQ(child_status(ill_while_ignored, NULL), W_EXITCODE(0, SIGILL));
	EXPECT_EQ(child_status(segv_while_ignored, NULL),
		  W_EXITCODE(0, SIGSEGV));
}

static void exit_42_handler(int sig)
{
	(void)sig;
	_exit(42);
}

/* A handler for the fault, but the stack pointer is unusable: the frame
 * cannot be written, and Linux kills the process with SIGSEGV. */
static void trap_on_bad_stack(void *unused)
{
	(void)unused;
	test_set_handler(SIGILL, exit_42_handler, 0);
	asm_ud2_on_stack((void *)0x1000);
}

/* The same with an alternate stack and SA_ONSTACK: the handler runs. */
static void trap_on_bad_stack_with_altstack(void *unused)
{
	stack_t ss = { .ss_size = 64 * 1024 };

	(void)unused;
	ss.ss_sp = map_pages(16, PROT_READ | PROT_WRITE);
	if (ss.ss_sp == NULL || sigaltstack(&ss, NULL) < 0)
		_exit(20);
	test_set_handler(SIGILL, exit_42_handler, SA_ONSTACK);
	asm_ud2_on_stack((void *)0x1000);
}

TEST(a_frame_that_cannot_be_written_kills_with_sigsegv)
{
	EXPECT_EQ(child_status(trap_on_bad_stack, NULL),
		  W_EXITCODE(0, SIGSEGV));
	EXPECT_EQ(child_status(trap_on_bad_stack_with_altstack, NULL),
		  W_EXITCODE(42, 0));
}

/* --- SIGPIPE --- */

static void write_to_a_closed_pipe(void *unused)
{
	int p[2];

	(void)unused;
	if (pipe(p) < 0)
		_exit(10);
	close(p[0]);
	if (write(p[1], "x", 1) < 0)
		_exit(errno == EPIPE ? 11 : 12);
	_exit(13);
}

static volatile sig_atomic_t pipe_hits;
static siginfo_t pipe_info;

static void sigpipe_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	pipe_info = *si;
	pipe_hits++;
}

TEST(sigpipe_kills_a_writer_by_default)
{
	EXPECT_EQ(child_status(write_to_a_closed_pipe, NULL),
		  W_EXITCODE(0, SIGPIPE));
}

/* Ignored: the write fails with EPIPE. Handled: the handler runs first
 * (a SI_USER signal from the writer itself), then the write fails. */
TEST(sigpipe_ignored_or_handled_gives_epipe)
{
	int p[2];

	ASSERT_OK(pipe(p));
	close(p[0]);
	ASSERT_OK(test_set_handler(SIGPIPE, SIG_IGN, 0));
	EXPECT_ERRNO(write(p[1], "x", 1), EPIPE);
	pipe_hits = 0;
	ASSERT_OK(test_set_handler(SIGPIPE, sigpipe_handler, SA_SIGINFO));
	EXPECT_ERRNO(write(p[1], "x", 1), EPIPE);
	EXPECT_EQ(pipe_hits, 1);
	EXPECT_EQ(pipe_info.si_signo, SIGPIPE);
	EXPECT_EQ(pipe_info.si_code, SI_USER);
	EXPECT_EQ(pipe_info.si_pid, getpid());
	EXPECT_EQ(pipe_info.si_uid, getuid());
	test_set_handler(SIGPIPE, SIG_DFL, 0);
	close(p[1]);
}
