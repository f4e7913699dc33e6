/* Pipes and FIFOs: pipe/pipe2, reads and writes (EOF, EPIPE, EAGAIN,
 * capacity, PIPE_BUF atomicity), F_GETPIPE_SZ/F_SETPIPE_SZ, FIONREAD,
 * fstat, lseek, /proc/self/fd, and mkfifo with the opens that do not
 * wait. Single-process: nothing here needs a second writer or reader. */
#define TEST_WORKDIR
#include "test.h"

#include <sys/ioctl.h>
#include <sys/uio.h>

#define CAPACITY 65536

/* Writes LEN bytes of C in one call. */
static ssize_t write_fill(int fd, char c, size_t len)
{
	static char buf[1 << 20];

	memset(buf, c, len);
	return write(fd, buf, len);
}

static int nread(int fd)
{
	int n = -1;

	if (ioctl(fd, FIONREAD, &n) < 0)
		return -1;
	return n;
}

/* --- data --- */

TEST(write_then_read)
{
	int p[2];
	char buf[16] = "";

	ASSERT_OK(pipe(p));
	EXPECT_EQ(write(p[1], "hello", 5), 5);
	EXPECT_EQ(write(p[1], " world", 6), 6);
	EXPECT_EQ(read(p[0], buf, 3), 3);
	EXPECT_MEMEQ(buf, "hel", 3);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 8);
	EXPECT_MEMEQ(buf, "lo world", 8);
	close(p[0]);
	close(p[1]);
}

/* pipe(7): "If all file descriptors referring to the write end of a pipe
 * have been closed, then an attempt to read(2) from the pipe will see
 * end-of-file". Data written before still comes first. */
TEST(eof_after_the_write_end_closes)
{
	int p[2];
	char buf[8];

	ASSERT_OK(pipe(p));
	EXPECT_EQ(write(p[1], "ab", 2), 2);
	close(p[1]);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 2);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
}

TEST(epipe_without_a_reader)
{
	int p[2];

	ASSERT_OK(pipe(p));
	signal(SIGPIPE, SIG_IGN);
	close(p[0]);
	EXPECT_ERRNO(write(p[1], "x", 1), EPIPE);
	/* An empty write succeeds even so. */
	EXPECT_EQ(write(p[1], "", 0), 0);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
}

