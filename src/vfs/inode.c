/* Super blocks and inodes: reference counts, initialisation and the
 * generic attribute operations used when a filesystem leaves a slot NULL. */
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "cvisor/creds.h"
#include "cvisor/kernel.h"
#include "cvisor/vfs.h"

/* Anonymous device numbers (major 0), as Linux's get_anon_bdev. */
static _Atomic unsigned next_anon_minor = 16;

void sb_init(struct super_block *sb, struct kernel *k, const struct super_ops *ops,
	     const char *fs_name, uint64_t magic)
{
	sb->refs = 1;
	sb->ops = ops;
	sb->fs_name = fs_name;
	sb->k = k;
	sb->dev = makedev(0, next_anon_minor++);
	sb->magic = magic;
	sb->flags = 0;
	sb->root = NULL;
}

void sb_get(struct super_block *sb)
{
	sb->refs++;
}

void sb_put(struct super_block *sb)
{
	if (--sb->refs > 0)
		return;
	inode_put(sb->root);
	sb->ops->put_super(sb);
}

/* Anonymous super blocks (host fds) belong to no kernel: their inodes
 * take host time and numbers from a VFS-wide counter. */
static _Atomic uint64_t anon_ino;

struct timespec vfs_now(struct super_block *sb)
{
	int64_t ns = sb->k ? kernel_realtime_ns(sb->k) : host_realtime_ns();
	return (struct timespec){ .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };
}

void inode_init(struct inode *inode, struct super_block *sb, const struct inode_ops *ops,
		const struct file_ops *fops, mode_t mode)
{
	inode->refs = 1;
	pthread_mutex_init(&inode->lock, NULL);
	inode->sb = sb;
	inode->ops = ops;
	inode->fops = fops;
	inode->ino = sb->k ? kernel_unique_id(sb->k) : ++anon_ino;
	inode->flags = 0;
	inode->mode = mode;
	inode->nlink = 1;
	inode->uid = 0;
	inode->gid = 0;
	inode->rdev = 0;
	inode->size = 0;
	inode->blocks = 0;
	inode->pipe = NULL;
	inode->flctx = NULL;
	LIST_INIT(&inode->watches);
	inode->atime = inode->mtime = inode->ctime = inode->btime = vfs_now(sb);
}

void inode_init_owner(struct inode *inode, struct inode *dir, mode_t mode,
		      const struct creds *cr)
{
	inode->uid = cr ? cr->fsuid : 0;
	inode->gid = cr ? cr->fsgid : 0;
	if (dir && (dir->mode & S_ISGID)) {
		inode->gid = dir->gid;
		if (S_ISDIR(mode))
			mode |= S_ISGID;
	}
	inode->mode = mode;
}

struct inode *inode_get(struct inode *inode)
{
	inode->refs++;
	return inode;
}

void inode_put(struct inode *inode)
{
	if (!inode || --inode->refs > 0)
		return;
	locks_free_inode(inode);
	pthread_mutex_destroy(&inode->lock);
	inode->sb->ops->evict_inode(inode);
}

void inode_touch(struct inode *inode, bool mtime, bool ctime)
{
	struct timespec now = vfs_now(inode->sb);
	if (mtime)
		inode->mtime = now;
	if (ctime)
		inode->ctime = now;
}

int generic_getattr(struct inode *inode, struct kstat *st)
{
	pthread_mutex_lock(&inode->lock);
	*st = (struct kstat){
		.ino = inode->ino,
		.dev = inode->sb->dev,
		.mode = inode->mode,
		.nlink = inode->nlink,
		.uid = inode->uid,
		.gid = inode->gid,
		.rdev = inode->rdev,
		.size = inode->size,
		.blocks = inode->blocks,
		.blksize = PAGE_SIZE,
		.atime = inode->atime,
		.mtime = inode->mtime,
		.ctime = inode->ctime,
		.btime = inode->btime,
	};
	pthread_mutex_unlock(&inode->lock);
	return 0;
}

/* Caller holds inode->lock. The size belongs to the filesystem. */
int generic_setattr(struct inode *inode, const struct iattr *ia)
{
	if (ia->valid & ATTR_SIZE)
		return -EPERM;
	if (ia->valid & ATTR_MODE)
		inode->mode = (inode->mode & S_IFMT) | (ia->mode & ~S_IFMT);
	if (ia->valid & ATTR_UID)
		inode->uid = ia->uid;
	if (ia->valid & ATTR_GID)
		inode->gid = ia->gid;
	if (ia->valid & ATTR_ATIME)
		inode->atime = ia->atime;
	if (ia->valid & ATTR_MTIME)
		inode->mtime = ia->mtime;
	if (ia->valid & ATTR_CTIME)
		inode->ctime = ia->ctime;
	return 0;
}

int vfs_getattr_inode(struct inode *inode, struct kstat *st)
{
	if (inode->ops->getattr)
		return inode->ops->getattr(inode, st);
	return generic_getattr(inode, st);
}

void vfs_encode_fid(uint64_t ino, unsigned char fid[VFS_FID_SIZE])
{
	uint32_t gen = 0;
	memcpy(fid, &ino, sizeof(ino));
	memcpy(fid + sizeof(ino), &gen, sizeof(gen));
}

int vfs_readlink_inode(struct inode *inode, char *buf, size_t size)
{
	if (!S_ISLNK(inode->mode) || !inode->ops->readlink)
		return -EINVAL;
	return inode->ops->readlink(inode, buf, size);
}
