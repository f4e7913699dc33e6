/* sendfile, splice, tee, vmsplice, copy_file_range: moving data between
 * files inside the kernel. cvisor copies through a sentry buffer (Linux
 * moves page references); the results, offsets and errors are Linux's. */
#include <stdlib.h>

#include "cvisor/pipe.h"
#include "fs_util.h"

#define XFER_CHUNK (64 * 1024)
#define SPLICE_F_ALL (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)

/* Moves up to LEN bytes from IN at *IN_POS (NULL: a pipe, which has no
 * position) to OUT at *OUT_POS (NULL: its file position). *IN_POS
 * advances by what was written. Into a pipe it moves at most what the
 * pipe has room for (PIPE_BUF if full: that write waits), as splice
 * fills a pipe; from a pipe, what one read gives. Returns the bytes
 * moved, or -errno if none. */
static ssize_t transfer(struct file *in, int64_t *in_pos, struct file *out, int64_t *out_pos,
			size_t len)
{
	if (file_is_pipe(out)) {
		size_t room = pipe_room(out);
		len = MIN(len, room ? room : PIPE_BUF_SIZE);
	}
	char *buf = xmalloc(MIN(len, XFER_CHUNK));
	size_t done = 0;
	ssize_t err = 0;

	while (done < len) {
		size_t want = MIN(len - done, XFER_CHUNK);
		struct iovec iov = { .iov_base = buf, .iov_len = want };
		int64_t rpos = in_pos ? *in_pos : 0;
		ssize_t r = vfs_read(in, &iov, 1, in_pos ? &rpos : NULL);
		if (r <= 0) {
			err = r;
			break;
		}
		size_t written = 0;
		while (written < (size_t)r) {
			iov = (struct iovec){ .iov_base = buf + written, .iov_len = (size_t)r - written };
			ssize_t w = vfs_write(out, &iov, 1, out_pos);
			if (w <= 0) {
				err = w;
				break;
			}
			written += (size_t)w;
		}
		done += written;
		if (in_pos)
			*in_pos += (int64_t)written;
		/* What a pipe gave but the writer did not take is lost, as
		 * when Linux's splice_direct drops an unconsumed buffer. */
		if (written < (size_t)r || !in_pos)
			break;
	}
	free(buf);
	return done ? (ssize_t)done : err;
}

/* A user offset (loff_t *) for file F: copied in and checked, or the
 * file position. With LEN, a negative offset that LEN wraps past zero as
 * unsigned is -EOVERFLOW (copy_file_range's check), else -EINVAL. */
static int get_offset_len(struct task *t, struct file *f, uaddr_t uoff, size_t len, int64_t *pos)
{
	if (!uoff) {
		pthread_mutex_lock(&f->pos_lock);
		*pos = f->pos;
		pthread_mutex_unlock(&f->pos_lock);
		return 0;
	}
	if (!(f->fmode & FMODE_LSEEK))
		return -ESPIPE;
	if (copy_in(t, pos, uoff, sizeof(*pos)))
		return -EFAULT;
	if (*pos >= 0)
		return 0;
	return len && (uint64_t)*pos + len < (uint64_t)*pos ? -EOVERFLOW : -EINVAL;
}


static int get_offset(struct task *t, struct file *f, uaddr_t uoff, int64_t *pos)
{
	return get_offset_len(t, f, uoff, 0, pos);
}

/* Stores the new offset back where it came from. */
static int put_offset(struct task *t, struct file *f, uaddr_t uoff, int64_t pos)
{
	if (uoff)
		return copy_out(t, uoff, &pos, sizeof(pos)) ? -EFAULT : 0;
	pthread_mutex_lock(&f->pos_lock);
	f->pos = pos;
	pthread_mutex_unlock(&f->pos_lock);
	return 0;
}

/* Ends a call that moved R bytes (or failed with R): stores the
 * positions that moved (POS_IN, POS_OUT; NULL: none) where they came
 * from, an error doing so replacing R, and drops both files. */