TEST(the_ends_have_one_direction)
{
	int p[2];
	char c;

	ASSERT_OK(pipe(p));
	EXPECT_ERRNO(write(p[0], "x", 1), EBADF);
	EXPECT_ERRNO(read(p[1], &c, 1), EBADF);
	EXPECT_EQ(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
	EXPECT_EQ(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
	close(p[0]);
	close(p[1]);
}

TEST(readv_and_writev_cross_iovecs)
{
	int p[2];
	char a[3], b[4];
	struct iovec out[2] = { { "abc", 3 }, { "defg", 4 } };
	struct iovec in[2] = { { a, 3 }, { b, 4 } };

	ASSERT_OK(pipe(p));
	EXPECT_EQ(writev(p[1], out, 2), 7);
	EXPECT_EQ(readv(p[0], in, 2), 7);
	EXPECT_MEMEQ(a, "abc", 3);
	EXPECT_MEMEQ(b, "defg", 4);
	close(p[0]);
	close(p[1]);
}

/* --- non-blocking, capacity, atomicity --- */

TEST(nonblocking_read_of_an_empty_pipe_is_eagain)
{
	int p[2];
	char c;

	ASSERT_OK(pipe2(p, O_NONBLOCK));
	EXPECT_TRUE(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	EXPECT_ERRNO(read(p[0], &c, 1), EAGAIN);
	close(p[1]);
	/* No writer left: EOF rather than EAGAIN. */
	EXPECT_EQ(read(p[0], &c, 1), 0);
	close(p[0]);
}

TEST(a_pipe_holds_exactly_its_capacity)
{
	int p[2];
	static char buf[CAPACITY];

	ASSERT_OK(pipe2(p, O_NONBLOCK));
	EXPECT_EQ(fcntl(p[1], F_GETPIPE_SZ), CAPACITY);
	EXPECT_EQ(write_fill(p[1], 'a', CAPACITY), CAPACITY);
	EXPECT_EQ(nread(p[0]), CAPACITY);
	EXPECT_ERRNO(write(p[1], "x", 1), EAGAIN);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), CAPACITY);
	EXPECT_EQ(buf[0], 'a');
	EXPECT_EQ(buf[CAPACITY - 1], 'a');
	EXPECT_EQ(nread(p[0]), 0);
	close(p[0]);
	close(p[1]);
}

/* A non-blocking write larger than the room left writes what fits. */
TEST(nonblocking_big_write_is_partial)
{
	int p[2];

	ASSERT_OK(pipe2(p, O_NONBLOCK));
	EXPECT_EQ(write_fill(p[1], 'b', CAPACITY + 3 * 4096), CAPACITY);
	EXPECT_ERRNO(write_fill(p[1], 'b', 8192), EAGAIN);
	close(p[0]);
	close(p[1]);
}

/* pipe(7): writes of up to PIPE_BUF bytes are atomic; with O_NONBLOCK
 * and not enough room, "write(2) fails, with errno set to EAGAIN". */
TEST(pipe_buf_writes_are_atomic)
{
	int p[2];

	ASSERT_OK(pipe2(p, O_NONBLOCK));
	EXPECT_EQ(write_fill(p[1], 'c', CAPACITY - 100), CAPACITY - 100);
	EXPECT_ERRNO(write_fill(p[1], 'd', PIPE_BUF), EAGAIN);
	EXPECT_EQ(nread(p[0]), CAPACITY - 100);
	/* What fits still goes in whole. */
	EXPECT_EQ(write_fill(p[1], 'd', 100), 100);
	EXPECT_EQ(nread(p[0]), CAPACITY);
	close(p[0]);
	close(p[1]);
}

TEST(room_comes_back_after_a_read)
{
	int p[2];
	static char buf[CAPACITY];

	ASSERT_OK(pipe2(p, O_NONBLOCK));
	ASSERT_EQ(write_fill(p[1], 'e', CAPACITY), CAPACITY);
	EXPECT_EQ(read(p[0], buf, 8192), 8192);
	/* Wraps around the end of the buffer. */
	EXPECT_EQ(write_fill(p[1], 'f', 8192), 8192);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), CAPACITY);
	EXPECT_EQ(buf[CAPACITY - 8193], 'e');
	EXPECT_EQ(buf[CAPACITY - 8192], 'f');
	close(p[0]);
	close(p[1]);
}

/* --- sizes --- */

TEST(setpipe_sz_rounds_up_to_a_power_of_two_of_pages)
{
	int p[2];

	ASSERT_OK(pipe(p));
	EXPECT_EQ(fcntl(p[0], F_GETPIPE_SZ), CAPACITY);
	EXPECT_EQ(fcntl(p[1], F_SETPIPE_SZ, 1), 4096);
	EXPECT_EQ(fcntl(p[0], F_GETPIPE_SZ), 4096);
	EXPECT_EQ(fcntl(p[1], F_SETPIPE_SZ, 3 * 4096), 4 * 4096);
	EXPECT_EQ(fcntl(p[1], F_SETPIPE_SZ, 5 * 4096 + 1), 8 * 4096);
	EXPECT_EQ(fcntl(p[1], F_SETPIPE_SZ, 0), 4096);
	EXPECT_EQ(fcntl(p[0], F_SETPIPE_SZ, CAPACITY), CAPACITY);
	close(p[0]);
	close(p[1]);
}

TEST(setpipe_sz_below_the_data_held_is_ebusy)
{
	int p[2];
	char buf[8192];

	ASSERT_OK(pipe2(p, O_NONBLOCK));
	ASSERT_EQ(write_fill(p[1], 'g', 8192), 8192);
	EXPECT_ERRNO(fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY);
	EXPECT_EQ(fcntl(p[1], F_GETPIPE_SZ), CAPACITY);
	/* Shrinking to what is held keeps the data. */
	EXPECT_EQ(fcntl(p[1], F_SETPIPE_SZ, 8192), 8192);
	EXPECT_ERRNO(write(p[1], "x", 1), EAGAIN);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 8192);
	EXPECT_EQ(buf[8191], 'g');
	close(p[0]);
	close(p[1]);
}

