/* Data on unix sockets: byte streams (unix_stream_sendmsg and
 * unix_stream_read_generic in Linux) and messages, for datagram and
 * seqpacket sockets (unix_dgram_sendmsg/recvmsg). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "unix_internal.h"

/* The largest skb a stream send makes (Linux: about 32 KiB of pages
 * plus the head). */
#define STREAM_SKB_MAX 65536

static bool nonblocking(struct socket *s, int flags)
{
	return (flags & MSG_DONTWAIT) || (s->vfs.flags & O_NONBLOCK);
}

/* Charges SIZE bytes to sender U once its wmem is below SO_SNDBUF
 * (sock_alloc_send_pskb): 0 or -errno. */
static int charge_wait(struct socket *s, struct unix_sock *u, size_t size, bool nonblock)
{
	struct waiter w = { 0 };
	int64_t deadline = socket_deadline(s, true);
	int err = 0;
	pthread_mutex_lock(&u->lock);
	while (!err) {
		if (u->err)
			err = -u->err;
		else if (u->shutdown & SEND_SHUTDOWN)
			err = -EPIPE;
		else if (u->wmem < (size_t)u->sndbuf)
			break;
		else if (nonblock)
			err = -EAGAIN;
		else
			err = unix_wait_locked(u, &w, deadline);
	}
	if (!err)
		u->wmem += size;
	pthread_mutex_unlock(&u->lock);
	waiter_finish(&w);
	return err;
}

/* A new skb of LEN data bytes from sender U, charged to it. */
static struct skb *skb_new(struct unix_sock *u, size_t len)
{
	struct skb *skb = xzalloc(sizeof(*skb) + len);
	skb->sender = unix_sock_get(u);
	skb->charge = len + SKB_OVERHEAD;
	skb->len = len;
	return skb;
}

/* Linux's maybe_add_creds: a message carries credentials when either
 * end has SO_PASSCRED, those given with SCM_CREDENTIALS or the
 * sender's. */
static void skb_add_creds(struct skb *skb, struct unix_sock *u, struct unix_sock *other,
			  const struct sock_msg *m)
{
	if (!u->passcred && !other->passcred)
		return;
	skb->has_creds = true;
	if (m->scm.has_creds)
		skb->creds = m->scm.creds;
	else
		unix_current_creds(&skb->creds);
}

ssize_t unix_stream_sendmsg(struct socket *s, struct sock_msg *m, int flags)
{
	struct unix_sock *u = UNIX_SK(s);
	bool nonblock = nonblocking(s, flags);
	ssize_t sent = 0;
	int err = 0;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&u->lock);
	struct unix_sock *other = u->peer ? unix_sock_get(u->peer) : NULL;
	bool connected = u->state == US_CONNECTED;
	bool shut = u->shutdown & SEND_SHUTDOWN;
	struct unix_addr *from = unix_addr_get(u->addr);
	pthread_mutex_unlock(&u->lock);
	if (m->addrlen)
		err = connected ? -EISCONN : -EOPNOTSUPP;
	else if (!other)
		err = -ENOTCONN;
	else if (shut)
		err = -EPIPE;
	size_t total = msg_iter_left(&m->data);
	while (!err && (size_t)sent < total) {
		size_t size = MIN(total - (size_t)sent, STREAM_SKB_MAX);
		size = MIN(size, (size_t)MAX((u->sndbuf >> 1) - 64, 1));
		err = charge_wait(s, u, size + SKB_OVERHEAD, nonblock);
		if (err)
			break;
		struct skb *skb = skb_new(u, size);
		if (msg_iter_from(skb->data, &m->data, size)) {
			skb_free(skb);
			err = -EFAULT;
			break;
		}
		/* Files go with the first bytes. */
		skb->fp = m->scm.fp;
		m->scm.fp = NULL;
		unix_inflight(skb->fp);
		pthread_mutex_lock(&other->lock);
		skb_add_creds(skb, u, other, m);
		if (other->dead || (other->shutdown & RCV_SHUTDOWN)) {
			pthread_mutex_unlock(&other->lock);
			skb_free(skb);
			err = -EPIPE;
			break;
		}
		skb->from = unix_addr_get(from);
		TAILQ_INSERT_TAIL(&other->rq, skb, entry);
		other->rq_len++;
		other->rq_bytes += size;
		pthread_mutex_unlock(&other->lock);
		waitqueue_wake_key(&other->wq, POLLIN | POLLRDNORM);
		sent += (ssize_t)size;
	}
	if (other)
		unix_sock_put(other);
	unix_addr_put(from);
	return sent ? sent : err;
}

static bool creds_equal(const struct skb *skb, const struct sock_msg *m)
{
	return skb->has_creds == m->scm.has_creds &&
	       (!skb->has_creds || memcmp(&skb->creds, &m->scm.creds, sizeof(skb->creds)) == 0);
}

static void take_addr(struct sock_msg *m, const struct skb *skb)
{
	if (skb->from) {
		memcpy(&m->addr, &skb->from->sun, (size_t)skb->from->len);
		m->addrlen = skb->from->len;
	}
}

