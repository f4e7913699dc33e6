/* File I/O: open/openat/creat/close, read/write and their vector and
 * positional forms, lseek, and the open flags that change them. */
#define TEST_WORKDIR
#include "test.h"

#include <sys/uio.h>

/* Opens path read-write with the given contents, offset at 0. */
static int open_with(const char *path, const char *contents)
{
	if (test_write_file(path, contents) < 0)
		return -1;
	return open(path, O_RDWR);
}

static off_t offset_of(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

/* --- open, openat, creat, close --- */

TEST(open_missing_file_without_o_creat_is_enoent)
{
	EXPECT_ERRNO(open("missing", O_RDONLY), ENOENT);
}

TEST(open_empty_path_is_enoent)
{
	EXPECT_ERRNO(open("", O_RDONLY), ENOENT);
}

TEST(open_o_creat_applies_mode_and_umask)
{
	struct stat st;
	int fd;

	umask(027);
	ASSERT_OK(fd = open("f", O_WRONLY | O_CREAT, 0777));
	EXPECT_OK(fstat(fd, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0750);
	EXPECT_EQ(st.st_size, 0);
	EXPECT_OK(close(fd));
}

TEST(open_returns_lowest_free_fd)
{
	int a, b, c;

	ASSERT_OK(a = open(".", O_RDONLY));
	ASSERT_OK(b = open(".", O_RDONLY));
	EXPECT_EQ(b, a + 1);
	EXPECT_OK(close(a));
	EXPECT_EQ(c = open(".", O_RDONLY), a);
	close(b);
	close(c);
}

TEST(open_path_through_a_file_is_enotdir)
{
	ASSERT_OK(test_write_file("file", "x"));
	EXPECT_ERRNO(open("file/x", O_RDONLY), ENOTDIR);
	EXPECT_ERRNO(open("file/", O_RDONLY), ENOTDIR);
}

TEST(open_bad_path_pointer_is_efault)
{
	EXPECT_ERRNO(open(test_bad_ptr(), O_RDONLY), EFAULT);
}

TEST(openat_resolves_relative_to_dirfd)
{
	char buf[8] = { 0 };
	int dfd, fd;

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(test_write_file("d/f", "inside"));
	ASSERT_OK(dfd = open("d", O_RDONLY | O_DIRECTORY));
	ASSERT_OK(fd = openat(dfd, "f", O_RDONLY));
	EXPECT_EQ(read(fd, buf, sizeof(buf) - 1), 6);
	EXPECT_STREQ(buf, "inside");
	close(fd);
	close(dfd);
}

TEST(openat_at_fdcwd_uses_cwd)
{
	int fd;

	ASSERT_OK(test_write_file("f", "x"));
	EXPECT_OK(fd = openat(AT_FDCWD, "f", O_RDONLY));
	close(fd);
}

/* openat(2): "If pathname is absolute, then dirfd is ignored." */
TEST(openat_absolute_path_ignores_dirfd)
{
	int fd;

	EXPECT_OK(fd = openat(-100000, "/", O_RDONLY));
	close(fd);
}

TEST(openat_bad_dirfd_with_relative_path_is_ebadf)
{
	EXPECT_ERRNO(openat(-5, "f", O_RDONLY), EBADF);
	EXPECT_ERRNO(openat(9999, "f", O_RDONLY), EBADF);
}

TEST(openat_dirfd_that_is_a_file_is_enotdir)
{
	int fd;

	ASSERT_OK(fd = open_with("f", "x"));
	EXPECT_ERRNO(openat(fd, "x", O_RDONLY), ENOTDIR);
	close(fd);
}

/* creat(2) is open(O_CREAT | O_WRONLY | O_TRUNC). */
TEST(creat_truncates_and_opens_write_only)
{
	struct stat st;
	char c;
	int fd;

	ASSERT_OK(test_write_file("f", "old contents"));
	ASSERT_OK(fd = creat("f", 0600));
	EXPECT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 0);
	EXPECT_EQ(st.st_mode & 07777, 0644);   /* an existing file's mode */
	EXPECT_ERRNO(read(fd, &c, 1), EBADF);
	EXPECT_EQ(write(fd, "new", 3), 3);
	close(fd);
}

TEST(close_twice_is_ebadf)
{
	int fd;

	ASSERT_OK(fd = open(".", O_RDONLY));
	EXPECT_OK(close(fd));
	EXPECT_ERRNO(close(fd), EBADF);
}

/* --- read, write --- */

TEST(write_then_read_round_trips_and_advances_offset)
{
	char buf[16] = { 0 };
	int fd;

	ASSERT_OK(fd = open("f", O_RDWR | O_CREAT, 0644));
	EXPECT_EQ(write(fd, "hello world", 11), 11);
	EXPECT_EQ(offset_of(fd), 11);
	EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	EXPECT_EQ(read(fd, buf, 5), 5);
	EXPECT_STREQ(buf, "hello");
	EXPECT_EQ(offset_of(fd), 5);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 6);   /* short read at EOF */
	EXPECT_MEMEQ(buf, " world", 6);
	close(fd);
}

