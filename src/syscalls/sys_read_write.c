/* read, write and their vectored and positional forms; lseek. */
#include <stdatomic.h>
#include <stdlib.h>

#include "fs_util.h"

static long do_io(struct task *t, int fd, const struct iovec *uiov, int cnt, int64_t *pos,
		  bool write)
{
	struct file *f = task_fget(t, fd);
	if (!f)
		return -EBADF;
	long r;
	/* Positional I/O needs a seekable file (Linux: FMODE_PREAD). */
	if (pos && !(f->fmode & FMODE_LSEEK) && !(f->fmode & FMODE_PATH))
		r = -ESPIPE;
	else
		r = file_rw_user(t, f, uiov, cnt, pos, write);
	file_put(f);
	/* As Linux's add_rchar/inc_syscr: every call counts, bytes when
	 * some moved. */
	struct thread_group *tg = t->tg;
	atomic_fetch_add(write ? &tg->syscw : &tg->syscr, 1);
	if (r > 0)
		atomic_fetch_add(write ? &tg->wchar : &tg->rchar, (uint64_t)r);
	return r;
}

long sys_read(struct task *t, const struct syscall_args *a)
{
	struct iovec iov = { .iov_base = (void *)a->arg[1], .iov_len = a->arg[2] };
	return do_io(t, (int)a->arg[0], &iov, 1, NULL, false);
}

long sys_write(struct task *t, const struct syscall_args *a)
{
	struct iovec iov = { .iov_base = (void *)a->arg[1], .iov_len = a->arg[2] };
	return do_io(t, (int)a->arg[0], &iov, 1, NULL, true);
}

static long do_pio(struct task *t, const struct syscall_args *a, bool write)
{
	int64_t pos = (int64_t)a->arg[3];
	struct iovec iov = { .iov_base = (void *)a->arg[1], .iov_len = a->arg[2] };
	if (pos < 0)
		return -EINVAL;
	return do_io(t, (int)a->arg[0], &iov, 1, &pos, write);
}

long sys_pread64(struct task *t, const struct syscall_args *a)
{
	return do_pio(t, a, false);
}

long sys_pwrite64(struct task *t, const struct syscall_args *a)
{
	return do_pio(t, a, true);
}

static long do_iov(struct task *t, const struct syscall_args *a, bool positional, bool write)
{
	struct iovec *iov;
	int64_t pos = (int64_t)a->arg[3];
	if (positional && pos < 0)
		return -EINVAL;
	int err = user_iovec(t, a->arg[1], (long)a->arg[2], &iov);
	if (err)
		return err;
	long r = do_io(t, (int)a->arg[0], iov, (int)a->arg[2], positional ? &pos : NULL, write);
	free(iov);
	return r;
}

long sys_readv(struct task *t, const struct syscall_args *a)
{
	return do_iov(t, a, false, false);
}

long sys_writev(struct task *t, const struct syscall_args *a)
{
	return do_iov(t, a, false, true);
}

long sys_preadv(struct task *t, const struct syscall_args *a)
{
	return do_iov(t, a, true, false);
}

long sys_pwritev(struct task *t, const struct syscall_args *a)
{
	return do_iov(t, a, true, true);
}

long sys_lseek(struct task *t, const struct syscall_args *a)
{
	int whence = (int)a->arg[2];
	if (whence < SEEK_SET || whence > SEEK_HOLE)
		return -EINVAL;
	struct file *f = task_fget(t, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	int64_t r = vfs_llseek(f, (int64_t)a->arg[1], whence);
	file_put(f);
	return r;
}
