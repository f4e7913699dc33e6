/* Allocator for the memory file. Free space is a sorted, coalesced list of
 * extents plus a bump pointer; that is enough while allocation units are
 * large (fault windows, tmpfs pages) and keeps the code obvious. */
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cvisor/log.h"
#include "cvisor/memfile.h"

struct memfile_extent {
	uint64_t off, size;
	struct memfile_extent *next;
};

/* Virtual room reserved for the file; only pages in use cost memory. */
#define MEMFILE_RESERVE (1ULL << 40)

int memfile_init(struct memfile *mf, uint64_t limit)
{
	int err;

	*mf = (struct memfile){ .limit = limit };
	pthread_mutex_init(&mf->lock, NULL);
	mf->size = MEMFILE_RESERVE;
	mf->fd = memfd_create("cvisor-memory", MFD_CLOEXEC);
	if (mf->fd < 0)
		return -errno;
	if (ftruncate(mf->fd, (off_t)mf->size) < 0)
		goto fail;
	mf->base = mmap(NULL, mf->size, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_NORESERVE, mf->fd, 0);
	if (mf->base == MAP_FAILED)
		goto fail;
	size_t refs_size = mf->size / PAGE_SIZE * sizeof(uint32_t);
	void *refs = mmap(NULL, refs_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (refs == MAP_FAILED)
		goto fail_unmap;
	mf->refs = refs;
	return 0;

fail_unmap:
	err = -errno;
	munmap(mf->base, mf->size);
	close(mf->fd);
	return err;
fail:
	err = -errno;
	close(mf->fd);
	return err;
}

void memfile_destroy(struct memfile *mf)
{
	munmap((void *)mf->refs, mf->size / PAGE_SIZE * sizeof(uint32_t));
	munmap(mf->base, mf->size);
	close(mf->fd);
	while (mf->free_list) {
		struct memfile_extent *e = mf->free_list;
		mf->free_list = e->next;
		free(e);
	}
}

static void set_refs(struct memfile *mf, uint64_t off, uint64_t size, uint32_t v)
{
	for (uint64_t p = off / PAGE_SIZE; p < (off + size) / PAGE_SIZE; p++)
		mf->refs[p] = v;
}

int64_t memfile_alloc(struct memfile *mf, uint64_t size)
{
	int64_t off = -ENOMEM;

	if (size == 0 || !page_aligned(size))
		return -EINVAL;
	pthread_mutex_lock(&mf->lock);
	if (mf->in_use + size > mf->limit)
		goto out;
	for (struct memfile_extent **pe = &mf->free_list; *pe; pe = &(*pe)->next) {
		struct memfile_extent *e = *pe;
		if (e->size < size)
			continue;
		off = (int64_t)e->off;
		e->off += size;
		e->size -= size;
		if (e->size == 0) {
			*pe = e->next;
			free(e);
		}
		goto found;
	}
	if (mf->bump + size > mf->size)
		goto out;
	off = (int64_t)mf->bump;
	mf->bump += size;
found:
	mf->in_use += size;
	set_refs(mf, (uint64_t)off, size, 1);
out:
	pthread_mutex_unlock(&mf->lock);
	return off;
}

/* Returns [off, off+size) to the free list; caller holds mf->lock. */
static void free_range(struct memfile *mf, uint64_t off, uint64_t size)
{
	struct memfile_extent **pe = &mf->free_list, *prev = NULL;

	/* Freed pages read as zero when reused, and their memory goes back to
	 * the host now. */
	fallocate(mf->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		  (off_t)off, (off_t)size);
	mf->in_use -= size;
	while (*pe && (*pe)->off < off) {
		prev = *pe;
		pe = &(*pe)->next;
	}
	struct memfile_extent *next = *pe;
	if (prev && prev->off + prev->size == off) {
		prev->size += size;
		if (next && prev->off + prev->size == next->off) {
			prev->size += next->size;
			prev->next = next->next;
			free(next);
		}
		return;
	}
	if (next && off + size == next->off) {
		next->off = off;
		next->size += size;
		return;
	}
	struct memfile_extent *e = xmalloc(sizeof(*e));
	*e = (struct memfile_extent){ .off = off, .size = size, .next = next };
	*pe = e;
}

void memfile_incref(struct memfile *mf, uint64_t off, uint64_t size)
{
	for (uint64_t p = off / PAGE_SIZE; p < (off + size) / PAGE_SIZE; p++)
		mf->refs[p]++;
}

void memfile_decref(struct memfile *mf, uint64_t off, uint64_t size)
{
	uint64_t run_start = 0, run_len = 0;
	bool locked = false;

	for (uint64_t p = off / PAGE_SIZE; p < (off + size) / PAGE_SIZE; p++) {
		uint32_t old = mf->refs[p]--;
		if (old == 0)
			log_fatal("memfile: page %#llx freed twice",
				  (unsigned long long)(p * PAGE_SIZE));
		if (old != 1)
			continue;
		if (run_len && run_start + run_len == p * PAGE_SIZE) {
			run_len += PAGE_SIZE;
			continue;
		}
		if (!locked) {
			pthread_mutex_lock(&mf->lock);
			locked = true;
		}
		if (run_len)
			free_range(mf, run_start, run_len);
		run_start = p * PAGE_SIZE;
		run_len = PAGE_SIZE;
	}
	if (run_len)
		free_range(mf, run_start, run_len);
	if (locked)
		pthread_mutex_unlock(&mf->lock);
}

uint32_t memfile_refcount(struct memfile *mf, uint64_t off)
{
	return mf->refs[off / PAGE_SIZE];
}
