/* Open file descriptions: allocation, references, and the VFS side of
 * read, write, seek, readdir, ioctl, fsync and poll, with the Linux
 * default for every NULL slot. */
#include <dirent.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cvisor/fsnotify.h"
#include "vfs_internal.h"

struct file *file_alloc(size_t size, const struct file_ops *ops, struct inode *inode)
{
	struct file *f = xzalloc(size);
	f->refs = 1;
	f->ops = ops;
	f->inode = inode ? inode_get(inode) : NULL;
	pthread_mutex_init(&f->pos_lock, NULL);
	return f;
}

struct file *file_get(struct file *f)
{
	f->refs++;
	return f;
}

void file_put(struct file *f)
{
	if (!f || --f->refs > 0)
		return;
	fsnotify_close(f);
	locks_remove_file(f);
	/* No reference is left to add items with; a set being closed may
	 * still be removing its item (under epmutex, which
	 * eventpoll_release takes), hence the atomic look. */
	if (__atomic_load_n(&LIST_FIRST(&f->ep_items), __ATOMIC_ACQUIRE))
		eventpoll_release(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	path_put(&f->path);
	inode_put(f->inode);
	pthread_mutex_destroy(&f->pos_lock);
	free(f);
}

size_t iov_total(const struct iovec *iov, int cnt)
{
	size_t total = 0;
	for (int i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	return total;
}

size_t iov_copy_to(const struct iovec *iov, int cnt, size_t skip, const void *src, size_t size)
{
	size_t done = 0;
	for (int i = 0; i < cnt && done < size; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		size_t n = MIN(iov[i].iov_len - skip, size - done);
		memcpy((char *)iov[i].iov_base + skip, (const char *)src + done, n);
		done += n;
		skip = 0;
	}
	return done;
}

size_t iov_copy_from(void *dst, const struct iovec *iov, int cnt, size_t skip, size_t size)
{
	size_t done = 0;
	for (int i = 0; i < cnt && done < size; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		size_t n = MIN(iov[i].iov_len - skip, size - done);
		memcpy((char *)dst + done, (const char *)iov[i].iov_base + skip, n);
		done += n;
		skip = 0;
	}
	return done;
}

/* Runs FN at *POS, or at the file position (under pos_lock for seekable
 * files, as Linux's f_pos_lock) when POS is NULL. */
static ssize_t file_io(struct file *f, const struct iovec *iov, int cnt, int64_t *pos,
		       ssize_t (*fn)(struct file *, const struct iovec *, int, int64_t *))
{
	if (pos)
		return fn(f, iov, cnt, pos);
	if (!(f->fmode & FMODE_LSEEK)) {
		int64_t dummy = 0;
		return fn(f, iov, cnt, &dummy);
	}
	pthread_mutex_lock(&f->pos_lock);
	ssize_t r = fn(f, iov, cnt, &f->pos);
	pthread_mutex_unlock(&f->pos_lock);
	return r;
}

ssize_t vfs_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	if (!(f->fmode & FMODE_READ))
		return -EBADF;
	/* No read method: EINVAL (vfs_read). */
	if (!f->ops->read)
		return -EINVAL;
	ssize_t r = file_io(f, iov, cnt, pos, f->ops->read);
	if (r > 0)
		fsnotify_access(f);
	return r;
}

ssize_t vfs_write(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	if (!(f->fmode & FMODE_WRITE))
		return -EBADF;
	/* No write method: EINVAL (vfs_write). */
	if (!f->ops->write)
		return -EINVAL;
	ssize_t r = file_io(f, iov, cnt, pos, f->ops->write);
	if (r > 0)
		fsnotify_modify(f);
	return r;
}

ssize_t vfs_kernel_read(struct file *f, void *buf, size_t size, int64_t off)
{
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	size_t done = 0;

	/* Loops over short reads, which a loader reading headers cannot use. */
	while (done < size) {
		iov.iov_base = (char *)buf + done;
		iov.iov_len = size - done;
		int64_t pos = off + (int64_t)done;
		ssize_t r = vfs_read(f, &iov, 1, &pos);
		if (r < 0)
			return done ? (ssize_t)done : r;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

ssize_t vfs_kernel_write(struct file *f, const void *buf, size_t size, int64_t off)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = size };
	return vfs_write(f, &iov, 1, &off);
}

int64_t vfs_llseek(struct file *f, int64_t off, int whence)
{
	if (f->fmode & FMODE_PATH)
		return -EBADF;
	/* No llseek method: ESPIPE (no_llseek). */
	if (!f->ops->llseek)
		return -ESPIPE;
	pthread_mutex_lock(&f->pos_lock);
	int64_t r = f->ops->llseek(f, off, whence);
	pthread_mutex_unlock(&f->pos_lock);
	return r;
}

/* Caller holds f->pos_lock. */
int64_t generic_llseek(struct file *f, int64_t off, int whence, int64_t size)
{
	int64_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END:
		base = size;
		break;
	case SEEK_DATA:
		/* The whole file is data (no holes reported). */
		if (off < 0 || off >= size)
			return -ENXIO;
		return f->pos = off;
	case SEEK_HOLE:
		if (off < 0 || off >= size)
			return -ENXIO;
		return f->pos = size;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off))
		return -EOVERFLOW;
	int64_t pos = base + off;
	if (pos < 0)
		return -EINVAL;
	return f->pos = pos;
}

