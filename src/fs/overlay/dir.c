/* overlay directory operations: every change lands in the upper layer,
 * after copying the directory up; names the lower layer still has get
 * whiteouts. Renaming a directory that has a lower part is EXDEV, as
 * overlayfs without redirect_dir (mv falls back to copying). */
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>

#include "overlay.h"

/* Under ovl->lock with UDIR locked: removes a whiteout at NAME; *HAD
 * says whether there was one. */
static int remove_whiteout(struct inode *udir, const char *name, bool *had)
{
	struct inode *wh = udir->ops->lookup(udir, name);
	*had = false;
	if (IS_ERR(wh))
		return PTR_ERR(wh) == -ENOENT ? 0 : (int)PTR_ERR(wh);
	int err = -EEXIST;
	if (ovl_is_whiteout(wh)) {
		pthread_mutex_lock(&wh->lock);
		err = udir->ops->unlink(udir, name, wh);
		pthread_mutex_unlock(&wh->lock);
		*had = !err;
	}
	inode_put(wh);
	return err;
}

/* Under ovl->lock: leaves a whiteout at NAME in UDIR. */
static int make_whiteout(struct inode *udir, const char *name)
{
	struct inode *wh;
	pthread_mutex_lock(&udir->lock);
	int err = udir->ops->mknod(udir, name, S_IFCHR, 0, NULL, &wh);
	pthread_mutex_unlock(&udir->lock);
	if (!err)
		inode_put(wh);
	return err;
}

static int ovl_create_common(struct inode *dir, const char *name, mode_t mode, dev_t rdev,
			     const char *target, const struct creds *cr, struct inode **out)
{
	struct ovl_inode *od = OVL_I(dir);
	struct ovl_sb *osb = OVL_SB(dir->sb);
	struct inode *u = NULL;
	bool had;

	pthread_mutex_lock(&osb->lock);
	int err = ovl_copy_up_locked(od);
	if (err)
		goto out;
	struct inode *udir = ovl_upper(od);
	pthread_mutex_lock(&udir->lock);
	err = remove_whiteout(udir, name, &had);
	if (!err) {
		const struct inode_ops *ops = udir->ops;
		if (target)
			err = ops->symlink(udir, name, target, cr, &u);
		else if (S_ISDIR(mode))
			err = ops->mkdir(udir, name, mode, cr, &u);
		else if (S_ISREG(mode))
			err = ops->create(udir, name, mode, cr, &u);
		else
			err = ops->mknod(udir, name, mode, rdev, cr, &u);
	}
	/* A directory made where a lower one was removed must hide it. */
	if (!err && had && S_ISDIR(mode))
		u->flags |= I_OVL_OPAQUE;
	pthread_mutex_unlock(&udir->lock);
	if (!err) {
		*out = &ovl_inode_new(dir->sb, u, NULL, od, name)->vfs;
		ovl_copy_attr(od);
	}
out:
	pthread_mutex_unlock(&osb->lock);
	return err;
}

static int ovl_create(struct inode *dir, const char *name, mode_t mode,
		      const struct creds *cr, struct inode **out)
{
	return ovl_create_common(dir, name, mode, 0, NULL, cr, out);
}

static int ovl_mkdir(struct inode *dir, const char *name, mode_t mode,
		     const struct creds *cr, struct inode **out)
{
	return ovl_create_common(dir, name, mode, 0, NULL, cr, out);
}

static int ovl_mknod(struct inode *dir, const char *name, mode_t mode, dev_t rdev,
		     const struct creds *cr, struct inode **out)
{
	/* A 0/0 device would read as a whiteout. */
	if (S_ISCHR(mode) && rdev == 0)
		return -EPERM;
	return ovl_create_common(dir, name, mode, rdev, NULL, cr, out);
}

static int ovl_symlink(struct inode *dir, const char *name, const char *target,
		       const struct creds *cr, struct inode **out)
{
	return ovl_create_common(dir, name, S_IFLNK | 0777, 0, target, cr, out);
}