static long transfer_done(struct task *t, long r, struct file *in, uaddr_t uoff_in,
			  const int64_t *pos_in, struct file *out, uaddr_t uoff_out,
			  const int64_t *pos_out)
{
	if (r > 0) {
		int err = pos_in ? put_offset(t, in, uoff_in, *pos_in) : 0;
		if (!err && pos_out)
			err = put_offset(t, out, uoff_out, *pos_out);
		if (err)
			r = err;
	}
	file_put(in);
	file_put(out);
	return r;
}

/* Gets both files: -EBADF unless IN is open for reading and OUT for
 * writing. */
static int get_in_out(struct task *t, int in_fd, int out_fd, struct file **in, struct file **out)
{
	*in = task_fget(t, in_fd);
	*out = task_fget(t, out_fd);
	if (*in && *out && ((*in)->fmode & FMODE_READ) && ((*out)->fmode & FMODE_WRITE))
		return 0;
	file_put(*in);
	file_put(*out);
	return -EBADF;
}

long sys_sendfile(struct task *t, const struct syscall_args *a)
{
	int out_fd = (int)a->arg[0], in_fd = (int)a->arg[1];
	uaddr_t uoff = a->arg[2];
	size_t count = MIN(a->arg[3], (size_t)VFS_MAX_RW_COUNT);
	struct file *in, *out;
	int64_t pos = 0;
	bool seekable = false;

	long r = get_in_out(t, in_fd, out_fd, &in, &out);
	if (r)
		return r;
	/* sendfile reads through splice_read: not from directories, and
	 * appending output is refused (do_sendfile). */
	if (S_ISDIR(in->inode->mode) || (out->flags & O_APPEND)) {
		r = -EINVAL;
		goto out_put;
	}
	seekable = in->fmode & FMODE_LSEEK;
	/* Not from a pipe either (Linux 6.1's do_splice_direct). */
	if (!uoff && file_is_pipe(in)) {
		r = -EINVAL;
		goto out_put;
	}
	if (uoff || seekable) {
		r = get_offset(t, in, uoff, &pos);
		if (r)
			goto out_put;
	}
	if (count == 0)
		goto out_put;
	r = transfer(in, seekable ? &pos : NULL, out, NULL, count);
out_put:
	return transfer_done(t, r, in, uoff, uoff || seekable ? &pos : NULL, out, 0, NULL);
}

long sys_copy_file_range(struct task *t, const struct syscall_args *a)
{
	int in_fd = (int)a->arg[0], out_fd = (int)a->arg[2];
	uaddr_t uoff_in = a->arg[1], uoff_out = a->arg[3];
	size_t len = MIN(a->arg[4], (size_t)VFS_MAX_RW_COUNT);
	struct file *in, *out;
	int64_t pos_in = 0, pos_out = 0;

	if (a->arg[5])
		return -EINVAL;
	long r = get_in_out(t, in_fd, out_fd, &in, &out);
	if (r)
		return r;
	/* generic_copy_file_checks: appending output is EBADF, directories
	 * EISDIR, other non-regular files EINVAL. */
	if (out->flags & O_APPEND) {
		r = -EBADF;
		goto out_put;
	}
	if (S_ISDIR(in->inode->mode) || S_ISDIR(out->inode->mode)) {
		r = -EISDIR;
		goto out_put;
	}
	if (!S_ISREG(in->inode->mode) || !S_ISREG(out->inode->mode)) {
		r = -EINVAL;
		goto out_put;
	}
	/* Between filesystems of different kinds Linux (since 5.19) says
	 * EXDEV and callers copy by hand. The sandbox's stdio files are
	 * such a kind: their position is the host's, shared with the
	 * caller of cvisor, which a copy at a remembered offset would miss. */
	if (in->inode->sb != out->inode->sb || hostfd_is_host_file(in)) {
		r = -EXDEV;
		goto out_put;
	}
	r = get_offset_len(t, in, uoff_in, len, &pos_in);
	if (!r)
		r = get_offset_len(t, out, uoff_out, len, &pos_out);
	if (r)
		goto out_put;
	if (len == 0)
		goto out_put;
	/* Overlapping ranges of one file are refused. */
	if (in->inode == out->inode && pos_in < pos_out + (int64_t)len &&
	    pos_out < pos_in + (int64_t)len) {
		r = -EINVAL;
		goto out_put;
	}
	r = transfer(in, &pos_in, out, &pos_out, len);
out_put:
	return transfer_done(t, r, in, uoff_in, &pos_in, out, uoff_out, &pos_out);
}

