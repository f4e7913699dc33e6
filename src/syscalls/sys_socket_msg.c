/* sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg, and the
 * control messages they carry (Linux's net/core/scm.c): SCM_RIGHTS
 * passes open files, SCM_CREDENTIALS a process's ids. */
#include <limits.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cvisor/creds.h"
#include "cvisor/net.h"
#include "fs_util.h"
#include "sys_socket.h"

/* Linux's net.core.optmem_max bounds a control buffer's copy. */
#define CONTROL_MAX 65536
#ifndef UIO_MAXIOV
#define UIO_MAXIOV 1024
#endif

/* scm_check_creds: one's own pid and ids, unless privileged. */
static int check_creds(struct task *t, const struct ucred *uc)
{
	const struct creds *c = t->creds;
	if (uc->pid != task_tgid_nr(t, t->tg) && !creds_has_cap(c, CAP_SYS_ADMIN))
		return -EPERM;
	if (uc->uid != c->uid && uc->uid != c->euid && uc->uid != c->suid &&
	    !creds_has_cap(c, CAP_SETUID))
		return -EPERM;
	if (uc->gid != c->gid && uc->gid != c->egid && uc->gid != c->sgid &&
	    !creds_has_cap(c, CAP_SETGID))
		return -EPERM;
	return 0;
}

static int add_files(struct task *t, struct scm *scm, const int *fds, size_t n)
{
	if (!n)
		return 0;
	if (!scm->fp)
		scm->fp = xzalloc(sizeof(*scm->fp));
	if (scm->fp->count + n > SCM_MAX_FD)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		/* O_PATH files may be passed too (fget_raw). */
		struct file *f = task_fget(t, fds[i]);
		if (!f)
			return -EBADF;
		scm->fp->files[scm->fp->count++] = f;
	}
	return 0;
}

/* Parses the control messages in BUF (SIZE bytes) into SCM (__scm_send). */
static int scm_send(struct task *t, const char *buf, size_t size, struct scm *scm)
{
	size_t off = 0;
	while (size - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr h;
		memcpy(&h, buf + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > size - off)
			return -EINVAL;
		const char *data = buf + off + CMSG_LEN(0);
		size_t dlen = h.cmsg_len - CMSG_LEN(0);
		if (h.cmsg_level == SOL_SOCKET) {
			int err = 0;
			if (h.cmsg_type == SCM_RIGHTS) {
				int fds[SCM_MAX_FD];
				size_t n = dlen / sizeof(int);
				if (n > SCM_MAX_FD)
					return -EINVAL;
				memcpy(fds, data, n * sizeof(int));
				err = add_files(t, scm, fds, n);
			} else if (h.cmsg_type == SCM_CREDENTIALS) {
				struct ucred uc;
				if (h.cmsg_len != CMSG_LEN(sizeof(uc)))
					return -EINVAL;
				memcpy(&uc, data, sizeof(uc));
				err = check_creds(t, &uc);
				scm->creds = (struct scm_creds){ uc.pid, uc.uid, uc.gid };
				scm->has_creds = true;
			} else {
				err = -EINVAL;
			}
			if (err)
				return err;
		}
		size_t next = CMSG_ALIGN(h.cmsg_len);
		if (next > size - off)
			break;
		off += next;
	}
	return 0;
}

