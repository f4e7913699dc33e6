#ifndef CVISOR_LOADER_INTERNAL_H
#define CVISOR_LOADER_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "cvisor/util.h"
#include "cvisor/vfs.h"

struct mm;
struct file;
struct task;

#define PATH_MAX_INTERP 4096

struct elf_image {
	uint64_t bias;		/* load address minus link address */
	uaddr_t entry;
	uaddr_t phdr;		/* address of the program headers, or 0 */
	unsigned phnum;
	uaddr_t end;		/* end of the highest segment */
	char interp[PATH_MAX_INTERP]; /* PT_INTERP, or "" */
};

int elf_load(struct mm *mm, struct file *f, bool is_interp, struct elf_image *img,
	     char *err, size_t errlen);
int loader_fail(char *err, size_t errlen, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
