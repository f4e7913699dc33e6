/* Shared by the VFS unit tests: a minimal kernel (memory file, clock,
 * ids), root credentials, and small helpers over the VFS API. */
#ifndef CVISOR_TEST_VFS_H
#define CVISOR_TEST_VFS_H

#include <dirent.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cvisor/creds.h"
#include "cvisor/fs.h"
#include "cvisor/kernel.h"
#include "cvisor/vfs.h"

#include "check.h"

static struct kernel test_kernel;
static struct creds root_creds = { .cap_effective = ~0ULL };
static __attribute__((unused)) struct creds user_creds = { .uid = 1000, .euid = 1000, .fsuid = 1000,
				   .gid = 1000, .egid = 1000, .fsgid = 1000 };

static void test_kernel_init(void)
{
	if (memfile_init(&test_kernel.mf, 64 << 20)) {
		printf("FAIL memfile_init\n");
		exit(1);
	}
}

/* Writes SIZE bytes of BUF to NAME (created 0644, truncated). */
__attribute__((unused)) static int put_file(const struct walk_base *wb, const char *name, const char *buf)
{
	struct file *f;
	int err = vfs_open(wb, name, O_WRONLY | O_CREAT | O_TRUNC, 0644, &f);
	if (err)
		return err;
	ssize_t n = vfs_kernel_write(f, buf, strlen(buf), 0);
	file_put(f);
	return n < 0 ? (int)n : 0;
}

/* Reads NAME into BUF (NUL-terminated); the length or -errno. */
__attribute__((unused)) static int get_file(const struct walk_base *wb, const char *name, char *buf, size_t size)
{
	struct file *f;
	int err = vfs_open(wb, name, O_RDONLY, 0, &f);
	if (err)
		return err;
	ssize_t n = vfs_kernel_read(f, buf, size - 1, 0);
	file_put(f);
	if (n >= 0)
		buf[n] = '\0';
	return (int)n;
}

struct listing {
	struct dir_context ctx;
	char names[4096];
};

__attribute__((unused)) static bool listing_emit(struct dir_context *ctx, const char *name, size_t len, uint64_t ino,
			 unsigned type, int64_t next)
{
	struct listing *l = container_of(ctx, struct listing, ctx);
	if (len == 1 && name[0] == '.')
		return true;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return true;
	size_t used = strlen(l->names);
	snprintf(l->names + used, sizeof(l->names) - used, "%s%.*s", used ? " " : "", (int)len,
		 name);
	return true;
}

__attribute__((unused)) static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory NAME, sorted, space-separated (no . and ..). */
__attribute__((unused)) static const char *list_dir(const struct walk_base *wb, const char *name)
{
	static char out[4096];
	struct listing l = { .ctx.emit = listing_emit };
	struct file *f;

	if (vfs_open(wb, name, O_RDONLY | O_DIRECTORY, 0, &f))
		return "<error>";
	int err = vfs_iterate_dir(f, &l.ctx);
	file_put(f);
	if (err)
		return "<error>";
	char *words[256];
	int n = 0;
	for (char *w = strtok(l.names, " "); w && n < 256; w = strtok(NULL, " "))
		words[n++] = w;
	qsort(words, (size_t)n, sizeof(words[0]), cmp_str);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		strcat(out, i ? " " : "");
		strcat(out, words[i]);
	}
	return out;
}

static int test_finish(const char *name)
{
	if (failures) {
		printf("%s: %d failure(s)\n", name, failures);
		return 1;
	}
	printf("%s: ok\n", name);
	return 0;
}

#endif
