/* fallocate (mode 0, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE), fadvise,
 * readahead, sync/syncfs/fsync/fdatasync, sync_file_range, close_range's
 * flags. fallocate data checks
 * run in a scratch directory (tmpfs or overlay inside, the host's
 * filesystem natively). */
#define TEST_WORKDIR
#include "test.h"

#include <linux/close_range.h>
#include <linux/falloc.h>

TEST(fallocate_extends_or_keeps_size)
{
	int fd = open("f", O_RDWR | O_CREAT, 0644);
	struct stat st;
	ASSERT_OK(fd);
	EXPECT_OK(fallocate(fd, 0, 0, 10000));
	EXPECT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 10000);
	EXPECT_GE(st.st_blocks, 10000 / 512);
	/* Inside the file: no change of size. */
	EXPECT_OK(fallocate(fd, 0, 100, 10));
	EXPECT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 10000);
	EXPECT_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 50000));
	EXPECT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 10000);
	EXPECT_GE(st.st_blocks, 50000 / 512);
	/* The allocated range reads as zeros. */
	char buf[16], zeros[16] = { 0 };
	EXPECT_EQ(pread(fd, buf, sizeof(buf), 5000), (ssize_t)sizeof(buf));
	EXPECT_MEMEQ(buf, zeros, sizeof(buf));
	close(fd);
}

TEST(fallocate_punch_hole)
{
	int fd = open("f", O_RDWR | O_CREAT, 0644);
	static char data[3 * 4096];
	char buf[3 * 4096];
	struct stat st;
	ASSERT_OK(fd);
	memset(data, 'x', sizeof(data));
	ASSERT_EQ(write(fd, data, sizeof(data)), (ssize_t)sizeof(data));
	EXPECT_ERRNO(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 10), EOPNOTSUPP);
	/* A partial page is zeroed, whole pages are freed. */
	EXPECT_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100, 2 * 4096));
	EXPECT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, (off_t)sizeof(data));
	EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
	for (int i = 0; i < (int)sizeof(buf); i++) {
		char want = i >= 100 && i < 100 + 2 * 4096 ? 0 : 'x';
		if (buf[i] != want) {
			EXPECT_EQ(i, -1);
			break;
		}
	}
	close(fd);
}

TEST(fallocate_errors)
{
	int fd = open("f", O_RDWR | O_CREAT, 0644), ro = open("f", O_RDONLY), p[2];
	ASSERT_OK(fd);
	ASSERT_OK(ro);
	ASSERT_OK(pipe(p));
	EXPECT_ERRNO(fallocate(fd, 0, -1, 10), EINVAL);
	EXPECT_ERRNO(fallocate(fd, 0, 0, 0), EINVAL);
	EXPECT_ERRNO(fallocate(ro, 0, 0, 10), EBADF);
	EXPECT_ERRNO(fallocate(-1, 0, 0, 10), EBADF);
	EXPECT_ERRNO(fallocate(p[1], 0, 0, 10), ESPIPE);
	EXPECT_ERRNO(fallocate(fd, 0, INT64_MAX - 5, 10), EFBIG);
	EXPECT_ERRNO(fallocate(fd, 0x1000, 0, 10), EOPNOTSUPP);
	int dir = open(".", O_RDONLY | O_DIRECTORY);
	EXPECT_ERRNO(fallocate(dir, 0, 0, 10), EBADF);
	close(dir);
	close(fd);
	close(ro);
	close(p[0]);
	close(p[1]);
}