TEST(setpipe_sz_above_pipe_max_size_needs_privilege)
{
	int p[2];
	char buf[64] = "";

	EXPECT_OK(test_read_file("/proc/sys/fs/pipe-max-size", buf, sizeof(buf)));
	EXPECT_STREQ(buf, "1048576\n");
	ASSERT_OK(pipe(p));
	EXPECT_EQ(fcntl(p[1], F_SETPIPE_SZ, 1048576), 1048576);
	if (geteuid() != 0)
		EXPECT_ERRNO(fcntl(p[1], F_SETPIPE_SZ, 2 * 1048576), EPERM);
	EXPECT_ERRNO(fcntl(p[1], F_SETPIPE_SZ, 0x80000001u), EINVAL);
	close(p[0]);
	close(p[1]);
}

TEST(pipe_sizes_of_a_non_pipe_are_ebadf)
{
	int fd;

	ASSERT_OK(fd = open(".", O_RDONLY | O_DIRECTORY));
	EXPECT_ERRNO(fcntl(fd, F_GETPIPE_SZ), EBADF);
	EXPECT_ERRNO(fcntl(fd, F_SETPIPE_SZ, 4096), EBADF);
	close(fd);
}

/* --- attributes --- */

TEST(fstat_shows_a_fifo)
{
	int p[2];
	struct stat st, st2;

	ASSERT_OK(pipe(p));
	ASSERT_OK(write(p[1], "abc", 3));
	ASSERT_OK(fstat(p[0], &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0600);
	EXPECT_EQ(st.st_size, 0);
	EXPECT_EQ(st.st_blksize, 4096);
	EXPECT_EQ(st.st_uid, geteuid());
	ASSERT_OK(fstat(p[1], &st2));
	EXPECT_EQ(st.st_ino, st2.st_ino);
	EXPECT_EQ(st.st_dev, st2.st_dev);
	close(p[0]);
	close(p[1]);
}

TEST(lseek_and_pread_are_espipe)
{
	int p[2];
	char c;

	ASSERT_OK(pipe(p));
	EXPECT_ERRNO(lseek(p[0], 0, SEEK_CUR), ESPIPE);
	EXPECT_ERRNO(lseek(p[1], 0, SEEK_SET), ESPIPE);
	EXPECT_ERRNO(pread(p[0], &c, 1, 0), ESPIPE);
	EXPECT_ERRNO(pwrite(p[1], "x", 1, 0), ESPIPE);
	close(p[0]);
	close(p[1]);
}

TEST(proc_self_fd_names_the_pipe)
{
	int p[2];
	struct stat st;
	char link[64], want[64], got[64];
	ssize_t n;

	ASSERT_OK(pipe(p));
	ASSERT_OK(fstat(p[0], &st));
	snprintf(want, sizeof(want), "pipe:[%llu]", (unsigned long long)st.st_ino);
	for (int i = 0; i < 2; i++) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", p[i]);
		EXPECT_OK(n = readlink(link, got, sizeof(got) - 1));
		got[n < 0 ? 0 : n] = '\0';
		EXPECT_STREQ(got, want);
	}
	close(p[0]);
	close(p[1]);
}

/* Opening /proc/self/fd/N of a pipe opens the same pipe again, without
 * waiting for the other side as a FIFO's open would (bash's process
 * substitution, `cat <(cmd)`, opens /dev/fd/63 after cmd may be gone). */
static int reopen(int fd, int flags)
{
	char link[64];

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	return open(link, flags);
}

