/* File descriptors: dup/dup2/dup3, fcntl's descriptor and status-flag
 * commands, close, and lowest-free-number allocation. */
#define TEST_WORKDIR
#include "test.h"

#include <sys/resource.h>

static int open_file(const char *contents)
{
	if (test_write_file("f", contents) < 0)
		return -1;
	return open("f", O_RDWR);
}

static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* --- dup, dup2, dup3 --- */

TEST(dup_returns_the_lowest_free_fd)
{
	int fd, a, b;

	ASSERT_OK(fd = open_file("x"));
	ASSERT_OK(a = dup(fd));
	ASSERT_OK(b = dup(fd));
	EXPECT_EQ(b, a + 1);
	close(a);
	EXPECT_EQ(dup(fd), a);
	close(a);
	close(b);
	close(fd);
}

/* dup(2): "they refer to the same open file description ... and thus share
 * file offset and file status flags". */
TEST(dup_shares_the_offset_and_status_flags)
{
	char c = 0;
	int fd, copy;

	ASSERT_OK(fd = open_file("abcdef"));
	ASSERT_OK(copy = dup(fd));
	EXPECT_EQ(lseek(fd, 3, SEEK_SET), 3);
	EXPECT_EQ(read(copy, &c, 1), 1);
	EXPECT_EQ(c, 'd');
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 4);
	EXPECT_OK(fcntl(fd, F_SETFL, O_APPEND));
	EXPECT_TRUE(fcntl(copy, F_GETFL) & O_APPEND);
	close(copy);
	close(fd);
}

/* dup(2): "The close-on-exec flag (FD_CLOEXEC) for the duplicate
 * descriptor is off." */
TEST(dup_does_not_copy_fd_cloexec)
{
	int fd, copy;

	ASSERT_OK(fd = open(".", O_RDONLY | O_CLOEXEC));
	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	ASSERT_OK(copy = dup(fd));
	EXPECT_EQ(fcntl(copy, F_GETFD), 0);
	close(copy);
	close(fd);
}

TEST(dup_of_a_bad_fd_is_ebadf)
{
	EXPECT_ERRNO(dup(-1), EBADF);
	EXPECT_ERRNO(dup(9999), EBADF);
}

/* dup2(2): "If the file descriptor newfd was previously open, it is closed
 * before being reused; the close is performed silently". */
TEST(dup2_replaces_an_open_target_silently)
{
	char c = 0;
	int a, b;

	ASSERT_OK(a = open_file("A"));
	ASSERT_OK(test_write_file("g", "B"));
	ASSERT_OK(b = open("g", O_RDONLY));
	EXPECT_EQ(dup2(a, b), b);
	EXPECT_EQ(read(b, &c, 1), 1);
	EXPECT_EQ(c, 'A');
	close(a);
	close(b);
}

TEST(dup2_to_an_unused_high_fd)
{
	int fd;

	ASSERT_OK(fd = open(".", O_RDONLY));
	EXPECT_EQ(dup2(fd, 200), 200);
	EXPECT_TRUE(is_open(200));
	close(200);
	close(fd);
}

/* dup2(2): "If oldfd is a valid file descriptor, and newfd has the same
 * value as oldfd, then dup2() does nothing, and returns newfd." */
TEST(dup2_onto_itself_returns_the_fd)
{
	int fd;

	ASSERT_OK(fd = open(".", O_RDONLY | O_CLOEXEC));
	EXPECT_EQ(dup2(fd, fd), fd);
	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);   /* untouched */
	close(fd);
	EXPECT_ERRNO(dup2(fd, fd), EBADF);
}

TEST(dup2_errors)
{
	struct rlimit rl;
	int fd;

	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &rl));
	ASSERT_OK(fd = open(".", O_RDONLY));
	EXPECT_ERRNO(dup2(9999, fd), EBADF);
	EXPECT_TRUE(is_open(fd));   /* a failed dup2 does not close newfd */
	EXPECT_ERRNO(dup2(fd, -1), EBADF);
	/* dup2(2): EBADF "newfd is out of the allowed range". */
	EXPECT_ERRNO(dup2(fd, (int)rl.rlim_cur), EBADF);
	close(fd);
}

/* dup3(2): EINVAL "oldfd was equal to newfd" or "invalid value in flags". */
TEST(dup3_onto_itself_is_einval)
{
	int fd;

	ASSERT_OK(fd = open(".", O_RDONLY));
	EXPECT_ERRNO(dup3(fd, fd, 0), EINVAL);
	EXPECT_ERRNO(dup3(fd, fd, O_CLOEXEC), EINVAL);
	close(fd);
}

TEST(dup3_o_cloexec_sets_fd_cloexec)
{
	int fd;

	ASSERT_OK(fd = open(".", O_RDONLY));
	EXPECT_EQ(dup3(fd, 100, O_CLOEXEC), 100);
	EXPECT_EQ(fcntl(100, F_GETFD), FD_CLOEXEC);
	EXPECT_EQ(dup3(fd, 101, 0), 101);
	EXPECT_EQ(fcntl(101, F_GETFD), 0);
	close(100);
	close(101);
	close(fd);
}

