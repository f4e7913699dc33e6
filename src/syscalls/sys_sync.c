/* sync, syncfs, sync_file_range, fadvise64, readahead, fallocate: the
 * calls about a file's storage.
 * Nothing of the sandbox's is below memory or a read-only host layer, so
 * syncing and advice validate their arguments and do nothing more. */
#include <linux/falloc.h>

#include "cvisor/fsnotify.h"
#include "cvisor/pipe.h"
#include "fs_util.h"

long sys_sync(struct task *t, const struct syscall_args *a)
{
	return 0;
}

long sys_syncfs(struct task *t, const struct syscall_args *a)
{
	struct file *f = task_fget(t, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

long sys_sync_file_range(struct task *t, const struct syscall_args *a)
{
	int64_t off = (int64_t)a->arg[1], nbytes = (int64_t)a->arg[2];
	unsigned flags = (unsigned)a->arg[3];
	struct file *f = task_fget_nopath(t, (int)a->arg[0]);
	long r = 0;

	if (!f)
		return -EBADF;
	/* The end wraps as Linux's loff_t sum would. */
	int64_t end = (int64_t)((uint64_t)off + (uint64_t)nbytes);
	mode_t mode = f->inode ? f->inode->mode : 0;
	if (flags & ~(SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
		      SYNC_FILE_RANGE_WAIT_AFTER))
		r = -EINVAL;
	else if (off < 0 || end < 0 || end < off)
		r = -EINVAL;
	else if (!S_ISREG(mode) && !S_ISBLK(mode) && !S_ISDIR(mode) && !S_ISLNK(mode))
		r = -ESPIPE;
	file_put(f);
	return r;
}

long sys_fadvise64(struct task *t, const struct syscall_args *a)
{
	int64_t len = (int64_t)a->arg[2];
	int advice = (int)a->arg[3];
	struct file *f = task_fget(t, (int)a->arg[0]);
	long r = 0;

	if (!f)
		return -EBADF;
	/* generic_fadvise: pipes are ESPIPE; a negative length or an
	 * unknown advice EINVAL. */
	if (file_is_pipe(f))
		r = -ESPIPE;
	else if (len < 0 || advice < POSIX_FADV_NORMAL || advice > POSIX_FADV_NOREUSE)
		r = -EINVAL;
	file_put(f);
	return r;
}

/* readahead(2): fadvise WILLNEED, for regular files open for reading. */
long sys_readahead(struct task *t, const struct syscall_args *a)
{
	int64_t count = (int64_t)a->arg[2];
	struct file *f = task_fget_nopath(t, (int)a->arg[0]);
	long r = 0;

	if (!f)
		return -EBADF;
	if (!(f->fmode & FMODE_READ))
		r = -EBADF;
	else if (!f->inode || !S_ISREG(f->inode->mode))
		r = -EINVAL;
	else if (count < 0)
		r = -EINVAL;	/* generic_fadvise: a negative length */
	file_put(f);
	return r;
}

/* The modes tmpfs has (shmem_fallocate); the others are EOPNOTSUPP. */
#define FALLOC_SUPPORTED (FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)

long sys_fallocate(struct task *t, const struct syscall_args *a)
{
	int mode = (int)a->arg[1];
	int64_t off = (int64_t)a->arg[2], len = (int64_t)a->arg[3];
	long r;

	struct file *f = task_fget(t, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	/* vfs_fallocate's order of checks. */
	if (off < 0 || len <= 0)
		r = -EINVAL;
	else if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE |
			  FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE))
		r = -EOPNOTSUPP;
	/* A hole is punched without changing the size, and alone. */
	else if ((mode & FALLOC_FL_PUNCH_HOLE) &&
		 mode != (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE))
		r = -EOPNOTSUPP;
	else if (!(f->fmode & FMODE_WRITE))
		r = -EBADF;
	else if (S_ISFIFO(f->inode->mode) || file_is_pipe(f))
		r = -ESPIPE;
	else if (S_ISDIR(f->inode->mode))
		r = -EISDIR;
	else if (!S_ISREG(f->inode->mode))
		r = -ENODEV;
	else if (off > INT64_MAX - len)
		r = -EFBIG;
	else if (mode & ~FALLOC_SUPPORTED || !f->ops->fallocate)
		r = -EOPNOTSUPP;
	else
		r = f->ops->fallocate(f, mode, off, len);
	if (r == 0)
		fsnotify_modify(f);
	file_put(f);
	return r;
}