TEST(opening_proc_self_fd_of_a_pipe_joins_the_pipe)
{
	int p[2], r, w;
	struct stat st0, st1;
	char buf[8];

	ASSERT_OK(pipe(p));
	ASSERT_OK(r = reopen(p[0], O_RDONLY));
	ASSERT_OK(w = reopen(p[1], O_WRONLY));
	EXPECT_OK(fstat(p[0], &st0));
	EXPECT_OK(fstat(r, &st1));
	EXPECT_EQ(st1.st_ino, st0.st_ino);
	EXPECT_TRUE(S_ISFIFO(st1.st_mode));
	EXPECT_EQ(write(w, "abc", 3), 3);
	EXPECT_EQ(read(r, buf, sizeof(buf)), 3);
	EXPECT_MEMEQ(buf, "abc", 3);
	EXPECT_EQ(write(p[1], "de", 2), 2);
	EXPECT_EQ(read(r, buf, sizeof(buf)), 2);
	/* Both new ends count: the pipe ends with the last writer. */
	close(p[1]);
	EXPECT_EQ(write(w, "f", 1), 1);
	close(w);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 1);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 0);
	close(r);
	close(p[0]);
}

TEST(reopening_a_pipe_never_waits_for_the_other_side)
{
	int p[2], fd;
	char buf[8];

	/* The writer is gone: the read end still opens, data then EOF. */
	ASSERT_OK(pipe(p));
	EXPECT_EQ(write(p[1], "xy", 2), 2);
	close(p[1]);
	ASSERT_OK(fd = reopen(p[0], O_RDONLY));
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 2);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	close(p[0]);

	/* The reader is gone: even O_NONBLOCK opens the write end (no
	 * ENXIO as for a FIFO), and a write gets EPIPE. */
	ASSERT_OK(pipe(p));
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	ASSERT_OK(fd = reopen(p[1], O_WRONLY | O_NONBLOCK));
	EXPECT_ERRNO(write(fd, "z", 1), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(fd);
	close(p[1]);
}

/* O_CREAT on /proc/self/fd/N opens what the magic link stands for (bash:
 * `echo x >/dev/fd/5`, `tee >(cmd)`), even a file with no name left. */
TEST(o_creat_through_proc_self_fd_opens_the_file_it_names)
{
	int p[2], fd, file;
	struct stat st0, st1;
	char buf[8];

	ASSERT_OK(pipe(p));
	ASSERT_OK(fd = reopen(p[1], O_WRONLY | O_CREAT | O_TRUNC));
	EXPECT_EQ(write(fd, "via", 3), 3);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 3);
	close(fd);
	close(p[0]);
	close(p[1]);

	ASSERT_OK(file = open("gone", O_RDWR | O_CREAT | O_TRUNC, 0600));
	ASSERT_OK(unlink("gone"));
	ASSERT_OK(fd = reopen(file, O_RDWR | O_CREAT));
	EXPECT_OK(fstat(file, &st0));
	EXPECT_OK(fstat(fd, &st1));
	EXPECT_EQ(st1.st_ino, st0.st_ino);
	EXPECT_EQ(st1.st_nlink, 0);
	EXPECT_ERRNO(access("gone", F_OK), ENOENT);
	close(fd);
	close(file);
}

/* --- pipe2 flags and the fd array --- */

TEST(pipe2_flags)
{
	int p[2];

	ASSERT_OK(pipe2(p, O_CLOEXEC));
	EXPECT_EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC);
	EXPECT_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);
	EXPECT_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
	close(p[0]);
	close(p[1]);
	ASSERT_OK(pipe(p));
	EXPECT_EQ(fcntl(p[0], F_GETFD), 0);
	close(p[0]);
	close(p[1]);
	EXPECT_ERRNO(pipe2(p, O_APPEND), EINVAL);
	EXPECT_ERRNO(pipe2(p, O_RDWR), EINVAL);
	EXPECT_ERRNO(pipe2(p, 0x80000000), EINVAL);
}

TEST(a_bad_fd_array_is_efault_and_leaks_nothing)
{
	int before, after;

	ASSERT_OK(before = dup(0));
	close(before);
	EXPECT_ERRNO(syscall(SYS_pipe2, test_bad_ptr(), 0), EFAULT);
	EXPECT_ERRNO(syscall(SYS_pipe, test_bad_ptr()), EFAULT);
	ASSERT_OK(after = dup(0));
	close(after);
	EXPECT_EQ(after, before);
}

/* --- FIFOs --- */

