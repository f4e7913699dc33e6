/* Sending signals: kill, tkill, tgkill, rt_sigqueueinfo,
 * rt_tgsigqueueinfo, pidfd_send_signal. */
#include <signal.h>
#include <string.h>

#include "cvisor/anon_inode.h"
#include "cvisor/kernel.h"
#include "cvisor/signal.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "cvisor/vfs.h"
#include "fs_util.h"

/* Linux 6.9's pidfd_send_signal flags, newer than our uapi headers. */
#ifndef PIDFD_SIGNAL_THREAD_GROUP
#define PIDFD_SIGNAL_THREAD_GROUP (1U << 1)
#endif

static bool valid_signal(int sig)
{
	return sig >= 0 && sig <= NSIG_K;
}

/* Sends INFO to process TG (or task T of it) after the permission check;
 * signal 0 only checks. ts_lock held. */
static int send_checked(struct task *sender, struct thread_group *tg, struct task *t,
			const siginfo_t *info)
{
	/* Linux finds the target before it looks at the signal. */
	if (!valid_signal(info->si_signo))
		return -EINVAL;
	if (!signal_may_send_locked(sender, tg, info->si_signo))
		return -EPERM;
	if (!info->si_signo)
		return 0;
	return signal_send_locked(tg, t, info);
}

/* kill(-1, sig): every process but init and the caller. As Linux, only
 * errors other than EPERM are reported. */
static long kill_all(struct task *t, int sig)
{
	int ret = 0, count = 0;
	pthread_mutex_lock(&t->k->ts_lock);
	struct thread_group *tg;
	TAILQ_FOREACH(tg, &t->k->thread_groups, all) {
		if (tg == t->tg || tg == tg->pidns->init)
			continue;
		siginfo_t si;
		siginfo_from(&si, sig, SI_USER, t, tg);
		int r = send_checked(t, tg, NULL, &si);
		count++;
		if (r != -EPERM)
			ret = r;
	}
	pthread_mutex_unlock(&t->k->ts_lock);
	return count ? ret : -ESRCH;
}

long sys_kill(struct task *t, const struct syscall_args *a)
{
	pid_t pid = (pid_t)a->arg[0];
	int sig = (int)a->arg[1];

	if (pid == -1)
		return kill_all(t, sig);
	if (pid <= 0) {
		if (pid == INT32_MIN)
			return -ESRCH;
		pthread_mutex_lock(&t->k->ts_lock);
		pid_t pgid = pid ? -pid : t->tg->pgid;
		pthread_mutex_unlock(&t->k->ts_lock);
		return signal_send_pgrp(t, pgid, sig, SI_USER);
	}
	pthread_mutex_lock(&t->k->ts_lock);
	struct thread_group *tg = tg_lookup_locked(t, pid);
	int ret = -ESRCH;
	if (tg) {
		siginfo_t si;
		siginfo_from(&si, sig, SI_USER, t, tg);
		ret = send_checked(t, tg, NULL, &si);
	}
	pthread_mutex_unlock(&t->k->ts_lock);
	return ret;
}

/* Thread-directed: task TID, of process TGID unless TGID is 0 (tkill). */
static long send_to_thread(struct task *t, pid_t tgid, pid_t tid, siginfo_t *si)
{
	pthread_mutex_lock(&t->k->ts_lock);
	struct task *target = task_lookup_locked(t, tid);
	int ret = -ESRCH;
	if (target && (!tgid || task_tgid_nr(t, target->tg) == tgid))
		ret = send_checked(t, target->tg, target, si);
	pthread_mutex_unlock(&t->k->ts_lock);
	return ret;
}

static long tkill_common(struct task *t, pid_t tgid, pid_t tid, int sig)
{
	siginfo_t si;
	pthread_mutex_lock(&t->k->ts_lock);
	siginfo_from(&si, sig, SI_TKILL, t, t->tg);
	pthread_mutex_unlock(&t->k->ts_lock);
	return send_to_thread(t, tgid, tid, &si);
}

