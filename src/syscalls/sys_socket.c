/* socket, socketpair, bind, listen, accept, accept4, connect,
 * getsockname, getpeername, shutdown, setsockopt, getsockopt: the
 * syscall side of src/net (net/socket.c in Linux). */
#include <string.h>
#include <sys/socket.h>

#include "cvisor/net.h"
#include "fs_util.h"
#include "sys_socket.h"

struct socket *sockfd_lookup(struct task *t, int fd, int *err)
{
	struct file *f = task_fget_nopath(t, fd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	struct socket *s = socket_from_file(f);
	if (!s) {
		file_put(f);
		*err = -ENOTSOCK;
	}
	return s;
}

void sockfd_put(struct socket *s)
{
	file_put(&s->vfs);
}

int move_addr_to_kernel(struct task *t, uaddr_t uaddr, int len, struct sockaddr_storage *ss)
{
	if (len < 0 || len > (int)sizeof(*ss))
		return -EINVAL;
	if (len == 0)
		return 0;
	return copy_in(t, ss, uaddr, (size_t)len);
}

int move_addr_to_user(struct task *t, const struct sockaddr_storage *ss, int klen, uaddr_t uaddr,
		      uaddr_t ulen)
{
	int len;
	if (copy_in(t, &len, ulen, sizeof(len)))
		return -EFAULT;
	if (len > klen)
		len = klen;
	if (len < 0)
		return -EINVAL;
	if (len && copy_out(t, uaddr, ss, (size_t)len))
		return -EFAULT;
	return copy_out(t, ulen, &klen, sizeof(klen));
}

long sys_socket(struct task *t, const struct syscall_args *a)
{
	int type = (int)a->arg[1];
	if (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC | 0xf))
		return -EINVAL;
	struct socket *s;
	int err = socket_create(t->creds, (int)a->arg[0], type, (int)a->arg[2], &s);
	if (err)
		return err;
	return task_install_file(t, &s->vfs, type & SOCK_CLOEXEC);
}

long sys_socketpair(struct task *t, const struct syscall_args *a)
{
	int family = (int)a->arg[0], type = (int)a->arg[1], protocol = (int)a->arg[2];
	uaddr_t usv = a->arg[3];
	if (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC | 0xf))
		return -EINVAL;
	if (family != AF_UNIX) {
		/* Only unix sockets come in pairs; the rest is not here yet. */
		struct socket *s;
		int err = socket_create(t->creds, family, type, protocol, &s);
		if (err)
			return err;
		sockfd_put(s);
		return -EOPNOTSUPP;
	}
	bool cloexec = type & SOCK_CLOEXEC;
	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct socket *sa, *sb;
	int err = unix_socketpair(t->creds, type, protocol,
				  (int)a->arg[1] & SOCK_NONBLOCK ? O_NONBLOCK : 0, &sa, &sb);
	if (err)
		return err;
	long fa = task_install_file(t, &sa->vfs, cloexec);
	if (fa < 0) {
		sockfd_put(sb);
		return fa;
	}
	long fb = task_install_file(t, &sb->vfs, cloexec);
	if (fb < 0) {
		fdt_close(t->fdt, (int)fa);
		return fb;
	}
	int sv[2] = { (int)fa, (int)fb };
	if (copy_out(t, usv, sv, sizeof(sv))) {
		fdt_close(t->fdt, (int)fa);
		fdt_close(t->fdt, (int)fb);
		return -EFAULT;
	}
	return 0;
}

/* bind(2) and connect(2)'s arguments: the socket of fd arg 0 (to
 * sockfd_put), with the address at arg 1 of length arg 2 copied into SS;
 * NULL with *ERR set on failure. */
static struct socket *sockfd_lookup_addr(struct task *t, const struct syscall_args *a,
					 struct sockaddr_storage *ss, int *err)
{
	struct socket *s = sockfd_lookup(t, (int)a->arg[0], err);
	if (!s)
		return NULL;
	*err = move_addr_to_kernel(t, a->arg[1], (int)a->arg[2], ss);
	if (*err) {
		sockfd_put(s);
		return NULL;
	}
	return s;
}

long sys_bind(struct task *t, const struct syscall_args *a)
{
	struct sockaddr_storage ss;
	int err;
	struct socket *s = sockfd_lookup_addr(t, a, &ss, &err);
	if (!s)
		return err;
	err = s->ops->bind(s, (struct sockaddr *)&ss, (int)a->arg[2]);
	sockfd_put(s);
	return err;
}

long sys_connect(struct task *t, const struct syscall_args *a)
{
	struct sockaddr_storage ss;
	int err;
	struct socket *s = sockfd_lookup_addr(t, a, &ss, &err);
	if (!s)
		return err;
	err = s->ops->connect(s, (struct sockaddr *)&ss, (int)a->arg[2],
			      s->vfs.flags & O_NONBLOCK);
	sockfd_put(s);
	return err;
}

