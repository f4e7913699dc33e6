/* Anonymous inodes: one internal super block per kind of file ("eventfd",
 * "[eventpoll]"...), made on first use and never freed, so fstat shows
 * each kind on its own device and /proc/pid/fd names it by the super
 * block's fs_name. Linux shares one inode between all such files; here
 * each file gets its own, which only changes st_ino. */
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/anon_inode.h"
#include "cvisor/creds.h"
#include "cvisor/vfs.h"

struct anon_sb {
	struct anon_sb *next;
	struct super_block sb;
};

static pthread_mutex_t anon_lock = PTHREAD_MUTEX_INITIALIZER;
static struct anon_sb *anon_sbs;	/* [anon_lock] */

static void anon_evict_inode(struct inode *inode)
{
	free(inode);
}

/* Never reached: the super blocks live as long as the sentry. */
static void anon_put_super(struct super_block *sb)
{
}

static const struct super_ops anon_super_ops = {
	.evict_inode = anon_evict_inode,
	.put_super = anon_put_super,
};

static const struct inode_ops anon_iops;

static struct super_block *anon_sb_get(const char *name)
{
	struct anon_sb *a;
	pthread_mutex_lock(&anon_lock);
	for (a = anon_sbs; a; a = a->next)
		if (!strcmp(a->sb.fs_name, name))
			break;
	if (!a) {
		a = xzalloc(sizeof(*a));
		sb_init(&a->sb, NULL, &anon_super_ops, name, ANON_INODE_FS_MAGIC);
		a->next = anon_sbs;
		anon_sbs = a;
	}
	pthread_mutex_unlock(&anon_lock);
	return &a->sb;
}

struct file *anon_inode_file(const char *name, const struct file_ops *ops, size_t size,
			     int flags, const struct creds *cr)
{
	struct inode *inode = xzalloc(sizeof(*inode));
	inode_init(inode, anon_sb_get(name), &anon_iops, ops, 0600);
	inode->uid = cr ? cr->fsuid : 0;
	inode->gid = cr ? cr->fsgid : 0;
	struct file *f = file_alloc(size, ops, inode);
	inode_put(inode);
	f->fmode = FMODE_READ | FMODE_WRITE;
	f->flags = O_RDWR | (flags & O_NONBLOCK);
	return f;
}
