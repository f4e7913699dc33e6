/* Pseudo-terminals: /dev/ptmx and /dev/pts (posix_openpt, grantpt,
 * unlockpt, ptsname, openpty, TIOCGPTPEER), the N_TTY line discipline
 * (canonical editing, echo, CR/NL mapping, VMIN/VTIME, signal
 * characters), window size and SIGWINCH, the controlling terminal, poll
 * readiness, and what closing either side does (hangup, EIO). */
#include "test.h"

#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <termios.h>

/* A pair: the master and its slave, both O_RDWR | O_NOCTTY. */
static bool open_pair(int *m, int *s)
{
	return openpty(m, s, NULL, NULL, NULL) == 0;
}

static void close_pair(int m, int s)
{
	close(m);
	close(s);
}

/* Reads what FD has within a short while (non-blocking reads after a
 * poll), NUL-terminated; returns the length. */
static ssize_t drain(int fd, char *buf, size_t size)
{
	size_t len = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	while (len + 1 < size && poll(&p, 1, 100) == 1 && (p.revents & POLLIN)) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

static bool set_lflag(int s, tcflag_t on, tcflag_t off)
{
	struct termios t;
	if (tcgetattr(s, &t) < 0)
		return false;
	t.c_lflag = (t.c_lflag | on) & ~off;
	return tcsetattr(s, TCSANOW, &t) == 0;
}

static bool writes(int fd, const char *str)
{
	return write(fd, str, strlen(str)) == (ssize_t)strlen(str);
}

/* Types IN on master M: whether one read of slave S then gives exactly
 * LINE (what it gave is printed when not). */
static bool typed_reads(int m, int s, const char *in, const char *line)
{
	char buf[128];
	if (!writes(m, in))
		return false;
	ssize_t n = read(s, buf, sizeof(buf));
	if (n == (ssize_t)strlen(line) && !memcmp(buf, line, (size_t)n))
		return true;
	printf("  typed \"%s\", read %zd bytes: \"%.*s\"\n", in, n, (int)(n > 0 ? n : 0), buf);
	return false;
}

TEST(ptmx_grantpt_unlockpt_ptsname)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	ASSERT_OK(m);
	int n = -1, locked = 0;
	EXPECT_OK(ioctl(m, TIOCGPTN, &n));
	EXPECT_OK(ioctl(m, TIOCGPTLCK, &locked));
	EXPECT_EQ(locked, 1);
	char name[64];
	snprintf(name, sizeof(name), "/dev/pts/%d", n);
	EXPECT_STREQ(ptsname(m), name);
	EXPECT_ERRNO(open(name, O_RDWR | O_NOCTTY), EIO);
	EXPECT_ERRNO(ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY), EIO);
	EXPECT_OK(grantpt(m));
	EXPECT_OK(unlockpt(m));
	int s = open(name, O_RDWR | O_NOCTTY);
	ASSERT_OK(s);
	struct stat st;
	EXPECT_OK(fstat(s, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(major(st.st_rdev), 136);
	EXPECT_EQ((int)minor(st.st_rdev), n);
	EXPECT_OK(fstat(m, &st));
	EXPECT_EQ(st.st_rdev, makedev(5, 2));
	EXPECT_TRUE(isatty(m));
	EXPECT_TRUE(isatty(s));
	EXPECT_STREQ(ttyname(s), name);
	EXPECT_ERRNO(ioctl(s, TIOCGPTN, &n), ENOTTY);
	int peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	EXPECT_OK(peer);
	EXPECT_STREQ(ttyname(peer), name);
	close(peer);
	close_pair(m, s);
	/* The entry goes with the master. */
	EXPECT_ERRNO(open(name, O_RDWR | O_NOCTTY), ENOENT);
	EXPECT_OK(access("/dev/pts/ptmx", F_OK));
}

TEST(default_termios)
{
	int m, s;
	ASSERT_TRUE(open_pair(&m, &s));
	struct termios t;
	EXPECT_OK(tcgetattr(s, &t));
	EXPECT_EQ(t.c_iflag, ICRNL | IXON);
	EXPECT_EQ(t.c_oflag, OPOST | ONLCR);
	EXPECT_EQ(t.c_lflag, ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN);
	EXPECT_EQ(t.c_cc[VINTR], 3);
	EXPECT_EQ(t.c_cc[VEOF], 4);
	EXPECT_EQ(t.c_cc[VERASE], 0177);
	EXPECT_EQ(t.c_cc[VMIN], 1);
	EXPECT_EQ(cfgetospeed(&t), B38400);
	close_pair(m, s);
}

TEST(round_trip_with_echo_and_onlcr)
{
	int m, s;
	char buf[128];
	ASSERT_TRUE(open_pair(&m, &s));
	EXPECT_TRUE(writes(m, "hello\n"));
	EXPECT_EQ(read(s, buf, sizeof(buf)), 6);
	EXPECT_MEMEQ(buf, "hello\n", 6);
	EXPECT_EQ(drain(m, buf, sizeof(buf)), 7);
	EXPECT_STREQ(buf, "hello\r\n");
	EXPECT_TRUE(writes(s, "out\n"));
	EXPECT_EQ(drain(m, buf, sizeof(buf)), 5);
	EXPECT_STREQ(buf, "out\r\n");
	close_pair(m, s);
}

TEST(canonical_line_editing)
{
	int m, s;
	char buf[128];
	ASSERT_TRUE(open_pair(&m, &s));
	ASSERT_TRUE(set_lflag(s, 0, ECHO));
	EXPECT_TRUE(typed_reads(m, s, "abc\177d\n", "abd\n"));
	EXPECT_TRUE(typed_reads(m, s, "xyz\025ok\n", "ok\n"));	/* ^U */
	EXPECT_TRUE(typed_reads(m, s, "one two\027three\n", "one three\n"));	/* ^W */
	/* EOF ends a line without being read; alone, it reads as 0. */
	EXPECT_TRUE(typed_reads(m, s, "line\004\004", "line"));
	EXPECT_EQ(read(s, buf, sizeof(buf)), 0);
	/* A short read leaves the rest of the line. */
	EXPECT_TRUE(writes(m, "abcdef\n"));
	EXPECT_EQ(read(s, buf, 2), 2);
	EXPECT_EQ(read(s, buf, sizeof(buf)), 5);
	EXPECT_MEMEQ(buf, "cdef\n", 5);
	close_pair(m, s);
}

TEST(canonical_read_waits_for_a_line)
{
	int m, s, n = -1;
	char buf[64];
	ASSERT_TRUE(open_pair(&m, &s));
	ASSERT_TRUE(set_lflag(s, 0, ECHO));
	fcntl(s, F_SETFL, O_NONBLOCK);
	EXPECT_TRUE(writes(m, "part"));
	EXPECT_ERRNO(read(s, buf, sizeof(buf)), EAGAIN);
	EXPECT_OK(ioctl(s, FIONREAD, &n));
	EXPECT_EQ(n, 0);
	struct pollfd p = { .fd = s, .events = POLLIN };
	EXPECT_EQ(poll(&p, 1, 0), 0);
	EXPECT_TRUE(writes(m, "\n"));
	EXPECT_EQ(poll(&p, 1, 1000), 1);
	EXPECT_OK(ioctl(s, FIONREAD, &n));
	EXPECT_EQ(n, 5);
	EXPECT_EQ(read(s, buf, sizeof(buf)), 5);
	close_pair(m, s);
}

TEST(echo_modes)
{
	int m, s;
	char buf[128];
	ASSERT_TRUE(open_pair(&m, &s));
	EXPECT_TRUE(writes(m, "\001x\n"));	/* ECHOCTL */
	EXPECT_EQ(drain(m, buf, sizeof(buf)), 5);
	EXPECT_STREQ(buf, "^Ax\r\n");
	EXPECT_EQ(read(s, buf, sizeof(buf)), 3);
	EXPECT_TRUE(writes(m, "ab\177"));	/* ECHOE */
	EXPECT_EQ(drain(m, buf, sizeof(buf)), 5);
	EXPECT_STREQ(buf, "ab\b \b");
	EXPECT_TRUE(writes(m, "\025"));	/* ECHOKE: the line is erased */
	EXPECT_EQ(drain(m, buf, sizeof(buf)), 3);
	EXPECT_STREQ(buf, "\b \b");
	ASSERT_TRUE(set_lflag(s, 0, ECHOKE));
	EXPECT_TRUE(writes(m, "cd\025"));	/* ECHOK: ^U and a newline */
	EXPECT_EQ(drain(m, buf, sizeof(buf)), 6);
	EXPECT_STREQ(buf, "cd^U\r\n");
	ASSERT_TRUE(set_lflag(s, ECHONL, ECHO));
	EXPECT_TRUE(writes(m, "q\n"));
	EXPECT_EQ(drain(m, buf, sizeof(buf)), 2);
	EXPECT_STREQ(buf, "\r\n");
	EXPECT_EQ(read(s, buf, sizeof(buf)), 2);
	close_pair(m, s);
}

TEST(input_cr_nl_mapping)
{
	int m, s;
	char buf[64];
	struct termios t;
	ASSERT_TRUE(open_pair(&m, &s));
	ASSERT_TRUE(set_lflag(s, 0, ECHO));
	EXPECT_TRUE(typed_reads(m, s, "x\r", "x\n"));		/* ICRNL */
	tcgetattr(s, &t);
	t.c_iflag |= IGNCR;
	tcsetattr(s, TCSANOW, &t);
	EXPECT_TRUE(typed_reads(m, s, "y\r\n", "y\n"));
	cfmakeraw(&t);
	t.c_iflag |= INLCR;
	tcsetattr(s, TCSANOW, &t);
	EXPECT_TRUE(writes(m, "z\n"));
	EXPECT_EQ(drain(s, buf, sizeof(buf)), 2);
	EXPECT_STREQ(buf, "z\r");
	close_pair(m, s);
}

TEST(raw_mode)
{
	int m, s;
	char buf[64];
	struct termios t;
	ASSERT_TRUE(open_pair(&m, &s));
	tcgetattr(s, &t);
	cfmakeraw(&t);
	EXPECT_OK(tcsetattr(s, TCSANOW, &t));
	EXPECT_TRUE(writes(m, "a\rb\003\177"));
	EXPECT_EQ(drain(s, buf, sizeof(buf)), 5);
	EXPECT_MEMEQ(buf, "a\rb\003\177", 5);
	EXPECT_TRUE(writes(s, "x\n"));
	EXPECT_EQ(drain(m, buf, sizeof(buf)), 2);
	EXPECT_STREQ(buf, "x\n");	/* no echo, no ONLCR */
	/* Back to canonical: what waits becomes a line. */
	EXPECT_TRUE(writes(m, "pq"));
	test_sleep_ms(50);
	tcgetattr(s, &t);
	t.c_lflag |= ICANON;
	EXPECT_OK(tcsetattr(s, TCSANOW, &t));
	EXPECT_EQ(read(s, buf, sizeof(buf)), 2);
	close_pair(m, s);
}

static void set_min_time(int s, int min, int time)
{
	struct termios t;
	tcgetattr(s, &t);
	cfmakeraw(&t);
	t.c_cc[VMIN] = (cc_t)min;
	t.c_cc[VTIME] = (cc_t)time;
	tcsetattr(s, TCSANOW, &t);
}

TEST(vmin_vtime)
{
	int m, s;
	char buf[64];
	ASSERT_TRUE(open_pair(&m, &s));
	set_min_time(s, 0, 0);
	EXPECT_EQ(read(s, buf, sizeof(buf)), 0);	/* polling read */
	set_min_time(s, 0, 2);
	long long t0 = test_now_ns();
	EXPECT_EQ(read(s, buf, sizeof(buf)), 0);	/* 0.2 s timeout */
	EXPECT_GE(test_now_ns() - t0, 150000000LL);
	set_min_time(s, 3, 0);
	EXPECT_TRUE(writes(m, "ab"));
	pid_t pid = test_fork();
	if (pid == 0) {
		test_sleep_ms(100);
		writes(m, "c");
		test_child_exit();
	}
	EXPECT_EQ(read(s, buf, sizeof(buf)), 3);	/* waits for VMIN */
	EXPECT_EQ(test_wait(pid, 0), 0);
	set_min_time(s, 2, 0);
	EXPECT_TRUE(writes(m, "wxyz"));
	test_sleep_ms(50);
	EXPECT_EQ(read(s, buf, sizeof(buf)), 4);	/* what is there */
	close_pair(m, s);
}

TEST(signal_characters_flush_unless_noflsh)
{
	int m, s;
	ASSERT_TRUE(open_pair(&m, &s));
	ASSERT_TRUE(set_lflag(s, 0, ECHO));
	EXPECT_TRUE(typed_reads(m, s, "abc\003def\n", "def\n"));
	ASSERT_TRUE(set_lflag(s, NOFLSH, 0));
	EXPECT_TRUE(typed_reads(m, s, "abc\003def\n", "abcdef\n"));
	close_pair(m, s);
}

/* A child in a new session whose controlling terminal is the slave
 * of master M; it reports on READY_W, then runs FN. */
static pid_t spawn_session(int m, int ready_w, void (*fn)(int fd))
{
	char name[64];
	snprintf(name, sizeof(name), "%s", ptsname(m));
	pid_t pid = test_fork();
	if (pid == 0) {
		close(m);	/* the parent's close must be the last */
		setsid();
		int fd = open(name, O_RDWR);	/* no O_NOCTTY: takes it */
		if (fd < 0 || tcgetsid(fd) != getpid())
			_exit(2);
		if (writes(ready_w, "r"))
			fn(fd);
		_exit(3);
	}
	return pid;
}

static void exit_tstp(int sig)
{
	_exit(sig);
}

/* Waits for a signal; SIGTSTP exits with its number (the process group
 * is orphaned: a default stop would be discarded). */
static void wait_forever(int fd)
{
	(void)fd;
	signal(SIGTSTP, exit_tstp);
	for (;;)
		pause();
}

static void await_ready(int ready_r)
{
	char c;
	while (read(ready_r, &c, 1) < 0 && errno == EINTR)
		;
}

TEST(keyboard_signals_reach_the_foreground_group)
{
	int m, s, pfd[2];
	char buf[64];
	ASSERT_TRUE(open_pair(&m, &s));
	ASSERT_OK(pipe(pfd));
	static const struct {
		const char *key;
		int sig;
	} keys[] = { { "\003", SIGINT }, { "\034", SIGQUIT }, { "\032", SIGTSTP } };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		pid_t pid = spawn_session(m, pfd[1], wait_forever);
		await_ready(pfd[0]);
		pid_t pgrp = -1;
		EXPECT_OK(ioctl(m, TIOCGPGRP, &pgrp));
		EXPECT_EQ(pgrp, pid);
		drain(m, buf, sizeof(buf));
		EXPECT_TRUE(writes(m, keys[i].key));
		int st = test_wait(pid, 0);
		if (keys[i].sig == SIGTSTP) {
			EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == SIGTSTP);
		} else {
			EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == keys[i].sig);
		}
		EXPECT_EQ(drain(m, buf, sizeof(buf)), 2);	/* ^C, ^\, ^Z */
		EXPECT_EQ(buf[0], '^');
	}
	close(pfd[0]);
	close(pfd[1]);
	close_pair(m, s);
}

