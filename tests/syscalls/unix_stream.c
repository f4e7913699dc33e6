/* AF_UNIX SOCK_STREAM sockets (Linux's net/unix/af_unix.c): socketpair,
 * bind to a path and to abstract names, autobind, listen/connect/accept
 * with the backlog, names, shutdown and close as the peer sees them,
 * EPIPE/SIGPIPE, MSG_PEEK/MSG_WAITALL/MSG_DONTWAIT, FIONREAD, options,
 * timeouts, signals, and poll readiness. */
#define TEST_WORKDIR
#include "test.h"

#include <stddef.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/socket.h>
#include <sys/un.h>

static int pair(int sv[2])
{
	return socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
}

static int revents(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

static socklen_t path_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	strcpy(sun->sun_path, path);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

/* An abstract name: a NUL then NAME, the length counting exactly that. */
static socklen_t abstract_addr(struct sockaddr_un *sun, const char *name)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path + 1, name, strlen(name));
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

static int listener(struct sockaddr_un *sun, socklen_t len, int backlog)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd >= 0 && (bind(fd, (struct sockaddr *)sun, len) || listen(fd, backlog))) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static void close_pair(const int sv[2])
{
	close(sv[0]);
	close(sv[1]);
}

static int handled;
static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

TEST(socketpair_transfers_both_ways)
{
	int sv[2];
	char buf[16];
	ASSERT_OK(pair(sv));
	EXPECT_EQ(write(sv[0], "hello", 5), 5);
	EXPECT_EQ(read(sv[1], buf, sizeof(buf)), 5);
	EXPECT_MEMEQ(buf, "hello", 5);
	EXPECT_EQ(send(sv[1], "back", 4, 0), 4);
	EXPECT_EQ(recv(sv[0], buf, sizeof(buf), 0), 4);
	EXPECT_MEMEQ(buf, "back", 4);
	struct iovec iov[2] = { { "ab", 2 }, { "cde", 3 } };
	EXPECT_EQ(writev(sv[0], iov, 2), 5);
	EXPECT_EQ(read(sv[1], buf, sizeof(buf)), 5);
	EXPECT_MEMEQ(buf, "abcde", 5);
	close_pair(sv);
}

TEST(socket_file_identity)
{
	int sv[2];
	struct stat st;
	char link[64], want[64];
	ASSERT_OK(pair(sv));
	ASSERT_OK(fstat(sv[0], &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	snprintf(link, sizeof(link), "/proc/self/fd/%d", sv[0]);
	char target[64] = { 0 };
	EXPECT_OK(readlink(link, target, sizeof(target) - 1));
	snprintf(want, sizeof(want), "socket:[%llu]", (unsigned long long)st.st_ino);
	EXPECT_STREQ(target, want);
	int type = 0, domain = 0, proto = -1;
	socklen_t len = sizeof(int);
	EXPECT_OK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len));
	EXPECT_EQ(type, SOCK_STREAM);
	EXPECT_EQ(len, sizeof(int));
	EXPECT_OK(getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &domain, &len));
	EXPECT_EQ(domain, AF_UNIX);
	EXPECT_OK(getsockopt(sv[0], SOL_SOCKET, SO_PROTOCOL, &proto, &len));
	EXPECT_EQ(proto, 0);
	/* Not a socket, and no socket at all. */
	int dir = open("/", O_RDONLY);
	EXPECT_ERRNO(listen(dir, 1), ENOTSOCK);
	close(dir);
	EXPECT_ERRNO(shutdown(999, SHUT_RD), EBADF);
	close_pair(sv);
}

TEST(bad_socket_arguments)
{
	EXPECT_ERRNO(socket(AF_UNIX, 0x7, 0), ESOCKTNOSUPPORT);
	EXPECT_ERRNO(socket(AF_UNIX, SOCK_STREAM, 7), EPROTONOSUPPORT);
	EXPECT_ERRNO(socket(AF_MAX, SOCK_STREAM, 0), EAFNOSUPPORT);
	EXPECT_ERRNO(socket(AF_UNIX, SOCK_STREAM | 0x100000, 0), EINVAL);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ASSERT_OK(fd);
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
}