TEST(read_at_eof_returns_zero)
{
	char buf[4];
	int fd;

	ASSERT_OK(fd = open_with("f", "ab"));
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 2);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 0);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 0);
	close(fd);
}

TEST(zero_length_read_and_write_return_zero)
{
	struct stat st;
	char buf[1];
	int fd;

	ASSERT_OK(fd = open_with("f", "abc"));
	EXPECT_EQ(read(fd, buf, 0), 0);
	EXPECT_EQ(write(fd, buf, 0), 0);
	EXPECT_EQ(offset_of(fd), 0);
	EXPECT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 3);
	close(fd);
}

TEST(write_overwrites_in_place_without_truncating)
{
	char buf[16] = { 0 };
	int fd;

	ASSERT_OK(fd = open_with("f", "abcdef"));
	EXPECT_EQ(write(fd, "XY", 2), 2);
	EXPECT_EQ(pread(fd, buf, sizeof(buf) - 1, 0), 6);
	EXPECT_STREQ(buf, "XYcdef");
	close(fd);
}

TEST(read_and_write_on_closed_or_invalid_fd_are_ebadf)
{
	char c = 0;
	int fd;

	ASSERT_OK(fd = open(".", O_RDONLY));
	close(fd);
	EXPECT_ERRNO(read(fd, &c, 1), EBADF);
	EXPECT_ERRNO(write(fd, &c, 1), EBADF);
	EXPECT_ERRNO(read(-1, &c, 1), EBADF);
	EXPECT_ERRNO(write(9999, &c, 1), EBADF);
}

TEST(write_to_read_only_fd_is_ebadf)
{
	int fd;

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(fd = open("f", O_RDONLY));
	EXPECT_ERRNO(write(fd, "y", 1), EBADF);
	EXPECT_ERRNO(pwrite(fd, "y", 1, 0), EBADF);
	close(fd);
}

TEST(read_from_write_only_fd_is_ebadf)
{
	char c;
	int fd;

	ASSERT_OK(fd = open("f", O_WRONLY | O_CREAT, 0644));
	EXPECT_ERRNO(read(fd, &c, 1), EBADF);
	close(fd);
}

TEST(read_into_bad_buffer_is_efault)
{
	int fd;

	ASSERT_OK(fd = open_with("f", "data"));
	EXPECT_ERRNO(read(fd, test_bad_ptr(), 4), EFAULT);
	close(fd);
}

TEST(write_from_bad_buffer_is_efault)
{
	struct stat st;
	int fd;

	ASSERT_OK(fd = open("f", O_RDWR | O_CREAT, 0644));
	EXPECT_ERRNO(write(fd, test_bad_ptr(), 4), EFAULT);
	EXPECT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 0);
	close(fd);
}

/* read(2): EISDIR "fd refers to a directory". */
TEST(read_on_directory_is_eisdir)
{
	char buf[16];
	int fd;

	ASSERT_OK(fd = open(".", O_RDONLY));
	EXPECT_ERRNO(read(fd, buf, sizeof(buf)), EISDIR);
	EXPECT_ERRNO(pread(fd, buf, sizeof(buf), 0), EISDIR);
	close(fd);
}

/* open(2): EISDIR "pathname refers to a directory and the access requested
 * involved writing". */
TEST(open_directory_for_writing_is_eisdir)
{
	EXPECT_ERRNO(open(".", O_WRONLY), EISDIR);
	EXPECT_ERRNO(open(".", O_RDWR), EISDIR);
}

