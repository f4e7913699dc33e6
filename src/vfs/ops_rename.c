/* rename(2) and renameat2(2): the checks of Linux's do_renameat2 and
 * vfs_rename, with the rename lock and ancestor-first parent locking. */
#include <linux/capability.h>
#include <linux/fs.h>

#include "cvisor/creds.h"
#include "cvisor/fsnotify.h"
#include "vfs_internal.h"

static void lock_two(struct inode *a, struct inode *b)
{
	if (a == b) {
		pthread_mutex_lock(&a->lock);
		return;
	}
	if (a > b) {
		struct inode *t = a;
		a = b;
		b = t;
	}
	pthread_mutex_lock(&a->lock);
	pthread_mutex_lock(&b->lock);
}

static void unlock_two(struct inode *a, struct inode *b)
{
	pthread_mutex_unlock(&a->lock);
	if (a != b)
		pthread_mutex_unlock(&b->lock);
}

/* Locks both parents, an ancestor before its descendant. */
static void lock_rename(struct dentry *p1, struct dentry *p2)
{
	struct inode *i1 = d_inode(p1), *i2 = d_inode(p2);

	if (p1 == p2) {
		pthread_mutex_lock(&i1->lock);
	} else if (d_is_ancestor(p1, p2)) {
		pthread_mutex_lock(&i1->lock);
		pthread_mutex_lock(&i2->lock);
	} else if (d_is_ancestor(p2, p1)) {
		pthread_mutex_lock(&i2->lock);
		pthread_mutex_lock(&i1->lock);
	} else {
		lock_two(i1, i2);
	}
}

/* The checks once both parents are locked and both names looked up. */
static int rename_checks(const struct walk_base *wb, struct dentry *od, struct dentry *nd,
			 struct inode *odir, struct inode *ndir, struct dentry *opar,
			 struct dentry *npar, unsigned flags, bool trailing)
{
	struct inode *src = d_inode(od), *dst = d_inode(nd);

	if (!src)
		return -ENOENT;
	if ((flags & RENAME_EXCHANGE) && !dst)
		return -ENOENT;
	if ((flags & RENAME_NOREPLACE) && dst)
		return -EEXIST;
	bool is_dir = S_ISDIR(src->mode);
	if (trailing && !is_dir)
		return -ENOTDIR;
	/* A directory cannot move below itself; a target cannot be an
	 * ancestor of the source (it would not be empty). */
	if (is_dir && d_is_ancestor(od, npar))
		return -EINVAL;
	if (dst && S_ISDIR(dst->mode) && d_is_ancestor(nd, opar))
		return (flags & RENAME_EXCHANGE) ? -EINVAL : -ENOTEMPTY;
	if (dst && !(flags & RENAME_EXCHANGE)) {
		if (is_dir && !S_ISDIR(dst->mode))
			return -ENOTDIR;
		if (!is_dir && S_ISDIR(dst->mode))
			return -EISDIR;
	}
	if (od->mounted || nd->mounted)
		return -EBUSY;
	int err = may_delete(wb->cr, odir, src);
	if (!err)
		err = dst ? may_delete(wb->cr, ndir, dst)
			  : inode_permission(wb->cr, ndir, MAY_WRITE | MAY_EXEC);
	/* A directory changing parent rewrites its "..". */
	if (!err && is_dir && odir != ndir)
		err = inode_permission(wb->cr, src, MAY_WRITE);
	if (!err && (flags & RENAME_EXCHANGE) && dst && S_ISDIR(dst->mode) && odir != ndir)
		err = inode_permission(wb->cr, dst, MAY_WRITE);
	return err;
}

int vfs_rename(const struct walk_base *oldwb, const char *oldname, const struct walk_base *newwb,
	       const char *newname, unsigned flags)
{
	struct path op, np;
	struct last_component ol, nl;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_EXCHANGE) && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))
		return -EINVAL;
	/* Whiteouts are the overlay's own business here. */
	if (flags & RENAME_WHITEOUT)
		return -EINVAL;
	int err = vfs_lookup_parent(oldwb, oldname, 0, &op, &ol);
	if (err)
		return err;
	err = vfs_lookup_parent(newwb, newname, 0, &np, &nl);
	if (err)
		goto out_put_old;
	if (op.mnt != np.mnt) {
		err = -EXDEV;
		goto out_put_new;
	}
	if (ol.type != LAST_NORM || nl.type != LAST_NORM) {
		err = -EBUSY;
		goto out_put_new;
	}
	err = path_want_write(&op);
	if (err)
		goto out_put_new;

	struct inode *odir = d_inode(op.dentry), *ndir = d_inode(np.dentry);
	pthread_mutex_lock(&vfs_rename_lock);
	lock_rename(op.dentry, np.dentry);
	struct dentry *od = lookup_one_locked(op.dentry, ol.name);
	if (IS_ERR(od)) {
		err = (int)PTR_ERR(od);
		goto out_unlock;
	}
	struct dentry *nd = lookup_one_locked(np.dentry, nl.name);
	if (IS_ERR(nd)) {
		err = (int)PTR_ERR(nd);
		goto out_put_od;
	}
	bool trailing = ol.trailing_slash || nl.trailing_slash;
	if (flags & RENAME_EXCHANGE)
		trailing = false;
	err = rename_checks(oldwb, od, nd, odir, ndir, op.dentry, np.dentry, flags,
			    trailing && d_inode(od) && !S_ISDIR(d_inode(od)->mode));
	if (err)
		goto out_put_nd;
	struct inode *src = d_inode(od), *dst = d_inode(nd);
	if (src == dst)
		goto out_put_nd;	/* hard links to one inode: nothing to do */
	/* No rename method: EPERM (vfs_rename). */
	if (!odir->ops->rename) {
		err = -EPERM;
		goto out_put_nd;
	}
	if (dst)
		lock_two(src, dst);
	else
		pthread_mutex_lock(&src->lock);
	err = odir->ops->rename(odir, ol.name, src, ndir, nl.name, dst, flags);
	if (dst)
		unlock_two(src, dst);
	else
		pthread_mutex_unlock(&src->lock);
	if (!err) {
		if (flags & RENAME_EXCHANGE) {
			d_exchange(od, nd);
			fsnotify_move(odir, ol.name, ndir, nl.name, src, NULL);
			fsnotify_move(ndir, nl.name, odir, ol.name, dst, NULL);
		} else {
			if (dst)
				d_drop(nd);
			d_move(od, np.dentry, nl.name);
			/* A replaced target's IN_DELETE_SELF comes with its
			 * dentry's end, at dput(nd). */
			fsnotify_move(odir, ol.name, ndir, nl.name, src, dst);
		}
	}
out_put_nd:
	dput(nd);
out_put_od:
	dput(od);
out_unlock:
	if (op.dentry == np.dentry)
		pthread_mutex_unlock(&odir->lock);
	else
		unlock_two(odir, ndir);
	pthread_mutex_unlock(&vfs_rename_lock);
out_put_new:
	path_put(&np);
out_put_old:
	path_put(&op);
	return err;
}
