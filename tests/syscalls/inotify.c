/* inotify (Linux's fs/notify/inotify): inotify_init1 flags, add/rm_watch
 * and their errors and flags (IN_ONLYDIR, IN_DONT_FOLLOW, IN_MASK_ADD,
 * IN_MASK_CREATE, IN_ONESHOT, IN_EXCL_UNLINK), the events of file I/O,
 * attributes and directory changes as seen by a watch on the file and on
 * its directory, IN_IGNORED, coalescing of identical events, the queue
 * limit (IN_Q_OVERFLOW), read's whole-event rule, FIONREAD, poll and
 * epoll, blocking reads and signals, the /proc limits and fdinfo. */
#define TEST_WORKDIR
#include "test.h"

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <utime.h>

#define EV_BUF 65536

/* Reads what is queued (non-blocking) and describes each event as
 * "wd:MASK[:name]" with the mask's names, joined by spaces. */
static const struct {
	uint32_t bit;
	const char *name;
} mask_names[] = {
	{ IN_ACCESS, "ACCESS" },	 { IN_MODIFY, "MODIFY" },
	{ IN_ATTRIB, "ATTRIB" },	 { IN_CLOSE_WRITE, "CLOSE_WRITE" },
	{ IN_CLOSE_NOWRITE, "CLOSE_NOWRITE" }, { IN_OPEN, "OPEN" },
	{ IN_MOVED_FROM, "MOVED_FROM" }, { IN_MOVED_TO, "MOVED_TO" },
	{ IN_CREATE, "CREATE" },	 { IN_DELETE, "DELETE" },
	{ IN_DELETE_SELF, "DELETE_SELF" }, { IN_MOVE_SELF, "MOVE_SELF" },
	{ IN_UNMOUNT, "UNMOUNT" },	 { IN_Q_OVERFLOW, "Q_OVERFLOW" },
	{ IN_IGNORED, "IGNORED" },	 { IN_ISDIR, "ISDIR" },
};

static char events_text[8192];
static uint32_t last_cookies[64];
static int n_cookies;

static const char *events(int fd)
{
	static char buf[EV_BUF] __attribute__((aligned(8)));
	size_t len = 0;

	events_text[0] = '\0';
	n_cookies = 0;
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	ssize_t n = read(fd, buf, sizeof(buf));
	fcntl(fd, F_SETFL, fl);
	for (ssize_t off = 0; off < n;) {
		struct inotify_event *e = (struct inotify_event *)(buf + off);
		len += snprintf(events_text + len, sizeof(events_text) - len, "%s%d:",
				len ? " " : "", e->wd);
		uint32_t m = e->mask;
		bool first = true;
		for (size_t i = 0; i < sizeof(mask_names) / sizeof(mask_names[0]); i++) {
			if (!(m & mask_names[i].bit))
				continue;
			len += snprintf(events_text + len, sizeof(events_text) - len, "%s%s",
					first ? "" : "|", mask_names[i].name);
			m &= ~mask_names[i].bit;
			first = false;
		}
		if (m)
			len += snprintf(events_text + len, sizeof(events_text) - len, "|%#x", m);
		if (e->len)
			len += snprintf(events_text + len, sizeof(events_text) - len, ":%s", e->name);
		if (n_cookies < 64)
			last_cookies[n_cookies++] = e->cookie;
		off += sizeof(*e) + e->len;
	}
	return events_text;
}

static int watch_dir_and_file(int *fd, int *dwd, int *fwd, const char *file)
{
	*fd = inotify_init1(IN_NONBLOCK);
	if (*fd < 0 || test_write_file(file, "hello") < 0)
		return -1;
	*dwd = inotify_add_watch(*fd, ".", IN_ALL_EVENTS);
	*fwd = inotify_add_watch(*fd, file, IN_ALL_EVENTS);
	return *dwd > 0 && *fwd > 0 ? 0 : -1;
}

