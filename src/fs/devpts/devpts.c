/* devpts: /dev/pts/N for each pseudo-terminal whose master is open, and
 * /dev/pts/ptmx; /dev/ptmx (devfs) opens the same device. Indexes are
 * the lowest free ones, reused once a pair is gone. The slaves are
 * owned by their creator and group tty (5), mode 0620, as Docker mounts
 * devpts (gid=5,mode=620). */
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sysmacros.h>

#include "cvisor/creds.h"
#include "cvisor/fs.h"
#include "cvisor/kernel.h"
#include "cvisor/kernfs.h"
#include "cvisor/task.h"
#include "devpts_internal.h"

#define TTY_GID 5

struct devpts {
	struct kernel *k;
	struct super_block *sb;
	struct inode *ptmx;		/* /dev/pts/ptmx, for pty_open_pair */
	pthread_mutex_t lock;
	struct pty *ptys[PTY_MAX];	/* [lock] by index; NULL: free */
};

struct pty *pty_get(struct pty *p)
{
	p->refs++;
	return p;
}

void pty_put(struct pty *p)
{
	struct devpts *fs = p->fs;
	pthread_mutex_lock(&fs->lock);
	bool last = --p->refs == 0;
	if (last)
		fs->ptys[p->index] = NULL;
	pthread_mutex_unlock(&fs->lock);
	if (!last)
		return;
	inode_put(p->slave_inode);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void devpts_remove(struct pty *p)
{
	pthread_mutex_lock(&p->fs->lock);
	p->removed = true;
	pthread_mutex_unlock(&p->fs->lock);
}

static struct file *pty_reopen(struct tty *tty, int flags)
{
	return pty_slave_open(container_of(tty, struct pty, tty), flags);
}

struct pty *devpts_new_pty(struct devpts *fs, const struct creds *cr)
{
	struct pty *p = xzalloc(sizeof(*p));
	pthread_mutex_lock(&fs->lock);
	int i = 0;
	while (i < PTY_MAX && fs->ptys[i])
		i++;
	if (i == PTY_MAX) {
		pthread_mutex_unlock(&fs->lock);
		free(p);
		return ERR_PTR(-ENOSPC);
	}
	fs->ptys[i] = p;
	p->index = i;
	p->refs = 1;
	p->fs = fs;
	p->tty.k = fs->k;
	p->tty.dev = makedev(PTY_MAJOR, i);
	p->tty.reopen = pty_reopen;
	pthread_mutex_init(&p->lock, NULL);
	waitqueue_init(&p->slave_wq);
	waitqueue_init(&p->master_wq);
	n_tty_init_termios(&p->termios);
	n_tty_init_termios(&p->master_termios);
	p->locked = true;
	p->slave_inode = kernfs_new_chrdev(fs->sb, 0620, p->tty.dev);
	p->slave_inode->uid = cr ? cr->fsuid : 0;
	p->slave_inode->gid = TTY_GID;
	pthread_mutex_unlock(&fs->lock);
	return p;
}

/* The pty at INDEX with its /dev/pts entry, with a reference; or NULL. */
static struct pty *lookup_index(struct devpts *fs, unsigned long index)
{
	struct pty *p = NULL;
	pthread_mutex_lock(&fs->lock);
	if (index < PTY_MAX && fs->ptys[index] && !fs->ptys[index]->removed) {
		p = fs->ptys[index];
		p->refs++;
	}
	pthread_mutex_unlock(&fs->lock);
	return p;
}

static struct inode *pts_lookup(struct inode *dir, void *arg, const char *name)
{
	char *end;
	unsigned long index = strtoul(name, &end, 10);
	if (*name < '0' || *name > '9' || *end || (name[0] == '0' && name[1]))
		return ERR_PTR(-ENOENT);
	struct pty *p = lookup_index(arg, index);
	if (!p)
		return ERR_PTR(-ENOENT);
	struct inode *inode = inode_get(p->slave_inode);
	pty_put(p);
	return inode;
}

static void pts_list(struct inode *dir, void *arg, kernfs_emit_fn emit, void *ctx)
{
	struct devpts *fs = arg;
	struct {
		int index;
		uint64_t ino;
	} seen[PTY_MAX];
	int n = 0;
	pthread_mutex_lock(&fs->lock);
	for (int i = 0; i < PTY_MAX; i++)
		if (fs->ptys[i] && !fs->ptys[i]->removed) {
			seen[n].index = i;
			seen[n++].ino = fs->ptys[i]->slave_inode->ino;
		}
	pthread_mutex_unlock(&fs->lock);
	for (int i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "%d", seen[i].index);
		emit(ctx, name, seen[i].ino, S_IFCHR, (uint64_t)seen[i].index);
	}
}

static const struct kernfs_dyndir_ops pts_ops = {
	.lookup = pts_lookup,
	.list = pts_list,
};

struct file *ptmx_open(struct inode *inode, int flags)
{
	struct devpts *fs = inode->sb->k ? inode->sb->k->devpts : NULL;
	if (!fs)
		return ERR_PTR(-ENODEV);
	struct task *t = current_task;
	struct pty *p = devpts_new_pty(fs, t ? t->creds : NULL);
	if (IS_ERR(p))
		return (struct file *)p;
	struct file *f = pty_master_file(p, inode, flags);
	pty_put(p);
	return f;
}

/* Opens /dev/pts/N (any inode of the pty slave major: only devpts's
 * own are slaves, as devpts_get_priv). */
static struct file *pts_open(struct inode *inode, int flags)
{
	struct devpts *fs = inode->sb->k ? inode->sb->k->devpts : NULL;
	if (!fs || inode->sb != fs->sb)
		return ERR_PTR(-ENXIO);
	struct pty *p = lookup_index(fs, minor(inode->rdev));
	if (!p)
		return ERR_PTR(-EIO);
	struct file *f = pty_slave_open(p, flags);
	pty_put(p);
	return f;
}

int pty_open_pair(struct kernel *k, struct file **master, struct file **slave)
{
	struct devpts *fs = k->devpts;
	if (!fs)
		return -ENODEV;
	struct pty *p = devpts_new_pty(fs, NULL);
	if (IS_ERR(p))
		return (int)PTR_ERR(p);
	p->locked = false;
	*master = pty_master_file(p, fs->ptmx, O_RDWR);
	*slave = pty_slave_open(p, O_RDWR | O_NOCTTY);
	pty_put(p);
	if (IS_ERR(*slave)) {
		file_put(*master);
		return (int)PTR_ERR(*slave);
	}
	return 0;
}

struct super_block *devpts_new(struct kernel *k)
{
	struct devpts *fs = xzalloc(sizeof(*fs));
	fs->k = k;
	pthread_mutex_init(&fs->lock, NULL);
	struct super_block *sb = kernfs_new_sb(k, "devpts", DEVPTS_SUPER_MAGIC);
	inode_put(sb->root);
	sb->root = kernfs_new_dyndir(sb, 0755, &pts_ops, fs);
	fs->sb = sb;
	fs->ptmx = kernfs_new_chrdev(sb, 0666, makedev(5, 2));
	kernfs_add(sb->root, "ptmx", fs->ptmx);
	k->devpts = fs;
	chrdev_register_major_opener(PTY_MAJOR, pts_open);
	return sb;
}
