/* stat, lstat, fstat, newfstatat, statx, statfs, fstatfs, readlink(at),
 * access, faccessat, faccessat2. */
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

#include "cvisor/creds.h"
#include "fs_util.h"

/* glibc's x86-64 struct stat and struct statfs are the kernel's layouts
 * (asm/stat.h cannot be included next to glibc's headers). */
_Static_assert(sizeof(struct stat) == 144, "struct stat is the kernel's");
_Static_assert(sizeof(struct statfs) == 120, "struct statfs is the kernel's");

static int put_stat(struct task *t, uaddr_t ubuf, const struct kstat *ks)
{
	struct stat st = {
		.st_dev = ks->dev,
		.st_ino = ks->ino,
		.st_nlink = ks->nlink,
		.st_mode = ks->mode,
		.st_uid = ks->uid,
		.st_gid = ks->gid,
		.st_rdev = ks->rdev,
		.st_size = ks->size,
		.st_blksize = ks->blksize ? ks->blksize : PAGE_SIZE,
		.st_blocks = ks->blocks,
		.st_atim = ks->atime,
		.st_mtim = ks->mtime,
		.st_ctim = ks->ctime,
	};
	return copy_out(t, ubuf, &st, sizeof(st)) ? -EFAULT : 0;
}

/* The attributes of DIRFD/PATH per AT_* FLAGS. */
static int stat_at(struct task *t, int dirfd, uaddr_t upath, int flags, struct kstat *ks)
{
	char *path;
	int err = user_path(t, upath, &path);
	if (err)
		return err;
	if (path[0] == '\0' && (flags & AT_EMPTY_PATH)) {
		/* The fd itself, whatever it is (fstat). */
		free(path);
		if (dirfd == AT_FDCWD) {
			struct path cwd;
			fs_context_cwd(t->fs, &cwd);
			err = vfs_getattr(&cwd, ks);
			path_put(&cwd);
			return err;
		}
		struct file *f = task_fget(t, dirfd);
		if (!f)
			return -EBADF;
		err = file_getattr(f, ks);
		file_put(f);
		return err;
	}
	struct at_base ab;
	struct path p;
	err = at_base_get(t, dirfd, path, false, &ab);
	if (!err) {
		err = vfs_lookup(&ab.wb, path, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
				 &p);
		at_base_put(&ab);
	}
	if (!err) {
		err = vfs_getattr(&p, ks);
		path_put(&p);
	}
	free(path);
	return err;
}

static long do_stat(struct task *t, int dirfd, uaddr_t upath, uaddr_t ubuf, int flags)
{
	struct kstat ks;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	int err = stat_at(t, dirfd, upath, flags, &ks);
	return err ? err : put_stat(t, ubuf, &ks);
}

long sys_stat(struct task *t, const struct syscall_args *a)
{
	return do_stat(t, AT_FDCWD, a->arg[0], a->arg[1], 0);
}

long sys_lstat(struct task *t, const struct syscall_args *a)
{
	return do_stat(t, AT_FDCWD, a->arg[0], a->arg[1], AT_SYMLINK_NOFOLLOW);
}

long sys_newfstatat(struct task *t, const struct syscall_args *a)
{
	return do_stat(t, (int)a->arg[0], a->arg[1], a->arg[2], (int)a->arg[3]);
}

long sys_fstat(struct task *t, const struct syscall_args *a)
{
	struct kstat ks;
	struct file *f = task_fget(t, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	int err = file_getattr(f, &ks);
	file_put(f);
	return err ? err : put_stat(t, a->arg[1], &ks);
}

long sys_statx(struct task *t, const struct syscall_args *a)
{
	int dirfd = (int)a->arg[0], flags = (int)a->arg[2];
	unsigned mask = (unsigned)a->arg[3];
	struct kstat ks;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (mask & STATX__RESERVED))
		return -EINVAL;
	int err = stat_at(t, dirfd, a->arg[1], flags, &ks);
	if (err)
		return err;
	struct statx sx = {
		.stx_mask = STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID,
		.stx_blksize = ks.blksize ? ks.blksize : PAGE_SIZE,
		.stx_nlink = ks.nlink,
		.stx_uid = ks.uid,
		.stx_gid = ks.gid,
		.stx_mode = (uint16_t)ks.mode,
		.stx_ino = ks.ino,
		.stx_size = (uint64_t)ks.size,
		.stx_blocks = (uint64_t)ks.blocks,
		.stx_atime = { ks.atime.tv_sec, (uint32_t)ks.atime.tv_nsec },
		.stx_btime = { ks.btime.tv_sec, (uint32_t)ks.btime.tv_nsec },
		.stx_ctime = { ks.ctime.tv_sec, (uint32_t)ks.ctime.tv_nsec },
		.stx_mtime = { ks.mtime.tv_sec, (uint32_t)ks.mtime.tv_nsec },
		.stx_rdev_major = major(ks.rdev),
		.stx_rdev_minor = minor(ks.rdev),
		.stx_dev_major = major(ks.dev),
		.stx_dev_minor = minor(ks.dev),
		.stx_mnt_id = ks.mnt_id,
	};
	return copy_out(t, a->arg[4], &sx, sizeof(sx)) ? -EFAULT : 0;
}

