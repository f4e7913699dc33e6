/* Helpers shared by the file syscalls (see fs_util.h). */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "cvisor/kernel.h"
#include "cvisor/signal.h"
#include "fs_util.h"

int user_path(struct task *t, uaddr_t upath, char **out)
{
	char *buf = xmalloc(VFS_PATH_MAX);
	long n = copy_in_string(t, buf, upath, VFS_PATH_MAX);
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	*out = buf;
	return 0;
}

struct file *task_fget(struct task *t, int fd)
{
	return fdt_fget(t->fdt, fd, NULL);
}

struct file *task_fget_nopath(struct task *t, int fd)
{
	struct file *f = task_fget(t, fd);
	if (f && (f->fmode & FMODE_PATH)) {
		file_put(f);
		return NULL;
	}
	return f;
}

long task_install_file(struct task *t, struct file *f, bool cloexec)
{
	long fd = fdt_install(t->fdt, f, cloexec, 0, task_nofile(t));
	file_put(f);
	return fd;
}

int set_user_sigmask(struct task *t, uaddr_t umask, size_t size)
{
	uint64_t mask;
	if (!umask)
		return 0;
	if (size != sizeof(mask))
		return -EINVAL;
	if (copy_in(t, &mask, umask, sizeof(mask)) < 0)
		return -EFAULT;
	signal_set_temporary_mask(t, mask);
	return 0;
}

unsigned long task_nofile(struct task *t)
{
	pthread_mutex_lock(&t->k->ts_lock);
	rlim_t cur = t->tg->rlimits[RLIMIT_NOFILE].rlim_cur;
	pthread_mutex_unlock(&t->k->ts_lock);
	return cur > FDT_NR_OPEN ? FDT_NR_OPEN : (unsigned long)cur;
}

static rlim_t task_fsize(struct task *t)
{
	pthread_mutex_lock(&t->k->ts_lock);
	rlim_t cur = t->tg->rlimits[RLIMIT_FSIZE].rlim_cur;
	pthread_mutex_unlock(&t->k->ts_lock);
	return cur;
}

int task_check_fsize(struct task *t, int64_t end)
{
	rlim_t lim = task_fsize(t);
	if (lim == RLIM_INFINITY || (uint64_t)end <= lim)
		return 0;
	signal_raise(t, SIGXFSZ);
	return -EFBIG;
}

/* How many of SIZE bytes written at *POS (NULL: the file position) to F
 * stay below RLIMIT_FSIZE; -EFBIG (and SIGXFSZ) if none can. */
static ssize_t fsize_room(struct task *t, struct file *f, const int64_t *pos, size_t size)
{
	rlim_t lim;
	if (!S_ISREG(f->inode->mode) || !(f->fmode & FMODE_WRITE) ||
	    (lim = task_fsize(t)) == RLIM_INFINITY)
		return (ssize_t)size;
	int64_t start = pos ? *pos : f->pos;
	if (atomic_load(&f->flags) & O_APPEND) {
		pthread_mutex_lock(&f->inode->lock);
		start = f->inode->size;
		pthread_mutex_unlock(&f->inode->lock);
	}
	if (start < 0 || (uint64_t)start >= lim) {
		signal_raise(t, SIGXFSZ);
		return -EFBIG;
	}
	return (ssize_t)MIN(size, lim - (uint64_t)start);
}

int at_base_get(struct task *t, int dirfd, const char *path, bool empty_ok, struct at_base *ab)
{
	ab->wb = (struct walk_base){ .fs = t->fs, .cr = t->creds };
	ab->dirf = NULL;
	if (path[0] == '/' || dirfd == AT_FDCWD)
		return 0;
	if (path[0] == '\0' && !empty_ok)
		return -ENOENT;
	ab->dirf = task_fget(t, dirfd);
	if (!ab->dirf)
		return -EBADF;
	if (!ab->dirf->path.dentry) {
		/* An anonymous file (pipe, host fd) has no place in the tree. */
		at_base_put(ab);
		return path[0] ? -ENOTDIR : -EBADF;
	}
	if (path[0] && !S_ISDIR(d_inode(ab->dirf->path.dentry)->mode)) {
		at_base_put(ab);
		return -ENOTDIR;
	}
	ab->wb.at = &ab->dirf->path;
	return 0;
}

void at_base_put(struct at_base *ab)
{
	file_put(ab->dirf);
	ab->dirf = NULL;
}

