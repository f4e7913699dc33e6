/* Shared by sys_socket.c and sys_socket_msg.c. */
#ifndef CVISOR_SYSCALLS_SYS_SOCKET_H
#define CVISOR_SYSCALLS_SYS_SOCKET_H

#include "cvisor/net.h"

/* The socket at FD (a reference on its file) or NULL with *ERR -EBADF
 * or -ENOTSOCK. */
struct socket *sockfd_lookup(struct task *t, int fd, int *err);
void sockfd_put(struct socket *s);
/* A user address of LEN bytes into SS: -EINVAL (LEN out of range),
 * -EFAULT. */
int move_addr_to_kernel(struct task *t, uaddr_t uaddr, int len, struct sockaddr_storage *ss);
/* KLEN bytes of SS to UADDR, cut to the length at ULEN, which gets
 * KLEN. */
int move_addr_to_user(struct task *t, const struct sockaddr_storage *ss, int klen, uaddr_t uaddr,
		      uaddr_t ulen);

#endif
