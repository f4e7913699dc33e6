/* Copy-on-write fork of an address space: the child gets the same VMAs
 * and shares every page; private pages become read-only in both until one
 * side writes (mm_populate then breaks the sharing). Only pinned pages
 * are copied here. */
#include <string.h>
#include <sys/mman.h>

#include "cvisor/kernel.h"
#include "cvisor/memfile.h"
#include "mm_internal.h"

struct fork_ctx {
	struct mm *child;
	struct memfile *mf;
	bool private;
};

/* A private page the parent alone maps but someone pinned (a read(2)
 * blocked on a pipe, into this page, in another thread) stays the
 * parent's: were it shared, the parent's next write would move it to a
 * copy and the pinned page would get the data. The child gets its copy
 * now (Linux's page_needs_cow_for_dma). False: no memory for it. */
static bool copy_pinned_pte(struct fork_ctx *c, uint64_t vpn, uint64_t pte)
{
	uint64_t old = pte & PTE_OFF_MASK;
	int64_t off = memfile_alloc(c->mf, PAGE_SIZE);
	if (off < 0)
		return false;
	memcpy(memfile_ptr(c->mf, (uint64_t)off), memfile_ptr(c->mf, old), PAGE_SIZE);
	*pt_entry(&c->child->pt, vpn, true) = (uint64_t)off | PTE_PRESENT;
	return true;
}

static void share_pte(uint64_t vpn, uint64_t *pte, void *arg)
{
	struct fork_ctx *c = arg;
	if (!(*pte & PTE_PRESENT))
		return;
	/* Without memory for the copy, the page is shared as any other. */
	if (c->private && !(*pte & PTE_COW) &&
	    memfile_refcount(c->mf, *pte & PTE_OFF_MASK) > 1 && copy_pinned_pte(c, vpn, *pte)) {
		*pte &= ~PTE_MAPPED;	/* mm_fork unmaps the parent's VMA */
		return;
	}
	memfile_incref(c->mf, *pte & PTE_OFF_MASK, PAGE_SIZE);
	if (c->private)
		*pte = (*pte | PTE_COW) & ~PTE_MAPPED;
	*pt_entry(&c->child->pt, vpn, true) = *pte & ~PTE_MAPPED;
}

struct mm *mm_fork(struct mm *parent)
{
	struct mm *child = mm_new(parent->k);
	struct fork_ctx c = { .child = child, .mf = mm_memfile(parent) };

	pthread_mutex_lock(&parent->lock);
	struct vma *v;
	RB_FOREACH(v, vma_tree, &parent->vmas) {
		struct vma *nv = xmalloc(sizeof(*nv));
		*nv = *v;
		if (v->file)
			nv->file = vma_file_get(v->file);
		RB_INSERT(vma_tree, &child->vmas, nv);
		child->nr_vmas++;
		c.private = v->flags & MAP_PRIVATE;
		/* Shared anonymous memory has no object behind it but its
		 * pages: give it all of them now, so that both sides see
		 * the same ones (pages touched later would differ). */
		if (!c.private && !v->file)
			mm_populate(parent, v, v->start, v->end, false);
		pt_walk(&parent->pt, v->start / PAGE_SIZE, v->end / PAGE_SIZE, share_pte, &c);
		/* The parent must fault before its next write to shared pages. */
		if (c.private && (v->prot & PROT_WRITE) && parent->as)
			parent->k->platform.ops->as_unmap(parent->as, v->start, v->end - v->start);
	}
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	child->mmap_top = parent->mmap_top;
	child->stack_start = parent->stack_start;
	child->arg_start = parent->arg_start;
	child->arg_end = parent->arg_end;
	child->env_start = parent->env_start;
	child->env_end = parent->env_end;
	memcpy(child->auxv, parent->auxv, sizeof(child->auxv));
	child->auxv_len = parent->auxv_len;
	child->vvar_proc = parent->vvar_proc;
	child->stack_limit = parent->stack_limit;
	if (parent->exe)
		child->exe = file_get(parent->exe);
	pthread_mutex_unlock(&parent->lock);
	return child;
}
