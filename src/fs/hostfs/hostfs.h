/* hostfs internals: one O_PATH fd per host inode, children opened one
 * component at a time beneath it. */
#ifndef CVISOR_FS_HOSTFS_H
#define CVISOR_FS_HOSTFS_H

#include "cvisor/vfs.h"

struct hostfs_sb {
	struct super_block sb;
	dev_t root_dev;			/* host st_dev of the root */
};

struct hostfs_inode {
	struct inode vfs;
	int fd;				/* O_PATH, O_NOFOLLOW */
	struct hostfs_inode *parent;	/* a reference; NULL at the root */
	char *name;			/* in parent */
	dev_t host_dev;
	ino_t host_ino;
};

struct hostfs_file {
	struct file f;
	int fd;				/* opened for reading */
};

static inline struct hostfs_inode *HOSTFS_I(struct inode *inode)
{
	return container_of(inode, struct hostfs_inode, vfs);
}

extern const struct file_ops hostfs_file_fops;
extern const struct file_ops hostfs_dir_fops;

/* openat2 of one component NAME beneath DIRFD: never "..", never a '/',
 * no symlink or magic link followed. Returns the fd or -errno. */
int hostfs_openat(int dirfd, const char *name, int flags);
struct file *hostfs_open(struct inode *inode, int flags);

#endif
