/* Shared by the file syscalls: user paths, dirfd-relative walks, fd
 * lookup and I/O on pinned user memory. */
#ifndef CVISOR_SYSCALLS_FS_UTIL_H
#define CVISOR_SYSCALLS_FS_UTIL_H

#include <sys/uio.h>

#include "cvisor/fd_table.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "cvisor/vfs.h"

/* Copies the path at UPATH into a new VFS_PATH_MAX buffer (*OUT, to be
 * freed). -EFAULT, -ENAMETOOLONG. */
int user_path(struct task *t, uaddr_t upath, char **out);

/* Where a *at call walks from: DIRFD (AT_FDCWD: the cwd). A relative
 * PATH needs a directory fd (-ENOTDIR); an absolute one ignores DIRFD;
 * "" with EMPTY_OK names DIRFD itself, whatever it is. */
struct at_base {
	struct walk_base wb;
	struct file *dirf;	/* a reference, or NULL */
};
int at_base_get(struct task *t, int dirfd, const char *path, bool empty_ok, struct at_base *ab);
void at_base_put(struct at_base *ab);
/* at_base_get + vfs_lookup of PATH with LOOKUP_* FLAGS. */
int user_lookup_at(struct task *t, int dirfd, uaddr_t upath, unsigned flags, struct path *out);

/* The open file at FD (a reference) or NULL. */
struct file *task_fget(struct task *t, int fd);
/* The same without O_PATH files, which Linux's fget and fdget do not see
 * (fget_raw does): for calls that use the file itself (poll, epoll). */
struct file *task_fget_nopath(struct task *t, int fd);
/* Installs new file F at the lowest free fd and drops the caller's
 * reference: the fd or -EMFILE. */
long task_install_file(struct task *t, struct file *f, bool cloexec);
/* The signal mask at UMASK (SIZE bytes; none if 0) for the length of the
 * call (Linux's set_user_sigmask): 0, -EINVAL or -EFAULT. */
int set_user_sigmask(struct task *t, uaddr_t umask, size_t size);
/* RLIMIT_NOFILE's soft limit. */
unsigned long task_nofile(struct task *t);

/* RLIMIT_FSIZE for a regular file growing to END bytes (Linux's
 * inode_newsize_ok and generic_write_check_limits): 0 if within it, else
 * SIGXFSZ is raised and -EFBIG returned. */
int task_check_fsize(struct task *t, int64_t end);

/* Reads or writes the user iovecs UIOV[0..CNT) at *POS (NULL: the file
 * position), pinning user memory so the filesystem works on it in place.
 * Returns the bytes moved or -errno if none moved. */
ssize_t file_rw_user(struct task *t, struct file *f, const struct iovec *uiov, int cnt,
		     int64_t *pos, bool write);
/* Writes to a regular file stop at RLIMIT_FSIZE (a write starting at or
 * past it gets SIGXFSZ and EFBIG). */
/* Copies in and checks an iovec array (readv, writev). *OUT is freed by
 * the caller. */
int user_iovec(struct task *t, uaddr_t uiov, long cnt, struct iovec **out);


#endif
