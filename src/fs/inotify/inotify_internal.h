/* Shared between the files of src/fs/inotify only. */
#ifndef CVISOR_INOTIFY_INTERNAL_H
#define CVISOR_INOTIFY_INTERNAL_H

#include <pthread.h>
#include <sys/inotify.h>
#include <sys/queue.h>

#include "cvisor/fsnotify.h"
#include "cvisor/vfs.h"
#include "cvisor/waitqueue.h"

/* What a watch stores of the user's mask: the events and the two flags
 * that act on delivery. */
#define WATCH_MASK_BITS (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK)

/* Guards every inode's watch list, every inotify file's watch list and
 * wd counter, and the watches themselves. Lock order: notify_lock ->
 * an inotify file's lock -> its wait queue's lock. Never held across a
 * call into the VFS that may lock an inode (inode_put included). */
extern pthread_mutex_t notify_lock;

struct inotify_file;
struct inotify_user;

/* A watch: an inotify file's interest in one inode (Linux's
 * inotify_inode_mark). It holds a reference to the inode. */
struct inotify_watch {
	struct inotify_file *group;
	/* The group's, kept here: a detached watch may outlive its group
	 * until free_dead uncounts it (users live forever). */
	struct inotify_user *user;
	struct inode *inode;
	int wd;
	uint32_t mask;				/* WATCH_MASK_BITS */
	LIST_ENTRY(inotify_watch) inode_entry;	/* [notify_lock] */
	LIST_ENTRY(inotify_watch) group_entry;	/* [notify_lock] */
};

struct inotify_kevent;

/* An inotify instance: its event queue and its watches (Linux's
 * fsnotify_group with inotify_group_private_data). */
struct inotify_file {
	struct file vfs;
	pthread_mutex_t lock;
	struct waitqueue wq;			/* readers and pollers */
	TAILQ_HEAD(inotify_kevent_list, inotify_kevent) events;	/* [lock] oldest first */
	int nr_events;				/* [lock] the overflow event too */
	bool overflowed;			/* [lock] IN_Q_OVERFLOW is queued */
	int max_events;				/* max_queued_events at creation */
	LIST_HEAD(, inotify_watch) watches;	/* [notify_lock] */
	int last_wd;				/* [notify_lock] */
	struct inotify_user *user;		/* whose instance and watches */
};

/* Queues an event on G (NAME may be NULL), merging it into the last one
 * if identical, or IN_Q_OVERFLOW if the queue is full. */
void inotify_queue_event(struct inotify_file *g, int wd, uint32_t mask, uint32_t cookie,
			 const char *name);
/* Counts a watch of U against max_user_watches: false if over it. */
bool inotify_user_add_watch(struct inotify_user *u);
void inotify_user_del_watch(struct inotify_user *u);
/* Removes every watch of G, whose file is going away. */
void inotify_remove_all_watches(struct inotify_file *g);
/* Appends the "inotify wd:..." lines of G's watches to B (fdinfo). */
struct kernfs_buf;
void inotify_show_watches(struct inotify_file *g, struct kernfs_buf *b);

#endif
