/* The path walk: component by component over the dentry cache, in the
 * walker's root, crossing mounts, following symlinks itself (at most
 * VFS_MAX_SYMLINKS per walk), with search permission checked on every
 * directory passed through. */
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>

#include "vfs_internal.h"

/* A cached child of DIR that its filesystem still vouches for. */
static struct dentry *lookup_valid_cached(struct dentry *dir, const char *name)
{
	struct dentry *d = d_lookup_cached(dir, name);
	if (!d)
		return NULL;
	struct inode *inode = d_inode(dir);
	if (inode->ops->revalidate && !inode->ops->revalidate(inode, name, d_inode(d))) {
		dput(d);
		return NULL;
	}
	return d;
}

struct dentry *lookup_one_locked(struct dentry *dir, const char *name)
{
	struct dentry *d = lookup_valid_cached(dir, name);
	if (d)
		return d;
	/* A removed directory has no names, and gets none (IS_DEADDIR). */
	if (d_unhashed(dir))
		return ERR_PTR(-ENOENT);
	struct inode *inode = d_inode(dir);
	struct inode *child = inode->ops->lookup ? inode->ops->lookup(inode, name)
						 : ERR_PTR(-ENOENT);
	if (IS_ERR(child)) {
		if (PTR_ERR(child) != -ENOENT)
			return (struct dentry *)child;
		child = NULL;
	}
	return d_add(dir, name, child);
}

struct dentry *lookup_one(struct dentry *dir, const char *name)
{
	struct dentry *d = lookup_valid_cached(dir, name);
	if (d)
		return d;
	struct inode *inode = d_inode(dir);
	pthread_mutex_lock(&inode->lock);
	d = lookup_one_locked(dir, name);
	pthread_mutex_unlock(&inode->lock);
	return d;
}

void follow_mounts(struct path *p)
{
	struct mount *m;

	while ((m = lookup_mnt(p->mnt, p->dentry))) {
		dput(p->dentry);
		mntput(p->mnt);
		p->mnt = m;
		p->dentry = dget(m->root);
	}
}

/* Walks scoped to their start directory (openat2). */
#define RESOLVE_SCOPED (RESOLVE_BENEATH | RESOLVE_IN_ROOT)

void nd_init(struct nameidata *nd, const struct walk_base *wb, const char *name)
{
	if ((wb->resolve & RESOLVE_SCOPED) && wb->at) {
		nd->root = *wb->at;
		path_get(&nd->root);
	} else if (wb->resolve & RESOLVE_SCOPED) {
		fs_context_cwd(wb->fs, &nd->root);
	} else {
		fs_context_root(wb->fs, &nd->root);
	}
	nd->cr = wb->cr;
	nd->nlinks = 0;
	nd->resolve = wb->resolve;
	if (name[0] == '/') {
		nd->cur = nd->root;
		path_get(&nd->cur);
	} else if (wb->at) {
		nd->cur = *wb->at;
		path_get(&nd->cur);
	} else {
		fs_context_cwd(wb->fs, &nd->cur);
	}
}

void nd_done(struct nameidata *nd)
{
	path_put(&nd->root);
	path_put(&nd->cur);
}

/* One step from nd->cur into NAME; a reference to the result in NEXT. */
static int lookup_step(struct nameidata *nd, const char *name, struct path *next)
{
	struct inode *dir = d_inode(nd->cur.dentry);

	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	int err = inode_permission(nd->cr, dir, MAY_EXEC);
	if (err)
		return err;
	*next = nd->cur;
	path_get(next);
	if (strcmp(name, ".") == 0)
		return 0;
	if (strcmp(name, "..") == 0) {
		/* RESOLVE_BENEATH: no way out of the start directory. */
		if ((nd->resolve & RESOLVE_BENEATH) && path_equal(&nd->cur, &nd->root)) {
			path_put(next);
			return -EXDEV;
		}
		follow_dotdot(next, &nd->root);
		if ((nd->resolve & RESOLVE_NO_XDEV) && next->mnt != nd->cur.mnt) {
			path_put(next);
			return -EXDEV;
		}
		return 0;
	}
	struct dentry *d = lookup_one(nd->cur.dentry, name);
	if (IS_ERR(d)) {
		path_put(next);
		return (int)PTR_ERR(d);
	}
	dput(next->dentry);
	next->dentry = d;
	if (!d_inode(d)) {
		path_put(next);
		return -ENOENT;
	}
	follow_mounts(next);
	if ((nd->resolve & RESOLVE_NO_XDEV) && next->mnt != nd->cur.mnt) {
		path_put(next);
		return -EXDEV;
	}
	return 0;
}

