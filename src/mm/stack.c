/* Stacks that grow (Linux's expand_downwards): an access just below a
 * MAP_GROWSDOWN mapping, by the application or by the kernel copying to
 * it (a signal frame), extends the mapping down to the page, as long as
 * the mapping stays within RLIMIT_STACK and keeps the stack guard gap
 * above the accessible mapping below it. */
#include <sys/mman.h>

#include "cvisor/arch.h"
#include "mm_internal.h"

struct vma *vma_find_grow(struct mm *mm, uaddr_t addr)
{
	struct vma *v = vma_find_after(mm, addr);
	if (!v || v->start <= addr)
		return v;
	if (!(v->flags & MAP_GROWSDOWN) || v->file)
		return NULL;
	uaddr_t start = round_down(addr, PAGE_SIZE);
	if (start < ARCH_MMAP_MIN)
		return NULL;
	struct vma *prev = RB_PREV(vma_tree, &mm->vmas, v);
	if (prev && !(prev->flags & MAP_GROWSDOWN) && prev->prot &&
	    start - prev->end < MM_STACK_GUARD_GAP)
		return NULL;
	if (v->end - start > __atomic_load_n(&mm->stack_limit, __ATOMIC_RELAXED))
		return NULL;
	v->start = start;
	return v;
}

void mm_set_stack_limit(struct mm *mm, uint64_t limit)
{
	__atomic_store_n(&mm->stack_limit, limit, __ATOMIC_RELAXED);
}