TEST(init_flags)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ASSERT_OK(fd);
	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	EXPECT_EQ(fcntl(fd, F_GETFL) & (O_NONBLOCK | O_ACCMODE), O_NONBLOCK | O_RDONLY);
	char buf[256];
	EXPECT_ERRNO(read(fd, buf, sizeof(buf)), EAGAIN);
	EXPECT_ERRNO(write(fd, buf, 1), EBADF);
	EXPECT_EQ(lseek(fd, 10, SEEK_SET), 0);	/* noop_llseek */
	close(fd);
	EXPECT_ERRNO(inotify_init1(0x10), EINVAL);
	fd = syscall(SYS_inotify_init);
	ASSERT_OK(fd);
	EXPECT_EQ(fcntl(fd, F_GETFD), 0);
	EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
}

TEST(add_watch_errors)
{
	int fd = inotify_init1(0);
	ASSERT_OK(fd);
	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(symlink("f", "link"));
	ASSERT_OK(symlink("missing", "dangling"));
	EXPECT_ERRNO(inotify_add_watch(-1, ".", IN_MODIFY), EBADF);
	int other = open("f", O_RDONLY);
	EXPECT_ERRNO(inotify_add_watch(other, ".", IN_MODIFY), EINVAL);
	EXPECT_ERRNO(inotify_rm_watch(other, 1), EINVAL);
	close(other);
	EXPECT_ERRNO(inotify_add_watch(fd, ".", 0), EINVAL);
	/* Only bits inotify does not know: EINVAL. */
	EXPECT_ERRNO(inotify_add_watch(fd, ".", 0x08001000), EINVAL);
	EXPECT_ERRNO(inotify_add_watch(fd, "missing", IN_MODIFY), ENOENT);
	EXPECT_ERRNO(inotify_add_watch(fd, "dangling", IN_MODIFY), ENOENT);
	EXPECT_ERRNO(inotify_add_watch(fd, test_bad_ptr(), IN_MODIFY), EFAULT);
	EXPECT_ERRNO(inotify_add_watch(fd, "f", IN_MODIFY | IN_ONLYDIR), ENOTDIR);
	EXPECT_ERRNO(inotify_add_watch(fd, "f", IN_MODIFY | IN_MASK_ADD | IN_MASK_CREATE),
		     EINVAL);
	int wd = inotify_add_watch(fd, "f", IN_MODIFY);
	EXPECT_EQ(wd, 1);
	/* Another name of the same inode is the same watch. */
	EXPECT_EQ(inotify_add_watch(fd, "link", IN_MODIFY), wd);
	EXPECT_ERRNO(inotify_add_watch(fd, "link", IN_MODIFY | IN_MASK_CREATE), EEXIST);
	/* IN_DONT_FOLLOW watches the link itself. */
	int lwd = inotify_add_watch(fd, "link", IN_MODIFY | IN_DONT_FOLLOW);
	EXPECT_EQ(lwd, 2);
	EXPECT_EQ(inotify_add_watch(fd, "dangling", IN_ATTRIB | IN_DONT_FOLLOW), 3);
	EXPECT_EQ(inotify_add_watch(fd, ".", IN_ATTRIB | IN_ONLYDIR), 4);
	EXPECT_ERRNO(inotify_rm_watch(fd, 99), EINVAL);
	EXPECT_ERRNO(inotify_rm_watch(fd, -1), EINVAL);
	EXPECT_OK(inotify_rm_watch(fd, wd));
	EXPECT_ERRNO(inotify_rm_watch(fd, wd), EINVAL);
	/* Watch descriptors are not reused at once. */
	EXPECT_EQ(inotify_add_watch(fd, "f", IN_MODIFY), 5);
	close(fd);
}