static void await_sigwinch(int fd)
{
	struct winsize ws;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	struct timespec ts = { 5, 0 };
	if (sigtimedwait(&set, NULL, &ts) == SIGWINCH && ioctl(fd, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_row == 24 && ws.ws_col == 80)
		_exit(0);
	_exit(1);
}

TEST(window_size_and_sigwinch)
{
	int m, s, pfd[2];
	ASSERT_TRUE(open_pair(&m, &s));
	ASSERT_OK(pipe(pfd));
	struct winsize ws = { 0 };
	EXPECT_OK(ioctl(s, TIOCGWINSZ, &ws));
	EXPECT_EQ(ws.ws_row, 0);
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, &old);	/* the child inherits it */
	pid_t pid = spawn_session(m, pfd[1], await_sigwinch);
	sigprocmask(SIG_SETMASK, &old, NULL);
	await_ready(pfd[0]);
	ws = (struct winsize){ .ws_row = 24, .ws_col = 80 };
	EXPECT_OK(ioctl(m, TIOCSWINSZ, &ws));
	EXPECT_EQ(test_wait(pid, 0), 0);
	ws = (struct winsize){ 0 };
	EXPECT_OK(ioctl(s, TIOCGWINSZ, &ws));
	EXPECT_EQ(ws.ws_col, 80);
	close(pfd[0]);
	close(pfd[1]);
	close_pair(m, s);
}