TEST(bind_path_connect_accept)
{
	struct sockaddr_un sun, got;
	socklen_t len = path_addr(&sun, "sock"), glen;
	umask(0077);
	int l = listener(&sun, len, 5);
	umask(022);
	ASSERT_OK(l);
	struct stat st;
	ASSERT_OK(stat("sock", &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	EXPECT_EQ(st.st_mode & 0777, 0700);
	/* The name is taken, even for another type. */
	int other = socket(AF_UNIX, SOCK_DGRAM, 0);
	EXPECT_ERRNO(bind(other, (struct sockaddr *)&sun, len), EADDRINUSE);
	close(other);
	/* open(2) of a socket file. */
	EXPECT_ERRNO(open("sock", O_RDWR), ENXIO);

	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_OK(connect(c, (struct sockaddr *)&sun, len));
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&sun, len), EISCONN);
	glen = sizeof(got);
	int a = accept(l, (struct sockaddr *)&got, &glen);
	ASSERT_OK(a);
	/* The client is unbound: only the family. */
	EXPECT_EQ(glen, sizeof(sa_family_t));
	EXPECT_EQ(got.sun_family, AF_UNIX);
	glen = sizeof(got);
	EXPECT_OK(getsockname(a, (struct sockaddr *)&got, &glen));
	EXPECT_EQ(glen, len);
	EXPECT_STREQ(got.sun_path, "sock");
	glen = sizeof(got);
	EXPECT_OK(getpeername(c, (struct sockaddr *)&got, &glen));
	EXPECT_EQ(glen, len);
	EXPECT_STREQ(got.sun_path, "sock");
	glen = sizeof(got);
	EXPECT_OK(getsockname(c, (struct sockaddr *)&got, &glen));
	EXPECT_EQ(glen, sizeof(sa_family_t));
	/* A short buffer gets a cut name and the full length. */
	glen = 4;
	memset(&got, 0x55, sizeof(got));
	EXPECT_OK(getsockname(l, (struct sockaddr *)&got, &glen));
	EXPECT_EQ(glen, len);
	EXPECT_EQ(got.sun_path[2], 0x55);
	EXPECT_EQ(got.sun_path[0], 's');

	char buf[8];
	EXPECT_EQ(write(c, "xyz", 3), 3);
	EXPECT_EQ(read(a, buf, sizeof(buf)), 3);
	int v = 0;
	socklen_t vl = sizeof(v);
	EXPECT_OK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
	EXPECT_EQ(v, 1);
	EXPECT_OK(getsockopt(a, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
	EXPECT_EQ(v, 0);
	close(a);
	close(c);
	close(l);
	/* The file stays after close; the name no longer answers. */
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&sun, len), ECONNREFUSED);
	unlink("sock");
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&sun, len), ENOENT);
	close(c);
}

TEST(connect_errors)
{
	struct sockaddr_un sun;
	socklen_t len = path_addr(&sun, "plain");
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_OK(test_write_file("plain", "x"));
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&sun, len), ECONNREFUSED);
	/* Bound but not listening. */
	len = path_addr(&sun, "quiet");
	int b = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_OK(bind(b, (struct sockaddr *)&sun, len));
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&sun, len), ECONNREFUSED);
	/* Another type. */
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	len = path_addr(&sun, "dgram");
	ASSERT_OK(bind(d, (struct sockaddr *)&sun, len));
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&sun, len), EPROTOTYPE);
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&sun, 1), EINVAL);
	sun.sun_family = AF_INET;
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&sun, len), EINVAL);
	EXPECT_ERRNO(bind(b, (struct sockaddr *)&sun, len), EINVAL);
	/* A listener connecting to itself. */
	len = path_addr(&sun, "self");
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_OK(bind(l, (struct sockaddr *)&sun, len));
	ASSERT_OK(listen(l, 1));
	EXPECT_ERRNO(connect(l, (struct sockaddr *)&sun, len), EINVAL);
	close(l);
	/* listen needs a name; accept needs a listener. */
	EXPECT_ERRNO(listen(c, 1), EINVAL);
	EXPECT_ERRNO(accept(b, NULL, NULL), EINVAL);
	EXPECT_ERRNO(accept4(b, NULL, NULL, 0x4), EINVAL);
	EXPECT_ERRNO(getpeername(c, (struct sockaddr *)&sun, &len), ENOTCONN);
	EXPECT_ERRNO(write(c, "x", 1), ENOTCONN);
	char buf[4];
	EXPECT_ERRNO(read(c, buf, 1), EINVAL);
	close(b);
	close(c);
	close(d);
}