TEST(file_io_events)
{
	int fd, dwd, fwd;
	char buf[16];
	ASSERT_OK(watch_dir_and_file(&fd, &dwd, &fwd, "f"));
	int f = open("f", O_RDWR);
	ASSERT_OK(f);
	EXPECT_STREQ(events(fd), "1:OPEN:f 2:OPEN");
	EXPECT_EQ(read(f, buf, sizeof(buf)), 5);
	EXPECT_EQ(read(f, buf, sizeof(buf)), 0);	/* nothing read: no event */
	EXPECT_STREQ(events(fd), "1:ACCESS:f 2:ACCESS");
	EXPECT_EQ(pwrite(f, "ab", 2, 0), 2);
	EXPECT_STREQ(events(fd), "1:MODIFY:f 2:MODIFY");
	EXPECT_OK(close(f));
	EXPECT_STREQ(events(fd), "1:CLOSE_WRITE:f 2:CLOSE_WRITE");
	f = open("f", O_RDONLY);
	EXPECT_OK(close(f));
	EXPECT_STREQ(events(fd), "1:OPEN:f 2:OPEN 1:CLOSE_NOWRITE:f 2:CLOSE_NOWRITE");
	/* O_PATH files make no events. */
	f = open("f", O_PATH);
	EXPECT_OK(close(f));
	EXPECT_STREQ(events(fd), "");
	/* A dup'ed fd closes the file only with the last one. */
	f = open("f", O_WRONLY | O_TRUNC);
	EXPECT_STREQ(events(fd), "1:OPEN:f 2:OPEN 1:MODIFY:f 2:MODIFY");
	int g = dup(f);
	EXPECT_OK(close(f));
	EXPECT_STREQ(events(fd), "");
	EXPECT_OK(ftruncate(g, 3));
	EXPECT_OK(close(g));
	EXPECT_STREQ(events(fd), "1:MODIFY:f 2:MODIFY 1:CLOSE_WRITE:f 2:CLOSE_WRITE");
	EXPECT_OK(truncate("f", 1));
	EXPECT_STREQ(events(fd), "1:MODIFY:f 2:MODIFY");
	close(fd);
}

TEST(directory_self_events)
{
	int fd = inotify_init1(IN_NONBLOCK);
	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(inotify_add_watch(fd, ".", IN_ALL_EVENTS));
	ASSERT_OK(inotify_add_watch(fd, "d", IN_ALL_EVENTS));
	int d = open("d", O_RDONLY | O_DIRECTORY);
	ASSERT_OK(d);
	char buf[4096];
	EXPECT_OK(syscall(SYS_getdents64, d, buf, sizeof(buf)));
	EXPECT_OK(close(d));
	EXPECT_STREQ(events(fd), "1:OPEN|ISDIR:d 2:OPEN|ISDIR 1:ACCESS|ISDIR:d 2:ACCESS|ISDIR "
				 "1:CLOSE_NOWRITE|ISDIR:d 2:CLOSE_NOWRITE|ISDIR");
	EXPECT_OK(chmod("d", 0700));
	EXPECT_STREQ(events(fd), "1:ATTRIB|ISDIR:d 2:ATTRIB|ISDIR");
	EXPECT_OK(rmdir("d"));
	EXPECT_STREQ(events(fd), "2:DELETE_SELF 2:IGNORED 1:DELETE|ISDIR:d");
	close(fd);
}

TEST(attrib_events)
{
	int fd, dwd, fwd;
	ASSERT_OK(watch_dir_and_file(&fd, &dwd, &fwd, "f"));
	EXPECT_OK(chmod("f", 0600));
	EXPECT_STREQ(events(fd), "1:ATTRIB:f 2:ATTRIB");
	EXPECT_OK(chown("f", getuid(), getgid()));
	EXPECT_STREQ(events(fd), "1:ATTRIB:f 2:ATTRIB");
	EXPECT_OK(utime("f", NULL));
	EXPECT_STREQ(events(fd), "1:ATTRIB:f 2:ATTRIB");
	/* Only the access time: IN_ACCESS; only the modification time:
	 * IN_MODIFY (fsnotify_change). */
	struct timespec ts[2] = { { 1, 0 }, { 0, UTIME_OMIT } };
	EXPECT_OK(utimensat(AT_FDCWD, "f", ts, 0));
	EXPECT_STREQ(events(fd), "1:ACCESS:f 2:ACCESS");
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = (struct timespec){ 2, 0 };
	EXPECT_OK(utimensat(AT_FDCWD, "f", ts, 0));
	EXPECT_STREQ(events(fd), "1:MODIFY:f 2:MODIFY");
	if (setxattr("f", "user.x", "1", 1, 0) == 0) {
		EXPECT_STREQ(events(fd), "1:ATTRIB:f 2:ATTRIB");
		EXPECT_OK(removexattr("f", "user.x"));
		EXPECT_STREQ(events(fd), "1:ATTRIB:f 2:ATTRIB");
	}
	/* A failed change makes no event. */
	EXPECT_ERRNO(removexattr("f", "user.x"), ENODATA);
	EXPECT_STREQ(events(fd), "");
	close(fd);
}

