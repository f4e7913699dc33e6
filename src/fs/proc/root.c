/* The root of /proc: the system files, "self", and one directory per
 * process of the caller's PID namespace (and only those). */
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/creds.h"
#include "cvisor/fd_table.h"
#include "cvisor/fs.h"
#include "cvisor/kernel.h"
#include "proc_internal.h"

int proc_snap_get(pid_t pid, struct proc_snap *s)
{
	struct task *self = current_task;
	if (!self)
		return -ESRCH;
	struct kernel *k = self->k;
	int ret = -ESRCH;

	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&k->ts_lock);
	struct thread_group *tg;
	TAILQ_FOREACH(tg, &k->thread_groups, all) {
		if (task_tgid_nr(self, tg) != pid)
			continue;
		struct task *t = TAILQ_FIRST(&tg->tasks);
		if (!t)
			break;
		s->k = k;
		s->pid = pid;
		s->ppid = task_tgid_nr(self, tg->parent);
		s->pgid = tg->pgid;
		s->sid = tg->sid;
		s->nthreads = tg->nr_tasks;
		memcpy(s->comm, t->comm, sizeof(s->comm));
		s->state = tg->exiting ? 'Z' : (t == self ? 'R' : 'S');
		s->start_ns = tg->start_ns;
		s->sigmask = t->sigmask;
		if ((s->mm = t->mm))
			mm_grab(s->mm);
		if ((s->fdt = t->fdt))
			fdt_get(s->fdt);
		if ((s->fs = t->fs))
			fs_context_get(s->fs);
		s->creds = creds_get(t->creds);
		ret = 0;
		break;
	}
	pthread_mutex_unlock(&k->ts_lock);
	return ret;
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

static bool parse_pid(const char *name, pid_t *pid)
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
	if (!parse_pid(name, &pid) || proc_snap_get(pid, &s) < 0)
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
		if (!tg->zombie && n < (int)ARRAY_SIZE(pids))
			pids[n++] = task_tgid_nr(self, tg);
	pthread_mutex_unlock(&k->ts_lock);
	for (int i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "%d", pids[i]);
		emit(ctx, name, proc_ino(pids[i], 0), S_IFDIR);
	}
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
	return sb;
}
