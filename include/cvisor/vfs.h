/* The virtual filesystem, in Linux's shape: super blocks, inodes with
 * `inode_ops`, a dentry cache, mounts and mount namespaces, open file
 * descriptions with `file_ops`, fd tables and per-task fs contexts.
 *
 * Inode operations are name-based (a directory inode plus one component),
 * so a stacking filesystem (overlay) can call the operations of the inodes
 * below it directly. The dentry cache is the VFS's own: every change to a
 * directory goes through the VFS, which keeps the cache in step.
 *
 * A NULL slot in an ops struct means the Linux default; the one caller of
 * each slot applies it (see the comments on each slot).
 *
 * Lock order (outermost first):
 *   vfs rename lock -> file->pos_lock -> directory inode->lock (ancestor
 *   first, else by address) -> child inode->lock -> filesystem-internal
 *   locks (overlay: ovl lock -> upper inode->lock) -> dcache_lock (a leaf,
 *   held briefly: the dentry tree, dentry and mount reference counts, the
 *   mount table).
 * The VFS holds a directory's inode->lock across calls to its
 * lookup/create/mkdir/mknod/symlink/link/unlink/rmdir/rename and an
 * inode's lock across setattr, and a directory's lock across iterate_dir.
 */
#ifndef CVISOR_VFS_H
#define CVISOR_VFS_H

#include <bsd/sys/tree.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#include "cvisor/util.h"

/* libbsd's RB_GENERATE_STATIC relies on a BSD __unused it does not define
 * (Debian disables it); this spells the attribute out. */
#define RB_GENERATE_STATIC_UNUSED(name, type, field, cmp) \
	RB_GENERATE_INTERNAL(name, type, field, cmp, __attribute__((__unused__)) static)

struct kernel;
struct task;
struct creds;
struct inode;
struct dentry;
struct file;
struct mount;
struct mount_ns;
struct super_block;
struct dir_context;
struct path;
struct pipe_inode_info;
struct waitqueue;
struct file_lock_context;
struct simple_xattr;
struct flock;
struct inotify_watch;

/* Linux's limits: PATH_MAX counts the NUL; a component is at most
 * NAME_MAX bytes; a walk follows at most 40 symlinks. */
#define VFS_PATH_MAX 4096
#define VFS_NAME_MAX 255
#define VFS_MAX_SYMLINKS 40
/* glibc defines O_LARGEFILE as 0 on x86-64, but the kernel's F_GETFL
 * reports its ABI value (asm-generic/fcntl.h, which cannot be included
 * next to glibc's <fcntl.h>). */
#define LINUX_O_LARGEFILE 0100000
/* The largest single read or write, as Linux's MAX_RW_COUNT. */
#define VFS_MAX_RW_COUNT (INT32_MAX & PAGE_MASK)

/* Attributes, as Linux's struct kstat. */
struct kstat {
	uint64_t ino;
	dev_t dev;
	mode_t mode;
	uint32_t nlink;
	uid_t uid;
	gid_t gid;
	dev_t rdev;
	int64_t size;
	int64_t blocks;		/* 512-byte units */
	uint32_t blksize;
	struct timespec atime, mtime, ctime, btime;
	uint64_t mnt_id;
};

/* A change of attributes (Linux's struct iattr). Times are resolved to
 * values by the VFS before a filesystem sees them. */
#define ATTR_MODE 0x1
#define ATTR_UID 0x2
#define ATTR_GID 0x4
#define ATTR_SIZE 0x8
#define ATTR_ATIME 0x10
#define ATTR_MTIME 0x20
#define ATTR_CTIME 0x40
#define ATTR_TIMES_SET 0x80	/* times given explicitly, not "now" (utimensat) */
struct iattr {
	unsigned valid;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	int64_t size;
	struct timespec atime, mtime, ctime;
};

struct kstatfs {
	uint64_t type, bsize, blocks, bfree, bavail, files, ffree;
	uint64_t namelen, frsize, flags;
	uint64_t fsid;
};

/* ---- super blocks ---- */

#define SB_RDONLY 0x1		/* every change fails with EROFS */

