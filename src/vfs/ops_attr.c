/* Attributes by path: stat, chmod/chown/utimes/truncate with Linux's
 * permission rules (setattr_prepare, chown_ok), statfs and readlink. */
#include <linux/capability.h>
#include <sys/statvfs.h>

#include "cvisor/creds.h"
#include "cvisor/fsnotify.h"
#include "vfs_internal.h"

int vfs_getattr(const struct path *p, struct kstat *st)
{
	int err = vfs_getattr_inode(d_inode(p->dentry), st);
	if (!err)
		st->mnt_id = (uint64_t)p->mnt->id;
	return err;
}

int file_getattr(struct file *f, struct kstat *st)
{
	if (f->path.dentry)
		return vfs_getattr(&f->path, st);
	return vfs_getattr_inode(f->inode, st);
}

int inode_setattr(struct inode *inode, const struct iattr *ia)
{
	pthread_mutex_lock(&inode->lock);
	int err = inode->ops->setattr ? inode->ops->setattr(inode, ia) : generic_setattr(inode, ia);
	pthread_mutex_unlock(&inode->lock);
	return err;
}

/* Linux's setattr_prepare: who may change what. */
static int setattr_prepare(struct inode *inode, struct iattr *ia, const struct creds *cr)
{
	if (!cr)
		return 0;
	if (ia->valid & ATTR_UID) {
		/* Only CAP_CHOWN changes the owner (to anything else). */
		if (ia->uid != inode->uid && !creds_has_cap(cr, CAP_CHOWN))
			return -EPERM;
		if (ia->uid == inode->uid && cr->fsuid != inode->uid &&
		    !creds_has_cap(cr, CAP_CHOWN))
			return -EPERM;
	}
	if (ia->valid & ATTR_GID) {
		/* The owner may pick one of its groups. */
		bool own = cr->fsuid == inode->uid &&
			   (ia->gid == inode->gid || creds_in_group(cr, ia->gid));
		if (!own && !creds_has_cap(cr, CAP_CHOWN))
			return -EPERM;
	}
	if (ia->valid & ATTR_MODE) {
		if (!inode_owner_or_capable(cr, inode))
			return -EPERM;
		gid_t gid = (ia->valid & ATTR_GID) ? ia->gid : inode->gid;
		if (!creds_in_group(cr, gid) && !creds_has_cap(cr, CAP_FSETID))
			ia->mode &= ~S_ISGID;
	}
	if (ia->valid & (ATTR_ATIME | ATTR_MTIME)) {
		if (ia->valid & ATTR_TIMES_SET) {
			if (!inode_owner_or_capable(cr, inode))
				return -EPERM;
		} else if (!inode_owner_or_capable(cr, inode) &&
			   inode_permission(cr, inode, MAY_WRITE)) {
			return -EACCES;
		}
	}
	return 0;
}

int vfs_setattr(const struct path *p, struct iattr *ia, const struct creds *cr)
{
	struct inode *inode = d_inode(p->dentry);
	int err = path_want_write(p);
	if (err)
		return err;
	pthread_mutex_lock(&inode->lock);
	err = setattr_prepare(inode, ia, cr);
	if (!err && (ia->valid & (ATTR_UID | ATTR_GID)) && !S_ISDIR(inode->mode)) {
		/* A chown drops set-id bits (set-group-id only with group x). */
		mode_t mode = (ia->valid & ATTR_MODE) ? ia->mode : inode->mode;
		mode_t kill = S_ISUID | ((mode & S_IXGRP) ? S_ISGID : 0);
		if (mode & kill) {
			ia->mode = mode & ~kill;
			ia->valid |= ATTR_MODE;
		}
	}
	if (!err) {
		ia->valid |= ATTR_CTIME;
		ia->ctime = vfs_now(inode->sb);
		err = inode->ops->setattr ? inode->ops->setattr(inode, ia)
					  : generic_setattr(inode, ia);
	}
	pthread_mutex_unlock(&inode->lock);
	if (!err)
		fsnotify_change(p->dentry, inode, ia->valid);
	return err;
}

int vfs_truncate(const struct path *p, int64_t size, const struct creds *cr)
{
	struct inode *inode = d_inode(p->dentry);

	if (S_ISDIR(inode->mode))
		return -EISDIR;
	if (!S_ISREG(inode->mode))
		return -EINVAL;
	if (size < 0)
		return -EINVAL;
	int err = inode_permission(cr, inode, MAY_WRITE);
	if (err)
		return err;
	err = path_want_write(p);
	if (err)
		return err;
	struct iattr ia = { .valid = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME, .size = size };
	ia.mtime = ia.ctime = vfs_now(inode->sb);
	err = inode_setattr(inode, &ia);
	if (!err)
		fsnotify_change(p->dentry, inode, ia.valid);
	return err;
}

int vfs_statfs(const struct path *p, struct kstatfs *st)
{
	struct super_block *sb = p->dentry->sb;

	*st = (struct kstatfs){ .type = sb->magic, .bsize = PAGE_SIZE, .frsize = PAGE_SIZE,
				.namelen = VFS_NAME_MAX, .fsid = sb->dev };
	if (sb->ops->statfs) {
		int err = sb->ops->statfs(sb, st);
		if (err)
			return err;
	}
	/* f_flags: the mount's ST_* flags plus ST_VALID (0x20, from the
	 * kernel-internal linux/statfs.h; no uapi or libc header has it). */
	st->flags |= 0x20;
	if ((p->mnt->flags & MNT_READONLY) || (sb->flags & SB_RDONLY))
		st->flags |= ST_RDONLY;
	if (p->mnt->flags & MNT_NOSUID)
		st->flags |= ST_NOSUID;
	if (p->mnt->flags & MNT_NODEV)
		st->flags |= ST_NODEV;
	if (p->mnt->flags & MNT_NOEXEC)
		st->flags |= ST_NOEXEC;
	return 0;
}

int vfs_readlink(const struct walk_base *wb, const char *name, char *buf, size_t size)
{
	struct path p;
	int err = vfs_lookup(wb, name, wb->at ? LOOKUP_EMPTY : 0, &p);
	if (err)
		return err;
	err = vfs_readlink_inode(d_inode(p.dentry), buf, size);
	path_put(&p);
	return err;
}
