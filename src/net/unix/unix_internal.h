/* AF_UNIX internals, modelled on Linux's net/unix/af_unix.c and gVisor's
 * socket/unix/transport.
 *
 * A unix_sock outlives its file: peers and queued messages hold
 * references. Each has a receive queue of skbs; an skb's bytes are
 * charged to its sender's wmem until received, and a sender waits while
 * its wmem reaches SO_SNDBUF (stream) as Linux's sock_alloc_send_pskb.
 * One wait queue per socket is woken for every change (data in, room
 * out, state), as Linux's sk_wq.
 *
 * Lock order: a connecting socket's lock and the listener's, in address
 * order -> unix_table_lock (a leaf). Otherwise at most one socket lock
 * is held at a time: a sender drops its own lock before taking its
 * peer's.
 */
#ifndef CVISOR_NET_UNIX_INTERNAL_H
#define CVISOR_NET_UNIX_INTERNAL_H

#include <pthread.h>
#include <sys/queue.h>
#include <sys/un.h>

#include "cvisor/net.h"
#include "cvisor/waitqueue.h"

#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

/* Linux's defaults: net.core.wmem_default/rmem_default, and the
 * net.unix.max_dgram_qlen a datagram receiver queues before senders
 * wait. */
#define UNIX_DEFAULT_BUF 212992
#define UNIX_MAX_DGRAM_QLEN 10
#define SOMAXCONN_K 4096
/* What an skb costs its sender beyond its data (Linux's truesize). */
#define SKB_OVERHEAD 768

struct unix_addr {
	_Atomic int refs;
	int len;			/* bytes of sun that count */
	struct sockaddr_un sun;
};

struct unix_sock;

struct skb {
	TAILQ_ENTRY(skb) entry;
	struct unix_sock *sender;	/* a reference; charged CHARGE bytes */
	size_t charge;
	struct unix_addr *from;		/* the sender's name then (a reference) */
	struct scm_fp *fp;
	struct scm_creds creds;
	bool has_creds;
	struct unix_sock *conn;		/* a listener's queue: the new connection */
	size_t len, off;		/* data[off..len) is unread */
	char data[];
};
TAILQ_HEAD(skb_queue, skb);

enum unix_state { US_UNCONNECTED, US_LISTENING, US_CONNECTED };

struct unix_sock {
	_Atomic int refs;
	pthread_mutex_t lock;
	struct waitqueue wq;
	int type;
	uint64_t ino;			/* the socket inode's, for /proc/net/unix */
	enum unix_state state;		/* [lock] */
	bool dead;			/* [lock] its file is gone */
	struct unix_sock *peer;		/* [lock] a reference */
	struct unix_addr *addr;		/* [lock] its name, a reference */
	bool named;			/* [unix_table_lock] found by its name
					 * (an accepted socket shares its
					 * listener's name but is not) */
	dev_t path_dev;			/* [lock] a path name's socket inode */
	uint64_t path_ino;
	struct skb_queue rq;		/* [lock] */
	int rq_len;			/* [lock] skbs */
	size_t rq_bytes;		/* [lock] unread data bytes */
	size_t wmem;			/* [lock] charged to this sender */
	int sndbuf, rcvbuf;		/* [lock] */
	int shutdown;			/* [lock] RCV_SHUTDOWN | SEND_SHUTDOWN */
	int err;			/* [lock] SO_ERROR (ECONNRESET) */
	int backlog;			/* [lock] a listener's */
	bool passcred;			/* [lock] SO_PASSCRED */
	struct scm_creds peercred;	/* [lock] SO_PEERCRED */
	bool has_peercred;
	struct socket *sock;		/* [lock] the file, NULL once dead */
	/* [lock] Datagram senders whose poll found this socket's queue full
	 * (references), woken when a read makes room (Linux relays its
	 * peer_wait queue to them). */
	struct unix_sock **room_waiters;
	int n_room_waiters, cap_room_waiters;
	LIST_ENTRY(unix_sock) all;	/* [unix_table_lock] */
	/* The collector's (unix_gc.c), [unix_gc_lock]: messages in queues
	 * carrying this socket's file, and its marks during a collection. */
	int inflight;
	int gc_refs;
	bool gc_candidate, gc_alive;
};
LIST_HEAD(unix_sock_list, unix_sock);

