/* POSIX timers (timer_create and friends) and timerfds: the argument
 * handling; the objects are in kernel/posix_timer.c and fs/timerfd. */
#include <linux/capability.h>
#include <sys/timerfd.h>

#include "cvisor/creds.h"
#include "cvisor/fd_table.h"
#include "cvisor/posix_timer.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "cvisor/timerfd.h"
#include "cvisor/vfs.h"
#include "fs_util.h"

#ifndef CLOCK_REALTIME_ALARM
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#endif

/* An itimerspec from the application: both halves valid timespecs
 * (itimerspec64_valid). */
static int itimerspec_in(struct task *t, uaddr_t addr, int64_t *value, int64_t *interval)
{
	struct itimerspec its;
	if (copy_in(t, &its, addr, sizeof(its)) < 0)
		return -EFAULT;
	if (timespec_to_ns(&its.it_value, value) < 0 ||
	    timespec_to_ns(&its.it_interval, interval) < 0)
		return -EINVAL;
	return 0;
}

static int itimerspec_out(struct task *t, uaddr_t addr, int64_t value, int64_t interval)
{
	struct itimerspec its = { .it_interval = ns_to_timespec(interval),
				  .it_value = ns_to_timespec(value) };
	return copy_out(t, addr, &its, sizeof(its)) < 0 ? -EFAULT : 0;
}

long sys_timer_create(struct task *t, const struct syscall_args *a)
{
	struct sigevent sev;
	int id;

	if (a->arg[1] && copy_in(t, &sev, a->arg[1], sizeof(sev)) < 0)
		return -EFAULT;
	int ret = posix_timer_create(t, (clockid_t)a->arg[0], a->arg[1] ? &sev : NULL, &id);
	if (ret < 0)
		return ret;
	if (copy_out(t, a->arg[2], &id, sizeof(id)) < 0) {
		posix_timer_delete(t, id);
		return -EFAULT;
	}
	return 0;
}

long sys_timer_settime(struct task *t, const struct syscall_args *a)
{
	int64_t value, interval, old_value, old_interval;

	if (!a->arg[2])
		return -EINVAL;
	int ret = itimerspec_in(t, a->arg[2], &value, &interval);
	if (ret < 0)
		return ret;
	ret = posix_timer_settime(t, (int)a->arg[0], a->arg[1] & TIMER_ABSTIME, value, interval,
				  &old_value, &old_interval);
	if (ret < 0)
		return ret;
	if (a->arg[3])
		return itimerspec_out(t, a->arg[3], old_value, old_interval);
	return 0;
}

long sys_timer_gettime(struct task *t, const struct syscall_args *a)
{
	int64_t value, interval;
	int ret = posix_timer_gettime(t, (int)a->arg[0], &value, &interval);
	if (ret < 0)
		return ret;
	return itimerspec_out(t, a->arg[1], value, interval);
}

long sys_timer_getoverrun(struct task *t, const struct syscall_args *a)
{
	return posix_timer_getoverrun(t, (int)a->arg[0]);
}

long sys_timer_delete(struct task *t, const struct syscall_args *a)
{
	return posix_timer_delete(t, (int)a->arg[0]);
}

long sys_timerfd_create(struct task *t, const struct syscall_args *a)
{
	clockid_t clock = (clockid_t)a->arg[0];
	int flags = (int)a->arg[1];

	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
		break;
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		if (!creds_has_cap(t->creds, CAP_WAKE_ALARM))
			return -EPERM;
		/* The sandbox never suspends: the plain clocks. */
		clock = clock == CLOCK_REALTIME_ALARM ? CLOCK_REALTIME : CLOCK_BOOTTIME;
		break;
	default:
		return -EINVAL;
	}
	struct file *f = timerfd_new(t, clock, flags);
	int fd = fdt_install(t->fdt, f, flags & TFD_CLOEXEC, 0, task_nofile(t));
	file_put(f);
	return fd;
}

long sys_timerfd_settime(struct task *t, const struct syscall_args *a)
{
	int flags = (int)a->arg[1];
	int64_t value, interval, old_value, old_interval;

	if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	int ret = itimerspec_in(t, a->arg[2], &value, &interval);
	if (ret < 0)
		return ret;
	struct file *f = fdt_fget(t->fdt, (int)a->arg[0], NULL);
	if (!f)
		return -EBADF;
	/* TFD_TIMER_CANCEL_ON_SET is accepted; the sandbox's realtime clock
	 * cannot be set, so such a timer is never cancelled (ECANCELED). */
	ret = tfd_settime(t, f, flags & TFD_TIMER_ABSTIME, value, interval, &old_value,
			      &old_interval);
	file_put(f);
	if (ret < 0)
		return ret;
	if (a->arg[3])
		return itimerspec_out(t, a->arg[3], old_value, old_interval);
	return 0;
}

long sys_timerfd_gettime(struct task *t, const struct syscall_args *a)
{
	int64_t value, interval;
	struct file *f = fdt_fget(t->fdt, (int)a->arg[0], NULL);
	if (!f)
		return -EBADF;
	int ret = tfd_gettime(f, &value, &interval);
	file_put(f);
	if (ret < 0)
		return ret;
	return itimerspec_out(t, a->arg[1], value, interval);
}