TEST(namespace_events)
{
	int fd = inotify_init1(IN_NONBLOCK);
	ASSERT_OK(inotify_add_watch(fd, ".", IN_ALL_EVENTS));
	int f = open("new", O_CREAT | O_WRONLY, 0644);
	EXPECT_OK(close(f));
	EXPECT_STREQ(events(fd), "1:CREATE:new 1:OPEN:new 1:CLOSE_WRITE:new");
	EXPECT_OK(mkdir("sub", 0755));
	EXPECT_OK(symlink("new", "sym"));
	EXPECT_OK(mkfifo("fifo", 0644));
	EXPECT_STREQ(events(fd), "1:CREATE|ISDIR:sub 1:CREATE:sym 1:CREATE:fifo");
	ASSERT_EQ(inotify_add_watch(fd, "new", IN_ALL_EVENTS), 2);
	EXPECT_OK(link("new", "hard"));
	EXPECT_STREQ(events(fd), "2:ATTRIB 1:CREATE:hard");
	EXPECT_OK(unlink("hard"));
	EXPECT_STREQ(events(fd), "2:ATTRIB 1:DELETE:hard");
	EXPECT_OK(unlink("sym"));
	EXPECT_OK(unlink("fifo"));
	EXPECT_OK(rmdir("sub"));
	EXPECT_STREQ(events(fd), "1:DELETE:sym 1:DELETE:fifo 1:DELETE|ISDIR:sub");
	EXPECT_OK(unlink("new"));
	EXPECT_STREQ(events(fd), "2:ATTRIB 2:DELETE_SELF 2:IGNORED 1:DELETE:new");
	/* A failed operation makes no event. */
	EXPECT_ERRNO(unlink("new"), ENOENT);
	EXPECT_ERRNO(mkdir(".", 0755), EEXIST);
	EXPECT_STREQ(events(fd), "");
	close(fd);
}

TEST(delete_self_waits_for_close)
{
	int fd = inotify_init1(IN_NONBLOCK);
	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_EQ(inotify_add_watch(fd, "f", IN_DELETE_SELF), 1);
	int f = open("f", O_RDONLY);
	EXPECT_OK(unlink("f"));
	EXPECT_STREQ(events(fd), "");
	EXPECT_OK(close(f));
	EXPECT_STREQ(events(fd), "1:DELETE_SELF 1:IGNORED");
	close(fd);
}

TEST(rename_events)
{
	int fd = inotify_init1(IN_NONBLOCK);
	ASSERT_OK(mkdir("a", 0755));
	ASSERT_OK(mkdir("b", 0755));
	ASSERT_OK(test_write_file("a/f", "x"));
	ASSERT_OK(test_write_file("b/victim", "y"));
	ASSERT_EQ(inotify_add_watch(fd, "a", IN_ALL_EVENTS), 1);
	ASSERT_EQ(inotify_add_watch(fd, "b", IN_ALL_EVENTS), 2);
	ASSERT_EQ(inotify_add_watch(fd, "a/f", IN_ALL_EVENTS), 3);
	ASSERT_EQ(inotify_add_watch(fd, "b/victim", IN_ALL_EVENTS), 4);
	EXPECT_OK(rename("a/f", "b/victim"));
	EXPECT_STREQ(events(fd), "1:MOVED_FROM:f 2:MOVED_TO:victim 4:ATTRIB 3:MOVE_SELF "
				 "4:DELETE_SELF 4:IGNORED");
	EXPECT_NE(last_cookies[0], 0);
	EXPECT_EQ(last_cookies[0], last_cookies[1]);
	EXPECT_EQ(last_cookies[2], 0);
	uint32_t first = last_cookies[0];
	EXPECT_OK(rename("b/victim", "b/g"));
	EXPECT_STREQ(events(fd), "2:MOVED_FROM:victim 2:MOVED_TO:g 3:MOVE_SELF");
	EXPECT_EQ(last_cookies[0], last_cookies[1]);
	EXPECT_NE(last_cookies[0], first);
	EXPECT_OK(rename("b", "c"));
	EXPECT_STREQ(events(fd), "2:MOVE_SELF");
	/* An exchange moves both ways. */
	ASSERT_OK(test_write_file("a/h", "z"));
	events(fd);
	EXPECT_OK(syscall(SYS_renameat2, AT_FDCWD, "a/h", AT_FDCWD, "c/g", RENAME_EXCHANGE));
	EXPECT_STREQ(events(fd), "1:MOVED_FROM:h 2:MOVED_TO:g 2:MOVED_FROM:g 1:MOVED_TO:h "
				 "3:MOVE_SELF");
	close(fd);
}