/* --- readv, writev --- */

TEST(writev_gathers_and_readv_scatters)
{
	char a[3] = { 0 }, b[5] = { 0 }, c[16] = { 0 };
	struct iovec out[3] = {
		{ .iov_base = "one", .iov_len = 3 },
		{ .iov_base = "", .iov_len = 0 },
		{ .iov_base = "two-three", .iov_len = 9 },
	};
	struct iovec in[3] = {
		{ .iov_base = a, .iov_len = sizeof(a) },
		{ .iov_base = b, .iov_len = sizeof(b) },
		{ .iov_base = c, .iov_len = sizeof(c) },
	};
	int fd;

	ASSERT_OK(fd = open("f", O_RDWR | O_CREAT, 0644));
	EXPECT_EQ(writev(fd, out, 3), 12);
	EXPECT_EQ(offset_of(fd), 12);
	EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	EXPECT_EQ(readv(fd, in, 3), 12);   /* fills in order, c gets the rest */
	EXPECT_MEMEQ(a, "one", 3);
	EXPECT_MEMEQ(b, "two-t", 5);
	EXPECT_STREQ(c, "hree");
	close(fd);
}

TEST(writev_with_zero_iovecs_returns_zero)
{
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	int fd;

	ASSERT_OK(fd = open("f", O_RDWR | O_CREAT, 0644));
	EXPECT_EQ(writev(fd, &iov, 0), 0);
	close(fd);
}

/* readv(2): EINVAL "iovcnt is less than zero or greater than IOV_MAX". */
TEST(iovcnt_negative_or_above_iov_max_is_einval)
{
	static struct iovec iov[IOV_MAX + 1];
	char c;
	int fd, i;

	for (i = 0; i <= IOV_MAX; i++) {
		iov[i].iov_base = &c;
		iov[i].iov_len = 1;
	}
	ASSERT_OK(fd = open("f", O_RDWR | O_CREAT, 0644));
	EXPECT_ERRNO(syscall(SYS_writev, fd, iov, -1), EINVAL);
	EXPECT_ERRNO(syscall(SYS_writev, fd, iov, IOV_MAX + 1), EINVAL);
	EXPECT_ERRNO(syscall(SYS_readv, fd, iov, IOV_MAX + 1), EINVAL);
	EXPECT_EQ(syscall(SYS_writev, fd, iov, IOV_MAX), IOV_MAX);
	close(fd);
}

/* --- pread64, pwrite64 --- */

TEST(pread_reads_at_offset_without_moving_file_offset)
{
	char buf[8] = { 0 };
	int fd;

	ASSERT_OK(fd = open_with("f", "0123456789"));
	EXPECT_EQ(lseek(fd, 2, SEEK_SET), 2);
	EXPECT_EQ(pread(fd, buf, 3, 6), 3);
	EXPECT_STREQ(buf, "678");
	EXPECT_EQ(offset_of(fd), 2);
	close(fd);
}

TEST(pwrite_writes_at_offset_without_moving_file_offset)
{
	char buf[16] = { 0 };
	int fd;

	ASSERT_OK(fd = open_with("f", "0123456789"));
	EXPECT_EQ(pwrite(fd, "AB", 2, 4), 2);
	EXPECT_EQ(offset_of(fd), 0);
	EXPECT_EQ(read(fd, buf, sizeof(buf) - 1), 10);
	EXPECT_STREQ(buf, "0123AB6789");
	close(fd);
}

TEST(pread_past_eof_returns_zero)
{
	char buf[4];
	int fd;

	ASSERT_OK(fd = open_with("f", "abc"));
	EXPECT_EQ(pread(fd, buf, sizeof(buf), 3), 0);
	EXPECT_EQ(pread(fd, buf, sizeof(buf), 1000), 0);
	close(fd);
}

TEST(pwrite_past_eof_leaves_a_hole_of_zeros)
{
	char buf[8];
	struct stat st;
	int fd;

	ASSERT_OK(fd = open_with("f", "ab"));
	EXPECT_EQ(pwrite(fd, "Z", 1, 6), 1);
	EXPECT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 7);
	EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), 7);
	EXPECT_MEMEQ(buf, "ab\0\0\0\0Z", 7);
	close(fd);
}