static void await_sighup(int fd)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	struct timespec ts = { 5, 0 };
	char c;
	if (sigtimedwait(&set, NULL, &ts) != SIGHUP)
		_exit(1);
	/* Hung up: reads are EOF, writes and modes fail, and the terminal
	 * is nobody's controlling terminal. */
	struct termios t;
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	if (read(fd, &c, 1) != 0 || write(fd, "x", 1) != -1 || errno != EIO ||
	    tcgetattr(fd, &t) != -1 || errno != EIO || poll(&p, 1, 0) != 1 ||
	    !(p.revents & POLLHUP) || open("/dev/tty", O_RDWR) != -1)
		_exit(2);
	_exit(0);
}

TEST(master_close_hangs_up_the_session)
{
	int m, s, pfd[2];
	ASSERT_TRUE(open_pair(&m, &s));
	ASSERT_OK(pipe(pfd));
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid_t pid = spawn_session(m, pfd[1], await_sighup);
	sigprocmask(SIG_SETMASK, &old, NULL);
	await_ready(pfd[0]);
	close(m);
	EXPECT_EQ(test_wait(pid, 0), 0);
	char c;
	EXPECT_EQ(read(s, &c, 1), 0);
	EXPECT_ERRNO(write(s, "x", 1), EIO);
	close(s);
	close(pfd[0]);
	close(pfd[1]);
}

