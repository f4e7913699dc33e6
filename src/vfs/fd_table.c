/* File descriptor tables (Linux's files_struct): an array grown on
 * demand, the lowest free fd found from a hint. Files are put outside
 * the lock, since a release may block. */
#include <stdlib.h>
#include <string.h>

#include "cvisor/fd_table.h"
#include "cvisor/vfs.h"

struct fd_table *fdt_new(void)
{
	struct fd_table *fdt = xzalloc(sizeof(*fdt));
	fdt->refs = 1;
	pthread_mutex_init(&fdt->lock, NULL);
	return fdt;
}

struct fd_table *fdt_fork(struct fd_table *old)
{
	struct fd_table *fdt = fdt_new();

	pthread_mutex_lock(&old->lock);
	fdt->size = old->size;
	fdt->next_free = old->next_free;
	fdt->fds = xzalloc(sizeof(*fdt->fds) * (size_t)MAX(fdt->size, 1));
	for (int i = 0; i < old->size; i++) {
		fdt->fds[i] = old->fds[i];
		if (fdt->fds[i].file)
			file_get(fdt->fds[i].file);
	}
	pthread_mutex_unlock(&old->lock);
	return fdt;
}

/* Closing an fd of the process releases its POSIX locks on the file
 * (Linux's filp_close with the files_struct as owner). */
static void fdt_file_close(struct fd_table *fdt, struct file *f)
{
	if (!f)
		return;
	locks_remove_posix(f, fdt);
	file_put(f);
}

struct fd_table *fdt_get(struct fd_table *fdt)
{
	fdt->refs++;
	return fdt;
}

void fdt_put(struct fd_table *fdt)
{
	if (!fdt || --fdt->refs > 0)
		return;
	for (int i = 0; i < fdt->size; i++)
		fdt_file_close(fdt, fdt->fds[i].file);
	free(fdt->fds);
	pthread_mutex_destroy(&fdt->lock);
	free(fdt);
}

/* Under the lock: makes room for FD. */
static void fdt_grow(struct fd_table *fdt, int fd)
{
	if (fd < fdt->size)
		return;
	int size = MAX(fdt->size * 2, FDT_MIN_FDS);
	while (size <= fd)
		size *= 2;
	fdt->fds = xrealloc(fdt->fds, sizeof(*fdt->fds) * (size_t)size);
	memset(fdt->fds + fdt->size, 0, sizeof(*fdt->fds) * (size_t)(size - fdt->size));
	fdt->size = size;
}

int fdt_install(struct fd_table *fdt, struct file *f, bool cloexec, int minfd,
		unsigned long limit)
{
	if (limit > FDT_NR_OPEN)
		limit = FDT_NR_OPEN;
	if (minfd < 0 || (unsigned long)minfd >= limit)
		return -EINVAL;
	pthread_mutex_lock(&fdt->lock);
	int fd = MAX(minfd, fdt->next_free);
	while (fd < fdt->size && fdt->fds[fd].file)
		fd++;
	if ((unsigned long)fd >= limit) {
		pthread_mutex_unlock(&fdt->lock);
		return -EMFILE;
	}
	fdt_grow(fdt, fd);
	fdt->fds[fd].file = file_get(f);
	fdt->fds[fd].cloexec = cloexec;
	if (minfd <= fdt->next_free)
		fdt->next_free = fd + 1;
	pthread_mutex_unlock(&fdt->lock);
	return fd;
}

int fdt_install_at(struct fd_table *fdt, int fd, struct file *f, bool cloexec)
{
	if (fd < 0 || fd >= FDT_NR_OPEN)
		return -EBADF;
	pthread_mutex_lock(&fdt->lock);
	fdt_grow(fdt, fd);
	struct file *old = fdt->fds[fd].file;
	fdt->fds[fd].file = file_get(f);
	fdt->fds[fd].cloexec = cloexec;
	pthread_mutex_unlock(&fdt->lock);
	fdt_file_close(fdt, old);
	return fd;
}

