/* epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait and
 * epoll_pwait2 (fs/eventpoll.c's syscalls): argument checks and copies;
 * the sets themselves are fs/eventpoll. A deadline is on the sandbox's
 * monotonic clock: 0 for no waiting, -1 for none. */
#include <stdlib.h>

#include "cvisor/eventpoll.h"
#include "cvisor/kernel.h"
#include "cvisor/signal.h"
#include "fs_util.h"

/* The most events one call can ask for (EP_MAX_EVENTS). */
#define EP_MAX_EVENTS (INT32_MAX / (int)sizeof(struct epoll_event))
/* Events gathered per call: a caller asking for more gets at most this
 * many, which epoll_wait's "up to maxevents" allows. As many as one
 * process can have fds (fs.nr_open), since callers such as CPython's
 * selectors expect every ready fd at once; the buffer is only touched as
 * far as events are found. */
#define EP_BATCH (1 << 20)

static long do_epoll_create(struct task *t, int flags)
{
	struct file *f;
	long err = eventpoll_create(t->creds, flags, &f);
	if (err)
		return err;
	return task_install_file(t, f, flags & EPOLL_CLOEXEC);
}

long sys_epoll_create(struct task *t, const struct syscall_args *a)
{
	if ((int)a->arg[0] <= 0)
		return -EINVAL;
	return do_epoll_create(t, 0);
}

long sys_epoll_create1(struct task *t, const struct syscall_args *a)
{
	return do_epoll_create(t, (int)a->arg[0]);
}

long sys_epoll_ctl(struct task *t, const struct syscall_args *a)
{
	int epfd = (int)a->arg[0], op = (int)a->arg[1], fd = (int)a->arg[2];
	struct epoll_event ev = { 0 };
	long err = -EBADF;

	if (op != EPOLL_CTL_DEL && copy_in(t, &ev, a->arg[3], sizeof(ev)) < 0)
		return -EFAULT;
	struct file *epf = task_fget_nopath(t, epfd);
	if (!epf)
		return -EBADF;
	struct file *tf = task_fget_nopath(t, fd);
	if (!tf)
		goto out_put_ep;
	err = eventpoll_ctl(epf, op, tf, fd, &ev);
	file_put(tf);
out_put_ep:
	file_put(epf);
	return err;
}

static long do_epoll_wait(struct task *t, int epfd, uaddr_t uevents, int maxevents,
			  int64_t deadline)
{
	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
		return -EINVAL;
	struct file *f = task_fget_nopath(t, epfd);
	if (!f)
		return -EBADF;
	long n = -EINVAL;
	if (!is_file_epoll(f))
		goto out_put;
	int max = MIN(maxevents, EP_BATCH);
	struct epoll_event *evs = xmalloc(sizeof(*evs) * (size_t)max);
	n = eventpoll_wait(t, f, evs, max, deadline);
	if (n > 0 && copy_out(t, uevents, evs, sizeof(*evs) * (size_t)n) < 0)
		n = -EFAULT;
	free(evs);
out_put:
	file_put(f);
	return n;
}

/* do_epoll_pwait: the mask stays for a handler to record when the wait
 * was interrupted, and goes now otherwise. */
static long do_epoll_pwait(struct task *t, const struct syscall_args *a, int64_t deadline)
{
	int err = set_user_sigmask(t, a->arg[4], a->arg[5]);
	if (err)
		return err;
	long ret = do_epoll_wait(t, (int)a->arg[0], a->arg[1], (int)a->arg[2], deadline);
	if (ret != -EINTR)
		signal_restore_saved_mask(t);
	return ret;
}

static int64_t ms_deadline(struct task *t, int ms)
{
	if (ms < 0)
		return -1;
	return ms ? kernel_monotonic_ns(t->k) + (int64_t)ms * 1000000 : 0;
}

long sys_epoll_wait(struct task *t, const struct syscall_args *a)
{
	return do_epoll_wait(t, (int)a->arg[0], a->arg[1], (int)a->arg[2],
			     ms_deadline(t, (int)a->arg[3]));
}

long sys_epoll_pwait(struct task *t, const struct syscall_args *a)
{
	return do_epoll_pwait(t, a, ms_deadline(t, (int)a->arg[3]));
}

long sys_epoll_pwait2(struct task *t, const struct syscall_args *a)
{
	int64_t deadline = -1;
	if (a->arg[3]) {
		struct timespec ts;
		int64_t ns;
		if (copy_in(t, &ts, a->arg[3], sizeof(ts)) < 0)
			return -EFAULT;
		if (timespec_to_ns(&ts, &ns) < 0)
			return -EINVAL;
		deadline = ns ? kernel_monotonic_ns(t->k) + ns : 0;
	}
	return do_epoll_pwait(t, a, deadline);
}
