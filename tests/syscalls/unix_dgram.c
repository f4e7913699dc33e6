/* AF_UNIX SOCK_DGRAM and SOCK_SEQPACKET sockets: message boundaries,
 * MSG_TRUNC, sender addresses, connect and who may send to whom, the
 * receive queue limit, peers going away, shutdown, sendmmsg/recvmmsg,
 * and seqpacket connections. */
#define TEST_WORKDIR
#include "test.h"

#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

static socklen_t abstract_addr(struct sockaddr_un *sun, const char *name)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path + 1, name, strlen(name));
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

static int bound(int type, const char *name, struct sockaddr_un *sun, socklen_t *len)
{
	*len = abstract_addr(sun, name);
	int fd = socket(AF_UNIX, type, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)sun, *len))
		return -1;
	return fd;
}

static int revents(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

TEST(boundaries_and_truncation)
{
	int sv[2];
	char buf[16];
	ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	EXPECT_EQ(write(sv[0], "first", 5), 5);
	EXPECT_EQ(write(sv[0], "second!", 7), 7);
	EXPECT_EQ(send(sv[0], "", 0, 0), 0);
	int n = 0;
	EXPECT_OK(ioctl(sv[1], FIONREAD, &n));
	EXPECT_EQ(n, 5);
	EXPECT_EQ(recv(sv[1], buf, 3, MSG_PEEK), 3);
	EXPECT_EQ(recv(sv[1], buf, sizeof(buf), 0), 5);
	EXPECT_MEMEQ(buf, "first", 5);
	/* A short buffer loses the rest; MSG_TRUNC says how long it was. */
	struct iovec iov = { buf, 3 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	EXPECT_EQ(recvmsg(sv[1], &mh, MSG_TRUNC), 7);
	EXPECT_EQ(mh.msg_flags, MSG_TRUNC);
	EXPECT_MEMEQ(buf, "sec", 3);
	/* The empty datagram is a datagram... */
	EXPECT_EQ(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), 0);
	EXPECT_ERRNO(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	/* ...written by write(2) too, but read(2) of nothing takes none. */
	EXPECT_EQ(write(sv[0], "", 0), 0);
	EXPECT_EQ(read(sv[1], buf, 0), 0);
	EXPECT_EQ(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), 0);
	EXPECT_ERRNO(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	close(sv[0]);
	close(sv[1]);
}

TEST(sender_addresses)
{
	struct sockaddr_un sun, from;
	socklen_t len, flen;
	char buf[8];
	int r = bound(SOCK_DGRAM, "cvisor-dgram-r", &sun, &len);
	ASSERT_OK(r);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	EXPECT_ERRNO(send(s, "x", 1, 0), ENOTCONN);
	EXPECT_EQ(sendto(s, "anon", 4, 0, (struct sockaddr *)&sun, len), 4);
	flen = sizeof(from);
	EXPECT_EQ(recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen), 4);
	/* An unbound sender has no name at all. */
	EXPECT_EQ(flen, 0);
	struct sockaddr_un sn;
	socklen_t snlen;
	int named = bound(SOCK_DGRAM, "cvisor-dgram-s", &sn, &snlen);
	EXPECT_EQ(sendto(named, "named", 5, 0, (struct sockaddr *)&sun, len), 5);
	flen = sizeof(from);
	EXPECT_EQ(recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen), 5);
	EXPECT_EQ(flen, snlen);
	EXPECT_MEMEQ(&from, &sn, snlen);
	struct sockaddr_un nowhere;
	socklen_t nlen = abstract_addr(&nowhere, "cvisor-dgram-nobody");
	EXPECT_ERRNO(sendto(s, "x", 1, 0, (struct sockaddr *)&nowhere, nlen), ECONNREFUSED);
	EXPECT_ERRNO(sendto(s, "x", 1, 0, (struct sockaddr *)&nowhere, 1), EINVAL);
	close(s);
	close(named);
	close(r);
}

