/* tmpfs directories: names in a tree, readdir offsets from a per-directory
 * counter so they stay valid while entries come and go. The VFS holds the
 * directory's lock across every operation here. */
#include <dirent.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>

#include "tmpfs.h"

/* Linux's BOGO_DIRENT_SIZE: a directory's st_size counts entries. */
#define TMPFS_DIRENT_SIZE 20

static int name_cmp(struct tmpfs_dirent *a, struct tmpfs_dirent *b)
{
	return strcmp(a->name, b->name);
}

static int cookie_cmp(struct tmpfs_dirent *a, struct tmpfs_dirent *b)
{
	return a->cookie < b->cookie ? -1 : a->cookie > b->cookie;
}

RB_GENERATE_STATIC_UNUSED(tmpfs_names, tmpfs_dirent, by_name, name_cmp)
RB_GENERATE_STATIC_UNUSED(tmpfs_cookies, tmpfs_dirent, by_cookie, cookie_cmp)

static struct tmpfs_dirent *dir_find(struct tmpfs_inode *dir, const char *name)
{
	struct tmpfs_dirent key = { .name = (char *)name };
	return RB_FIND(tmpfs_names, &dir->dir.names, &key);
}

static void dir_insert(struct tmpfs_inode *dir, struct tmpfs_dirent *de)
{
	de->cookie = dir->dir.next_cookie++;
	RB_INSERT(tmpfs_names, &dir->dir.names, de);
	RB_INSERT(tmpfs_cookies, &dir->dir.cookies, de);
	dir->dir.nentries++;
	dir->vfs.size = (int64_t)(dir->dir.nentries + 2) * TMPFS_DIRENT_SIZE;
	inode_touch(&dir->vfs, true, true);
}

static void dir_remove(struct tmpfs_inode *dir, struct tmpfs_dirent *de)
{
	RB_REMOVE(tmpfs_names, &dir->dir.names, de);
	RB_REMOVE(tmpfs_cookies, &dir->dir.cookies, de);
	dir->dir.nentries--;
	dir->vfs.size = (int64_t)(dir->dir.nentries + 2) * TMPFS_DIRENT_SIZE;
	inode_touch(&dir->vfs, true, true);
}

static void dir_add(struct tmpfs_inode *dir, const char *name, struct inode *inode)
{
	struct tmpfs_dirent *de = xzalloc(sizeof(*de));
	de->name = xstrdup(name);
	de->inode = inode_get(inode);
	dir_insert(dir, de);
}

static void dirent_free(struct tmpfs_dirent *de)
{
	inode_put(de->inode);
	free(de->name);
	free(de);
}

void tmpfs_dir_release(struct tmpfs_inode *ti)
{
	struct tmpfs_dirent *de, *next;

	RB_FOREACH_SAFE(de, tmpfs_names, &ti->dir.names, next) {
		RB_REMOVE(tmpfs_names, &ti->dir.names, de);
		dirent_free(de);
	}
}

static struct inode *tmpfs_lookup(struct inode *dir, const char *name)
{
	struct tmpfs_dirent *de = dir_find(TMPFS_I(dir), name);
	return de ? inode_get(de->inode) : ERR_PTR(-ENOENT);
}

static int tmpfs_mknod(struct inode *dir, const char *name, mode_t mode, dev_t rdev,
		       const struct creds *cr, struct inode **out)
{
	struct tmpfs_inode *ti = tmpfs_new_inode(dir->sb, dir, mode, cr);
	ti->vfs.rdev = rdev;
	dir_add(TMPFS_I(dir), name, &ti->vfs);
	*out = &ti->vfs;
	return 0;
}

static int tmpfs_create(struct inode *dir, const char *name, mode_t mode,
			const struct creds *cr, struct inode **out)
{
	return tmpfs_mknod(dir, name, mode, 0, cr, out);
}

static int tmpfs_mkdir(struct inode *dir, const char *name, mode_t mode,
		       const struct creds *cr, struct inode **out)
{
	int err = tmpfs_mknod(dir, name, mode, 0, cr, out);
	if (!err)
		dir->nlink++;	/* the new directory's ".." */
	return err;
}

static int tmpfs_symlink(struct inode *dir, const char *name, const char *target,
			 const struct creds *cr, struct inode **out)
{
	struct tmpfs_inode *ti = tmpfs_new_inode(dir->sb, dir, S_IFLNK | 0777, cr);
	ti->target = xstrdup(target);
	ti->vfs.size = (int64_t)strlen(target);
	dir_add(TMPFS_I(dir), name, &ti->vfs);
	*out = &ti->vfs;
	return 0;
}

static int tmpfs_link(struct inode *old, struct inode *dir, const char *name)
{
	pthread_mutex_lock(&old->lock);
	old->nlink++;
	inode_touch(old, false, true);
	pthread_mutex_unlock(&old->lock);
	dir_add(TMPFS_I(dir), name, old);
	return 0;
}