struct super_ops {
	/* Frees an inode whose last reference went (required). */
	void (*evict_inode)(struct inode *inode);
	/* NULL: f_type = magic, everything else zero. */
	int (*statfs)(struct super_block *sb, struct kstatfs *st);
	/* Frees the super block (required); the root inode is already put. */
	void (*put_super)(struct super_block *sb);
	/* The name /proc/pid/fd shows for an anonymous file on INODE
	 * ("pipe:[ino]"; Linux's d_dname), NUL-terminated into BUF; length
	 * or -ENAMETOOLONG. NULL: "anon_inode:[fs_name]". */
	int (*dname)(struct inode *inode, char *buf, size_t size);
};

struct super_block {
	_Atomic int refs;
	const struct super_ops *ops;
	const char *fs_name;		/* "tmpfs", "overlay": /proc/mounts */
	struct kernel *k;
	dev_t dev;			/* st_dev of every inode */
	uint64_t magic;			/* statfs f_type */
	unsigned flags;			/* SB_* */
	struct inode *root;		/* a reference, dropped by sb_put */
};
/* Mounts hold references to their super block; inodes do not (a super
 * block outlives its inodes because files and dentries hold a mount). */

void sb_init(struct super_block *sb, struct kernel *k, const struct super_ops *ops,
	     const char *fs_name, uint64_t magic);
void sb_get(struct super_block *sb);
void sb_put(struct super_block *sb);

/* ---- inodes ---- */

struct inode_ops {
	/* Looks NAME up in DIR: a new reference, or ERR_PTR(-ENOENT).
	 * NULL: nothing is ever found (-ENOENT). */
	struct inode *(*lookup)(struct inode *dir, const char *name);
	/* Whether the cached entry NAME (INODE, NULL if negative) of DIR
	 * still holds; false makes the walk look it up again (Linux's
	 * d_revalidate, for /proc/<pid>). NULL: cached entries always hold. */
	bool (*revalidate)(struct inode *dir, const char *name, struct inode *inode);
	/* Each creator makes NAME in DIR (which the VFS checked is absent),
	 * owned per inode_init_owner, and returns a reference in *OUT. */
	/* NULL: -EACCES (vfs_create). */
	int (*create)(struct inode *dir, const char *name, mode_t mode,
		      const struct creds *cr, struct inode **out);
	/* NULL: -EPERM (vfs_mkdir, vfs_mknod, vfs_symlink). */
	int (*mkdir)(struct inode *dir, const char *name, mode_t mode,
		     const struct creds *cr, struct inode **out);
	int (*mknod)(struct inode *dir, const char *name, mode_t mode, dev_t rdev,
		     const struct creds *cr, struct inode **out);
	int (*symlink)(struct inode *dir, const char *name, const char *target,
		       const struct creds *cr, struct inode **out);
	/* O_TMPFILE: a regular file of MODE on DIR's filesystem with no
	 * name (nlink 0). NULL: -EOPNOTSUPP. */
	int (*tmpfile)(struct inode *dir, mode_t mode, const struct creds *cr, struct inode **out);
	/* Adds NAME in DIR for OLD (not a directory; the filesystem locks
	 * it). NULL: -EPERM. */
	int (*link)(struct inode *old, struct inode *dir, const char *name);
	/* Removes NAME (which is VICTIM, locked by the VFS too) from DIR.
	 * NULL: -EPERM. rmdir
	 * fails with -ENOTEMPTY unless VICTIM is empty. */
	int (*unlink)(struct inode *dir, const char *name, struct inode *victim);
	int (*rmdir)(struct inode *dir, const char *name, struct inode *victim);
	/* Moves ODIR/ONAME (SRC) to NDIR/NNAME, replacing DST (NULL if the
	 * name is free) (the VFS
	 * checked the types match and NOREPLACE, and holds both parents,
	 * the source and any target locked); FLAGS may hold RENAME_EXCHANGE.
	 * NULL: -EPERM. */
	int (*rename)(struct inode *odir, const char *oname, struct inode *src,
		      struct inode *ndir, const char *nname, struct inode *dst, unsigned flags);
	/* Copies the target of a symlink (not NUL-terminated); returns its
	 * length. NULL: -EINVAL, as readlink(2) of a non-symlink. */
	int (*readlink)(struct inode *inode, char *buf, size_t size);
	/* A magic link (/proc/pid/fd/N): the path it stands for, as a
	 * reference; the walk jumps there instead of reading the target
	 * text. NULL: an ordinary symlink. */
	int (*get_link_path)(struct inode *inode, struct path *out);
	/* NULL: generic_getattr, from the inode's fields. */
	int (*getattr)(struct inode *inode, struct kstat *st);
	/* NULL: generic_setattr, which sets the fields (not the size). */
	int (*setattr)(struct inode *inode, const struct iattr *ia);
	/* Makes the open file description for INODE. NULL: a plain struct
	 * file with inode->fops (file_alloc). */
	struct file *(*open)(struct inode *inode, int flags);
	/* Extended attributes, after the VFS's namespace and permission
	 * checks (xattr.c); the filesystem locks what it needs. getxattr
	 * with SIZE 0 returns the length; -ENODATA, -ERANGE. setxattr with
	 * a NULL VALUE removes NAME; FLAGS are XATTR_CREATE/REPLACE.
	 * listxattr lists trusted.* only if TRUSTED. NULL: -EOPNOTSUPP for
	 * get and set, an empty list (as procfs). */
	ssize_t (*getxattr)(struct inode *inode, const char *name, void *buf, size_t size);
	int (*setxattr)(struct inode *inode, const char *name, const void *value, size_t size,
			int flags);
	ssize_t (*listxattr)(struct inode *inode, char *buf, size_t size, bool trusted);
};

