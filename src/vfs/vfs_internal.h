/* Shared between the files of src/vfs only. */
#ifndef CVISOR_VFS_INTERNAL_H
#define CVISOR_VFS_INTERNAL_H

#include "cvisor/vfs.h"

/* Guards the dentry tree, dentry and mount reference counts and the mount
 * tables. A leaf lock: never held across a filesystem call. */
extern pthread_mutex_t dcache_lock;
/* Serialises renames, so the tree's shape is stable while one picks its
 * lock order (Linux's s_vfs_rename_mutex, for every filesystem). */
extern pthread_mutex_t vfs_rename_lock;

/* The cached child NAME of PARENT (a reference), or NULL. */
struct dentry *d_lookup_cached(struct dentry *parent, const char *name);
/* Adds a child to PARENT for INODE (NULL: negative), taking over the
 * inode reference; returns a reference to it. PARENT's inode is locked. */
struct dentry *d_add(struct dentry *parent, const char *name, struct inode *inode);
/* Makes negative D positive (takes over the inode reference). */
void d_instantiate(struct dentry *d, struct inode *inode);
/* Unhashes D (and its cached children): it lives on while referenced. */
void d_drop(struct dentry *d);
/* Moves D to NEWPARENT/NEWNAME. */
void d_move(struct dentry *d, struct dentry *newparent, const char *newname);
void d_exchange(struct dentry *a, struct dentry *b);
bool d_unhashed(struct dentry *d);
/* True if A is B or an ancestor of it (dcache_lock not held). */
bool d_is_ancestor(struct dentry *a, struct dentry *b);

/* The mount on (MNT, D), if any, as a reference; dcache_lock not held. */
struct mount *lookup_mnt(struct mount *mnt, struct dentry *d);

/* One step up from P for "..", never above ROOT. Updates P's references. */
void follow_dotdot(struct path *p, const struct path *root);

/* A walk in progress (namei.c). */
struct nameidata {
	struct path root;		/* a reference */
	struct path cur;		/* a reference */
	const struct creds *cr;
	int nlinks;			/* symlinks followed so far */
	unsigned resolve;		/* RESOLVE_* of the walk_base */
};

/* Sets up a walk of NAME from WB (cur: the root if NAME is absolute,
 * else wb->at or the cwd). */
void nd_init(struct nameidata *nd, const struct walk_base *wb, const char *name);
void nd_done(struct nameidata *nd);
/* Walks S from nd->cur. With LAST, stops before the last component and
 * describes it; else walks it too, following a trailing symlink if
 * FOLLOW_LAST (or a trailing slash). */
int nd_walk(struct nameidata *nd, const char *s, bool follow_last, struct last_component *last);
/* Reads the target of symlink INODE for the walk, counting it against
 * the ELOOP limit. *TARGET is malloc'ed. */
int nd_get_link(struct nameidata *nd, struct inode *inode, char **target);
/* Replaces P by what is mounted on it, repeatedly. */
void follow_mounts(struct path *p);
/* Looks NAME up in DIR (not locked by the caller). */
struct dentry *lookup_one(struct dentry *dir, const char *name);

/* Linux's may_delete: write and search on DIR, and the sticky bit (for
 * unlink, rmdir and rename). */
int may_delete(const struct creds *cr, struct inode *dir, struct inode *victim);

#endif