TEST(master_reads_eio_once_the_slaves_close)
{
	int m, s;
	char buf[64];
	ASSERT_TRUE(open_pair(&m, &s));
	struct pollfd p = { .fd = m, .events = POLLIN | POLLOUT };
	EXPECT_EQ(poll(&p, 1, 0), 1);
	EXPECT_EQ(p.revents, POLLOUT);
	EXPECT_TRUE(writes(s, "bye"));
	close(s);
	EXPECT_EQ(poll(&p, 1, 0), 1);
	EXPECT_EQ(p.revents, POLLIN | POLLOUT | POLLHUP);
	EXPECT_EQ(read(m, buf, sizeof(buf)), 3);
	EXPECT_ERRNO(read(m, buf, sizeof(buf)), EIO);
	close(m);
}

TEST(poll_readiness)
{
	int m, s;
	char buf[64];
	ASSERT_TRUE(open_pair(&m, &s));
	struct pollfd p[2] = { { .fd = m, .events = POLLIN | POLLOUT },
			       { .fd = s, .events = POLLIN | POLLOUT } };
	EXPECT_EQ(poll(p, 2, 0), 2);
	EXPECT_EQ(p[0].revents, POLLOUT);
	EXPECT_EQ(p[1].revents, POLLOUT);
	EXPECT_TRUE(writes(s, "to-master"));
	p[0].events = POLLIN;
	EXPECT_EQ(poll(p, 1, 1000), 1);
	EXPECT_EQ(p[0].revents, POLLIN);
	int n = -1;
	EXPECT_OK(ioctl(m, FIONREAD, &n));
	EXPECT_EQ(n, 9);
	EXPECT_EQ(read(m, buf, sizeof(buf)), 9);
	p[1].events = POLLIN;
	EXPECT_EQ(poll(&p[1], 1, 0), 0);
	EXPECT_OK(ioctl(s, TCFLSH, TCIFLUSH));
	EXPECT_TRUE(writes(m, "line\n"));
	EXPECT_EQ(poll(&p[1], 1, 1000), 1);
	EXPECT_EQ(p[1].revents, POLLIN);
	EXPECT_OK(ioctl(s, TCFLSH, TCIFLUSH));	/* tcflush drops it */
	EXPECT_EQ(poll(&p[1], 1, 0), 0);
	close_pair(m, s);
}

