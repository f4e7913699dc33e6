/* execve: copying the program's path, arguments and environment in. */
#include <stdlib.h>
#include <string.h>

#include "cvisor/syscalls.h"
#include "cvisor/task.h"

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

long sys_execve(struct task *t, const struct syscall_args *a)
{
	char *path = xmalloc(4096);
	struct str_array argv = { 0 }, envp = { 0 };
	size_t total = 0;
	long ret = copy_in_string(t, path, a->arg[0], 4096);
	if (ret < 0)
		goto out;
	if ((ret = copy_in_strings(t, a->arg[1], &argv, &total)) < 0 ||
	    (ret = copy_in_strings(t, a->arg[2], &envp, &total)) < 0)
		goto out;
	ret = task_execve(t, path, argv.v, argv.n, envp.v, NULL, 0);
out:
	str_array_free(&argv);
	str_array_free(&envp);
	free(path);
	return ret;
}
