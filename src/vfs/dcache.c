/* The dentry cache: a tree of names mirroring what the path walk has
 * seen. Hashed dentries (reachable from their parent) stay cached with no
 * references; unhashed ones (unlinked, renamed over) are freed with their
 * last reference. Negative dentries cache absent names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/fsnotify.h"
#include "vfs_internal.h"

pthread_mutex_t dcache_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t vfs_rename_lock = PTHREAD_MUTEX_INITIALIZER;

static int dentry_cmp(struct dentry *a, struct dentry *b)
{
	return strcmp(a->name, b->name);
}

RB_GENERATE_STATIC_UNUSED(dentry_tree, dentry, node, dentry_cmp)

static struct dentry *d_alloc(struct dentry *parent, const char *name, struct inode *inode,
			      struct super_block *sb)
{
	struct dentry *d = xzalloc(sizeof(*d));
	d->refs = 1;
	d->parent = parent ? parent : d;
	d->name = xstrdup(name);
	d->inode = inode;
	d->sb = sb;
	RB_INIT(&d->children);
	return d;
}

struct dentry *d_make_root(struct inode *inode)
{
	struct dentry *d = d_alloc(NULL, "/", inode, inode->sb);
	d->hashed = true;
	return d;
}

struct dentry *d_alloc_pseudo(struct inode *inode)
{
	return d_alloc(NULL, "/", inode, inode->sb);
}

struct inode *d_inode(const struct dentry *d)
{
	return __atomic_load_n(&d->inode, __ATOMIC_ACQUIRE);
}

struct inode *d_parent_inode_name(struct dentry *d, char name[VFS_NAME_MAX + 1])
{
	struct inode *dir = NULL;

	pthread_mutex_lock(&dcache_lock);
	if (d->parent != d) {
		dir = d_inode(d->parent);
		if (dir)
			inode_get(dir);
		snprintf(name, VFS_NAME_MAX + 1, "%s", d->name);
	}
	pthread_mutex_unlock(&dcache_lock);
	return dir;
}

struct dentry *dget(struct dentry *d)
{
	pthread_mutex_lock(&dcache_lock);
	d->refs++;
	pthread_mutex_unlock(&dcache_lock);
	return d;
}

/* Under dcache_lock: takes D out of its parent's tree. */
static void d_unhash_locked(struct dentry *d)
{
	if (d->hashed && d->parent != d)
		RB_REMOVE(dentry_tree, &d->parent->children, d);
	d->hashed = false;
}

/* Watched inodes whose last dentry went with no name left, kept (with
 * the dentry's reference) until dcache_unlock tells their watches: the
 * hook may not run under dcache_lock. */
static __thread struct inode **removed;
static __thread size_t nr_removed, removed_cap;

/* Under dcache_lock: drops a dentry's reference to INODE (may be NULL). */
static void d_put_inode_locked(struct inode *inode)
{
	if (inode && fsnotify_inode_watched(inode) &&
	    __atomic_load_n(&inode->nlink, __ATOMIC_RELAXED) == 0) {
		if (nr_removed == removed_cap) {
			removed_cap = removed_cap ? 2 * removed_cap : 4;
			removed = xrealloc(removed, removed_cap * sizeof(*removed));
		}
		removed[nr_removed++] = inode;
		return;
	}
	inode_put(inode);
}

/* Unlocks dcache_lock, then reports the inodes d_put_inode_locked kept
 * (Linux's dentry_unlink_inode -> fsnotify_inoderemove). */
static void dcache_unlock(void)
{
	pthread_mutex_unlock(&dcache_lock);
	if (!nr_removed)
		return;
	/* Taken over first: the puts below may free dentries again. */
	struct inode **list = removed;
	size_t n = nr_removed;
	removed = NULL;
	nr_removed = removed_cap = 0;
	for (size_t i = 0; i < n; i++) {
		fsnotify_inoderemove(list[i]);
		inode_put(list[i]);
	}
	free(list);
}

/* Under dcache_lock: frees unreferenced D and walks up to parents whose
 * last reference it held. */
static void d_free_locked(struct dentry *d)
{
	while (d) {
		struct dentry *parent = d->parent != d ? d->parent : NULL;
		d_put_inode_locked(d->inode);
		free(d->name);
		free(d);
		if (!parent || --parent->refs > 0 || parent->hashed)
			return;
		d = parent;
	}
}

void dput(struct dentry *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&dcache_lock);
	if (--d->refs == 0 && !d->hashed)
		d_free_locked(d);
	dcache_unlock();
}

