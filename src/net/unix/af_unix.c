/* AF_UNIX sockets: life cycle, connections and state, as Linux's
 * net/unix/af_unix.c. Data transfer is in unix_io.c, names in
 * unix_name.c.
 *
 * Files in flight (SCM_RIGHTS in a receive queue) hold references to
 * their files; a socket's queue is emptied, and those references
 * dropped, when its file is closed. Cycles (a socket sent over itself
 * and never received) are found by the collector in unix_gc.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "cvisor/creds.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "unix_internal.h"

static const struct proto_ops unix_stream_ops, unix_seqpacket_ops, unix_dgram_ops;

struct unix_sock *unix_sock_get(struct unix_sock *u)
{
	u->refs++;
	return u;
}

void unix_sock_put(struct unix_sock *u)
{
	if (--u->refs)
		return;
	/* Its queue and room waiters went at release. */
	free(u->room_waiters);
	unix_addr_put(u->addr);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

void unix_uncharge(struct skb *skb)
{
	struct unix_sock *s = skb->sender;
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->wmem -= skb->charge;
	pthread_mutex_unlock(&s->lock);
	waitqueue_wake_key(&s->wq, POLLOUT | POLLWRNORM | POLLWRBAND);
	unix_sock_put(s);
	skb->sender = NULL;
}

static void unix_release_sock(struct unix_sock *u);

void unix_room_waiter_add_locked(struct unix_sock *other, struct unix_sock *u)
{
	for (int i = 0; i < other->n_room_waiters; i++)
		if (other->room_waiters[i] == u)
			return;
	if (other->n_room_waiters == other->cap_room_waiters) {
		other->cap_room_waiters = MAX(4, other->cap_room_waiters * 2);
		other->room_waiters = xrealloc(other->room_waiters,
					       sizeof(*other->room_waiters) *
						       (size_t)other->cap_room_waiters);
	}
	other->room_waiters[other->n_room_waiters++] = unix_sock_get(u);
}

void unix_wake_room_waiters(struct unix_sock *u)
{
	pthread_mutex_lock(&u->lock);
	struct unix_sock **v = u->room_waiters;
	int n = u->n_room_waiters;
	u->room_waiters = NULL;
	u->n_room_waiters = u->cap_room_waiters = 0;
	pthread_mutex_unlock(&u->lock);
	for (int i = 0; i < n; i++) {
		waitqueue_wake_key(&v[i]->wq, POLLOUT | POLLWRNORM | POLLWRBAND);
		unix_sock_put(v[i]);
	}
	free(v);
}

void skb_free(struct skb *skb)
{
	unix_uncharge(skb);
	unix_addr_put(skb->from);
	unix_notinflight(skb->fp);
	scm_fp_free(skb->fp);
	if (skb->conn)
		unix_release_sock(skb->conn);
	free(skb);
}

void skb_queue_purge(struct skb_queue *q)
{
	struct skb *skb;
	while ((skb = TAILQ_FIRST(q))) {
		TAILQ_REMOVE(q, skb, entry);
		skb_free(skb);
	}
}

void skb_unlink(struct unix_sock *u, struct skb *skb)
{
	TAILQ_REMOVE(&u->rq, skb, entry);
	u->rq_len--;
	u->rq_bytes -= skb->len - skb->off;
}

void unix_current_creds(struct scm_creds *c)
{
	struct task *t = current_task;
	*c = (struct scm_creds){ 0 };
	if (!t)
		return;
	c->pid = task_tgid_nr(t, t->tg);
	c->uid = t->creds->euid;
	c->gid = t->creds->egid;
}

int unix_wait_locked(struct unix_sock *u, struct waiter *w, int64_t deadline)
{
	struct task *t = current_task;
	if (!t)
		return -EAGAIN;
	waiter_prepare(w, t, &u->wq);
	pthread_mutex_unlock(&u->lock);
	int err = waiter_sleep(w, deadline);
	pthread_mutex_lock(&u->lock);
	if (err == -ETIMEDOUT)
		return -EAGAIN;
	if (err)
		return deadline < 0 ? -ERESTARTSYS : -EINTR;
	return 0;
}

static struct unix_sock *unix_sock_new(int type)
{
	struct unix_sock *u = xzalloc(sizeof(*u));
	u->refs = 1;
	pthread_mutex_init(&u->lock, NULL);
	waitqueue_init(&u->wq);
	TAILQ_INIT(&u->rq);
	u->type = type;
	u->sndbuf = u->rcvbuf = UNIX_DEFAULT_BUF;
	unix_table_add(u);
	return u;
}