TEST(pread_pwrite_negative_offset_is_einval)
{
	char buf[4];
	int fd;

	ASSERT_OK(fd = open_with("f", "abc"));
	EXPECT_ERRNO(pread(fd, buf, 1, -1), EINVAL);
	EXPECT_ERRNO(pwrite(fd, buf, 1, -1), EINVAL);
	close(fd);
}

/* pwrite(2) BUGS: "if a file is opened with O_APPEND, pwrite() appends data
 * to the end of the file, regardless of the value of offset." */
TEST(pwrite_on_o_append_fd_appends_regardless_of_offset)
{
	char buf[16] = { 0 };
	int fd;

	ASSERT_OK(test_write_file("f", "abc"));
	ASSERT_OK(fd = open("f", O_RDWR | O_APPEND));
	EXPECT_EQ(pwrite(fd, "Z", 1, 0), 1);
	EXPECT_EQ(pread(fd, buf, sizeof(buf) - 1, 0), 4);
	EXPECT_STREQ(buf, "abcZ");
	close(fd);
}

/* --- lseek --- */

TEST(lseek_set_cur_end_return_the_new_offset)
{
	int fd;

	ASSERT_OK(fd = open_with("f", "0123456789"));
	EXPECT_EQ(lseek(fd, 4, SEEK_SET), 4);
	EXPECT_EQ(lseek(fd, 3, SEEK_CUR), 7);
	EXPECT_EQ(lseek(fd, -2, SEEK_CUR), 5);
	EXPECT_EQ(lseek(fd, 0, SEEK_END), 10);
	EXPECT_EQ(lseek(fd, -4, SEEK_END), 6);
	close(fd);
}

TEST(lseek_to_negative_offset_is_einval_and_keeps_offset)
{
	int fd;

	ASSERT_OK(fd = open_with("f", "0123456789"));
	EXPECT_EQ(lseek(fd, 3, SEEK_SET), 3);
	EXPECT_ERRNO(lseek(fd, -1, SEEK_SET), EINVAL);
	EXPECT_ERRNO(lseek(fd, -4, SEEK_CUR), EINVAL);
	EXPECT_ERRNO(lseek(fd, -11, SEEK_END), EINVAL);
	EXPECT_EQ(offset_of(fd), 3);
	close(fd);
}

TEST(lseek_bad_whence_is_einval)
{
	int fd;

	ASSERT_OK(fd = open_with("f", "x"));
	EXPECT_ERRNO(lseek(fd, 0, 42), EINVAL);
	close(fd);
}

TEST(lseek_past_eof_then_write_extends_with_zeros)
{
	char buf[8];
	struct stat st;
	int fd;

	ASSERT_OK(fd = open_with("f", "ab"));
	EXPECT_EQ(lseek(fd, 5, SEEK_SET), 5);
	EXPECT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 2);   /* seeking alone does not extend */
	EXPECT_EQ(read(fd, buf, 1), 0);
	EXPECT_EQ(write(fd, "c", 1), 1);
	EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), 6);
	EXPECT_MEMEQ(buf, "ab\0\0\0c", 6);
	close(fd);
}

TEST(lseek_on_bad_fd_is_ebadf)
{
	EXPECT_ERRNO(lseek(9999, 0, SEEK_SET), EBADF);
}

/* --- open flags --- */

/* open(2) O_APPEND: "Before each write(2), the file offset is positioned at
 * the end of the file". Reads still use the offset. */
TEST(o_append_writes_at_end_even_after_lseek)
{
	char buf[16] = { 0 };
	int fd;

	ASSERT_OK(test_write_file("f", "abc"));
	ASSERT_OK(fd = open("f", O_RDWR | O_APPEND));
	EXPECT_EQ(offset_of(fd), 0);
	EXPECT_EQ(read(fd, buf, 1), 1);
	EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	EXPECT_EQ(write(fd, "de", 2), 2);
	EXPECT_EQ(offset_of(fd), 5);
	EXPECT_EQ(pread(fd, buf, sizeof(buf) - 1, 0), 5);
	EXPECT_STREQ(buf, "abcde");
	close(fd);
}

TEST(o_trunc_empties_an_existing_file)
{
	struct stat st;
	int fd;

	ASSERT_OK(test_write_file("f", "contents"));
	ASSERT_OK(fd = open("f", O_WRONLY | O_TRUNC));
	EXPECT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 0);
	close(fd);
}

