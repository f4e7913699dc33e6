/* pidfd files, as Linux's kernel/pid.c and fork.c pidfd_fops: a file
 * that names a process. It polls readable once the process has exited
 * (every thread gone), and also hung up once it has been reaped.
 *
 * A pidfd outlives the process: it keeps the process's tgid and the
 * kernel-unique serial of its thread group, and finds it again by both
 * under ts_lock (not finding it means reaped). Exits and reaps wake the
 * kernel's pidfd_wq (one for all, as signalfd_wq: a poller of one
 * process may wake for another's exit). */
#include <fcntl.h>
#include <poll.h>

#include "cvisor/anon_inode.h"
#include "cvisor/kernel.h"
#include "cvisor/kernfs.h"
#include "cvisor/task.h"
#include "cvisor/vfs.h"

struct pidfd_file {
	struct file vfs;
	struct kernel *k;
	pid_t tgid;		/* in the root PID namespace */
	uint64_t serial;	/* of its thread group */
};

static struct pidfd_file *PIDFD_F(struct file *f)
{
	return container_of(f, struct pidfd_file, vfs);
}

struct thread_group *pidfd_tg_locked(struct file *f)
{
	struct pidfd_file *p = PIDFD_F(f);
	struct thread_group *tg;
	TAILQ_FOREACH(tg, &p->k->thread_groups, all) {
		if (tg->tgid == p->tgid && tg->serial == p->serial)
			return tg;
	}
	return NULL;
}

int pidfd_tgid(struct file *f)
{
	return PIDFD_F(f)->tgid;
}

static unsigned pidfd_poll(struct file *f, struct poll_table *pt)
{
	struct kernel *k = PIDFD_F(f)->k;
	unsigned mask = 0;

	poll_wait(pt, &k->pidfd_wq);
	pthread_mutex_lock(&k->ts_lock);
	struct thread_group *tg = pidfd_tg_locked(f);
	if (!tg)
		mask = POLLIN | POLLRDNORM | POLLHUP;
	else if (tg->nr_tasks == 0)
		mask = POLLIN | POLLRDNORM;
	pthread_mutex_unlock(&k->ts_lock);
	return mask;
}

/* pidfd_show_fdinfo: the pid, -1 once reaped. */
static void pidfd_show_fdinfo(struct file *f, struct kernfs_buf *b)
{
	struct kernel *k = PIDFD_F(f)->k;
	pthread_mutex_lock(&k->ts_lock);
	pid_t pid = pidfd_tg_locked(f) ? PIDFD_F(f)->tgid : -1;
	pthread_mutex_unlock(&k->ts_lock);
	kernfs_printf(b, "Pid:\t%d\nNSpid:\t%d\n", pid, pid);
}

const struct file_ops pidfd_fops = {
	.poll = pidfd_poll,
	.show_fdinfo = pidfd_show_fdinfo,
};

struct file *pidfd_new_locked(const struct creds *cr, struct thread_group *tg, int flags)
{
	struct file *f = anon_inode_file("pidfd", sizeof(struct pidfd_file), &pidfd_fops, cr,
					 O_RDWR | (flags & O_NONBLOCK));
	struct pidfd_file *p = PIDFD_F(f);
	p->k = tg->k;
	p->tgid = tg->tgid;
	p->serial = tg->serial;
	return f;
}
