/* Where pipes come from: pipe(2) makes an inode of pipefs (an internal
 * filesystem nobody mounts, as Linux's) with its pipe; open(2) of a FIFO
 * attaches a pipe to the FIFO's inode, shared by every opener until the
 * last one closes. */
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>

#include "cvisor/creds.h"
#include "cvisor/task.h"
#include "pipe_internal.h"

static void pipefs_evict_inode(struct inode *inode)
{
	free(inode);
}

/* Never reached: the super block is static and never put to zero. */
static void pipefs_put_super(struct super_block *sb)
{
}

/* /proc/pid/fd of a pipe: "pipe:[ino]" (pipefs_dname). */
static int pipefs_dname(struct inode *inode, char *buf, size_t size)
{
	int n = snprintf(buf, size, "pipe:[%llu]", (unsigned long long)inode->ino);
	return n < (int)size ? n : -ENAMETOOLONG;
}

static const struct super_ops pipefs_super_ops = {
	.evict_inode = pipefs_evict_inode,
	.put_super = pipefs_put_super,
	.dname = pipefs_dname,
};

/* Every slot has its default: attributes come from the inode fields. */
static const struct inode_ops pipefs_iops;

static struct super_block pipefs_sb;
/* Where the paths of pipes are: /proc/<pid>/fd/N of a pipe leads there. */
static struct mount *pipefs_mnt;
static pthread_once_t pipefs_once = PTHREAD_ONCE_INIT;

static void pipefs_init(void)
{
	sb_init(&pipefs_sb, NULL, &pipefs_super_ops, "pipefs", PIPEFS_MAGIC);
	struct inode *root = xzalloc(sizeof(*root));
	inode_init(root, &pipefs_sb, &pipefs_iops, NULL, S_IFDIR | 0700);
	pipefs_sb.root = root;
	pipefs_mnt = kern_mount(&pipefs_sb);
}

int pipe_file_path(struct file *f, struct path *out)
{
	if (!file_is_pipe(f) || f->inode->sb != &pipefs_sb)
		return -ENOENT;
	out->mnt = mntget(pipefs_mnt);
	out->dentry = d_alloc_pseudo(inode_get(f->inode));
	return 0;
}

void pipe_create(const struct creds *cr, int flags, struct file *out[2])
{
	pthread_once(&pipefs_once, pipefs_init);
	struct inode *inode = xzalloc(sizeof(*inode));
	inode_init(inode, &pipefs_sb, &pipefs_iops, &pipe_fops, S_IFIFO | 0600);
	inode->uid = cr ? cr->fsuid : 0;
	inode->gid = cr ? cr->fsgid : 0;

	struct pipe_inode_info *p = pipe_new();
	p->readers = p->writers = 1;
	p->r_counter = p->w_counter = 1;
	p->files = 2;
	inode->pipe = p;
	out[0] = pipe_file_new(inode, p, O_RDONLY | (flags & O_NONBLOCK));
	out[1] = pipe_file_new(inode, p, O_WRONLY | (flags & O_NONBLOCK));
	inode_put(inode);
}

/* Waits (P locked) until *COUNTER moves: the other side opened. */
static int wait_for_partner(struct pipe_inode_info *p, unsigned *counter, struct waitqueue *wq)
{
	unsigned cur = *counter;
	struct waiter w = { 0 };
	int err = 0;

	while (cur == *counter && !err)
		err = pipe_wait(p, &w, wq);
	waiter_finish(&w);
	return cur == *counter ? err : 0;
}

/* Counts a new open of P with access mode ACC, waiting for the other
 * side as fifo_open does, except on an anonymous pipe (IS_PIPE: opened
 * again through /proc/<pid>/fd), which never waits. Caller holds P's
 * lock. *W_SEEN: see struct pipe_file. */
static int fifo_join(struct pipe_inode_info *p, int flags, bool is_pipe, unsigned *w_seen)
{
	int err;

	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		p->r_counter++;
		if (p->readers++ == 0)
			waitqueue_wake_all(&p->wr_wait);
		if (p->writers || is_pipe)
			return 0;
		if (flags & O_NONBLOCK) {
			/* No POLLHUP until a writer has come and gone. */
			*w_seen = p->w_counter;
			return 0;
		}
		err = wait_for_partner(p, &p->w_counter, &p->rd_wait);
		if (err && --p->readers == 0)
			waitqueue_wake_all(&p->wr_wait);
		return err;
	case O_WRONLY:
		if ((flags & O_NONBLOCK) && !p->readers && !is_pipe)
			return -ENXIO;
		p->w_counter++;
		if (p->writers++ == 0)
			waitqueue_wake_all(&p->rd_wait);
		if (p->readers || is_pipe)
			return 0;
		err = wait_for_partner(p, &p->r_counter, &p->wr_wait);
		if (err && --p->writers == 0)
			waitqueue_wake_all(&p->rd_wait);
		return err;
	case O_RDWR:
		/* Both sides at once: never waits (POSIX leaves it undefined;
		 * Linux allows it). */
		p->readers++;
		p->writers++;
		p->r_counter++;
		p->w_counter++;
		if (p->readers == 1 || p->writers == 1) {
			waitqueue_wake_all(&p->rd_wait);
			waitqueue_wake_all(&p->wr_wait);
		}
		return 0;
	}
	return -EINVAL;
}

struct file *fifo_open(struct inode *inode, int flags)
{
	pthread_mutex_lock(&inode->lock);
	struct pipe_inode_info *p = inode->pipe;
	if (!p)
		p = inode->pipe = pipe_new();
	p->files++;
	pthread_mutex_unlock(&inode->lock);

	unsigned w_seen = 0;
	pthread_mutex_lock(&p->lock);
	int err = fifo_join(p, flags, inode->sb == &pipefs_sb, &w_seen);
	pthread_mutex_unlock(&p->lock);
	if (err) {
		pipe_put_files(inode, p);
		return ERR_PTR(err);
	}
	struct file *f = pipe_file_new(inode, p, flags);
	container_of(f, struct pipe_file, vfs)->w_seen = w_seen;
	return f;
}