long sys_listen(struct task *t, const struct syscall_args *a)
{
	int err;
	struct socket *s = sockfd_lookup(t, (int)a->arg[0], &err);
	if (!s)
		return err;
	err = s->ops->listen(s, (int)a->arg[1]);
	sockfd_put(s);
	return err;
}

static long do_accept(struct task *t, int fd, uaddr_t uaddr, uaddr_t ulen, int flags)
{
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	int err;
	struct socket *s = sockfd_lookup(t, fd, &err);
	if (!s)
		return err;
	struct socket *ns;
	err = s->ops->accept(s, &ns, s->vfs.flags & O_NONBLOCK);
	sockfd_put(s);
	if (err)
		return err;
	if (flags & SOCK_NONBLOCK)
		ns->vfs.flags |= O_NONBLOCK;
	if (uaddr) {
		struct sockaddr_storage ss;
		int len = ns->ops->getname(ns, &ss, true);
		/* A peer already gone has no name to give: only the family. */
		if (len < 0) {
			memset(&ss, 0, sizeof(ss));
			ss.ss_family = (sa_family_t)ns->family;
			len = sizeof(sa_family_t);
		}
		err = move_addr_to_user(t, &ss, len, uaddr, ulen);
		if (err) {
			sockfd_put(ns);
			return err;
		}
	}
	return task_install_file(t, &ns->vfs, flags & SOCK_CLOEXEC);
}

long sys_accept(struct task *t, const struct syscall_args *a)
{
	return do_accept(t, (int)a->arg[0], a->arg[1], a->arg[2], 0);
}

long sys_accept4(struct task *t, const struct syscall_args *a)
{
	return do_accept(t, (int)a->arg[0], a->arg[1], a->arg[2], (int)a->arg[3]);
}

static long do_getname(struct task *t, const struct syscall_args *a, bool peer)
{
	int err;
	struct socket *s = sockfd_lookup(t, (int)a->arg[0], &err);
	if (!s)
		return err;
	struct sockaddr_storage ss;
	int len = s->ops->getname(s, &ss, peer);
	sockfd_put(s);
	if (len < 0)
		return len;
	return move_addr_to_user(t, &ss, len, a->arg[1], a->arg[2]);
}

long sys_getsockname(struct task *t, const struct syscall_args *a)
{
	return do_getname(t, a, false);
}

long sys_getpeername(struct task *t, const struct syscall_args *a)
{
	return do_getname(t, a, true);
}

long sys_shutdown(struct task *t, const struct syscall_args *a)
{
	int err;
	struct socket *s = sockfd_lookup(t, (int)a->arg[0], &err);
	if (!s)
		return err;
	err = s->ops->shutdown(s, (int)a->arg[1]);
	sockfd_put(s);
	return err;
}

/* Options are at most a struct timeval or linger. */
#define SOCKOPT_MAX 16

long sys_setsockopt(struct task *t, const struct syscall_args *a)
{
	int level = (int)a->arg[1], name = (int)a->arg[2], optlen = (int)a->arg[4];
	char buf[SOCKOPT_MAX] = { 0 };
	int err;
	if (optlen < 0)
		return -EINVAL;
	struct socket *s = sockfd_lookup(t, (int)a->arg[0], &err);
	if (!s)
		return err;
	unsigned len = MIN((unsigned)optlen, (unsigned)SOCKOPT_MAX);
	if (len && copy_in(t, buf, a->arg[3], len)) {
		err = -EFAULT;
		goto out;
	}
	err = s->ops->setsockopt(s, level, name, buf, len);
	if (err == -ENOPROTOOPT && level == SOL_SOCKET)
		err = sock_setsockopt(s, name, buf, len);
out:
	sockfd_put(s);
	return err;
}

long sys_getsockopt(struct task *t, const struct syscall_args *a)
{
	int level = (int)a->arg[1], name = (int)a->arg[2];
	uaddr_t uval = a->arg[3], ulen = a->arg[4];
	char buf[SOCKOPT_MAX];
	int err, optlen;
	struct socket *s = sockfd_lookup(t, (int)a->arg[0], &err);
	if (!s)
		return err;
	if (copy_in(t, &optlen, ulen, sizeof(optlen))) {
		err = -EFAULT;
		goto out;
	}
	if (optlen < 0) {
		err = -EINVAL;
		goto out;
	}
	unsigned len = MIN((unsigned)optlen, (unsigned)SOCKOPT_MAX);
	err = s->ops->getsockopt(s, level, name, buf, &len);
	if (err == -ENOPROTOOPT && level == SOL_SOCKET) {
		len = MIN((unsigned)optlen, (unsigned)SOCKOPT_MAX);
		err = sock_getsockopt(s, name, buf, &len);
	}
	if (err)
		goto out;
	optlen = (int)len;
	if ((len && copy_out(t, uval, buf, len)) || copy_out(t, ulen, &optlen, sizeof(optlen)))
		err = -EFAULT;
out:
	sockfd_put(s);
	return err;
}