TEST(abstract_names_and_autobind)
{
	struct sockaddr_un sun, got;
	socklen_t len = abstract_addr(&sun, "cvisor-test-abstract"), glen = sizeof(got);
	int l = listener(&sun, len, 1);
	ASSERT_OK(l);
	EXPECT_OK(getsockname(l, (struct sockaddr *)&got, &glen));
	EXPECT_EQ(glen, len);
	EXPECT_EQ(got.sun_path[0], 0);
	EXPECT_MEMEQ(got.sun_path + 1, "cvisor-test-abstract", 20);
	int dup = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_ERRNO(bind(dup, (struct sockaddr *)&sun, len), EADDRINUSE);
	/* A name one byte shorter is another name. */
	EXPECT_OK(bind(dup, (struct sockaddr *)&sun, len - 1));
	EXPECT_ERRNO(bind(dup, (struct sockaddr *)&sun, len - 2), EINVAL);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_OK(connect(c, (struct sockaddr *)&sun, len));
	int a = accept(l, NULL, NULL);
	EXPECT_OK(a);
	/* Autobind: an empty name gets five hex digits in the abstract
	 * namespace. */
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un empty = { .sun_family = AF_UNIX };
	ASSERT_OK(bind(s, (struct sockaddr *)&empty, sizeof(sa_family_t)));
	glen = sizeof(got);
	EXPECT_OK(getsockname(s, (struct sockaddr *)&got, &glen));
	EXPECT_EQ(glen, offsetof(struct sockaddr_un, sun_path) + 6);
	EXPECT_EQ(got.sun_path[0], 0);
	for (int i = 1; i < 6; i++)
		EXPECT_TRUE(strchr("0123456789abcdef", got.sun_path[i]) != NULL);
	close(a);
	close(c);
	close(l);
	close(dup);
	close(s);
	/* Closing frees the name. */
	l = listener(&sun, len, 1);
	EXPECT_OK(l);
	close(l);
}