TEST(dup3_bad_flags_are_einval)
{
	int fd;

	ASSERT_OK(fd = open(".", O_RDONLY));
	EXPECT_ERRNO(dup3(fd, 100, O_NONBLOCK), EINVAL);
	EXPECT_TRUE(!is_open(100));
	close(fd);
}

/* --- fcntl F_DUPFD, F_DUPFD_CLOEXEC --- */

/* fcntl(2) F_DUPFD: "Duplicate the file descriptor fd using the
 * lowest-numbered available file descriptor greater than or equal to
 * arg." */
TEST(f_dupfd_picks_the_lowest_free_fd_at_or_above_arg)
{
	int fd;

	ASSERT_OK(fd = open(".", O_RDONLY));
	EXPECT_EQ(fcntl(fd, F_DUPFD, 50), 50);
	EXPECT_EQ(fcntl(fd, F_DUPFD, 50), 51);
	EXPECT_EQ(fcntl(50, F_GETFD), 0);
	close(50);
	EXPECT_EQ(fcntl(fd, F_DUPFD, 50), 50);
	EXPECT_EQ(fcntl(fd, F_DUPFD, 0), fd + 1);   /* below arg is fine too */
	close(fd + 1);
	close(50);
	close(51);
	close(fd);
}

TEST(f_dupfd_cloexec_sets_fd_cloexec)
{
	int fd, copy;

	ASSERT_OK(fd = open(".", O_RDONLY));
	ASSERT_OK(copy = fcntl(fd, F_DUPFD_CLOEXEC, 60));
	EXPECT_EQ(copy, 60);
	EXPECT_EQ(fcntl(copy, F_GETFD), FD_CLOEXEC);
	close(copy);
	close(fd);
}

/* fcntl(2) EINVAL: "cmd is F_DUPFD and arg is negative or is greater than
 * the maximum allowable value". */
TEST(f_dupfd_arg_out_of_range_is_einval)
{
	struct rlimit rl;
	int fd;

	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &rl));
	ASSERT_OK(fd = open(".", O_RDONLY));
	EXPECT_ERRNO(fcntl(fd, F_DUPFD, -1), EINVAL);
	EXPECT_ERRNO(fcntl(fd, F_DUPFD, (int)rl.rlim_cur), EINVAL);
	close(fd);
}

/* --- fcntl F_GETFD, F_SETFD --- */

TEST(f_setfd_and_f_getfd_round_trip_fd_cloexec)
{
	int fd;

	ASSERT_OK(fd = open(".", O_RDONLY));
	EXPECT_EQ(fcntl(fd, F_GETFD), 0);
	EXPECT_OK(fcntl(fd, F_SETFD, FD_CLOEXEC));
	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	EXPECT_OK(fcntl(fd, F_SETFD, 0));
	EXPECT_EQ(fcntl(fd, F_GETFD), 0);
	/* FD_CLOEXEC is the only descriptor flag; other bits are dropped. */
	EXPECT_OK(fcntl(fd, F_SETFD, 0xfe | FD_CLOEXEC));
	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
}

/* --- fcntl F_GETFL, F_SETFL --- */

TEST(f_getfl_reports_access_mode_and_status_flags)
{
	int fd;

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(fd = open("f", O_RDONLY));
	EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	close(fd);
	ASSERT_OK(fd = open("f", O_WRONLY | O_APPEND));
	EXPECT_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK),
		  O_WRONLY | O_APPEND);
	close(fd);
	ASSERT_OK(fd = open("f", O_RDWR | O_NONBLOCK));
	EXPECT_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK),
		  O_RDWR | O_NONBLOCK);
	close(fd);
}

/* The kernel's O_LARGEFILE; glibc defines O_LARGEFILE as 0 on x86-64. */
#define KERNEL_O_LARGEFILE 0100000

/* open(2) creation flags (O_CREAT, O_EXCL, O_TRUNC, O_CLOEXEC...) are not
 * remembered, but on 64-bit Linux every file is opened O_LARGEFILE (the
 * kernel's force_o_largefile()) and F_GETFL shows it. */
TEST(f_getfl_shows_o_largefile_but_not_creation_flags)
{
	int fd;

	ASSERT_OK(fd = open("f",
			    O_RDWR | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC,
			    0644));
	EXPECT_EQ(fcntl(fd, F_GETFL), O_RDWR | KERNEL_O_LARGEFILE);
	close(fd);
}

