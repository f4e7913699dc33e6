/* Readiness, ioctls and SOL_SOCKET options of unix sockets (Linux's
 * unix_poll, unix_dgram_poll, unix_ioctl and the options sock_setsockopt
 * keeps in the sock). */
#include <errno.h>
#include <linux/sockios.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>

#include "cvisor/creds.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "unix_internal.h"

/* Linux's unix_writable: a quarter of the send buffer in use at most. */
static bool unix_writable(struct unix_sock *u)
{
	return u->state != US_LISTENING && (u->wmem << 2) <= (size_t)u->sndbuf;
}

/* The readiness every unix socket type shares: an error, shutdown and
 * queued data. u->lock held. */
static unsigned unix_read_mask_locked(struct unix_sock *u)
{
	unsigned mask = 0;
	if (u->err)
		mask |= POLLERR;
	if (u->shutdown == SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (u->shutdown & RCV_SHUTDOWN)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (!TAILQ_EMPTY(&u->rq))
		mask |= POLLIN | POLLRDNORM;
	return mask;
}

unsigned unix_poll(struct socket *s, struct poll_table *pt)
{
	struct unix_sock *u = UNIX_SK(s);
	unsigned mask;
	poll_wait(pt, &u->wq);
	pthread_mutex_lock(&u->lock);
	mask = unix_read_mask_locked(u);
	if (u->state == US_UNCONNECTED)
		mask |= POLLHUP;
	if (unix_writable(u))
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	pthread_mutex_unlock(&u->lock);
	return mask;
}

/* unix_dgram_poll, for datagram and seqpacket sockets. A sender that
 * finds its peer's queue full is not writable, and becomes one of the
 * peer's room waiters, which a read wakes. */
unsigned unix_dgram_poll(struct socket *s, struct poll_table *pt)
{
	struct unix_sock *u = UNIX_SK(s);
	unsigned mask;
	poll_wait(pt, &u->wq);
	pthread_mutex_lock(&u->lock);
	mask = unix_read_mask_locked(u);
	if (u->type == SOCK_SEQPACKET && u->state == US_UNCONNECTED)
		mask |= POLLHUP;
	bool writable = unix_writable(u);
	struct unix_sock *other = u->peer ? unix_sock_get(u->peer) : NULL;
	pthread_mutex_unlock(&u->lock);
	if (other) {
		pthread_mutex_lock(&other->lock);
		if (other->peer != u && other->rq_len > UNIX_MAX_DGRAM_QLEN && !other->dead) {
			writable = false;
			unix_room_waiter_add_locked(other, u);
		}
		pthread_mutex_unlock(&other->lock);
		unix_sock_put(other);
	}
	if (writable)
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return mask;
}

long unix_ioctl(struct socket *s, unsigned cmd, int *out)
{
	struct unix_sock *u = UNIX_SK(s);
	long err = 0;
	pthread_mutex_lock(&u->lock);
	switch (cmd) {
	case SIOCINQ:
		if (u->state == US_LISTENING) {
			err = -EINVAL;
		} else if (u->type == SOCK_STREAM) {
			*out = (int)u->rq_bytes;
		} else {
			/* The size of the next datagram. */
			struct skb *skb = TAILQ_FIRST(&u->rq);
			*out = skb ? (int)skb->len : 0;
		}
		break;
	case SIOCOUTQ:
		*out = (int)u->wmem;
		break;
	default:
		err = -ENOIOCTLCMD;
	}
	pthread_mutex_unlock(&u->lock);
	return err;
}

static int get_int(const void *val, unsigned len, int *out)
{
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(out, val, sizeof(int));
	return 0;
}

int unix_setsockopt(struct socket *s, int level, int name, const void *val,
			   unsigned len)
{
	struct unix_sock *u = UNIX_SK(s);
	int v, err;
	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	switch (name) {
	case SO_PASSCRED:
	case SO_SNDBUF:
	case SO_RCVBUF:
	case SO_SNDBUFFORCE:
	case SO_RCVBUFFORCE:
		break;
	default:
		return -ENOPROTOOPT;
	}
	err = get_int(val, len, &v);
	if (err)
		return err;
	bool force = name == SO_SNDBUFFORCE || name == SO_RCVBUFFORCE;
	if (force && !(current_task && creds_has_cap(current_task->creds, CAP_NET_ADMIN)))
		return -EPERM;
	/* Linux doubles the value for its bookkeeping, within
	 * net.core.[wr]mem_max unless forced, and keeps a minimum. */
	unsigned uv = force ? (unsigned)MAX(v, 0) : MIN((unsigned)v, UNIX_DEFAULT_BUF);
	int doubled = (int)MIN(uv * 2ULL, (unsigned long long)INT32_MAX);
	pthread_mutex_lock(&u->lock);
	switch (name) {
	case SO_PASSCRED:
		u->passcred = v != 0;
		break;
	case SO_SNDBUF:
	case SO_SNDBUFFORCE:
		u->sndbuf = MAX(doubled, 4608);
		break;
	default:
		u->rcvbuf = MAX(doubled, 2304);
		break;
	}
	pthread_mutex_unlock(&u->lock);
	/* A bigger buffer may make room. */
	waitqueue_wake_all(&u->wq);
	return 0;
}

int unix_getsockopt(struct socket *s, int level, int name, void *val, unsigned *len)
{
	struct unix_sock *u = UNIX_SK(s);
	int v = 0, err = 0;
	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&u->lock);
	switch (name) {
	case SO_PASSCRED:
		v = u->passcred;
		break;
	case SO_SNDBUF:
		v = u->sndbuf;
		break;
	case SO_RCVBUF:
		v = u->rcvbuf;
		break;
	case SO_ERROR:
		v = u->err;
		u->err = 0;
		break;
	case SO_ACCEPTCONN:
		v = u->state == US_LISTENING;
		break;
	case SO_PEERCRED: {
		/* No peer: pid 0 and the overflow ids, as Linux. */
		struct ucred uc = { 0, 65534, 65534 };
		if (u->has_peercred && u->state != US_UNCONNECTED)
			uc = (struct ucred){ u->peercred.pid, u->peercred.uid, u->peercred.gid };
		*len = MIN(*len, (unsigned)sizeof(uc));
		memcpy(val, &uc, *len);
		pthread_mutex_unlock(&u->lock);
		return 0;
	}
	default:
		err = -ENOPROTOOPT;
	}
	pthread_mutex_unlock(&u->lock);
	if (err)
		return err;
	*len = MIN(*len, (unsigned)sizeof(int));
	memcpy(val, &v, *len);
	return 0;
}