TEST(backlog_full)
{
	struct sockaddr_un sun;
	socklen_t len = abstract_addr(&sun, "cvisor-test-backlog");
	int l = listener(&sun, len, 1);
	ASSERT_OK(l);
	/* backlog 1 takes two connections before it is full. */
	int c[3];
	for (int i = 0; i < 2; i++) {
		c[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		EXPECT_OK(connect(c[i], (struct sockaddr *)&sun, len));
	}
	c[2] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	EXPECT_ERRNO(connect(c[2], (struct sockaddr *)&sun, len), EAGAIN);
	EXPECT_EQ(revents(l, POLLIN), POLLIN);
	/* A blocking connector waits until accept makes room. */
	pid_t pid = test_fork();
	if (pid == 0) {
		int b = socket(AF_UNIX, SOCK_STREAM, 0);
		EXPECT_OK(connect(b, (struct sockaddr *)&sun, len));
		EXPECT_EQ(write(b, "late", 4), 4);
		test_child_exit();
	}
	test_sleep_ms(100);
	int a = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ASSERT_OK(a);
	EXPECT_TRUE(fcntl(a, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(fcntl(a, F_GETFD), FD_CLOEXEC);
	EXPECT_EQ(test_wait_timeout(pid, 0, 10), 0);
	close(a);
	int got = 0;
	char buf[8];
	for (int i = 0; i < 2; i++) {
		a = accept(l, NULL, NULL);
		if (recv(a, buf, sizeof(buf), MSG_DONTWAIT) == 4)
			got++;
		close(a);
	}
	EXPECT_EQ(got, 1);
	fcntl(l, F_SETFL, O_NONBLOCK);
	EXPECT_ERRNO(accept(l, NULL, NULL), EAGAIN);
	for (int i = 0; i < 3; i++)
		close(c[i]);
	close(l);
}

TEST(shutdown_and_close_as_the_peer_sees_them)
{
	int sv[2];
	char buf[8];
	ASSERT_OK(pair(sv));
	EXPECT_EQ(revents(sv[0], POLLIN | POLLOUT | POLLRDHUP), POLLOUT);
	EXPECT_EQ(write(sv[0], "ab", 2), 2);
	ASSERT_OK(shutdown(sv[0], SHUT_WR));
	EXPECT_EQ(revents(sv[1], POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT | POLLRDHUP);
	EXPECT_EQ(read(sv[1], buf, sizeof(buf)), 2);
	EXPECT_EQ(read(sv[1], buf, sizeof(buf)), 0);
	signal(SIGPIPE, SIG_IGN);
	EXPECT_ERRNO(write(sv[0], "x", 1), EPIPE);
	/* The other way still works. */
	EXPECT_EQ(write(sv[1], "cd", 2), 2);
	EXPECT_EQ(read(sv[0], buf, sizeof(buf)), 2);
	EXPECT_ERRNO(shutdown(sv[0], 7), EINVAL);
	close(sv[0]);
	EXPECT_EQ(revents(sv[1], POLLIN | POLLOUT | POLLRDHUP),
		  POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
	EXPECT_ERRNO(write(sv[1], "x", 1), EPIPE);
	close(sv[1]);

	/* Closing with unread data resets the peer once. */
	ASSERT_OK(pair(sv));
	EXPECT_EQ(write(sv[0], "unread", 6), 6);
	close(sv[1]);
	EXPECT_TRUE(revents(sv[0], POLLIN) & POLLERR);
	EXPECT_ERRNO(read(sv[0], buf, sizeof(buf)), ECONNRESET);
	EXPECT_EQ(read(sv[0], buf, sizeof(buf)), 0);
	close(sv[0]);
	signal(SIGPIPE, SIG_DFL);
}

TEST(sigpipe_unless_nosignal)
{
	int sv[2];
	ASSERT_OK(pair(sv));
	close(sv[1]);
	handled = 0;
	signal(SIGPIPE, on_signal);
	EXPECT_ERRNO(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	EXPECT_EQ(handled, 0);
	EXPECT_ERRNO(write(sv[0], "x", 1), EPIPE);
	EXPECT_EQ(handled, 1);
	signal(SIGPIPE, SIG_DFL);
	close(sv[0]);
}

TEST(peek_waitall_dontwait)
{
	int sv[2];
	char buf[16] = { 0 };
	ASSERT_OK(pair(sv));
	EXPECT_ERRNO(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	EXPECT_EQ(write(sv[0], "abc", 3), 3);
	EXPECT_EQ(write(sv[0], "def", 3), 3);
	int n = -1;
	EXPECT_OK(ioctl(sv[1], FIONREAD, &n));
	EXPECT_EQ(n, 6);
	EXPECT_EQ(recv(sv[1], buf, 4, MSG_PEEK), 4);
	EXPECT_MEMEQ(buf, "abcd", 4);
	EXPECT_EQ(recv(sv[1], buf, 2, 0), 2);
	EXPECT_MEMEQ(buf, "ab", 2);
	EXPECT_EQ(recv(sv[1], buf, sizeof(buf), 0), 4);
	EXPECT_MEMEQ(buf, "cdef", 4);
	EXPECT_OK(ioctl(sv[1], FIONREAD, &n));
	EXPECT_EQ(n, 0);
	/* WAITALL waits for the whole buffer across writes. */
	pid_t pid = test_fork();
	if (pid == 0) {
		test_sleep_ms(50);
		write(sv[0], "12", 2);
		test_sleep_ms(50);
		write(sv[0], "345", 3);
		test_child_exit();
	}
	EXPECT_EQ(recv(sv[1], buf, 5, MSG_WAITALL), 5);
	EXPECT_MEMEQ(buf, "12345", 5);
	EXPECT_EQ(test_wait(pid, 0), 0);
	/* SO_RCVLOWAT: a read waits for that many bytes. */
	int lowat = 3;
	EXPECT_OK(setsockopt(sv[1], SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat)));
	pid = test_fork();
	if (pid == 0) {
		write(sv[0], "a", 1);
		test_sleep_ms(50);
		write(sv[0], "bc", 2);
		test_child_exit();
	}
	EXPECT_EQ(recv(sv[1], buf, sizeof(buf), 0), 3);
	EXPECT_EQ(test_wait(pid, 0), 0);
	lowat = 1;
	EXPECT_OK(setsockopt(sv[1], SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat)));
	/* ...but not past the end. */
	EXPECT_EQ(write(sv[0], "z", 1), 1);
	shutdown(sv[0], SHUT_WR);
	EXPECT_EQ(recv(sv[1], buf, 5, MSG_WAITALL), 1);
	close_pair(sv);
}

TEST(full_buffer_blocks_and_polls)
{
	int sv[2];
	static char big[1 << 16];
	ASSERT_OK(pair(sv));
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	long total = 0, n;
	while ((n = write(sv[0], big, sizeof(big))) > 0)
		total += n;
	int err = errno;
	EXPECT_EQ(n, -1);
	EXPECT_EQ(err, EAGAIN);
	EXPECT_GE(total, 64 * 1024);
	EXPECT_EQ(revents(sv[0], POLLOUT), 0);
	int q = 0;
	EXPECT_OK(ioctl(sv[0], TIOCOUTQ, &q));
	EXPECT_GE(q, total);
	/* Draining makes it writable again. */
	while (total > 0 && (n = read(sv[1], big, sizeof(big))) > 0)
		total -= n;
	EXPECT_EQ(total, 0);
	EXPECT_EQ(revents(sv[0], POLLOUT), POLLOUT);
	close_pair(sv);
}

TEST(options)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), v;
	socklen_t len = sizeof(v);
	ASSERT_OK(fd);
	v = 10000;
	EXPECT_OK(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	EXPECT_OK(getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &len));
	EXPECT_EQ(v, 20000);
	v = 1;
	EXPECT_OK(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)));
	EXPECT_OK(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len));
	EXPECT_EQ(v, 2304);
	v = 1;
	EXPECT_OK(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)));
	v = 0;
	EXPECT_OK(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, &len));
	EXPECT_EQ(v, 1);
	EXPECT_OK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len));
	EXPECT_EQ(v, 0);
	struct linger lg = { 1, 5 };
	EXPECT_OK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	memset(&lg, 0, sizeof(lg));
	len = sizeof(lg);
	EXPECT_OK(getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &len));
	EXPECT_EQ(lg.l_onoff, 1);
	EXPECT_EQ(lg.l_linger, 5);
	char sec[64];
	len = sizeof(sec);
	EXPECT_ERRNO(getsockopt(fd, SOL_SOCKET, SO_PEERSEC, sec, &len), ENOPROTOOPT);
	EXPECT_ERRNO(setsockopt(fd, SOL_SOCKET, SO_TYPE, &v, sizeof(v)), ENOPROTOOPT);
	EXPECT_ERRNO(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, 2), EINVAL);
	len = (socklen_t)-1;
	EXPECT_ERRNO(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len), EINVAL);
	/* A short length gets a cut value. */
	len = 1;
	v = 0;
	EXPECT_OK(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len));
	EXPECT_EQ(len, 1);
	EXPECT_EQ(v, SOCK_STREAM);
	struct timeval tv = { 0, 2000000 };
	EXPECT_ERRNO(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), EDOM);
	close(fd);
}

