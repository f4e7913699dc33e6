/* The ptrace platform alone: a stub runs hand-written code from the memory
 * file; its syscalls and faults come back to us instead of the host. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "check.h"
#include "cvisor/memfile.h"
#include "cvisor/platform.h"


int main(void)
{
	static struct memfile mf;
	struct platform p = { .ops = platform_lookup("ptrace") };
	/* The platform reserves its fixed stub region before the memory
	 * file's large mapping can land there, as kernel_init does. */
	if (!p.ops || p.ops->init(&p, &mf) != 0 || memfile_init(&mf, 1 << 26) != 0) {
		printf("FAIL: cannot set up the platform\n");
		return 1;
	}
	struct address_space *as = p.ops->as_new(&p);
	if (IS_ERR(as)) {
		printf("FAIL: cannot create a stub\n");
		return 1;
	}
	int64_t off = memfile_alloc(&mf, PAGE_SIZE);
	CHECK(off >= 0);
	/* mov $39,%eax; syscall; movl $1,0x1000; (faults) */
	static const unsigned char code[] = { 0xb8, 39, 0, 0, 0, 0x0f, 0x05,
		0xc7, 0x04, 0x25, 0x00, 0x10, 0, 0, 1, 0, 0, 0 };
	memcpy(memfile_ptr(&mf, (uint64_t)off), code, sizeof(code));
	CHECK(p.ops->as_map(as, 0x400000, PAGE_SIZE, PROT_READ | PROT_EXEC, (uint64_t)off) == 0);

	struct context *c = p.ops->ctx_new(&p);
	struct arch_regs regs;
	struct fault_info fi;
	arch_regs_init_exec(&regs, 0x400000, 0);
	CHECK(p.ops->ctx_switch(c, as, &regs, &fi) == SWITCH_SYSCALL);
	CHECK(arch_syscall_nr(&regs) == SYS_getpid);
	CHECK(arch_ip(&regs) == 0x400007);

	arch_set_return(&regs, 1);
	CHECK(p.ops->ctx_switch(c, as, &regs, &fi) == SWITCH_FAULT);
	CHECK(fi.signo == SIGSEGV);
	CHECK(fi.addr == 0x1000);
	CHECK(arch_ip(&regs) == 0x400007);

	p.ops->ctx_interrupt(c);
	CHECK(p.ops->ctx_switch(c, as, &regs, &fi) == SWITCH_INTERRUPT);

	p.ops->ctx_release(c);
	p.ops->as_release(as);
	printf("%s: %s\n", __FILE__, failures ? "FAILED" : "ok");
	return failures != 0;
}