static const struct proto_ops *ops_of(int type)
{
	return type == SOCK_STREAM ? &unix_stream_ops :
	       type == SOCK_SEQPACKET ? &unix_seqpacket_ops : &unix_dgram_ops;
}

/* The file for U (its first reference becomes the file's). */
static struct socket *unix_file(const struct creds *cr, struct unix_sock *u, int flags)
{
	struct socket *s = socket_alloc(cr, ops_of(u->type), AF_UNIX, u->type, 0, flags);
	s->sk = u;
	pthread_mutex_lock(&u->lock);
	u->sock = s;
	u->ino = s->vfs.inode->ino;
	pthread_mutex_unlock(&u->lock);
	return s;
}

int unix_create(const struct creds *cr, int type, int protocol, int flags, struct socket **out)
{
	if (protocol && protocol != PF_UNIX)
		return -EPROTONOSUPPORT;
	switch (type) {
	case SOCK_RAW:
		/* Linux takes SOCK_RAW for SOCK_DGRAM. */
		type = SOCK_DGRAM;
		break;
	case SOCK_STREAM:
	case SOCK_DGRAM:
	case SOCK_SEQPACKET:
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}
	*out = unix_file(cr, unix_sock_new(type), flags);
	return 0;
}

int unix_socketpair(const struct creds *cr, int type, int protocol, int flags,
		    struct socket **a, struct socket **b)
{
	int err = unix_create(cr, type, protocol, flags, a);
	if (err)
		return err;
	unix_create(cr, type, protocol, flags, b);
	struct unix_sock *ua = UNIX_SK(*a), *ub = UNIX_SK(*b);
	struct scm_creds c;
	unix_current_creds(&c);
	ua->peer = unix_sock_get(ub);
	ub->peer = unix_sock_get(ua);
	ua->state = ub->state = US_CONNECTED;
	ua->peercred = ub->peercred = c;
	ua->has_peercred = ub->has_peercred = true;
	return 0;
}

/* The file of U is gone (or U was a connection never accepted): the
 * peer sees the end, queued messages and connections are dropped. */
static void unix_release_sock(struct unix_sock *u)
{
	struct skb_queue q = TAILQ_HEAD_INITIALIZER(q);

	pthread_mutex_lock(&u->lock);
	/* A connection never accepted resets its client (Linux's embrion). */
	bool embryo = !u->sock;
	u->dead = true;
	u->shutdown = SHUTDOWN_MASK;
	u->sock = NULL;
	struct unix_sock *peer = u->peer;
	u->peer = NULL;
	bool unread = !TAILQ_EMPTY(&u->rq);
	TAILQ_CONCAT(&q, &u->rq, entry);
	u->rq_len = 0;
	u->rq_bytes = 0;
	pthread_mutex_unlock(&u->lock);
	unix_table_remove(u);

	if (peer) {
		if (u->type != SOCK_DGRAM) {
			pthread_mutex_lock(&peer->lock);
			if (peer->peer == u) {
				peer->shutdown = SHUTDOWN_MASK;
				/* Unread data: the peer's next read says so. */
				if (unread || embryo)
					peer->err = ECONNRESET;
			}
			pthread_mutex_unlock(&peer->lock);
		}
		waitqueue_wake_all(&peer->wq);
		unix_sock_put(peer);
	}
	waitqueue_wake_all(&u->wq);
	unix_wake_room_waiters(u);
	skb_queue_purge(&q);
	unix_sock_put(u);
	unix_gc();
}

static void unix_release(struct socket *s)
{
	unix_release_sock(UNIX_SK(s));
}

static int unix_bind(struct socket *s, const struct sockaddr *addr, int len)
{
	struct unix_sock *u = UNIX_SK(s);
	pthread_mutex_lock(&u->lock);
	int err = unix_bind_locked(u, addr, len);
	pthread_mutex_unlock(&u->lock);
	return err;
}

static int unix_listen(struct socket *s, int backlog)
{
	struct unix_sock *u = UNIX_SK(s);
	int err = 0;
	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if ((unsigned)backlog > SOMAXCONN_K)
		backlog = SOMAXCONN_K;
	pthread_mutex_lock(&u->lock);
	if (!u->addr || u->state == US_CONNECTED) {
		err = -EINVAL;
	} else {
		u->state = US_LISTENING;
		u->backlog = backlog;
		unix_current_creds(&u->peercred);
		u->has_peercred = true;
	}
	pthread_mutex_unlock(&u->lock);
	/* A bigger backlog may let waiting connectors in. */
	waitqueue_wake_all(&u->wq);
	return err;
}

