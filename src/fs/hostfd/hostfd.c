/* A file description wrapping a host fd the sentry owns: the sandbox's
 * stdin/stdout/stderr. I/O goes to the host fd; fstat reports what the
 * host says (character device, pipe, file), and so does poll; of the
 * ioctls only TCGETS and TIOCGWINSZ are answered, by asking the host fd
 * (a host terminal the sandbox gets without `do -t` is only looked at:
 * its modes and job control are the host's). Nothing else of the host is
 * reachable through it. */
#include <asm/termbits.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "cvisor/vfs.h"

struct hostfd_inode {
	struct inode vfs;
	int fd;
};

static struct hostfd_inode *HOSTFD_I(struct inode *inode)
{
	return container_of(inode, struct hostfd_inode, vfs);
}

static int hostfd_getattr(struct inode *inode, struct kstat *st)
{
	struct stat hst;

	if (fstat(HOSTFD_I(inode)->fd, &hst) < 0)
		return -errno;
	*st = (struct kstat){
		.ino = inode->ino,
		.dev = inode->sb->dev,
		.mode = hst.st_mode,
		.nlink = (uint32_t)hst.st_nlink,
		.uid = hst.st_uid,
		.gid = hst.st_gid,
		.rdev = hst.st_rdev,
		.size = hst.st_size,
		.blocks = hst.st_blocks,
		.blksize = (uint32_t)hst.st_blksize,
		.atime = hst.st_atim,
		.mtime = hst.st_mtim,
		.ctime = hst.st_ctim,
		.btime = hst.st_mtim,
	};
	return 0;
}

/* Terminals and pipes can block for ever: wait in poll, where a signal
 * for the task can interrupt, and do the I/O once the host fd is ready.
 * The host's file status flags are not ours to change (O_NONBLOCK on a
 * shared terminal would reach the user's shell). */
static int stream_wait(struct file *f, short events)
{
	int fd = HOSTFD_I(f->inode)->fd;
	if (f->flags & O_NONBLOCK) {
		struct pollfd p = { .fd = fd, .events = events };
		return poll(&p, 1, 0) == 1 ? 0 : -EAGAIN;
	}
	if (!current_task)
		return 0;
	int r = task_wait_host_fd(current_task, fd, events);
	return r == -EINTR ? -ERESTARTSYS : r;
}

/* Readiness is the host's: a poller waits on the host fd itself. */
static unsigned stream_poll(struct file *f, struct poll_table *pt)
{
	int fd = HOSTFD_I(f->inode)->fd;
	poll_wait_host(pt, fd, (short)poll_requested_events(pt));
	struct pollfd p = { .fd = fd,
			    .events = POLLIN | POLLPRI | POLLOUT | POLLRDNORM | POLLRDBAND |
				      POLLWRNORM | POLLWRBAND | POLLRDHUP };
	if (poll(&p, 1, 0) < 0)
		return POLLERR;
	return (unsigned short)p.revents;
}

static ssize_t stream_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	int r = stream_wait(f, POLLIN);
	if (r < 0)
		return r;
	ssize_t n = readv(HOSTFD_I(f->inode)->fd, iov, cnt);
	return n < 0 ? -errno : n;
}

static ssize_t stream_write(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	int r = stream_wait(f, POLLOUT);
	if (r < 0)
		return r;
	ssize_t n = writev(HOSTFD_I(f->inode)->fd, iov, cnt);
	return n < 0 ? -errno : n;
}

/* A host regular file (stdout redirected to a file) is one open file
 * description shared with the caller, as after fork in Linux: its offset
 * is the host's, so `(echo a; cvisor do echo b) > f` appends, and O_APPEND
 * is the host's to apply. read/write (POS is the file's own position) go
 * through the host offset and mirror it into *POS; pread/pwrite use POS. */