/* inode->flags */
#define I_OVL_OPAQUE 0x1	/* overlay: an upper directory hiding the lower */
#define I_LINKABLE 0x2		/* an O_TMPFILE file linkat may give a name */

struct inode {
	_Atomic int refs;
	pthread_mutex_t lock;		/* see the lock order at the top */
	struct super_block *sb;
	const struct inode_ops *ops;
	const struct file_ops *fops;	/* for the default open */
	uint64_t ino;
	unsigned flags;			/* I_*, [lock] */
	/* Attributes, [lock]; kept current by the filesystem. */
	mode_t mode;
	uint32_t nlink;
	uid_t uid;
	gid_t gid;
	dev_t rdev;
	int64_t size;
	int64_t blocks;
	struct timespec atime, mtime, ctime, btime;
	/* [lock] A FIFO's pipe from its first open to its last close; an
	 * anonymous pipe's for its whole life (fs/pipe). */
	struct pipe_inode_info *pipe;
	/* fcntl and flock locks, made on first use (locks.c). */
	struct file_lock_context *flctx;
	/* inotify's watches on it (fs/inotify; cvisor/fsnotify.h). */
	LIST_HEAD(, inotify_watch) watches;
};

/* Sets up a new inode: one reference, ino from kernel_unique_id, times
 * now. */
void inode_init(struct inode *inode, struct super_block *sb, const struct inode_ops *ops,
		const struct file_ops *fops, mode_t mode);
/* Owner of a new inode: the fsuid, and the fsgid or (in a setgid
 * directory) the directory's group, as Linux's inode_init_owner. */
void inode_init_owner(struct inode *inode, struct inode *dir, mode_t mode,
		      const struct creds *cr);
struct inode *inode_get(struct inode *inode);
void inode_put(struct inode *inode);
struct timespec vfs_now(struct super_block *sb);
void inode_touch(struct inode *inode, bool mtime, bool ctime);
int generic_getattr(struct inode *inode, struct kstat *st);
int generic_setattr(struct inode *inode, const struct iattr *ia);
int vfs_getattr_inode(struct inode *inode, struct kstat *st);
int vfs_readlink_inode(struct inode *inode, char *buf, size_t size);

/* Permission: MAY_* against the mode bits with the caller's fsuid and
 * groups; CAP_DAC_OVERRIDE bypasses everything but exec of a file with no
 * x bit; CAP_DAC_READ_SEARCH bypasses read and directory search. A NULL
 * CR is the kernel itself and may do anything. */
#define MAY_EXEC 0x1
#define MAY_WRITE 0x2
#define MAY_READ 0x4
int inode_permission(const struct creds *cr, struct inode *inode, int mask);
bool vfs_capable(const struct creds *cr, int cap);
bool inode_owner_or_capable(const struct creds *cr, struct inode *inode);

/* ---- dentries and paths ---- */

RB_HEAD(dentry_tree, dentry);
struct dentry {
	int refs;			/* [dcache_lock] */
	struct dentry *parent;		/* [dcache_lock] a reference; self at a root */
	char *name;			/* [dcache_lock] */
	struct inode *inode;		/* NULL: a negative (cached absent) entry */
	struct super_block *sb;
	RB_ENTRY(dentry) node;		/* [dcache_lock] in parent->children */
	struct dentry_tree children;	/* [dcache_lock] */
	bool hashed;			/* [dcache_lock] reachable from the parent */
	int mounted;			/* [dcache_lock] mounts on this dentry */
};