TEST(mask_flags)
{
	int fd = inotify_init1(IN_NONBLOCK);
	ASSERT_OK(test_write_file("f", "x"));
	int wd = inotify_add_watch(fd, "f", IN_MODIFY);
	int f = open("f", O_RDWR);
	char c;
	EXPECT_EQ(write(f, "a", 1), 1);
	EXPECT_EQ(pread(f, &c, 1, 0), 1);
	EXPECT_STREQ(events(fd), "1:MODIFY");
	/* Without IN_MASK_ADD the mask is replaced; with it, added to. */
	EXPECT_EQ(inotify_add_watch(fd, "f", IN_ACCESS), wd);
	EXPECT_EQ(write(f, "a", 1), 1);
	EXPECT_EQ(pread(f, &c, 1, 0), 1);
	EXPECT_STREQ(events(fd), "1:ACCESS");
	EXPECT_EQ(inotify_add_watch(fd, "f", IN_MODIFY | IN_MASK_ADD), wd);
	EXPECT_EQ(write(f, "a", 1), 1);
	EXPECT_EQ(pread(f, &c, 1, 0), 1);
	EXPECT_STREQ(events(fd), "1:MODIFY 1:ACCESS");
	/* IN_ONESHOT: one event, then the watch goes. */
	EXPECT_EQ(inotify_add_watch(fd, "f", IN_MODIFY | IN_ONESHOT), wd);
	EXPECT_EQ(write(f, "a", 1), 1);
	EXPECT_EQ(write(f, "a", 1), 1);
	EXPECT_STREQ(events(fd), "1:MODIFY 1:IGNORED");
	EXPECT_ERRNO(inotify_rm_watch(fd, wd), EINVAL);
	close(f);
	close(fd);
}

TEST(excl_unlink)
{
	int fd = inotify_init1(IN_NONBLOCK);
	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(test_write_file("g", "x"));
	ASSERT_EQ(inotify_add_watch(fd, ".", IN_MODIFY | IN_EXCL_UNLINK), 1);
	int f = open("f", O_WRONLY);
	int g = open("g", O_WRONLY);
	EXPECT_OK(unlink("f"));
	EXPECT_EQ(write(f, "a", 1), 1);
	EXPECT_EQ(write(g, "a", 1), 1);
	EXPECT_STREQ(events(fd), "1:MODIFY:g");
	/* By default a child is reported after its unlink too. */
	ASSERT_EQ(inotify_add_watch(fd, ".", IN_MODIFY), 1);
	EXPECT_EQ(write(f, "a", 1), 1);
	EXPECT_STREQ(events(fd), "1:MODIFY:f");
	close(f);
	close(g);
	close(fd);
}

