/* memfd_create(2) and file seals (Linux's mm/memfd.c): a memfd is a tmpfs
 * regular file with no name in any directory. Each memfd has a small super
 * block of its own, freed with its inode, whose dname gives
 * /proc/pid/fd's "/memfd:NAME (deleted)". Seals live on every tmpfs file
 * (F_SEAL_SEAL from birth unless made with MFD_ALLOW_SEALING). */
#include <linux/magic.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/fs.h"
#include "cvisor/kernel.h"
#include "tmpfs.h"

#define F_ALL_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)

int tmpfs_seals_allow_size(struct tmpfs_inode *ti, int64_t size)
{
	if ((ti->reg.seals & F_SEAL_SHRINK) && size < ti->vfs.size)
		return -EPERM;
	if ((ti->reg.seals & F_SEAL_GROW) && size > ti->vfs.size)
		return -EPERM;
	return 0;
}

static bool is_tmpfs_file(struct file *f)
{
	return f->ops == &tmpfs_file_fops && f->inode && S_ISREG(f->inode->mode);
}

unsigned tmpfs_file_seals(struct file *f)
{
	if (!is_tmpfs_file(f))
		return 0;
	struct tmpfs_inode *ti = TMPFS_I(f->inode);
	pthread_mutex_lock(&ti->vfs.lock);
	unsigned seals = ti->reg.seals;
	pthread_mutex_unlock(&ti->vfs.lock);
	return seals;
}

long tmpfs_fcntl_seals(struct file *f, int cmd, unsigned arg)
{
	/* Files other than shmem ones cannot be sealed (memfd_fcntl). */
	if (!is_tmpfs_file(f))
		return -EINVAL;
	struct tmpfs_inode *ti = TMPFS_I(f->inode);
	if (cmd == F_GET_SEALS)
		return tmpfs_file_seals(f);
	if (!(f->fmode & FMODE_WRITE))
		return -EPERM;
	if (arg & ~F_ALL_SEALS)
		return -EINVAL;
	long err = 0;
	pthread_mutex_lock(&ti->vfs.lock);
	/* Linux also refuses F_SEAL_WRITE with -EBUSY while a writable shared
	 * mapping exists; cvisor does not track those per inode yet. */
	if (ti->reg.seals & F_SEAL_SEAL)
		err = -EPERM;
	else
		ti->reg.seals |= arg;
	pthread_mutex_unlock(&ti->vfs.lock);
	return err;
}

/* A memfd's super block goes with its only inode. */
static void memfd_evict_inode(struct inode *inode)
{
	struct super_block *sb = inode->sb;

	tmpfs_evict_inode(inode);
	sb_put(sb);
}

static int memfd_dname(struct inode *inode, char *buf, size_t size)
{
	int n = snprintf(buf, size, "/%s (deleted)", TMPFS_I(inode)->reg.memfd_name);
	return (size_t)n >= size ? -ENAMETOOLONG : n;
}

static void memfd_put_super(struct super_block *sb)
{
	free(sb);
}

static const struct super_ops memfd_super_ops = {
	.evict_inode = memfd_evict_inode,
	.put_super = memfd_put_super,
	.dname = memfd_dname,
};

/* An unlinked tmpfs file called NAME in /proc (memfds, SysV shm). */
static struct file *anon_tmpfs_file(struct kernel *k, char *name, unsigned seals,
				    const struct creds *cr)
{
	struct super_block *sb = xzalloc(sizeof(*sb));
	sb_init(sb, k, &memfd_super_ops, "tmpfs", TMPFS_MAGIC);
	/* Owned by the caller, mode 0777 as Linux's memfds. */
	struct tmpfs_inode *ti = tmpfs_new_inode(sb, NULL, S_IFREG | 0777, cr);
	ti->vfs.nlink = 0;
	ti->reg.seals = seals;
	ti->reg.memfd_name = name;

	struct file *f = file_alloc(sizeof(struct file), &tmpfs_file_fops, &ti->vfs);
	inode_put(&ti->vfs);	/* the file holds the one we need */
	f->fmode = FMODE_READ | FMODE_WRITE | FMODE_LSEEK;
	f->flags = O_RDWR | LINUX_O_LARGEFILE;
	return f;
}

struct file *memfd_file_new(struct kernel *k, const char *name, unsigned flags,
			    const struct creds *cr)
{
	size_t len = strlen(name) + sizeof("memfd:");
	char *full = xmalloc(len);
	snprintf(full, len, "memfd:%s", name);
	return anon_tmpfs_file(k, full, (flags & MFD_ALLOW_SEALING) ? 0 : F_SEAL_SEAL, cr);
}

struct file *shmem_kernel_file_new(struct kernel *k, const char *name, int64_t size,
				   const struct creds *cr)
{
	struct file *f = anon_tmpfs_file(k, xstrdup(name), F_SEAL_SEAL, cr);
	struct tmpfs_inode *ti = TMPFS_I(f->inode);
	pthread_mutex_lock(&ti->vfs.lock);
	tmpfs_truncate(ti, size);
	pthread_mutex_unlock(&ti->vfs.lock);
	return f;
}