long sys_splice(struct task *t, const struct syscall_args *a)
{
	int in_fd = (int)a->arg[0], out_fd = (int)a->arg[2];
	uaddr_t uoff_in = a->arg[1], uoff_out = a->arg[3];
	size_t len = MIN(a->arg[4], (size_t)VFS_MAX_RW_COUNT);
	unsigned flags = (unsigned)a->arg[5];
	struct file *in, *out;
	int64_t pos_in = 0, pos_out = 0;
	bool in_pos = false, out_pos = false;

	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	long r = get_in_out(t, in_fd, out_fd, &in, &out);
	if (r)
		return r;
	bool in_pipe = file_is_pipe(in), out_pipe = file_is_pipe(out);
	/* do_splice: one side must be a pipe, which takes no offset. */
	if (!in_pipe && !out_pipe) {
		r = -EINVAL;
		goto out_put;
	}
	if ((in_pipe && uoff_in) || (out_pipe && uoff_out)) {
		r = -ESPIPE;
		goto out_put;
	}
	if (in_pipe && out_pipe && in->inode == out->inode) {
		r = -EINVAL;
		goto out_put;
	}
	if (!out_pipe && (out->flags & O_APPEND)) {
		r = -EINVAL;
		goto out_put;
	}
	in_pos = !in_pipe && (uoff_in || (in->fmode & FMODE_LSEEK));
	out_pos = !out_pipe && uoff_out;
	if (in_pos)
		r = get_offset(t, in, uoff_in, &pos_in);
	if (!r && out_pos)
		r = get_offset(t, out, uoff_out, &pos_out);
	if (r || len == 0)
		goto out_put;
	/* SPLICE_F_NONBLOCK: the pipe side does not wait (an empty pipe
	 * with no writer is still EOF). The other side may. */
	if (flags & SPLICE_F_NONBLOCK) {
		bool writers;
		if (in_pipe && !pipe_held(in, &writers)) {
			r = writers ? -EAGAIN : 0;
			goto out_put;
		}
		if (out_pipe && !pipe_room(out)) {
			r = -EAGAIN;
			goto out_put;
		}
	}
	r = transfer(in, in_pos ? &pos_in : NULL, out, out_pos ? &pos_out : NULL, len);
out_put:
	return transfer_done(t, r, in, uoff_in, in_pos ? &pos_in : NULL, out, uoff_out,
			     out_pos ? &pos_out : NULL);
}

long sys_tee(struct task *t, const struct syscall_args *a)
{
	unsigned flags = (unsigned)a->arg[3];
	struct file *in, *out;

	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	long r = get_in_out(t, (int)a->arg[0], (int)a->arg[1], &in, &out);
	if (r)
		return r;
	if (!file_is_pipe(in) || !file_is_pipe(out))
		r = -EINVAL;
	else
		r = pipe_tee(in, out, MIN(a->arg[2], (size_t)VFS_MAX_RW_COUNT),
			     flags & SPLICE_F_NONBLOCK);
	file_put(in);
	file_put(out);
	return r;
}

/* vmsplice: user memory into a pipe's write end, or out of its read end
 * (copied, as Linux does for the read side; the write side's page gifts
 * are copies here). */
long sys_vmsplice(struct task *t, const struct syscall_args *a)
{
	unsigned flags = (unsigned)a->arg[3];
	struct iovec *iov;

	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	struct file *f = task_fget(t, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	long r = -EBADF;
	if (!file_is_pipe(f))
		goto out_put;
	r = user_iovec(t, a->arg[1], (long)a->arg[2], &iov);
	if (r)
		goto out_put;
	if (a->arg[2] == 0)
		r = 0;
	else if (f->fmode & FMODE_WRITE)
		r = file_rw_user(t, f, iov, (int)a->arg[2], NULL, true);
	else
		r = file_rw_user(t, f, iov, (int)a->arg[2], NULL, false);
	free(iov);
out_put:
	file_put(f);
	return r;
}
