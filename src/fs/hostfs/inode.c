/* hostfs: the container's root directory from the host, read-only. The
 * sentry keeps an O_PATH fd per inode and reaches children only by
 * openat2 of a single component beneath their parent (RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS), so no name the
 * application controls can lead outside the root: symlinks are read with
 * readlinkat and resolved by the sentry's own walk. */
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cvisor/fs.h"
#include "hostfs.h"

static const struct inode_ops hostfs_iops;
static const struct super_ops hostfs_super_ops;

int hostfs_openat(int dirfd, const char *name, int flags)
{
	if (!name[0] || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EINVAL;
	struct open_how how = {
		.flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

static void fill_attrs(struct hostfs_inode *hi, const struct stat *st)
{
	struct hostfs_sb *hsb = container_of(hi->vfs.sb, struct hostfs_sb, sb);
	struct inode *inode = &hi->vfs;

	/* Inode numbers of host submounts could collide with the root's:
	 * their device number is mixed in. */
	inode->ino = st->st_ino;
	if (st->st_dev != hsb->root_dev)
		inode->ino ^= (uint64_t)st->st_dev << 40;
	inode->mode = st->st_mode;
	inode->nlink = (uint32_t)st->st_nlink;
	inode->uid = st->st_uid;
	inode->gid = st->st_gid;
	inode->rdev = st->st_rdev;
	inode->size = st->st_size;
	inode->blocks = st->st_blocks;
	inode->atime = st->st_atim;
	inode->mtime = st->st_mtim;
	inode->ctime = st->st_ctim;
	inode->btime = st->st_mtim;
	hi->host_dev = st->st_dev;
	hi->host_ino = st->st_ino;
}

static struct hostfs_inode *hostfs_inode_new(struct super_block *sb, int fd,
					     struct hostfs_inode *parent, const char *name,
					     const struct stat *st)
{
	struct hostfs_inode *hi = xzalloc(sizeof(*hi));
	const struct file_ops *fops = S_ISDIR(st->st_mode) ? &hostfs_dir_fops
				    : S_ISREG(st->st_mode) ? &hostfs_file_fops : NULL;
	inode_init(&hi->vfs, sb, &hostfs_iops, fops, st->st_mode);
	hi->fd = fd;
	hi->parent = parent;
	if (parent)
		inode_get(&parent->vfs);
	hi->name = name ? xstrdup(name) : NULL;
	fill_attrs(hi, st);
	return hi;
}

static struct inode *hostfs_lookup(struct inode *dir, const char *name)
{
	struct hostfs_inode *hdir = HOSTFS_I(dir);
	struct stat st;

	int fd = hostfs_openat(hdir->fd, name, O_PATH);
	if (fd < 0)
		return ERR_PTR(fd == -ENOTDIR ? -ENOENT : fd);
	if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		int err = -errno;
		close(fd);
		return ERR_PTR(err);
	}
	return &hostfs_inode_new(dir->sb, fd, hdir, name, &st)->vfs;
}

static int hostfs_readlink(struct inode *inode, char *buf, size_t size)
{
	ssize_t n = readlinkat(HOSTFS_I(inode)->fd, "", buf, size);
	return n < 0 ? -errno : (int)n;
}

static void hostfs_evict_inode(struct inode *inode)
{
	struct hostfs_inode *hi = HOSTFS_I(inode);

	close(hi->fd);
	if (hi->parent)
		inode_put(&hi->parent->vfs);
	free(hi->name);
	free(hi);
}

static int hostfs_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct statfs hst;

	if (fstatfs(HOSTFS_I(sb->root)->fd, &hst) < 0)
		return -errno;
	st->type = (uint64_t)hst.f_type;
	st->bsize = (uint64_t)hst.f_bsize;
	st->frsize = (uint64_t)hst.f_frsize;
	st->blocks = hst.f_blocks;
	st->bfree = hst.f_bfree;
	st->bavail = hst.f_bavail;
	st->files = hst.f_files;
	st->ffree = hst.f_ffree;
	return 0;
}

static void hostfs_put_super(struct super_block *sb)
{
	free(container_of(sb, struct hostfs_sb, sb));
}

/* Read-only: the creating, removing and renaming slots stay NULL and the
 * VFS refuses every change with EROFS before reaching them (SB_RDONLY). */
static const struct inode_ops hostfs_iops = {
	.lookup = hostfs_lookup,
	.readlink = hostfs_readlink,
	.open = hostfs_open,
};

static const struct super_ops hostfs_super_ops = {
	.evict_inode = hostfs_evict_inode,
	.statfs = hostfs_statfs,
	.put_super = hostfs_put_super,
};

struct super_block *hostfs_new(struct kernel *k, int dirfd)
{
	struct stat st;

	if (fstatat(dirfd, "", &st, AT_EMPTY_PATH) < 0) {
		int err = -errno;
		close(dirfd);
		return ERR_PTR(err);
	}
	if (!S_ISDIR(st.st_mode)) {
		close(dirfd);
		return ERR_PTR(-ENOTDIR);
	}
	struct hostfs_sb *hsb = xzalloc(sizeof(*hsb));
	sb_init(&hsb->sb, k, &hostfs_super_ops, "hostfs", 0);
	hsb->sb.flags = SB_RDONLY;
	hsb->root_dev = st.st_dev;
	hsb->sb.root = &hostfs_inode_new(&hsb->sb, dirfd, NULL, NULL, &st)->vfs;
	return &hsb->sb;
}
