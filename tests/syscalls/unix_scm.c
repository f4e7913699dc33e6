/* Control messages on AF_UNIX sockets: SCM_RIGHTS (open files passed,
 * the references they hold, MSG_CTRUNC, MSG_CMSG_CLOEXEC, files in
 * flight dropped when the socket closes), SCM_CREDENTIALS with
 * SO_PASSCRED (and who may claim which ids), SO_PEERCRED. */
#include "test.h"

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static ssize_t send_fds(int sock, const int *fds, int n, const char *data, size_t len)
{
	char ctl[CMSG_SPACE(sizeof(int) * 8)];
	struct iovec iov = { (void *)data, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
	return sendmsg(sock, &mh, 0);
}

/* Receives one message with room for CTLSIZE control bytes; the fds of
 * its SCM_RIGHTS into FDS (count returned through NFDS). */
static ssize_t recv_fds(int sock, int flags, size_t ctlsize, int *fds, int *nfds, int *mflags)
{
	char data[16];
	char ctl[256] __attribute__((aligned(8)));
	struct iovec iov = { data, sizeof(data) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = ctlsize };
	ssize_t r = recvmsg(sock, &mh, flags);
	*nfds = 0;
	if (r < 0)
		return r;
	*mflags = mh.msg_flags;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds + *nfds, CMSG_DATA(c), sizeof(int) * (size_t)n);
			*nfds += n;
		}
	return r;
}

TEST(pass_a_pipe)
{
	int sv[2], p[2], fds[8], n, fl;
	char buf[8];
	ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_OK(pipe(p));
	EXPECT_EQ(send_fds(sv[0], &p[1], 1, "f", 1), 1);
	/* The sender's fd can go: the message holds the file. */
	close(p[1]);
	EXPECT_EQ(recv_fds(sv[1], 0, sizeof(buf) * 32, fds, &n, &fl), 1);
	ASSERT_EQ(n, 1);
	EXPECT_EQ(fl, 0);
	EXPECT_NE(fds[0], p[1] + 100);
	EXPECT_EQ(fcntl(fds[0], F_GETFD), 0);
	EXPECT_EQ(write(fds[0], "pipe", 4), 4);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 4);
	close(fds[0]);
	/* The last writer is gone: EOF. */
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

