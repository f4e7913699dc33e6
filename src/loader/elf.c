/* ELF64 x86-64 loading. Everything read from the file is untrusted: a
 * malformed or truncated file gets ENOEXEC and a reason, never a crash. */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cvisor/loader.h"
#include "cvisor/mm.h"
#include "loader_internal.h"

/* Where ET_DYN main programs go, as Linux's ELF_ET_DYN_BASE on x86-64. */
#define ET_DYN_BASE 0x555555554000ULL
#define MAX_PHNUM 1024

int loader_fail(char *err, size_t errlen, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return errnum;
}

static int read_exact(struct file *f, void *buf, size_t size, uint64_t off)
{
	ssize_t n = vfs_kernel_read(f, buf, size, (int64_t)off);
	if (n < 0)
		return (int)n;
	return (size_t)n == size ? 0 : -ENOEXEC;
}

static int check_header(const Elf64_Ehdr *eh, char *err, size_t errlen)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return loader_fail(err, errlen, -ENOEXEC, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64)
		return loader_fail(err, errlen, -ENOEXEC,
				   "wrong architecture (not an x86-64 ELF64 file)");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_version != EV_CURRENT)
		return loader_fail(err, errlen, -ENOEXEC, "bad ELF version or byte order");
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return loader_fail(err, errlen, -ENOEXEC, "ELF file is not an executable");
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum > MAX_PHNUM)
		return loader_fail(err, errlen, -ENOEXEC, "bad ELF program header table");
	return 0;
}

static int prot_of(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

/* Maps one PT_LOAD segment at BIAS. */
static int map_segment(struct mm *mm, struct file *f, const Elf64_Phdr *ph,
		       uint64_t bias, char *err, size_t errlen)
{
	uint64_t vaddr = ph->p_vaddr + bias;
	uint64_t page_off = vaddr & (PAGE_SIZE - 1);
	if (page_off != (ph->p_offset & (PAGE_SIZE - 1)))
		return loader_fail(err, errlen, -ENOEXEC, "misaligned ELF segment");
	uaddr_t start = vaddr - page_off;
	uaddr_t file_end = round_up(vaddr + ph->p_filesz, PAGE_SIZE);
	uaddr_t mem_end = round_up(vaddr + ph->p_memsz, PAGE_SIZE);
	int prot = prot_of(ph->p_flags);
	int64_t r;

	if (ph->p_filesz) {
		r = mm_mmap(mm, start, file_end - start, prot, MAP_PRIVATE | MAP_FIXED,
			    f, ph->p_offset - page_off);
		if (r < 0)
			return loader_fail(err, errlen, -ENOEXEC,
					   "cannot map ELF segment at %#lx", (unsigned long)start);
		/* The rest of the last file page belongs to the bss. */
		uint64_t tail = vaddr + ph->p_filesz;
		if (ph->p_memsz > ph->p_filesz && (tail & (PAGE_SIZE - 1)) && (prot & PROT_WRITE) &&
		    mm_zero_out(mm, tail, round_up(tail, PAGE_SIZE) - tail) < 0)
			return loader_fail(err, errlen, -ENOEXEC, "cannot clear ELF bss");
	} else {
		file_end = start;
	}
	if (mem_end > file_end) {
		r = mm_mmap(mm, file_end, mem_end - file_end, prot,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
		if (r < 0)
			return loader_fail(err, errlen, -ENOEXEC, "cannot map ELF bss");
	}
	return 0;
}

int elf_load(struct mm *mm, struct file *f, bool is_interp, struct elf_image *img,
	     char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	int ret;

	memset(img, 0, sizeof(*img));
	if (read_exact(f, &eh, sizeof(eh), 0) < 0)
		return loader_fail(err, errlen, -ENOEXEC, "file too short to be an ELF executable");
	if ((ret = check_header(&eh, err, errlen)) < 0)
		return ret;
	size_t ph_size = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
	Elf64_Phdr *ph = xmalloc(ph_size);
	if (read_exact(f, ph, ph_size, eh.e_phoff) < 0) {
		ret = loader_fail(err, errlen, -ENOEXEC, "truncated ELF program headers");
		goto out;
	}

	/* Extent of the loadable segments, validated before anything maps. */
	uint64_t lo = UINT64_MAX, hi = 0;
	for (int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_INTERP && !is_interp) {
			if (ph[i].p_filesz < 2 || ph[i].p_filesz > PATH_MAX_INTERP) {
				ret = loader_fail(err, errlen, -ENOEXEC, "bad ELF interpreter path");
				goto out;
			}
			if (read_exact(f, img->interp, ph[i].p_filesz, ph[i].p_offset) < 0 ||
			    img->interp[ph[i].p_filesz - 1] != '\0') {
				ret = loader_fail(err, errlen, -ENOEXEC, "bad ELF interpreter path");
				goto out;
			}
		}
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_filesz > ph[i].p_memsz ||
		    ph[i].p_vaddr + ph[i].p_memsz < ph[i].p_vaddr ||
		    ph[i].p_offset + ph[i].p_filesz < ph[i].p_offset) {
			ret = loader_fail(err, errlen, -ENOEXEC, "bad ELF segment sizes");
			goto out;
		}
		lo = MIN(lo, round_down(ph[i].p_vaddr, PAGE_SIZE));
		hi = MAX(hi, ph[i].p_vaddr + ph[i].p_memsz);
	}
	if (hi == 0) {
		ret = loader_fail(err, errlen, -ENOEXEC, "ELF file has no loadable segments");
		goto out;
	}

	uint64_t bias = 0;
	uint64_t span = round_up(hi, PAGE_SIZE) - lo;
	if (eh.e_type == ET_DYN) {
		/* Reserve the whole span first so segments land relative to one
		 * base, as Linux does with its first mapping. */
		uaddr_t hint = is_interp ? 0 : ET_DYN_BASE;
		int64_t base = mm_mmap(mm, hint, span, PROT_NONE,
				       MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
		if (base < 0) {
			ret = loader_fail(err, errlen, -ENOMEM, "no room to load ELF image");
			goto out;
		}
		mm_munmap(mm, (uaddr_t)base, span);
		bias = (uint64_t)base - lo;
	} else if (lo < ARCH_MMAP_MIN || hi > ARCH_APP_TOP) {
		ret = loader_fail(err, errlen, -ENOEXEC, "ELF segments outside the address space");
		goto out;
	}

	for (int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if ((ret = map_segment(mm, f, &ph[i], bias, err, errlen)) < 0)
			goto out;
		if (ph[i].p_offset <= eh.e_phoff &&
		    eh.e_phoff + ph_size <= ph[i].p_offset + ph[i].p_filesz)
			img->phdr = eh.e_phoff - ph[i].p_offset + ph[i].p_vaddr + bias;
	}
	img->bias = bias;
	img->entry = eh.e_entry + bias;
	img->phnum = eh.e_phnum;
	img->end = hi + bias;
	ret = 0;
out:
	free(ph);
	return ret;
}
