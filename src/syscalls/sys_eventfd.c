/* eventfd, eventfd2. */
#include <sys/eventfd.h>

#include "cvisor/anon_inode.h"
#include "fs_util.h"

static long do_eventfd(struct task *t, unsigned initval, int flags)
{
	struct file *f;
	long err = eventfd_create(t->creds, initval, flags, &f);
	if (err)
		return err;
	return task_install_file(t, f, flags & EFD_CLOEXEC);
}

long sys_eventfd(struct task *t, const struct syscall_args *a)
{
	return do_eventfd(t, (unsigned)a->arg[0], 0);
}

long sys_eventfd2(struct task *t, const struct syscall_args *a)
{
	return do_eventfd(t, (unsigned)a->arg[0], (int)a->arg[1]);
}