static int copy_msghdr(struct task *t, uaddr_t umsg, struct msghdr *mh, struct iovec **iov)
{
	if (copy_in(t, mh, umsg, sizeof(*mh)))
		return -EFAULT;
	if (!mh->msg_name)
		mh->msg_namelen = 0;
	if (mh->msg_namelen > sizeof(struct sockaddr_storage))
		mh->msg_namelen = sizeof(struct sockaddr_storage);
	if (mh->msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	return user_iovec(t, (uaddr_t)mh->msg_iov, (long)mh->msg_iovlen, iov);
}

static long do_sendmsg(struct task *t, struct socket *s, uaddr_t umsg, int flags)
{
	struct msghdr mh;
	struct iovec *iov = NULL;
	struct sock_msg m = { 0 };
	char *ctl = NULL;
	long err = copy_msghdr(t, umsg, &mh, &iov);
	if (err)
		goto out;
	if (mh.msg_namelen) {
		err = move_addr_to_kernel(t, (uaddr_t)mh.msg_name, (int)mh.msg_namelen, &m.addr);
		if (err)
			goto out;
		m.addrlen = (int)mh.msg_namelen;
	}
	if (mh.msg_controllen > INT_MAX || mh.msg_controllen > CONTROL_MAX) {
		err = -ENOBUFS;
		goto out;
	}
	if (mh.msg_controllen) {
		ctl = xmalloc(mh.msg_controllen);
		if (copy_in(t, ctl, (uaddr_t)mh.msg_control, mh.msg_controllen)) {
			err = -EFAULT;
			goto out;
		}
		err = scm_send(t, ctl, mh.msg_controllen, &m.scm);
		if (err)
			goto out;
	}
	msg_iter_init(&m.data, t, iov, (int)mh.msg_iovlen);
	err = socket_sendmsg(s, &m, flags);
out:
	scm_fp_free(m.scm.fp);
	free(ctl);
	free(iov);
	return err;
}

/* Where put_cmsg writes: the user's control buffer. */
struct cmsg_out {
	uaddr_t at;
	size_t left, used;
	int flags;
};

static int put_cmsg(struct task *t, struct cmsg_out *co, int type, const void *data, size_t len)
{
	if (co->left < sizeof(struct cmsghdr)) {
		co->flags |= MSG_CTRUNC;
		return 0;
	}
	size_t cmlen = CMSG_LEN(len);
	if (co->left < cmlen) {
		co->flags |= MSG_CTRUNC;
		cmlen = co->left;
	}
	struct cmsghdr h = { .cmsg_len = cmlen, .cmsg_level = SOL_SOCKET, .cmsg_type = type };
	if (copy_out(t, co->at, &h, sizeof(h)) ||
	    copy_out(t, co->at + sizeof(h), data, cmlen - sizeof(h)))
		return -EFAULT;
	size_t step = MIN(CMSG_SPACE(len), co->left);
	co->at += step;
	co->left -= step;
	co->used += step;
	return 0;
}

/* scm_detach_fds: as many files as fit become fds; the rest are
 * dropped and the message says MSG_CTRUNC. */
static int put_files(struct task *t, struct cmsg_out *co, struct scm_fp *fp, bool cloexec)
{
	size_t room = co->left > sizeof(struct cmsghdr) ?
		      (co->left - sizeof(struct cmsghdr)) / sizeof(int) : 0;
	int fds[SCM_MAX_FD], n = 0;
	while (n < fp->count && (size_t)n < room) {
		long fd = task_install_file(t, file_get(fp->files[n]), cloexec);
		if (fd < 0)
			break;
		fds[n++] = (int)fd;
	}
	if (n < fp->count)
		co->flags |= MSG_CTRUNC;
	if (!n)
		return 0;
	return put_cmsg(t, co, SCM_RIGHTS, fds, (size_t)n * sizeof(int));
}

static long do_recvmsg(struct task *t, struct socket *s, uaddr_t umsg, int flags)
{
	struct msghdr mh;
	struct iovec *iov = NULL;
	struct sock_msg m = { 0 };
	long ret = copy_msghdr(t, umsg, &mh, &iov);
	if (ret)
		goto out;
	msg_iter_init(&m.data, t, iov, (int)mh.msg_iovlen);
	ret = s->ops->recvmsg(s, &m, flags);
	if (ret < 0)
		goto out;
	if (mh.msg_name) {
		long err = move_addr_to_user(t, &m.addr, m.addrlen, (uaddr_t)mh.msg_name,
					     umsg + offsetof(struct msghdr, msg_namelen));
		if (err) {
			ret = err;
			goto out;
		}
	}
	struct cmsg_out co = { (uaddr_t)mh.msg_control, mh.msg_control ? mh.msg_controllen : 0,
			       0, m.out_flags };
	long err = 0;
	if (m.want_creds) {
		/* No credentials came: pid 0 and the overflow ids. */
		struct ucred uc = { 0, 65534, 65534 };
		if (m.scm.has_creds)
			uc = (struct ucred){ m.scm.creds.pid, m.scm.creds.uid, m.scm.creds.gid };
		err = put_cmsg(t, &co, SCM_CREDENTIALS, &uc, sizeof(uc));
	}
	if (!err && m.scm.fp)
		err = put_files(t, &co, m.scm.fp, flags & MSG_CMSG_CLOEXEC);
	size_t used = co.used;
	if (!err && (copy_out(t, umsg + offsetof(struct msghdr, msg_controllen), &used,
			      sizeof(used)) ||
		     copy_out(t, umsg + offsetof(struct msghdr, msg_flags), &co.flags,
			      sizeof(co.flags))))
		err = -EFAULT;
	if (err)
		ret = err;
out:
	scm_fp_free(m.scm.fp);
	free(iov);
	return ret;
}

/* sendmsg(2) and recvmsg(2): DO on the socket of fd arg 0. */
static long sockfd_msg(struct task *t, const struct syscall_args *a,
		       long (*do_msg)(struct task *, struct socket *, uaddr_t, int))
{
	int err;
	struct socket *s = sockfd_lookup(t, (int)a->arg[0], &err);
	if (!s)
		return err;
	long r = do_msg(t, s, a->arg[1], (int)a->arg[2]);
	sockfd_put(s);
	return r;
}

long sys_sendmsg(struct task *t, const struct syscall_args *a)
{
	return sockfd_msg(t, a, do_sendmsg);
}

long sys_recvmsg(struct task *t, const struct syscall_args *a)
{
	return sockfd_msg(t, a, do_recvmsg);
}

/* sendto(2) and recvfrom(2)'s socket (fd arg 0, to sockfd_put), with M's
 * data the buffer at arg 1 of length arg 2 (kept in IOV); NULL with *ERR
 * set when there is no such socket. */
static struct socket *sockfd_lookup_buf(struct task *t, const struct syscall_args *a,
					struct iovec *iov, struct sock_msg *m, int *err)
{
	*iov = (struct iovec){ (void *)a->arg[1],
			       MIN((size_t)a->arg[2], (size_t)VFS_MAX_RW_COUNT) };
	msg_iter_init(&m->data, t, iov, 1);
	return sockfd_lookup(t, (int)a->arg[0], err);
}

long sys_sendto(struct task *t, const struct syscall_args *a)
{
	struct iovec iov;
	int flags = (int)a->arg[3], err;
	struct sock_msg m = { 0 };
	struct socket *s = sockfd_lookup_buf(t, a, &iov, &m, &err);
	if (!s)
		return err;
	long r = 0;
	if (a->arg[4]) {
		r = move_addr_to_kernel(t, a->arg[4], (int)a->arg[5], &m.addr);
		m.addrlen = (int)a->arg[5];
	}
	if (!r)
		r = socket_sendmsg(s, &m, flags);
	sockfd_put(s);
	return r;
}

long sys_recvfrom(struct task *t, const struct syscall_args *a)
{
	struct iovec iov;
	int flags = (int)a->arg[3], err;
	struct sock_msg m = { 0 };
	struct socket *s = sockfd_lookup_buf(t, a, &iov, &m, &err);
	if (!s)
		return err;
	long r = s->ops->recvmsg(s, &m, flags);
	scm_fp_free(m.scm.fp);
	if (r >= 0 && a->arg[4]) {
		err = move_addr_to_user(t, &m.addr, m.addrlen, a->arg[4], a->arg[5]);
		if (err)
			r = err;
	}
	sockfd_put(s);
	return r;
}

/* Stores LEN, a message's byte count, in the mmsghdr at E: LEN, or
 * -EFAULT. */
static long put_msg_len(struct task *t, uaddr_t e, long len)
{
	unsigned v = (unsigned)len;
	if (copy_out(t, e + offsetof(struct mmsghdr, msg_len), &v, sizeof(v)))
		return -EFAULT;
	return len;
}

long sys_sendmmsg(struct task *t, const struct syscall_args *a)
{
	uaddr_t vec = a->arg[1];
	unsigned vlen = MIN((unsigned)a->arg[2], (unsigned)UIO_MAXIOV);
	int flags = (int)a->arg[3], err;
	struct socket *s = sockfd_lookup(t, (int)a->arg[0], &err);
	if (!s)
		return err;
	long r = 0;
	unsigned n;
	for (n = 0; n < vlen; n++) {
		uaddr_t e = vec + n * sizeof(struct mmsghdr);
		r = do_sendmsg(t, s, e, flags);
		if (r < 0 || (r = put_msg_len(t, e, r)) < 0)
			break;
	}
	sockfd_put(s);
	return n ? (long)n : r;
}

long sys_recvmmsg(struct task *t, const struct syscall_args *a)
{
	uaddr_t vec = a->arg[1], utmo = a->arg[4];
	unsigned vlen = MIN((unsigned)a->arg[2], (unsigned)UIO_MAXIOV);
	int flags = (int)a->arg[3], err;
	int64_t end = -1;
	if (utmo) {
		struct timespec ts;
		if (copy_in(t, &ts, utmo, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		end = host_monotonic_ns() + ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	struct socket *s = sockfd_lookup(t, (int)a->arg[0], &err);
	if (!s)
		return err;
	long r = 0;
	unsigned n;
	for (n = 0; n < vlen; n++) {
		uaddr_t e = vec + n * sizeof(struct mmsghdr);
		r = do_recvmsg(t, s, e, flags & ~MSG_WAITFORONE);
		if (r < 0 || (r = put_msg_len(t, e, r)) < 0)
			break;
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		if (end >= 0 && host_monotonic_ns() >= end) {
			n++;
			break;
		}
	}
	sockfd_put(s);
	if (n && utmo) {
		int64_t left = MAX(end - host_monotonic_ns(), (int64_t)0);
		struct timespec ts = { left / 1000000000, left % 1000000000 };
		if (copy_out(t, utmo, &ts, sizeof(ts)))
			return -EFAULT;
	}
	return n ? (long)n : r;
}
