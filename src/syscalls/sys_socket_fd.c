/* The socket calls that take a file descriptor. There are no sockets in
 * the sandbox yet (socket(2) is not implemented), so every open fd is
 * "not a socket": ENOTSOCK, and EBADF for a closed one, exactly what Linux
 * says for such fds. Programs probe with them (bash asks getpeername
 * whether stdin is a network connection). */
#include "fs_util.h"

static long not_a_socket(struct task *t, int fd)
{
	struct file *f = task_fget(t, fd);
	if (!f)
		return -EBADF;
	file_put(f);
	return -ENOTSOCK;
}

#define FD_SOCKET_CALL(name) \
	long sys_##name(struct task *t, const struct syscall_args *a) \
	{ \
		return not_a_socket(t, (int)a->arg[0]); \
	}

FD_SOCKET_CALL(bind)
FD_SOCKET_CALL(connect)
FD_SOCKET_CALL(listen)
FD_SOCKET_CALL(accept)
FD_SOCKET_CALL(accept4)
FD_SOCKET_CALL(getsockname)
FD_SOCKET_CALL(getpeername)
FD_SOCKET_CALL(getsockopt)
FD_SOCKET_CALL(setsockopt)
FD_SOCKET_CALL(shutdown)
FD_SOCKET_CALL(sendto)
FD_SOCKET_CALL(recvfrom)
FD_SOCKET_CALL(sendmsg)
FD_SOCKET_CALL(recvmsg)
FD_SOCKET_CALL(sendmmsg)
FD_SOCKET_CALL(recvmmsg)
