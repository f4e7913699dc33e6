/* Socket files (Linux's net/socket.c): sockfs inodes, the file operations
 * every socket shares (read/write are recvmsg/sendmsg without flags),
 * and socket(2)'s choice of family. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/sockios.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "cvisor/creds.h"
#include "cvisor/net.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

/* ---- message iterators ---- */

void msg_iter_init(struct msg_iter *it, struct task *t, const struct iovec *iov, int cnt)
{
	it->t = t;
	it->iov = iov;
	it->cnt = cnt;
	it->total = iov_total(iov, cnt);
	it->pos = 0;
}

/* Calls FN on each piece of the next N bytes of the iovecs. */
static int iter_walk(struct msg_iter *it, size_t n, void *buf, bool out)
{
	size_t skip = it->pos, done = 0;
	for (int i = 0; i < it->cnt && done < n; i++) {
		size_t len = it->iov[i].iov_len;
		if (skip >= len) {
			skip -= len;
			continue;
		}
		size_t k = MIN(len - skip, n - done);
		uaddr_t at = (uaddr_t)it->iov[i].iov_base + skip;
		char *b = (char *)buf + done;
		int err = 0;
		if (it->t)
			err = out ? copy_out(it->t, at, b, k) : copy_in(it->t, b, at, k);
		else if (out)
			memcpy((void *)at, b, k);
		else
			memcpy(b, (void *)at, k);
		if (err)
			return -EFAULT;
		done += k;
		skip = 0;
	}
	it->pos += done;
	return 0;
}

int msg_iter_to(struct msg_iter *it, const void *src, size_t n)
{
	return iter_walk(it, n, (void *)src, true);
}

int msg_iter_from(void *dst, struct msg_iter *it, size_t n)
{
	return iter_walk(it, n, dst, false);
}

/* ---- passed files ---- */

void scm_fp_free(struct scm_fp *fp)
{
	if (!fp)
		return;
	for (int i = 0; i < fp->count; i++)
		file_put(fp->files[i]);
	free(fp);
}

struct scm_fp *scm_fp_dup(const struct scm_fp *fp)
{
	struct scm_fp *n = xmalloc(sizeof(*n));
	n->count = fp->count;
	for (int i = 0; i < fp->count; i++)
		n->files[i] = file_get(fp->files[i]);
	return n;
}

/* ---- sockfs ---- */

static void sockfs_evict_inode(struct inode *inode)
{
	free(inode);
}

/* Never reached: the super block is static. */
static void sockfs_put_super(struct super_block *sb)
{
}

static int sockfs_dname(struct inode *inode, char *buf, size_t size)
{
	int n = snprintf(buf, size, "socket:[%llu]", (unsigned long long)inode->ino);
	return n < (int)size ? n : -ENAMETOOLONG;
}

static const struct super_ops sockfs_super_ops = {
	.evict_inode = sockfs_evict_inode,
	.put_super = sockfs_put_super,
	.dname = sockfs_dname,
};

static const struct inode_ops sockfs_iops;
static struct super_block sockfs_sb;
static pthread_once_t sockfs_once = PTHREAD_ONCE_INIT;

static void sockfs_init(void)
{
	sb_init(&sockfs_sb, NULL, &sockfs_super_ops, "sockfs", SOCKFS_MAGIC);
}

/* ---- the file operations ---- */

static struct socket *SOCK_F(struct file *f)
{
	return container_of(f, struct socket, vfs);
}

static ssize_t sock_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct socket *s = SOCK_F(f);
	struct sock_msg m = { 0 };
	/* sock_read_iter: nothing asked, nothing taken (an empty write
	 * does send an empty datagram). */
	if (!iov_total(iov, cnt))
		return 0;
	msg_iter_init(&m.data, NULL, iov, cnt);
	ssize_t r = s->ops->recvmsg(s, &m, (f->flags & O_NONBLOCK) ? MSG_DONTWAIT : 0);
	/* Files sent with the data are dropped, as read(2) would. */
	scm_fp_free(m.scm.fp);
	return r;
}

static ssize_t sock_write(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct socket *s = SOCK_F(f);
	struct sock_msg m = { 0 };
	msg_iter_init(&m.data, NULL, iov, cnt);
	return socket_sendmsg(s, &m, (f->flags & O_NONBLOCK) ? MSG_DONTWAIT : 0);
}

ssize_t socket_sendmsg(struct socket *s, struct sock_msg *m, int flags)
{
	ssize_t r = s->ops->sendmsg(s, m, flags);
	if (r == -EPIPE && !(flags & MSG_NOSIGNAL) && current_task)
		signal_raise(current_task, SIGPIPE);
	return r;
}

static unsigned sock_poll(struct file *f, struct poll_table *pt)
{
	struct socket *s = SOCK_F(f);
	return s->ops->poll(s, pt);
}

static long sock_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	struct socket *s = SOCK_F(f);
	int n;
	long err = s->ops->ioctl ? s->ops->ioctl(s, cmd, &n) : -ENOIOCTLCMD;
	if (err == -ENOIOCTLCMD)
		return -ENOTTY;
	if (err)
		return err;
	return copy_out(t, arg, &n, sizeof(n));
}

static void sock_release(struct file *f)
{
	struct socket *s = SOCK_F(f);
	s->ops->release(s);
}

static const struct file_ops socket_fops = {
	.read = sock_read,
	.write = sock_write,
	.poll = sock_poll,
	.ioctl = sock_ioctl,
	.release = sock_release,
};

struct socket *socket_from_file(struct file *f)
{
	return f->ops == &socket_fops ? SOCK_F(f) : NULL;
}

struct socket *socket_alloc(const struct creds *cr, const struct proto_ops *ops, int family,
			    int type, int protocol, int flags)
{
	pthread_once(&sockfs_once, sockfs_init);
	struct inode *inode = xzalloc(sizeof(*inode));
	/* Linux's sock_alloc: S_IFSOCK | 0777, the creator's. */
	inode_init(inode, &sockfs_sb, &sockfs_iops, &socket_fops, S_IFSOCK | 0777);
	inode->uid = cr ? cr->fsuid : 0;
	inode->gid = cr ? cr->fsgid : 0;
	struct file *f = file_alloc(sizeof(struct socket), &socket_fops, inode);
	inode_put(inode);
	f->fmode = FMODE_READ | FMODE_WRITE;
	f->flags = O_RDWR | (flags & O_NONBLOCK);
	struct socket *s = SOCK_F(f);
	s->ops = ops;
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	return s;
}

int64_t socket_deadline(struct socket *s, bool send)
{
	int64_t timeo = send ? s->sndtimeo_ns : s->rcvtimeo_ns;
	return timeo ? host_monotonic_ns() + timeo : -1;
}

int socket_create(const struct creds *cr, int family, int type, int protocol,
		  struct socket **out)
{
	int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (family < 0 || family >= AF_MAX)
		return -EAFNOSUPPORT;
	if (type < 0 || type > SOCK_PACKET)
		return -EINVAL;
	switch (family) {
	case AF_UNIX:
		return unix_create(cr, type, protocol, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0, out);
	default:
		/* AF_INET, AF_INET6, AF_NETLINK...: not yet (issue 8). */
		return -EAFNOSUPPORT;
	}
}
