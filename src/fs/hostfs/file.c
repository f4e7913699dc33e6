/* hostfs open files: regular files are reopened for reading by name
 * beneath their parent's fd (never through /proc/self/fd), and checked to
 * be the inode that was looked up; directories are read with getdents64. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hostfs.h"

/* What getdents64 writes (no uapi header declares it for userspace). */
struct host_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static void hostfs_release(struct file *f)
{
	close(container_of(f, struct hostfs_file, f)->fd);
}

struct file *hostfs_open(struct inode *inode, int flags)
{
	struct hostfs_inode *hi = HOSTFS_I(inode);
	int fd;

	if (S_ISDIR(inode->mode)) {
		/* "." beneath the directory's own O_PATH fd is the directory. */
		fd = openat(hi->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else if (S_ISREG(inode->mode) && hi->parent) {
		fd = hostfs_openat(hi->parent->fd, hi->name, O_RDONLY | O_NONBLOCK);
		if (fd < 0)
			return ERR_PTR(fd);
	} else {
		return ERR_PTR(-ENXIO);
	}
	if (fd < 0)
		return ERR_PTR(-errno);
	struct stat st;
	/* The name may have been replaced on the host since the lookup. */
	if (fstat(fd, &st) < 0 || st.st_dev != hi->host_dev || st.st_ino != hi->host_ino) {
		close(fd);
		return ERR_PTR(-ESTALE);
	}
	struct hostfs_file *hf = (struct hostfs_file *)file_alloc(sizeof(*hf), inode->fops, inode);
	hf->fd = fd;
	return &hf->f;
}

static ssize_t hostfs_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct hostfs_file *hf = container_of(f, struct hostfs_file, f);
	ssize_t n = preadv(hf->fd, iov, cnt, *pos);
	if (n < 0)
		return -errno;
	*pos += n;
	return n;
}

static int hostfs_iterate(struct file *f, struct dir_context *ctx)
{
	struct hostfs_file *hf = container_of(f, struct hostfs_file, f);
	struct hostfs_inode *hi = HOSTFS_I(f->inode);
	char buf[16384];

	if (lseek(hf->fd, ctx->pos, SEEK_SET) < 0)
		return -errno;
	for (;;) {
		long n = syscall(SYS_getdents64, hf->fd, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		for (long off = 0; off < n;) {
			struct host_dirent64 *de = (struct host_dirent64 *)(buf + off);
			uint64_t ino = de->d_ino;
			if (strcmp(de->d_name, ".") == 0)
				ino = f->inode->ino;
			/* The root's ".." is itself, never the host's parent. */
			else if (strcmp(de->d_name, "..") == 0 && !hi->parent)
				ino = f->inode->ino;
			if (!ctx->emit(ctx, de->d_name, strlen(de->d_name), ino, de->d_type,
				       de->d_off))
				return 0;
			ctx->pos = de->d_off;
			off += de->d_reclen;
		}
	}
}

static int hostfs_fsync(struct file *f)
{
	return 0;	/* read-only: nothing of ours to flush */
}

const struct file_ops hostfs_file_fops = {
	.read = hostfs_read,
	.fsync = hostfs_fsync,
	.llseek = generic_file_llseek,
	.release = hostfs_release,
};

const struct file_ops hostfs_dir_fops = {
	.read = generic_read_dir,
	.llseek = generic_dir_llseek,
	.iterate_dir = hostfs_iterate,
	.fsync = hostfs_fsync,
	.release = hostfs_release,
};
