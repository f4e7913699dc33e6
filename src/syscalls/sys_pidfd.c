/* pidfd_open: a file naming a process (fs/pidfd). */
#include <sys/pidfd.h>

#include "cvisor/anon_inode.h"
#include "cvisor/kernel.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "cvisor/vfs.h"
#include "fs_util.h"

/* PIDFD_NONBLOCK only: PIDFD_THREAD (pidfds of single threads, Linux
 * 6.9) is not supported yet (EINVAL). */
long sys_pidfd_open(struct task *t, const struct syscall_args *a)
{
	pid_t pid = (pid_t)a->arg[0];
	unsigned flags = (unsigned)a->arg[1];

	if (flags & ~PIDFD_NONBLOCK)
		return -EINVAL;
	if (pid <= 0)
		return -EINVAL;
	pthread_mutex_lock(&t->k->ts_lock);
	struct thread_group *tg = tg_lookup_locked(t, pid);
	/* A thread that does not lead its process: ENOENT (Linux 6.9's
	 * pidfs; EINVAL before), no such pid: ESRCH. */
	long ret = task_lookup_locked(t, pid) ? -ENOENT : -ESRCH;
	struct file *f = tg ? pidfd_new_locked(t->creds, tg, (int)flags) : NULL;
	pthread_mutex_unlock(&t->k->ts_lock);
	if (!f)
		return ret;
	return task_install_file(t, f, true);
}
