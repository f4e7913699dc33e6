/* The notification hooks and the watches they reach, as Linux's
 * fs/notify/fsnotify.c and inotify_user.c's watch handling: watches hang
 * off the inode; an event goes to the watches of the inode (no name) and,
 * for the events a directory hears about its children, to those of the
 * parent (with the child's name), parent first. IN_ONESHOT watches and
 * removed ones end with IN_IGNORED. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "cvisor/kernfs.h"
#include "inotify_internal.h"

pthread_mutex_t notify_lock = PTHREAD_MUTEX_INITIALIZER;

/* Watches in the whole sandbox: hooks do nothing while there are none. */
static _Atomic int nr_watches;
/* Rename cookies (Linux's fsnotify_sync_cookie); the first is 1. */
static _Atomic uint32_t last_cookie;

/* The events a directory's watch hears about its children (Linux's
 * FS_EVENTS_POSS_ON_CHILD). */
#define EVENTS_ON_CHILD                                                               \
	(IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_OPEN | \
	 IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE)

bool fsnotify_inode_watched(struct inode *inode)
{
	return __atomic_load_n(&LIST_FIRST(&inode->watches), __ATOMIC_ACQUIRE) != NULL;
}

/* Under notify_lock: takes W off its inode and its group, queues
 * IN_IGNORED and puts W on DEAD, for free_dead once the lock is gone. */
static void watch_detach(struct inotify_watch *w, struct inotify_file *dying,
			 struct inotify_watch **dead)
{
	LIST_REMOVE(w, inode_entry);
	LIST_REMOVE(w, group_entry);
	if (w->group != dying)
		inotify_queue_event(w->group, w->wd, IN_IGNORED, 0, NULL);
	nr_watches--;
	/* The inode entry is free now: it chains the dead. */
	w->inode_entry.le_next = *dead;
	*dead = w;
}

static void free_dead(struct inotify_watch *dead)
{
	while (dead) {
		struct inotify_watch *next = dead->inode_entry.le_next;
		inotify_user_del_watch(dead->user);
		inode_put(dead->inode);
		free(dead);
		dead = next;
	}
}

/* Under notify_lock: delivers MASK to the watches of INODE that want it.
 * NAME is the child's for a directory's watch, NULL for the inode's own;
 * UNLINKED: the event is on an open file whose name is gone (for
 * IN_EXCL_UNLINK). */
static void deliver(struct inode *inode, uint32_t mask, uint32_t cookie, const char *name,
		    bool unlinked, struct inotify_watch **dead)
{
	struct inotify_watch *w, *next;

	for (w = LIST_FIRST(&inode->watches); w && (next = LIST_NEXT(w, inode_entry), 1); w = next) {
		if (!(w->mask & mask & IN_ALL_EVENTS))
			continue;
		if ((w->mask & IN_EXCL_UNLINK) && unlinked)
			continue;
		inotify_queue_event(w->group, w->wd, mask, cookie, name);
		if (w->mask & IN_ONESHOT)
			watch_detach(w, NULL, dead);
	}
}

/* MASK on INODE, reported to DIR's watches as NAME first when DIR is not
 * NULL. */
static void notify(struct inode *dir, const char *name, struct inode *inode, uint32_t mask,
		   uint32_t cookie, bool unlinked)
{
	struct inotify_watch *dead = NULL;

	pthread_mutex_lock(&notify_lock);
	if (dir && (mask & EVENTS_ON_CHILD))
		deliver(dir, mask, cookie, name, unlinked, &dead);
	/* inotify never reported IN_ISDIR with the self events. */
	if (inode)
		deliver(inode, mask & (IN_MOVE_SELF | IN_DELETE_SELF) ? mask & ~IN_ISDIR : mask,
			cookie, NULL, unlinked, &dead);
	pthread_mutex_unlock(&notify_lock);
	free_dead(dead);
}

static uint32_t isdir(struct inode *inode)
{
	return S_ISDIR(inode->mode) ? IN_ISDIR : 0;
}

/* MASK on INODE reached through D: its parent's watches hear it too.
 * The watched inode is D's: a file's own inode may be a layer below it
 * (an overlay file does its I/O on the upper or lower file). */
static void notify_dentry(struct dentry *d, struct inode *inode, uint32_t mask,
			  const struct path *p)
{
	if (!nr_watches)
		return;
	if (d && d_inode(d))
		inode = d_inode(d);
	char name[VFS_NAME_MAX + 1];
	struct inode *dir = d ? d_parent_inode_name(d, name) : NULL;
	if (dir && !fsnotify_inode_watched(dir)) {
		inode_put(dir);
		dir = NULL;
	}
	if (!dir && !fsnotify_inode_watched(inode))
		return;
	bool unlinked = p && p->dentry && path_deleted(p);
	notify(dir, name, inode, mask | isdir(inode), 0, unlinked);
	inode_put(dir);
}

