/* A file description wrapping a host fd the sentry owns: the sandbox's
 * stdin/stdout/stderr. I/O goes to the host fd; fstat reports what the
 * host says (character device, pipe, file), and so does poll; of the
 * ioctls only TCGETS and TIOCGWINSZ are answered, by asking the host fd.
 * Nothing else of the host is reachable through it. */
#include <asm/termbits.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cvisor/console.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "cvisor/vfs.h"

struct hostfd_inode {
	struct inode vfs;
	int fd;
	bool tty;	/* a terminal: the console (console.h) */
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

/* Whether the terminal stops background writers (TOSTOP). */
static bool tty_tostop(int fd)
{
	struct termios tio;
	return ioctl(fd, TCGETS, &tio) == 0 && (tio.c_lflag & TOSTOP);
}

static ssize_t stream_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct hostfd_inode *hi = HOSTFD_I(f->inode);
	if (hi->tty && current_task) {
		int r = console_check_read(current_task);
		if (r < 0)
			return r;
	}
	int r = stream_wait(f, POLLIN);
	if (r < 0)
		return r;
	ssize_t n = readv(HOSTFD_I(f->inode)->fd, iov, cnt);
	return n < 0 ? -errno : n;
}

static ssize_t stream_write(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct hostfd_inode *hi = HOSTFD_I(f->inode);
	if (hi->tty && current_task) {
		int r = console_check_write(current_task, tty_tostop(hi->fd));
		if (r < 0)
			return r;
	}
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

/* Terminal modes and sizes are the host terminal's; job control state
 * is the sentry's (console.c). A background job changing the modes gets
 * SIGTTOU as on Linux. */
static long tty_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	int fd = HOSTFD_I(f->inode)->fd;
	long r = console_ioctl(t, cmd, arg, f->fmode & FMODE_READ);
	if (r != -ENOIOCTLCMD)
		return r;
	switch (cmd) {
	case TCSETS:
	case TCSETSW:
	case TCSETSF: {
		struct termios tio;
		if (copy_in(t, &tio, arg, sizeof(tio)) < 0)
			return -EFAULT;
		if ((r = console_check_write(t, true)) < 0)
			return r;
		return ioctl(fd, cmd, &tio) < 0 ? -errno : 0;
	}
	case TIOCSWINSZ: {
		struct winsize ws;
		if (copy_in(t, &ws, arg, sizeof(ws)) < 0)
			return -EFAULT;
		return ioctl(fd, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
	}
	}
	return -ENOTTY;
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
	return HOSTFD_I(f->inode)->tty ? tty_ioctl(f, t, cmd, arg) : -ENOTTY;
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

struct file *hostfd_file_reopen(struct file *f, int open_flags)
{
	int fd = fcntl(HOSTFD_I(f->inode)->fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return ERR_PTR(-errno);
	struct file *nf = hostfd_file_new(fd, open_flags);
	if (!nf) {
		close(fd);
		return ERR_PTR(-EIO);
	}
	return nf;
}

bool hostfd_is_host_file(struct file *f)
{
	return f->inode->sb == &hostfd_sb;
}

bool hostfd_is_tty(struct file *f)
{
	return f->inode->sb == &hostfd_sb && HOSTFD_I(f->inode)->tty;
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
	hi->tty = isatty(host_fd);
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