TEST(connect_rules)
{
	struct sockaddr_un ra, ba;
	socklen_t ralen, balen;
	char buf[8];
	int a = bound(SOCK_DGRAM, "cvisor-dgram-a", &ra, &ralen);
	int b = bound(SOCK_DGRAM, "cvisor-dgram-b", &ba, &balen);
	int c = socket(AF_UNIX, SOCK_DGRAM, 0);
	ASSERT_OK(connect(a, (struct sockaddr *)&ba, balen));
	socklen_t l = sizeof(ra);
	struct sockaddr_un got;
	EXPECT_OK(getpeername(a, (struct sockaddr *)&got, &l));
	EXPECT_EQ(l, balen);
	EXPECT_EQ(send(a, "hi", 2, 0), 2);
	EXPECT_EQ(recv(b, buf, sizeof(buf), 0), 2);
	/* b is unconnected: anyone may send to it. a is connected to b:
	 * only b may send to it. */
	EXPECT_EQ(sendto(c, "c", 1, 0, (struct sockaddr *)&ba, balen), 1);
	EXPECT_ERRNO(sendto(c, "c", 1, 0, (struct sockaddr *)&ra, ralen), EPERM);
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&ra, ralen), EPERM);
	EXPECT_EQ(sendto(b, "b", 1, 0, (struct sockaddr *)&ra, ralen), 1);
	EXPECT_EQ(recv(a, buf, sizeof(buf), 0), 1);
	/* AF_UNSPEC disconnects. */
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	EXPECT_OK(connect(a, &unspec, sizeof(unspec)));
	EXPECT_ERRNO(getpeername(a, (struct sockaddr *)&got, &l), ENOTCONN);
	EXPECT_EQ(sendto(c, "c", 1, 0, (struct sockaddr *)&ra, ralen), 1);
	EXPECT_ERRNO(listen(a, 1), EOPNOTSUPP);
	EXPECT_ERRNO(accept(a, NULL, NULL), EOPNOTSUPP);
	close(a);
	close(b);
	close(c);
}

TEST(peer_gone)
{
	struct sockaddr_un ra;
	socklen_t ralen;
	int r = bound(SOCK_DGRAM, "cvisor-dgram-gone", &ra, &ralen);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	ASSERT_OK(connect(s, (struct sockaddr *)&ra, ralen));
	close(r);
	EXPECT_ERRNO(send(s, "x", 1, 0), ECONNREFUSED);
	/* ...and the socket is no longer connected. */
	EXPECT_ERRNO(send(s, "x", 1, 0), ENOTCONN);
	close(s);
}

TEST(queue_limit)
{
	struct sockaddr_un ra;
	socklen_t ralen;
	int r = bound(SOCK_DGRAM, "cvisor-dgram-full", &ra, &ralen);
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	ASSERT_OK(connect(s, (struct sockaddr *)&ra, ralen));
	int sent = 0;
	while (send(s, "x", 1, 0) == 1 && sent < 1000)
		sent++;
	int err = errno;
	EXPECT_EQ(err, EAGAIN);
	/* net.unix.max_dgram_qlen is 10: the queue takes one more. */
	EXPECT_EQ(sent, 11);
	EXPECT_EQ(revents(s, POLLOUT), 0);
	char buf[4];
	EXPECT_EQ(recv(r, buf, sizeof(buf), 0), 1);
	EXPECT_EQ(revents(s, POLLOUT), POLLOUT);
	EXPECT_EQ(send(s, "x", 1, 0), 1);
	/* Another sender blocks until the receiver reads. */
	pid_t pid = test_fork();
	if (pid == 0) {
		int o = socket(AF_UNIX, SOCK_DGRAM, 0);
		EXPECT_EQ(sendto(o, "o", 1, 0, (struct sockaddr *)&ra, ralen), 1);
		test_child_exit();
	}
	test_sleep_ms(100);
	EXPECT_EQ(waitpid(pid, NULL, WNOHANG), 0);
	EXPECT_EQ(recv(r, buf, sizeof(buf), 0), 1);
	EXPECT_EQ(test_wait_timeout(pid, 0, 10), 0);
	/* A poller connected to r waits while others fill r's queue. */
	int p = socket(AF_UNIX, SOCK_DGRAM, 0);
	ASSERT_OK(connect(p, (struct sockaddr *)&ra, ralen));
	EXPECT_EQ(revents(p, POLLOUT), 0);
	pid = test_fork();
	if (pid == 0) {
		struct pollfd pf = { .fd = p, .events = POLLOUT };
		EXPECT_EQ(poll(&pf, 1, 5000), 1);
		EXPECT_EQ(pf.revents, POLLOUT);
		test_child_exit();
	}
	test_sleep_ms(100);
	EXPECT_EQ(waitpid(pid, NULL, WNOHANG), 0);
	EXPECT_EQ(recv(r, buf, sizeof(buf), 0), 1);
	EXPECT_EQ(test_wait_timeout(pid, 0, 10), 0);
	close(p);
	close(s);
	close(r);
	/* A socketpair has no such limit, only the send buffer. */
	int sv[2];
	ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv));
	for (sent = 0; sent < 100; sent++)
		if (send(sv[0], "x", 1, 0) != 1)
			break;
	EXPECT_EQ(sent, 100);
	close(sv[0]);
	close(sv[1]);
}