TEST(f_setfl_toggles_o_append_and_o_nonblock)
{
	char buf[8] = { 0 };
	int fd;

	ASSERT_OK(fd = open_file("abc"));
	EXPECT_OK(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
	EXPECT_EQ(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK),
		  O_APPEND | O_NONBLOCK);
	EXPECT_EQ(write(fd, "d", 1), 1);   /* appended at the end */
	EXPECT_EQ(pread(fd, buf, sizeof(buf) - 1, 0), 4);
	EXPECT_STREQ(buf, "abcd");
	EXPECT_OK(fcntl(fd, F_SETFL, 0));
	EXPECT_EQ(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), 0);
	EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	EXPECT_EQ(write(fd, "X", 1), 1);   /* not appended any more */
	EXPECT_EQ(pread(fd, buf, sizeof(buf) - 1, 0), 4);
	EXPECT_STREQ(buf, "Xbcd");
	close(fd);
}

/* fcntl(2) F_SETFL: "File access mode (O_RDONLY, O_WRONLY, O_RDWR) and file
 * creation flags (i.e., O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC) in arg are
 * ignored." */
TEST(f_setfl_ignores_access_mode_and_creation_flags)
{
	char c;
	int fd;

	ASSERT_OK(test_write_file("f", "abc"));
	ASSERT_OK(fd = open("f", O_RDONLY));
	EXPECT_OK(fcntl(fd, F_SETFL, O_RDWR | O_TRUNC | O_APPEND));
	EXPECT_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND),
		  O_RDONLY | O_APPEND);
	EXPECT_ERRNO(write(fd, "x", 1), EBADF);
	EXPECT_EQ(read(fd, &c, 1), 1);
	close(fd);
}

TEST(fcntl_errors)
{
	int fd;

	EXPECT_ERRNO(fcntl(9999, F_GETFD), EBADF);
	EXPECT_ERRNO(fcntl(-1, F_GETFL), EBADF);
	ASSERT_OK(fd = open(".", O_RDONLY));
	EXPECT_ERRNO(fcntl(fd, 12345), EINVAL);
	close(fd);
}

/* --- close and allocation --- */

TEST(close_of_a_bad_fd_is_ebadf)
{
	EXPECT_ERRNO(close(-1), EBADF);
	EXPECT_ERRNO(close(9999), EBADF);
	EXPECT_ERRNO(close(INT_MAX), EBADF);
}

/* open(2): "The file descriptor returned by a successful call will be the
 * lowest-numbered file descriptor not currently open for the process." */
TEST(new_fds_fill_the_lowest_hole)
{
	int fds[5], fd;

	for (int i = 0; i < 5; i++)
		ASSERT_OK(fds[i] = open(".", O_RDONLY));
	for (int i = 1; i < 5; i++)
		EXPECT_EQ(fds[i], fds[i - 1] + 1);
	close(fds[3]);
	close(fds[1]);
	EXPECT_EQ(fd = open(".", O_RDONLY), fds[1]);
	EXPECT_EQ(dup(fd), fds[3]);
	EXPECT_EQ(fcntl(fd, F_DUPFD, 0), fds[4] + 1);
	for (int i = 0; i < 5; i++)
		close(fds[i]);
	close(fds[4] + 1);
}

TEST(closed_standard_fd_is_reused_first)
{
	int saved, fd;

	ASSERT_OK(saved = dup(STDIN_FILENO));
	ASSERT_OK(close(STDIN_FILENO));
	EXPECT_EQ(fd = open(".", O_RDONLY), STDIN_FILENO);
	EXPECT_EQ(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
}

/* open(2): EMFILE "The per-process limit on the number of open file
 * descriptors has been reached". */
TEST(rlimit_nofile_bounds_fd_numbers)
{
	struct rlimit old, low;
	int fd, next;

	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &old));
	ASSERT_OK(fd = open(".", O_RDONLY));
	low = old;
	low.rlim_cur = fd + 2;   /* fd + 1 is the last usable number */
	ASSERT_OK(setrlimit(RLIMIT_NOFILE, &low));
	EXPECT_OK(next = dup(fd));
	EXPECT_EQ(next, fd + 1);
	EXPECT_ERRNO(dup(fd), EMFILE);
	EXPECT_ERRNO(open(".", O_RDONLY), EMFILE);
	EXPECT_ERRNO(fcntl(fd, F_DUPFD, 0), EMFILE);
	close(next);
	close(fd);
	EXPECT_OK(setrlimit(RLIMIT_NOFILE, &old));
}

TEST(close_range_closes_a_range)
{
	int fd;

	ASSERT_OK(fd = open(".", O_RDONLY));
	ASSERT_EQ(dup2(fd, 70), 70);
	ASSERT_EQ(dup2(fd, 72), 72);
	ASSERT_EQ(dup2(fd, 80), 80);
	EXPECT_OK(syscall(SYS_close_range, 70, 79, 0));
	EXPECT_TRUE(!is_open(70));
	EXPECT_TRUE(!is_open(72));
	EXPECT_TRUE(is_open(80));
	/* CLOSE_RANGE_CLOEXEC (4) marks instead of closing. */
	EXPECT_OK(syscall(SYS_close_range, 80, 80, 4));
	EXPECT_EQ(fcntl(80, F_GETFD), FD_CLOEXEC);
	EXPECT_ERRNO(syscall(SYS_close_range, 80, 70, 0), EINVAL);
	close(80);
	close(fd);
}