TEST(coalescing)
{
	int fd = inotify_init1(IN_NONBLOCK);
	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_EQ(inotify_add_watch(fd, ".", IN_MODIFY | IN_ACCESS), 1);
	int f = open("f", O_RDWR);
	char c;
	EXPECT_EQ(write(f, "a", 1), 1);
	EXPECT_EQ(write(f, "a", 1), 1);
	EXPECT_EQ(write(f, "a", 1), 1);
	EXPECT_EQ(pread(f, &c, 1, 0), 1);
	EXPECT_EQ(write(f, "a", 1), 1);
	EXPECT_STREQ(events(fd), "1:MODIFY:f 1:ACCESS:f 1:MODIFY:f");
	/* Only the last queued event merges: a read one does not. */
	EXPECT_EQ(write(f, "a", 1), 1);
	EXPECT_STREQ(events(fd), "1:MODIFY:f");
	close(f);
	close(fd);
}

TEST(read_sizes_and_fionread)
{
	int fd = inotify_init1(IN_NONBLOCK);
	ASSERT_OK(inotify_add_watch(fd, ".", IN_CREATE));
	int avail = -1;
	EXPECT_OK(ioctl(fd, FIONREAD, &avail));
	EXPECT_EQ(avail, 0);
	ASSERT_OK(mkdir("abc", 0755));	/* name padded to 16 bytes */
	ASSERT_OK(mkdir("0123456789abcdef", 0755));	/* 17 with the NUL: 32 */
	size_t one = sizeof(struct inotify_event) + 16;
	size_t two = sizeof(struct inotify_event) + 32;
	EXPECT_OK(ioctl(fd, FIONREAD, &avail));
	EXPECT_EQ(avail, (int)(one + two));
	char buf[256] __attribute__((aligned(8)));
	EXPECT_ERRNO(read(fd, buf, one - 1), EINVAL);
	EXPECT_ERRNO(read(fd, buf, 0), EINVAL);
	/* Room for the first event and part of the second: just the first. */
	EXPECT_EQ(read(fd, buf, one + two - 1), (ssize_t)one);
	struct inotify_event *e = (struct inotify_event *)buf;
	EXPECT_EQ(e->len, 16u);
	EXPECT_STREQ(e->name, "abc");
	EXPECT_EQ(e->mask, (uint32_t)(IN_CREATE | IN_ISDIR));
	EXPECT_ERRNO(read(fd, buf, one), EINVAL);
	memset(buf, 'x', sizeof(buf));
	EXPECT_EQ(read(fd, buf, sizeof(buf)), (ssize_t)two);
	EXPECT_EQ(e->len, 32u);
	EXPECT_STREQ(e->name, "0123456789abcdef");
	EXPECT_EQ(e->name[16], '\0');
	EXPECT_EQ(e->name[31], '\0');
	ASSERT_OK(mkdir("again", 0755));
	EXPECT_ERRNO(read(fd, test_bad_ptr(), sizeof(buf)), EFAULT);
	close(fd);
}

TEST(poll_and_epoll)
{
	int fd = inotify_init1(IN_NONBLOCK);
	ASSERT_OK(inotify_add_watch(fd, ".", IN_CREATE));
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	EXPECT_EQ(poll(&p, 1, 0), 0);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u32 = 7 };
	ASSERT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	ASSERT_OK(mkdir("x", 0755));
	EXPECT_EQ(poll(&p, 1, 0), 1);
	EXPECT_EQ(p.revents, POLLIN);
	ev.events = 0;
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 1);
	EXPECT_EQ(ev.events, (uint32_t)EPOLLIN);
	EXPECT_EQ(ev.data.u32, 7u);
	events(fd);
	EXPECT_EQ(poll(&p, 1, 0), 0);
	close(ep);
	close(fd);
}

static int handled;
static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