/* The root dentry of a new filesystem (takes over the reference to
 * INODE). */
struct dentry *d_make_root(struct inode *inode);
/* A dentry in no directory for INODE (takes over the reference): the
 * path of a pseudo file (Linux's d_alloc_pseudo), freed with its last
 * reference. */
struct dentry *d_alloc_pseudo(struct inode *inode);
struct dentry *dget(struct dentry *d);
void dput(struct dentry *d);
/* The inode of D or NULL, read safely against a concurrent create. */
struct inode *d_inode(const struct dentry *d);
/* D's parent directory's inode (a reference) with D's name copied into
 * NAME, or NULL at a root (for fsnotify). */
struct inode *d_parent_inode_name(struct dentry *d, char name[VFS_NAME_MAX + 1]);

#define MNT_READONLY 0x1
#define MNT_NOEXEC 0x2
#define MNT_NOSUID 0x4
#define MNT_NODEV 0x8

struct mount {
	int refs;			/* [dcache_lock] */
	int id;
	struct mount *parent;		/* NULL at the namespace root */
	struct dentry *mountpoint;	/* in parent (a reference) */
	struct dentry *root;		/* a reference */
	struct super_block *sb;		/* a reference */
	unsigned flags;			/* MNT_* */
	char *source;			/* for /proc/mounts */
	struct mount_ns *ns;
	TAILQ_ENTRY(mount) ns_entry;	/* [dcache_lock] */
};

struct mount_ns {
	_Atomic int refs;
	struct mount *root;
	TAILQ_HEAD(mount_list_head, mount) mounts;	/* [dcache_lock] in mount order */
	int next_id;			/* [dcache_lock] */
};

/* A new namespace with SB mounted at its root. */
struct mount_ns *mount_ns_new(struct super_block *sb, unsigned mnt_flags, const char *source);
void mount_ns_get(struct mount_ns *ns);
void mount_ns_put(struct mount_ns *ns);
/* Mounts SB on the directory AT (in AT's namespace). */
int vfs_mount(const struct path *at, struct super_block *sb, unsigned mnt_flags,
	      const char *source);
/* Visits each mount of NS in order (for /proc/mounts), under the dcache
 * lock: FN must not call back into the VFS. */
void mount_ns_for_each(struct mount_ns *ns, void (*fn)(const struct mount *m, void *arg),
		       void *arg);
/* A mount of SB (which has its root) in no namespace, for a filesystem
 * nobody mounts (Linux's kern_mount). */
struct mount *kern_mount(struct super_block *sb);
struct mount *mntget(struct mount *m);
void mntput(struct mount *m);

struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

void path_get(const struct path *p);
void path_put(struct path *p);
bool path_equal(const struct path *a, const struct path *b);
/* P's name was removed (unlinked, or renamed over). */
bool path_deleted(const struct path *p);
/* "/a/b" of P as seen from ROOT; NUL-terminated into BUF. A path outside
 * ROOT yields its path from its namespace root; a deleted one gets
 * " (deleted)". Returns the length or -ENAMETOOLONG. */
int vfs_d_path(const struct path *p, const struct path *root, char *buf, size_t size);

/* ---- open file descriptions ---- */

/* Directory iteration: EMIT takes one entry whose successor starts at
 * NEXT; it returns false when the caller's buffer is full (the entry is
 * then not consumed). ctx->pos is where the filesystem starts; it
 * advances it past each entry EMIT accepted. */
struct dir_context {
	bool (*emit)(struct dir_context *ctx, const char *name, size_t len, uint64_t ino,
		     unsigned type, int64_t next);
	int64_t pos;
};

/* How a poller learns what to wait on (Linux's poll_table): ->poll calls
 * poll_wait for each wait queue, and poll_wait_host for a host fd the
 * sentry owns whose readiness is the file's (hostfd). KEY holds the
 * events the poller wants, POLLERR and POLLHUP included. A poller that
 * is done queuing (or never waits) clears the callbacks, or passes no
 * table at all. */
struct poll_table {
	void (*queue)(struct poll_table *pt, struct waitqueue *wq);
	void (*queue_host)(struct poll_table *pt, int host_fd, short events);
	unsigned key;
};

static inline void poll_wait(struct poll_table *pt, struct waitqueue *wq)
{
	if (pt && pt->queue)
		pt->queue(pt, wq);
}