static void on_alarm(int sig)
{
	(void)sig;
}

TEST(blocked_read_interrupted_by_a_signal)
{
	int m, s;
	char buf[8];
	ASSERT_TRUE(open_pair(&m, &s));
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	sigaction(SIGALRM, &sa, &old);
	struct itimerval it = { .it_value = { 0, 100000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	EXPECT_ERRNO(read(s, buf, sizeof(buf)), EINTR);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	pid_t pid = test_fork();
	if (pid == 0) {
		test_sleep_ms(300);
		writes(m, "late\n");
		test_child_exit();
	}
	EXPECT_EQ(read(s, buf, sizeof(buf)), 5);	/* restarted */
	EXPECT_EQ(test_wait(pid, 0), 0);
	sigaction(SIGALRM, &old, NULL);
	close_pair(m, s);
}

static void jobctl_checks(int fd)
{
	pid_t pgrp, sid;
	int tty = open("/dev/tty", O_RDWR);
	if (tty < 0 || ioctl(fd, TIOCGPGRP, &pgrp) < 0 || pgrp != getpid() ||
	    ioctl(fd, TIOCGSID, &sid) < 0 || sid != getpid())
		_exit(1);
	/* A second session cannot take it. */
	pid_t pid = fork();
	if (pid == 0) {
		setsid();
		_exit(ioctl(fd, TIOCSCTTY, 0) == -1 && errno == EPERM ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		_exit(2);
	/* The leader gives it up; then it is nobody's. */
	if (ioctl(tty, TIOCNOTTY) < 0 || open("/dev/tty", O_RDWR) != -1 || errno != ENXIO ||
	    ioctl(fd, TIOCGPGRP, &pgrp) != -1 || errno != ENOTTY)
		_exit(3);
	_exit(0);
}

TEST(controlling_terminal)
{
	int m, s, pfd[2];
	ASSERT_TRUE(open_pair(&m, &s));
	ASSERT_OK(pipe(pfd));
	signal(SIGHUP, SIG_IGN);	/* TIOCNOTTY hangs up the foreground */
	pid_t pid = spawn_session(m, pfd[1], jobctl_checks);
	EXPECT_EQ(test_wait(pid, 0), 0);
	signal(SIGHUP, SIG_DFL);
	/* Not the caller's terminal. */
	pid_t pgrp;
	EXPECT_ERRNO(ioctl(s, TIOCGPGRP, &pgrp), ENOTTY);
	close(pfd[0]);
	close(pfd[1]);
	close_pair(m, s);
}