static int ovl_link(struct inode *old, struct inode *dir, const char *name)
{
	struct ovl_inode *oo = OVL_I(old), *od = OVL_I(dir);
	struct ovl_sb *osb = OVL_SB(dir->sb);
	bool had;

	pthread_mutex_lock(&osb->lock);
	int err = ovl_copy_up_locked(oo);
	if (!err)
		err = ovl_copy_up_locked(od);
	if (!err) {
		struct inode *udir = ovl_upper(od);
		pthread_mutex_lock(&udir->lock);
		err = remove_whiteout(udir, name, &had);
		if (!err)
			err = udir->ops->link(ovl_upper(oo), udir, name);
		pthread_mutex_unlock(&udir->lock);
	}
	pthread_mutex_unlock(&osb->lock);
	if (!err) {
		pthread_mutex_lock(&old->lock);
		ovl_copy_attr(oo);
		pthread_mutex_unlock(&old->lock);
	}
	return err;
}

/* Under ovl->lock: is the merged directory OI empty? */
static int check_empty(struct ovl_inode *oi)
{
	struct ovl_dirlist l = { 0 };
	int err = ovl_dir_collect(oi, &l);
	if (!err && l.n)
		err = -ENOTEMPTY;
	ovl_dirlist_free(&l);
	return err;
}

static int ovl_remove(struct inode *dir, const char *name, struct inode *victim, bool is_dir)
{
	struct ovl_inode *od = OVL_I(dir), *ov = OVL_I(victim);
	struct ovl_sb *osb = OVL_SB(dir->sb);

	pthread_mutex_lock(&osb->lock);
	int err = is_dir ? check_empty(ov) : 0;
	if (!err)
		err = ovl_copy_up_locked(od);
	if (err)
		goto out;
	struct inode *udir = ovl_upper(od), *uv = ovl_upper(ov);
	bool lower_has = ovl_lower_has(od, name);
	if (uv) {
		if (is_dir)
			err = ovl_clear_whiteouts(uv);
		pthread_mutex_lock(&udir->lock);
		pthread_mutex_lock(&uv->lock);
		if (!err)
			err = is_dir ? udir->ops->rmdir(udir, name, uv)
				     : udir->ops->unlink(udir, name, uv);
		pthread_mutex_unlock(&uv->lock);
		pthread_mutex_unlock(&udir->lock);
	}
	if (!err && lower_has)
		err = make_whiteout(udir, name);
	if (!err) {
		victim->nlink = uv ? uv->nlink : 0;
		if (is_dir)
			victim->nlink = 0;
		ovl_copy_attr(od);
	}
out:
	pthread_mutex_unlock(&osb->lock);
	return err;
}

static int ovl_unlink(struct inode *dir, const char *name, struct inode *victim)
{
	return ovl_remove(dir, name, victim, false);
}

static int ovl_rmdir(struct inode *dir, const char *name, struct inode *victim)
{
	return ovl_remove(dir, name, victim, true);
}

static void lock_pair(struct inode *a, struct inode *b)
{
	if (a == b || !b) {
		pthread_mutex_lock(&a->lock);
		return;
	}
	pthread_mutex_lock(a < b ? &a->lock : &b->lock);
	pthread_mutex_lock(a < b ? &b->lock : &a->lock);
}

static void unlock_pair(struct inode *a, struct inode *b)
{
	pthread_mutex_unlock(&a->lock);
	if (b && a != b)
		pthread_mutex_unlock(&b->lock);
}

/* Under ovl->lock, all copied up: the rename in the upper layer. */
static int upper_rename(struct ovl_inode *odir, const char *oname, struct ovl_inode *src,
			struct ovl_inode *ndir, const char *nname, struct inode *udst,
			unsigned flags)
{
	struct inode *uod = ovl_upper(odir), *und = ovl_upper(ndir), *us = ovl_upper(src);
	bool had = false;
	int err = 0;

	if (!udst) {
		/* tmpfs will not put a directory over the whiteout. */
		pthread_mutex_lock(&und->lock);
		err = remove_whiteout(und, nname, &had);
		pthread_mutex_unlock(&und->lock);
		if (err)
			return err;
	}
	lock_pair(uod, und);
	lock_pair(us, udst);
	err = uod->ops->rename(uod, oname, us, und, nname, udst, flags);
	unlock_pair(us, udst);
	unlock_pair(uod, und);
	if (!err && S_ISDIR(us->mode) && !(flags & RENAME_EXCHANGE) && ovl_lower_has(ndir, nname))
		us->flags |= I_OVL_OPAQUE;
	return err;
}

