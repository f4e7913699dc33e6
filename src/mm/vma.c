/* VMAs: the layout the application asked for with mmap, munmap, mprotect
 * and brk, with Linux's rules for arguments, placement and splitting. */
#include <stdlib.h>
#include <linux/mman.h>
#include <sys/mman.h>

#include "cvisor/kernel.h"
#include "mm_internal.h"

static int vma_cmp(struct vma *a, struct vma *b)
{
	/* Ordered by end, so RB_NFIND(end > addr) finds the VMA at addr. */
	return a->end < b->end ? -1 : a->end > b->end;
}
RB_GENERATE(vma_tree, vma, node, vma_cmp)

struct memfile *mm_memfile(struct mm *mm)
{
	return &mm->k->mf;
}

struct mm *mm_new(struct kernel *k)
{
	struct mm *mm = xzalloc(sizeof(*mm));
	pthread_mutex_init(&mm->lock, NULL);
	mm->users = 1;
	mm->refs = 1;
	mm->k = k;
	RB_INIT(&mm->vmas);
	return mm;
}

void mm_get(struct mm *mm)
{
	mm->users++;
}

struct file *vma_file_get(struct file *f)
{
	if (f->ops->vma_open)
		f->ops->vma_open(f);
	return file_get(f);
}

static void vma_free(struct vma *v)
{
	if (v->file) {
		if (v->file->ops->vma_close)
			v->file->ops->vma_close(v->file);
		file_put(v->file);
	}
	free(v);
}

void mm_put(struct mm *mm)
{
	if (--mm->users > 0)
		return;
	struct vma *v, *next;
	pthread_mutex_lock(&mm->lock);
	/* The stub goes first, with every mapping: nothing is unmapped from
	 * it page by page (the last user may have given up its thread of
	 * execution in it, and need not have made it). */
	if (mm->as)
		mm->k->platform.ops->as_release(mm->as);
	mm->as = NULL;
	RB_FOREACH_SAFE(v, vma_tree, &mm->vmas, next) {
		mm_drop_pages(mm, v->start, v->end);
		RB_REMOVE(vma_tree, &mm->vmas, v);
		vma_free(v);
	}
	mm->nr_vmas = 0;
	pt_destroy(&mm->pt);
	pthread_mutex_unlock(&mm->lock);
	mm_drop(mm);
}

void mm_grab(struct mm *mm)
{
	mm->refs++;
}

void mm_drop(struct mm *mm)
{
	if (--mm->refs > 0)
		return;
	if (mm->exe)
		file_put(mm->exe);
	pthread_mutex_destroy(&mm->lock);
	free(mm);
}

struct vma *vma_find_after(struct mm *mm, uaddr_t addr)
{
	struct vma key = { .end = addr + 1 };
	return RB_NFIND(vma_tree, &mm->vmas, &key);
}

struct vma *vma_find(struct mm *mm, uaddr_t addr)
{
	struct vma *v = vma_find_after(mm, addr);
	return v && v->start <= addr ? v : NULL;
}

/* Splits V at ADDR (strictly inside it); returns the upper half. */
static struct vma *vma_split(struct mm *mm, struct vma *v, uaddr_t addr)
{
	struct vma *hi = xmalloc(sizeof(*hi));
	*hi = *v;
	hi->start = addr;
	if (v->file) {
		hi->file = vma_file_get(v->file);
		hi->file_off = v->file_off + (addr - v->start);
	}
	RB_REMOVE(vma_tree, &mm->vmas, v);
	v->end = addr;
	RB_INSERT(vma_tree, &mm->vmas, v);
	RB_INSERT(vma_tree, &mm->vmas, hi);
	mm->nr_vmas++;
	return hi;
}

void vma_split_range(struct mm *mm, uaddr_t start, uaddr_t end)
{
	struct vma *v = vma_find(mm, start);
	if (v && v->start < start)
		vma_split(mm, v, start);
	v = vma_find(mm, end - 1);
	if (v && v->end > end)
		vma_split(mm, v, end);
}

static bool vma_can_merge(const struct vma *a, const struct vma *b)
{
	return a->end == b->start && !a->file && !b->file && a->prot == b->prot &&
	       a->maxprot == b->maxprot && a->flags == b->flags && a->name == b->name;
}

/* Merges V with anonymous neighbours that look the same, as Linux does. */
static void vma_merge(struct mm *mm, struct vma *v)
{
	struct vma *prev = RB_PREV(vma_tree, &mm->vmas, v);
	if (prev && vma_can_merge(prev, v)) {
		RB_REMOVE(vma_tree, &mm->vmas, prev);
		v->start = prev->start;
		vma_free(prev);
		mm->nr_vmas--;
	}
	struct vma *next = RB_NEXT(vma_tree, &mm->vmas, v);
	if (next && vma_can_merge(v, next)) {
		RB_REMOVE(vma_tree, &mm->vmas, v);
		next->start = v->start;
		vma_free(v);
		mm->nr_vmas--;
	}
}

