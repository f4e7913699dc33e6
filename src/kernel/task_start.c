/* Creating the first process (PID 1) and waiting for it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cvisor/creds.h"
#include "cvisor/fd_table.h"
#include "cvisor/kernel.h"
#include "cvisor/loader.h"
#include "cvisor/log.h"
#include "cvisor/task.h"
#include "cvisor/tty.h"
#include "cvisor/vfs.h"

static void set_default_rlimits(struct thread_group *tg, struct kernel *k)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		tg->rlimits[i] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	tg->rlimits[RLIMIT_STACK] = (struct rlimit){ 8 << 20, RLIM_INFINITY };
	tg->rlimits[RLIMIT_CORE] = (struct rlimit){ 0, RLIM_INFINITY };
	tg->rlimits[RLIMIT_NOFILE] = (struct rlimit){ 1024, 1 << 20 };
	tg->rlimits[RLIMIT_NPROC] = (struct rlimit){ k->max_tasks, k->max_tasks };
	tg->rlimits[RLIMIT_SIGPENDING] = (struct rlimit){ 63432, 63432 };
	tg->rlimits[RLIMIT_MSGQUEUE] = (struct rlimit){ 819200, 819200 };
	tg->rlimits[RLIMIT_MEMLOCK] = (struct rlimit){ 8 << 20, 8 << 20 };
}

/* The task and thread group of PID 1, not yet running. */
static struct task *create_init(struct kernel *k, const struct process_args *pa, int *err)
{
	pthread_mutex_lock(&k->ts_lock);
	struct thread_group *tg = tg_alloc_locked(k, NULL, 0);
	tg->pgid = tg->sid = tg->tgid;
	set_default_rlimits(tg, k);
	struct task *t = task_alloc(k, tg);
	t->tid = tg->tgid;
	tg->leader = t;
	k->root_pidns->init = tg;
	TAILQ_INSERT_TAIL(&tg->tasks, t, tg_entry);
	tg->nr_tasks = 1;
	k->nr_tasks = 1;
	pthread_mutex_unlock(&k->ts_lock);

	t->mm = mm_new(k);
	t->creds = creds_new_user(k->root_userns, pa->uid, pa->gid);
	t->utsns = k->root_utsns;
	t->fs = fs_context_new(k->mntns, pa->cwd ? pa->cwd : "/", err);
	if (!t->fs && pa->cwd_fallback)
		t->fs = fs_context_new(k->mntns, "/", err);
	if (!t->fs) {
		log_error("working directory %s: %s", pa->cwd, strerror(-*err));
		return NULL;
	}
	t->fdt = fdt_new();
	for (int i = 0; i < 3; i++)
		if (pa->stdio[i]) {
			struct tty *tty = tty_of_file(pa->stdio[i]);
			if (tty && !tg->ctty)
				tty_attach_init(tty, tg);
			fdt_install_at(t->fdt, i, pa->stdio[i], false);
			file_put(pa->stdio[i]);
		}
	return t;
}

static const char *env_path(char *const *envp)
{
	for (; envp && *envp; envp++)
		if (strncmp(*envp, "PATH=", 5) == 0)
			return *envp + 5;
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/* execvp's search inside the sandbox: a name without '/' is looked up in
 * $PATH; EACCES is remembered but the search goes on, as execvp does. */
static int open_program(struct task *t, const char *name, char *const *envp,
			struct file **f, char *path, size_t pathlen)
{
	if (strchr(name, '/')) {
		snprintf(path, pathlen, "%s", name);
		return vfs_open_exec(t, name, f);
	}
	int ret = -ENOENT;
	const char *p = env_path(envp);
	while (*p) {
		const char *colon = strchrnul(p, ':');
		int dirlen = (int)(colon - p);
		snprintf(path, pathlen, "%.*s%s%s", dirlen, p, dirlen ? "/" : "", name);
		int r = vfs_open_exec(t, path, f);
		if (r == 0)
			return 0;
		if (r == -EACCES)
			ret = r;
		p = *colon ? colon + 1 : colon;
	}
	return ret;
}

int kernel_start(struct kernel *k, const struct process_args *pa)
{
	char path[4096], err[256] = "";
	struct file *f;
	int ret;

	if (k->started || !k->mntns)
		return -EINVAL;
	k->started = true;
	struct task *t = create_init(k, pa, &ret);
	if (!t)
		return ret;

	ret = open_program(t, pa->filename, pa->envp, &f, path, sizeof(path));
	if (ret < 0) {
		if (ret == -ENOENT)
			log_error("%s: command not found", pa->filename);
		else
			log_error("%s: cannot execute: %s", pa->filename, strerror(-ret));
		return ret;
	}
	file_put(f);
	int argc = 0;
	while (pa->argv[argc])
		argc++;
	ret = (int)task_execve(t, NULL, path, (char **)pa->argv, argc, (char **)pa->envp, err,
			       sizeof(err));
	if (ret < 0) {
		log_error("%s: cannot execute: %s", path, err[0] ? err : strerror(-ret));
		return ret == -ENOMEM || ret == -EACCES || ret == -ENOENT ? ret : -ENOEXEC;
	}

	ret = task_start(t);
	if (ret < 0)
		log_error("cannot start the first task: %s", strerror(-ret));
	return ret;
}

int kernel_wait(struct kernel *k)
{
	pthread_mutex_lock(&k->ts_lock);
	while (!k->init_exited || k->nr_tasks > 0)
		pthread_cond_wait(&k->ts_changed, &k->ts_lock);
	int status = k->init_status;
	pthread_mutex_unlock(&k->ts_lock);
	return status;
}