TEST(cloexec_peek_and_several)
{
	int sv[2], fds[8], n, fl, p[2];
	ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	ASSERT_OK(pipe(p));
	EXPECT_EQ(send_fds(sv[0], p, 2, "two", 3), 3);
	/* A peek installs its own copies. */
	EXPECT_EQ(recv_fds(sv[1], MSG_PEEK, 256, fds, &n, &fl), 3);
	EXPECT_EQ(n, 2);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	EXPECT_EQ(recv_fds(sv[1], MSG_CMSG_CLOEXEC, 256, fds, &n, &fl), 3);
	ASSERT_EQ(n, 2);
	EXPECT_EQ(fcntl(fds[0], F_GETFD), FD_CLOEXEC);
	struct stat a, b;
	EXPECT_OK(fstat(fds[1], &a));
	EXPECT_OK(fstat(p[1], &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	close(fds[0]);
	close(fds[1]);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

TEST(truncated_control)
{
	int sv[2], p[2], fds[8], n, fl;
	char buf[8];
	ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	ASSERT_OK(pipe(p));
	int three[3] = { p[1], p[1], p[1] };
	EXPECT_EQ(send_fds(sv[0], three, 3, "x", 1), 1);
	close(p[1]);
	/* Room for one fd: one arrives, the others are closed. */
	EXPECT_EQ(recv_fds(sv[1], 0, CMSG_LEN(sizeof(int)), fds, &n, &fl), 1);
	EXPECT_EQ(n, 1);
	EXPECT_EQ(fl, MSG_CTRUNC);
	close(fds[0]);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 0);
	/* No control buffer at all. */
	ASSERT_OK(pipe(p));
	EXPECT_EQ(send_fds(sv[0], &p[1], 1, "y", 1), 1);
	close(p[1]);
	EXPECT_EQ(recv_fds(sv[1], 0, 0, fds, &n, &fl), 1);
	EXPECT_EQ(n, 0);
	EXPECT_EQ(fl, MSG_CTRUNC);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

TEST(in_flight_files_dropped_on_close)
{
	int sv[2], p[2];
	char buf[4];
	ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_OK(pipe(p));
	EXPECT_EQ(send_fds(sv[0], &p[1], 1, "z", 1), 1);
	close(p[1]);
	/* The write end lives in sv[1]'s queue... */
	EXPECT_EQ(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	EXPECT_ERRNO(read(p[0], buf, sizeof(buf)), EAGAIN);
	/* ...until sv[1] closes unread. */
	close(sv[1]);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
	close(sv[0]);
}

TEST(bad_rights)
{
	int sv[2], bad = 9999;
	ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	EXPECT_ERRNO(send_fds(sv[0], &bad, 1, "x", 1), EBADF);
	char ctl[CMSG_SPACE(4)];
	struct iovec iov = { "x", 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = 77;
	c->cmsg_len = CMSG_LEN(4);
	EXPECT_ERRNO(sendmsg(sv[0], &mh, 0), EINVAL);
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = sizeof(ctl) + 1;
	EXPECT_ERRNO(sendmsg(sv[0], &mh, 0), EINVAL);
	close(sv[0]);
	close(sv[1]);
}

static void recv_creds(int sock, struct ucred *uc, bool *found)
{
	char data[8], ctl[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	*found = false;
	if (recvmsg(sock, &mh, 0) < 0)
		return;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
			memcpy(uc, CMSG_DATA(c), sizeof(*uc));
			*found = true;
		}
}

static ssize_t send_creds(int sock, const struct ucred *uc)
{
	char ctl[CMSG_SPACE(sizeof(*uc))];
	struct iovec iov = { "c", 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(*uc));
	memcpy(CMSG_DATA(c), uc, sizeof(*uc));
	return sendmsg(sock, &mh, 0);
}

TEST(credentials)
{
	int sv[2], on = 1;
	struct ucred uc;
	bool found;
	ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	/* Without SO_PASSCRED nothing comes. */
	EXPECT_EQ(send(sv[0], "a", 1, 0), 1);
	recv_creds(sv[1], &uc, &found);
	EXPECT_TRUE(!found);
	ASSERT_OK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	EXPECT_EQ(send(sv[0], "b", 1, 0), 1);
	recv_creds(sv[1], &uc, &found);
	EXPECT_TRUE(found);
	EXPECT_EQ(uc.pid, getpid());
	EXPECT_EQ(uc.uid, geteuid());
	EXPECT_EQ(uc.gid, getegid());
	/* One's own ids may be claimed. */
	struct ucred mine = { getpid(), getuid(), getgid() };
	EXPECT_EQ(send_creds(sv[0], &mine), 1);
	recv_creds(sv[1], &uc, &found);
	EXPECT_TRUE(found);
	EXPECT_EQ(uc.pid, getpid());
	int v = 0;
	socklen_t len = sizeof(v);
	EXPECT_OK(getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &len));
	EXPECT_EQ(v, 1);
	close(sv[0]);
	close(sv[1]);
}

static void unprivileged_claims(void)
{
	int sv[2];
	/* Drop every capability by leaving uid 0. */
	if (getuid() == 0 && setresuid(65534, 65534, 65534))
		return;
	ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	struct ucred other = { getpid() + 1, getuid(), getgid() };
	EXPECT_ERRNO(send_creds(sv[0], &other), EPERM);
	other = (struct ucred){ getpid(), 12345, getgid() };
	EXPECT_ERRNO(send_creds(sv[0], &other), EPERM);
	other = (struct ucred){ getpid(), getuid(), 12345 };
	EXPECT_ERRNO(send_creds(sv[0], &other), EPERM);
}

TEST(credentials_checked)
{
	test_in_child(unprivileged_claims);
}

TEST(peercred)
{
	int sv[2];
	struct ucred uc;
	socklen_t len = sizeof(uc);
	ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	EXPECT_OK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &len));
	EXPECT_EQ(len, sizeof(uc));
	EXPECT_EQ(uc.pid, getpid());
	EXPECT_EQ(uc.uid, geteuid());
	close(sv[0]);
	close(sv[1]);
	/* Across connect: each side sees the other process. */
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	memcpy(sun.sun_path + 1, "cvisor-peercred", 15);
	socklen_t sl = offsetof(struct sockaddr_un, sun_path) + 16;
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_OK(bind(l, (struct sockaddr *)&sun, sl));
	ASSERT_OK(listen(l, 1));
	pid_t pid = test_fork();
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		struct ucred pc;
		socklen_t pl = sizeof(pc);
		EXPECT_OK(connect(c, (struct sockaddr *)&sun, sl));
		EXPECT_OK(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &pc, &pl));
		EXPECT_EQ(pc.pid, getppid());
		char b;
		EXPECT_EQ(read(c, &b, 1), 0);
		test_child_exit();
	}
	int a = accept(l, NULL, NULL);
	ASSERT_OK(a);
	EXPECT_OK(getsockopt(a, SOL_SOCKET, SO_PEERCRED, &uc, &len));
	EXPECT_EQ(uc.pid, pid);
	close(a);
	EXPECT_EQ(test_wait(pid, 0), 0);
	/* An unconnected socket has no peer. */
	EXPECT_OK(getsockopt(l, SOL_SOCKET, SO_PEERCRED, &uc, &len));
	close(l);
}

