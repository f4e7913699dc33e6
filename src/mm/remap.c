/* mremap and madvise. Moving a mapping moves its page-table entries; no
 * page is copied. */
#include <linux/mman.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "cvisor/kernel.h"
#include "mm_internal.h"

struct move_ctx {
	struct mm *mm;
	int64_t delta_pages;
};

static void move_pte(uint64_t vpn, uint64_t *pte, void *arg)
{
	struct move_ctx *c = arg;
	uint64_t *dst = pt_entry(&c->mm->pt, (uint64_t)((int64_t)vpn + c->delta_pages), true);
	*dst = *pte & ~PTE_MAPPED;
	*pte = 0;
}

/* Moves V (exactly [old, old+len)) to NEW_ADDR with size NEW_LEN. */
static void move_vma(struct mm *mm, struct vma *v, uaddr_t new_addr, uint64_t new_len)
{
	struct move_ctx c = { .mm = mm,
			      .delta_pages = ((int64_t)new_addr - (int64_t)v->start) / (int64_t)PAGE_SIZE };
	if (mm->as)
		mm->k->platform.ops->as_unmap(mm->as, v->start, v->end - v->start);
	uint64_t keep = MIN(new_len, v->end - v->start);
	pt_walk(&mm->pt, v->start / PAGE_SIZE, (v->start + keep) / PAGE_SIZE, move_pte, &c);
	mm_drop_pages(mm, v->start + keep, v->end);
	RB_REMOVE(vma_tree, &mm->vmas, v);
	v->start = new_addr;
	v->end = new_addr + new_len;
	RB_INSERT(vma_tree, &mm->vmas, v);
}

int64_t mm_mremap(struct mm *mm, uaddr_t old, uint64_t old_len, uint64_t new_len, int flags,
		  uaddr_t new_addr)
{
	if (!page_aligned(old) || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (flags & MREMAP_DONTUNMAP)
		return -EINVAL;	/* not supported yet: Linux allows it on private anon only */
	old_len = round_up(old_len, PAGE_SIZE);
	new_len = round_up(new_len, PAGE_SIZE);
	if (new_len == 0 || new_len > ARCH_APP_TOP || old_len > ARCH_APP_TOP)
		return -EINVAL;
	if (old_len == 0)
		return -EINVAL;	/* duplicating a shared mapping: not supported */

	int64_t ret;
	pthread_mutex_lock(&mm->lock);
	struct vma *v = vma_find(mm, old);
	if (!v || old + old_len > v->end) {
		ret = -EFAULT;
		goto out;
	}
	if (flags & MREMAP_FIXED) {
		if (!page_aligned(new_addr) || new_addr < ARCH_MMAP_MIN ||
		    new_addr > ARCH_APP_TOP - new_len) {
			ret = -EINVAL;
			goto out;
		}
		if (new_addr < old + old_len && old < new_addr + new_len) {
			ret = -EINVAL;
			goto out;
		}
	}
	/* Carve out exactly [old, old+old_len) as its own VMA. */
	vma_split_range(mm, old, old + old_len);
	v = vma_find(mm, old);

	if (!(flags & MREMAP_FIXED) && new_len <= old_len) {
		if (new_len < old_len)
			mm_unmap_locked(mm, old + new_len, old + old_len);
		ret = (int64_t)old;
		goto out;
	}
	if (!(flags & MREMAP_FIXED)) {
		struct vma *next = RB_NEXT(vma_tree, &mm->vmas, v);
		if (old + new_len <= ARCH_APP_TOP && (!next || next->start >= old + new_len)) {
			RB_REMOVE(vma_tree, &mm->vmas, v);
			v->end = old + new_len;
			RB_INSERT(vma_tree, &mm->vmas, v);
			ret = (int64_t)old;
			goto out;
		}
		if (!(flags & MREMAP_MAYMOVE)) {
			ret = -ENOMEM;
			goto out;
		}
		new_addr = mm_find_gap(mm, new_len);
		if (!new_addr) {
			ret = -ENOMEM;
			goto out;
		}
	} else {
		mm_unmap_locked(mm, new_addr, new_addr + new_len);
	}
	move_vma(mm, v, new_addr, new_len);
	ret = (int64_t)new_addr;
out:
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

int mm_msync(struct mm *mm, uaddr_t addr, uint64_t len, int flags)
{
	if (!page_aligned(addr) || (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	uint64_t size = round_up(len, PAGE_SIZE);
	if (size < len || addr + size < addr)
		return -ENOMEM;
	/* Shared file pages are the file's own memory-file pages: nothing to
	 * write back. What remains is Linux's check that all is mapped. */
	pthread_mutex_lock(&mm->lock);
	bool mapped = vma_range_mapped(mm, addr, addr + size);
	pthread_mutex_unlock(&mm->lock);
	return mapped ? 0 : -ENOMEM;
}

int mm_madvise(struct mm *mm, uaddr_t addr, uint64_t len, int advice)
{
	if (!page_aligned(addr))
		return -EINVAL;
	uint64_t size = round_up(len, PAGE_SIZE);
	if (size < len || addr + size < addr)
		return -EINVAL;
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_REMOVE:
		break;
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_DONTFORK: case MADV_DOFORK: case MADV_MERGEABLE: case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP:
	case MADV_COLD: case MADV_PAGEOUT: case MADV_WIPEONFORK: case MADV_KEEPONFORK:
		advice = -1;	/* advisory only: nothing to do */
		break;
	default:
		return -EINVAL;
	}
	int ret = 0;
	pthread_mutex_lock(&mm->lock);
	uaddr_t cur = addr, end = addr + size;
	for (struct vma *v = vma_find_after(mm, addr); cur < end; v = RB_NEXT(vma_tree, &mm->vmas, v)) {
		if (!v || v->start >= end) {
			ret = -ENOMEM;
			break;
		}
		if (v->start > cur)
			ret = -ENOMEM;
		uaddr_t lo = MAX(v->start, cur), hi = MIN(v->end, end);
		/* Private pages go; the next touch sees zeros or the file again.
		 * Shared pages keep their contents, as for MAP_SHARED in Linux. */
		if (advice != -1 && (v->flags & MAP_PRIVATE))
			mm_drop_pages(mm, lo, hi);
		cur = hi;
	}
	pthread_mutex_unlock(&mm->lock);
	return ret;
}
