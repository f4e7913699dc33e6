/* signalfd, signalfd4. */
#include <sys/signalfd.h>

#include "cvisor/anon_inode.h"
#include "fs_util.h"

static long do_signalfd4(struct task *t, int ufd, uaddr_t umask, size_t size, int flags)
{
	uint64_t mask;
	if (size != sizeof(mask))
		return -EINVAL;
	if (copy_in(t, &mask, umask, sizeof(mask)) < 0)
		return -EFAULT;
	if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	struct file *f = NULL;
	if (ufd != -1) {
		f = task_fget_nopath(t, ufd);
		if (!f)
			return -EBADF;
	}
	long ret = signalfd_setup(t, ufd, mask, flags, &f);
	if (!ret && ufd == -1)
		return task_install_file(t, f, flags & SFD_CLOEXEC);
	file_put(f);
	return ret ? ret : ufd;
}

long sys_signalfd(struct task *t, const struct syscall_args *a)
{
	return do_signalfd4(t, (int)a->arg[0], a->arg[1], a->arg[2], 0);
}

long sys_signalfd4(struct task *t, const struct syscall_args *a)
{
	return do_signalfd4(t, (int)a->arg[0], a->arg[1], a->arg[2], (int)a->arg[3]);
}