void mm_unmap_locked(struct mm *mm, uaddr_t start, uaddr_t end)
{
	vma_split_range(mm, start, end);
	mm_drop_pages(mm, start, end);
	struct vma *v = vma_find_after(mm, start);
	while (v && v->start < end) {
		struct vma *next = RB_NEXT(vma_tree, &mm->vmas, v);
		RB_REMOVE(vma_tree, &mm->vmas, v);
		vma_free(v);
		mm->nr_vmas--;
		v = next;
	}
}

bool vma_range_mapped(struct mm *mm, uaddr_t start, uaddr_t end)
{
	uaddr_t cur = start;
	for (struct vma *v = vma_find_after(mm, start); cur < end; v = RB_NEXT(vma_tree, &mm->vmas, v)) {
		if (!v || v->start > cur)
			return false;
		cur = v->end;
	}
	return true;
}

static bool range_free(struct mm *mm, uaddr_t start, uaddr_t end)
{
	struct vma *v = vma_find_after(mm, start);
	return !v || v->start >= end;
}

uaddr_t mm_find_gap(struct mm *mm, uint64_t len)
{
	uaddr_t top = mm->mmap_top;
	struct vma *v = vma_find_after(mm, top - 1);
	if (v && v->start >= top)
		v = RB_PREV(vma_tree, &mm->vmas, v);
	else if (!v)
		v = RB_MAX(vma_tree, &mm->vmas);
	for (;;) {
		uaddr_t floor = v ? v->end : ARCH_MMAP_MIN;
		if (floor < top && top - floor >= len)
			return top - len;
		if (!v)
			return 0;
		uaddr_t below = v->start;
		if ((v->flags & MAP_GROWSDOWN) && below > MM_STACK_GUARD_GAP)
			below -= MM_STACK_GUARD_GAP;	/* room for it to grow */
		top = MIN(top, below);
		v = RB_PREV(vma_tree, &mm->vmas, v);
	}
}

#define MAP_TYPE_MASK 0x0f
#define MMAP_KNOWN_FLAGS                                                      \
	(MAP_TYPE_MASK | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN |          \
	 MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE |        \
	 MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB |              \
	 MAP_FIXED_NOREPLACE | MAP_SYNC | MAP_UNINITIALIZED)

int64_t mm_mmap(struct mm *mm, uaddr_t addr, uint64_t len, int prot, int flags,
		struct file *f, uint64_t off)
{
	int type = flags & MAP_TYPE_MASK;

	if (len == 0)
		return -EINVAL;
	if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE && (flags & ~MMAP_KNOWN_FLAGS))
		return -EOPNOTSUPP;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
		return -EINVAL;
	if (flags & MAP_HUGETLB)
		return -EINVAL;
	uint64_t size = round_up(len, PAGE_SIZE);
	if (size < len || size > ARCH_APP_TOP - ARCH_MMAP_MIN)
		return -ENOMEM;
	if (!(flags & MAP_ANONYMOUS) && (!page_aligned(off) || off + size < off))
		return -EINVAL;
	if (flags & MAP_ANONYMOUS)
		f = NULL;
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if (fixed && !page_aligned(addr))
		return -EINVAL;

	pthread_mutex_lock(&mm->lock);
	int64_t ret;
	if (fixed) {
		if (addr < ARCH_MMAP_MIN || addr > ARCH_APP_TOP - size) {
			ret = addr < ARCH_MMAP_MIN ? -EPERM : -ENOMEM;
			goto out;
		}
		if (!range_free(mm, addr, addr + size)) {
			if (flags & MAP_FIXED_NOREPLACE) {
				ret = -EEXIST;
				goto out;
			}
			mm_unmap_locked(mm, addr, addr + size);
		}
	} else {
		addr = round_down(addr, PAGE_SIZE);
		if (addr < ARCH_MMAP_MIN || addr > ARCH_APP_TOP - size ||
		    !range_free(mm, addr, addr + size))
			addr = mm_find_gap(mm, size);
		if (!addr) {
			ret = -ENOMEM;
			goto out;
		}
	}
	struct vma *v = xzalloc(sizeof(*v));
	v->start = addr;
	v->end = addr + size;
	v->prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
	/* A shared mapping of a file not open for writing never becomes
	 * writable (Linux clears VM_MAYWRITE). */
	v->maxprot = PROT_READ | PROT_WRITE | PROT_EXEC;
	if (f && type != MAP_PRIVATE && !(f->fmode & FMODE_WRITE))
		v->maxprot &= ~PROT_WRITE;
	v->flags = (type == MAP_PRIVATE ? MAP_PRIVATE : MAP_SHARED) |
		   (flags & (MAP_ANONYMOUS | MAP_GROWSDOWN));
	if (f) {
		v->file = vma_file_get(f);
		v->file_off = off;
	}
	RB_INSERT(vma_tree, &mm->vmas, v);
	mm->nr_vmas++;
	vma_merge(mm, v);
	ret = (int64_t)addr;
out:
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

