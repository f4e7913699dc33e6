/* overlay: the super block, lookup that merges the layers, attributes
 * (with stable st_dev/st_ino) and open. */
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/fs.h"
#include "overlay.h"

struct inode *ovl_layer_lookup(struct inode *dir, const char *name)
{
	if (!dir->ops->lookup)
		return ERR_PTR(-ENOENT);
	pthread_mutex_lock(&dir->lock);
	struct inode *inode = dir->ops->lookup(dir, name);
	pthread_mutex_unlock(&dir->lock);
	return inode;
}

bool ovl_lower_has(struct ovl_inode *dir, const char *name)
{
	if (!dir->lower)
		return false;
	struct inode *l = ovl_layer_lookup(dir->lower, name);
	if (IS_ERR(l))
		return false;
	inode_put(l);
	return true;
}

/* Stable inode numbers: the lower one, kept through copy-up. */
static uint64_t ovl_ino(struct ovl_sb *osb, struct inode *upper, struct inode *lower)
{
	if (lower)
		return lower->ino;
	uint64_t ino = ovl_origin_lookup(osb, upper->ino);
	return ino ? ino : upper->ino | OVL_XINO_BIT;
}

void ovl_copy_attr(struct ovl_inode *oi)
{
	struct inode *real = ovl_real(oi);
	oi->vfs.mode = real->mode;
	oi->vfs.uid = real->uid;
	oi->vfs.gid = real->gid;
	oi->vfs.rdev = real->rdev;
	oi->vfs.nlink = real->nlink;
	oi->vfs.size = real->size;
}

struct ovl_inode *ovl_inode_new(struct super_block *sb, struct inode *upper,
				struct inode *lower, struct ovl_inode *parent, const char *name)
{
	struct ovl_inode *oi = xzalloc(sizeof(*oi));
	struct inode *real = upper ? upper : lower;
	bool dir = S_ISDIR(real->mode);

	inode_init(&oi->vfs, sb, dir ? &ovl_dir_iops : &ovl_iops, NULL, real->mode);
	oi->upper = upper;
	oi->lower = lower;
	oi->parent = parent;
	if (parent)
		inode_get(&parent->vfs);
	oi->name = name ? xstrdup(name) : NULL;
	oi->vfs.ino = ovl_ino(OVL_SB(sb), upper, lower);
	ovl_copy_attr(oi);
	return oi;
}

struct inode *ovl_lookup(struct inode *dir, const char *name)
{
	struct ovl_inode *od = OVL_I(dir);
	struct inode *u = NULL, *l = NULL, *udir = ovl_upper(od);

	if (udir) {
		u = ovl_layer_lookup(udir, name);
		if (IS_ERR(u)) {
			if (PTR_ERR(u) != -ENOENT)
				return u;
			u = NULL;
		}
	}
	if (u && ovl_is_whiteout(u)) {
		inode_put(u);
		return ERR_PTR(-ENOENT);
	}
	/* An upper non-directory or opaque directory hides the lower. */
	bool merge = !u || (S_ISDIR(u->mode) && !(u->flags & I_OVL_OPAQUE));
	if (merge && od->lower) {
		l = ovl_layer_lookup(od->lower, name);
		if (IS_ERR(l)) {
			if (PTR_ERR(l) != -ENOENT) {
				inode_put(u);
				return l;
			}
			l = NULL;
		}
		if (l && u && !S_ISDIR(l->mode)) {
			inode_put(l);
			l = NULL;
		}
	}
	if (!u && !l)
		return ERR_PTR(-ENOENT);
	return &ovl_inode_new(dir->sb, u, l, od, name)->vfs;
}

int ovl_getattr(struct inode *inode, struct kstat *st)
{
	struct ovl_inode *oi = OVL_I(inode);
	struct inode *u = ovl_upper(oi);
	int err = vfs_getattr_inode(ovl_real(oi), st);
	if (err)
		return err;
	st->dev = inode->sb->dev;
	st->ino = inode->ino;
	/* Linux reports 1 for a merged directory: the count is unknown. */
	if (S_ISDIR(st->mode) && u && oi->lower)
		st->nlink = 1;
	return 0;
}

