/* pipe, pipe2. */
#include "cvisor/pipe.h"
#include "fs_util.h"

static long do_pipe2(struct task *t, uaddr_t ufds, int flags)
{
	struct file *files[2];
	int fds[2];
	long err = 0;

	/* O_DIRECT (packet mode) and O_NOTIFICATION_PIPE are not supported. */
	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	pipe_create(t->creds, flags, files);
	fds[0] = fdt_install(t->fdt, files[0], flags & O_CLOEXEC, 0, task_nofile(t));
	if (fds[0] < 0) {
		err = fds[0];
		goto out_put;
	}
	fds[1] = fdt_install(t->fdt, files[1], flags & O_CLOEXEC, 0, task_nofile(t));
	if (fds[1] < 0) {
		err = fds[1];
		fdt_close(t->fdt, fds[0]);
		goto out_put;
	}
	/* Linux copies the numbers out before installing the files; here
	 * they are taken back instead (as gVisor), so none leak. */
	if (copy_out(t, ufds, fds, sizeof(fds))) {
		fdt_close(t->fdt, fds[0]);
		fdt_close(t->fdt, fds[1]);
		err = -EFAULT;
	}
out_put:
	file_put(files[0]);
	file_put(files[1]);
	return err;
}

long sys_pipe(struct task *t, const struct syscall_args *a)
{
	return do_pipe2(t, a->arg[0], 0);
}

long sys_pipe2(struct task *t, const struct syscall_args *a)
{
	return do_pipe2(t, a->arg[0], (int)a->arg[1]);
}
