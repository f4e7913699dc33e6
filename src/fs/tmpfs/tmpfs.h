/* tmpfs internals: inodes whose directories are name trees and whose
 * regular file data lives in memory-file pages. */
#ifndef CVISOR_FS_TMPFS_H
#define CVISOR_FS_TMPFS_H

#include "cvisor/vfs.h"

struct tmpfs_dirent {
	RB_ENTRY(tmpfs_dirent) by_name;
	RB_ENTRY(tmpfs_dirent) by_cookie;
	char *name;
	uint64_t cookie;		/* readdir offset; grows with each insert */
	struct inode *inode;		/* a reference (one per link) */
};
RB_HEAD(tmpfs_names, tmpfs_dirent);
RB_HEAD(tmpfs_cookies, tmpfs_dirent);

/* 64 page slots: 0 is a hole, else the memory-file offset | 1. */
#define TMPFS_CHUNK_PAGES 64
struct tmpfs_chunk {
	RB_ENTRY(tmpfs_chunk) node;
	uint64_t index;			/* first page / TMPFS_CHUNK_PAGES */
	uint64_t pages[TMPFS_CHUNK_PAGES];
};
RB_HEAD(tmpfs_chunks, tmpfs_chunk);

struct tmpfs_inode {
	struct inode vfs;
	struct simple_xattrs xattrs;	/* [vfs.lock] */
	union {
		struct {
			struct tmpfs_names names;
			struct tmpfs_cookies cookies;
			uint64_t next_cookie;
			uint64_t nentries;
			struct tmpfs_inode *parent;	/* for "..": itself at the root */
		} dir;
		struct {
			struct tmpfs_chunks chunks;
			unsigned seals;		/* [lock] F_SEAL_*: memfd.c */
			char *memfd_name;	/* "memfd:NAME" of a memfd, else NULL */
		} reg;
		char *target;
	};
};

static inline struct tmpfs_inode *TMPFS_I(struct inode *inode)
{
	return container_of(inode, struct tmpfs_inode, vfs);
}

extern const struct inode_ops tmpfs_dir_iops;
extern const struct inode_ops tmpfs_file_iops;
extern const struct inode_ops tmpfs_symlink_iops;
extern const struct inode_ops tmpfs_special_iops;
extern const struct file_ops tmpfs_dir_fops;
extern const struct file_ops tmpfs_file_fops;

/* A new inode of MODE (any type) owned per inode_init_owner. */
struct tmpfs_inode *tmpfs_new_inode(struct super_block *sb, struct inode *dir, mode_t mode,
				    const struct creds *cr);
/* Frees every data page (eviction) or those from page FIRST on. */
void tmpfs_free_pages(struct tmpfs_inode *ti, uint64_t first);
int tmpfs_truncate(struct tmpfs_inode *ti, int64_t size);
/* The seals' verdict on a change of size to SIZE: 0 or -EPERM. */
int tmpfs_seals_allow_size(struct tmpfs_inode *ti, int64_t size);
void tmpfs_dir_release(struct tmpfs_inode *ti);
/* Frees INODE and all it holds (the super_ops slot). */
void tmpfs_evict_inode(struct inode *inode);
/* The xattr slots of every tmpfs inode_ops. */
ssize_t tmpfs_getxattr(struct inode *inode, const char *name, void *buf, size_t size);
int tmpfs_setxattr(struct inode *inode, const char *name, const void *value, size_t size,
		   int flags);
ssize_t tmpfs_listxattr(struct inode *inode, char *buf, size_t size, bool trusted);
#define TMPFS_XATTR_OPS \
	.getxattr = tmpfs_getxattr, .setxattr = tmpfs_setxattr, .listxattr = tmpfs_listxattr

#endif
