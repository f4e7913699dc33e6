#include <stdlib.h>

#include "page_table.h"

#define PT_LEVELS 4
#define PT_BITS 9
#define PT_FANOUT (1 << PT_BITS)

struct pt_node {
	void *slot[PT_FANOUT];	/* child nodes, or entries at the last level */
};

static unsigned pt_index(uint64_t vpn, int level)
{
	return (vpn >> (PT_BITS * (PT_LEVELS - 1 - level))) & (PT_FANOUT - 1);
}

uint64_t *pt_entry(struct page_table *pt, uint64_t vpn, bool create)
{
	void **slot = &pt->root;
	for (int level = 0; level < PT_LEVELS; level++) {
		if (!*slot) {
			if (!create)
				return NULL;
			*slot = xzalloc(sizeof(struct pt_node));
		}
		struct pt_node *n = *slot;
		if (level == PT_LEVELS - 1)
			return (uint64_t *)&n->slot[pt_index(vpn, level)];
		slot = &n->slot[pt_index(vpn, level)];
	}
	return NULL;
}

static void walk(struct pt_node *n, int level, uint64_t base, uint64_t start,
		 uint64_t end, void (*fn)(uint64_t, uint64_t *, void *), void *arg)
{
	uint64_t span = 1ULL << (PT_BITS * (PT_LEVELS - 1 - level));
	for (unsigned i = 0; i < PT_FANOUT; i++) {
		uint64_t lo = base + i * span;
		if (lo >= end)
			return;
		if (lo + span <= start || !n->slot[i])
			continue;
		if (level == PT_LEVELS - 1)
			fn(lo, (uint64_t *)&n->slot[i], arg);
		else
			walk(n->slot[i], level + 1, lo, start, end, fn, arg);
	}
}

void pt_walk(struct page_table *pt, uint64_t start, uint64_t end,
	     void (*fn)(uint64_t vpn, uint64_t *pte, void *arg), void *arg)
{
	if (pt->root)
		walk(pt->root, 0, 0, start, end, fn, arg);
}

static void destroy(struct pt_node *n, int level)
{
	if (level < PT_LEVELS - 1)
		for (unsigned i = 0; i < PT_FANOUT; i++)
			if (n->slot[i])
				destroy(n->slot[i], level + 1);
	free(n);
}

void pt_destroy(struct page_table *pt)
{
	if (pt->root)
		destroy(pt->root, 0);
	pt->root = NULL;
}