ssize_t unix_stream_recvmsg(struct socket *s, struct sock_msg *m, int flags)
{
	struct unix_sock *u = UNIX_SK(s);
	struct skb_queue done = TAILQ_HEAD_INITIALIZER(done);
	struct waiter w = { 0 };
	bool nonblock = nonblocking(s, flags), peek = flags & MSG_PEEK;
	int64_t deadline = socket_deadline(s, false);
	size_t total = msg_iter_left(&m->data);
	/* sock_rcvlowat: SO_RCVLOWAT bytes, all with MSG_WAITALL; even an
	 * empty read waits for data. */
	size_t lowat = s->rcvlowat > 0 ? (size_t)s->rcvlowat : 1;
	size_t target = MAX((flags & MSG_WAITALL) ? total : MIN(lowat, total), (size_t)1);
	size_t copied = 0;
	struct skb *cur = NULL;
	struct scm_fp *taken = NULL;
	int err = 0;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&u->lock);
	m->want_creds = u->passcred;
	if (u->state != US_CONNECTED) {
		pthread_mutex_unlock(&u->lock);
		return -EINVAL;
	}
	for (;;) {
		struct skb *skb = peek && cur ? TAILQ_NEXT(cur, entry) : TAILQ_FIRST(&u->rq);
		if (!skb) {
			if (copied >= target)
				break;
			if (u->err) {
				err = -u->err;
				u->err = 0;
				break;
			}
			/* A peek that found something returns it rather than
			 * wait with a pointer into a queue others change. */
			if ((u->shutdown & RCV_SHUTDOWN) || (peek && copied))
				break;
			if (nonblock) {
				err = -EAGAIN;
				break;
			}
			err = unix_wait_locked(u, &w, deadline);
			if (err)
				break;
			continue;
		}
		/* Messages from different senders are not merged when the
		 * reader wants credentials. */
		if (copied) {
			if (m->want_creds && !creds_equal(skb, m))
				break;
		} else {
			m->scm.has_creds = skb->has_creds;
			m->scm.creds = skb->creds;
			take_addr(m, skb);
		}
		size_t n = MIN(skb->len - skb->off, total - copied);
		if (msg_iter_to(&m->data, skb->data + skb->off, n)) {
			if (!copied)
				err = -EFAULT;
			break;
		}
		copied += n;
		if (peek) {
			if (skb->fp && !m->scm.fp)
				m->scm.fp = scm_fp_dup(skb->fp);
			cur = skb;
			if (skb->fp || copied == total)
				break;
			continue;
		}
		skb->off += n;
		u->rq_bytes -= n;
		bool had_fp = skb->fp != NULL;
		if (had_fp && !m->scm.fp) {
			m->scm.fp = taken = skb->fp;
			skb->fp = NULL;
		}
		if (skb->off < skb->len)
			break;
		TAILQ_REMOVE(&u->rq, skb, entry);
		u->rq_len--;
		TAILQ_INSERT_TAIL(&done, skb, entry);
		if (had_fp || copied == total)
			break;
	}
	pthread_mutex_unlock(&u->lock);
	waiter_finish(&w);
	unix_notinflight(taken);
	skb_queue_purge(&done);
	return copied ? (ssize_t)copied : err;
}

/* The receiver of a message from U: the named socket or U's peer. */
static int dgram_target(struct unix_sock *u, struct sock_msg *m, struct unix_sock **out)
{
	if (u->type == SOCK_DGRAM && m->addrlen) {
		int len = unix_validate_addr((const struct sockaddr *)&m->addr, m->addrlen);
		if (len < 0)
			return len;
		return unix_find_other((const struct sockaddr_un *)&m->addr, len, u->type, out);
	}
	pthread_mutex_lock(&u->lock);
	int err = 0;
	if (u->type == SOCK_SEQPACKET && u->state != US_CONNECTED)
		err = -ENOTCONN;
	else if (u->type == SOCK_SEQPACKET && (u->shutdown & SEND_SHUTDOWN))
		err = -EPIPE;
	else if (!u->peer)
		err = -ENOTCONN;
	else
		*out = unix_sock_get(u->peer);
	pthread_mutex_unlock(&u->lock);
	return err;
}

/* Queues SKB on OTHER, waiting while its queue is full: 0 or -errno
 * (SKB is then still the caller's). */