static inline void poll_wait_host(struct poll_table *pt, int host_fd, short events)
{
	if (pt && pt->queue_host)
		pt->queue_host(pt, host_fd, events);
}

/* What a file without a poll method reports: always readable and
 * writable. */
#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

/* The events the poller wants (Linux's poll_requested_events). */
static inline unsigned poll_requested_events(const struct poll_table *pt)
{
	return pt ? pt->key : ~0U;
}

struct kernfs_buf;

struct file_ops {
	/* Transfer at *POS (advanced by the caller's count). NULL: -EINVAL
	 * (Linux: no read/write method, vfs_read/vfs_write). */
	ssize_t (*read)(struct file *f, const struct iovec *iov, int cnt, int64_t *pos);
	ssize_t (*write)(struct file *f, const struct iovec *iov, int cnt, int64_t *pos);
	/* Returns the new position. NULL: -ESPIPE (no_llseek). */
	int64_t (*llseek)(struct file *f, int64_t off, int whence);
	/* NULL: -ENOTDIR (iterate_dir on a non-directory). */
	int (*iterate_dir)(struct file *f, struct dir_context *ctx);
	/* NULL: -ENOTTY (vfs_ioctl without unlocked_ioctl). */
	long (*ioctl)(struct file *f, struct task *t, unsigned cmd, uint64_t arg);
	/* NULL: -EINVAL (vfs_fsync_range without fsync). */
	int (*fsync)(struct file *f);
	/* For shared mappings: the memory-file offset of page PGOFF with a
	 * reference for the caller. NULL: -ENODEV (mmap without f_op->mmap). */
	int (*mmap_page)(struct file *f, uint64_t pgoff, bool write, uint64_t *mf_off);
	/* Readiness: the POLL* events (<poll.h>) F has now. Before looking,
	 * it calls poll_wait(PT, wq) on every wait queue that is woken when
	 * the mask may change, so a poller that finds nothing ready can
	 * sleep on them without missing a wake-up. NULL: always readable and
	 * writable, DEFAULT_POLLMASK (vfs_poll). */
	unsigned (*poll)(struct file *f, struct poll_table *pt);
	/* fallocate(2) MODE (0, FALLOC_FL_KEEP_SIZE, with PUNCH_HOLE) over
	 * [OFF, OFF+LEN), after the VFS's checks. NULL: -EOPNOTSUPP. */
	int (*fallocate)(struct file *f, int mode, int64_t off, int64_t len);
	/* Appends the file's own lines of /proc/pid/fdinfo/N to B (Linux's
	 * show_fdinfo; kernfs_printf). NULL: none. */
	void (*show_fdinfo)(struct file *f, struct kernfs_buf *b);
	/* Cleans up what the filesystem holds once F's last reference went;
	 * the VFS then drops the path and inode and frees the allocation
	 * (file_alloc put F at its start). NULL: nothing to clean. */
	void (*release)(struct file *f);
	/* A VMA of F was made (mmap, split, fork) or is gone (Linux's
	 * vm_ops open/close): SysV shm counts its attaches. NULL: nothing. */
	void (*vma_open)(struct file *f);
	void (*vma_close)(struct file *f);
};

/* Open modes, derived from the flags at open. */
#define FMODE_READ 0x1
#define FMODE_WRITE 0x2
#define FMODE_PATH 0x4		/* O_PATH: no I/O at all */
#define FMODE_LSEEK 0x8		/* positional I/O (pread) allowed */

struct file {
	_Atomic int refs;
	const struct file_ops *ops;
	struct path path;		/* where it was opened; empty if anonymous */
	struct inode *inode;		/* the inode I/O goes to (a reference) */
	unsigned fmode;			/* FMODE_* */
	_Atomic int flags;		/* O_* status flags and access mode */
	pthread_mutex_t pos_lock;
	int64_t pos;			/* [pos_lock] */
	/* The epoll items watching this file (fs/eventpoll), which its
	 * last file_put removes (Linux's f_ep). */
	LIST_HEAD(, epitem) ep_items;	/* [eventpoll's epmutex] */
};

/* Removes F from every epoll set watching it (fs/eventpoll); file_put
 * calls it when the last reference goes. */
void eventpoll_release(struct file *f);

/* Allocates SIZE bytes (>= sizeof(struct file), F at offset 0 of the
 * filesystem's struct) with one reference, OPS and a reference to INODE. */