TEST(receive_timeout)
{
	int sv[2];
	char buf[4];
	ASSERT_OK(pair(sv));
	struct timeval tv = { 0, 100000 };
	ASSERT_OK(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	memset(&tv, 0, sizeof(tv));
	socklen_t len = sizeof(tv);
	EXPECT_OK(getsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, &len));
	EXPECT_EQ(tv.tv_sec, 0);
	EXPECT_EQ(tv.tv_usec, 100000);
	long long t0 = test_now_ns();
	EXPECT_ERRNO(read(sv[1], buf, sizeof(buf)), EAGAIN);
	EXPECT_GE(test_now_ns() - t0, 90000000);
	close_pair(sv);
}

TEST(blocking_read_interrupted)
{
	int sv[2];
	char buf[4];
	ASSERT_OK(pair(sv));
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGALRM, &sa, NULL);
	handled = 0;
	struct itimerval it = { .it_value = { 0, 50000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	EXPECT_ERRNO(read(sv[1], buf, sizeof(buf)), EINTR);
	EXPECT_EQ(handled, 1);
	/* With SA_RESTART the read goes on and gets the data. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	pid_t pid = test_fork();
	if (pid == 0) {
		test_sleep_ms(150);
		write(sv[0], "ok", 2);
		test_child_exit();
	}
	setitimer(ITIMER_REAL, &it, NULL);
	EXPECT_EQ(read(sv[1], buf, sizeof(buf)), 2);
	EXPECT_EQ(handled, 2);
	EXPECT_EQ(test_wait(pid, 0), 0);
	signal(SIGALRM, SIG_DFL);
	close_pair(sv);
}

TEST(poll_wakes_on_data)
{
	int sv[2];
	ASSERT_OK(pair(sv));
	pid_t pid = test_fork();
	if (pid == 0) {
		test_sleep_ms(50);
		write(sv[0], "x", 1);
		test_child_exit();
	}
	struct pollfd p = { .fd = sv[1], .events = POLLIN };
	EXPECT_EQ(poll(&p, 1, 5000), 1);
	EXPECT_EQ(p.revents, POLLIN);
	EXPECT_EQ(test_wait(pid, 0), 0);
	/* A fresh socket is writable and hung up; a listener neither. */
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_EQ(revents(fd, POLLIN | POLLOUT), POLLOUT | POLLHUP);
	close(fd);
	close_pair(sv);
}

TEST(proc_net_unix_lists_bound_sockets)
{
	struct sockaddr_un sun;
	socklen_t len = abstract_addr(&sun, "cvisor-proc-net-unix");
	int l = listener(&sun, len, 1);
	ASSERT_OK(l);
	static char buf[1 << 16];
	ssize_t n = test_read_file("/proc/net/unix", buf, sizeof(buf) - 1);
	ASSERT_OK(n);
	buf[n] = 0;
	const char *head = "Num       RefCount Protocol Flags    Type St Inode Path\n";
	EXPECT_TRUE(strncmp(buf, head, strlen(head)) == 0);
	EXPECT_TRUE(strstr(buf, " @cvisor-proc-net-unix\n") != NULL);
	close(l);
}

TEST(splice_and_sendfile)
{
	int sv[2], p[2];
	char buf[16];
	ASSERT_OK(pair(sv));
	ASSERT_OK(pipe(p));
	EXPECT_EQ(write(sv[0], "spliced", 7), 7);
	EXPECT_EQ(splice(sv[1], NULL, p[1], NULL, 64, 0), 7);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 7);
	EXPECT_MEMEQ(buf, "spliced", 7);
	EXPECT_EQ(write(p[1], "back", 4), 4);
	EXPECT_EQ(splice(p[0], NULL, sv[1], NULL, 64, 0), 4);
	EXPECT_EQ(read(sv[0], buf, sizeof(buf)), 4);
	EXPECT_MEMEQ(buf, "back", 4);
	ASSERT_OK(test_write_file("f", "from a file"));
	int fd = open("f", O_RDONLY);
	EXPECT_EQ(sendfile(sv[0], fd, NULL, 64), 11);
	EXPECT_EQ(read(sv[1], buf, sizeof(buf)), 11);
	EXPECT_MEMEQ(buf, "from a file", 11);
	close(fd);
	close(p[0]);
	close(p[1]);
	close_pair(sv);
}

