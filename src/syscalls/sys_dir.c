/* getdents, getdents64, getcwd, chdir, fchdir, mkdir(at), mknod(at). */
#include <dirent.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "fs_util.h"

/* The records getdents64 and getdents write (the kernel's
 * linux_dirent64 and linux_dirent, which no uapi header declares). */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

struct linux_dirent {
	unsigned long d_ino;
	unsigned long d_off;
	unsigned short d_reclen;
	char d_name[];		/* then a NUL, padding, and d_type last */
};

struct getdents_ctx {
	struct dir_context ctx;
	char *buf;
	size_t size, used;
	bool is64;
	bool overflow;		/* an entry did not fit */
};

static bool getdents_emit(struct dir_context *ctx, const char *name, size_t len, uint64_t ino,
			  unsigned type, int64_t next)
{
	struct getdents_ctx *g = container_of(ctx, struct getdents_ctx, ctx);
	size_t reclen = g->is64 ? offsetof(struct linux_dirent64, d_name) + len + 1
				: offsetof(struct linux_dirent, d_name) + len + 2;
	reclen = round_up(reclen, 8);
	if (g->used + reclen > g->size) {
		g->overflow = true;
		return false;
	}
	char *rec = g->buf + g->used;
	memset(rec, 0, reclen);
	if (g->is64) {
		struct linux_dirent64 *d = (struct linux_dirent64 *)rec;
		d->d_ino = ino;
		d->d_off = next;
		d->d_reclen = (unsigned short)reclen;
		d->d_type = (unsigned char)type;
		memcpy(d->d_name, name, len);
	} else {
		struct linux_dirent *d = (struct linux_dirent *)rec;
		d->d_ino = ino;
		d->d_off = (unsigned long)next;
		d->d_reclen = (unsigned short)reclen;
		memcpy(d->d_name, name, len);
		rec[reclen - 1] = (char)type;
	}
	g->used += reclen;
	return true;
}

static long do_getdents(struct task *t, const struct syscall_args *a, bool is64)
{
	size_t count = (unsigned)a->arg[2];
	struct file *f = task_fget(t, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	struct getdents_ctx g = {
		.ctx.emit = getdents_emit,
		.size = MIN(count, 1 << 20),
		.is64 = is64,
	};
	g.buf = xmalloc(MAX(g.size, 1));
	long r = vfs_iterate_dir(f, &g.ctx);
	file_put(f);
	if (!r) {
		/* Entries remain but not one fitted: the buffer is too small. */
		if (g.used == 0 && g.overflow)
			r = -EINVAL;
		else if (g.used && copy_out(t, a->arg[1], g.buf, g.used))
			r = -EFAULT;
		else
			r = (long)g.used;
	}
	free(g.buf);
	return r;
}

long sys_getdents64(struct task *t, const struct syscall_args *a)
{
	return do_getdents(t, a, true);
}

long sys_getdents(struct task *t, const struct syscall_args *a)
{
	return do_getdents(t, a, false);
}

long sys_getcwd(struct task *t, const struct syscall_args *a)
{
	struct path cwd, root;
	char *buf = xmalloc(VFS_PATH_MAX);
	size_t size = a->arg[1];

	fs_context_cwd(t->fs, &cwd);
	fs_context_root(t->fs, &root);
	/* A removed working directory has no name. */
	long n = path_deleted(&cwd) ? -ENOENT : vfs_d_path(&cwd, &root, buf, VFS_PATH_MAX);
	path_put(&cwd);
	path_put(&root);
	if (n >= 0) {
		if ((size_t)n + 1 > size)
			n = -ERANGE;
		else if (copy_out(t, a->arg[0], buf, (size_t)n + 1))
			n = -EFAULT;
		else
			n = n + 1;
	}
	free(buf);
	return n;
}

static int set_cwd(struct task *t, const struct path *p)
{
	struct inode *inode = d_inode(p->dentry);
	if (!S_ISDIR(inode->mode))
		return -ENOTDIR;
	int err = inode_permission(t->creds, inode, MAY_EXEC);
	if (!err)
		fs_context_set_cwd(t->fs, p);
	return err;
}

long sys_chdir(struct task *t, const struct syscall_args *a)
{
	struct path p;
	int err = user_lookup_at(t, AT_FDCWD, a->arg[0], LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (err)
		return err;
	err = set_cwd(t, &p);
	path_put(&p);
	return err;
}

long sys_fchdir(struct task *t, const struct syscall_args *a)
{
	struct file *f = task_fget(t, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	int err = f->path.dentry ? set_cwd(t, &f->path) : -ENOTDIR;
	file_put(f);
	return err;
}

/* Runs FN on DIRFD/PATH from user memory. */
static long with_user_path(struct task *t, int dirfd, uaddr_t upath,
			   int (*fn)(const struct walk_base *wb, const char *path, void *arg),
			   void *arg)
{
	char *path;
	struct at_base ab;
	int err = user_path(t, upath, &path);
	if (err)
		return err;
	err = at_base_get(t, dirfd, path, false, &ab);
	if (!err) {
		err = fn(&ab.wb, path, arg);
		at_base_put(&ab);
	}
	free(path);
	return err;
}

static int mkdir_fn(const struct walk_base *wb, const char *path, void *arg)
{
	return vfs_mkdir(wb, path, *(mode_t *)arg);
}

long sys_mkdir(struct task *t, const struct syscall_args *a)
{
	mode_t mode = (mode_t)a->arg[1];
	return with_user_path(t, AT_FDCWD, a->arg[0], mkdir_fn, &mode);
}

long sys_mkdirat(struct task *t, const struct syscall_args *a)
{
	mode_t mode = (mode_t)a->arg[2];
	return with_user_path(t, (int)a->arg[0], a->arg[1], mkdir_fn, &mode);
}

struct mknod_args {
	mode_t mode;
	dev_t dev;
};

static int mknod_fn(const struct walk_base *wb, const char *path, void *arg)
{
	struct mknod_args *m = arg;
	return vfs_mknod(wb, path, m->mode, m->dev);
}

/* The 32-bit device number of mknod(2) (Linux's new_decode_dev). */
static dev_t decode_dev(uint32_t dev)
{
	return makedev((dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00));
}

long sys_mknod(struct task *t, const struct syscall_args *a)
{
	struct mknod_args m = { (mode_t)a->arg[1], decode_dev((uint32_t)a->arg[2]) };
	return with_user_path(t, AT_FDCWD, a->arg[0], mknod_fn, &m);
}

long sys_mknodat(struct task *t, const struct syscall_args *a)
{
	struct mknod_args m = { (mode_t)a->arg[2], decode_dev((uint32_t)a->arg[3]) };
	return with_user_path(t, (int)a->arg[0], a->arg[1], mknod_fn, &m);
}
