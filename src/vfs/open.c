/* open(2) after the walk: O_CREAT with the trailing-symlink loop, O_EXCL,
 * O_NOFOLLOW, O_DIRECTORY, O_TRUNC, O_PATH, and the checks of Linux's
 * may_open. */
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sysmacros.h>

#include "cvisor/creds.h"
#include "cvisor/fsnotify.h"
#include "cvisor/pipe.h"
#include "cvisor/task.h"
#include "vfs_internal.h"

/* O_PATH descriptors do no I/O; every slot keeps its default. */
static const struct file_ops path_fops;

int path_want_write(const struct path *p)
{
	if ((p->mnt->flags & MNT_READONLY) || (p->dentry->sb->flags & SB_RDONLY))
		return -EROFS;
	return 0;
}

static int may_open(const struct path *p, int flags, const struct creds *cr)
{
	struct inode *inode = d_inode(p->dentry);
	int acc = flags & O_ACCMODE;
	int mask = 0;

	if (acc == O_RDONLY || acc == O_RDWR)
		mask |= MAY_READ;
	if (acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC))
		mask |= MAY_WRITE;
	switch (inode->mode & S_IFMT) {
	case S_IFLNK:
		return -ELOOP;
	case S_IFDIR:
		if (mask & MAY_WRITE)
			return -EISDIR;
		break;
	case S_IFCHR:
	case S_IFBLK:
		if (p->mnt->flags & MNT_NODEV)
			return -EACCES;
		flags &= ~O_TRUNC;
		break;
	case S_IFIFO:
	case S_IFSOCK:
		flags &= ~O_TRUNC;
		break;
	}
	int err = inode_permission(cr, inode, mask);
	if (err)
		return err;
	if ((mask & MAY_WRITE) && (S_ISREG(inode->mode) || S_ISDIR(inode->mode))) {
		err = path_want_write(p);
		if (err)
			return err;
	}
	if ((flags & O_NOATIME) && !inode_owner_or_capable(cr, inode))
		return -EPERM;
	return 0;
}

static struct file *open_inode(struct inode *inode, int flags)
{
	switch (inode->mode & S_IFMT) {
	case S_IFCHR:
		return chrdev_open(inode, flags);
	case S_IFBLK:
		return ERR_PTR(-ENXIO);	/* no block devices in the sandbox */
	case S_IFIFO:
		return fifo_open(inode, flags);
	case S_IFSOCK:
		return ERR_PTR(-ENXIO);	/* open(2) of a socket, as Linux */
	}
	if (inode->ops->open)
		return inode->ops->open(inode, flags);
	return file_alloc(sizeof(struct file), inode->fops, inode);
}

/* CREATED: the file was just made by this open, which then needs no
 * permission and no truncation (Linux: FMODE_CREATED). */
static int do_open_path(const struct path *p, int flags, const struct creds *cr, bool created,
			struct file **out)
{
	struct inode *inode = d_inode(p->dentry);
	struct file *f;
	bool truncated = false;

	if (flags & O_PATH) {
		f = file_alloc(sizeof(struct file), &path_fops, inode);
		f->fmode = FMODE_PATH;
		f->flags = flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW);
		goto done;
	}
	if ((flags & O_DIRECTORY) && !S_ISDIR(inode->mode))
		return -ENOTDIR;
	if (!created) {
		int err = may_open(p, flags, cr);
		if (err)
			return err;
		if ((flags & O_TRUNC) && S_ISREG(inode->mode)) {
			struct iattr ia = { .valid = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME, .size = 0 };
			ia.mtime = ia.ctime = vfs_now(inode->sb);
			err = inode_setattr(inode, &ia);
			if (err)
				return err;
			truncated = true;
		}
	}
	f = open_inode(inode, flags);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	int acc = flags & O_ACCMODE;
	if (acc == O_RDONLY || acc == O_RDWR)
		f->fmode |= FMODE_READ;
	if (acc == O_WRONLY || acc == O_RDWR)
		f->fmode |= FMODE_WRITE;
	if (f->ops->llseek)
		f->fmode |= FMODE_LSEEK;
	/* 64-bit Linux forces O_LARGEFILE; F_GETFL shows it. */
	f->flags = (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)) | LINUX_O_LARGEFILE;
done:
	f->path = *p;
	path_get(&f->path);
	fsnotify_open(f);
	/* Linux truncates after the open (handle_truncate), and says so. */
	if (truncated)
		fsnotify_change(p->dentry, inode, ATTR_SIZE | ATTR_MTIME | ATTR_CTIME);
	*out = f;
	return 0;
}

