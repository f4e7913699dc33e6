/* dup, dup2, dup3, fcntl, flock, ioctl (the fd-level requests), fsync,
 * fdatasync. */
#include <stdatomic.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "cvisor/fs.h"
#include "cvisor/pipe.h"
#include "fs_util.h"

long sys_dup(struct task *t, const struct syscall_args *a)
{
	struct file *f = task_fget(t, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	int fd = fdt_install(t->fdt, f, false, 0, task_nofile(t));
	file_put(f);
	return fd;
}

long sys_dup2(struct task *t, const struct syscall_args *a)
{
	int oldfd = (int)a->arg[0], newfd = (int)a->arg[1];
	/* Same fd: only checks that it is open. */
	if (oldfd == newfd) {
		struct file *f = task_fget(t, oldfd);
		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return fdt_dup2(t->fdt, oldfd, newfd, false, task_nofile(t));
}

long sys_dup3(struct task *t, const struct syscall_args *a)
{
	int oldfd = (int)a->arg[0], newfd = (int)a->arg[1], flags = (int)a->arg[2];
	if ((flags & ~O_CLOEXEC) || oldfd == newfd)
		return -EINVAL;
	return fdt_dup2(t->fdt, oldfd, newfd, flags & O_CLOEXEC, task_nofile(t));
}

/* The status flags F_SETFL may change (Linux's SETFL_MASK). */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

long sys_fcntl(struct task *t, const struct syscall_args *a)
{
	int fd = (int)a->arg[0], cmd = (int)a->arg[1];
	uint64_t arg = a->arg[2];
	bool cloexec;
	struct file *f = fdt_fget(t->fdt, fd, &cloexec);
	long r;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= task_nofile(t))
			r = -EINVAL;
		else
			r = fdt_install(t->fdt, f, cmd == F_DUPFD_CLOEXEC, (int)arg, task_nofile(t));
		break;
	case F_GETFD:
		r = cloexec ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		r = fdt_set_cloexec(t->fdt, fd, arg & FD_CLOEXEC);
		break;
	case F_GETFL:
		r = f->flags;
		break;
	case F_SETFL:
		if (f->fmode & FMODE_PATH) {
			r = -EBADF;
			break;
		}
		/* O_NOATIME only for the owner (Linux's setfl). */
		if ((arg & O_NOATIME) && !(f->flags & O_NOATIME) &&
		    !inode_owner_or_capable(t->creds, f->inode)) {
			r = -EPERM;
			break;
		}
		int old = f->flags, new;
		do {
			new = (old & ~SETFL_MASK) | ((int)arg & SETFL_MASK);
		} while (!atomic_compare_exchange_weak(&f->flags, &old, new));
		r = 0;
		break;
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		r = pipe_fcntl(f, t->creds, cmd, (unsigned)arg);
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW: {
		struct flock fl;
		if (copy_in(t, &fl, arg, sizeof(fl))) {
			r = -EFAULT;
			break;
		}
		r = vfs_fcntl_lock(t, f, cmd, &fl);
		if (!r && (cmd == F_GETLK || cmd == F_OFD_GETLK) &&
		    copy_out(t, arg, &fl, sizeof(fl)))
			r = -EFAULT;
		break;
	}
	case F_ADD_SEALS:
	case F_GET_SEALS:
		r = tmpfs_fcntl_seals(f, cmd, (unsigned)arg);
		break;
	default:
		/* Leases, owners: not yet. */
		r = -EINVAL;
		break;
	}
	file_put(f);
	return r;
}

/* memfd_create's name: at most 249 bytes (Linux's MFD_NAME_MAX_LEN). */
#define MFD_NAME_MAX_LEN (NAME_MAX - 6)

long sys_memfd_create(struct task *t, const struct syscall_args *a)
{
	unsigned flags = (unsigned)a->arg[1];
	char name[MFD_NAME_MAX_LEN + 1];

	/* No huge pages, and no MFD_EXEC/MFD_NOEXEC_SEAL (Linux 6.3). */
	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING))
		return -EINVAL;
	long len = copy_in_string(t, name, a->arg[0], sizeof(name));
	if (len == -ENAMETOOLONG)
		return -EINVAL;
	if (len < 0)
		return len;
	struct file *f = memfd_file_new(t->k, name, flags, t->creds);
	int fd = fdt_install(t->fdt, f, flags & MFD_CLOEXEC, 0, task_nofile(t));
	file_put(f);
	return fd;
}

long sys_flock(struct task *t, const struct syscall_args *a)
{
	struct file *f = task_fget(t, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	int r = vfs_flock(t, f, (unsigned)a->arg[1]);
	file_put(f);
	return r;
}

long sys_ioctl(struct task *t, const struct syscall_args *a)
{
	int fd = (int)a->arg[0];
	unsigned cmd = (unsigned)a->arg[1];
	uint64_t arg = a->arg[2];
	struct file *f = task_fget(t, fd);
	long r;

	if (!f)
		return -EBADF;
	if (f->fmode & FMODE_PATH) {
		file_put(f);
		return -EBADF;
	}
	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
		r = fdt_set_cloexec(t->fdt, fd, cmd == FIOCLEX);
		break;
	case FIONBIO: {
		int on;
		if (copy_in(t, &on, arg, sizeof(on))) {
			r = -EFAULT;
			break;
		}
		if (on)
			atomic_fetch_or(&f->flags, O_NONBLOCK);
		else
			atomic_fetch_and(&f->flags, ~O_NONBLOCK);
		r = 0;
		break;
	}
	case FIONREAD:
		/* Regular files: the bytes after the position (file_ioctl). */
		if (f->inode && S_ISREG(f->inode->mode) && (f->fmode & FMODE_LSEEK)) {
			struct kstat st;
			r = file_getattr(f, &st);
			if (!r) {
				pthread_mutex_lock(&f->pos_lock);
				int n = (int)MAX(0, MIN(st.size - f->pos, INT32_MAX));
				pthread_mutex_unlock(&f->pos_lock);
				r = copy_out(t, arg, &n, sizeof(n)) ? -EFAULT : 0;
			}
			break;
		}
		r = vfs_ioctl(f, t, cmd, arg);
		break;
	default:
		r = vfs_ioctl(f, t, cmd, arg);
		break;
	}
	file_put(f);
	return r;
}

long sys_fsync(struct task *t, const struct syscall_args *a)
{
	struct file *f = task_fget(t, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	int r = vfs_fsync(f);
	file_put(f);
	return r;
}

long sys_fdatasync(struct task *t, const struct syscall_args *a)
{
	return sys_fsync(t, a);
}