/* Waits while listener L is full. Returns 0 with L not full (L
 * unlocked), or -errno. */
static int wait_for_room(struct socket *s, struct unix_sock *l, bool nonblock)
{
	struct waiter w = { 0 };
	int64_t deadline = socket_deadline(s, true);
	int err = 0;
	pthread_mutex_lock(&l->lock);
	while (!err) {
		if (l->state != US_LISTENING || l->dead)
			err = -ECONNREFUSED;
		else if (l->rq_len <= l->backlog)
			break;
		else if (nonblock)
			err = -EAGAIN;
		else
			err = unix_wait_locked(l, &w, deadline);
	}
	pthread_mutex_unlock(&l->lock);
	waiter_finish(&w);
	return err;
}

static int unix_stream_connect(struct socket *s, const struct sockaddr *addr, int len,
			       bool nonblock)
{
	struct unix_sock *u = UNIX_SK(s), *l;
	len = unix_validate_addr(addr, len);
	if (len < 0)
		return len;
	pthread_mutex_lock(&u->lock);
	int err = u->passcred ? unix_autobind_locked(u) : 0;
	pthread_mutex_unlock(&u->lock);
	if (err)
		return err;
	err = unix_find_other((const struct sockaddr_un *)addr, len, u->type, &l);
	if (err)
		return err;
	if (l == u) {
		/* Only a listener is found, and a listener cannot connect. */
		unix_sock_put(l);
		return -EINVAL;
	}
	struct unix_sock *conn = unix_sock_new(u->type);
	for (;;) {
		err = wait_for_room(s, l, nonblock);
		if (err)
			break;
		/* Both, in address order: each could be connecting to the
		 * other (a listener's connect fails, but only once locked). */
		pthread_mutex_lock(u < l ? &u->lock : &l->lock);
		pthread_mutex_lock(u < l ? &l->lock : &u->lock);
		if (u->state != US_UNCONNECTED) {
			err = u->state == US_CONNECTED ? -EISCONN : -EINVAL;
		} else if (l->state != US_LISTENING || l->dead) {
			err = -ECONNREFUSED;
		} else if (l->rq_len > l->backlog) {
			/* Someone else took the room. */
			pthread_mutex_unlock(&l->lock);
			pthread_mutex_unlock(&u->lock);
			continue;
		} else {
			struct skb *skb = xzalloc(sizeof(*skb));
			skb->conn = conn;
			conn->state = US_CONNECTED;
			conn->peer = unix_sock_get(u);
			unix_current_creds(&conn->peercred);
			conn->has_peercred = true;
			conn->addr = unix_addr_get(l->addr);
			conn->passcred = l->passcred;
			u->peer = unix_sock_get(conn);
			u->state = US_CONNECTED;
			u->peercred = l->peercred;
			u->has_peercred = true;
			TAILQ_INSERT_TAIL(&l->rq, skb, entry);
			l->rq_len++;
			conn = NULL;
		}
		pthread_mutex_unlock(&l->lock);
		pthread_mutex_unlock(&u->lock);
		break;
	}
	if (!err)
		waitqueue_wake_key(&l->wq, POLLIN | POLLRDNORM);
	if (conn)
		unix_release_sock(conn);
	unix_sock_put(l);
	return err;
}

static int unix_dgram_connect(struct socket *s, const struct sockaddr *addr, int len,
			      bool nonblock)
{
	struct unix_sock *u = UNIX_SK(s), *other = NULL;
	if (len < (int)sizeof(sa_family_t))
		return -EINVAL;
	if (addr->sa_family != AF_UNSPEC) {
		len = unix_validate_addr(addr, len);
		if (len < 0)
			return len;
		pthread_mutex_lock(&u->lock);
		int err = u->passcred ? unix_autobind_locked(u) : 0;
		pthread_mutex_unlock(&u->lock);
		if (err)
			return err;
		err = unix_find_other((const struct sockaddr_un *)addr, len, u->type, &other);
		if (err)
			return err;
		pthread_mutex_lock(&other->lock);
		/* unix_may_send: it is connected to nobody or to us. */
		bool may = !other->peer || other->peer == u;
		pthread_mutex_unlock(&other->lock);
		if (!may) {
			unix_sock_put(other);
			return -EPERM;
		}
	}
	pthread_mutex_lock(&u->lock);
	struct unix_sock *old = u->peer;
	u->peer = other;
	u->state = other ? US_CONNECTED : US_UNCONNECTED;
	pthread_mutex_unlock(&u->lock);
	if (old) {
		waitqueue_wake_all(&old->wq);
		unix_sock_put(old);
	}
	return 0;
}