TEST(fadvise_is_validated)
{
	int fd = open("f", O_RDWR | O_CREAT, 0644), p[2];
	ASSERT_OK(fd);
	ASSERT_OK(pipe(p));
	EXPECT_EQ(posix_fadvise(fd, 0, 100, POSIX_FADV_SEQUENTIAL), 0);
	EXPECT_EQ(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	EXPECT_EQ(posix_fadvise(fd, 0, 0, 99), EINVAL);
	EXPECT_EQ(posix_fadvise(fd, 0, -1, POSIX_FADV_NORMAL), EINVAL);
	EXPECT_EQ(posix_fadvise(p[0], 0, 0, POSIX_FADV_NORMAL), ESPIPE);
	EXPECT_EQ(posix_fadvise(-1, 0, 0, POSIX_FADV_NORMAL), EBADF);
	close(fd);
	close(p[0]);
	close(p[1]);
}

TEST(sync_calls)
{
	int fd = open("f", O_RDWR | O_CREAT, 0644);
	ASSERT_OK(fd);
	sync();
	EXPECT_OK(syncfs(fd));
	EXPECT_ERRNO(syncfs(-1), EBADF);
	EXPECT_OK(fsync(fd));
	EXPECT_OK(fdatasync(fd));
	EXPECT_ERRNO(fsync(-1), EBADF);
	close(fd);
}

TEST(sync_file_range_is_validated)
{
	int fd = open("f", O_RDWR | O_CREAT, 0644), p[2];
	ASSERT_OK(fd);
	ASSERT_OK(pipe(p));
	EXPECT_OK(sync_file_range(fd, 0, 0, 0));
	EXPECT_OK(sync_file_range(fd, 10, 100, SYNC_FILE_RANGE_WAIT_BEFORE |
				  SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER));
	EXPECT_ERRNO(sync_file_range(fd, 0, 0, 8), EINVAL);
	EXPECT_ERRNO(sync_file_range(fd, -1, 0, 0), EINVAL);
	EXPECT_ERRNO(sync_file_range(fd, INT64_MAX, 1, 0), EINVAL);
	EXPECT_ERRNO(sync_file_range(-1, 0, 0, 0), EBADF);
	EXPECT_ERRNO(sync_file_range(p[0], 0, 0, 0), ESPIPE);
	int dir = open(".", O_RDONLY | O_DIRECTORY);
	EXPECT_OK(sync_file_range(dir, 0, 0, 0));
	int path = open("f", O_PATH);
	EXPECT_ERRNO(sync_file_range(path, 0, 0, 0), EBADF);
	close(path);
	close(dir);
	close(fd);
	close(p[0]);
	close(p[1]);
}

TEST(readahead_is_validated)
{
	int fd = open("f", O_RDWR | O_CREAT, 0644), p[2];
	ASSERT_OK(fd);
	ASSERT_OK(pipe(p));
	EXPECT_OK(readahead(fd, 0, 4096));
	EXPECT_OK(readahead(fd, 1 << 20, 0));
	EXPECT_ERRNO(readahead(-1, 0, 0), EBADF);
	/* Only files that can be read ahead: not pipes or directories. */
	EXPECT_ERRNO(readahead(p[0], 0, 0), EINVAL);
	int dir = open(".", O_RDONLY | O_DIRECTORY);
	EXPECT_ERRNO(readahead(dir, 0, 0), EINVAL);
	int wr = open("f", O_WRONLY);
	EXPECT_ERRNO(readahead(wr, 0, 0), EBADF);
	int path = open("f", O_PATH);
	EXPECT_ERRNO(readahead(path, 0, 0), EBADF);
	/* A length past INT64_MAX is negative to fadvise. */
	EXPECT_ERRNO(syscall(SYS_readahead, fd, 0, (size_t)INT64_MAX + 1), EINVAL);
	close(path);
	close(wr);
	close(dir);
	close(fd);
	close(p[0]);
	close(p[1]);
}

static int close_range_(unsigned first, unsigned last, unsigned flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}

TEST(close_range_cloexec_and_unshare)
{
	int a = dup(0), b = dup(0), c = dup(0);
	ASSERT_OK(a);
	ASSERT_OK(b);
	ASSERT_OK(c);
	EXPECT_OK(close_range_((unsigned)b, ~0U, CLOSE_RANGE_CLOEXEC));
	EXPECT_EQ(fcntl(a, F_GETFD), 0);
	EXPECT_EQ(fcntl(b, F_GETFD), FD_CLOEXEC);
	EXPECT_EQ(fcntl(c, F_GETFD), FD_CLOEXEC);
	EXPECT_OK(close_range_((unsigned)b, (unsigned)c, CLOSE_RANGE_UNSHARE));
	EXPECT_ERRNO(fcntl(b, F_GETFD), EBADF);
	EXPECT_ERRNO(fcntl(c, F_GETFD), EBADF);
	EXPECT_EQ(fcntl(a, F_GETFD), 0);
	EXPECT_ERRNO(close_range_(5, 4, 0), EINVAL);
	EXPECT_ERRNO(close_range_(3, 4, 0x8), EINVAL);
	close(a);
}

/* O_TMPFILE: an unnamed file in a directory, shown as "dir/#ino
 * (deleted)", that linkat through /proc/self/fd can name (unless
 * O_EXCL). */
TEST(tmpfile_and_linkat)
{
	int fd = open(".", O_TMPFILE | O_RDWR, 0600);
	ASSERT_OK(fd);
	struct stat st;
	EXPECT_OK(fstat(fd, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_nlink, 0);
	EXPECT_EQ(st.st_mode & 07777, 0600);
	EXPECT_EQ(write(fd, "tmp", 3), 3);
	char link[64], target[PATH_MAX] = "", want[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	ASSERT_GE(n, 0);
	snprintf(want, sizeof(want), "/#%llu (deleted)", (unsigned long long)st.st_ino);
	EXPECT_TRUE(n > (ssize_t)strlen(want) && !strcmp(target + n - strlen(want), want));
	EXPECT_OK(linkat(AT_FDCWD, link, AT_FDCWD, "named", AT_SYMLINK_FOLLOW));
	EXPECT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_nlink, 1);
	char buf[8] = "";
	EXPECT_EQ(test_read_file("named", buf, sizeof(buf)), 3);
	EXPECT_MEMEQ(buf, "tmp", 3);
	close(fd);

	fd = open(".", O_TMPFILE | O_WRONLY | O_EXCL, 0600);
	ASSERT_OK(fd);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	EXPECT_ERRNO(linkat(AT_FDCWD, link, AT_FDCWD, "named2", AT_SYMLINK_FOLLOW), ENOENT);
	close(fd);
}

TEST(tmpfile_errors)
{
	EXPECT_ERRNO(open(".", O_TMPFILE | O_RDONLY, 0600), EINVAL);
	EXPECT_ERRNO(open(".", O_TMPFILE | O_RDWR | O_CREAT, 0600), EINVAL);
	EXPECT_ERRNO(open("missing", O_TMPFILE | O_RDWR, 0600), ENOENT);
	ASSERT_OK(test_write_file("file", ""));
	EXPECT_ERRNO(open("file", O_TMPFILE | O_RDWR, 0600), ENOTDIR);
	EXPECT_ERRNO(open("/proc", O_TMPFILE | O_RDWR, 0600), EOPNOTSUPP);
}

#include <linux/openat2.h>

static int openat2_(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* A tree for openat2: d/f, d/sub/, d/l -> f, d/abs -> /etc, d/up -> ../x. */
static int openat2_tree(void)
{
	if (mkdir("d", 0755) || mkdir("d/sub", 0755) || test_write_file("d/f", "f") ||
	    test_write_file("x", "x") || symlink("f", "d/l") || symlink("/etc", "d/abs") ||
	    symlink("../x", "d/up"))
		return -1;
	return open("d", O_RDONLY | O_DIRECTORY);
}

TEST(openat2_struct_and_flag_checks)
{
	int d = openat2_tree();
	ASSERT_OK(d);
	int fd = openat2_(d, "f", O_RDONLY, 0, 0);
	EXPECT_OK(fd);
	close(fd);
	struct { struct open_how how; uint64_t extra; } big = { .how = { .flags = O_RDONLY } };
	EXPECT_ERRNO(syscall(SYS_openat2, d, "f", &big, 10), EINVAL);
	EXPECT_ERRNO(syscall(SYS_openat2, d, "f", &big, 8192), E2BIG);
	fd = (int)syscall(SYS_openat2, d, "f", &big, sizeof(big));
	EXPECT_OK(fd);
	close(fd);
	big.extra = 1;
	EXPECT_ERRNO(syscall(SYS_openat2, d, "f", &big, sizeof(big)), E2BIG);
	EXPECT_ERRNO(syscall(SYS_openat2, d, "f", test_bad_ptr(), sizeof(struct open_how)), EFAULT);
	EXPECT_ERRNO(openat2_(d, "f", 1ULL << 40, 0, 0), EINVAL);
	EXPECT_ERRNO(openat2_(d, "f", O_RDONLY, 0644, 0), EINVAL);
	EXPECT_ERRNO(openat2_(d, "new", O_CREAT | O_WRONLY, 010000, 0), EINVAL);
	EXPECT_ERRNO(openat2_(d, "f", O_RDONLY, 0, 0x40), EINVAL);
	EXPECT_ERRNO(openat2_(d, "f", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT), EINVAL);
	EXPECT_ERRNO(openat2_(d, "f", O_RDONLY | O_CREAT, 0644, RESOLVE_CACHED), EAGAIN);
	fd = openat2_(d, "f", O_RDONLY, 0, RESOLVE_CACHED);
	int e = errno;
	EXPECT_TRUE(fd >= 0 || e == EAGAIN);
	if (fd >= 0)
		close(fd);
	close(d);
}

TEST(openat2_resolve_flags)
{
	int d = openat2_tree();
	ASSERT_OK(d);
	int fd;
#define EXPECT_OPENS(dirfd, path, resolve)                          \
	do {                                                        \
		fd = openat2_(dirfd, path, O_RDONLY, 0, resolve);   \
		EXPECT_OK(fd);                                      \
		if (fd >= 0)                                        \
			close(fd);                                  \
	} while (0)
	EXPECT_ERRNO(openat2_(d, "l", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
	EXPECT_ERRNO(openat2_(d, "up", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
	EXPECT_OPENS(d, "l", RESOLVE_BENEATH);
	EXPECT_OPENS(d, "sub/../f", RESOLVE_BENEATH);
	EXPECT_ERRNO(openat2_(d, "../x", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	EXPECT_ERRNO(openat2_(d, "up", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	EXPECT_ERRNO(openat2_(d, "/etc/passwd", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	EXPECT_ERRNO(openat2_(d, "abs/passwd", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	/* IN_ROOT: "/" and ".." stop at the directory. */
	EXPECT_OPENS(d, "/f", RESOLVE_IN_ROOT);
	EXPECT_OPENS(d, "../../f", RESOLVE_IN_ROOT);
	EXPECT_ERRNO(openat2_(d, "abs/passwd", O_RDONLY, 0, RESOLVE_IN_ROOT), ENOENT);
	EXPECT_ERRNO(openat2_(d, "up", O_RDONLY, 0, RESOLVE_IN_ROOT), ENOENT);
	/* Magic links. */
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", d);
	EXPECT_OPENS(AT_FDCWD, link, 0);
	EXPECT_ERRNO(openat2_(AT_FDCWD, link, O_RDONLY, 0, RESOLVE_NO_MAGICLINKS), ELOOP);
	EXPECT_ERRNO(openat2_(AT_FDCWD, link, O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
	/* Mounts: / to /proc is a crossing. */
	int root = open("/", O_RDONLY | O_DIRECTORY);
	EXPECT_ERRNO(openat2_(root, "proc/self/status", O_RDONLY, 0, RESOLVE_NO_XDEV), EXDEV);
	EXPECT_OPENS(d, "f", RESOLVE_NO_XDEV);
	close(root);
	close(d);
}