struct file *file_alloc(size_t size, const struct file_ops *ops, struct inode *inode);
/* A file on a new anonymous inode (Linux's anon_inode_getfile): as
 * file_alloc, with the access mode and O_NONBLOCK of FLAGS; the inode is
 * CR's, mode 0600 with no file type, and /proc/pid/fd calls the file
 * "anon_inode:[NAME]" (NAME static). */
struct file *anon_inode_file(const char *name, size_t size, const struct file_ops *ops,
			     const struct creds *cr, int flags);
struct file *file_get(struct file *f);
void file_put(struct file *f);

ssize_t vfs_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos);
ssize_t vfs_write(struct file *f, const struct iovec *iov, int cnt, int64_t *pos);
/* Reads for the kernel (loader, exec): at OFF, into sentry memory. */
ssize_t vfs_kernel_read(struct file *f, void *buf, size_t size, int64_t off);
ssize_t vfs_kernel_write(struct file *f, const void *buf, size_t size, int64_t off);
int64_t vfs_llseek(struct file *f, int64_t off, int whence);
int vfs_iterate_dir(struct file *f, struct dir_context *ctx);
int vfs_fsync(struct file *f);
long vfs_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg);
unsigned vfs_poll(struct file *f, struct poll_table *pt);

/* A poll or select call's waiting (poll.c; Linux's poll_wqueues): the
 * first look at each file with poll_file queues the task on what the
 * file names, each entry holding a reference to the file so its wait
 * queue or host fd lives until poll_freewait. */
struct poll_entry_block;
struct poll_wqueues {
	struct poll_table pt;
	struct task *task;
	struct file *file;		/* the file poll_file is looking at */
	struct poll_entry_block *blocks;
	struct pollfd *host_fds;	/* poll_wait_host's, for task_block_host */
	int nr_host;
};
void poll_initwait(struct poll_wqueues *pw, struct task *t);
/* vfs_poll of F for the events in KEY (poll_requested_events). */
unsigned poll_file(struct poll_wqueues *pw, struct file *f, unsigned key);
/* Queues no more: everything was named, or something is ready. */
void poll_stop_queuing(struct poll_wqueues *pw);
/* Sleeps until a queue is woken or a host fd has an event (0), a signal
 * needs the task (-EINTR) or DEADLINE on the sandbox's monotonic clock
 * passes (-ETIMEDOUT; < 0: none). */
int poll_schedule_timeout(struct poll_wqueues *pw, int64_t deadline);
void poll_freewait(struct poll_wqueues *pw);

/* The whence arithmetic of generic_file_llseek over SIZE. */
int64_t generic_llseek(struct file *f, int64_t off, int whence, int64_t size);
/* llseek for files of inode->size, and for directories (SEEK_SET/CUR). */
int64_t generic_file_llseek(struct file *f, int64_t off, int whence);
int64_t generic_dir_llseek(struct file *f, int64_t off, int whence);
/* read on a directory: -EISDIR (generic_read_dir). */
ssize_t generic_read_dir(struct file *f, const struct iovec *iov, int cnt, int64_t *pos);
/* Emits "." and ".." at positions 0 and 1; false if the buffer filled. */
bool dir_emit_dots(struct file *f, struct dir_context *ctx, uint64_t parent_ino);
size_t iov_total(const struct iovec *iov, int cnt);
/* Copies between a flat buffer and an iovec starting SKIP bytes in. */
size_t iov_copy_to(const struct iovec *iov, int cnt, size_t skip, const void *src, size_t size);
size_t iov_copy_from(void *dst, const struct iovec *iov, int cnt, size_t skip, size_t size);
/* The path string of F in ROOT (for /proc/self/fd); anonymous files get
 * their super block's dname, or "anon_inode:[fs_name]". Length or
 * -errno. */
int vfs_file_path(struct file *f, const struct path *root, char *buf, size_t size);

/* Character devices by number: VFS opens of S_IFCHR inodes use these
 * (as Linux's chrdev_open). An opener makes the file itself (ERR_PTR on
 * failure), for devices that stand for another file. */
typedef struct file *chrdev_opener(struct inode *inode, int flags);
int chrdev_register(dev_t dev, const struct file_ops *fops);
int chrdev_register_opener(dev_t dev, chrdev_opener *open);
/* An opener for every minor of MAJOR (/dev/pts/N). */
int chrdev_register_major_opener(unsigned major, chrdev_opener *open);
struct file *chrdev_open(struct inode *inode, int flags);

