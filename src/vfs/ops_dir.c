/* Directory operations by path: mkdir, mknod, symlink, link, unlink,
 * rmdir, with the errno rules of Linux's namei.c. */
#include <linux/capability.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "cvisor/creds.h"
#include "cvisor/fsnotify.h"
#include "vfs_internal.h"

/* A locked parent and the dentry of its last component. */
struct dirop {
	struct path parent;
	struct last_component last;
	struct dentry *d;
	struct inode *dir;
};

static int dirop_start(struct dirop *op, const struct walk_base *wb, const char *name)
{
	int err = vfs_lookup_parent(wb, name, 0, &op->parent, &op->last);
	if (err)
		return err;
	op->dir = d_inode(op->parent.dentry);
	op->d = NULL;
	if (op->last.type != LAST_NORM)
		return 0;
	pthread_mutex_lock(&op->dir->lock);
	op->d = lookup_one_locked(op->parent.dentry, op->last.name);
	if (IS_ERR(op->d)) {
		err = (int)PTR_ERR(op->d);
		op->d = NULL;
		pthread_mutex_unlock(&op->dir->lock);
		path_put(&op->parent);
	}
	return err;
}

static void dirop_end(struct dirop *op)
{
	if (op->d) {
		pthread_mutex_unlock(&op->dir->lock);
		dput(op->d);
	}
	path_put(&op->parent);
}

/* Common part of the creating operations: the name must be new. */
static int may_create(struct dirop *op, const struct walk_base *wb, bool is_dir)
{
	if (op->last.type != LAST_NORM)
		return -EEXIST;
	if (d_inode(op->d))
		return -EEXIST;
	/* "name/" may only create a directory. */
	if (op->last.trailing_slash && !is_dir)
		return -ENOENT;
	int err = inode_permission(wb->cr, op->dir, MAY_WRITE | MAY_EXEC);
	if (err)
		return err;
	return path_want_write(&op->parent);
}

static int vfs_create_node(const struct walk_base *wb, const char *name, mode_t mode, dev_t dev,
			   const char *target)
{
	struct dirop op;
	struct inode *inode = NULL;
	int err = dirop_start(&op, wb, name);
	if (err)
		return err;
	err = may_create(&op, wb, S_ISDIR(mode));
	if (err)
		goto out;
	const struct inode_ops *ops = op.dir->ops;
	if (target) {
		/* No method: EPERM (vfs_symlink, vfs_mkdir, vfs_mknod). */
		err = ops->symlink ? ops->symlink(op.dir, op.last.name, target, wb->cr, &inode)
				   : -EPERM;
	} else if (S_ISDIR(mode)) {
		err = ops->mkdir ? ops->mkdir(op.dir, op.last.name, mode, wb->cr, &inode) : -EPERM;
	} else if (S_ISREG(mode)) {
		/* No create method: EACCES (vfs_create). */
		err = ops->create ? ops->create(op.dir, op.last.name, mode, wb->cr, &inode)
				  : -EACCES;
	} else {
		err = ops->mknod ? ops->mknod(op.dir, op.last.name, mode, dev, wb->cr, &inode)
				 : -EPERM;
	}
	if (!err) {
		d_instantiate(op.d, inode);
		fsnotify_create(op.dir, op.last.name, inode);
	}
out:
	dirop_end(&op);
	return err;
}

int vfs_mkdir(const struct walk_base *wb, const char *name, mode_t mode)
{
	mode = S_IFDIR | (mode & 01777 & ~wb->fs->umask);
	return vfs_create_node(wb, name, mode, 0, NULL);
}

