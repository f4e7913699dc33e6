/* inotify_init, inotify_init1, inotify_add_watch, inotify_rm_watch
 * (Linux's fs/notify/inotify/inotify_user.c; the files are fs/inotify). */
#include <sys/inotify.h>

#include "cvisor/fsnotify.h"
#include "fs_util.h"

/* Every bit inotify_add_watch knows (Linux's ALL_INOTIFY_BITS). */
#define ALL_INOTIFY_BITS                                                                 \
	(IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR |         \
	 IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ISDIR |    \
	 IN_ONESHOT)

static long do_inotify_init(struct task *t, int flags)
{
	struct file *f;
	long err = inotify_create(t->creds, flags, &f);
	if (err)
		return err;
	return task_install_file(t, f, flags & IN_CLOEXEC);
}

long sys_inotify_init(struct task *t, const struct syscall_args *a)
{
	return do_inotify_init(t, 0);
}

long sys_inotify_init1(struct task *t, const struct syscall_args *a)
{
	return do_inotify_init(t, (int)a->arg[0]);
}

long sys_inotify_add_watch(struct task *t, const struct syscall_args *a)
{
	uint32_t mask = (uint32_t)a->arg[2];

	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	if (!(mask & ALL_INOTIFY_BITS))
		return -EINVAL;
	struct file *f = task_fget_nopath(t, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	long ret = -EINVAL;
	if (!file_is_inotify(f))
		goto out_put_file;
	unsigned lflags = (mask & IN_DONT_FOLLOW) ? 0 : LOOKUP_FOLLOW;
	if (mask & IN_ONLYDIR)
		lflags |= LOOKUP_DIRECTORY;
	struct path p;
	ret = user_lookup_at(t, AT_FDCWD, a->arg[1], lflags, &p);
	if (ret)
		goto out_put_file;
	/* Watching needs read permission (inotify_find_inode). */
	ret = inode_permission(t->creds, d_inode(p.dentry), MAY_READ);
	if (!ret)
		ret = inotify_add_watch_path(f, &p, mask);
	path_put(&p);
out_put_file:
	file_put(f);
	return ret;
}

long sys_inotify_rm_watch(struct task *t, const struct syscall_args *a)
{
	struct file *f = task_fget_nopath(t, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	long ret = file_is_inotify(f) ? inotify_rm_watch_wd(f, (int)a->arg[1]) : -EINVAL;
	file_put(f);
	return ret;
}