TEST(stream_reads_stop_at_another_sender)
{
	int sv[2], on = 1;
	struct ucred uc;
	bool found;
	ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_OK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	EXPECT_EQ(write(sv[0], "aa", 2), 2);
	pid_t pid = test_fork();
	if (pid == 0) {
		EXPECT_EQ(write(sv[0], "bb", 2), 2);
		test_child_exit();
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_EQ(write(sv[0], "cc", 2), 2);
	char data[16], ctl[CMSG_SPACE(sizeof(uc))];
	pid_t want[3] = { getpid(), pid, getpid() };
	for (int i = 0; i < 3; i++) {
		struct iovec iov = { data, sizeof(data) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
				     .msg_controllen = sizeof(ctl) };
		EXPECT_EQ(recvmsg(sv[1], &mh, MSG_DONTWAIT), 2);
		found = false;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_type == SCM_CREDENTIALS) {
				memcpy(&uc, CMSG_DATA(c), sizeof(uc));
				found = true;
			}
		EXPECT_TRUE(found);
		EXPECT_EQ(uc.pid, want[i]);
	}
	close(sv[0]);
	close(sv[1]);
}

/* Whether FD reaches EOF (its writers all closed) within SECONDS. */
static bool eof_within(int fd, int seconds)
{
	char buf[4];
	for (int i = 0; i < seconds * 100; i++) {
		if (read(fd, buf, sizeof(buf)) == 0)
			return true;
		test_sleep_ms(10);
	}
	return false;
}

TEST(cycles_are_collected)
{
	int sv[2], p[2];
	ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	ASSERT_OK(pipe(p));
	ASSERT_OK(fcntl(p[0], F_SETFL, O_NONBLOCK));
	/* Each socket in flight in the other's queue, with a pipe's write
	 * end: once both are closed, nothing can receive them. */
	int first[2] = { sv[0], p[1] };
	EXPECT_EQ(send_fds(sv[0], first, 2, "a", 1), 1);
	EXPECT_EQ(send_fds(sv[1], &sv[1], 1, "b", 1), 1);
	close(p[1]);
	close(sv[0]);
	EXPECT_TRUE(!eof_within(p[0], 0));
	close(sv[1]);
	/* A unix socket closing starts a collection (Linux's runs
	 * asynchronously). */
	int x[2];
	ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, x));
	close(x[0]);
	close(x[1]);
	EXPECT_TRUE(eof_within(p[0], 5));
	close(p[0]);
}

TEST(reachable_sockets_are_kept)
{
	int outer[2], inner[2], p[2], fds[8], n, fl;
	char buf[4];
	ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, outer));
	ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, inner));
	ASSERT_OK(pipe(p));
	/* inner[1] holds a pipe in flight; inner[1] itself is in flight in
	 * outer[1]'s queue, which we still hold. */
	EXPECT_EQ(send_fds(inner[0], &p[1], 1, "p", 1), 1);
	close(p[1]);
	EXPECT_EQ(send_fds(outer[0], &inner[1], 1, "i", 1), 1);
	close(inner[1]);
	close(inner[0]);
	/* A collection (any unix socket closing starts one) keeps it all. */
	int x[2];
	ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, x));
	close(x[0]);
	close(x[1]);
	test_sleep_ms(100);
	EXPECT_EQ(recv_fds(outer[1], 0, 256, fds, &n, &fl), 1);
	ASSERT_EQ(n, 1);
	EXPECT_EQ(recv_fds(fds[0], 0, 256, fds + 1, &n, &fl), 1);
	ASSERT_EQ(n, 1);
	EXPECT_EQ(write(fds[1], "ok", 2), 2);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 2);
	close(fds[0]);
	close(fds[1]);
	close(p[0]);
	close(outer[0]);
	close(outer[1]);
}
