/* open, openat, creat, close, close_range. */
#include <linux/close_range.h>
#include <stdlib.h>

#include "fs_util.h"

static long do_openat(struct task *t, int dirfd, uaddr_t upath, int flags, mode_t mode)
{
	char *path;
	struct at_base ab;
	struct file *f;

	int err = user_path(t, upath, &path);
	if (err)
		return err;
	err = at_base_get(t, dirfd, path, false, &ab);
	if (err)
		goto out_free;
	err = vfs_open(&ab.wb, path, flags, mode, &f);
	at_base_put(&ab);
	if (err)
		goto out_free;
	err = fdt_install(t->fdt, f, flags & O_CLOEXEC, 0, task_nofile(t));
	file_put(f);
out_free:
	free(path);
	return err;
}

long sys_open(struct task *t, const struct syscall_args *a)
{
	return do_openat(t, AT_FDCWD, a->arg[0], (int)a->arg[1], (mode_t)a->arg[2]);
}

long sys_openat(struct task *t, const struct syscall_args *a)
{
	return do_openat(t, (int)a->arg[0], a->arg[1], (int)a->arg[2], (mode_t)a->arg[3]);
}

long sys_creat(struct task *t, const struct syscall_args *a)
{
	return do_openat(t, AT_FDCWD, a->arg[0], O_CREAT | O_WRONLY | O_TRUNC, (mode_t)a->arg[1]);
}

long sys_close(struct task *t, const struct syscall_args *a)
{
	return fdt_close(t->fdt, (int)a->arg[0]);
}

long sys_close_range(struct task *t, const struct syscall_args *a)
{
	unsigned first = (unsigned)a->arg[0], last = (unsigned)a->arg[1];
	unsigned flags = (unsigned)a->arg[2];

	if (flags & ~(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE) || first > last)
		return -EINVAL;
	/* Unsharing comes first, so CLOSE_RANGE_CLOEXEC marks our own copy. */
	if ((flags & CLOSE_RANGE_UNSHARE) && t->fdt->refs > 1) {
		struct fd_table *own = fdt_fork(t->fdt);
		fdt_put(t->fdt);
		t->fdt = own;
	}
	if (flags & CLOSE_RANGE_CLOEXEC)
		fdt_cloexec_range(t->fdt, first, last);
	else
		fdt_close_range(t->fdt, first, last);
	return 0;
}