int64_t generic_file_llseek(struct file *f, int64_t off, int whence)
{
	pthread_mutex_lock(&f->inode->lock);
	int64_t size = f->inode->size;
	pthread_mutex_unlock(&f->inode->lock);
	return generic_llseek(f, off, whence, size);
}

int64_t generic_dir_llseek(struct file *f, int64_t off, int whence)
{
	if (whence != SEEK_SET && whence != SEEK_CUR)
		return -EINVAL;
	return generic_llseek(f, off, whence, 0);
}

ssize_t generic_read_dir(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	return -EISDIR;
}

bool dir_emit_dots(struct file *f, struct dir_context *ctx, uint64_t parent_ino)
{
	if (ctx->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, f->inode->ino, DT_DIR, 1))
			return false;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		if (!ctx->emit(ctx, "..", 2, parent_ino, DT_DIR, 2))
			return false;
		ctx->pos = 2;
	}
	return true;
}

int vfs_iterate_dir(struct file *f, struct dir_context *ctx)
{
	if (f->fmode & FMODE_PATH)
		return -EBADF;
	/* No iterate method: ENOTDIR (iterate_dir). */
	if (!f->ops->iterate_dir)
		return -ENOTDIR;
	pthread_mutex_lock(&f->pos_lock);
	struct inode *inode = f->inode;
	pthread_mutex_lock(&inode->lock);
	ctx->pos = f->pos;
	int err = f->ops->iterate_dir(f, ctx);
	f->pos = ctx->pos;
	pthread_mutex_unlock(&inode->lock);
	pthread_mutex_unlock(&f->pos_lock);
	/* Every listing reads the directory (iterate_dir). */
	fsnotify_access(f);
	return err;
}

int vfs_fsync(struct file *f)
{
	if (f->fmode & FMODE_PATH)
		return -EBADF;
	/* No fsync method: EINVAL (vfs_fsync_range). */
	if (!f->ops->fsync)
		return -EINVAL;
	return f->ops->fsync(f);
}

long vfs_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	if (f->fmode & FMODE_PATH)
		return -EBADF;
	/* No ioctl method: ENOTTY (vfs_ioctl). */
	if (!f->ops->ioctl)
		return -ENOTTY;
	return f->ops->ioctl(f, t, cmd, arg);
}

unsigned vfs_poll(struct file *f, struct poll_table *pt)
{
	/* No poll method: always ready (vfs_poll). */
	if (!f->ops->poll)
		return DEFAULT_POLLMASK;
	return f->ops->poll(f, pt);
}

int vfs_file_path(struct file *f, const struct path *root, char *buf, size_t size)
{
	/* A pseudo file's name comes first, path or not (Linux's d_dname). */
	if (f->inode && f->inode->sb->ops->dname)
		return f->inode->sb->ops->dname(f->inode, buf, size);
	if (f->path.dentry)
		return vfs_d_path(&f->path, root, buf, size);
	int n = snprintf(buf, size, "anon_inode:[%s]", f->inode ? f->inode->sb->fs_name : "?");
	return n < (int)size ? n : -ENAMETOOLONG;
}