int fdt_max_fds(struct fd_table *fdt)
{
	pthread_mutex_lock(&fdt->lock);
	int n = MAX(fdt->size, FDT_MIN_FDS);
	pthread_mutex_unlock(&fdt->lock);
	return n;
}

struct file *fdt_fget(struct fd_table *fdt, int fd, bool *cloexec)
{
	struct file *f = NULL;

	pthread_mutex_lock(&fdt->lock);
	if (fd >= 0 && fd < fdt->size && fdt->fds[fd].file) {
		f = file_get(fdt->fds[fd].file);
		if (cloexec)
			*cloexec = fdt->fds[fd].cloexec;
	}
	pthread_mutex_unlock(&fdt->lock);
	return f;
}

/* Under the lock: empties FD and returns what was there. */
static struct file *fdt_take(struct fd_table *fdt, int fd)
{
	struct file *f = fdt->fds[fd].file;
	fdt->fds[fd].file = NULL;
	fdt->fds[fd].cloexec = false;
	if (f && fd < fdt->next_free)
		fdt->next_free = fd;
	return f;
}

int fdt_close(struct fd_table *fdt, int fd)
{
	struct file *f = NULL;

	pthread_mutex_lock(&fdt->lock);
	if (fd >= 0 && fd < fdt->size)
		f = fdt_take(fdt, fd);
	pthread_mutex_unlock(&fdt->lock);
	if (!f)
		return -EBADF;
	fdt_file_close(fdt, f);
	return 0;
}

int fdt_dup2(struct fd_table *fdt, int oldfd, int newfd, bool cloexec, unsigned long limit)
{
	if (newfd < 0 || (unsigned long)newfd >= MIN(limit, (unsigned long)FDT_NR_OPEN))
		return -EBADF;
	struct file *f = fdt_fget(fdt, oldfd, NULL);
	if (!f)
		return -EBADF;
	int r = fdt_install_at(fdt, newfd, f, cloexec);
	file_put(f);
	return r;
}

int fdt_set_cloexec(struct fd_table *fdt, int fd, bool cloexec)
{
	int err = -EBADF;

	pthread_mutex_lock(&fdt->lock);
	if (fd >= 0 && fd < fdt->size && fdt->fds[fd].file) {
		fdt->fds[fd].cloexec = cloexec;
		err = 0;
	}
	pthread_mutex_unlock(&fdt->lock);
	return err;
}

/* Closes the fds in [first, last], all or only the close-on-exec ones. */
static void fdt_close_where(struct fd_table *fdt, unsigned first, unsigned last, bool only_cloexec)
{
	for (;;) {
		struct file *f = NULL;
		pthread_mutex_lock(&fdt->lock);
		for (; first < (unsigned)fdt->size && first <= last; first++) {
			struct fd_entry *e = &fdt->fds[first];
			if (e->file && (!only_cloexec || e->cloexec)) {
				f = fdt_take(fdt, (int)first);
				break;
			}
		}
		pthread_mutex_unlock(&fdt->lock);
		if (!f)
			return;
		fdt_file_close(fdt, f);
	}
}

void fdt_close_on_exec(struct fd_table *fdt)
{
	fdt_close_where(fdt, 0, ~0u, true);
}

void fdt_close_range(struct fd_table *fdt, unsigned first, unsigned last)
{
	fdt_close_where(fdt, first, last, false);
}

void fdt_cloexec_range(struct fd_table *fdt, unsigned first, unsigned last)
{
	pthread_mutex_lock(&fdt->lock);
	for (; first < (unsigned)fdt->size && first <= last; first++)
		if (fdt->fds[first].file)
			fdt->fds[first].cloexec = true;
	pthread_mutex_unlock(&fdt->lock);
}

void fdt_for_each(struct fd_table *fdt, void (*fn)(int fd, struct file *f, void *arg), void *arg)
{
	pthread_mutex_lock(&fdt->lock);
	for (int i = 0; i < fdt->size; i++)
		if (fdt->fds[i].file)
			fn(i, fdt->fds[i].file, arg);
	pthread_mutex_unlock(&fdt->lock);
}
