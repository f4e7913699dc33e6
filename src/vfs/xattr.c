/* Extended attributes: the VFS's checks (Linux's fs/xattr.c: namespaces,
 * permissions, sizes) and simple_xattrs, the in-memory store tmpfs keeps
 * (Linux's simple_xattr_*). Filesystems without xattr ops support none
 * (-EOPNOTSUPP), as procfs. */
#include <linux/capability.h>
#include <linux/xattr.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/fsnotify.h"
#include "vfs_internal.h"

struct simple_xattr {
	TAILQ_ENTRY(simple_xattr) entry;
	char *name;
	size_t size;
	char value[];
};

void simple_xattrs_init(struct simple_xattrs *xs)
{
	TAILQ_INIT(&xs->head);
}

void simple_xattrs_free(struct simple_xattrs *xs)
{
	struct simple_xattr *x;
	while ((x = TAILQ_FIRST(&xs->head))) {
		TAILQ_REMOVE(&xs->head, x, entry);
		free(x->name);
		free(x);
	}
}

static struct simple_xattr *simple_xattr_find(struct simple_xattrs *xs, const char *name)
{
	struct simple_xattr *x;
	TAILQ_FOREACH(x, &xs->head, entry)
		if (!strcmp(x->name, name))
			return x;
	return NULL;
}

ssize_t simple_xattr_get(struct simple_xattrs *xs, const char *name, void *buf, size_t size)
{
	struct simple_xattr *x = simple_xattr_find(xs, name);
	if (!x)
		return -ENODATA;
	if (size) {
		if (size < x->size)
			return -ERANGE;
		memcpy(buf, x->value, x->size);
	}
	return (ssize_t)x->size;
}

int simple_xattr_set(struct simple_xattrs *xs, const char *name, const void *value, size_t size,
		     int flags)
{
	struct simple_xattr *old = simple_xattr_find(xs, name);
	if (old && (flags & XATTR_CREATE))
		return -EEXIST;
	if (!old && (flags & XATTR_REPLACE))
		return -ENODATA;
	if (!value) {
		if (!old)
			return -ENODATA;
		TAILQ_REMOVE(&xs->head, old, entry);
		free(old->name);
		free(old);
		return 0;
	}
	struct simple_xattr *x = xmalloc(sizeof(*x) + size);
	x->name = xstrdup(name);
	x->size = size;
	memcpy(x->value, value, size);
	if (old) {
		TAILQ_INSERT_AFTER(&xs->head, old, x, entry);
		TAILQ_REMOVE(&xs->head, old, entry);
		free(old->name);
		free(old);
	} else {
		TAILQ_INSERT_TAIL(&xs->head, x, entry);
	}
	return 0;
}

ssize_t simple_xattr_list(struct simple_xattrs *xs, char *buf, size_t size, bool trusted)
{
	struct simple_xattr *x;
	size_t total = 0;
	TAILQ_FOREACH(x, &xs->head, entry) {
		/* trusted.* is listed only to CAP_SYS_ADMIN. */
		if (!trusted && !strncmp(x->name, XATTR_TRUSTED_PREFIX, XATTR_TRUSTED_PREFIX_LEN))
			continue;
		size_t len = strlen(x->name) + 1;
		if (size) {
			if (total + len > size)
				return -ERANGE;
			memcpy(buf + total, x->name, len);
		}
		total += len;
	}
	return (ssize_t)total;
}

static bool has_prefix(const char *name, const char *prefix, size_t len)
{
	return !strncmp(name, prefix, len) && name[len];
}

/* Linux's xattr_permission for MASK (MAY_READ or MAY_WRITE) on NAME. */
static int xattr_permission(const struct creds *cr, struct inode *inode, const char *name,
			    int mask)
{
	if (has_prefix(name, XATTR_TRUSTED_PREFIX, XATTR_TRUSTED_PREFIX_LEN)) {
		if (!vfs_capable(cr, CAP_SYS_ADMIN))
			return mask == MAY_WRITE ? -EPERM : -ENODATA;
		return 0;
	}
	if (has_prefix(name, XATTR_SECURITY_PREFIX, XATTR_SECURITY_PREFIX_LEN)) {
		/* The capability LSM's rule for writes. */
		if (mask == MAY_WRITE && !vfs_capable(cr, CAP_SYS_ADMIN))
			return -EPERM;
		return 0;
	}
	if (has_prefix(name, XATTR_USER_PREFIX, XATTR_USER_PREFIX_LEN)) {
		/* user.* only on regular files and directories, and not on
		 * another's file in a sticky directory. */
		if (!S_ISREG(inode->mode) && !S_ISDIR(inode->mode))
			return mask == MAY_WRITE ? -EPERM : -ENODATA;
		if (S_ISDIR(inode->mode) && (inode->mode & S_ISVTX) && mask == MAY_WRITE &&
		    !inode_owner_or_capable(cr, inode))
			return -EPERM;
		return inode_permission(cr, inode, mask);
	}
	/* system.* (ACLs) and unknown namespaces are not supported. */
	return -EOPNOTSUPP;
}

ssize_t vfs_getxattr(const struct creds *cr, struct inode *inode, const char *name, void *buf,
		     size_t size)
{
	int err = xattr_permission(cr, inode, name, MAY_READ);
	if (err)
		return err;
	if (!inode->ops->getxattr)
		return -EOPNOTSUPP;
	return inode->ops->getxattr(inode, name, buf, size);
}

ssize_t vfs_listxattr(const struct creds *cr, struct inode *inode, char *buf, size_t size)
{
	/* No listxattr method: an empty list (vfs_listxattr). */
	if (!inode->ops->listxattr)
		return 0;
	return inode->ops->listxattr(inode, buf, size, vfs_capable(cr, CAP_SYS_ADMIN));
}

int vfs_setxattr(const struct creds *cr, const struct path *p, struct inode *inode,
		 const char *name, const void *value, size_t size, int flags)
{
	if (p && p->dentry) {
		int err = path_want_write(p);
		if (err)
			return err;
	}
	int err = xattr_permission(cr, inode, name, MAY_WRITE);
	if (err)
		return err;
	if (!inode->ops->setxattr)
		return -EOPNOTSUPP;
	err = inode->ops->setxattr(inode, name, value, size, flags);
	if (!err) {
		pthread_mutex_lock(&inode->lock);
		inode_touch(inode, false, true);
		pthread_mutex_unlock(&inode->lock);
		fsnotify_xattr(p ? p->dentry : NULL, inode);
	}
	return err;
}
