/* The root of /proc: the system files, "self", and one directory per
 * process of the caller's PID namespace (and only those). */
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "cvisor/creds.h"
#include "cvisor/fd_table.h"
#include "cvisor/fs.h"
#include "cvisor/kernel.h"
#include "cvisor/net.h"
#include "cvisor/tty.h"
#include "proc_internal.h"

int proc_snap_get(pid_t pid, struct proc_snap *s)
{
	struct task *self = current_task;
	if (!self)
		return -ESRCH;
	struct kernel *k = self->k;

	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&k->ts_lock);
	struct thread_group *tg = tg_lookup_locked(self, pid);
	if (!tg) {
		pthread_mutex_unlock(&k->ts_lock);
		return -ESRCH;
	}
	s->k = k;
	s->pid = pid;
	s->ppid = task_tgid_nr(self, tg->parent);
	s->pgid = task_pgrp_nr(self, tg);
	s->sid = task_session_nr(self, tg);
	s->start_ns = tg->start_ns;
	s->tpgid = tg->ctty && tg->ctty->fg_pgrp ? tg->ctty->fg_pgrp : -1;
	if (tg->ctty) {
		unsigned ma = major(tg->ctty->dev), mi = minor(tg->ctty->dev);
		s->tty_nr = (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
	}
	s->sig_shared_pending = tg->shared_pending.set;
	for (int sig = 1; sig <= NSIG_K; sig++) {
		uint64_t h = tg->sigactions[sig - 1].handler;
		if (h == (uint64_t)SIG_IGN)
			s->sig_ignored |= SIG_BIT(sig);
		else if (h != (uint64_t)SIG_DFL)
			s->sig_caught |= SIG_BIT(sig);
	}
	s->utime_ns = tg->utime_ns;
	s->stime_ns = tg->stime_ns;
	s->cutime_ns = tg->cutime_ns;
	s->cstime_ns = tg->cstime_ns;
	s->nice = tg->sched.nice;
	s->policy = tg->sched.policy;
	s->rt_priority = tg->sched.rt_priority;
	s->rchar = tg->rchar;
	s->wchar = tg->wchar;
	s->syscr = tg->syscr;
	s->syscw = tg->syscw;
	s->affinity = tg->sched.affinity ? tg->sched.affinity
					 : k->ncpus >= 64 ? ~0ULL : (1ULL << k->ncpus) - 1;
	struct task *each;
	TAILQ_FOREACH(each, &tg->tasks, tg_entry) {
		int64_t user, sys;
		task_cpu_times(each, &user, &sys);
		s->utime_ns += user;
		s->stime_ns += sys;
	}
	struct task *t = TAILQ_FIRST(&tg->tasks);
	if (t) {
		s->nthreads = tg->nr_tasks;
		memcpy(s->comm, t->comm, sizeof(s->comm));
		s->state = tg->exiting ? 'Z' : tg->stopped ? 'T' : t->sleeping ? 'S' : 'R';
		s->sigmask = t->sigmask;
		s->sig_pending = t->pending.set;
		if ((s->mm = t->mm))
			mm_grab(s->mm);
		if ((s->fdt = t->fdt))
			fdt_get(s->fdt);
		if ((s->fs = t->fs))
			fs_context_get(s->fs);
		s->creds = creds_get(t->creds);
	} else {
		/* A zombie: what its last task left. Linux counts the dead
		 * leader as a thread until the process is reaped. */
		s->nthreads = 1;
		memcpy(s->comm, tg->exit_comm, sizeof(s->comm));
		s->state = 'Z';
		s->exit_code = tg->exit_status;
		s->creds = creds_get(tg->exit_creds);
	}
	pthread_mutex_unlock(&k->ts_lock);
	return 0;
}

