/* tmpfs: the super block, inode creation and eviction. */
#include <linux/magic.h>
#include <fcntl.h>
#include <stdlib.h>

#include "cvisor/fs.h"
#include "cvisor/kernel.h"
#include "tmpfs.h"

void tmpfs_evict_inode(struct inode *inode)
{
	struct tmpfs_inode *ti = TMPFS_I(inode);

	simple_xattrs_free(&ti->xattrs);
	switch (inode->mode & S_IFMT) {
	case S_IFDIR:
		tmpfs_dir_release(ti);
		break;
	case S_IFREG:
		tmpfs_free_pages(ti, 0);
		free(ti->reg.memfd_name);
		break;
	case S_IFLNK:
		free(ti->target);
		break;
	}
	free(ti);
}

ssize_t tmpfs_getxattr(struct inode *inode, const char *name, void *buf, size_t size)
{
	pthread_mutex_lock(&inode->lock);
	ssize_t r = simple_xattr_get(&TMPFS_I(inode)->xattrs, name, buf, size);
	pthread_mutex_unlock(&inode->lock);
	return r;
}

int tmpfs_setxattr(struct inode *inode, const char *name, const void *value, size_t size,
		   int flags)
{
	pthread_mutex_lock(&inode->lock);
	int r = simple_xattr_set(&TMPFS_I(inode)->xattrs, name, value, size, flags);
	pthread_mutex_unlock(&inode->lock);
	return r;
}

ssize_t tmpfs_listxattr(struct inode *inode, char *buf, size_t size, bool trusted)
{
	pthread_mutex_lock(&inode->lock);
	ssize_t r = simple_xattr_list(&TMPFS_I(inode)->xattrs, buf, size, trusted);
	pthread_mutex_unlock(&inode->lock);
	return r;
}

static int tmpfs_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct memfile *mf = &sb->k->mf;

	pthread_mutex_lock(&mf->lock);
	uint64_t in_use = mf->in_use;
	pthread_mutex_unlock(&mf->lock);
	st->blocks = mf->limit / PAGE_SIZE;
	st->bfree = st->bavail = (mf->limit - MIN(in_use, mf->limit)) / PAGE_SIZE;
	return 0;
}

static void tmpfs_put_super(struct super_block *sb)
{
	free(sb);
}

static const struct super_ops tmpfs_super_ops = {
	.evict_inode = tmpfs_evict_inode,
	.statfs = tmpfs_statfs,
	.put_super = tmpfs_put_super,
};

struct tmpfs_inode *tmpfs_new_inode(struct super_block *sb, struct inode *dir, mode_t mode,
				    const struct creds *cr)
{
	struct tmpfs_inode *ti = xzalloc(sizeof(*ti));
	const struct inode_ops *iops = &tmpfs_special_iops;
	const struct file_ops *fops = NULL;

	switch (mode & S_IFMT) {
	case S_IFDIR:
		iops = &tmpfs_dir_iops;
		fops = &tmpfs_dir_fops;
		RB_INIT(&ti->dir.names);
		RB_INIT(&ti->dir.cookies);
		ti->dir.next_cookie = 2;	/* 0 and 1 are "." and ".." */
		ti->dir.parent = dir ? TMPFS_I(dir) : ti;
		break;
	case S_IFREG:
		iops = &tmpfs_file_iops;
		fops = &tmpfs_file_fops;
		RB_INIT(&ti->reg.chunks);
		/* Sealing is for memfds made with MFD_ALLOW_SEALING only (as
		 * Linux's shmem_get_inode). */
		ti->reg.seals = F_SEAL_SEAL;
		break;
	case S_IFLNK:
		iops = &tmpfs_symlink_iops;
		break;
	}
	simple_xattrs_init(&ti->xattrs);
	inode_init(&ti->vfs, sb, iops, fops, mode);
	inode_init_owner(&ti->vfs, dir, mode, cr);
	if (S_ISDIR(mode))
		ti->vfs.nlink = 2;
	return ti;
}

struct super_block *tmpfs_new(struct kernel *k, mode_t mode)
{
	struct super_block *sb = xzalloc(sizeof(*sb));
	sb_init(sb, k, &tmpfs_super_ops, "tmpfs", TMPFS_MAGIC);
	struct tmpfs_inode *root = tmpfs_new_inode(sb, NULL, S_IFDIR | (mode & 07777), NULL);
	sb->root = &root->vfs;
	return sb;
}
