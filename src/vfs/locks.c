/* Advisory file locks, as Linux's fs/locks.c: fcntl record locks (POSIX
 * locks, owned by the fd table of the process, and OFD locks, owned by
 * the open file description) and flock(2) locks (owned by the open file
 * description). They hang off the VFS inode, so they work the same on
 * every filesystem. A file of the host layer is locked only inside the
 * sandbox: the host never sees these locks, and a host process never
 * conflicts with them.
 *
 * One mutex, locks_lock, guards every inode's lock context and the list
 * of blocked POSIX waiters that deadlock detection follows (Linux's
 * blocked_lock_lock is global for the same reason). Lock order:
 * locks_lock -> a context's wait queue lock. A blocked request sleeps on
 * its inode's wait queue and looks again after every change. */
#include <stdlib.h>
#include <sys/file.h>

#include "cvisor/task.h"
#include "cvisor/syscalls.h"
#include "vfs_internal.h"

/* glibc's <sys/queue.h> lacks the _SAFE iterator. */
#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar) \
	for ((var) = TAILQ_FIRST(head); (var) && ((tvar) = TAILQ_NEXT(var, field), 1); (var) = (tvar))
#endif

#define OFFSET_MAX INT64_MAX
/* Linux's MAX_DEADLK_ITERATIONS: how far the wait-for chain is followed. */
#define MAX_DEADLK_ITERATIONS 10

enum lock_kind { LK_POSIX, LK_OFD, LK_FLOCK };

struct file_lock {
	TAILQ_ENTRY(file_lock) entry;
	enum lock_kind kind;
	short type;			/* F_RDLCK or F_WRLCK */
	int64_t start, end;		/* inclusive; end OFFSET_MAX: to EOF */
	const void *owner;		/* POSIX: the fd table; OFD, flock: the file */
	pid_t pid;			/* who set it (F_GETLK's l_pid) */
};
TAILQ_HEAD(file_lock_list, file_lock);

struct file_lock_context {
	struct file_lock_list posix;	/* POSIX and OFD locks */
	struct file_lock_list flock;
	struct waitqueue wq;		/* woken at every change */
};

/* A POSIX owner sleeping until BLOCKER's lock goes (deadlock detection). */
struct blocked_owner {
	TAILQ_ENTRY(blocked_owner) entry;
	const void *owner, *blocker;
};

static pthread_mutex_t locks_lock = PTHREAD_MUTEX_INITIALIZER;
static TAILQ_HEAD(, blocked_owner) blocked_owners = TAILQ_HEAD_INITIALIZER(blocked_owners);

/* The inode locks go on: the path's (an overlay file's inode stays the
 * same across copy-up), else the file's own. */
static struct inode *lock_inode(struct file *f)
{
	struct inode *inode = f->path.dentry ? d_inode(f->path.dentry) : NULL;
	return inode ? inode : f->inode;
}

/* Under locks_lock: INODE's context, made on first use. */
static struct file_lock_context *lock_ctx(struct inode *inode)
{
	if (!inode->flctx) {
		struct file_lock_context *ctx = xzalloc(sizeof(*ctx));
		TAILQ_INIT(&ctx->posix);
		TAILQ_INIT(&ctx->flock);
		waitqueue_init(&ctx->wq);
		__atomic_store_n(&inode->flctx, ctx, __ATOMIC_RELEASE);
	}
	return inode->flctx;
}

static bool locks_overlap(const struct file_lock *a, const struct file_lock *b)
{
	return a->start <= b->end && b->start <= a->end;
}

/* A lock of another owner that keeps REQ from being granted. */
static struct file_lock *find_conflict(struct file_lock_list *list, const struct file_lock *req)
{
	struct file_lock *fl;
	TAILQ_FOREACH(fl, list, entry) {
		if (fl->owner == req->owner)
			continue;
		if (req->kind != LK_FLOCK && !locks_overlap(fl, req))
			continue;
		if (fl->type == F_WRLCK || req->type == F_WRLCK)
			return fl;
	}
	return NULL;
}

/* Whether REQ's owner waiting for BLOCKER would close a cycle of POSIX
 * owners waiting for each other (posix_locks_deadlock). */
static bool posix_deadlock(const struct file_lock *req, const struct file_lock *blocker)
{
	if (req->kind != LK_POSIX || blocker->kind != LK_POSIX)
		return false;
	const void *owner = blocker->owner;
	for (int i = 0; i < MAX_DEADLK_ITERATIONS; i++) {
		struct blocked_owner *b;
		TAILQ_FOREACH(b, &blocked_owners, entry)
			if (b->owner == owner)
				break;
		if (!b)
			return false;
		owner = b->blocker;
		if (owner == req->owner)
			return true;
	}
	return false;
}

/* Under locks_lock: applies REQ (F_UNLCK too) to its owner's locks in
 * LIST: the range is cut out of them (splitting one that spans it), then
 * the new lock goes in, merged with the owner's locks of the same type
 * that overlap or touch it. */
