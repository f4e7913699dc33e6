/* chmod, fchmod(at), chown, fchown(at), lchown, utimensat, utime(s),
 * truncate, ftruncate, umask. */
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/time.h>
#include <utime.h>

#include "cvisor/fsnotify.h"
#include "cvisor/kernel.h"
#include "fs_util.h"

/* Applies IA to the file at FD (O_PATH descriptors are EBADF). */
static long setattr_fd(struct task *t, int fd, struct iattr *ia)
{
	struct file *f = task_fget(t, fd);
	if (!f)
		return -EBADF;
	int err = -EBADF;
	if (!(f->fmode & FMODE_PATH))
		err = f->path.dentry ? vfs_setattr(&f->path, ia, t->creds) : -EPERM;
	file_put(f);
	return err;
}

static long setattr_at(struct task *t, int dirfd, uaddr_t upath, unsigned lflags,
		       struct iattr *ia)
{
	struct path p;
	int err = user_lookup_at(t, dirfd, upath, lflags, &p);
	if (err)
		return err;
	err = vfs_setattr(&p, ia, t->creds);
	path_put(&p);
	return err;
}

static struct iattr chmod_attr(uint64_t mode)
{
	return (struct iattr){ .valid = ATTR_MODE, .mode = (mode_t)mode & 07777 };
}

long sys_chmod(struct task *t, const struct syscall_args *a)
{
	struct iattr ia = chmod_attr(a->arg[1]);
	return setattr_at(t, AT_FDCWD, a->arg[0], LOOKUP_FOLLOW, &ia);
}

long sys_fchmodat(struct task *t, const struct syscall_args *a)
{
	struct iattr ia = chmod_attr(a->arg[2]);
	return setattr_at(t, (int)a->arg[0], a->arg[1], LOOKUP_FOLLOW, &ia);
}

long sys_fchmod(struct task *t, const struct syscall_args *a)
{
	struct iattr ia = chmod_attr(a->arg[1]);
	return setattr_fd(t, (int)a->arg[0], &ia);
}

/* -1 leaves an id unchanged. */
static struct iattr chown_attr(uint64_t uid, uint64_t gid)
{
	struct iattr ia = { 0 };
	if ((uid_t)uid != (uid_t)-1) {
		ia.valid |= ATTR_UID;
		ia.uid = (uid_t)uid;
	}
	if ((gid_t)gid != (gid_t)-1) {
		ia.valid |= ATTR_GID;
		ia.gid = (gid_t)gid;
	}
	return ia;
}

long sys_chown(struct task *t, const struct syscall_args *a)
{
	struct iattr ia = chown_attr(a->arg[1], a->arg[2]);
	return setattr_at(t, AT_FDCWD, a->arg[0], LOOKUP_FOLLOW, &ia);
}

long sys_lchown(struct task *t, const struct syscall_args *a)
{
	struct iattr ia = chown_attr(a->arg[1], a->arg[2]);
	return setattr_at(t, AT_FDCWD, a->arg[0], 0, &ia);
}

long sys_fchown(struct task *t, const struct syscall_args *a)
{
	struct iattr ia = chown_attr(a->arg[1], a->arg[2]);
	return setattr_fd(t, (int)a->arg[0], &ia);
}

long sys_fchownat(struct task *t, const struct syscall_args *a)
{
	int flags = (int)a->arg[4];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct iattr ia = chown_attr(a->arg[2], a->arg[3]);
	unsigned lflags = ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) |
			  ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0);
	return setattr_at(t, (int)a->arg[0], a->arg[1], lflags, &ia);
}

/* Builds the time part of IA from TS (NULL: both now), with UTIME_NOW
 * and UTIME_OMIT. Returns 1 if nothing is to change. */