static ssize_t reg_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	int fd = HOSTFD_I(f->inode)->fd;
	bool at_offset = pos == &f->pos;
	ssize_t n = at_offset ? readv(fd, iov, cnt) : preadv(fd, iov, cnt, *pos);
	if (n < 0)
		return -errno;
	*pos = at_offset ? lseek(fd, 0, SEEK_CUR) : *pos + n;
	return n;
}

static ssize_t reg_write(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	int fd = HOSTFD_I(f->inode)->fd;
	bool at_offset = pos == &f->pos;
	ssize_t n = at_offset ? writev(fd, iov, cnt) : pwritev(fd, iov, cnt, *pos);
	if (n < 0)
		return -errno;
	*pos = at_offset ? lseek(fd, 0, SEEK_CUR) : *pos + n;
	return n;
}

static int64_t reg_llseek(struct file *f, int64_t off, int whence)
{
	off_t r = lseek(HOSTFD_I(f->inode)->fd, off, whence);
	return r < 0 ? -errno : r;
}

static long hostfd_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	int fd = HOSTFD_I(f->inode)->fd;

	switch (cmd) {
	case TCGETS: {
		struct termios tio;
		if (ioctl(fd, TCGETS, &tio) < 0)
			return -errno;
		return copy_out(t, arg, &tio, sizeof(tio));
	}
	case TIOCGWINSZ: {
		struct winsize ws;
		if (ioctl(fd, TIOCGWINSZ, &ws) < 0)
			return -errno;
		return copy_out(t, arg, &ws, sizeof(ws));
	}
	}
	return -ENOTTY;
}

static const struct file_ops stream_fops = {
	.read = stream_read,
	.write = stream_write,
	.poll = stream_poll,
	.ioctl = hostfd_ioctl,
};

static const struct file_ops reg_fops = {
	.read = reg_read,
	.write = reg_write,
	.llseek = reg_llseek,
	.ioctl = hostfd_ioctl,
};

static const struct inode_ops hostfd_iops = {
	.getattr = hostfd_getattr,
};

static void hostfd_evict_inode(struct inode *inode)
{
	close(HOSTFD_I(inode)->fd);
	free(HOSTFD_I(inode));
}

/* Never reached: the super block is static and never put to zero. */
static void hostfd_put_super(struct super_block *sb)
{
}

static const struct super_ops hostfd_super_ops = {
	.evict_inode = hostfd_evict_inode,
	.put_super = hostfd_put_super,
};

static struct super_block hostfd_sb;
static pthread_once_t hostfd_once = PTHREAD_ONCE_INIT;

static void hostfd_sb_init(void)
{
	sb_init(&hostfd_sb, NULL, &hostfd_super_ops, "hostfd", 0);
}

bool hostfd_is_host_file(struct file *f)
{
	return f->inode->sb == &hostfd_sb;
}

struct file *hostfd_file_new(int host_fd, int open_flags)
{
	struct stat st;

	if (fstat(host_fd, &st) < 0)
		return NULL;
	pthread_once(&hostfd_once, hostfd_sb_init);
	struct hostfd_inode *hi = xzalloc(sizeof(*hi));
	inode_init(&hi->vfs, &hostfd_sb, &hostfd_iops, NULL, st.st_mode);
	hi->fd = host_fd;
	struct file *f = file_alloc(sizeof(struct file),
				    S_ISREG(st.st_mode) ? &reg_fops : &stream_fops, &hi->vfs);
	inode_put(&hi->vfs);
	int acc = open_flags & O_ACCMODE;
	if (acc == O_RDONLY || acc == O_RDWR)
		f->fmode |= FMODE_READ;
	if (acc == O_WRONLY || acc == O_RDWR)
		f->fmode |= FMODE_WRITE;
	if (S_ISREG(st.st_mode)) {
		f->fmode |= FMODE_LSEEK;
		f->pos = lseek(host_fd, 0, SEEK_CUR);
	}
	f->flags = (open_flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)) |
		   LINUX_O_LARGEFILE;
	return f;
}