TEST(o_creat_o_excl_on_existing_file_is_eexist)
{
	int fd;

	ASSERT_OK(test_write_file("f", "x"));
	EXPECT_ERRNO(open("f", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	EXPECT_OK(fd = open("g", O_WRONLY | O_CREAT | O_EXCL, 0644));
	close(fd);
}

/* open(2) O_EXCL: "If pathname is a symbolic link, then open() fails
 * regardless of where the symbolic link points." */
TEST(o_creat_o_excl_on_dangling_symlink_is_eexist)
{
	ASSERT_OK(symlink("nowhere", "link"));
	EXPECT_ERRNO(open("link", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	EXPECT_ERRNO(access("nowhere", F_OK), ENOENT);
}

/* Without O_EXCL, O_CREAT through a dangling symlink creates its target. */
TEST(o_creat_through_dangling_symlink_creates_target)
{
	int fd;

	ASSERT_OK(symlink("target", "link"));
	EXPECT_OK(fd = open("link", O_WRONLY | O_CREAT, 0644));
	close(fd);
	EXPECT_OK(access("target", F_OK));
}

TEST(o_directory_on_file_is_enotdir)
{
	int fd;

	ASSERT_OK(test_write_file("f", "x"));
	EXPECT_ERRNO(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
	EXPECT_OK(fd = open(".", O_RDONLY | O_DIRECTORY));
	close(fd);
}

/* open(2) ELOOP: "O_NOFOLLOW was specified but pathname was a symbolic
 * link." Only the last component is affected. */
TEST(o_nofollow_on_symlink_is_eloop)
{
	int fd;

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(symlink("f", "link"));
	EXPECT_ERRNO(open("link", O_RDONLY | O_NOFOLLOW), ELOOP);
	EXPECT_OK(fd = open("f", O_RDONLY | O_NOFOLLOW));
	close(fd);
}

TEST(o_nofollow_follows_symlinks_in_the_directory_part)
{
	int fd;

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(test_write_file("d/f", "x"));
	ASSERT_OK(symlink("d", "dlink"));
	EXPECT_OK(fd = open("dlink/f", O_RDONLY | O_NOFOLLOW));
	close(fd);
}

TEST(o_creat_on_existing_directory_is_eisdir)
{
	ASSERT_OK(mkdir("d", 0755));
	EXPECT_ERRNO(open("d", O_RDONLY | O_CREAT, 0644), EISDIR);
}

TEST(o_creat_in_missing_directory_is_enoent)
{
	EXPECT_ERRNO(open("missing/f", O_WRONLY | O_CREAT, 0644), ENOENT);
}

TEST(unlinked_open_file_stays_readable)
{
	char buf[8] = { 0 };
	int fd;

	ASSERT_OK(fd = open_with("f", "still"));
	ASSERT_OK(unlink("f"));
	EXPECT_EQ(read(fd, buf, sizeof(buf) - 1), 5);
	EXPECT_STREQ(buf, "still");
	EXPECT_EQ(write(fd, "!", 1), 1);
	close(fd);
	EXPECT_ERRNO(access("f", F_OK), ENOENT);
}

TEST(two_opens_have_independent_offsets)
{
	char c = 0;
	int a, b;

	ASSERT_OK(a = open_with("f", "xyz"));
	ASSERT_OK(b = open("f", O_RDONLY));
	EXPECT_EQ(lseek(a, 2, SEEK_SET), 2);
	EXPECT_EQ(read(b, &c, 1), 1);
	EXPECT_EQ(c, 'x');
	close(a);
	close(b);
}

TEST(large_write_and_read_back)
{
	static char out[1 << 20], in[1 << 20];
	size_t i, done = 0;
	ssize_t n;
	int fd;

	for (i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7 + i / 4096);
	ASSERT_OK(fd = open("f", O_RDWR | O_CREAT, 0644));
	EXPECT_EQ(write(fd, out, sizeof(out)), sizeof(out));
	EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	while (done < sizeof(in) &&
	       (n = read(fd, in + done, sizeof(in) - done)) > 0)
		done += n;
	EXPECT_EQ(done, sizeof(in));
	EXPECT_MEMEQ(in, out, sizeof(in));
	close(fd);
}