TEST(blocking_read)
{
	int fd = inotify_init1(0);
	ASSERT_OK(inotify_add_watch(fd, ".", IN_CREATE));
	char buf[256];
	/* A child's mkdir wakes the blocked reader. */
	pid_t pid = test_fork();
	if (pid == 0) {
		test_wait_state(getppid(), 'S');
		_exit(mkdir("woke", 0755) == 0 ? 0 : 1);
	}
	ssize_t n = read(fd, buf, sizeof(buf));
	EXPECT_EQ(n, (ssize_t)(sizeof(struct inotify_event) + 16));
	EXPECT_EQ(test_wait(pid, 0), 0);
	/* A handler without SA_RESTART: EINTR. */
	handled = 0;
	ASSERT_OK(test_set_handler(SIGUSR1, on_signal, 0));
	pid = test_signal_when_blocked(SIGUSR1);
	EXPECT_ERRNO(read(fd, buf, sizeof(buf)), EINTR);
	EXPECT_EQ(handled, 1);
	EXPECT_EQ(test_wait(pid, 0), 0);
	/* With SA_RESTART the read goes on until an event comes. */
	ASSERT_OK(test_set_handler(SIGUSR1, on_signal, SA_RESTART));
	pid = test_fork();
	if (pid == 0) {
		test_wait_state(getppid(), 'S');
		kill(getppid(), SIGUSR1);
		test_sleep_ms(50);
		test_wait_state(getppid(), 'S');
		_exit(mkdir("late", 0755) == 0 ? 0 : 1);
	}
	n = read(fd, buf, sizeof(buf));
	EXPECT_EQ(n, (ssize_t)(sizeof(struct inotify_event) + 16));
	EXPECT_EQ(handled, 2);
	EXPECT_EQ(test_wait(pid, 0), 0);
	test_set_handler(SIGUSR1, SIG_DFL, 0);
	close(fd);
}

