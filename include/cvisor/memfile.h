/* The memory file: one memfd holding all application memory (anonymous
 * memory, private copies of file pages, tmpfs file data). The sentry maps
 * the whole file once, so the sentry's view of any page is base + offset;
 * stubs map ranges of it into application address spaces.
 *
 * Pages are reference-counted: copy-on-write sharing after fork and tmpfs
 * pages mapped by processes hold one reference each. A page whose count
 * drops to zero goes back to the allocator and its host memory is released.
 */
#ifndef CVISOR_MEMFILE_H
#define CVISOR_MEMFILE_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "cvisor/util.h"

struct memfile_extent;

struct memfile {
	int fd;			/* the memfd; inherited by stubs */
	uint8_t *base;		/* sentry mapping of the whole file */
	uint64_t size;		/* bytes reserved (sparse) */
	uint64_t limit;		/* bytes that may be in use at once */
	_Atomic uint32_t *refs;	/* one count per page */

	pthread_mutex_t lock;	/* guards everything below */
	uint64_t bump;		/* offset below which pages were handed out */
	uint64_t in_use;	/* bytes currently allocated */
	struct memfile_extent *free_list; /* sorted by offset, coalesced */
};

/* Creates the memory file with room for LIMIT bytes of application memory.
 * Returns 0 or -errno. */
int memfile_init(struct memfile *mf, uint64_t limit);
void memfile_destroy(struct memfile *mf);

/* Allocates SIZE bytes (a page multiple) of zeroed, contiguous memory with
 * a reference count of 1 on each page. Returns the offset, or -ENOMEM. */
int64_t memfile_alloc(struct memfile *mf, uint64_t size);

/* Adds or drops one reference on every page of [off, off + size). Pages
 * reaching zero are freed. */
void memfile_incref(struct memfile *mf, uint64_t off, uint64_t size);
void memfile_decref(struct memfile *mf, uint64_t off, uint64_t size);
uint32_t memfile_refcount(struct memfile *mf, uint64_t off);

/* The sentry's pointer to the byte at OFF. */
static inline void *memfile_ptr(struct memfile *mf, uint64_t off)
{
	return mf->base + off;
}

#endif
