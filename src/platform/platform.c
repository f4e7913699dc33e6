/* Platform registry: --platform NAME looks platforms up here. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "cvisor/platform.h"
#include "stub_process.h"

/* The stub region is taken before anything else of the sentry can land
 * there: threads' stacks, malloc arenas and the memory file all come
 * later. Only the libraries ld.so mapped could be in the way (ASLR puts
 * them anywhere in the top terabyte). */
static int stub_region_err = -EAGAIN;

__attribute__((constructor)) static void reserve_stub_region(void)
{
	void *p = mmap((void *)ARCH_STUB_BASE, ARCH_STUB_SIZE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == (void *)ARCH_STUB_BASE)
		stub_region_err = 0;
	else if (p == MAP_FAILED)
		stub_region_err = -errno;
	else {
		munmap(p, ARCH_STUB_SIZE);
		stub_region_err = -EEXIST;
	}
}

int stub_region_map(uint64_t off, uint64_t size, const void *image, size_t len, int prot)
{
	if (stub_region_err)
		return stub_region_err;
	void *p = mmap((void *)(ARCH_STUB_BASE + off), size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (image)
		memcpy(p, image, len);
	if (prot != (PROT_READ | PROT_WRITE) && mprotect(p, size, prot) < 0)
		return -errno;
	return 0;
}

extern const struct platform_ops ptrace_platform_ops, systrap_platform_ops;

static const struct platform_ops *const platforms[] = {
	&ptrace_platform_ops,
	&systrap_platform_ops,
};

const struct platform_ops *platform_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(platforms); i++)
		if (strcmp(platforms[i]->name, name) == 0)
			return platforms[i];
	return NULL;
}

const struct platform_ops *platform_default(void)
{
	const char *why;
	if (systrap_supported(&why))
		return &systrap_platform_ops;
	fprintf(stderr, "cvisor: platform systrap unavailable (%s): using ptrace\n", why);
	return &ptrace_platform_ops;
}

const char *platform_names(void)
{
	return "ptrace, systrap";
}
