/* File descriptor tables: fd -> open file description + FD_CLOEXEC.
 * Shared by reference between tasks cloned with CLONE_FILES.
 *
 * Installing takes a new reference to the file (the caller keeps and
 * puts its own); removing an fd drops the table's reference outside the
 * table lock. LIMIT arguments are the caller's RLIMIT_NOFILE soft limit. */
#ifndef CVISOR_FD_TABLE_H
#define CVISOR_FD_TABLE_H

#include <pthread.h>
#include <stdbool.h>

struct file;

struct fd_entry {
	struct file *file;	/* NULL: free */
	bool cloexec;
};

struct fd_table {
	_Atomic int refs;
	pthread_mutex_t lock;
	int size;		/* [lock] entries allocated */
	int next_free;		/* [lock] no free fd below this */
	struct fd_entry *fds;	/* [lock] */
};

/* The largest table Linux allows (fs.nr_open's default). */
#define FDT_NR_OPEN (1 << 20)
/* The smallest allocation, as Linux's NR_OPEN_DEFAULT. */
#define FDT_MIN_FDS 64

struct fd_table *fdt_new(void);
/* A copy for fork without CLONE_FILES: same files, new references. */
struct fd_table *fdt_fork(struct fd_table *fdt);
struct fd_table *fdt_get(struct fd_table *fdt);
void fdt_put(struct fd_table *fdt);

/* The lowest free fd >= MINFD below LIMIT: the fd, or -EMFILE (-EINVAL if
 * MINFD >= LIMIT, as F_DUPFD). */
int fdt_install(struct fd_table *fdt, struct file *f, bool cloexec, int minfd,
		unsigned long limit);
/* Puts F at FD, closing what was there (dup2 semantics, no limit check). */
int fdt_install_at(struct fd_table *fdt, int fd, struct file *f, bool cloexec);
/* How many fds the table has room for now, at least FDT_MIN_FDS
 * (Linux's max_fds, which select caps its nfds to). */
int fdt_max_fds(struct fd_table *fdt);
/* The file at FD with a new reference, or NULL; *CLOEXEC if wanted. */
struct file *fdt_fget(struct fd_table *fdt, int fd, bool *cloexec);
/* close(2): -EBADF if FD is not open. */
int fdt_close(struct fd_table *fdt, int fd);
/* dup2/dup3 onto NEWFD: NEWFD or -EBADF (OLDFD not open, NEWFD >= LIMIT). */
int fdt_dup2(struct fd_table *fdt, int oldfd, int newfd, bool cloexec, unsigned long limit);
int fdt_set_cloexec(struct fd_table *fdt, int fd, bool cloexec);
/* Closes every FD_CLOEXEC fd (execve). */
void fdt_close_on_exec(struct fd_table *fdt);
/* Closes the fds in [first, last] (close_range without flags). */
void fdt_close_range(struct fd_table *fdt, unsigned first, unsigned last);
/* Marks the open fds in [first, last] close-on-exec (CLOSE_RANGE_CLOEXEC). */
void fdt_cloexec_range(struct fd_table *fdt, unsigned first, unsigned last);
/* Calls FN for each open fd in order, under the table lock (for
 * /proc/pid/fd): FN must not block or call back into the table. */
void fdt_for_each(struct fd_table *fdt, void (*fn)(int fd, struct file *f, void *arg), void *arg);

#endif