int vfs_mknod(const struct walk_base *wb, const char *name, mode_t mode, dev_t dev)
{
	switch (mode & S_IFMT) {
	case 0:
		mode |= S_IFREG;
		break;
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	case S_IFCHR:
	case S_IFBLK:
		if (!vfs_capable(wb->cr, CAP_MKNOD))
			return -EPERM;
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	mode = (mode & S_IFMT) | (mode & 07777 & ~wb->fs->umask);
	return vfs_create_node(wb, name, mode, dev, NULL);
}

int vfs_symlink(const struct walk_base *wb, const char *target, const char *name)
{
	if (target[0] == '\0')
		return -ENOENT;
	return vfs_create_node(wb, name, S_IFLNK | 0777, 0, target);
}

int vfs_link(const struct walk_base *oldwb, const char *oldname, const struct walk_base *newwb,
	     const char *newname, unsigned lookup_flags)
{
	struct path old;
	struct dirop op;
	int err = vfs_lookup(oldwb, oldname, lookup_flags, &old);
	if (err)
		return err;
	err = dirop_start(&op, newwb, newname);
	if (err)
		goto out_put_old;
	err = may_create(&op, newwb, false);
	if (err)
		goto out;
	struct inode *inode = d_inode(old.dentry);
	if (old.mnt != op.parent.mnt) {
		err = -EXDEV;
		goto out;
	}
	if (S_ISDIR(inode->mode)) {
		err = -EPERM;
		goto out;
	}
	/* No link method: EPERM (vfs_link). */
	if (!op.dir->ops->link) {
		err = -EPERM;
		goto out;
	}
	pthread_mutex_lock(&inode->lock);
	/* An unlinked file cannot get a name back, but an O_TMPFILE one
	 * (without O_EXCL) can, once. */
	err = inode->nlink == 0 && !(inode->flags & I_LINKABLE) ? -ENOENT : 0;
	pthread_mutex_unlock(&inode->lock);
	if (!err)
		err = op.dir->ops->link(inode, op.dir, op.last.name);
	if (!err) {
		pthread_mutex_lock(&inode->lock);
		inode->flags &= ~I_LINKABLE;
		pthread_mutex_unlock(&inode->lock);
	}
	if (!err) {
		d_instantiate(op.d, inode_get(inode));
		fsnotify_link_count(inode);
		fsnotify_create(op.dir, op.last.name, inode);
	}
out:
	dirop_end(&op);
out_put_old:
	path_put(&old);
	return err;
}

/* The victim of unlink/rmdir, locked after its parent. IN_DELETE on the
 * parent comes after the victim's dentry went (and with it, if that was
 * its last name and use, the victim's IN_DELETE_SELF), as in Linux's
 * d_delete_notify. */
static int remove_common(const struct walk_base *wb, const char *name, bool is_rmdir)
{
	struct dirop op;
	struct inode *notify_dir = NULL;
	int err = dirop_start(&op, wb, name);
	if (err)
		return err;
	if (op.last.type != LAST_NORM) {
		/* rmdir: "." EINVAL, ".." ENOTEMPTY, "/" EBUSY; unlink: EISDIR. */
		err = !is_rmdir ? -EISDIR
		    : op.last.type == LAST_DOT ? -EINVAL
		    : op.last.type == LAST_DOTDOT ? -ENOTEMPTY : -EBUSY;
		goto out;
	}
	struct inode *victim = d_inode(op.d);
	if (!victim) {
		err = -ENOENT;
		goto out;
	}
	if (is_rmdir && !S_ISDIR(victim->mode)) {
		err = -ENOTDIR;
		goto out;
	}
	if (!is_rmdir && S_ISDIR(victim->mode)) {
		err = -EISDIR;
		goto out;
	}
	if (!is_rmdir && op.last.trailing_slash) {
		err = -ENOTDIR;
		goto out;
	}
	err = may_delete(wb->cr, op.dir, victim);
	if (err)
		goto out;
	err = path_want_write(&op.parent);
	if (err)
		goto out;
	struct path root;
	fs_context_root(wb->fs, &root);
	bool busy = op.d->mounted || (root.mnt == op.parent.mnt && root.dentry == op.d);
	path_put(&root);
	if (busy) {
		err = -EBUSY;
		goto out;
	}
	pthread_mutex_lock(&victim->lock);
	if (is_rmdir)
		err = op.dir->ops->rmdir ? op.dir->ops->rmdir(op.dir, op.last.name, victim) : -EPERM;
	else
		err = op.dir->ops->unlink ? op.dir->ops->unlink(op.dir, op.last.name, victim)
					  : -EPERM;
	pthread_mutex_unlock(&victim->lock);
	if (!err) {
		if (!is_rmdir)
			fsnotify_link_count(victim);
		d_drop(op.d);
		notify_dir = inode_get(op.dir);
	}
out:
	dirop_end(&op);
	if (notify_dir) {
		fsnotify_delete(notify_dir, op.last.name, is_rmdir);
		inode_put(notify_dir);
	}
	return err;
}

int vfs_unlink(const struct walk_base *wb, const char *name)
{
	return remove_common(wb, name, false);
}

int vfs_rmdir(const struct walk_base *wb, const char *name)
{
	return remove_common(wb, name, true);
}
