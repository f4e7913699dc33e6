/* signalfd files, as Linux's fs/signalfd.c: a read takes pending signals
 * of the mask from the reading task (its own, then its process's) as
 * struct signalfd_siginfo, waiting for the first one; poll reports
 * POLLIN while the poller has one pending. The kernel's signalfd_wq is
 * woken whenever a signal is queued. */
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/signalfd.h>

#include "cvisor/anon_inode.h"
#include "cvisor/kernel.h"
#include "cvisor/kernfs.h"
#include "cvisor/signal.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "cvisor/vfs.h"

struct signalfd_file {
	struct file vfs;
	_Atomic uint64_t sigmask;	/* the signals it reads */
};

static struct signalfd_file *SIGNALFD_F(struct file *f)
{
	return container_of(f, struct signalfd_file, vfs);
}

static bool sig_fault(int sig)
{
	return SIG_BIT(sig) & (SIG_SYNC_SET & ~SIG_BIT(SIGSYS));
}

/* signalfd_copyinfo: the fields of INFO's layout (siginfo_layout). */
static void signalfd_copyinfo(struct signalfd_siginfo *ssi, const siginfo_t *info)
{
	int sig = info->si_signo, code = info->si_code;
	memset(ssi, 0, sizeof(*ssi));
	ssi->ssi_signo = (uint32_t)sig;
	ssi->ssi_errno = info->si_errno;
	ssi->ssi_code = code;
	if (code == SI_TIMER) {
		ssi->ssi_tid = (uint32_t)info->si_timerid;
		ssi->ssi_overrun = (uint32_t)info->si_overrun;
		ssi->ssi_ptr = (uint64_t)(uintptr_t)info->si_ptr;
		ssi->ssi_int = info->si_int;
	} else if (code == SI_SIGIO || (sig == SIGIO && code > 0)) {
		ssi->ssi_band = (uint32_t)info->si_band;
		ssi->ssi_fd = info->si_fd;
	} else if (code < 0) {
		ssi->ssi_pid = (uint32_t)info->si_pid;
		ssi->ssi_uid = info->si_uid;
		ssi->ssi_ptr = (uint64_t)(uintptr_t)info->si_ptr;
		ssi->ssi_int = info->si_int;
	} else if (code > 0 && sig == SIGCHLD) {
		ssi->ssi_pid = (uint32_t)info->si_pid;
		ssi->ssi_uid = info->si_uid;
		ssi->ssi_status = info->si_status;
		ssi->ssi_utime = (uint64_t)info->si_utime;
		ssi->ssi_stime = (uint64_t)info->si_stime;
	} else if (code > 0 && sig_fault(sig)) {
		ssi->ssi_addr = (uint64_t)(uintptr_t)info->si_addr;
	} else {
		ssi->ssi_pid = (uint32_t)info->si_pid;
		ssi->ssi_uid = info->si_uid;
	}
}

/* Takes one signal of MASK pending for T into INFO, waiting for it unless
 * NONBLOCK (signalfd_dequeue): the signal, -EAGAIN or -ERESTARTSYS. */
static int signalfd_dequeue(struct task *t, uint64_t mask, bool nonblock, siginfo_t *info)
{
	struct kernel *k = t->k;
	struct waiter w = { 0 };
	int ret;

	for (;;) {
		waiter_prepare(&w, t, &t->k->signalfd_wq);
		pthread_mutex_lock(&k->ts_lock);
		ret = signal_dequeue_locked(t, mask, info);
		if (ret)
			signal_recalc_locked(t);
		pthread_mutex_unlock(&k->ts_lock);
		if (ret)
			break;
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		if (waiter_sleep(&w, -1)) {
			ret = -ERESTARTSYS;
			break;
		}
	}
	waiter_finish(&w);
	return ret;
}

static ssize_t signalfd_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct task *t = current_task;
	size_t count = iov_total(iov, cnt) / sizeof(struct signalfd_siginfo);
	size_t done = 0;

	if (!count)
		return -EINVAL;
	if (!t)
		return -EAGAIN;
	uint64_t mask = SIGNALFD_F(f)->sigmask;
	bool nonblock = f->flags & O_NONBLOCK;
	for (; done < count; done++) {
		siginfo_t info;
		int ret = signalfd_dequeue(t, mask, nonblock || done, &info);
		if (ret < 0) {
			if (done)
				break;
			return ret;
		}
		struct signalfd_siginfo ssi;
		signalfd_copyinfo(&ssi, &info);
		iov_copy_to(iov, cnt, done * sizeof(ssi), &ssi, sizeof(ssi));
	}
	return (ssize_t)(done * sizeof(struct signalfd_siginfo));
}

static unsigned signalfd_poll(struct file *f, struct poll_table *pt)
{
	struct task *t = current_task;
	if (!t)
		return 0;
	uint64_t mask = SIGNALFD_F(f)->sigmask;
	poll_wait(pt, &t->k->signalfd_wq);
	pthread_mutex_lock(&t->k->ts_lock);
	bool pending = (t->pending.set | t->tg->shared_pending.set) & mask;
	pthread_mutex_unlock(&t->k->ts_lock);
	return pending ? POLLIN | POLLRDNORM : 0;
}

static void signalfd_show_fdinfo(struct file *f, struct kernfs_buf *b)
{
	kernfs_printf(b, "sigmask:\t%016llx\n", (unsigned long long)SIGNALFD_F(f)->sigmask);
}

/* No write (EINVAL), no llseek (ESPIPE). */
const struct file_ops signalfd_fops = {
	.read = signalfd_read,
	.poll = signalfd_poll,
	.show_fdinfo = signalfd_show_fdinfo,
};

long signalfd_setup(struct task *t, int ufd, uint64_t mask, int flags, struct file **out)
{
	if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	mask &= ~SIG_UNBLOCKABLE;
	if (ufd != -1) {
		struct file *f = *out;
		if (f->ops != &signalfd_fops)
			return -EINVAL;
		SIGNALFD_F(f)->sigmask = mask;
		waitqueue_wake_key(&t->k->signalfd_wq, POLLIN | POLLRDNORM);
		return 0;
	}
	struct file *f = anon_inode_file("signalfd", sizeof(struct signalfd_file), &signalfd_fops,
					 t->creds, O_RDWR | (flags & O_NONBLOCK));
	SIGNALFD_F(f)->sigmask = mask;
	*out = f;
	return 0;
}