static int unix_accept(struct socket *s, struct socket **out, bool nonblock)
{
	struct unix_sock *u = UNIX_SK(s);
	struct waiter w = { 0 };
	int64_t deadline = socket_deadline(s, false);
	struct skb *skb = NULL;
	int err = 0;

	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&u->lock);
	while (!err) {
		if (u->state != US_LISTENING)
			err = -EINVAL;
		else if ((skb = TAILQ_FIRST(&u->rq)))
			break;
		else if (nonblock)
			err = -EAGAIN;
		else
			err = unix_wait_locked(u, &w, deadline);
	}
	if (skb)
		skb_unlink(u, skb);
	pthread_mutex_unlock(&u->lock);
	waiter_finish(&w);
	if (err)
		return err;
	/* Room in the backlog for a waiting connector. */
	waitqueue_wake_key(&u->wq, POLLOUT | POLLWRNORM);
	struct unix_sock *conn = skb->conn;
	skb->conn = NULL;
	skb_free(skb);
	*out = unix_file(current_task ? current_task->creds : NULL, conn, 0);
	return 0;
}

static int unix_getname(struct socket *s, struct sockaddr_storage *ss, bool peer)
{
	struct unix_sock *u = UNIX_SK(s), *who = u;
	int len = sizeof(sa_family_t);
	if (peer) {
		pthread_mutex_lock(&u->lock);
		who = u->state == US_CONNECTED && u->peer ? unix_sock_get(u->peer) : NULL;
		pthread_mutex_unlock(&u->lock);
		if (!who)
			return -ENOTCONN;
	}
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = AF_UNIX;
	pthread_mutex_lock(&who->lock);
	if (who->addr) {
		memcpy(ss, &who->addr->sun, (size_t)who->addr->len);
		len = who->addr->len;
	}
	pthread_mutex_unlock(&who->lock);
	if (peer)
		unix_sock_put(who);
	return len;
}

static int unix_shutdown(struct socket *s, int how)
{
	struct unix_sock *u = UNIX_SK(s);
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	int mode = how + 1;	/* SHUT_RD -> RCV_SHUTDOWN, SHUT_WR -> SEND_SHUTDOWN */
	pthread_mutex_lock(&u->lock);
	u->shutdown |= mode;
	struct unix_sock *other = u->peer ? unix_sock_get(u->peer) : NULL;
	pthread_mutex_unlock(&u->lock);
	waitqueue_wake_all(&u->wq);
	if (!other)
		return 0;
	if (u->type != SOCK_DGRAM) {
		int peer_mode = (mode & RCV_SHUTDOWN ? SEND_SHUTDOWN : 0) |
				(mode & SEND_SHUTDOWN ? RCV_SHUTDOWN : 0);
		pthread_mutex_lock(&other->lock);
		other->shutdown |= peer_mode;
		pthread_mutex_unlock(&other->lock);
		waitqueue_wake_all(&other->wq);
	}
	unix_sock_put(other);
	return 0;
}

/* What the three socket types share; they differ in connecting, the
 * message paths and readiness. */
#define UNIX_COMMON_OPS                  \
	.bind = unix_bind,               \
	.listen = unix_listen,           \
	.accept = unix_accept,           \
	.getname = unix_getname,         \
	.shutdown = unix_shutdown,       \
	.setsockopt = unix_setsockopt,   \
	.getsockopt = unix_getsockopt,   \
	.ioctl = unix_ioctl,             \
	.release = unix_release

static const struct proto_ops unix_stream_ops = {
	UNIX_COMMON_OPS,
	.connect = unix_stream_connect,
	.sendmsg = unix_stream_sendmsg,
	.recvmsg = unix_stream_recvmsg,
	.poll = unix_poll,
};

static const struct proto_ops unix_seqpacket_ops = {
	UNIX_COMMON_OPS,
	.connect = unix_stream_connect,
	.sendmsg = unix_dgram_sendmsg,
	.recvmsg = unix_dgram_recvmsg,
	.poll = unix_dgram_poll,
};

static const struct proto_ops unix_dgram_ops = {
	UNIX_COMMON_OPS,
	.connect = unix_dgram_connect,
	.sendmsg = unix_dgram_sendmsg,
	.recvmsg = unix_dgram_recvmsg,
	.poll = unix_dgram_poll,
};
