/* Anonymous files (Linux's fs/anon_inodes.c): timerfds and the like live
 * on inodes of an internal filesystem nobody mounts, and /proc/pid/fd
 * calls them "anon_inode:[name]". */
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>

#include "cvisor/creds.h"
#include "cvisor/vfs.h"

struct anon_inode {
	struct inode vfs;
	const char *name;
};

static void anon_evict_inode(struct inode *inode)
{
	free(container_of(inode, struct anon_inode, vfs));
}

/* Never reached: the super block is static and never put to zero. */
static void anon_put_super(struct super_block *sb)
{
}

static int anon_dname(struct inode *inode, char *buf, size_t size)
{
	const char *name = container_of(inode, struct anon_inode, vfs)->name;
	int n = snprintf(buf, size, "anon_inode:[%s]", name);
	return n < (int)size ? n : -ENAMETOOLONG;
}

static const struct super_ops anon_super_ops = {
	.evict_inode = anon_evict_inode,
	.put_super = anon_put_super,
	.dname = anon_dname,
};

/* Every slot has its default: attributes come from the inode fields. */
static const struct inode_ops anon_iops;

static struct super_block anon_sb;
static pthread_once_t anon_once = PTHREAD_ONCE_INIT;

static void anon_sb_init(void)
{
	sb_init(&anon_sb, NULL, &anon_super_ops, "anon_inodefs", ANON_INODE_FS_MAGIC);
}

struct file *anon_inode_file(const char *name, size_t size, const struct file_ops *ops,
			     const struct creds *cr, int flags)
{
	pthread_once(&anon_once, anon_sb_init);
	struct anon_inode *ai = xzalloc(sizeof(*ai));
	ai->name = name;
	/* Linux's anonymous inode: mode 0600 and no file type. */
	inode_init(&ai->vfs, &anon_sb, &anon_iops, ops, S_IRUSR | S_IWUSR);
	ai->vfs.uid = cr ? cr->fsuid : 0;
	ai->vfs.gid = cr ? cr->fsgid : 0;

	struct file *f = file_alloc(size, ops, &ai->vfs);
	inode_put(&ai->vfs);
	int acc = flags & O_ACCMODE;
	f->fmode = (acc == O_RDONLY || acc == O_RDWR ? FMODE_READ : 0) |
		   (acc == O_WRONLY || acc == O_RDWR ? FMODE_WRITE : 0);
	f->flags = flags & (O_ACCMODE | O_NONBLOCK);
	return f;
}
