/* execve: replace the calling process's image. Everything that can fail
 * is done on the side (a new mm); the point of no return is the swap. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/fd_table.h"
#include "cvisor/futex.h"
#include "cvisor/kernel.h"
#include "cvisor/loader.h"
#include "cvisor/log.h"
#include "cvisor/posix_timer.h"
#include "cvisor/task.h"
#include "cvisor/vfs.h"

/* Linux's BINPRM_MAX_RECURSION: interpreters of interpreters. */
#define MAX_INTERP_DEPTH 4
#define SHEBANG_MAX 256

struct exec_image {
	char path[VFS_PATH_MAX];
	char **argv;		/* owned when rewritten for #! */
	int argc;
	bool own_argv;
};

/* "#!interp [arg]": rewrites IMG's argv to interp [arg] path argv[1..].
 * Returns 1 if F is a script, 0 if not, -errno on a bad one. */
static int parse_shebang(struct file *f, struct exec_image *img)
{
	char buf[SHEBANG_MAX + 1];
	ssize_t n = vfs_kernel_read(f, buf, SHEBANG_MAX, 0);
	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	buf[n] = '\0';
	char *nl = strchr(buf, '\n');
	if (!nl && n == SHEBANG_MAX)
		return -ENOEXEC;	/* interpreter line too long */
	if (nl)
		*nl = '\0';
	char *p = buf + 2;
	p += strspn(p, " \t");
	char *interp = p;
	p += strcspn(p, " \t");
	char *arg = NULL;
	if (*p) {
		*p++ = '\0';
		p += strspn(p, " \t");
		if (*p) {
			arg = p;
			/* Linux keeps the rest as one argument, minus trailing blanks. */
			char *end = arg + strlen(arg);
			while (end > arg && (end[-1] == ' ' || end[-1] == '\t'))
				*--end = '\0';
		}
	}
	if (!*interp)
		return -ENOEXEC;

	int argc = 0;
	char **argv = xmalloc(((size_t)img->argc + 3) * sizeof(char *));
	argv[argc++] = xstrdup(interp);
	if (arg)
		argv[argc++] = xstrdup(arg);
	argv[argc++] = xstrdup(img->path);
	for (int i = 1; i < img->argc; i++)
		argv[argc++] = img->own_argv ? img->argv[i] : xstrdup(img->argv[i]);
	argv[argc] = NULL;
	if (img->own_argv) {
		free(img->argv[0]);
		free(img->argv);
	}
	img->argv = argv;
	img->argc = argc;
	img->own_argv = true;
	snprintf(img->path, sizeof(img->path), "%s", interp);
	return 1;
}

/* Back to default dispositions, except ignored ones, which lose their
 * flags and masks (execve(2), Linux's flush_signal_handlers); no
 * alternate stack. */
static void reset_signal_handlers(struct task *t)
{
	pthread_mutex_lock(&t->k->ts_lock);
	for (int i = 0; i < NSIG_K; i++) {
		struct sigaction_k *sa = &t->tg->sigactions[i];
		bool ignored = sa->handler == (uint64_t)SIG_IGN;
		*sa = (struct sigaction_k){ .handler = ignored ? (uint64_t)SIG_IGN : 0 };
	}
	pthread_mutex_unlock(&t->k->ts_lock);
	t->altstack = (struct sigaltstack_k){ .flags = SS_DISABLE };
}

/* exec in a multithreaded process: every other task ends first, and the
 * caller takes the process's pid as its tid (Linux's de_thread).
 * -EINTR if the process is being killed meanwhile. */
static int de_thread(struct task *t)
{
	struct kernel *k = t->k;
	struct thread_group *tg = t->tg;
	int ret = 0;
	pthread_mutex_lock(&k->ts_lock);
	struct task *o;
	TAILQ_FOREACH(o, &tg->tasks, tg_entry) {
		if (o != t) {
			o->exit_thread = true;
			o->attention = true;
			task_interrupt_locked(o);
		}
	}
	while (tg->nr_tasks > 1 && !tg->exiting)
		pthread_cond_wait(&k->ts_changed, &k->ts_lock);
	if (tg->exiting) {
		ret = -EINTR;
	} else {
		t->tid = tg->tgid;
		tg->leader = t;
	}
	pthread_mutex_unlock(&k->ts_lock);
	return ret;
}

long task_execve(struct task *t, struct file *f, const char *path, char **argv, int argc,
		 char **envp, char *err, size_t errlen)
{
	struct exec_image *img = xzalloc(sizeof(*img));
	char why[256] = "";
	long ret;

	snprintf(img->path, sizeof(img->path), "%s", path);
	img->argv = argv;
	img->argc = argc;
	for (int depth = 0;; depth++) {
		if (!f && (ret = vfs_open_exec(t, img->path, &f)) < 0)
			goto out;
		ret = parse_shebang(f, img);
		if (ret <= 0)
			break;
		file_put(f);
		f = NULL;
		if (depth == MAX_INTERP_DEPTH) {
			ret = -ELOOP;
			goto out;
		}
	}
	if (ret < 0)
		goto out;

	struct mm *mm = mm_new(t->k);
	struct arch_regs regs;
	struct exec_args ea = { .task = t, .file = f, .filename = path,
				.argv = img->argv, .envp = envp, .creds = t->creds };
	pthread_mutex_lock(&t->k->ts_lock);
	ea.affinity = tg_affinity_locked(t->tg);
	ea.stack_limit = t->tg->rlimits[RLIMIT_STACK].rlim_cur;
	pthread_mutex_unlock(&t->k->ts_lock);
	ret = loader_exec(mm, &ea, &regs, why, sizeof(why));
	if (ret < 0) {
		log_debug("execve %s: %s", img->path, why);
		if (err)
			snprintf(err, errlen, "%s", why);
		mm_put(mm);
		goto out;
	}

	if ((ret = de_thread(t)) < 0) {
		mm_put(mm);
		goto out;
	}
	/* The point of no return. The old image's robust futexes die with
	 * it (Linux's exec_mm_release). */
	futex_task_exit(t);
	t->robust_list = 0;
	t->clear_child_tid = 0;
	mm->exe = f;
	f = NULL;
	pthread_mutex_lock(&t->k->ts_lock);
	struct mm *old = t->mm;
	t->mm = mm;
	t->tg->did_exec = true;
	const char *base = strrchr(img->path, '/');
	base = base ? base + 1 : img->path;
	memset(t->comm, 0, sizeof(t->comm));
	memcpy(t->comm, base, strnlen(base, sizeof(t->comm) - 1));
	pthread_mutex_unlock(&t->k->ts_lock);
	/* The old stub's CPU time stays the task's: the CPU clocks count
	 * on across exec. Added once the stub is gone, so that no sample
	 * counts it twice. */
	int64_t old_cpu = t->ctx ? t->k->platform.ops->ctx_cpu_ns(t->ctx) : 0;
	mm_put(old);	/* this thread traces the old stub: it goes now */
	t->app_cpu_before_exec += old_cpu;
	t->regs.r = regs.r;
	arch_fpu_reset(&t->regs.fpu);
	fdt_close_on_exec(t->fdt);
	reset_signal_handlers(t);
	posix_timers_release(t->tg);	/* exit_itimers */
	task_vfork_release(t);
	ret = 0;
out:
	if (f)
		file_put(f);
	if (img->own_argv) {
		for (int i = 0; i < img->argc; i++)
			free(img->argv[i]);
		free(img->argv);
	}
	free(img);
	return ret;
}