static int put_statfs(struct task *t, uaddr_t ubuf, const struct kstatfs *ks)
{
	struct statfs st = {
		.f_type = (long)ks->type,
		.f_bsize = (long)ks->bsize,
		.f_blocks = ks->blocks,
		.f_bfree = ks->bfree,
		.f_bavail = ks->bavail,
		.f_files = ks->files,
		.f_ffree = ks->ffree,
		.f_namelen = (long)ks->namelen,
		.f_frsize = (long)ks->frsize,
		.f_flags = (long)ks->flags,
	};
	memcpy(&st.f_fsid, &ks->fsid, sizeof(st.f_fsid));
	return copy_out(t, ubuf, &st, sizeof(st)) ? -EFAULT : 0;
}

long sys_statfs(struct task *t, const struct syscall_args *a)
{
	struct path p;
	struct kstatfs ks;
	int err = user_lookup_at(t, AT_FDCWD, a->arg[0], LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	err = vfs_statfs(&p, &ks);
	path_put(&p);
	return err ? err : put_statfs(t, a->arg[1], &ks);
}

long sys_fstatfs(struct task *t, const struct syscall_args *a)
{
	struct kstatfs ks;
	struct file *f = task_fget(t, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	int err = 0;
	if (f->path.dentry)
		err = vfs_statfs(&f->path, &ks);
	else	/* an anonymous file: its pseudo filesystem's type only */
		ks = (struct kstatfs){ .type = f->inode->sb->magic, .bsize = PAGE_SIZE,
				       .frsize = PAGE_SIZE, .namelen = VFS_NAME_MAX };
	file_put(f);
	return err ? err : put_statfs(t, a->arg[1], &ks);
}

static long do_readlinkat(struct task *t, int dirfd, uaddr_t upath, uaddr_t ubuf, long size)
{
	struct path p;
	if (size <= 0)
		return -EINVAL;
	int err = user_lookup_at(t, dirfd, upath, LOOKUP_EMPTY, &p);
	if (err)
		return err;
	char *buf = xmalloc(VFS_PATH_MAX);
	int n = vfs_readlink_inode(d_inode(p.dentry), buf, MIN((size_t)size, VFS_PATH_MAX));
	path_put(&p);
	if (n >= 0 && copy_out(t, ubuf, buf, (size_t)n))
		n = -EFAULT;
	free(buf);
	return n;
}

long sys_readlink(struct task *t, const struct syscall_args *a)
{
	return do_readlinkat(t, AT_FDCWD, a->arg[0], a->arg[1], (long)(int)a->arg[2]);
}

long sys_readlinkat(struct task *t, const struct syscall_args *a)
{
	return do_readlinkat(t, (int)a->arg[0], a->arg[1], a->arg[2], (long)(int)a->arg[3]);
}

static long do_faccessat(struct task *t, int dirfd, uaddr_t upath, int mode, int flags)
{
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	/* access(2) checks with the real ids; a non-root real uid has no
	 * capabilities for it (Linux's access_override_creds). */
	struct creds cr = *t->creds;
	if (!(flags & AT_EACCESS)) {
		cr.fsuid = cr.uid;
		cr.fsgid = cr.gid;
		cr.cap_effective = cr.uid == 0 ? cr.cap_permitted : 0;
	}
	unsigned lflags = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lflags |= LOOKUP_EMPTY;
	char *path;
	struct at_base ab;
	struct path p;
	int err = user_path(t, upath, &path);
	if (err)
		return err;
	err = at_base_get(t, dirfd, path, lflags & LOOKUP_EMPTY, &ab);
	if (!err) {
		ab.wb.cr = &cr;		/* the walk searches as those ids too */
		err = vfs_lookup(&ab.wb, path, lflags, &p);
		at_base_put(&ab);
	}
	free(path);
	if (err)
		return err;
	int mask = ((mode & R_OK) ? MAY_READ : 0) | ((mode & W_OK) ? MAY_WRITE : 0) |
		   ((mode & X_OK) ? MAY_EXEC : 0);
	struct inode *inode = d_inode(p.dentry);
	err = inode_permission(&cr, inode, mask);
	if (!err && (mask & MAY_WRITE) && (S_ISREG(inode->mode) || S_ISDIR(inode->mode) ||
					   S_ISLNK(inode->mode)))
		err = path_want_write(&p);
	path_put(&p);
	return err;
}

long sys_access(struct task *t, const struct syscall_args *a)
{
	return do_faccessat(t, AT_FDCWD, a->arg[0], (int)a->arg[1], 0);
}

long sys_faccessat(struct task *t, const struct syscall_args *a)
{
	return do_faccessat(t, (int)a->arg[0], a->arg[1], (int)a->arg[2], 0);
}

long sys_faccessat2(struct task *t, const struct syscall_args *a)
{
	return do_faccessat(t, (int)a->arg[0], a->arg[1], (int)a->arg[2], (int)a->arg[3]);
}
