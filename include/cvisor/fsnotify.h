/* Filesystem change notification, as Linux's fsnotify: the VFS calls
 * these hooks where an operation has completed, and they queue inotify
 * events (fs/inotify) on the watches of the inodes concerned. An event on
 * a file reached through a dentry is also reported to the watches of its
 * parent directory, with the file's name (Linux's fsnotify_parent).
 *
 * Each hook costs one load while nothing is watched. Hooks take only
 * inotify's own locks (and dcache_lock briefly, to read a parent), so
 * they may be called with inode locks held but never under dcache_lock.
 *
 * inotify's system calls and its /proc/sys/fs/inotify limits are here
 * too, for the syscall layer and procfs.
 */
#ifndef CVISOR_FSNOTIFY_H
#define CVISOR_FSNOTIFY_H

#include <stdbool.h>
#include <stdint.h>

struct creds;
struct dentry;
struct file;
struct inode;
struct path;
struct task;

/* The file F was opened, read from, written to (read/write returned
 * more than 0) or closed (its last reference went). */
void fsnotify_open(struct file *f);
void fsnotify_access(struct file *f);
void fsnotify_modify(struct file *f);
void fsnotify_close(struct file *f);
/* INODE's attributes changed through D (NULL: an anonymous file): IA_VALID
 * holds the ATTR_* that changed (Linux's fsnotify_change). */
void fsnotify_change(struct dentry *d, struct inode *inode, unsigned ia_valid);
/* An extended attribute of INODE (through D, or NULL) changed. */
void fsnotify_xattr(struct dentry *d, struct inode *inode);
/* INODE's link count changed (IN_ATTRIB on INODE alone). */
void fsnotify_link_count(struct inode *inode);
/* NAME in DIR was made (for INODE) or removed. */
void fsnotify_create(struct inode *dir, const char *name, struct inode *inode);
void fsnotify_delete(struct inode *dir, const char *name, bool isdir);
/* MOVED (a directory if ISDIR) went from ODIR/ONAME to NDIR/NNAME,
 * replacing TARGET (NULL if none). */
void fsnotify_move(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
		   struct inode *moved, struct inode *target);
/* The last dentry of INODE went with no name left (nlink 0): IN_DELETE_SELF
 * and the end of its watches (Linux's fsnotify_inoderemove). */
void fsnotify_inoderemove(struct inode *inode);
/* Whether INODE has watches (a quick, unlocked look). */
bool fsnotify_inode_watched(struct inode *inode);

/* inotify_init1(FLAGS) without the fd: a new inotify file for CR. */
long inotify_create(const struct creds *cr, int flags, struct file **out);
/* inotify_add_watch on file F for the inode at P, already looked up:
 * the watch descriptor or -errno. -EINVAL if F is not an inotify file. */
long inotify_add_watch_path(struct file *f, const struct path *p, uint32_t mask);
long inotify_rm_watch_wd(struct file *f, int wd);
bool file_is_inotify(struct file *f);

/* The /proc/sys/fs/inotify limits (Linux's defaults). */
extern _Atomic int inotify_max_queued_events;
extern _Atomic int inotify_max_user_instances;
extern _Atomic int inotify_max_user_watches;

#endif