static void posix_apply(struct file_lock_context *ctx, const struct file_lock *req)
{
	struct file_lock *fl, *next;

	TAILQ_FOREACH_SAFE(fl, &ctx->posix, entry, next) {
		if (fl->owner != req->owner || !locks_overlap(fl, req))
			continue;
		if (fl->start < req->start && fl->end > req->end) {
			/* REQ is inside: split off the part after it. */
			struct file_lock *tail = xmalloc(sizeof(*tail));
			*tail = *fl;
			tail->start = req->end + 1;
			TAILQ_INSERT_AFTER(&ctx->posix, fl, tail, entry);
			fl->end = req->start - 1;
		} else if (fl->start < req->start) {
			fl->end = req->start - 1;
		} else if (fl->end > req->end) {
			fl->start = req->end + 1;
		} else {
			TAILQ_REMOVE(&ctx->posix, fl, entry);
			free(fl);
		}
	}
	if (req->type == F_UNLCK)
		return;
	struct file_lock *new = xmalloc(sizeof(*new));
	*new = *req;
	TAILQ_FOREACH_SAFE(fl, &ctx->posix, entry, next) {
		if (fl->owner != req->owner || fl->type != req->type)
			continue;
		bool touches = locks_overlap(fl, new) ||
			       (fl->end != OFFSET_MAX && fl->end + 1 == new->start) ||
			       (new->end != OFFSET_MAX && new->end + 1 == fl->start);
		if (!touches)
			continue;
		new->start = MIN(new->start, fl->start);
		new->end = MAX(new->end, fl->end);
		TAILQ_REMOVE(&ctx->posix, fl, entry);
		free(fl);
	}
	TAILQ_INSERT_TAIL(&ctx->posix, new, entry);
}

/* Sleeps T on CTX until woken (0) or a signal comes (-ERESTARTSYS);
 * locks_lock is dropped meanwhile. OWNER waits for BLOCKER's owner. */
static int lock_wait(struct task *t, struct file_lock_context *ctx, struct waiter *w,
		     const struct file_lock *req, const struct file_lock *blocker)
{
	struct blocked_owner b = { .owner = req->owner, .blocker = blocker->owner };
	if (req->kind == LK_POSIX)
		TAILQ_INSERT_TAIL(&blocked_owners, &b, entry);
	waiter_prepare(w, t, &ctx->wq);
	pthread_mutex_unlock(&locks_lock);
	int err = waiter_sleep(w, -1);
	pthread_mutex_lock(&locks_lock);
	if (req->kind == LK_POSIX)
		TAILQ_REMOVE(&blocked_owners, &b, entry);
	return err ? -ERESTARTSYS : 0;
}

/* The range of FL as absolute offsets (flock_to_posix_lock). */
static int flock_to_range(struct file *f, const struct flock *fl, struct file_lock *req)
{
	int64_t base;

	switch (fl->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		pthread_mutex_lock(&f->pos_lock);
		base = f->pos;
		pthread_mutex_unlock(&f->pos_lock);
		break;
	case SEEK_END: {
		struct kstat st;
		int err = file_getattr(f, &st);
		if (err)
			return err;
		base = st.size;
		break;
	}
	default:
		return -EINVAL;
	}
	if (fl->l_start > OFFSET_MAX - base)
		return -EOVERFLOW;
	req->start = base + fl->l_start;
	if (req->start < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if (fl->l_len - 1 > OFFSET_MAX - req->start)
			return -EOVERFLOW;
		req->end = req->start + fl->l_len - 1;
	} else if (fl->l_len < 0) {
		if (req->start + fl->l_len < 0)
			return -EINVAL;
		req->end = req->start - 1;
		req->start += fl->l_len;
	} else {
		req->end = OFFSET_MAX;
	}
	return 0;
}

int vfs_fcntl_lock(struct task *t, struct file *f, int cmd, struct flock *fl)
{
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
	bool wait = cmd == F_SETLKW || cmd == F_OFD_SETLKW;
	struct file_lock req = {
		.kind = ofd ? LK_OFD : LK_POSIX,
		.type = fl->l_type,
		.owner = ofd ? (const void *)f : (const void *)t->fdt,
		.pid = ofd ? -1 : t->tg->tgid,
	};

	if (f->fmode & FMODE_PATH)
		return -EBADF;
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK && (get || fl->l_type != F_UNLCK))
		return -EINVAL;
	/* OFD requests must leave l_pid zero. */
	if (ofd && fl->l_pid != 0)
		return -EINVAL;
	int err = flock_to_range(f, fl, &req);
	if (err)
		return err;
	if (!get && ((req.type == F_RDLCK && !(f->fmode & FMODE_READ)) ||
		     (req.type == F_WRLCK && !(f->fmode & FMODE_WRITE))))
		return -EBADF;

	struct inode *inode = lock_inode(f);
	struct waiter w = { 0 };
	pthread_mutex_lock(&locks_lock);
	struct file_lock_context *ctx = lock_ctx(inode);
	if (get) {
		struct file_lock *c = find_conflict(&ctx->posix, &req);
		if (!c) {
			fl->l_type = F_UNLCK;
		} else {
			fl->l_type = c->type;
			fl->l_whence = SEEK_SET;
			fl->l_start = c->start;
			fl->l_len = c->end == OFFSET_MAX ? 0 : c->end - c->start + 1;
			fl->l_pid = c->pid;
		}
		pthread_mutex_unlock(&locks_lock);
		return 0;
	}
	for (;;) {
		struct file_lock *c = req.type == F_UNLCK ? NULL : find_conflict(&ctx->posix, &req);
		if (!c) {
			posix_apply(ctx, &req);
			waitqueue_wake_all(&ctx->wq);
			err = 0;
			break;
		}
		if (!wait) {
			err = -EAGAIN;
			break;
		}
		if (posix_deadlock(&req, c)) {
			err = -EDEADLK;
			break;
		}
		err = lock_wait(t, ctx, &w, &req, c);
		if (err)
			break;
	}
	waiter_finish(&w);
	pthread_mutex_unlock(&locks_lock);
	return err;
}