TEST(mkfifo_makes_a_fifo)
{
	struct stat st;

	ASSERT_OK(mkfifo("f", 0640));
	ASSERT_OK(stat("f", &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0640 & ~022);
	EXPECT_ERRNO(mkfifo("f", 0640), EEXIST);
	ASSERT_OK(mknod("g", S_IFIFO | 0600, 0));
	ASSERT_OK(stat("g", &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	ASSERT_OK(mknodat(AT_FDCWD, "h", S_IFIFO | 0600, 0));
	EXPECT_OK(unlink("f"));
	EXPECT_OK(unlink("g"));
	EXPECT_OK(unlink("h"));
}

/* fifo(7): "Under Linux, opening a FIFO for read and write will succeed
 * both in blocking and nonblocking mode". */
TEST(a_fifo_opened_rdwr_carries_data)
{
	int fd;
	char buf[8] = "";
	struct stat st;

	ASSERT_OK(mkfifo("f", 0600));
	ASSERT_OK(fd = open("f", O_RDWR));
	EXPECT_EQ(write(fd, "ping", 4), 4);
	EXPECT_EQ(nread(fd), 4);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 4);
	EXPECT_MEMEQ(buf, "ping", 4);
	EXPECT_EQ(fcntl(fd, F_GETPIPE_SZ), CAPACITY);
	EXPECT_ERRNO(lseek(fd, 0, SEEK_SET), ESPIPE);
	ASSERT_OK(fstat(fd, &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	close(fd);
}

/* open(2): O_NONBLOCK on a FIFO: "Opening the read end succeeds
 * immediately; opening the write end fails with ENXIO unless the other
 * end is already open". */
TEST(nonblocking_fifo_opens)
{
	int r, w, w2;
	char buf[8];

	ASSERT_OK(mkfifo("f", 0600));
	EXPECT_ERRNO(open("f", O_WRONLY | O_NONBLOCK), ENXIO);
	ASSERT_OK(r = open("f", O_RDONLY | O_NONBLOCK));
	/* No writer has ever come: EOF, not EAGAIN. */
	EXPECT_EQ(read(r, buf, sizeof(buf)), 0);
	ASSERT_OK(w = open("f", O_WRONLY | O_NONBLOCK));
	/* With a reader, even a blocking write-open does not wait. */
	ASSERT_OK(w2 = open("f", O_WRONLY));
	EXPECT_ERRNO(read(r, buf, sizeof(buf)), EAGAIN);
	EXPECT_EQ(write(w, "one", 3), 3);
	EXPECT_EQ(write(w2, "two", 3), 3);
	EXPECT_EQ(read(r, buf, sizeof(buf)), 6);
	EXPECT_MEMEQ(buf, "onetwo", 6);
	close(w);
	close(w2);
	EXPECT_EQ(read(r, buf, sizeof(buf)), 0);
	close(r);
}

/* Every opener of one FIFO shares one pipe, until the last one closes:
 * then the data is gone. */
TEST(a_fifo_pipe_lives_while_open)
{
	int a, b;
	char buf[8];

	ASSERT_OK(mkfifo("f", 0600));
	ASSERT_OK(a = open("f", O_RDWR | O_NONBLOCK));
	ASSERT_OK(b = open("f", O_RDONLY | O_NONBLOCK));
	EXPECT_EQ(write(a, "xy", 2), 2);
	EXPECT_EQ(read(b, buf, 1), 1);
	EXPECT_EQ(buf[0], 'x');
	close(a);
	close(b);
	ASSERT_OK(a = open("f", O_RDWR | O_NONBLOCK));
	EXPECT_ERRNO(read(a, buf, sizeof(buf)), EAGAIN);
	close(a);
}

TEST(a_fifo_writer_without_readers_gets_epipe)
{
	int rw, w;

	ASSERT_OK(mkfifo("f", 0600));
	ASSERT_OK(rw = open("f", O_RDONLY | O_NONBLOCK));
	ASSERT_OK(w = open("f", O_WRONLY));
	close(rw);
	signal(SIGPIPE, SIG_IGN);
	EXPECT_ERRNO(write(w, "x", 1), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(w);
}
