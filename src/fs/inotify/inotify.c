/* inotify files, as Linux's fs/notify/inotify/inotify_user.c: a queue of
 * events read whole (struct inotify_event, the name NUL-padded to a
 * multiple of its size), an identical event merged into the last one,
 * IN_Q_OVERFLOW once max_queued_events are waiting, FIONREAD (not
 * INOTIFY_IOC_SETNEXTWD, which needs checkpoint/restore), poll, and
 * per-user limits on instances and watches. */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "cvisor/anon_inode.h"
#include "cvisor/creds.h"
#include "cvisor/kernfs.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "inotify_internal.h"

_Atomic int inotify_max_queued_events = 16384;
_Atomic int inotify_max_user_instances = 128;
/* Linux sizes this from memory (between 8192 and 1048576): this is its
 * value for about 4 GiB. */
_Atomic int inotify_max_user_watches = 65536;

struct inotify_kevent {
	TAILQ_ENTRY(inotify_kevent) entry;
	int wd;
	uint32_t mask, cookie;
	uint32_t len;		/* of the padded name; 0 without one */
	char name[];
};

static size_t kevent_size(const struct inotify_kevent *e)
{
	return sizeof(struct inotify_event) + e->len;
}

/* Instances and watches per effective uid (Linux's ucounts); never
 * freed (one per uid that made an instance). */
struct inotify_user {
	uid_t uid;
	int instances;		/* [users_lock] */
	int watches;		/* [users_lock] */
	struct inotify_user *next;
};
static pthread_mutex_t users_lock = PTHREAD_MUTEX_INITIALIZER;
static struct inotify_user *users;

static struct inotify_user *user_get_instance(uid_t uid)
{
	struct inotify_user *u;

	pthread_mutex_lock(&users_lock);
	for (u = users; u && u->uid != uid; u = u->next)
		;
	if (!u) {
		u = xzalloc(sizeof(*u));
		u->uid = uid;
		u->next = users;
		users = u;
	}
	if (u->instances >= inotify_max_user_instances)
		u = NULL;
	else
		u->instances++;
	pthread_mutex_unlock(&users_lock);
	return u;
}

static void user_put_instance(struct inotify_user *u)
{
	pthread_mutex_lock(&users_lock);
	u->instances--;
	pthread_mutex_unlock(&users_lock);
}

bool inotify_user_add_watch(struct inotify_user *u)
{
	pthread_mutex_lock(&users_lock);
	bool ok = u->watches < inotify_max_user_watches;
	if (ok)
		u->watches++;
	pthread_mutex_unlock(&users_lock);
	return ok;
}

void inotify_user_del_watch(struct inotify_user *u)
{
	pthread_mutex_lock(&users_lock);
	u->watches--;
	pthread_mutex_unlock(&users_lock);
}

static struct inotify_file *INOTIFY_F(struct file *f)
{
	return container_of(f, struct inotify_file, vfs);
}

/* Linux's event_compare: an IN_IGNORED is never merged into. */
static bool kevent_same(const struct inotify_kevent *e, int wd, uint32_t mask,
			const char *name)
{
	if (e->mask & IN_IGNORED)
		return false;
	if (e->wd != wd || e->mask != mask || !e->len != !name)
		return false;
	return !name || strcmp(e->name, name) == 0;
}

void inotify_queue_event(struct inotify_file *g, int wd, uint32_t mask, uint32_t cookie,
			 const char *name)
{
	struct inotify_kevent *e;

	pthread_mutex_lock(&g->lock);
	if (g->nr_events >= g->max_events) {
		/* One IN_Q_OVERFLOW stands for everything lost. */
		if (g->overflowed) {
			pthread_mutex_unlock(&g->lock);
			return;
		}
		g->overflowed = true;
		wd = -1;
		mask = IN_Q_OVERFLOW;
		cookie = 0;
		name = NULL;
	} else {
		e = TAILQ_LAST(&g->events, inotify_kevent_list);
		if (e && kevent_same(e, wd, mask, name)) {
			pthread_mutex_unlock(&g->lock);
			return;
		}
	}
	size_t len = 0;
	if (name) {
		size_t n = strlen(name) + 1;
		len = (n + sizeof(struct inotify_event) - 1) / sizeof(struct inotify_event) *
		      sizeof(struct inotify_event);
	}
	e = xzalloc(sizeof(*e) + len);
	e->wd = wd;
	e->mask = mask;
	e->cookie = cookie;
	e->len = (uint32_t)len;
	if (name)
		strcpy(e->name, name);
	TAILQ_INSERT_TAIL(&g->events, e, entry);
	g->nr_events++;
	pthread_mutex_unlock(&g->lock);
	waitqueue_wake_key(&g->wq, POLLIN | POLLRDNORM);
}