/* The VFS holds OI's lock. */
int ovl_setattr(struct inode *inode, const struct iattr *ia)
{
	struct ovl_inode *oi = OVL_I(inode);
	int err = ovl_copy_up(oi);
	if (err)
		return err;
	struct inode *u = ovl_upper(oi);
	pthread_mutex_lock(&u->lock);
	err = u->ops->setattr ? u->ops->setattr(u, ia) : generic_setattr(u, ia);
	pthread_mutex_unlock(&u->lock);
	ovl_copy_attr(oi);
	return err;
}

static int ovl_readlink(struct inode *inode, char *buf, size_t size)
{
	return vfs_readlink_inode(ovl_real(OVL_I(inode)), buf, size);
}

struct file *ovl_open(struct inode *inode, int flags)
{
	struct ovl_inode *oi = OVL_I(inode);

	if (S_ISDIR(inode->mode))
		return ovl_dir_open(oi, flags);
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)) {
		int err = ovl_copy_up(oi);
		if (err)
			return ERR_PTR(err);
	}
	/* The file description is the real layer's; its path stays ours. */
	struct inode *real = ovl_real(oi);
	if (real->ops->open)
		return real->ops->open(real, flags);
	return file_alloc(sizeof(struct file), real->fops, real);
}

/* Xattrs live on the upper layer: a file only on the host layer has none
 * (the host's own xattrs are not shown, and never written), and setting
 * one copies the file up first. */
ssize_t ovl_getxattr(struct inode *inode, const char *name, void *buf, size_t size)
{
	struct inode *u = ovl_upper(OVL_I(inode));
	if (!u || !u->ops->getxattr)
		return -ENODATA;
	return u->ops->getxattr(u, name, buf, size);
}

int ovl_setxattr(struct inode *inode, const char *name, const void *value, size_t size,
		 int flags)
{
	struct ovl_inode *oi = OVL_I(inode);
	/* Removing from a file with none needs no copy-up. */
	if (!value && !ovl_upper(oi))
		return -ENODATA;
	int err = ovl_copy_up(oi);
	if (err)
		return err;
	struct inode *u = ovl_upper(oi);
	if (!u->ops->setxattr)
		return -EOPNOTSUPP;
	return u->ops->setxattr(u, name, value, size, flags);
}

ssize_t ovl_listxattr(struct inode *inode, char *buf, size_t size, bool trusted)
{
	struct inode *u = ovl_upper(OVL_I(inode));
	if (!u || !u->ops->listxattr)
		return 0;
	return u->ops->listxattr(u, buf, size, trusted);
}

static void ovl_evict_inode(struct inode *inode)
{
	struct ovl_inode *oi = OVL_I(inode);

	inode_put(oi->upper);
	inode_put(oi->lower);
	if (oi->parent)
		inode_put(&oi->parent->vfs);
	free(oi->name);
	free(oi);
}

static int ovl_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct super_block *upper = OVL_SB(sb)->upper_sb;
	return upper->ops->statfs ? upper->ops->statfs(upper, st) : 0;
}

static void ovl_put_super(struct super_block *sb)
{
	struct ovl_sb *osb = OVL_SB(sb);

	ovl_origins_free(osb);
	sb_put(osb->upper_sb);
	sb_put(osb->lower_sb);
	pthread_mutex_destroy(&osb->lock);
	pthread_mutex_destroy(&osb->origins_lock);
	free(osb);
}

static const struct super_ops ovl_super_ops = {
	.evict_inode = ovl_evict_inode,
	.statfs = ovl_statfs,
	.put_super = ovl_put_super,
};

const struct inode_ops ovl_iops = {
	.getattr = ovl_getattr,
	.setattr = ovl_setattr,
	.readlink = ovl_readlink,
	.open = ovl_open,
	.getxattr = ovl_getxattr,
	.setxattr = ovl_setxattr,
	.listxattr = ovl_listxattr,
};

struct super_block *overlay_new(struct kernel *k, struct super_block *upper,
				struct super_block *lower)
{
	struct ovl_sb *osb = xzalloc(sizeof(*osb));
	sb_init(&osb->sb, k, &ovl_super_ops, "overlay", OVERLAYFS_SUPER_MAGIC);
	osb->upper_sb = upper;
	osb->lower_sb = lower;
	pthread_mutex_init(&osb->lock, NULL);
	pthread_mutex_init(&osb->origins_lock, NULL);
	RB_INIT(&osb->origins);
	struct ovl_inode *root = ovl_inode_new(&osb->sb, inode_get(upper->root),
					       inode_get(lower->root), NULL, NULL);
	osb->sb.root = &root->vfs;
	return &osb->sb;
}