extern pthread_mutex_t unix_table_lock;
extern struct unix_sock_list unix_table;	/* [unix_table_lock] */

/* unix_gc.c: FP's unix sockets go into a queue / come out of one (no
 * socket lock held). */
void unix_inflight(struct scm_fp *fp);
void unix_notinflight(struct scm_fp *fp);
/* Frees sockets only messages nobody can receive refer to. */
void unix_gc(void);

struct unix_sock *unix_sock_get(struct unix_sock *u);
void unix_sock_put(struct unix_sock *u);
struct unix_addr *unix_addr_get(struct unix_addr *a);
void unix_addr_put(struct unix_addr *a);
void skb_free(struct skb *skb);
/* Frees every skb of Q (not a socket's: no accounting). */
void skb_queue_purge(struct skb_queue *q);
/* Unlinks SKB from U's queue (U locked) and accounts for it. */
void skb_unlink(struct unix_sock *u, struct skb *skb);
/* The caller's credentials, for SO_PEERCRED and messages. */
void unix_current_creds(struct scm_creds *c);
/* unix_name.c: the table of every socket, and names. */
void unix_table_add(struct unix_sock *u);
void unix_table_remove(struct unix_sock *u);
/* bind(2) of U (locked). */
int unix_bind_locked(struct unix_sock *u, const struct sockaddr *addr, int len);
/* Gives U (locked) an autobind name if it has none: 0 or -ENOSPC. */
int unix_autobind_locked(struct unix_sock *u);
/* The bound socket ADDR/LEN names (a reference): -ECONNREFUSED,
 * -ENOENT, -EACCES (the path's write permission), -EPROTOTYPE if it is
 * not of TYPE. */
int unix_find_other(const struct sockaddr_un *sun, int len, int type, struct unix_sock **out);
/* Checks and normalises a user address: its length that counts, or
 * -EINVAL. */
int unix_validate_addr(const struct sockaddr *addr, int len);

/* Waits on U's queue (U locked; unlocked across the sleep): 0, -EAGAIN
 * at DEADLINE, -ERESTARTSYS (a signal; -EINTR with a timeout set). */
int unix_wait_locked(struct unix_sock *u, struct waiter *w, int64_t deadline);
/* Releases the bytes SKB charged its sender, waking it. */
void unix_uncharge(struct skb *skb);

/* Wakes and forgets U's room waiters (U not locked). */
void unix_wake_room_waiters(struct unix_sock *u);

/* Remembers that U waits for room in OTHER's queue; OTHER locked. */
void unix_room_waiter_add_locked(struct unix_sock *other, struct unix_sock *u);

/* unix_ctl.c: the proto_ops of readiness, ioctls and options. */
unsigned unix_poll(struct socket *s, struct poll_table *pt);
unsigned unix_dgram_poll(struct socket *s, struct poll_table *pt);
long unix_ioctl(struct socket *s, unsigned cmd, int *out);
int unix_setsockopt(struct socket *s, int level, int name, const void *val, unsigned len);
int unix_getsockopt(struct socket *s, int level, int name, void *val, unsigned *len);

/* unix_io.c */
ssize_t unix_stream_sendmsg(struct socket *s, struct sock_msg *m, int flags);
ssize_t unix_stream_recvmsg(struct socket *s, struct sock_msg *m, int flags);
ssize_t unix_dgram_sendmsg(struct socket *s, struct sock_msg *m, int flags);
ssize_t unix_dgram_recvmsg(struct socket *s, struct sock_msg *m, int flags);

static inline struct unix_sock *UNIX_SK(struct socket *s)
{
	return s->sk;
}

#endif