static int tmpfs_unlink(struct inode *dir, const char *name, struct inode *victim)
{
	struct tmpfs_dirent *de = dir_find(TMPFS_I(dir), name);
	if (!de)
		return -ENOENT;
	dir_remove(TMPFS_I(dir), de);
	victim->nlink--;
	inode_touch(victim, false, true);
	dirent_free(de);
	return 0;
}

static int tmpfs_rmdir(struct inode *dir, const char *name, struct inode *victim)
{
	if (TMPFS_I(victim)->dir.nentries)
		return -ENOTEMPTY;
	struct tmpfs_dirent *de = dir_find(TMPFS_I(dir), name);
	if (!de)
		return -ENOENT;
	dir_remove(TMPFS_I(dir), de);
	victim->nlink = 0;
	dir->nlink--;
	dirent_free(de);
	return 0;
}

/* A directory changes parent: nlink of the parents and its "..". */
static void reparent(struct inode *child, struct inode *from, struct inode *to)
{
	if (!S_ISDIR(child->mode) || from == to)
		return;
	from->nlink--;
	to->nlink++;
	TMPFS_I(child)->dir.parent = TMPFS_I(to);
}

static int tmpfs_rename(struct inode *odir, const char *oname, struct inode *src_inode,
			struct inode *ndir, const char *nname, struct inode *dst_inode,
			unsigned flags)
{
	struct tmpfs_inode *od = TMPFS_I(odir), *nd = TMPFS_I(ndir);
	struct tmpfs_dirent *src = dir_find(od, oname), *dst = dir_find(nd, nname);

	if (!src)
		return -ENOENT;
	if (flags & RENAME_EXCHANGE) {
		if (!dst)
			return -ENOENT;
		struct inode *a = src->inode, *b = dst->inode;
		src->inode = b;
		dst->inode = a;
		reparent(a, odir, ndir);
		reparent(b, ndir, odir);
		inode_touch(a, false, true);
		inode_touch(b, false, true);
		inode_touch(odir, true, true);
		inode_touch(ndir, true, true);
		return 0;
	}
	if (dst) {
		struct inode *victim = dst->inode;
		if (S_ISDIR(victim->mode)) {
			if (TMPFS_I(victim)->dir.nentries)
				return -ENOTEMPTY;
			victim->nlink = 0;
			ndir->nlink--;
		} else {
			victim->nlink--;
		}
		inode_touch(victim, false, true);
		dir_remove(nd, dst);
		dirent_free(dst);
	}
	dir_remove(od, src);
	char *name = xstrdup(nname);
	free(src->name);
	src->name = name;
	dir_insert(nd, src);
	reparent(src->inode, odir, ndir);
	inode_touch(src->inode, false, true);
	return 0;
}

static int tmpfs_readlink(struct inode *inode, char *buf, size_t size)
{
	const char *target = TMPFS_I(inode)->target;
	size_t len = MIN(strlen(target), size);
	memcpy(buf, target, len);
	return (int)len;
}

static int tmpfs_iterate(struct file *f, struct dir_context *ctx)
{
	struct tmpfs_inode *dir = TMPFS_I(f->inode);

	if (!dir_emit_dots(f, ctx, dir->dir.parent->vfs.ino))
		return 0;
	struct tmpfs_dirent key = { .cookie = (uint64_t)ctx->pos };
	for (struct tmpfs_dirent *de = RB_NFIND(tmpfs_cookies, &dir->dir.cookies, &key); de;
	     de = RB_NEXT(tmpfs_cookies, &dir->dir.cookies, de)) {
		struct inode *inode = de->inode;
		if (!ctx->emit(ctx, de->name, strlen(de->name), inode->ino,
			       IFTODT(inode->mode), (int64_t)de->cookie + 1))
			break;
		ctx->pos = (int64_t)de->cookie + 1;
	}
	return 0;
}

static int tmpfs_dir_fsync(struct file *f)
{
	return 0;	/* nothing below memory to flush */
}

static int tmpfs_tmpfile(struct inode *dir, mode_t mode, const struct creds *cr,
			 struct inode **out)
{
	struct tmpfs_inode *ti = tmpfs_new_inode(dir->sb, dir, mode, cr);
	ti->vfs.nlink = 0;
	*out = &ti->vfs;
	return 0;
}

const struct inode_ops tmpfs_dir_iops = {
	.tmpfile = tmpfs_tmpfile,
	.lookup = tmpfs_lookup,
	.create = tmpfs_create,
	.mkdir = tmpfs_mkdir,
	.mknod = tmpfs_mknod,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	TMPFS_XATTR_OPS,
};

const struct inode_ops tmpfs_symlink_iops = {
	.readlink = tmpfs_readlink,
	TMPFS_XATTR_OPS,
};

/* Devices, fifos and sockets: every slot's default but xattrs. */
const struct inode_ops tmpfs_special_iops = {
	TMPFS_XATTR_OPS,
};

const struct file_ops tmpfs_dir_fops = {
	.read = generic_read_dir,
	.llseek = generic_dir_llseek,
	.iterate_dir = tmpfs_iterate,
	.fsync = tmpfs_dir_fsync,
};