int vfs_open_path(const struct path *p, int flags, const struct creds *cr, struct file **out)
{
	return do_open_path(p, flags, cr, false, out);
}

/* Creates the regular file D in the locked directory DIR. */
static int create_locked(const struct path *dir, struct dentry *d, mode_t mode,
			 const struct creds *cr)
{
	struct inode *dinode = d_inode(dir->dentry);
	int err = inode_permission(cr, dinode, MAY_WRITE | MAY_EXEC);
	if (err)
		return err;
	err = path_want_write(dir);
	if (err)
		return err;
	/* No create method: EACCES (vfs_create). */
	if (!dinode->ops->create)
		return -EACCES;
	struct inode *inode;
	err = dinode->ops->create(dinode, d->name, mode, cr, &inode);
	if (err)
		return err;
	d_instantiate(d, inode);
	fsnotify_create(dinode, d->name, inode);
	return 0;
}

/* O_CREAT's last component is the magic link INODE in ND's directory:
 * opens its target, with the walk's rules for jumping to it. */
static int open_magic_link(struct nameidata *nd, struct inode *inode, int flags,
			   const struct creds *cr, struct file **out)
{
	struct path target;
	if (nd->resolve & (RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS))
		return -ELOOP;
	int err = inode->ops->get_link_path(inode, &target);
	if (err)
		return err;
	if (((nd->resolve & RESOLVE_NO_XDEV) && target.mnt != nd->cur.mnt) ||
	    (nd->resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT)))
		err = -EXDEV;
	else if (S_ISDIR(d_inode(target.dentry)->mode))
		err = -EISDIR;
	else
		err = do_open_path(&target, flags, cr, false, out);
	path_put(&target);
	return err;
}

static int open_creat(const struct walk_base *wb, const char *name, int flags, mode_t mode,
		      struct file **out)
{
	struct nameidata nd;
	struct last_component last;

	nd_init(&nd, wb, name);
	int err = nd_walk(&nd, name, false, &last);
	mode = S_IFREG | (mode & 07777 & ~wb->fs->umask);
	while (!err) {
		/* "/", ".", ".." and "dir/" name directories. */
		if (last.type != LAST_NORM || last.trailing_slash) {
			err = -EISDIR;
			break;
		}
		struct inode *dir = d_inode(nd.cur.dentry);
		pthread_mutex_lock(&dir->lock);
		struct dentry *d = lookup_one_locked(nd.cur.dentry, last.name);
		if (IS_ERR(d)) {
			pthread_mutex_unlock(&dir->lock);
			err = (int)PTR_ERR(d);
			break;
		}
		struct path p = { .mnt = nd.cur.mnt, .dentry = d };
		if (!d_inode(d)) {
			err = create_locked(&nd.cur, d, mode, wb->cr);
			pthread_mutex_unlock(&dir->lock);
			if (!err)
				err = do_open_path(&p, flags, wb->cr, true, out);
			dput(d);
			break;
		}
		pthread_mutex_unlock(&dir->lock);
		struct inode *inode = d_inode(d);
		if (flags & O_EXCL) {
			dput(d);
			err = -EEXIST;
			break;
		}
		if (S_ISLNK(inode->mode) && inode->ops->get_link_path && !(flags & O_NOFOLLOW)) {
			/* A magic link (/proc/<pid>/fd/N): what it stands for
			 * exists, and is opened as the walk would jump to it. */
			dput(d);
			err = open_magic_link(&nd, inode, flags, wb->cr, out);
			break;
		}
		if (S_ISLNK(inode->mode)) {
			char *target;
			err = (flags & O_NOFOLLOW) ? -ELOOP : nd_get_link(&nd, inode, &target);
			dput(d);
			if (err)
				break;
			/* The trailing-symlink loop: create what it points to. */
			err = nd_walk(&nd, target, false, &last);
			free(target);
			continue;
		}
		mntget(p.mnt);
		follow_mounts(&p);
		/* O_CREAT of an existing directory (do_open). */
		if (S_ISDIR(d_inode(p.dentry)->mode))
			err = -EISDIR;
		else
			err = do_open_path(&p, flags, wb->cr, false, out);
		path_put(&p);
		break;
	}
	nd_done(&nd);
	return err;
}

/* O_TMPFILE: an unnamed file in the directory NAME, on an unhashed
 * dentry "#ino" there (so /proc/pid/fd shows "dir/#ino (deleted)"). */
