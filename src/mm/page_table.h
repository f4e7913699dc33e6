/* The page table of an mm: virtual page number -> page-table entry (a
 * memory-file offset and PTE_* flags), as a 4-level radix tree of 512-entry
 * nodes like the hardware's. Empty subtrees are NULL, so walks over huge
 * sparse ranges cost only what is populated. */
#ifndef CVISOR_MM_PAGE_TABLE_H
#define CVISOR_MM_PAGE_TABLE_H

#include "cvisor/mm.h"

/* Entry for VPN, or NULL if none (CREATE = false), or a fresh zero entry
 * (CREATE = true). */
uint64_t *pt_entry(struct page_table *pt, uint64_t vpn, bool create);

/* Calls FN on every non-zero entry with vpn in [start, end), in order. */
void pt_walk(struct page_table *pt, uint64_t start, uint64_t end,
	     void (*fn)(uint64_t vpn, uint64_t *pte, void *arg), void *arg);

/* Frees the tree's nodes (entries must already have been dropped). */
void pt_destroy(struct page_table *pt);

#endif