static void set_parent(struct ovl_inode *oi, struct ovl_inode *parent, const char *name)
{
	char *copy = xstrdup(name);
	inode_get(&parent->vfs);
	inode_put(&oi->parent->vfs);
	oi->parent = parent;
	free(oi->name);
	oi->name = copy;
}

static int ovl_rename(struct inode *odir_, const char *oname, struct inode *src_,
		      struct inode *ndir_, const char *nname, struct inode *dst_, unsigned flags)
{
	struct ovl_inode *odir = OVL_I(odir_), *ndir = OVL_I(ndir_), *src = OVL_I(src_);
	struct ovl_inode *dst = dst_ ? OVL_I(dst_) : NULL;
	struct ovl_sb *osb = OVL_SB(odir_->sb);
	int err = 0;

	pthread_mutex_lock(&osb->lock);
	bool old_lower = ovl_lower_has(odir, oname);
	bool new_lower = ovl_lower_has(ndir, nname);
	/* Directories with a lower part stay where the lower has them. */
	if ((S_ISDIR(src_->mode) && (src->lower || old_lower)) ||
	    ((flags & RENAME_EXCHANGE) && (old_lower || new_lower))) {
		err = -EXDEV;
		goto out;
	}
	err = ovl_copy_up_locked(src);
	if (!err)
		err = ovl_copy_up_locked(odir);
	if (!err)
		err = ovl_copy_up_locked(ndir);
	struct inode *udst = NULL;
	if (!err && dst) {
		if (S_ISDIR(dst_->mode) && !(flags & RENAME_EXCHANGE))
			err = check_empty(dst);
		udst = ovl_upper(dst);
		if (!err && udst && S_ISDIR(udst->mode) && !(flags & RENAME_EXCHANGE))
			err = ovl_clear_whiteouts(udst);
	}
	if (!err)
		err = upper_rename(odir, oname, src, ndir, nname, udst, flags);
	if (!err && old_lower)
		err = make_whiteout(ovl_upper(odir), oname);
	if (err)
		goto out;
	if (flags & RENAME_EXCHANGE) {
		struct ovl_inode *sp = src->parent;
		inode_get(&sp->vfs);
		set_parent(src, dst->parent, dst->name);
		set_parent(dst, sp, oname);
		inode_put(&sp->vfs);
	} else {
		set_parent(src, ndir, nname);
		if (dst)
			dst_->nlink = S_ISDIR(dst_->mode) || !udst ? 0 : udst->nlink;
	}
	ovl_copy_attr(odir);
	ovl_copy_attr(ndir);
out:
	pthread_mutex_unlock(&osb->lock);
	return err;
}

/* O_TMPFILE goes to the upper layer (the directory is copied up). */
static int ovl_tmpfile(struct inode *dir, mode_t mode, const struct creds *cr, struct inode **out)
{
	struct ovl_inode *od = OVL_I(dir);
	struct ovl_sb *osb = OVL_SB(dir->sb);
	struct inode *u;

	pthread_mutex_lock(&osb->lock);
	int err = ovl_copy_up_locked(od);
	struct inode *udir = err ? NULL : ovl_upper(od);
	if (udir && !udir->ops->tmpfile)
		err = -EOPNOTSUPP;
	if (!err) {
		pthread_mutex_lock(&udir->lock);
		err = udir->ops->tmpfile(udir, mode, cr, &u);
		pthread_mutex_unlock(&udir->lock);
	}
	if (!err)
		*out = &ovl_inode_new(dir->sb, u, NULL, od, "#tmpfile")->vfs;
	pthread_mutex_unlock(&osb->lock);
	return err;
}

const struct inode_ops ovl_dir_iops = {
	.tmpfile = ovl_tmpfile,
	.getxattr = ovl_getxattr,
	.setxattr = ovl_setxattr,
	.listxattr = ovl_listxattr,
	.lookup = ovl_lookup,
	.create = ovl_create,
	.mkdir = ovl_mkdir,
	.mknod = ovl_mknod,
	.symlink = ovl_symlink,
	.link = ovl_link,
	.unlink = ovl_unlink,
	.rmdir = ovl_rmdir,
	.rename = ovl_rename,
	.getattr = ovl_getattr,
	.setattr = ovl_setattr,
	.open = ovl_open,
};
