/* overlay internals: a writable upper (tmpfs) over a read-only lower
 * (hostfs), as Linux's overlayfs. An overlay inode holds the upper and/or
 * lower inode of one path; writes copy it (and its ancestors) up first;
 * removing a name the lower layer has leaves a whiteout (a 0/0 character
 * device) in the upper; a directory made over a whiteout is opaque.
 *
 * Locking: ovl->lock serialises every change to the upper layer (copy-up,
 * create, remove, rename); upper and lower inodes are locked around calls
 * to their operations, as the VFS would. Order: overlay inode locks (held
 * by the VFS) -> ovl->lock -> upper/lower inode locks. */
#ifndef CVISOR_FS_OVERLAY_H
#define CVISOR_FS_OVERLAY_H

#include "cvisor/vfs.h"

/* Inode numbers of upper-only files live above the lower layer's. */
#define OVL_XINO_BIT (1ULL << 62)

struct ovl_origin;
RB_HEAD(ovl_origins, ovl_origin);

struct ovl_sb {
	struct super_block sb;
	struct super_block *upper_sb, *lower_sb;	/* references */
	pthread_mutex_t lock;
	pthread_mutex_t origins_lock;	/* a leaf */
	struct ovl_origins origins;	/* [origins_lock] upper ino -> lower ino */
};

struct ovl_inode {
	struct inode vfs;
	struct inode *upper;		/* set once (copy-up), then constant */
	struct inode *lower;		/* NULL if upper-only or opaque */
	struct ovl_inode *parent;	/* [ovl->lock] a reference; NULL at root */
	char *name;			/* [ovl->lock] */
};

struct ovl_entry {
	char *name;
	uint64_t ino;
	unsigned type;
};

struct ovl_dirlist {
	struct ovl_entry *v;
	size_t n, cap;
};

static inline struct ovl_inode *OVL_I(struct inode *inode)
{
	return container_of(inode, struct ovl_inode, vfs);
}

static inline struct ovl_sb *OVL_SB(struct super_block *sb)
{
	return container_of(sb, struct ovl_sb, sb);
}

static inline struct inode *ovl_upper(struct ovl_inode *oi)
{
	return __atomic_load_n(&oi->upper, __ATOMIC_ACQUIRE);
}

/* The layer inode that currently represents OI. */
static inline struct inode *ovl_real(struct ovl_inode *oi)
{
	struct inode *u = ovl_upper(oi);
	return u ? u : oi->lower;
}

static inline bool ovl_is_whiteout(struct inode *inode)
{
	return S_ISCHR(inode->mode) && inode->rdev == 0;
}

extern const struct inode_ops ovl_dir_iops;
extern const struct inode_ops ovl_iops;

/* Shared by the directory and non-directory inode_ops (inode.c). */
struct inode *ovl_lookup(struct inode *dir, const char *name);
int ovl_getattr(struct inode *inode, struct kstat *st);
int ovl_setattr(struct inode *inode, const struct iattr *ia);
struct file *ovl_open(struct inode *inode, int flags);
ssize_t ovl_getxattr(struct inode *inode, const char *name, void *buf, size_t size);
int ovl_setxattr(struct inode *inode, const char *name, const void *value, size_t size,
		 int flags);
ssize_t ovl_listxattr(struct inode *inode, char *buf, size_t size, bool trusted);

struct ovl_inode *ovl_inode_new(struct super_block *sb, struct inode *upper,
				struct inode *lower, struct ovl_inode *parent, const char *name);
void ovl_copy_attr(struct ovl_inode *oi);
/* Copies OI and its ancestors up. Caller holds ovl->lock. */
int ovl_copy_up_locked(struct ovl_inode *oi);
int ovl_copy_up(struct ovl_inode *oi);
uint64_t ovl_origin_lookup(struct ovl_sb *osb, uint64_t upper_ino);
void ovl_origin_add(struct ovl_sb *osb, uint64_t upper_ino, uint64_t lower_ino);
void ovl_origins_free(struct ovl_sb *osb);

/* Layer helpers: the operation under the layer inode's lock. */
struct inode *ovl_layer_lookup(struct inode *dir, const char *name);
bool ovl_lower_has(struct ovl_inode *dir, const char *name);

/* The merged listing of DIR, without whiteouts (readdir.c). */
int ovl_dir_collect(struct ovl_inode *dir, struct ovl_dirlist *out);
void ovl_dirlist_free(struct ovl_dirlist *l);
/* Removes the whiteouts left inside upper directory UDIR. */
int ovl_clear_whiteouts(struct inode *udir);
struct file *ovl_dir_open(struct ovl_inode *oi, int flags);

#endif
