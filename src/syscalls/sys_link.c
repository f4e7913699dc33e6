/* unlink(at), rmdir, rename(at)(2), link(at), symlink(at). */
#include <linux/capability.h>
#include <stdlib.h>

#include "fs_util.h"

/* Copies two user paths and resolves their bases. */
struct two_paths {
	char *p1, *p2;
	struct at_base b1, b2;
};

static int two_paths_get(struct task *t, int fd1, uaddr_t u1, bool empty1, int fd2, uaddr_t u2,
			 struct two_paths *tp)
{
	*tp = (struct two_paths){ 0 };
	int err = user_path(t, u1, &tp->p1);
	if (!err)
		err = user_path(t, u2, &tp->p2);
	if (!err)
		err = at_base_get(t, fd1, tp->p1, empty1, &tp->b1);
	if (!err) {
		err = at_base_get(t, fd2, tp->p2, false, &tp->b2);
		if (err)
			at_base_put(&tp->b1);
	}
	if (err) {
		free(tp->p1);
		free(tp->p2);
	}
	return err;
}

static void two_paths_put(struct two_paths *tp)
{
	at_base_put(&tp->b1);
	at_base_put(&tp->b2);
	free(tp->p1);
	free(tp->p2);
}

static long do_unlinkat(struct task *t, int dirfd, uaddr_t upath, int flags)
{
	char *path;
	struct at_base ab;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	int err = user_path(t, upath, &path);
	if (err)
		return err;
	err = at_base_get(t, dirfd, path, false, &ab);
	if (!err) {
		err = (flags & AT_REMOVEDIR) ? vfs_rmdir(&ab.wb, path) : vfs_unlink(&ab.wb, path);
		at_base_put(&ab);
	}
	free(path);
	return err;
}

long sys_unlink(struct task *t, const struct syscall_args *a)
{
	return do_unlinkat(t, AT_FDCWD, a->arg[0], 0);
}

long sys_unlinkat(struct task *t, const struct syscall_args *a)
{
	return do_unlinkat(t, (int)a->arg[0], a->arg[1], (int)a->arg[2]);
}

long sys_rmdir(struct task *t, const struct syscall_args *a)
{
	return do_unlinkat(t, AT_FDCWD, a->arg[0], AT_REMOVEDIR);
}

static long do_renameat2(struct task *t, int ofd, uaddr_t uold, int nfd, uaddr_t unew,
			 unsigned flags)
{
	struct two_paths tp;
	int err = two_paths_get(t, ofd, uold, false, nfd, unew, &tp);
	if (err)
		return err;
	err = vfs_rename(&tp.b1.wb, tp.p1, &tp.b2.wb, tp.p2, flags);
	two_paths_put(&tp);
	return err;
}

long sys_rename(struct task *t, const struct syscall_args *a)
{
	return do_renameat2(t, AT_FDCWD, a->arg[0], AT_FDCWD, a->arg[1], 0);
}

long sys_renameat(struct task *t, const struct syscall_args *a)
{
	return do_renameat2(t, (int)a->arg[0], a->arg[1], (int)a->arg[2], a->arg[3], 0);
}

long sys_renameat2(struct task *t, const struct syscall_args *a)
{
	return do_renameat2(t, (int)a->arg[0], a->arg[1], (int)a->arg[2], a->arg[3],
			    (unsigned)a->arg[4]);
}

static long do_linkat(struct task *t, int ofd, uaddr_t uold, int nfd, uaddr_t unew, int flags)
{
	struct two_paths tp;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	/* Linking an fd by AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH. */
	if ((flags & AT_EMPTY_PATH) && !vfs_capable(t->creds, CAP_DAC_READ_SEARCH))
		return -ENOENT;
	unsigned lflags = ((flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0) |
			  ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0);
	int err = two_paths_get(t, ofd, uold, lflags & LOOKUP_EMPTY, nfd, unew, &tp);
	if (err)
		return err;
	err = vfs_link(&tp.b1.wb, tp.p1, &tp.b2.wb, tp.p2, lflags);
	two_paths_put(&tp);
	return err;
}

long sys_link(struct task *t, const struct syscall_args *a)
{
	return do_linkat(t, AT_FDCWD, a->arg[0], AT_FDCWD, a->arg[1], 0);
}

long sys_linkat(struct task *t, const struct syscall_args *a)
{
	return do_linkat(t, (int)a->arg[0], a->arg[1], (int)a->arg[2], a->arg[3], (int)a->arg[4]);
}

static long do_symlinkat(struct task *t, uaddr_t utarget, int nfd, uaddr_t upath)
{
	char *target, *path;
	struct at_base ab;

	int err = user_path(t, utarget, &target);
	if (err)
		return err;
	err = user_path(t, upath, &path);
	if (!err) {
		err = at_base_get(t, nfd, path, false, &ab);
		if (!err) {
			err = vfs_symlink(&ab.wb, target, path);
			at_base_put(&ab);
		}
		free(path);
	}
	free(target);
	return err;
}

long sys_symlink(struct task *t, const struct syscall_args *a)
{
	return do_symlinkat(t, a->arg[0], AT_FDCWD, a->arg[1]);
}

long sys_symlinkat(struct task *t, const struct syscall_args *a)
{
	return do_symlinkat(t, a->arg[0], (int)a->arg[1], a->arg[2]);
}