TEST(epoll_readiness)
{
	int sv[2], ep = epoll_create1(0);
	ASSERT_OK(ep);
	ASSERT_OK(pair(sv));
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = sv[1] };
	ASSERT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev));
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	pid_t pid = test_fork();
	if (pid == 0) {
		test_sleep_ms(50);
		write(sv[0], "e", 1);
		test_sleep_ms(50);
		shutdown(sv[0], SHUT_WR);
		test_child_exit();
	}
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 5000), 1);
	EXPECT_EQ(ev.events, EPOLLIN);
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 5000), 1);
	EXPECT_EQ(ev.events, EPOLLIN | EPOLLRDHUP);
	EXPECT_EQ(test_wait(pid, 0), 0);
	close(ep);
	close_pair(sv);
}

TEST(send_timeout)
{
	int sv[2];
	static char big[1 << 16];
	ASSERT_OK(pair(sv));
	struct timeval tv = { 0, 100000 };
	ASSERT_OK(setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	long long t0 = test_now_ns();
	ssize_t n;
	while ((n = write(sv[0], big, sizeof(big))) > 0)
		;
	int err = errno;
	EXPECT_EQ(n, -1);
	EXPECT_EQ(err, EAGAIN);
	EXPECT_GE(test_now_ns() - t0, 90000000);
	close_pair(sv);
}

TEST(listener_closed_before_accept)
{
	struct sockaddr_un sun;
	socklen_t len = abstract_addr(&sun, "cvisor-test-unaccepted");
	int l = listener(&sun, len, 4);
	ASSERT_OK(l);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_OK(connect(c, (struct sockaddr *)&sun, len));
	/* Writes go to the connection waiting in the backlog. */
	EXPECT_EQ(write(c, "early", 5), 5);
	close(l);
	char buf[8];
	EXPECT_TRUE(revents(c, POLLIN) & POLLHUP);
	EXPECT_ERRNO(read(c, buf, sizeof(buf)), ECONNRESET);
	EXPECT_EQ(read(c, buf, sizeof(buf)), 0);
	close(c);
}