static void notify_file(struct file *f, uint32_t mask)
{
	/* O_PATH files only name a file (fsnotify_file). */
	if (!nr_watches || (f->fmode & FMODE_PATH) || !f->inode)
		return;
	notify_dentry(f->path.dentry, f->inode, mask, &f->path);
}

void fsnotify_open(struct file *f)
{
	notify_file(f, IN_OPEN);
}

void fsnotify_access(struct file *f)
{
	notify_file(f, IN_ACCESS);
}

void fsnotify_modify(struct file *f)
{
	notify_file(f, IN_MODIFY);
}

void fsnotify_close(struct file *f)
{
	notify_file(f, (f->fmode & FMODE_WRITE) ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
}

void fsnotify_change(struct dentry *d, struct inode *inode, unsigned ia_valid)
{
	uint32_t mask = 0;

	if (ia_valid & (ATTR_UID | ATTR_GID | ATTR_MODE))
		mask |= IN_ATTRIB;
	if (ia_valid & ATTR_SIZE)
		mask |= IN_MODIFY;
	/* Both times is a utimes call; one alone reads as that access. */
	if ((ia_valid & (ATTR_ATIME | ATTR_MTIME)) == (ATTR_ATIME | ATTR_MTIME))
		mask |= IN_ATTRIB;
	else if (ia_valid & ATTR_ATIME)
		mask |= IN_ACCESS;
	else if (ia_valid & ATTR_MTIME)
		mask |= IN_MODIFY;
	if (mask)
		notify_dentry(d, inode, mask, NULL);
}

void fsnotify_xattr(struct dentry *d, struct inode *inode)
{
	notify_dentry(d, inode, IN_ATTRIB, NULL);
}

void fsnotify_link_count(struct inode *inode)
{
	if (nr_watches && fsnotify_inode_watched(inode))
		notify(NULL, NULL, inode, IN_ATTRIB | isdir(inode), 0, false);
}

void fsnotify_create(struct inode *dir, const char *name, struct inode *inode)
{
	if (nr_watches && fsnotify_inode_watched(dir))
		notify(dir, name, NULL, IN_CREATE | isdir(inode), 0, false);
}

void fsnotify_delete(struct inode *dir, const char *name, bool is_dir)
{
	if (nr_watches && fsnotify_inode_watched(dir))
		notify(dir, name, NULL, IN_DELETE | (is_dir ? IN_ISDIR : 0), 0, false);
}

void fsnotify_move(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
		   struct inode *moved, struct inode *target)
{
	if (!nr_watches)
		return;
	uint32_t cookie = ++last_cookie;
	uint32_t dirbit = isdir(moved);
	if (fsnotify_inode_watched(odir))
		notify(odir, oname, NULL, IN_MOVED_FROM | dirbit, cookie, false);
	if (fsnotify_inode_watched(ndir))
		notify(ndir, nname, NULL, IN_MOVED_TO | dirbit, cookie, false);
	if (target)
		fsnotify_link_count(target);
	if (fsnotify_inode_watched(moved))
		notify(NULL, NULL, moved, IN_MOVE_SELF, 0, false);
}

void fsnotify_inoderemove(struct inode *inode)
{
	if (!nr_watches || !fsnotify_inode_watched(inode))
		return;
	notify(NULL, NULL, inode, IN_DELETE_SELF, 0, false);
	/* Then the watches go (__fsnotify_inode_delete). */
	struct inotify_watch *w, *next, *dead = NULL;
	pthread_mutex_lock(&notify_lock);
	for (w = LIST_FIRST(&inode->watches); w && (next = LIST_NEXT(w, inode_entry), 1); w = next)
		watch_detach(w, NULL, &dead);
	pthread_mutex_unlock(&notify_lock);
	free_dead(dead);
}

/* Under notify_lock. */
static struct inotify_watch *find_wd(struct inotify_file *g, int wd)
{
	struct inotify_watch *w;
	LIST_FOREACH(w, &g->watches, group_entry)
		if (w->wd == wd)
			return w;
	return NULL;
}

/* Under notify_lock: the next free wd after the last one given, as
 * Linux's idr_alloc_cyclic (1..INT_MAX). */
static int alloc_wd(struct inotify_file *g)
{
	int wd = g->last_wd;
	do
		wd = wd == INT32_MAX ? 1 : wd + 1;
	while (find_wd(g, wd));
	return g->last_wd = wd;
}

long inotify_add_watch_path(struct file *f, const struct path *p, uint32_t mask)
{
	struct inotify_file *g = container_of(f, struct inotify_file, vfs);
	struct inode *inode = d_inode(p->dentry);
	struct inotify_watch *w;
	long ret;

	pthread_mutex_lock(&notify_lock);
	LIST_FOREACH(w, &inode->watches, inode_entry)
		if (w->group == g)
			break;
	if (w) {
		/* An existing watch: replaced, or added to with IN_MASK_ADD. */
		if (mask & IN_MASK_CREATE) {
			ret = -EEXIST;
		} else {
			if (!(mask & IN_MASK_ADD))
				w->mask = 0;
			w->mask |= mask & WATCH_MASK_BITS;
			ret = w->wd;
		}
		pthread_mutex_unlock(&notify_lock);
		return ret;
	}
	if (!inotify_user_add_watch(g->user)) {
		pthread_mutex_unlock(&notify_lock);
		return -ENOSPC;
	}
	w = xzalloc(sizeof(*w));
	w->group = g;
	w->user = g->user;
	w->inode = inode_get(inode);
	w->mask = mask & WATCH_MASK_BITS;
	w->wd = alloc_wd(g);
	LIST_INSERT_HEAD(&g->watches, w, group_entry);
	/* Watches of one inode are told in the order they were added. */
	struct inotify_watch *last = LIST_FIRST(&inode->watches);
	while (last && LIST_NEXT(last, inode_entry))
		last = LIST_NEXT(last, inode_entry);
	if (last)
		LIST_INSERT_AFTER(last, w, inode_entry);
	else
		LIST_INSERT_HEAD(&inode->watches, w, inode_entry);
	nr_watches++;
	ret = w->wd;
	pthread_mutex_unlock(&notify_lock);
	return ret;
}

long inotify_rm_watch_wd(struct file *f, int wd)
{
	struct inotify_file *g = container_of(f, struct inotify_file, vfs);
	struct inotify_watch *dead = NULL;

	pthread_mutex_lock(&notify_lock);
	struct inotify_watch *w = find_wd(g, wd);
	if (w)
		watch_detach(w, NULL, &dead);
	pthread_mutex_unlock(&notify_lock);
	free_dead(dead);
	return w ? 0 : -EINVAL;
}

void inotify_remove_all_watches(struct inotify_file *g)
{
	struct inotify_watch *w, *next, *dead = NULL;

	pthread_mutex_lock(&notify_lock);
	for (w = LIST_FIRST(&g->watches); w && (next = LIST_NEXT(w, group_entry), 1); w = next)
		watch_detach(w, g, &dead);
	pthread_mutex_unlock(&notify_lock);
	free_dead(dead);
}

void inotify_show_watches(struct inotify_file *g, struct kernfs_buf *b)
{
	struct shown {
		int wd;
		uint32_t mask;
		struct inode *inode;
	} *v = NULL;
	size_t n = 0, cap = 0;
	struct inotify_watch *w;

	/* Copied out first: getattr locks the inode, which notify_lock
	 * must not be held across. */
	pthread_mutex_lock(&notify_lock);
	LIST_FOREACH(w, &g->watches, group_entry) {
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n++] = (struct shown){ w->wd, w->mask, inode_get(w->inode) };
	}
	pthread_mutex_unlock(&notify_lock);
	for (size_t i = 0; i < n; i++) {
		struct kstat st;
		if (vfs_getattr_inode(v[i].inode, &st) == 0) {
			/* sdev in the kernel's own dev_t encoding (MINORBITS
			 * 20); the handle is the inode's fid (show_mark_fhandle). */
			unsigned char fid[VFS_FID_SIZE];
			vfs_encode_fid(st.ino, fid);
			kernfs_printf(b, "inotify wd:%x ino:%llx sdev:%x mask:%x ignored_mask:0 "
				      "fhandle-bytes:%x fhandle-type:%x f_handle:", v[i].wd,
				      (unsigned long long)st.ino, major(st.dev) << 20 | minor(st.dev),
				      v[i].mask, VFS_FID_SIZE, VFS_FID_TYPE);
			for (size_t j = 0; j < sizeof(fid); j++)
				kernfs_printf(b, "%02x", fid[j]);
			kernfs_printf(b, "\n");
		}
		inode_put(v[i].inode);
	}
	free(v);
}