long sys_tkill(struct task *t, const struct syscall_args *a)
{
	pid_t tid = (pid_t)a->arg[0];
	if (tid <= 0)
		return -EINVAL;
	return tkill_common(t, 0, tid, (int)a->arg[1]);
}

long sys_tgkill(struct task *t, const struct syscall_args *a)
{
	pid_t tgid = (pid_t)a->arg[0], tid = (pid_t)a->arg[1];
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	return tkill_common(t, tgid, tid, (int)a->arg[2]);
}

/* The siginfo of rt_sigqueueinfo: the caller's, except that it may not
 * pretend to be the kernel or kill(2) when signalling someone else. */
static int queueinfo_in(struct task *t, uaddr_t uinfo, int sig, bool self, siginfo_t *si)
{
	if (copy_in(t, si, uinfo, sizeof(*si)) < 0)
		return -EFAULT;
	if ((si->si_code >= 0 || si->si_code == SI_TKILL) && !self)
		return -EPERM;
	si->si_signo = sig;
	return 0;
}

long sys_rt_sigqueueinfo(struct task *t, const struct syscall_args *a)
{
	pid_t pid = (pid_t)a->arg[0];
	siginfo_t si;
	int ret = queueinfo_in(t, a->arg[2], (int)a->arg[1], pid == task_tgid_nr(t, t->tg), &si);
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&t->k->ts_lock);
	struct thread_group *tg = tg_lookup_locked(t, pid);
	ret = tg ? send_checked(t, tg, NULL, &si) : -ESRCH;
	pthread_mutex_unlock(&t->k->ts_lock);
	return ret;
}

long sys_rt_tgsigqueueinfo(struct task *t, const struct syscall_args *a)
{
	pid_t tgid = (pid_t)a->arg[0], tid = (pid_t)a->arg[1];
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	siginfo_t si;
	int ret = queueinfo_in(t, a->arg[3], (int)a->arg[2], tid == task_tid_nr(t, t), &si);
	if (ret < 0)
		return ret;
	return send_to_thread(t, tgid, tid, &si);
}

/* pidfd_send_signal: kill(2), or rt_sigqueueinfo(2) with INFO, to the
 * process a pidfd names. Of the flags, PIDFD_SIGNAL_THREAD_GROUP (what a
 * process pidfd does anyway); PIDFD_SIGNAL_THREAD and
 * PIDFD_SIGNAL_PROCESS_GROUP are not supported yet (EINVAL). */
long sys_pidfd_send_signal(struct task *t, const struct syscall_args *a)
{
	int sig = (int)a->arg[1];
	uaddr_t uinfo = a->arg[2];
	unsigned flags = (unsigned)a->arg[3];
	siginfo_t si;

	if (flags & ~PIDFD_SIGNAL_THREAD_GROUP)
		return -EINVAL;
	struct file *f = task_fget(t, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	long ret = -EBADF;
	if (f->ops != &pidfd_fops)
		goto out_put;
	if (uinfo) {
		ret = -EFAULT;
		if (copy_in(t, &si, uinfo, sizeof(si)) < 0)
			goto out_put;
		ret = -EINVAL;
		if (si.si_signo != sig)
			goto out_put;
		/* Only the process's own leader thread may pretend to be
		 * kill(2) or the kernel. */
		ret = -EPERM;
		if ((si.si_code >= 0 || si.si_code == SI_TKILL) &&
		    task_tid_nr(t, t) != pidfd_tgid(f))
			goto out_put;
	}
	pthread_mutex_lock(&t->k->ts_lock);
	struct thread_group *tg = pidfd_tg_locked(f);
	ret = -ESRCH;
	if (tg) {
		if (!uinfo)
			siginfo_from(&si, sig, SI_USER, t, tg);
		ret = send_checked(t, tg, NULL, &si);
	}
	pthread_mutex_unlock(&t->k->ts_lock);
out_put:
	file_put(f);
	return ret;
}