static long read_long(const char *path)
{
	char buf[64];
	if (test_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

TEST(queue_overflow)
{
	long max = read_long("/proc/sys/fs/inotify/max_queued_events");
	ASSERT_GE(max, 1);
	if (max > 100000)
		SKIP("max_queued_events too large to fill");
	int fd = inotify_init1(IN_NONBLOCK);
	ASSERT_OK(test_write_file("a", ""));
	ASSERT_OK(test_write_file("b", ""));
	ASSERT_OK(inotify_add_watch(fd, ".", IN_MODIFY));
	int a = open("a", O_WRONLY), b = open("b", O_WRONLY);
	/* Alternating names so that no two consecutive events merge. */
	for (long i = 0; i < max + 10; i++)
		ASSERT_EQ(write(i % 2 ? b : a, "x", 1), 1);
	size_t size = (size_t)(max + 1) * (sizeof(struct inotify_event) + 16);
	char *buf = malloc(size + 4096);
	ASSERT_TRUE(buf != NULL);
	int avail = 0;
	EXPECT_OK(ioctl(fd, FIONREAD, &avail));
	EXPECT_EQ((size_t)avail, size - 16);	/* the overflow event has no name */
	ssize_t n = read(fd, buf, size + 4096);
	EXPECT_EQ(n, (ssize_t)(size - 16));
	struct inotify_event *last =
		(struct inotify_event *)(buf + n - sizeof(struct inotify_event));
	EXPECT_EQ(last->wd, -1);
	EXPECT_EQ(last->mask, (uint32_t)IN_Q_OVERFLOW);
	EXPECT_EQ(last->len, 0u);
	EXPECT_ERRNO(read(fd, buf, size), EAGAIN);
	free(buf);
	close(a);
	close(b);
	close(fd);
}

/* Writes TEXT to the sysctl PATH in one write. */
static long write_sysctl(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	long n = write(fd, text, strlen(text));
	int err = errno;
	close(fd);
	errno = err;
	return n;
}

TEST(proc_limits_write)
{
	const char *path = "/proc/sys/fs/inotify/max_queued_events";
	if (geteuid() != 0)
		SKIP("the limits are root's to change");
	long max = read_long(path);
	ASSERT_GE(max, 1);
	char text[32];
	snprintf(text, sizeof(text), "%ld\n", max);
	/* The same value back: nothing changes for anyone else. */
	EXPECT_EQ(write_sysctl(path, text), (long)strlen(text));
	EXPECT_EQ(read_long(path), max);
	EXPECT_ERRNO(write_sysctl(path, "-1\n"), EINVAL);
	EXPECT_ERRNO(write_sysctl(path, "abc\n"), EINVAL);
	EXPECT_EQ(read_long(path), max);
}

TEST(proc_limits)
{
	EXPECT_GE(read_long("/proc/sys/fs/inotify/max_queued_events"), 1);
	EXPECT_GE(read_long("/proc/sys/fs/inotify/max_user_watches"), 1);
	long instances = read_long("/proc/sys/fs/inotify/max_user_instances");
	ASSERT_GE(instances, 1);
	if (instances > 1000)
		SKIP("max_user_instances too large to reach");
	int fds[1024];
	int n = 0;
	while (n < 1024 && (fds[n] = inotify_init1(IN_CLOEXEC)) >= 0)
		n++;
	EXPECT_ERRNO(inotify_init1(0), EMFILE);
	EXPECT_LE(n, instances);
	while (n > 0)
		close(fds[--n]);
	int fd = inotify_init1(0);
	EXPECT_OK(fd);
	close(fd);
}

TEST(fdinfo)
{
	int fd = inotify_init1(0);
	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_EQ(inotify_add_watch(fd, "f", IN_MODIFY | IN_ONESHOT), 1);
	struct stat st;
	ASSERT_OK(stat("f", &st));
	char want[256], info[1024];
	snprintf(want, sizeof(want), "inotify wd:1 ino:%llx sdev:%x mask:%x ignored_mask:0 ",
		 (unsigned long long)st.st_ino,
		 (unsigned)(major(st.st_dev) << 20 | minor(st.st_dev)), IN_MODIFY | IN_ONESHOT);
	ASSERT_GE(test_read_fdinfo(fd, info, sizeof(info)), 1);
	char *line = strstr(info, "inotify ");
	ASSERT_TRUE(line != NULL);
	EXPECT_TRUE(strncmp(line, want, strlen(want)) == 0);
	if (strncmp(line, want, strlen(want)) != 0)
		printf("  got:  %.*s\n  want: %s\n", (int)strcspn(line, "\n"), line, want);
	EXPECT_TRUE(strstr(info, "flags:\t00") != NULL);
	/* Then the file's identifier (AT_HANDLE_FID's handle). */
	EXPECT_TRUE(strncmp(line + strlen(want), "fhandle-bytes:", 14) == 0);
	close(fd);
}

TEST(close_removes_watches)
{
	int fd = inotify_init1(IN_NONBLOCK);
	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(inotify_add_watch(fd, "f", IN_ALL_EVENTS));
	int fd2 = inotify_init1(IN_NONBLOCK);
	ASSERT_EQ(inotify_add_watch(fd2, "f", IN_ATTRIB), 1);
	close(fd);
	EXPECT_OK(chmod("f", 0600));
	EXPECT_STREQ(events(fd2), "1:ATTRIB");
	close(fd2);
}

/* Events while watches and instances come and go in another thread: every
 * event read is whole and names a watch of this instance. */
static volatile int stop_writer;
static void *writer(void *arg)
{
	int f = open("busy", O_WRONLY);
	while (!stop_writer) {
		if (write(f, "x", 1) != 1 || chmod("busy", 0644) != 0)
			break;
	}
	close(f);
	return arg;
}

TEST(concurrent_watch_changes)
{
	ASSERT_OK(test_write_file("busy", ""));
	pthread_t th;
	stop_writer = 0;
	ASSERT_EQ(pthread_create(&th, NULL, writer, NULL), 0);
	char buf[4096] __attribute__((aligned(8)));
	int bad = 0;
	for (int i = 0; i < 500; i++) {
		int fd = inotify_init1(IN_NONBLOCK);
		int wd = inotify_add_watch(fd, "busy", IN_MODIFY | IN_ATTRIB |
					   (i % 2 ? IN_ONESHOT : 0));
		int dwd = inotify_add_watch(fd, ".", IN_MODIFY);
		ssize_t n = read(fd, buf, sizeof(buf));
		for (ssize_t off = 0; off < n;) {
			struct inotify_event *e = (struct inotify_event *)(buf + off);
			if (e->wd != wd && e->wd != dwd)
				bad++;
			off += sizeof(*e) + e->len;
		}
		if (i % 3 == 0)
			inotify_rm_watch(fd, wd);
		close(fd);
	}
	stop_writer = 1;
	pthread_join(th, NULL);
	EXPECT_EQ(bad, 0);
}