int mm_munmap(struct mm *mm, uaddr_t addr, uint64_t len)
{
	if (!page_aligned(addr) || len == 0)
		return -EINVAL;
	uint64_t size = round_up(len, PAGE_SIZE);
	if (addr >= ARCH_APP_TOP || size > ARCH_APP_TOP - addr)
		return -EINVAL;
	pthread_mutex_lock(&mm->lock);
	mm_unmap_locked(mm, addr, addr + size);
	pthread_mutex_unlock(&mm->lock);
	return 0;
}

int mm_mprotect(struct mm *mm, uaddr_t addr, uint64_t len, int prot)
{
	if (!page_aligned(addr))
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM |
		     PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	uint64_t size = round_up(len, PAGE_SIZE);
	if (size < len || addr + size < addr)
		return -ENOMEM;
	if (size == 0)
		return 0;
	uaddr_t end = addr + size;

	pthread_mutex_lock(&mm->lock);
	int ret = 0;
	if (!vma_range_mapped(mm, addr, end)) {
		ret = -ENOMEM;
		goto out;
	}
	for (struct vma *v = vma_find(mm, addr); v && v->start < end;
	     v = RB_NEXT(vma_tree, &mm->vmas, v)) {
		if (prot & ~v->maxprot) {
			ret = -EACCES;
			goto out;
		}
	}
	vma_split_range(mm, addr, end);
	for (struct vma *v = vma_find(mm, addr); v && v->start < end;) {
		v->prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
		struct vma *next = RB_NEXT(vma_tree, &mm->vmas, v);
		vma_merge(mm, v);
		v = next;
	}
	mm_unmirror(mm, addr, end);
out:
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

static void set_vma_name(struct mm *mm, uaddr_t addr, const char *name, int maxprot)
{
	pthread_mutex_lock(&mm->lock);
	struct vma *v = vma_find(mm, addr);
	if (v) {
		v->name = name;
		v->maxprot &= maxprot;
	}
	pthread_mutex_unlock(&mm->lock);
}

void mm_set_vma_name(struct mm *mm, uaddr_t addr, const char *name)
{
	set_vma_name(mm, addr, name, PROT_READ | PROT_WRITE | PROT_EXEC);
}

void mm_set_vma_readonly(struct mm *mm, uaddr_t addr, const char *name)
{
	set_vma_name(mm, addr, name, PROT_READ);
}

static const char heap_name[] = "[heap]";

void mm_set_brk_start(struct mm *mm, uaddr_t start)
{
	mm->brk_start = mm->brk = round_up(start, PAGE_SIZE);
}

uaddr_t mm_brk(struct mm *mm, uaddr_t newbrk)
{
	pthread_mutex_lock(&mm->lock);
	uaddr_t old_end = round_up(mm->brk, PAGE_SIZE);
	uaddr_t new_end = round_up(newbrk, PAGE_SIZE);
	if (newbrk < mm->brk_start || newbrk > ARCH_APP_TOP)
		goto out;
	if (new_end < old_end) {
		mm_unmap_locked(mm, new_end, old_end);
	} else if (new_end > old_end) {
		if (!range_free(mm, old_end, new_end))
			goto out;
		struct vma *v = xzalloc(sizeof(*v));
		*v = (struct vma){ .start = old_end, .end = new_end,
				   .prot = PROT_READ | PROT_WRITE,
				   .maxprot = PROT_READ | PROT_WRITE | PROT_EXEC,
				   .flags = MAP_PRIVATE | MAP_ANONYMOUS,
				   .name = heap_name };
		RB_INSERT(vma_tree, &mm->vmas, v);
		mm->nr_vmas++;
		vma_merge(mm, v);
	}
	mm->brk = newbrk;
out:
	newbrk = mm->brk;
	pthread_mutex_unlock(&mm->lock);
	return newbrk;
}

static void count_present(uint64_t vpn, uint64_t *pte, void *arg)
{
	if (*pte & PTE_PRESENT)
		(*(uint64_t *)arg) += PAGE_SIZE;
}

uint64_t mm_resident_bytes(struct mm *mm)
{
	uint64_t bytes = 0;
	pthread_mutex_lock(&mm->lock);
	pt_walk(&mm->pt, 0, ARCH_APP_TOP / PAGE_SIZE, count_present, &bytes);
	pthread_mutex_unlock(&mm->lock);
	return bytes;
}

uint64_t mm_resident_range_locked(struct mm *mm, uaddr_t start, uaddr_t end)
{
	uint64_t bytes = 0;
	pt_walk(&mm->pt, start / PAGE_SIZE, end / PAGE_SIZE, count_present, &bytes);
	return bytes;
}

void mm_for_each_vma(struct mm *mm, void (*fn)(const struct vma *v, void *arg), void *arg)
{
	struct vma *v;
	pthread_mutex_lock(&mm->lock);
	RB_FOREACH(v, vma_tree, &mm->vmas)
		fn(v, arg);
	pthread_mutex_unlock(&mm->lock);
}