int proc_tids(pid_t pid, pid_t *tids, int max)
{
	struct task *self = current_task;
	if (!self)
		return -ESRCH;
	int n = 0;
	pthread_mutex_lock(&self->k->ts_lock);
	struct thread_group *tg = tg_lookup_locked(self, pid);
	if (tg && TAILQ_EMPTY(&tg->tasks) && max > 0) {
		tids[n++] = pid;	/* a zombie: its dead leader */
	} else if (tg) {
		struct task *t;
		TAILQ_FOREACH(t, &tg->tasks, tg_entry)
			if (n < max)
				tids[n++] = task_tid_nr(self, t);
	}
	pthread_mutex_unlock(&self->k->ts_lock);
	return tg ? n : -ESRCH;
}

void proc_snap_put(struct proc_snap *s)
{
	if (s->mm)
		mm_drop(s->mm);
	if (s->fdt)
		fdt_put(s->fdt);
	if (s->fs)
		fs_context_put(s->fs);
	if (s->creds)
		creds_put(s->creds);
}

static int self_link(void *arg, char *buf, size_t size)
{
	struct task *t = current_task;
	if (!t)
		return -ENOENT;
	int n = snprintf(buf, size, "%d", task_tgid_nr(t, t->tg));
	return (int)MIN((size_t)n, size);
}

bool proc_parse_pid(const char *name, pid_t *pid)
{
	char *end;
	long v = strtol(name, &end, 10);
	if (*name < '1' || *name > '9' || *end || v <= 0 || v > 4194304)
		return false;
	*pid = (pid_t)v;
	return true;
}

static struct inode *root_lookup(struct inode *dir, void *arg, const char *name)
{
	pid_t pid;
	struct proc_snap s;
	if (!proc_parse_pid(name, &pid) || proc_snap_get(pid, &s) < 0)
		return ERR_PTR(-ENOENT);
	proc_snap_put(&s);
	return proc_pid_dir(dir->sb, pid);
}

static void root_list(struct inode *dir, void *arg, kernfs_emit_fn emit, void *ctx)
{
	struct task *self = current_task;
	if (!self)
		return;
	struct kernel *k = self->k;
	/* Collect first: EMIT may copy out to the application. */
	pid_t pids[1024];
	int n = 0;
	pthread_mutex_lock(&k->ts_lock);
	struct thread_group *tg;
	TAILQ_FOREACH(tg, &k->thread_groups, all)
		if (n < (int)ARRAY_SIZE(pids))
			pids[n++] = task_tgid_nr(self, tg);
	pthread_mutex_unlock(&k->ts_lock);
	proc_emit_id_dirs(emit, ctx, pids, n, PROC_INO_PID_DIR);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

void proc_emit_id_dirs(kernfs_emit_fn emit, void *ctx, pid_t *ids, int n,
		       enum proc_ino_entry entry)
{
	/* In increasing order, as the keys must be (and as Linux lists). */
	qsort(ids, (size_t)n, sizeof(*ids), cmp_pid);
	for (int i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "%d", ids[i]);
		emit(ctx, name, proc_ino(ids[i], entry), S_IFDIR, (uint64_t)ids[i]);
	}
}

static int show_net_unix(void *arg, struct kernfs_buf *b)
{
	unix_proc_show(b);
	return 0;
}

static const struct kernfs_dyndir_ops root_ops = {
	.lookup = root_lookup,
	.list = root_list,
};

struct super_block *procfs_new(struct kernel *k)
{
	struct super_block *sb = kernfs_new_sb(k, "proc", PROC_SUPER_MAGIC);
	inode_put(sb->root);
	sb->root = kernfs_new_dyndir(sb, 0555, &root_ops, NULL);
	struct inode *self = kernfs_new_dynlink(sb, self_link, NULL);
	kernfs_add(sb->root, "self", self);
	inode_put(self);
	kernfs_add_symlink(sb->root, "mounts", "self/mounts");
	proc_add_system_files(sb->root);
	/* The sandbox's network: one namespace, so not per process yet. */
	struct inode *net = kernfs_add_dir(sb->root, "net", 0555);
	kernfs_add_file(net, "unix", 0444, show_net_unix, NULL);
	return sb;
}
