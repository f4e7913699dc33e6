/* kernfs: helpers for synthetic filesystems (/dev, /proc, /sys): static
 * directories, files whose content is generated at open, symlinks
 * (fixed or computed) and device nodes. A filesystem with dynamic
 * directories (/proc/<pid>) supplies its own inode_ops and builds its
 * children with these constructors. */
#ifndef CVISOR_KERNFS_H
#define CVISOR_KERNFS_H

#include "cvisor/vfs.h"

/* A growable buffer generated content is printed into. */
struct kernfs_buf {
	char *data;
	size_t size, cap;
};
void kernfs_printf(struct kernfs_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void kernfs_write(struct kernfs_buf *b, const void *data, size_t size);

/* Produces a file's content at open (ARG is the one given at creation). */
typedef int (*kernfs_show_fn)(void *arg, struct kernfs_buf *b);
/* Takes one write(2) to a writable generated file: DATA (SIZE bytes, not
 * NUL-terminated). Returns 0 or -errno; a file's write applies whole. */
typedef int (*kernfs_store_fn)(void *arg, const char *data, size_t size);
/* Computes a symlink's target into BUF; returns its length or -errno. */
typedef int (*kernfs_link_fn)(void *arg, char *buf, size_t size);

/* A dynamic directory: static children (kernfs_add) first, then entries
 * its owner computes on every lookup and listing (/proc/<pid>,
 * /proc/<pid>/fd). Computed entries are never trusted from the dentry
 * cache: each walk looks them up again. */
/* KEY: the entry's place (an fd, a pid), increasing along a listing: a
 * listing read in pieces goes on after the last key it gave, so entries
 * added or removed meanwhile do not shift the others (Linux's
 * proc_readfd_common: fd + 2). */
typedef void (*kernfs_emit_fn)(void *ctx, const char *name, uint64_t ino, mode_t mode,
			       uint64_t key);
struct kernfs_dyndir_ops {
	/* A new reference to NAME in DIR, or ERR_PTR(-ENOENT). */
	struct inode *(*lookup)(struct inode *dir, void *arg, const char *name);
	/* Calls EMIT for every computed entry, in a stable order. */
	void (*list)(struct inode *dir, void *arg, kernfs_emit_fn emit, void *ctx);
};
struct inode *kernfs_new_dyndir(struct super_block *sb, mode_t mode,
				const struct kernfs_dyndir_ops *ops, void *arg);

struct super_block *kernfs_new_sb(struct kernel *k, const char *fs_name, uint64_t magic);

/* Constructors: a new inode (one reference) of SB. */
struct inode *kernfs_new_dir(struct super_block *sb, mode_t mode);
struct inode *kernfs_new_file(struct super_block *sb, mode_t mode, kernfs_show_fn show,
			      void *arg);
/* A generated file that also takes writes (/proc/<pid>/oom_score_adj). */
struct inode *kernfs_new_rwfile(struct super_block *sb, mode_t mode, kernfs_show_fn show,
				kernfs_store_fn store, void *arg);
/* What poll reports for the generated file FILE, instead of
 * DEFAULT_POLLMASK. */
void kernfs_set_poll(struct inode *file, unsigned mask);
struct inode *kernfs_new_symlink(struct super_block *sb, const char *target);
struct inode *kernfs_new_dynlink(struct super_block *sb, kernfs_link_fn fn, void *arg);
/* The path a magic link stands for (a reference), or -errno. */
typedef int (*kernfs_path_fn)(void *arg, struct path *out);
/* A dynlink that is also a magic link: walks jump to PATH_FN's path. */
struct inode *kernfs_new_magiclink(struct super_block *sb, kernfs_link_fn fn,
				   kernfs_path_fn path_fn, void *arg);
struct inode *kernfs_new_chrdev(struct super_block *sb, mode_t mode, dev_t rdev);

/* Adds CHILD (a new reference is taken) as NAME in the kernfs directory
 * DIR. Returns 0 or -EEXIST. */
int kernfs_add(struct inode *dir, const char *name, struct inode *child);
/* kernfs_new_* + kernfs_add, dropping the constructor's reference. */
struct inode *kernfs_add_dir(struct inode *dir, const char *name, mode_t mode);
int kernfs_add_file(struct inode *dir, const char *name, mode_t mode, kernfs_show_fn show,
		    void *arg);
int kernfs_add_rwfile(struct inode *dir, const char *name, mode_t mode, kernfs_show_fn show,
		      kernfs_store_fn store, void *arg);
int kernfs_add_symlink(struct inode *dir, const char *name, const char *target);
int kernfs_add_chrdev(struct inode *dir, const char *name, mode_t mode, dev_t rdev);

#endif
