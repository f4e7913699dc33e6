/* /proc/<pid>/fd and /proc/<pid>/fdinfo: one entry per open fd of the
 * process (none for a zombie, whose fd table is gone), as Linux's
 * fs/proc/fd.c. An entry's argument carries the pid and the fd in one
 * word; a directory's, the pid and which of the two it is. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/fd_table.h"
#include "cvisor/pipe.h"
#include "proc_internal.h"

#define FD_ARG(pid, fd) ((void *)(((uintptr_t)(pid) << 32) | (uint32_t)(fd)))
#define FD_ARG_PID(arg) ((pid_t)((uintptr_t)(arg) >> 32))
#define FD_ARG_FD(arg) ((int)(uint32_t)(uintptr_t)(arg))

#define DIR_ARG(pid, info) ((void *)(((uintptr_t)(pid) << 1) | (info)))
#define DIR_ARG_PID(arg) ((pid_t)((uintptr_t)(arg) >> 1))
#define DIR_ARG_INFO(arg) ((bool)((uintptr_t)(arg) & 1))

/* The file at FD in process PID's table (a reference), or NULL. */
static struct file *proc_fget(pid_t pid, int fd, bool *cloexec)
{
	struct proc_snap s;
	if (proc_snap_get(pid, &s) < 0)
		return NULL;
	struct file *f = s.fdt ? fdt_fget(s.fdt, fd, cloexec) : NULL;
	proc_snap_put(&s);
	return f;
}

/* fd/N: a symlink to the file's path as the reader sees it. */
static int fd_link_target(void *arg, char *buf, size_t size)
{
	struct file *f = proc_fget(FD_ARG_PID(arg), FD_ARG_FD(arg), NULL);
	if (!f)
		return -ENOENT;
	char tmp[VFS_PATH_MAX];
	int n = vfs_task_file_path(current_task, f, tmp, sizeof(tmp));
	file_put(f);
	if (n < 0)
		return n;
	memcpy(buf, tmp, MIN((size_t)n, size));
	return (int)MIN((size_t)n, size);
}

/* fd/N as a magic link: the open file's own path, or a pipe's on pipefs
 * (reopening it joins the pipe); other anonymous files have none to walk
 * to: -ENOENT. */
static int fd_link_path(void *arg, struct path *out)
{
	struct file *f = proc_fget(FD_ARG_PID(arg), FD_ARG_FD(arg), NULL);
	if (!f)
		return -ENOENT;
	int err = 0;
	if (f->path.dentry) {
		*out = f->path;
		path_get(out);
	} else {
		err = pipe_file_path(f, out);
	}
	file_put(f);
	return err;
}

/* fdinfo/N: Linux's seq_show. The flags are the file's status flags
 * plus O_CLOEXEC for the fd, in octal with a leading 0; mnt_id and ino
 * are what statx says of the file. */
static int show_fdinfo(void *arg, struct kernfs_buf *b)
{
	bool cloexec = false;
	struct file *f = proc_fget(FD_ARG_PID(arg), FD_ARG_FD(arg), &cloexec);
	if (!f)
		return -ENOENT;
	struct kstat st;
	int err = file_getattr(f, &st);
	if (!err) {
		pthread_mutex_lock(&f->pos_lock);
		long long pos = f->pos;
		pthread_mutex_unlock(&f->pos_lock);
		unsigned flags = (unsigned)f->flags | (cloexec ? O_CLOEXEC : 0);
		kernfs_printf(b, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%llu\nino:\t%llu\n", pos, flags,
			      (unsigned long long)st.mnt_id, (unsigned long long)st.ino);
		if (f->ops->show_fdinfo)
			f->ops->show_fdinfo(f, b);
	}
	file_put(f);
	return err;
}

static struct inode *fd_lookup(struct inode *dir, void *arg, const char *name)
{
	char *end;
	long fd = strtol(name, &end, 10);
	if (!*name || *end || fd < 0 || fd >= FDT_NR_OPEN || (name[0] == '0' && name[1]))
		return ERR_PTR(-ENOENT);
	pid_t pid = DIR_ARG_PID(arg);
	struct file *f = proc_fget(pid, (int)fd, NULL);
	if (!f)
		return ERR_PTR(-ENOENT);
	file_put(f);
	struct inode *inode;
	if (DIR_ARG_INFO(arg)) {
		inode = kernfs_new_file(dir->sb, 0444, show_fdinfo, FD_ARG(pid, fd));
	} else {
		inode = kernfs_new_magiclink(dir->sb, fd_link_target, fd_link_path, FD_ARG(pid, fd));
		inode->mode = S_IFLNK | 0700;
	}
	inode->ino = proc_entry_ino(dir->ino, (unsigned)fd);
	return inode;
}

struct fd_list_ctx {
	int fds[1024];
	int n;
};

static void collect_fd(int fd, struct file *f, void *arg)
{
	struct fd_list_ctx *c = arg;
	if (c->n < (int)ARRAY_SIZE(c->fds))
		c->fds[c->n++] = fd;
}

static void fd_list(struct inode *dir, void *arg, kernfs_emit_fn emit, void *ctx)
{
	struct proc_snap s;
	if (proc_snap_get(DIR_ARG_PID(arg), &s) < 0)
		return;
	/* Collect first: EMIT may copy out to the application. */
	struct fd_list_ctx *c = xzalloc(sizeof(*c));
	if (s.fdt)
		fdt_for_each(s.fdt, collect_fd, c);
	proc_snap_put(&s);
	mode_t mode = DIR_ARG_INFO(arg) ? S_IFREG : S_IFLNK;
	for (int i = 0; i < c->n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "%d", c->fds[i]);
		emit(ctx, name, proc_entry_ino(dir->ino, (unsigned)c->fds[i]), mode,
		     (uint64_t)c->fds[i]);
	}
	free(c);
}

static const struct kernfs_dyndir_ops fd_ops = {
	.lookup = fd_lookup,
	.list = fd_list,
};

void proc_add_fd_dirs(struct inode *dir, pid_t pid, uint64_t fd_ino, uint64_t fdinfo_ino)
{
	struct inode *fd = kernfs_new_dyndir(dir->sb, 0500, &fd_ops, DIR_ARG(pid, false));
	fd->ino = fd_ino;
	kernfs_add(dir, "fd", fd);
	inode_put(fd);
	struct inode *info = kernfs_new_dyndir(dir->sb, 0555, &fd_ops, DIR_ARG(pid, true));
	info->ino = fdinfo_ino;
	kernfs_add(dir, "fdinfo", info);
	inode_put(info);
}
