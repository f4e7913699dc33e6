/* Populating the page table and mirroring it into the platform address
 * space: page faults, copy-on-write, and dropping pages on unmap. */
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "cvisor/kernel.h"
#include "cvisor/memfile.h"
#include "mm_internal.h"

/* Pages populated around a faulting address at once: fewer round trips to
 * the sentry for sequential access, at the cost of some memory. */
#define FAULT_WINDOW (16 * PAGE_SIZE)

struct drop_ctx {
	struct memfile *mf;
};

static void drop_pte(uint64_t vpn, uint64_t *pte, void *arg)
{
	struct drop_ctx *c = arg;
	if (*pte & PTE_PRESENT)
		memfile_decref(c->mf, *pte & PTE_OFF_MASK, PAGE_SIZE);
	*pte = 0;
}

void mm_drop_pages(struct mm *mm, uaddr_t start, uaddr_t end)
{
	struct drop_ctx c = { .mf = mm_memfile(mm) };
	/* Unmap from the stub first: it must never see a freed page. */
	if (mm->as)
		mm->k->platform.ops->as_unmap(mm->as, start, end - start);
	pt_walk(&mm->pt, start / PAGE_SIZE, end / PAGE_SIZE, drop_pte, &c);
}

static void unmirror_pte(uint64_t vpn, uint64_t *pte, void *arg)
{
	*pte &= ~PTE_MAPPED;
}

void mm_unmirror(struct mm *mm, uaddr_t start, uaddr_t end)
{
	if (mm->as)
		mm->k->platform.ops->as_unmap(mm->as, start, end - start);
	pt_walk(&mm->pt, start / PAGE_SIZE, end / PAGE_SIZE, unmirror_pte, NULL);
}

/* Fills NPAGES fresh pages at memory-file offset OFF with V's contents for
 * virtual address ADDR: zeros for anonymous memory, file data otherwise
 * (zeros past end of file). */
static int fill_pages(struct mm *mm, struct vma *v, uaddr_t addr, uint64_t off,
		      uint64_t npages)
{
	if (!v->file)
		return 0;	/* memfile_alloc hands out zeroed pages */
	void *dst = memfile_ptr(mm_memfile(mm), off);
	size_t size = npages * PAGE_SIZE;
	ssize_t n = vfs_kernel_read(v->file, dst, size, (int64_t)(v->file_off + (addr - v->start)));
	if (n < 0)
		return -EFAULT;
	return 0;
}

/* Gives the page behind *PTE a private copy (copy-on-write). */
static int break_cow(struct mm *mm, uint64_t *pte)
{
	struct memfile *mf = mm_memfile(mm);
	uint64_t old = *pte & PTE_OFF_MASK;
	if (memfile_refcount(mf, old) == 1) {
		*pte &= ~(PTE_COW | PTE_MAPPED);
		return 0;
	}
	int64_t off = memfile_alloc(mf, PAGE_SIZE);
	if (off < 0)
		return (int)off;
	memcpy(memfile_ptr(mf, (uint64_t)off), memfile_ptr(mf, old), PAGE_SIZE);
	memfile_decref(mf, old, PAGE_SIZE);
	*pte = (uint64_t)off | PTE_PRESENT;
	return 0;
}

/* Shared file mappings map the file's own pages (tmpfs keeps them in the
 * memory file), so stores and write(2) meet in one place. */
static int populate_shared_file(struct mm *mm, struct vma *v, uaddr_t start, uaddr_t end,
				bool write)
{
	for (uaddr_t a = start; a < end; a += PAGE_SIZE) {
		uint64_t *pte = pt_entry(&mm->pt, a / PAGE_SIZE, true);
		if (*pte & PTE_PRESENT)
			continue;
		uint64_t off;
		uint64_t pgoff = (v->file_off + (a - v->start)) / PAGE_SIZE;
		int err = v->file->ops->mmap_page(v->file, pgoff, write, &off);
		if (err)
			return err;
		*pte = off | PTE_PRESENT;
	}
	return 0;
}

static bool maps_file_pages(const struct vma *v)
{
	return v->file && (v->flags & MAP_SHARED) && v->file->ops->mmap_page;
}

