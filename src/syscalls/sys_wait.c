/* wait4 and waitid. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "cvisor/anon_inode.h"
#include "cvisor/kernel.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "cvisor/vfs.h"
#include "fs_util.h"

long sys_wait4(struct task *t, const struct syscall_args *a)
{
	pid_t pid = (pid_t)a->arg[0];
	int options = (int)a->arg[2];
	struct wait_result res = { 0 };

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;	/* -INT_MIN overflows, as Linux checks */
	idtype_t which = P_ALL;
	pid_t id = 0;
	if (pid > 0) {
		which = P_PID;
		id = pid;
	} else if (pid == 0) {
		which = P_PGID;
		id = t->tg->pgid;
	} else if (pid < -1) {
		which = P_PGID;
		id = -pid;
	}
	long ret = task_wait(t, which, id, options | WEXITED, &res);
	if (ret <= 0)
		return ret;
	if (a->arg[1] && copy_out(t, a->arg[1], &res.status, sizeof(int)) < 0)
		return -EFAULT;
	if (a->arg[3]) {
		struct rusage ru;
		rusage_fill(&ru, res.utime_ns, res.stime_ns);
		if (copy_out(t, a->arg[3], &ru, sizeof(ru)) < 0)
			return -EFAULT;
	}
	return ret;
}

/* waitid's P_PIDFD: the process pidfd FD names, which must still be
 * there to wait for (else no child: ECHILD), and whether FD is
 * non-blocking. */
static long pidfd_to_pid(struct task *t, int fd, pid_t *pid, bool *nonblock)
{
	if (fd < 0)
		return -EINVAL;
	struct file *f = task_fget(t, fd);
	if (!f)
		return -EBADF;
	long ret = -EBADF;
	if (f->ops == &pidfd_fops) {
		pthread_mutex_lock(&t->k->ts_lock);
		struct thread_group *tg = pidfd_tg_locked(f);
		*pid = tg ? task_tgid_nr(t, tg) : 0;
		pthread_mutex_unlock(&t->k->ts_lock);
		*nonblock = f->flags & O_NONBLOCK;
		ret = *pid ? 0 : -ECHILD;
	}
	file_put(f);
	return ret;
}

long sys_waitid(struct task *t, const struct syscall_args *a)
{
	idtype_t which = (idtype_t)a->arg[0];
	pid_t id = (pid_t)a->arg[1];
	int options = (int)a->arg[3];
	struct wait_result res = { 0 };

	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD |
			__WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	if (which != P_ALL && which != P_PID && which != P_PGID && which != P_PIDFD)
		return -EINVAL;
	if ((which == P_PID || which == P_PGID) && id <= 0)
		return -EINVAL;
	bool nonblock_fd = false;
	if (which == P_PIDFD) {
		long err = pidfd_to_pid(t, id, &id, &nonblock_fd);
		if (err < 0)
			return err;
		which = P_PID;
	}
	/* A non-blocking pidfd waits as WNOHANG, but says EAGAIN for "not
	 * yet" (kernel_waitid). */
	long ret = task_wait(t, which, id, options | (nonblock_fd ? WNOHANG : 0), &res);
	if (ret < 0)
		return ret;
	if (ret == 0 && nonblock_fd && !(options & WNOHANG))
		return -EAGAIN;
	/* The Linux syscall's fifth argument: the child's rusage. */
	if (a->arg[4]) {
		struct rusage ru;
		rusage_fill(&ru, res.utime_ns, res.stime_ns);
		if (copy_out(t, a->arg[4], &ru, sizeof(ru)) < 0)
			return -EFAULT;
	}
	if (!a->arg[2])
		return 0;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (ret > 0) {
		si.si_signo = SIGCHLD;
		si.si_pid = res.pid;
		si.si_uid = res.uid;
		si.si_code = res.code;
		switch (res.code) {
		case CLD_EXITED:
			si.si_status = WEXITSTATUS(res.status);
			break;
		case CLD_KILLED:
			si.si_status = WTERMSIG(res.status);
			break;
		case CLD_STOPPED:
			si.si_status = WSTOPSIG(res.status);
			break;
		default:
			si.si_status = SIGCONT;
		}
	}
	return copy_out(t, a->arg[2], &si, sizeof(si));
}