int user_lookup_at(struct task *t, int dirfd, uaddr_t upath, unsigned flags, struct path *out)
{
	char *path = NULL;
	struct at_base ab;
	int err = user_path(t, upath, &path);
	if (err)
		return err;
	err = at_base_get(t, dirfd, path, flags & LOOKUP_EMPTY, &ab);
	if (!err) {
		err = vfs_lookup(&ab.wb, path, flags, out);
		at_base_put(&ab);
	}
	free(path);
	return err;
}

int user_iovec(struct task *t, uaddr_t uiov, long cnt, struct iovec **out)
{
	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	struct iovec *iov = xmalloc(sizeof(*iov) * (size_t)MAX(cnt, 1));
	if (cnt && copy_in(t, iov, uiov, sizeof(*iov) * (size_t)cnt)) {
		free(iov);
		return -EFAULT;
	}
	size_t total = 0;
	for (long i = 0; i < cnt; i++) {
		/* Each length and the sum must fit in ssize_t. */
		if (iov[i].iov_len > SSIZE_MAX || total + iov[i].iov_len > SSIZE_MAX) {
			free(iov);
			return -EINVAL;
		}
		total += iov[i].iov_len;
	}
	*out = iov;
	return 0;
}

#define RW_MAX_PINS 8

ssize_t file_rw_user(struct task *t, struct file *f, const struct iovec *uiov, int cnt,
		     int64_t *pos, bool write)
{
	struct mm_pin *pins = xmalloc(sizeof(*pins) * RW_MAX_PINS);
	struct iovec *hiov = xmalloc(sizeof(*hiov) * RW_MAX_PINS * MM_PIN_MAX_IOV);
	size_t total = 0, in_iov = 0;
	ssize_t r = 0;
	int i = 0;

	struct iovec *cut = NULL;
	if (write && iov_total(uiov, cnt)) {
		ssize_t room = fsize_room(t, f, pos, iov_total(uiov, cnt));
		if (room < 0) {
			r = room;
			goto out;
		}
		if ((size_t)room < iov_total(uiov, cnt)) {
			/* Only what fits below the limit is written. */
			cut = xmalloc(sizeof(*cut) * (size_t)cnt);
			int n = 0;
			for (size_t left = (size_t)room; n < cnt && left; n++) {
				cut[n] = uiov[n];
				cut[n].iov_len = MIN(cut[n].iov_len, left);
				left -= cut[n].iov_len;
			}
			uiov = cut;
			cnt = n;
		}
	}
	if (iov_total(uiov, cnt) == 0) {
		/* Still goes to the file: a zero-length read of a directory is
		 * EISDIR, of a write-only file EBADF. */
		r = write ? vfs_write(f, NULL, 0, pos) : vfs_read(f, NULL, 0, pos);
		goto out;
	}
	while (i < cnt && total < VFS_MAX_RW_COUNT) {
		int npins = 0, hcnt = 0;
		size_t batch = 0;
		while (i < cnt && npins < RW_MAX_PINS && batch < MM_PIN_MAX_BYTES &&
		       total + batch < VFS_MAX_RW_COUNT) {
			if (in_iov == uiov[i].iov_len) {
				i++;
				in_iov = 0;
				continue;
			}
			size_t want = MIN(uiov[i].iov_len - in_iov, MM_PIN_MAX_BYTES - batch);
			want = MIN(want, VFS_MAX_RW_COUNT - total - batch);
			/* Reading from the file writes user memory. */
			ssize_t n = mm_pin(t->mm, (uaddr_t)uiov[i].iov_base + in_iov, want, !write,
					   &pins[npins]);
			if (n <= 0)
				break;
			for (int j = 0; j < pins[npins].cnt; j++)
				hiov[hcnt++] = pins[npins].iov[j];
			npins++;
			batch += (size_t)n;
			in_iov += (size_t)n;
			if ((size_t)n < want)
				break;
		}
		if (!batch) {
			r = -EFAULT;
			break;
		}
		r = write ? vfs_write(f, hiov, hcnt, pos) : vfs_read(f, hiov, hcnt, pos);
		for (int j = 0; j < npins; j++)
			mm_unpin(&pins[j]);
		if (r < 0)
			break;
		total += (size_t)r;
		if ((size_t)r < batch)
			break;
	}
out:
	free(cut);
	free(hiov);
	free(pins);
	if (total)
		return (ssize_t)total;
	return r;
}