int mm_populate(struct mm *mm, struct vma *v, uaddr_t start, uaddr_t end, bool write)
{
	struct memfile *mf = mm_memfile(mm);
	uaddr_t a = start;

	if (maps_file_pages(v))
		return populate_shared_file(mm, v, start, end, write);

	while (a < end) {
		uint64_t *pte = pt_entry(&mm->pt, a / PAGE_SIZE, true);
		if (*pte & PTE_PRESENT) {
			if (write && (*pte & PTE_COW)) {
				int err = break_cow(mm, pte);
				if (err)
					return err;
			}
			a += PAGE_SIZE;
			continue;
		}
		/* A run of missing pages gets one contiguous allocation, so the
		 * platform can map it with one call. */
		uaddr_t run_end = a + PAGE_SIZE;
		while (run_end < end) {
			uint64_t *next = pt_entry(&mm->pt, run_end / PAGE_SIZE, false);
			if (next && (*next & PTE_PRESENT))
				break;
			run_end += PAGE_SIZE;
		}
		uint64_t npages = (run_end - a) / PAGE_SIZE;
		int64_t off = memfile_alloc(mf, npages * PAGE_SIZE);
		if (off < 0)
			return (int)off;
		int err = fill_pages(mm, v, a, (uint64_t)off, npages);
		if (err) {
			memfile_decref(mf, (uint64_t)off, npages * PAGE_SIZE);
			return err;
		}
		for (uint64_t i = 0; i < npages; i++) {
			pte = pt_entry(&mm->pt, a / PAGE_SIZE + i, true);
			*pte = ((uint64_t)off + i * PAGE_SIZE) | PTE_PRESENT;
		}
		a = run_end;
	}
	return 0;
}

/* Maps [start, end) of V into the platform address space, one call per run
 * of contiguous memory-file pages with the same protection. */
static int mirror(struct mm *mm, struct vma *v, uaddr_t start, uaddr_t end)
{
	const struct platform_ops *ops = mm->k->platform.ops;
	uaddr_t a = start;

	while (a < end) {
		uint64_t *pte = pt_entry(&mm->pt, a / PAGE_SIZE, false);
		int prot = v->prot;
		if (*pte & PTE_COW)
			prot &= ~PROT_WRITE;
		uint64_t off = *pte & PTE_OFF_MASK;
		uaddr_t run_end = a + PAGE_SIZE;
		for (; run_end < end; run_end += PAGE_SIZE) {
			uint64_t *next = pt_entry(&mm->pt, run_end / PAGE_SIZE, false);
			if ((*next & PTE_OFF_MASK) != off + (run_end - a) ||
			    (*next & PTE_COW) != (*pte & PTE_COW))
				break;
		}
		int err = ops->as_map(mm->as, a, run_end - a, prot, off);
		if (err)
			return err;
		for (uaddr_t p = a; p < run_end; p += PAGE_SIZE)
			*pt_entry(&mm->pt, p / PAGE_SIZE, false) |= PTE_MAPPED;
		mm->mirror_gen++;
		a = run_end;
	}
	return 0;
}