static int open_tmpfile(const struct walk_base *wb, const char *name, int flags, mode_t mode,
			struct file **out)
{
	int acc = flags & O_ACCMODE;
	struct path dir;
	struct inode *inode;

	/* build_open_flags: the file must be opened for writing. */
	if (acc != O_WRONLY && acc != O_RDWR)
		return -EINVAL;
	int err = vfs_lookup(wb, name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &dir);
	if (err)
		return err;
	struct inode *dinode = d_inode(dir.dentry);
	err = inode_permission(wb->cr, dinode, MAY_WRITE | MAY_EXEC);
	if (!err)
		err = path_want_write(&dir);
	if (!err && !dinode->ops->tmpfile)
		err = -EOPNOTSUPP;
	if (err)
		goto out_put_dir;
	mode = S_IFREG | (mode & 07777 & ~wb->fs->umask);
	pthread_mutex_lock(&dinode->lock);
	err = dinode->ops->tmpfile(dinode, mode, wb->cr, &inode);
	if (err) {
		pthread_mutex_unlock(&dinode->lock);
		goto out_put_dir;
	}
	if (!(flags & O_EXCL)) {
		pthread_mutex_lock(&inode->lock);
		inode->flags |= I_LINKABLE;
		pthread_mutex_unlock(&inode->lock);
	}
	char dname[32];
	snprintf(dname, sizeof(dname), "#%llu", (unsigned long long)inode->ino);
	struct dentry *d = d_add(dir.dentry, dname, inode);
	d_drop(d);
	pthread_mutex_unlock(&dinode->lock);
	struct path p = { .mnt = dir.mnt, .dentry = d };
	err = do_open_path(&p, flags & ~(O_TMPFILE | O_EXCL), wb->cr, true, out);
	dput(d);
out_put_dir:
	path_put(&dir);
	return err;
}

int vfs_open(const struct walk_base *wb, const char *name, int flags, mode_t mode,
	     struct file **out)
{
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if ((flags & O_TMPFILE) == O_TMPFILE && !(flags & O_PATH)) {
		if (name[0] == '\0')
			return -ENOENT;
		/* O_TMPFILE with O_CREAT is EINVAL (build_open_flags). */
		if (flags & O_CREAT)
			return -EINVAL;
		return open_tmpfile(wb, name, flags, mode, out);
	}
	if ((flags & __O_TMPFILE) == __O_TMPFILE)
		return -EINVAL;
	if (name[0] == '\0')
		return -ENOENT;
	/* Linux 6.4 and later: O_CREAT|O_DIRECTORY is meaningless. */
	if ((flags & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY))
		return -EINVAL;
	if (flags & O_CREAT)
		return open_creat(wb, name, flags, mode, out);

	unsigned lflags = (flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	if (flags & O_DIRECTORY)
		lflags |= LOOKUP_DIRECTORY;
	struct path p;
	int err = vfs_lookup(wb, name, lflags, &p);
	if (err)
		return err;
	err = do_open_path(&p, flags, wb->cr, false, out);
	path_put(&p);
	return err;
}

int vfs_open_exec_at(const struct walk_base *wb, const char *path, unsigned flags,
		     struct file **out)
{
	struct path p;

	if (path[0] == '\0' && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	int err = vfs_lookup(wb, path, flags, &p);
	if (err)
		return err;
	struct inode *inode = d_inode(p.dentry);
	/* execve: EACCES for anything but a regular file, a noexec mount or
	 * no execute permission (the file need not be readable); ELOOP for
	 * a symlink execveat was told not to follow. */
	if (S_ISLNK(inode->mode))
		err = -ELOOP;
	else if (!S_ISREG(inode->mode) || (p.mnt->flags & MNT_NOEXEC))
		err = -EACCES;
	if (!err)
		err = inode_permission(wb->cr, inode, MAY_EXEC);
	if (!err)
		err = do_open_path(&p, O_RDONLY, wb->cr, true, out);
	path_put(&p);
	return err;
}

int vfs_open_exec(struct task *t, const char *path, struct file **out)
{
	struct walk_base wb = { .fs = t->fs, .cr = t->creds };
	return vfs_open_exec_at(&wb, path, LOOKUP_FOLLOW, out);
}

int vfs_task_file_path(struct task *t, struct file *f, char *buf, size_t size)
{
	struct path root;
	fs_context_root(t->fs, &root);
	int n = vfs_file_path(f, &root, buf, size);
	path_put(&root);
	return n;
}