int nd_get_link(struct nameidata *nd, struct inode *inode, char **target)
{
	if (nd->resolve & RESOLVE_NO_SYMLINKS)
		return -ELOOP;
	if (++nd->nlinks > VFS_MAX_SYMLINKS)
		return -ELOOP;
	char *buf = xmalloc(VFS_PATH_MAX);
	int n = vfs_readlink_inode(inode, buf, VFS_PATH_MAX - 1);
	if (n <= 0) {
		free(buf);
		return n < 0 ? n : -ENOENT;	/* an empty target names nothing */
	}
	buf[n] = '\0';
	/* An absolute target leaves a RESOLVE_BENEATH walk, and under
	 * RESOLVE_NO_XDEV may not jump to the root's mount (nd_jump_root). */
	if (buf[0] == '/' && ((nd->resolve & RESOLVE_BENEATH) ||
			      ((nd->resolve & RESOLVE_NO_XDEV) && nd->cur.mnt != nd->root.mnt))) {
		free(buf);
		return -EXDEV;
	}
	*target = buf;
	return 0;
}

int nd_walk(struct nameidata *nd, const char *s, bool follow_last, struct last_component *last)
{
	char name[VFS_NAME_MAX + 1];

	if (*s == '/') {
		if (nd->resolve & RESOLVE_BENEATH)
			return -EXDEV;
		path_put(&nd->cur);
		nd->cur = nd->root;
		path_get(&nd->cur);
		while (*s == '/')
			s++;
	}
	if (*s == '\0') {
		/* The walk ended at the root or at its start. */
		if (last) {
			last->type = LAST_ROOT;
			last->name[0] = '\0';
			last->trailing_slash = false;
		}
		return 0;
	}
	for (;;) {
		const char *end = strchrnul(s, '/');
		size_t len = (size_t)(end - s);
		if (len > VFS_NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(name, s, len);
		name[len] = '\0';
		const char *rest = end;
		while (*rest == '/')
			rest++;
		bool is_last = *rest == '\0';
		bool trailing = *end == '/';

		if (is_last && last) {
			if (!S_ISDIR(d_inode(nd->cur.dentry)->mode))
				return -ENOTDIR;
			memcpy(last->name, name, len + 1);
			last->type = strcmp(name, ".") == 0 ? LAST_DOT
				   : strcmp(name, "..") == 0 ? LAST_DOTDOT : LAST_NORM;
			last->trailing_slash = trailing;
			return 0;
		}
		struct path next;
		int err = lookup_step(nd, name, &next);
		if (err)
			return err;
		struct inode *inode = d_inode(next.dentry);
		if (S_ISLNK(inode->mode) && (!is_last || follow_last || trailing) &&
		    inode->ops->get_link_path) {
			/* A magic link: jump to the path it stands for. */
			struct path target;
			/* nd_jump_link's restrictions. */
			if (nd->resolve & (RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS))
				err = -ELOOP;
			else if (++nd->nlinks > VFS_MAX_SYMLINKS)
				err = -ELOOP;
			else
				err = inode->ops->get_link_path(inode, &target);
			path_put(&next);
			if (err)
				return err;
			if (((nd->resolve & RESOLVE_NO_XDEV) && target.mnt != nd->cur.mnt) ||
			    (nd->resolve & RESOLVE_SCOPED)) {
				path_put(&target);
				return -EXDEV;
			}
			path_put(&nd->cur);
			nd->cur = target;
		} else if (S_ISLNK(inode->mode) && (!is_last || follow_last || trailing)) {
			char *target;
			err = nd_get_link(nd, inode, &target);
			path_put(&next);
			if (err)
				return err;
			/* The target is resolved from the link's directory. */
			err = nd_walk(nd, target, true, NULL);
			free(target);
			if (err)
				return err;
		} else {
			path_put(&nd->cur);
			nd->cur = next;
		}
		if (is_last) {
			if (trailing && !S_ISDIR(d_inode(nd->cur.dentry)->mode))
				return -ENOTDIR;
			return 0;
		}
		if (!S_ISDIR(d_inode(nd->cur.dentry)->mode))
			return -ENOTDIR;
		s = rest;
	}
}

int vfs_lookup(const struct walk_base *wb, const char *name, unsigned flags, struct path *out)
{
	struct nameidata nd;

	if (name[0] == '\0' && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	nd_init(&nd, wb, name);
	int err = nd_walk(&nd, name, flags & LOOKUP_FOLLOW, NULL);
	if (!err && (flags & LOOKUP_DIRECTORY) && !S_ISDIR(d_inode(nd.cur.dentry)->mode))
		err = -ENOTDIR;
	if (!err) {
		*out = nd.cur;
		nd.cur = (struct path){ 0 };
	}
	nd_done(&nd);
	return err;
}

int vfs_lookup_parent(const struct walk_base *wb, const char *name, unsigned flags,
		      struct path *parent, struct last_component *last)
{
	struct nameidata nd;

	if (name[0] == '\0')
		return -ENOENT;
	nd_init(&nd, wb, name);
	int err = nd_walk(&nd, name, false, last);
	if (!err) {
		*parent = nd.cur;
		nd.cur = (struct path){ 0 };
	}
	nd_done(&nd);
	return err;
}