/* Under G's lock: moves the whole events that fit in COUNT bytes into
 * IOV, oldest first; returns their size (0 if none is queued), or
 * -EINVAL if not even the first fits. */
static ssize_t take_events(struct inotify_file *g, const struct iovec *iov, int cnt,
			   size_t count)
{
	size_t done = 0;
	struct inotify_kevent *e;

	while ((e = TAILQ_FIRST(&g->events))) {
		size_t size = kevent_size(e);
		if (size > count - done)
			return done ? (ssize_t)done : -EINVAL;
		struct inotify_event hdr = {
			.wd = e->wd, .mask = e->mask, .cookie = e->cookie, .len = e->len
		};
		iov_copy_to(iov, cnt, done, &hdr, sizeof(hdr));
		iov_copy_to(iov, cnt, done + sizeof(hdr), e->name, e->len);
		done += size;
		TAILQ_REMOVE(&g->events, e, entry);
		g->nr_events--;
		if (e->mask & IN_Q_OVERFLOW)
			g->overflowed = false;
		free(e);
	}
	return (ssize_t)done;
}

static ssize_t inotify_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct inotify_file *g = INOTIFY_F(f);
	struct task *t = current_task;
	size_t count = iov_total(iov, cnt);
	struct waiter w = { 0 };
	ssize_t ret;

	pthread_mutex_lock(&g->lock);
	for (;;) {
		ret = take_events(g, iov, cnt, count);
		if (ret)
			break;
		if ((f->flags & O_NONBLOCK) || !t) {
			ret = -EAGAIN;
			break;
		}
		waiter_prepare(&w, t, &g->wq);
		if (!TAILQ_EMPTY(&g->events))
			continue;
		pthread_mutex_unlock(&g->lock);
		int err = waiter_sleep(&w, -1);
		pthread_mutex_lock(&g->lock);
		if (err) {
			ret = -ERESTARTSYS;
			break;
		}
	}
	pthread_mutex_unlock(&g->lock);
	waiter_finish(&w);
	return ret;
}

static unsigned inotify_poll(struct file *f, struct poll_table *pt)
{
	struct inotify_file *g = INOTIFY_F(f);

	poll_wait(pt, &g->wq);
	pthread_mutex_lock(&g->lock);
	unsigned mask = TAILQ_EMPTY(&g->events) ? 0 : POLLIN | POLLRDNORM;
	pthread_mutex_unlock(&g->lock);
	return mask;
}

static long inotify_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	struct inotify_file *g = INOTIFY_F(f);
	struct inotify_kevent *e;

	switch (cmd) {
	case FIONREAD: {
		int n = 0;
		pthread_mutex_lock(&g->lock);
		TAILQ_FOREACH(e, &g->events, entry)
			n += (int)kevent_size(e);
		pthread_mutex_unlock(&g->lock);
		return copy_out(t, arg, &n, sizeof(n));
	}
	}
	return -ENOTTY;
}

/* noop_llseek: the position, unchanged. */
static int64_t inotify_llseek(struct file *f, int64_t off, int whence)
{
	return f->pos;
}

static void inotify_show_fdinfo(struct file *f, struct kernfs_buf *b)
{
	inotify_show_watches(INOTIFY_F(f), b);
}

static void inotify_release(struct file *f)
{
	struct inotify_file *g = INOTIFY_F(f);
	struct inotify_kevent *e;

	inotify_remove_all_watches(g);
	while ((e = TAILQ_FIRST(&g->events))) {
		TAILQ_REMOVE(&g->events, e, entry);
		free(e);
	}
	user_put_instance(g->user);
	pthread_mutex_destroy(&g->lock);
}

static const struct file_ops inotify_fops = {
	.read = inotify_read,
	.llseek = inotify_llseek,
	.poll = inotify_poll,
	.ioctl = inotify_ioctl,
	.show_fdinfo = inotify_show_fdinfo,
	.release = inotify_release,
};

bool file_is_inotify(struct file *f)
{
	return f->ops == &inotify_fops;
}

long inotify_create(const struct creds *cr, int flags, struct file **out)
{
	if (flags & ~(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	struct inotify_user *u = user_get_instance(cr->euid);
	if (!u)
		return -EMFILE;
	struct file *f = anon_inode_file("inotify", sizeof(struct inotify_file), &inotify_fops,
					 cr, O_RDONLY | (flags & O_NONBLOCK));
	struct inotify_file *g = INOTIFY_F(f);
	pthread_mutex_init(&g->lock, NULL);
	waitqueue_init(&g->wq);
	TAILQ_INIT(&g->events);
	LIST_INIT(&g->watches);
	g->max_events = inotify_max_queued_events;
	g->user = u;
	*out = f;
	return 0;
}
