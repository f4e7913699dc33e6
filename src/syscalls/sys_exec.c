/* execve and execveat: copying the program's path, arguments and
 * environment in. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/creds.h"
#include "fs_util.h"

#define MAX_ARG_STRLEN (32 * PAGE_SIZE)	/* Linux's per-string limit */
#define ARG_MAX_BYTES (2UL << 20)	/* a quarter of the default 8 MiB stack */

struct str_array {
	char **v;
	int n;
};

static void str_array_free(struct str_array *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* Copies the NULL-terminated array of string pointers at ADDR. */
static long copy_in_strings(struct task *t, uaddr_t addr, struct str_array *s, size_t *total)
{
	int cap = 16;
	s->v = xmalloc((size_t)cap * sizeof(char *));
	s->n = 0;
	for (;; addr += sizeof(uint64_t)) {
		uint64_t p = 0;
		if (addr && copy_in(t, &p, addr, sizeof(p)) < 0)
			return -EFAULT;
		if (!p)
			break;
		char *str = xmalloc(MAX_ARG_STRLEN);
		long len = copy_in_string(t, str, p, MAX_ARG_STRLEN);
		if (len < 0) {
			free(str);
			return len == -ENAMETOOLONG ? -E2BIG : len;
		}
		*total += (size_t)len + 1 + sizeof(uint64_t);
		if (*total > ARG_MAX_BYTES) {
			free(str);
			return -E2BIG;
		}
		if (s->n + 1 >= cap) {
			cap *= 2;
			s->v = xrealloc(s->v, (size_t)cap * sizeof(char *));
		}
		s->v[s->n++] = xrealloc(str, (size_t)len + 1);
	}
	s->v[s->n] = NULL;
	return 0;
}

/* execve and execveat: F is the program already opened (execveat) or
 * NULL; PATH is what it is called (AT_EXECFN, a script's argument). */
static long do_execve(struct task *t, struct file *f, const char *path, uaddr_t uargv,
		      uaddr_t uenvp)
{
	struct str_array argv = { 0 }, envp = { 0 };
	size_t total = 0;
	long ret;
	if ((ret = copy_in_strings(t, uargv, &argv, &total)) < 0 ||
	    (ret = copy_in_strings(t, uenvp, &envp, &total)) < 0) {
		if (f)
			file_put(f);
	} else {
		ret = task_execve(t, f, path, argv.v, argv.n, envp.v, NULL, 0);
		if (ret == 0)
			task_set_creds(t, creds_exec(t->creds));
	}
	str_array_free(&argv);
	str_array_free(&envp);
	return ret;
}

long sys_execve(struct task *t, const struct syscall_args *a)
{
	char *path;
	long ret = user_path(t, a->arg[0], &path);
	if (ret < 0)
		return ret;
	ret = do_execve(t, NULL, path, a->arg[1], a->arg[2]);
	free(path);
	return ret;
}

/* The name a program run through a directory fd gets, as Linux's
 * alloc_bprm: the path if absolute, else /dev/fd/DIRFD[/PATH]. */
static char *execveat_name(int dirfd, const char *path)
{
	char *name = xmalloc(VFS_PATH_MAX + 32);
	if (path[0] == '/' || dirfd == AT_FDCWD)
		snprintf(name, VFS_PATH_MAX + 32, "%s", path);
	else if (path[0] == '\0')
		snprintf(name, VFS_PATH_MAX + 32, "/dev/fd/%d", dirfd);
	else
		snprintf(name, VFS_PATH_MAX + 32, "/dev/fd/%d/%s", dirfd, path);
	return name;
}

long sys_execveat(struct task *t, const struct syscall_args *a)
{
	int dirfd = (int)a->arg[0];
	int flags = (int)a->arg[4];
	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	char *path;
	long ret = user_path(t, a->arg[1], &path);
	if (ret < 0)
		return ret;
	struct at_base ab;
	ret = at_base_get(t, dirfd, path, flags & AT_EMPTY_PATH, &ab);
	if (ret == 0) {
		unsigned lf = (flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) |
			      (flags & AT_EMPTY_PATH ? LOOKUP_EMPTY : 0);
		struct file *f;
		ret = vfs_open_exec_at(&ab.wb, path, lf, &f);
		at_base_put(&ab);
		if (ret == 0) {
			char *name = execveat_name(dirfd, path);
			ret = do_execve(t, f, name, a->arg[2], a->arg[3]);
			free(name);
		}
	}
	free(path);
	return ret;
}