int mm_handle_fault(struct mm *mm, uaddr_t addr, bool write, uint64_t seen_gen)
{
	int ret = -SEGV_MAPERR;

	pthread_mutex_lock(&mm->lock);
	struct vma *v = vma_find_grow(mm, addr);
	if (!v)
		goto out;
	ret = -SEGV_ACCERR;
	if (!vma_readable(v) || (write && !(v->prot & PROT_WRITE)))
		goto out;
	/* Already mirrored with everything the VMA allows: the access itself
	 * is forbidden (e.g. executing a non-executable page), unless another
	 * thread mirrored it after this one faulted (then it retries). */
	uint64_t *pte = pt_entry(&mm->pt, addr / PAGE_SIZE, false);
	if (pte && (*pte & PTE_MAPPED) &&
	    (!(*pte & PTE_COW) || !(v->prot & PROT_WRITE))) {
		if (mm->mirror_gen != seen_gen)
			ret = 0;
		goto out;
	}

	uaddr_t start = MAX(v->start, round_down(addr, FAULT_WINDOW));
	uaddr_t end = MIN(v->end, round_down(addr, FAULT_WINDOW) + FAULT_WINDOW);
	/* Pages wholly past the end of a mapped file do not exist: SIGBUS
	 * (the page holding EOF reads as zeros beyond it). */
	if (v->file) {
		struct kstat st;
		if (vfs_getattr_inode(v->file->inode, &st) == 0) {
			uint64_t file_end = round_up((uint64_t)MAX(st.size, 0), PAGE_SIZE);
			uaddr_t eof = file_end <= v->file_off ? v->start
							      : v->start + (file_end - v->file_off);
			ret = -(MM_FAULT_SIGBUS | BUS_ADRERR);
			if (addr >= eof)
				goto out;
			end = MIN(end, eof);
		}
	}
	/* The platform cannot tell reads from writes: give writable private
	 * memory its own copy now rather than fault twice. */
	bool populate_write = (v->prot & PROT_WRITE) != 0;
	if (mm_populate(mm, v, start, end, populate_write) < 0) {
		ret = -SEGV_MAPERR;	/* out of memory: the kernel OOM path later */
		goto out;
	}
	ret = mirror(mm, v, start, end) < 0 ? -SEGV_MAPERR : 0;
out:
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

int mm_prot_at(struct mm *mm, uaddr_t addr)
{
	pthread_mutex_lock(&mm->lock);
	struct vma *v = vma_find(mm, addr);
	int prot = v ? v->prot : -1;
	pthread_mutex_unlock(&mm->lock);
	return prot;
}

int mm_futex_key(struct mm *mm, uaddr_t addr, bool private_op, struct mm_futex_key *key)
{
	int ret = -EFAULT;
	pthread_mutex_lock(&mm->lock);
	struct vma *v = vma_find(mm, addr);
	if (!v)
		goto out;
	ret = 0;
	if (private_op || !(v->flags & MAP_SHARED)) {
		*key = (struct mm_futex_key){ .mm = mm, .word = addr };
		goto out;
	}
	/* Shared memory: the word is the memory-file page everyone who
	 * maps it sees, wherever they map it. */
	uaddr_t page = round_down(addr, PAGE_SIZE);
	ret = mm_populate(mm, v, page, page + PAGE_SIZE, false);
	if (ret < 0)
		goto out;
	uint64_t *pte = pt_entry(&mm->pt, page / PAGE_SIZE, false);
	if (!pte || !(*pte & PTE_PRESENT)) {
		ret = -EFAULT;
		goto out;
	}
	*key = (struct mm_futex_key){ .mm = NULL, .word = (*pte & PTE_OFF_MASK) | (addr & ~PAGE_MASK) };
out:
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

int mm_write_kernel_page(struct mm *mm, uaddr_t addr, const void *src, size_t size,
			 const char *name)
{
	uaddr_t page = round_down(addr, PAGE_SIZE);
	int ret = -EFAULT;
	if (addr + size > page + PAGE_SIZE)
		return -EFAULT;
	pthread_mutex_lock(&mm->lock);
	struct vma *v = vma_find(mm, addr);
	if (!v || v->name != name)
		goto out;
	uint64_t *pte = pt_entry(&mm->pt, page / PAGE_SIZE, false);
	uint64_t before = pte && (*pte & PTE_PRESENT) ? *pte & PTE_OFF_MASK : 0;
	if ((ret = mm_populate(mm, v, page, page + PAGE_SIZE, true)) < 0)
		goto out;
	pte = pt_entry(&mm->pt, page / PAGE_SIZE, false);
	memcpy((char *)memfile_ptr(mm_memfile(mm), *pte & PTE_OFF_MASK) + (addr - page), src, size);
	/* A copy-on-write break gave the page a new home: the platform
	 * still maps the old one. */
	if (before && before != (*pte & PTE_OFF_MASK))
		mm_unmirror(mm, page, page + PAGE_SIZE);
out:
	pthread_mutex_unlock(&mm->lock);
	return ret;
}
