/* Sockets (src/net): a socket is an open file on an inode of sockfs
 * (S_IFSOCK, "socket:[ino]" in /proc/pid/fd) whose file operations hand
 * read/write/poll to its family's ops, as Linux's struct socket and
 * proto_ops. The socket syscalls (sys_socket.c) find the socket behind an
 * fd with socket_from_file and call the same ops.
 *
 * Families: AF_UNIX (src/net/unix). Every other family is EAFNOSUPPORT
 * until it has an implementation registered in socket_create.
 */
#ifndef CVISOR_NET_H
#define CVISOR_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "cvisor/util.h"
#include "cvisor/vfs.h"

struct task;
struct creds;
struct socket;

/* Bytes to or from a message: the application's iovecs (T set) or the
 * sentry's own (T NULL: read/write on the file, whose memory the VFS
 * pinned). POS advances as bytes are copied. */
struct msg_iter {
	struct task *t;
	const struct iovec *iov;
	int cnt;
	size_t total;
	size_t pos;
};
void msg_iter_init(struct msg_iter *it, struct task *t, const struct iovec *iov, int cnt);
/* Copies N bytes at the iterator and advances it: 0 or -EFAULT. */
int msg_iter_to(struct msg_iter *it, const void *src, size_t n);
int msg_iter_from(void *dst, struct msg_iter *it, size_t n);
static inline size_t msg_iter_left(const struct msg_iter *it)
{
	return it->total - it->pos;
}

/* What is passed along with data (Linux's scm_cookie): files for
 * SCM_RIGHTS (references) and the sender's credentials. */
#define SCM_MAX_FD 253
struct scm_fp {
	int count;
	struct file *files[SCM_MAX_FD];
};
struct scm_creds {
	pid_t pid;
	uid_t uid;
	gid_t gid;
};
struct scm {
	struct scm_fp *fp;		/* NULL: no files */
	struct scm_creds creds;
	bool has_creds;			/* creds describe the sender (SO_PASSCRED) */
};
void scm_fp_free(struct scm_fp *fp);
struct scm_fp *scm_fp_dup(const struct scm_fp *fp);

/* One sendmsg or recvmsg for a family: the data, the address (kernel
 * copies) and what travels with the data. */
struct sock_msg {
	struct msg_iter data;
	struct sockaddr_storage addr;	/* to (send, if addrlen) / from (recv) */
	int addrlen;			/* recv: 0 if the sender has no name */
	struct scm scm;			/* send: what to pass; recv: what came */
	bool want_creds;		/* recv: the socket has SO_PASSCRED */
	int out_flags;			/* recv: MSG_TRUNC, MSG_EOR... */
};

/* A family's operations. Blocking follows NONBLOCK (the file's
 * O_NONBLOCK or MSG_DONTWAIT); waits end with -ERESTARTSYS on a signal,
 * or -EAGAIN/-EINTR at SO_RCVTIMEO/SO_SNDTIMEO. */
struct proto_ops {
	int (*bind)(struct socket *s, const struct sockaddr *addr, int len);
	int (*connect)(struct socket *s, const struct sockaddr *addr, int len, bool nonblock);
	int (*listen)(struct socket *s, int backlog);
	/* The accepted connection's new socket in *OUT. */
	int (*accept)(struct socket *s, struct socket **out, bool nonblock);
	/* Own (PEER false) or peer name into ADDR: its length or -errno. */
	int (*getname)(struct socket *s, struct sockaddr_storage *addr, bool peer);
	ssize_t (*sendmsg)(struct socket *s, struct sock_msg *m, int flags);
	ssize_t (*recvmsg)(struct socket *s, struct sock_msg *m, int flags);
	int (*shutdown)(struct socket *s, int how);
	/* Options of the family (SOL_SOCKET ones it has a say in come
	 * here first; -ENOPROTOOPT passes them to the generic code). */
	int (*setsockopt)(struct socket *s, int level, int name, const void *val, unsigned len);
	int (*getsockopt)(struct socket *s, int level, int name, void *val, unsigned *len);
	unsigned (*poll)(struct socket *s, struct poll_table *pt);
	/* FIONREAD/SIOCINQ, SIOCOUTQ: the count, or -ENOIOCTLCMD. */
	long (*ioctl)(struct socket *s, unsigned cmd, int *out);
	/* The file's last reference went. */
	void (*release)(struct socket *s);
};

struct socket {
	struct file vfs;
	const struct proto_ops *ops;
	int family, type, protocol;
	void *sk;			/* the family's state */
	/* Generic SOL_SOCKET options (sockopt.c). */
	_Atomic int64_t rcvtimeo_ns, sndtimeo_ns;	/* 0: none */
	_Atomic unsigned opt_bits;	/* 1 << SO_* of the boolean options set */
	_Atomic int priority, rcvlowat;
	_Atomic int linger_onoff, linger_secs;
};
/* SOL_SOCKET options at LEVEL/NAME that no family claims (sockopt.c):
 * VAL holds LEN bytes; get sets *LEN. */
int sock_setsockopt(struct socket *s, int name, const void *val, unsigned len);
int sock_getsockopt(struct socket *s, int name, void *val, unsigned *len);

/* The socket F is, or NULL (ENOTSOCK). */
struct socket *socket_from_file(struct file *f);
/* socket(2) without the fd: FAMILY, TYPE (with SOCK_NONBLOCK), PROTOCOL. */
int socket_create(const struct creds *cr, int family, int type, int protocol,
		  struct socket **out);
/* A new socket file (sockfs inode owned by CR) of FAMILY/TYPE with OPS;
 * O_NONBLOCK from FLAGS. */
struct socket *socket_alloc(const struct creds *cr, const struct proto_ops *ops, int family,
			    int type, int protocol, int flags);
/* The family's sendmsg, with SIGPIPE for EPIPE unless MSG_NOSIGNAL. */
ssize_t socket_sendmsg(struct socket *s, struct sock_msg *m, int flags);
/* Blocking deadline for a wait of S (host monotonic ns, -1: none). */
int64_t socket_deadline(struct socket *s, bool send);

/* AF_UNIX (src/net/unix). */
int unix_create(const struct creds *cr, int type, int protocol, int flags,
		struct socket **out);
int unix_socketpair(const struct creds *cr, int type, int protocol, int flags,
		    struct socket **a, struct socket **b);
/* /proc/net/unix: the table's lines into B. */
struct kernfs_buf;
void unix_proc_show(struct kernfs_buf *b);

#endif