static int times_attr(struct task *t, const struct timespec *ts, struct iattr *ia)
{
	int64_t now_ns = kernel_realtime_ns(t->k);
	struct timespec now = { now_ns / 1000000000, now_ns % 1000000000 };

	*ia = (struct iattr){ .valid = ATTR_ATIME | ATTR_MTIME, .atime = now, .mtime = now };
	if (!ts)
		return 0;
	for (int i = 0; i < 2; i++) {
		long nsec = ts[i].tv_nsec;
		if (nsec == UTIME_NOW || nsec == UTIME_OMIT)
			continue;
		if (nsec < 0 || nsec > 999999999)
			return -EINVAL;
	}
	if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
		return 1;
	for (int i = 0; i < 2; i++) {
		unsigned bit = i ? ATTR_MTIME : ATTR_ATIME;
		struct timespec *dst = i ? &ia->mtime : &ia->atime;
		if (ts[i].tv_nsec == UTIME_OMIT) {
			ia->valid &= ~bit;
		} else if (ts[i].tv_nsec != UTIME_NOW) {
			*dst = ts[i];
			ia->valid |= ATTR_TIMES_SET;
		}
	}
	return 0;
}

static long do_utimes(struct task *t, int dirfd, uaddr_t upath, const struct timespec *ts,
		      int flags)
{
	struct iattr ia;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	int r = times_attr(t, ts, &ia);
	if (r)
		return r < 0 ? r : 0;
	/* A NULL path means DIRFD itself (futimens). */
	if (!upath)
		return dirfd == AT_FDCWD ? -EFAULT : setattr_fd(t, dirfd, &ia);
	unsigned lflags = ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) |
			  ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0);
	return setattr_at(t, dirfd, upath, lflags, &ia);
}

long sys_utimensat(struct task *t, const struct syscall_args *a)
{
	struct timespec ts[2];
	if (a->arg[2] && copy_in(t, ts, a->arg[2], sizeof(ts)))
		return -EFAULT;
	return do_utimes(t, (int)a->arg[0], a->arg[1], a->arg[2] ? ts : NULL, (int)a->arg[3]);
}

long sys_utimes(struct task *t, const struct syscall_args *a)
{
	struct timeval tv[2];
	struct timespec ts[2];
	if (!a->arg[1])
		return do_utimes(t, AT_FDCWD, a->arg[0], NULL, 0);
	if (copy_in(t, tv, a->arg[1], sizeof(tv)))
		return -EFAULT;
	for (int i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
			return -EINVAL;
		ts[i] = (struct timespec){ tv[i].tv_sec, tv[i].tv_usec * 1000 };
	}
	return do_utimes(t, AT_FDCWD, a->arg[0], ts, 0);
}

long sys_utime(struct task *t, const struct syscall_args *a)
{
	struct utimbuf ub;
	if (!a->arg[1])
		return do_utimes(t, AT_FDCWD, a->arg[0], NULL, 0);
	if (copy_in(t, &ub, a->arg[1], sizeof(ub)))
		return -EFAULT;
	struct timespec ts[2] = { { ub.actime, 0 }, { ub.modtime, 0 } };
	return do_utimes(t, AT_FDCWD, a->arg[0], ts, 0);
}

long sys_truncate(struct task *t, const struct syscall_args *a)
{
	struct path p;
	int64_t size = (int64_t)a->arg[1];
	if (size < 0)
		return -EINVAL;
	int err = user_lookup_at(t, AT_FDCWD, a->arg[0], LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	err = S_ISREG(d_inode(p.dentry)->mode) ? task_check_fsize(t, size) : 0;
	if (!err)
		err = vfs_truncate(&p, size, t->creds);
	path_put(&p);
	return err;
}

long sys_ftruncate(struct task *t, const struct syscall_args *a)
{
	int64_t size = (int64_t)a->arg[1];
	if (size < 0)
		return -EINVAL;
	struct file *f = task_fget(t, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	int err = 0;
	if (f->fmode & FMODE_PATH)
		err = -EBADF;
	else if (!(f->fmode & FMODE_WRITE) || !S_ISREG(f->inode->mode))
		err = -EINVAL;	/* do_sys_ftruncate: not a file open for writing */
	else if (f->path.dentry)
		err = path_want_write(&f->path);
	if (!err)
		err = task_check_fsize(t, size);
	if (!err) {
		struct iattr ia = { .valid = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME, .size = size };
		ia.mtime = ia.ctime = vfs_now(f->inode->sb);
		err = inode_setattr(f->inode, &ia);
		if (!err)
			fsnotify_change(f->path.dentry, f->inode, ia.valid);
	}
	file_put(f);
	return err;
}

long sys_umask(struct task *t, const struct syscall_args *a)
{
	return atomic_exchange(&t->fs->umask, (mode_t)a->arg[0] & 0777);
}