/* ---- extended attributes (xattr.c) ---- */

/* Each with Linux's checks: namespaces (user., trusted., security.;
 * others -EOPNOTSUPP), CAP_SYS_ADMIN for trusted.*, user.* only on
 * regular files and directories with read/write permission. */
ssize_t vfs_getxattr(const struct creds *cr, struct inode *inode, const char *name, void *buf,
		     size_t size);
ssize_t vfs_listxattr(const struct creds *cr, struct inode *inode, char *buf, size_t size);
/* P (may be NULL or empty for an anonymous file) is checked for a
 * read-only mount. A NULL VALUE removes NAME. */
int vfs_setxattr(const struct creds *cr, const struct path *p, struct inode *inode,
		 const char *name, const void *value, size_t size, int flags);

/* An in-memory xattr store for a filesystem's inodes (tmpfs); the caller
 * serialises access. */
struct simple_xattrs {
	TAILQ_HEAD(, simple_xattr) head;
};
void simple_xattrs_init(struct simple_xattrs *xs);
void simple_xattrs_free(struct simple_xattrs *xs);
ssize_t simple_xattr_get(struct simple_xattrs *xs, const char *name, void *buf, size_t size);
int simple_xattr_set(struct simple_xattrs *xs, const char *name, const void *value, size_t size,
		     int flags);
ssize_t simple_xattr_list(struct simple_xattrs *xs, char *buf, size_t size, bool trusted);

/* ---- advisory locks (locks.c) ---- */

/* fcntl F_GETLK/F_SETLK/F_SETLKW and their F_OFD_* forms for T on F:
 * POSIX locks belong to T's fd table, OFD locks to F. FL is the caller's
 * copy of the user's struct flock; F_GETLK fills it in. -EAGAIN,
 * -EDEADLK, -ERESTARTSYS (a signal during F_SETLKW)... */
int vfs_fcntl_lock(struct task *t, struct file *f, int cmd, struct flock *fl);
/* flock(2) with LOCK_SH/LOCK_EX/LOCK_UN and LOCK_NB: owned by F. */
int vfs_flock(struct task *t, struct file *f, unsigned op);
/* Drops OWNER's POSIX locks on F's inode: any close of an fd by the
 * process releases them all. */
void locks_remove_posix(struct file *f, const void *owner);
/* Drops F's OFD and flock locks (its last reference went). */
void locks_remove_file(struct file *f);
/* Frees an evicted inode's lock context. */
void locks_free_inode(struct inode *inode);

/* ---- fs contexts (root, cwd, umask of a task) ---- */

struct fs_context {
	_Atomic int refs;
	pthread_mutex_t lock;
	struct path root;		/* [lock] */
	struct path cwd;		/* [lock] */
	_Atomic mode_t umask;
};

/* Root of NS, cwd CWD (resolved from that root; "" or NULL is "/").
 * NULL with *ERR = -errno if CWD cannot be resolved to a directory. */
struct fs_context *fs_context_new(struct mount_ns *ns, const char *cwd, int *err);
/* For fork without CLONE_FS. */
struct fs_context *fs_context_copy(struct fs_context *fs);
struct fs_context *fs_context_get(struct fs_context *fs);
void fs_context_put(struct fs_context *fs);
/* References to the current root and cwd. */
void fs_context_root(struct fs_context *fs, struct path *out);
void fs_context_cwd(struct fs_context *fs, struct path *out);
void fs_context_set_cwd(struct fs_context *fs, const struct path *p);

/* ---- the path walk (namei.c) ---- */

#define LOOKUP_FOLLOW 0x1	/* follow a trailing symlink */
#define LOOKUP_DIRECTORY 0x2	/* the result must be a directory */
#define LOOKUP_EMPTY 0x4	/* "" names the start (AT_EMPTY_PATH) */

/* How the walk treats the last component when only the parent is
 * wanted. */
enum last_type { LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT };
struct last_component {
	char name[VFS_NAME_MAX + 1];
	enum last_type type;
	bool trailing_slash;
};

/* Who walks, and from where: FS gives root and cwd; AT (NULL for the
 * cwd) starts relative paths; CR checks search permission (NULL: the
 * kernel, unchecked). */
struct walk_base {
	struct fs_context *fs;
	const struct creds *cr;
	const struct path *at;
	/* openat2's RESOLVE_* restrictions (<linux/openat2.h>): with
	 * BENEATH or IN_ROOT the start directory is the walk's root. */
	unsigned resolve;
};