static int dgram_deliver(struct socket *s, struct unix_sock *u, struct unix_sock *other,
			 struct skb *skb, const struct sock_msg *m, bool nonblock)
{
	struct waiter w = { 0 };
	int64_t deadline = socket_deadline(s, true);
	int err = 0;
	pthread_mutex_lock(&other->lock);
	while (!err) {
		if (other->peer && other->peer != u)
			err = -EPERM;
		else if (other->dead)
			err = u->type == SOCK_SEQPACKET ? -EPIPE : -ECONNREFUSED;
		else if (other->shutdown & RCV_SHUTDOWN)
			err = -EPIPE;
		else if (other != u && other->peer != u && other->rq_len > UNIX_MAX_DGRAM_QLEN)
			err = nonblock ? -EAGAIN : unix_wait_locked(other, &w, deadline);
		else
			break;
	}
	if (!err) {
		skb_add_creds(skb, u, other, m);
		TAILQ_INSERT_TAIL(&other->rq, skb, entry);
		other->rq_len++;
		other->rq_bytes += skb->len;
	}
	pthread_mutex_unlock(&other->lock);
	waiter_finish(&w);
	if (!err)
		waitqueue_wake_key(&other->wq, POLLIN | POLLRDNORM);
	return err;
}

ssize_t unix_dgram_sendmsg(struct socket *s, struct sock_msg *m, int flags)
{
	struct unix_sock *u = UNIX_SK(s), *other;
	bool nonblock = nonblocking(s, flags);
	size_t len = msg_iter_left(&m->data);

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&u->lock);
	int err = u->err ? -u->err : 0;
	if (err)
		u->err = 0;
	else if (u->passcred)
		err = unix_autobind_locked(u);
	if (!err && len > (size_t)u->sndbuf - 32)
		err = -EMSGSIZE;
	pthread_mutex_unlock(&u->lock);
	if (err)
		return err;
	err = dgram_target(u, m, &other);
	if (err)
		return err;
	/* A receiver that wants credentials names its senders. */
	if (other->passcred) {
		pthread_mutex_lock(&u->lock);
		err = unix_autobind_locked(u);
		pthread_mutex_unlock(&u->lock);
	}
	if (!err)
		err = charge_wait(s, u, len + SKB_OVERHEAD, nonblock);
	if (err) {
		unix_sock_put(other);
		return err;
	}
	struct skb *skb = skb_new(u, len);
	if (msg_iter_from(skb->data, &m->data, len)) {
		err = -EFAULT;
		goto out_free;
	}
	pthread_mutex_lock(&u->lock);
	skb->from = unix_addr_get(u->addr);
	pthread_mutex_unlock(&u->lock);
	skb->fp = m->scm.fp;
	m->scm.fp = NULL;
	unix_inflight(skb->fp);
	err = dgram_deliver(s, u, other, skb, m, nonblock);
	if (err == -ECONNREFUSED) {
		/* The peer is gone: the socket is disconnected. */
		pthread_mutex_lock(&u->lock);
		struct unix_sock *old = u->peer == other ? other : NULL;
		if (old) {
			u->peer = NULL;
			u->state = US_UNCONNECTED;
		}
		pthread_mutex_unlock(&u->lock);
		if (old)
			unix_sock_put(old);
	}
	if (!err) {
		unix_sock_put(other);
		return (ssize_t)len;
	}
out_free:
	skb_free(skb);
	unix_sock_put(other);
	return err;
}

ssize_t unix_dgram_recvmsg(struct socket *s, struct sock_msg *m, int flags)
{
	struct unix_sock *u = UNIX_SK(s);
	struct waiter w = { 0 };
	bool nonblock = nonblocking(s, flags);
	int64_t deadline = socket_deadline(s, false);
	struct skb *skb = NULL;
	struct scm_fp *taken = NULL;
	ssize_t ret = 0;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&u->lock);
	m->want_creds = u->passcred;
	for (;;) {
		if (u->type == SOCK_SEQPACKET && u->state != US_CONNECTED) {
			ret = -ENOTCONN;
			break;
		}
		if ((skb = TAILQ_FIRST(&u->rq)))
			break;
		if (u->err) {
			ret = -u->err;
			u->err = 0;
			break;
		}
		if (u->shutdown & RCV_SHUTDOWN)
			break;
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		ret = unix_wait_locked(u, &w, deadline);
		if (ret)
			break;
	}
	if (skb) {
		size_t total = msg_iter_left(&m->data);
		size_t n = MIN(total, skb->len);
		if (msg_iter_to(&m->data, skb->data, n)) {
			ret = -EFAULT;
			skb = NULL;
		} else {
			if (n < skb->len)
				m->out_flags |= MSG_TRUNC;
			ret = (flags & MSG_TRUNC) ? (ssize_t)skb->len : (ssize_t)n;
			take_addr(m, skb);
			m->scm.has_creds = skb->has_creds;
			m->scm.creds = skb->creds;
			if (flags & MSG_PEEK) {
				m->scm.fp = skb->fp ? scm_fp_dup(skb->fp) : NULL;
				skb = NULL;
			} else {
				m->scm.fp = taken = skb->fp;
				skb->fp = NULL;
				skb_unlink(u, skb);
			}
		}
	}
	pthread_mutex_unlock(&u->lock);
	waiter_finish(&w);
	unix_notinflight(taken);
	if (skb) {
		/* Room in the queue for senders waiting in dgram_deliver. */
		waitqueue_wake_key(&u->wq, POLLOUT | POLLWRNORM | POLLWRBAND);
		unix_wake_room_waiters(u);
		skb_free(skb);
	}
	return ret;
}
