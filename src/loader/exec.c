/* Building a process image: the program, its interpreter, the stack. */
#include <cpuid.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "cvisor/creds.h"
#include "cvisor/loader.h"
#include "cvisor/mm.h"
#include "loader_internal.h"

#define STACK_EXPAND (128UL << 10)	/* the stack's first size, as Linux */
#define STACK_TOP (ARCH_APP_TOP - PAGE_SIZE)
#define MMAP_GAP_MIN (128UL << 20)	/* between the stack and mmap area */

static const char stack_name[] = "[stack]";

/* Stack builder: strings grow down from the top, then the vectors. */
struct stack {
	struct mm *mm;
	uaddr_t sp;
};

static int push_bytes(struct stack *s, const void *p, size_t n, uaddr_t *at)
{
	s->sp -= n;
	*at = s->sp;
	return mm_copy_out(s->mm, s->sp, p, n);
}

static size_t count_strings(char *const *v, size_t *bytes)
{
	size_t n = 0;
	for (; v && v[n]; n++)
		*bytes += strlen(v[n]) + 1;
	return n;
}

static uint64_t hwcap(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	return d;	/* x86-64 AT_HWCAP is CPUID.1:EDX, as Linux reports it */
}

static int build_stack(struct mm *mm, const struct exec_args *args,
		       const struct elf_image *prog, const struct elf_image *interp,
		       uaddr_t vdso, struct arch_regs *regs)
{
	struct stack s = { .mm = mm, .sp = STACK_TOP };
	size_t bytes = strlen(args->filename) + 1;
	size_t argc = count_strings(args->argv, &bytes);
	size_t envc = count_strings(args->envp, &bytes);
	/* Linux: a quarter of RLIMIT_STACK, at most 6 MiB. */
	if (bytes > MIN(args->stack_limit / 4, 6UL << 20))
		return -E2BIG;

	uaddr_t execfn, platform, random, at;
	uaddr_t *argp = xmalloc((argc + envc + 2) * sizeof(uaddr_t));
	uaddr_t *envp = argp + argc + 1;
	int ret = -EFAULT;

	if (push_bytes(&s, args->filename, strlen(args->filename) + 1, &execfn) < 0)
		goto out;
	mm->env_end = s.sp;
	for (size_t i = envc; i-- > 0;)
		if (push_bytes(&s, args->envp[i], strlen(args->envp[i]) + 1, &envp[i]) < 0)
			goto out;
	mm->env_start = envc ? envp[0] : s.sp;
	mm->arg_end = s.sp;
	for (size_t i = argc; i-- > 0;)
		if (push_bytes(&s, args->argv[i], strlen(args->argv[i]) + 1, &argp[i]) < 0)
			goto out;
	mm->arg_start = argc ? argp[0] : s.sp;
	argp[argc] = 0;
	envp[envc] = 0;
	if (push_bytes(&s, "x86_64", 7, &platform) < 0)
		goto out;
	uint8_t rnd[16];
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		memset(rnd, 0x5a, sizeof(rnd));
	s.sp = round_down(s.sp, 16);
	if (push_bytes(&s, rnd, sizeof(rnd), &random) < 0)
		goto out;

	uint64_t auxv[] = {
		AT_SYSINFO_EHDR, vdso,
		AT_PHDR, prog->phdr,
		AT_PHENT, sizeof(Elf64_Phdr),
		AT_PHNUM, prog->phnum,
		AT_PAGESZ, PAGE_SIZE,
		AT_BASE, interp ? interp->bias : 0,
		AT_FLAGS, 0,
		AT_ENTRY, prog->entry,
		AT_UID, args->creds->uid,
		AT_EUID, args->creds->euid,
		AT_GID, args->creds->gid,
		AT_EGID, args->creds->egid,
		AT_SECURE, 0,
		AT_RANDOM, random,
		AT_HWCAP, hwcap(),
		AT_HWCAP2, 0,
		AT_CLKTCK, 100,
		AT_PLATFORM, platform,
		AT_EXECFN, execfn,
		AT_MINSIGSTKSZ, 2048,
		AT_NULL, 0,
	};
	_Static_assert(ARRAY_SIZE(auxv) <= ARRAY_SIZE(mm->auxv), "auxv too long");
	memcpy(mm->auxv, auxv, sizeof(auxv));
	mm->auxv_len = ARRAY_SIZE(auxv);

	/* argc, argv[], NULL, envp[], NULL, auxv: 16-byte aligned at argc. */
	size_t words = 1 + (argc + 1) + (envc + 1) + ARRAY_SIZE(auxv);
	s.sp = round_down(s.sp - words * 8, 16) + words * 8;
	if (push_bytes(&s, auxv, sizeof(auxv), &at) < 0 ||
	    push_bytes(&s, envp, (envc + 1) * 8, &at) < 0 ||
	    push_bytes(&s, argp, (argc + 1) * 8, &at) < 0)
		goto out;
	uint64_t argc64 = argc;
	if (push_bytes(&s, &argc64, 8, &at) < 0)
		goto out;
	arch_regs_init_exec(regs, interp ? interp->entry : prog->entry, s.sp);
	ret = 0;
out:
	free(argp);
	return ret;
}

int loader_exec(struct mm *mm, const struct exec_args *args, struct arch_regs *regs,
		char *err, size_t errlen)
{
	/* Images hold a PATH_MAX buffer: keep them off the stack. */
	struct elf_image *prog = xmalloc(sizeof(*prog)), *interp = NULL;
	int ret;

	/* Linux's mmap_base: the stack may grow to its limit, and the gap
	 * stays between 128 MiB and 5/6 of the address space. */
	uint64_t gap = MIN(MAX(args->stack_limit, MMAP_GAP_MIN - MM_STACK_GUARD_GAP) +
			   MM_STACK_GUARD_GAP, ARCH_APP_TOP / 6 * 5);
	mm->mmap_top = round_down(STACK_TOP - gap, PAGE_SIZE);
	mm_set_stack_limit(mm, args->stack_limit);
	uint64_t first = MIN(STACK_EXPAND, round_down(args->stack_limit, PAGE_SIZE));
	int64_t stack = mm_mmap(mm, STACK_TOP - first, first,
				PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, NULL, 0);
	if (stack < 0) {
		ret = (int)stack;
		goto out;
	}
	mm->stack_start = (uaddr_t)stack;
	mm_set_vma_name(mm, (uaddr_t)stack, stack_name);
	if ((ret = elf_load(mm, args->file, false, prog, err, errlen)) < 0)
		goto out;
	mm_set_brk_start(mm, prog->end);
	if (prog->interp[0]) {
		struct file *f;
		ret = vfs_open_exec(args->task, prog->interp, &f);
		if (ret < 0) {
			ret = loader_fail(err, errlen, ret, "cannot open ELF interpreter %s",
					  prog->interp);
			goto out;
		}
		interp = xmalloc(sizeof(*interp));
		ret = elf_load(mm, f, true, interp, err, errlen);
		file_put(f);
		if (ret < 0)
			goto out;
	}
	int64_t vdso = vdso_map(mm, args->affinity);
	if (vdso < 0) {
		ret = loader_fail(err, errlen, (int)vdso, "cannot map the vDSO");
		goto out;
	}
	ret = build_stack(mm, args, prog, interp, (uaddr_t)vdso, regs);
	if (ret < 0)
		loader_fail(err, errlen, ret, "cannot build the initial stack");
out:
	free(prog);
	free(interp);
	return ret;
}