int vfs_lookup(const struct walk_base *wb, const char *name, unsigned flags, struct path *out);
/* Walks all but the last component into PARENT and describes the last. */
int vfs_lookup_parent(const struct walk_base *wb, const char *name, unsigned flags,
		      struct path *parent, struct last_component *last);
/* One component in a directory the caller holds locked: a dentry
 * reference (maybe negative) or ERR_PTR. */
struct dentry *lookup_one_locked(struct dentry *dir, const char *name);

/* ---- operations by path (vfs_ops*.c) ---- */

int vfs_open(const struct walk_base *wb, const char *name, int flags, mode_t mode,
	     struct file **out);
/* Opens an existing PATH (open(2) after the walk; O_CREAT not handled). */
int vfs_open_path(const struct path *p, int flags, const struct creds *cr, struct file **out);
int vfs_mkdir(const struct walk_base *wb, const char *name, mode_t mode);
int vfs_mknod(const struct walk_base *wb, const char *name, mode_t mode, dev_t dev);
int vfs_symlink(const struct walk_base *wb, const char *target, const char *name);
int vfs_link(const struct walk_base *oldwb, const char *oldname, const struct walk_base *newwb,
	     const char *newname, unsigned lookup_flags);
int vfs_unlink(const struct walk_base *wb, const char *name);
int vfs_rmdir(const struct walk_base *wb, const char *name);
int vfs_rename(const struct walk_base *oldwb, const char *oldname, const struct walk_base *newwb,
	       const char *newname, unsigned flags);
int vfs_readlink(const struct walk_base *wb, const char *name, char *buf, size_t size);
int vfs_getattr(const struct path *p, struct kstat *st);
/* Attributes of an open file: its path's, or its inode's if anonymous. */
int file_getattr(struct file *f, struct kstat *st);
/* chmod/chown/utimes/truncate with Linux's permission rules. */
int vfs_setattr(const struct path *p, struct iattr *ia, const struct creds *cr);
int vfs_truncate(const struct path *p, int64_t size, const struct creds *cr);
/* Applies IA to INODE under its lock (no permission checks). */
int inode_setattr(struct inode *inode, const struct iattr *ia);
int vfs_statfs(const struct path *p, struct kstatfs *st);
/* No filesystem here decodes file handles, but every file has an
 * identifier in handle form (Linux's exportfs_encode_ino64_fid, for
 * AT_HANDLE_FID and inotify's fdinfo): FILEID_INO64_GEN, the inode
 * number st.st_ino shows and a generation of 0, packed little-endian. */
#define VFS_FID_TYPE 0x81
#define VFS_FID_SIZE 12
void vfs_encode_fid(uint64_t ino, unsigned char fid[VFS_FID_SIZE]);
/* -EROFS if P's mount or filesystem is read-only. */
int path_want_write(const struct path *p);

/* ---- the kernel's entry points ---- */

/* Builds the container's tree: overlay (tmpfs over a read-only hostfs of
 * HOST_ROOT_DIR) at / (or the read-only hostfs itself without OVERLAY),
 * devfs at /dev. NULL with a message in ERR on failure. */
struct mount_ns *vfs_build_root(struct kernel *k, const char *host_root_dir, bool overlay,
				char *err, size_t errlen);
/* Mounts a synthetic filesystem at PATH (a directory, created in the
 * overlay if missing): the hook /proc and /sys use. */
int vfs_mount_at(struct mount_ns *ns, const char *path, struct super_block *sb,
		 unsigned mnt_flags, const char *source);
/* Opens PATH for execve: -ENOENT, -EACCES (not a regular file, no x bit
 * for T, noexec mount), -ELOOP... */
int vfs_open_exec(struct task *t, const char *path, struct file **out);
/* The same from WB with LOOKUP_* FLAGS (execveat). */
int vfs_open_exec_at(const struct walk_base *wb, const char *path, unsigned flags,
		     struct file **out);
/* The path of F as T sees it (for /proc/self/fd, /proc/self/exe). */
int vfs_task_file_path(struct task *t, struct file *f, char *buf, size_t size);
/* Wraps a host fd the sentry owns (the sandbox's stdio); takes over
 * HOST_FD. NULL if the host fd is unusable. */
struct file *hostfd_file_new(int host_fd, int open_flags);
/* Whether F is one of the sandbox's host stdio files. */
bool hostfd_is_host_file(struct file *f);

#endif