/* Under locks_lock: drops F's flock lock, if any. */
static bool flock_remove(struct file_lock_context *ctx, struct file *f)
{
	struct file_lock *fl;
	TAILQ_FOREACH(fl, &ctx->flock, entry) {
		if (fl->owner == f) {
			TAILQ_REMOVE(&ctx->flock, fl, entry);
			free(fl);
			return true;
		}
	}
	return false;
}

int vfs_flock(struct task *t, struct file *f, unsigned op)
{
	bool nb = op & LOCK_NB;
	short type;

	/* Mandatory flock locks are gone: Linux warns and does nothing. */
	if (op & LOCK_MAND)
		return 0;
	switch (op & ~LOCK_NB) {
	case LOCK_SH:
		type = F_RDLCK;
		break;
	case LOCK_EX:
		type = F_WRLCK;
		break;
	case LOCK_UN:
		type = F_UNLCK;
		break;
	default:
		return -EINVAL;
	}
	if (!(f->fmode & (FMODE_READ | FMODE_WRITE)) && type != F_UNLCK)
		return -EBADF;
	if (f->fmode & FMODE_PATH)
		return -EBADF;

	struct inode *inode = lock_inode(f);
	struct file_lock req = { .kind = LK_FLOCK, .type = type, .owner = f, .pid = t->tg->tgid };
	struct waiter w = { 0 };
	int err = 0;
	pthread_mutex_lock(&locks_lock);
	struct file_lock_context *ctx = lock_ctx(inode);
	struct file_lock *fl;
	TAILQ_FOREACH(fl, &ctx->flock, entry)
		if (fl->owner == f)
			break;
	if (fl && fl->type == type)
		goto out_unlock;
	/* A conversion drops the old lock first, as Linux's does: it is not
	 * atomic. */
	if (flock_remove(ctx, f))
		waitqueue_wake_all(&ctx->wq);
	if (type == F_UNLCK)
		goto out_unlock;
	for (;;) {
		struct file_lock *c = find_conflict(&ctx->flock, &req);
		if (!c) {
			struct file_lock *new = xmalloc(sizeof(*new));
			*new = req;
			TAILQ_INSERT_TAIL(&ctx->flock, new, entry);
			break;
		}
		if (nb) {
			err = -EWOULDBLOCK;
			break;
		}
		err = lock_wait(t, ctx, &w, &req, c);
		if (err)
			break;
	}
	waiter_finish(&w);
out_unlock:
	pthread_mutex_unlock(&locks_lock);
	return err;
}

/* Drops every record lock of OWNER on F's inode, and with FLOCK_TOO
 * F's flock lock. */
static void locks_remove(struct file *f, const void *owner, bool flock_too)
{
	struct inode *inode = lock_inode(f);
	/* Files never locked (nearly all) skip the lock. */
	if (!inode || !__atomic_load_n(&inode->flctx, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&locks_lock);
	struct file_lock_context *ctx = inode->flctx;
	struct file_lock req = { .type = F_UNLCK, .owner = owner, .start = 0, .end = OFFSET_MAX };
	posix_apply(ctx, &req);
	if (flock_too)
		flock_remove(ctx, f);
	waitqueue_wake_all(&ctx->wq);
	pthread_mutex_unlock(&locks_lock);
}

void locks_remove_posix(struct file *f, const void *owner)
{
	locks_remove(f, owner, false);
}

void locks_remove_file(struct file *f)
{
	locks_remove(f, f, true);
}

void locks_free_inode(struct inode *inode)
{
	struct file_lock_context *ctx = inode->flctx;
	if (!ctx)
		return;
	/* Every file is closed, so every lock is gone. */
	struct file_lock *fl;
	while ((fl = TAILQ_FIRST(&ctx->posix))) {
		TAILQ_REMOVE(&ctx->posix, fl, entry);
		free(fl);
	}
	while ((fl = TAILQ_FIRST(&ctx->flock))) {
		TAILQ_REMOVE(&ctx->flock, fl, entry);
		free(fl);
	}
	free(ctx);
	inode->flctx = NULL;
}
