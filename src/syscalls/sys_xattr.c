/* getxattr, setxattr, listxattr, removexattr and their l* (no symlink
 * following) and f* (an open file) forms: copying names and values, and
 * Linux's size rules (fs/xattr.c); the VFS checks the rest. */
#include <linux/xattr.h>
#include <stdlib.h>

#include "fs_util.h"

/* Where an xattr call works: a path's inode, or an open file's. */
struct xattr_target {
	struct path path;	/* a reference; empty for an anonymous file */
	struct file *file;	/* NULL for the path forms */
	struct inode *inode;
};

/* Path forms take (path, ...), f* forms (fd, ...); l* do not follow. */
enum xattr_form { XF_PATH, XF_LPATH, XF_FD };

static int target_get(struct task *t, enum xattr_form form, uint64_t arg, struct xattr_target *x)
{
	*x = (struct xattr_target){ 0 };
	if (form == XF_FD) {
		struct file *f = task_fget(t, (int)arg);
		if (!f)
			return -EBADF;
		if (f->fmode & FMODE_PATH) {
			file_put(f);
			return -EBADF;
		}
		x->file = f;
		if (f->path.dentry) {
			x->path = f->path;
			path_get(&x->path);
			x->inode = d_inode(f->path.dentry);
		} else {
			x->inode = f->inode;
		}
		return 0;
	}
	int err = user_lookup_at(t, AT_FDCWD, arg, form == XF_PATH ? LOOKUP_FOLLOW : 0, &x->path);
	if (err)
		return err;
	x->inode = d_inode(x->path.dentry);
	return 0;
}

static void target_put(struct xattr_target *x)
{
	if (x->path.dentry)
		path_put(&x->path);
	file_put(x->file);
}

/* The name: 1 to XATTR_NAME_MAX bytes, else -ERANGE. */
static int xattr_name(struct task *t, uaddr_t uname, char name[XATTR_NAME_MAX + 1])
{
	long len = copy_in_string(t, name, uname, XATTR_NAME_MAX + 1);
	if (len == -ENAMETOOLONG || len == 0)
		return -ERANGE;
	return len < 0 ? (int)len : 0;
}

static long do_getxattr(struct task *t, const struct syscall_args *a, enum xattr_form form)
{
	char name[XATTR_NAME_MAX + 1];
	size_t size = MIN(a->arg[3], (size_t)XATTR_SIZE_MAX);
	struct xattr_target x;

	int err = target_get(t, form, a->arg[0], &x);
	if (err)
		return err;
	err = xattr_name(t, a->arg[1], name);
	if (err)
		goto out_put;
	char *buf = size ? xmalloc(size) : NULL;
	ssize_t r = vfs_getxattr(t->creds, x.inode, name, buf, size);
	if (r > 0 && size && copy_out(t, a->arg[2], buf, (size_t)r))
		r = -EFAULT;
	free(buf);
	target_put(&x);
	return r;
out_put:
	target_put(&x);
	return err;
}

static long do_setxattr(struct task *t, const struct syscall_args *a, enum xattr_form form,
			bool remove)
{
	char name[XATTR_NAME_MAX + 1];
	size_t size = remove ? 0 : a->arg[3];
	int flags = remove ? XATTR_REPLACE : (int)a->arg[4];
	struct xattr_target x;
	char *value = NULL;

	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	int err = target_get(t, form, a->arg[0], &x);
	if (err)
		return err;
	err = xattr_name(t, a->arg[1], name);
	if (err)
		goto out_put;
	if (!remove) {
		if (size > XATTR_SIZE_MAX) {
			err = -E2BIG;
			goto out_put;
		}
		/* An empty value is a value, not a removal. */
		value = xmalloc(MAX(size, 1));
		if (size && copy_in(t, value, a->arg[2], size)) {
			err = -EFAULT;
			goto out_free;
		}
	}
	err = vfs_setxattr(t->creds, &x.path, x.inode, name, value, size, flags);
out_free:
	free(value);
out_put:
	target_put(&x);
	return err;
}

static long do_listxattr(struct task *t, const struct syscall_args *a, enum xattr_form form)
{
	size_t size = MIN(a->arg[2], (size_t)XATTR_LIST_MAX);
	struct xattr_target x;

	int err = target_get(t, form, a->arg[0], &x);
	if (err)
		return err;
	char *buf = size ? xmalloc(size) : NULL;
	ssize_t r = vfs_listxattr(t->creds, x.inode, buf, size);
	if (r > 0 && size && copy_out(t, a->arg[1], buf, (size_t)r))
		r = -EFAULT;
	free(buf);
	target_put(&x);
	return r;
}

long sys_getxattr(struct task *t, const struct syscall_args *a)
{
	return do_getxattr(t, a, XF_PATH);
}

long sys_lgetxattr(struct task *t, const struct syscall_args *a)
{
	return do_getxattr(t, a, XF_LPATH);
}

long sys_fgetxattr(struct task *t, const struct syscall_args *a)
{
	return do_getxattr(t, a, XF_FD);
}

long sys_setxattr(struct task *t, const struct syscall_args *a)
{
	return do_setxattr(t, a, XF_PATH, false);
}

long sys_lsetxattr(struct task *t, const struct syscall_args *a)
{
	return do_setxattr(t, a, XF_LPATH, false);
}

long sys_fsetxattr(struct task *t, const struct syscall_args *a)
{
	return do_setxattr(t, a, XF_FD, false);
}

long sys_removexattr(struct task *t, const struct syscall_args *a)
{
	return do_setxattr(t, a, XF_PATH, true);
}

long sys_lremovexattr(struct task *t, const struct syscall_args *a)
{
	return do_setxattr(t, a, XF_LPATH, true);
}

long sys_fremovexattr(struct task *t, const struct syscall_args *a)
{
	return do_setxattr(t, a, XF_FD, true);
}

long sys_listxattr(struct task *t, const struct syscall_args *a)
{
	return do_listxattr(t, a, XF_PATH);
}

long sys_llistxattr(struct task *t, const struct syscall_args *a)
{
	return do_listxattr(t, a, XF_LPATH);
}

long sys_flistxattr(struct task *t, const struct syscall_args *a)
{
	return do_listxattr(t, a, XF_FD);
}