struct dentry *d_lookup_cached(struct dentry *parent, const char *name)
{
	struct dentry key = { .name = (char *)name };

	pthread_mutex_lock(&dcache_lock);
	struct dentry *d = RB_FIND(dentry_tree, &parent->children, &key);
	if (d)
		d->refs++;
	pthread_mutex_unlock(&dcache_lock);
	return d;
}

static void d_prune_children_locked(struct dentry *d);

struct dentry *d_add(struct dentry *parent, const char *name, struct inode *inode)
{
	struct dentry *d = d_alloc(parent, name, inode, parent->sb);

	pthread_mutex_lock(&dcache_lock);
	parent->refs++;
	struct dentry *old = RB_INSERT(dentry_tree, &parent->children, d);
	if (old) {
		/* A stale entry (a filesystem changed behind the cache, or
		 * revalidate refused it): the new one wins, and the old one's
		 * names go with it, else they would keep it alive. */
		RB_REMOVE(dentry_tree, &parent->children, old);
		old->hashed = false;
		RB_INSERT(dentry_tree, &parent->children, d);
		old->refs++;
		d_prune_children_locked(old);
		if (--old->refs == 0)
			d_free_locked(old);
	}
	d->hashed = true;
	dcache_unlock();
	return d;
}

void d_instantiate(struct dentry *d, struct inode *inode)
{
	pthread_mutex_lock(&dcache_lock);
	__atomic_store_n(&d->inode, inode, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&dcache_lock);
}

/* Under dcache_lock: unhashes every cached child of D, freeing the
 * unreferenced ones (a removed directory keeps no names). */
static void d_prune_children_locked(struct dentry *d)
{
	struct dentry *c, *next;

	RB_FOREACH_SAFE(c, dentry_tree, &d->children, next) {
		d_prune_children_locked(c);
		RB_REMOVE(dentry_tree, &d->children, c);
		c->hashed = false;
		if (c->refs == 0) {
			/* Its parent reference is dropped by hand: D is still
			 * referenced by our caller. */
			c->parent = c;
			d->refs--;
			d_free_locked(c);
		}
	}
}

void d_drop(struct dentry *d)
{
	pthread_mutex_lock(&dcache_lock);
	d_prune_children_locked(d);
	d_unhash_locked(d);
	dcache_unlock();
}

bool d_unhashed(struct dentry *d)
{
	pthread_mutex_lock(&dcache_lock);
	bool r = !d->hashed;
	pthread_mutex_unlock(&dcache_lock);
	return r;
}

bool path_deleted(const struct path *p)
{
	return d_unhashed(p->dentry);
}

/* Under dcache_lock. */
static void d_rehash_locked(struct dentry *d, struct dentry *parent, const char *name)
{
	struct dentry key = { .name = (char *)name };
	struct dentry *victim = RB_FIND(dentry_tree, &parent->children, &key);
	if (victim && victim != d) {
		RB_REMOVE(dentry_tree, &parent->children, victim);
		victim->hashed = false;
		if (victim->refs == 0)
			d_free_locked(victim);
	}
	char *copy = xstrdup(name);
	free(d->name);
	d->name = copy;
	if (d->parent != parent) {
		parent->refs++;
		struct dentry *old = d->parent;
		d->parent = parent;
		/* OLD is still referenced by the renaming caller. */
		old->refs--;
	}
	RB_INSERT(dentry_tree, &parent->children, d);
	d->hashed = true;
}

void d_move(struct dentry *d, struct dentry *newparent, const char *newname)
{
	pthread_mutex_lock(&dcache_lock);
	d_unhash_locked(d);
	d_rehash_locked(d, newparent, newname);
	dcache_unlock();
}

void d_exchange(struct dentry *a, struct dentry *b)
{
	pthread_mutex_lock(&dcache_lock);
	struct dentry *pa = a->parent, *pb = b->parent;
	char *na = xstrdup(a->name), *nb = xstrdup(b->name);
	pa->refs++;
	pb->refs++;
	d_unhash_locked(a);
	d_unhash_locked(b);
	d_rehash_locked(a, pb, nb);
	d_rehash_locked(b, pa, na);
	pa->refs--;
	pb->refs--;
	free(na);
	free(nb);
	dcache_unlock();
}

bool d_is_ancestor(struct dentry *a, struct dentry *b)
{
	bool found = false;

	pthread_mutex_lock(&dcache_lock);
	for (struct dentry *d = b;; d = d->parent) {
		if (d == a) {
			found = true;
			break;
		}
		if (d->parent == d)
			break;
	}
	pthread_mutex_unlock(&dcache_lock);
	return found;
}
