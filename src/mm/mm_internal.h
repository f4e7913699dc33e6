/* Shared by the files of src/mm/. Callers hold mm->lock. */
#ifndef CVISOR_MM_INTERNAL_H
#define CVISOR_MM_INTERNAL_H

#include "cvisor/mm.h"
#include "cvisor/vfs.h"
#include "page_table.h"

struct memfile;

RB_PROTOTYPE(vma_tree, vma, node, vma_cmp)

struct memfile *mm_memfile(struct mm *mm);
/* The VMA containing ADDR, or NULL. */
struct vma *vma_find(struct mm *mm, uaddr_t addr);
/* The VMA containing ADDR, after growing a stack down to it if ADDR is
 * just below one (stack.c); NULL if none. */
struct vma *vma_find_grow(struct mm *mm, uaddr_t addr);
/* The first VMA ending above ADDR, or NULL. */
struct vma *vma_find_after(struct mm *mm, uaddr_t addr);

/* A VMA's reference to its file F, with F's vma_open hook (NULL: none). */
struct file *vma_file_get(struct file *f);

/* Makes START and END VMA boundaries where they fall inside VMAs. */
void vma_split_range(struct mm *mm, uaddr_t start, uaddr_t end);
/* munmap of [start, end) with mm->lock held. */
void mm_unmap_locked(struct mm *mm, uaddr_t start, uaddr_t end);

/* Top-down search for a free gap of LEN below mm->mmap_top; 0 if none. */
uaddr_t mm_find_gap(struct mm *mm, uint64_t len);

/* Whether every page of [start, end) is inside some VMA (Linux's
 * mprotect/madvise/msync fail with ENOMEM otherwise). */
bool vma_range_mapped(struct mm *mm, uaddr_t start, uaddr_t end);

/* Drops the pages of [start, end) from the page table and the platform
 * address space. */
void mm_drop_pages(struct mm *mm, uaddr_t start, uaddr_t end);
/* Forgets the platform mirror of [start, end): the next access faults and
 * maps again with the VMA's current protection. */
void mm_unmirror(struct mm *mm, uaddr_t start, uaddr_t end);

/* Makes every page of [start, end) inside V present in the page table,
 * breaking copy-on-write sharing when WRITE. Returns 0 or -ENOMEM/-EFAULT. */
int mm_populate(struct mm *mm, struct vma *v, uaddr_t start, uaddr_t end, bool write);

/* PROT_* to the mask of accesses copy_in/copy_out need. */
static inline bool vma_readable(const struct vma *v)
{
	return v->prot != 0;	/* x86: any access right implies read */
}

#endif