TEST(too_big)
{
	int sv[2], v = 4096;
	ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	ASSERT_OK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	static char big[16384];
	EXPECT_ERRNO(send(sv[0], big, sizeof(big), 0), EMSGSIZE);
	EXPECT_EQ(send(sv[0], big, 4096, 0), 4096);
	close(sv[0]);
	close(sv[1]);
}

TEST(shutdown_ends_reads)
{
	int sv[2];
	char buf[4];
	ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	EXPECT_OK(shutdown(sv[1], SHUT_RD));
	EXPECT_EQ(recv(sv[1], buf, sizeof(buf), 0), 0);
	EXPECT_TRUE(revents(sv[1], POLLIN) & POLLIN);
	EXPECT_OK(shutdown(sv[0], SHUT_WR));
	signal(SIGPIPE, SIG_IGN);
	EXPECT_ERRNO(send(sv[0], "x", 1, 0), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(sv[0]);
	close(sv[1]);
}

TEST(mmsg)
{
	int sv[2];
	ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	struct iovec out[3] = { { "one", 3 }, { "two!", 4 }, { "three", 5 } };
	struct mmsghdr m[3];
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 3; i++) {
		m[i].msg_hdr.msg_iov = &out[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	EXPECT_EQ(sendmmsg(sv[0], m, 3, 0), 3);
	EXPECT_EQ(m[1].msg_len, 4);
	char bufs[3][8];
	struct iovec in[3];
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 3; i++) {
		in[i] = (struct iovec){ bufs[i], sizeof(bufs[i]) };
		m[i].msg_hdr.msg_iov = &in[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	/* MSG_WAITFORONE: the first waits, the rest take what is there. */
	EXPECT_EQ(recvmmsg(sv[1], m, 3, MSG_WAITFORONE, NULL), 3);
	EXPECT_EQ(m[2].msg_len, 5);
	EXPECT_MEMEQ(bufs[2], "three", 5);
	EXPECT_EQ(send(sv[0], "x", 1, 0), 1);
	EXPECT_EQ(recvmmsg(sv[1], m, 3, MSG_WAITFORONE, NULL), 1);
	close(sv[0]);
	close(sv[1]);
}

TEST(seqpacket)
{
	struct sockaddr_un sun;
	socklen_t len;
	char buf[16];
	int l = bound(SOCK_SEQPACKET, "cvisor-seqpacket", &sun, &len);
	ASSERT_OK(l);
	int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	EXPECT_ERRNO(send(c, "x", 1, 0), ENOTCONN);
	EXPECT_ERRNO(recv(c, buf, 1, MSG_DONTWAIT), ENOTCONN);
	EXPECT_EQ(revents(c, POLLIN | POLLOUT) & POLLHUP, POLLHUP);
	ASSERT_OK(listen(l, 4));
	ASSERT_OK(connect(c, (struct sockaddr *)&sun, len));
	int a = accept(l, NULL, NULL);
	ASSERT_OK(a);
	EXPECT_EQ(send(c, "abc", 3, 0), 3);
	EXPECT_EQ(send(c, "defgh", 5, 0), 5);
	struct iovec iov = { buf, 2 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	EXPECT_EQ(recvmsg(a, &mh, 0), 2);
	EXPECT_EQ(mh.msg_flags & MSG_TRUNC, MSG_TRUNC);
	EXPECT_EQ(recv(a, buf, sizeof(buf), 0), 5);
	EXPECT_MEMEQ(buf, "defgh", 5);
	int type = 0;
	socklen_t tl = sizeof(type);
	EXPECT_OK(getsockopt(a, SOL_SOCKET, SO_TYPE, &type, &tl));
	EXPECT_EQ(type, SOCK_SEQPACKET);
	close(c);
	/* The end of the connection reads as 0; a send breaks the pipe. */
	EXPECT_EQ(recv(a, buf, sizeof(buf), 0), 0);
	EXPECT_TRUE(revents(a, POLLIN) & POLLHUP);
	signal(SIGPIPE, SIG_IGN);
	EXPECT_ERRNO(send(a, "x", 1, 0), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(a);
	close(l);
}
