/* open, openat, creat, close, close_range. */
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <stdlib.h>

#include "fs_util.h"

static long do_openat(struct task *t, int dirfd, uaddr_t upath, int flags, mode_t mode,
		      unsigned resolve)
{
	char *path;
	struct at_base ab;
	struct file *f;

	int err = user_path(t, upath, &path);
	if (err)
		return err;
	/* A scoped openat2 walk starts at DIRFD even for an absolute path
	 * (RESOLVE_IN_ROOT: "/" is DIRFD; RESOLVE_BENEATH: refused). */
	bool scoped = resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT);
	err = at_base_get(t, dirfd, scoped && path[0] == '/' ? "." : path, false, &ab);
	if (err)
		goto out_free;
	ab.wb.resolve = resolve;
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
	return do_openat(t, AT_FDCWD, a->arg[0], (int)a->arg[1], (mode_t)a->arg[2], 0);
}

long sys_openat(struct task *t, const struct syscall_args *a)
{
	return do_openat(t, (int)a->arg[0], a->arg[1], (int)a->arg[2], (mode_t)a->arg[3], 0);
}

/* The open flags openat2 accepts (Linux's VALID_OPEN_FLAGS). */
#define VALID_OPEN_FLAGS (O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | \
			  O_DSYNC | FASYNC | O_DIRECT | LINUX_O_LARGEFILE | O_DIRECTORY | \
			  O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH | __O_TMPFILE | O_SYNC)
/* The first struct open_how (Linux 5.6), as linux/fcntl.h has it. */
#define OPEN_HOW_SIZE_VER0 24
#define VALID_RESOLVE_FLAGS (RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | \
			     RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_CACHED)

long sys_openat2(struct task *t, const struct syscall_args *a)
{
	size_t usize = a->arg[3];
	struct open_how how = { 0 };

	/* copy_struct_from_user: too small EINVAL, more than a page E2BIG,
	 * a larger struct only with zeros past ours. */
	if (usize < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	if (copy_in(t, &how, a->arg[2], MIN(usize, sizeof(how))))
		return -EFAULT;
	if (usize > sizeof(how)) {
		char rest[PAGE_SIZE];
		size_t n = usize - sizeof(how);
		if (copy_in(t, rest, a->arg[2] + sizeof(how), n))
			return -EFAULT;
		for (size_t i = 0; i < n; i++)
			if (rest[i])
				return -E2BIG;
	}
	/* build_open_flags: unknown flags, resolve flags or a mode that
	 * means nothing are errors here, unlike openat. */
	if (how.flags & ~(uint64_t)VALID_OPEN_FLAGS)
		return -EINVAL;
	if (how.resolve & ~(uint64_t)VALID_RESOLVE_FLAGS)
		return -EINVAL;
	if (how.flags & (O_CREAT | __O_TMPFILE)) {
		if (how.mode & ~(uint64_t)07777)
			return -EINVAL;
	} else if (how.mode) {
		return -EINVAL;
	}
	if ((how.resolve & RESOLVE_BENEATH) && (how.resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	/* RESOLVE_CACHED: never answered from the dentry cache alone (and
	 * never with O_CREAT, O_TRUNC or O_TMPFILE): the caller retries
	 * without it, as the man page says. */
	if (how.resolve & RESOLVE_CACHED)
		return -EAGAIN;
	return do_openat(t, (int)a->arg[0], a->arg[1], (int)how.flags, (mode_t)how.mode,
			 (unsigned)how.resolve);
}

long sys_creat(struct task *t, const struct syscall_args *a)
{
	return do_openat(t, AT_FDCWD, a->arg[0], O_CREAT | O_WRONLY | O_TRUNC, (mode_t)a->arg[1], 0);
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
