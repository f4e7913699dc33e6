/* File status: stat, lstat, fstat, newfstatat and statx. */
#define TEST_WORKDIR
#include "test.h"

#include <linux/stat.h>   /* struct statx and STATX_* for the raw syscall */

static long raw_statx(int dirfd, const char *path, int flags,
		      unsigned int mask, struct statx *stx)
{
	return syscall(SYS_statx, dirfd, path, flags, mask, stx);
}

static long raw_newfstatat(int dirfd, const char *path, struct stat *st,
			   int flags)
{
	return syscall(SYS_newfstatat, dirfd, path, st, flags);
}

/* --- stat, lstat, fstat --- */

TEST(stat_reports_type_mode_size_and_owner_of_a_file)
{
	struct stat st;

	ASSERT_OK(test_write_file("f", "12345"));
	ASSERT_OK(stat("f", &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0644);
	EXPECT_EQ(st.st_size, 5);
	EXPECT_EQ(st.st_nlink, 1);
	EXPECT_EQ(st.st_uid, geteuid());
	EXPECT_EQ(st.st_gid, getegid());
	EXPECT_GE(st.st_blksize, 512);
	EXPECT_NE(st.st_ino, 0);
}

TEST(stat_of_a_directory_is_s_isdir)
{
	struct stat st;

	ASSERT_OK(mkdir("d", 0751));
	ASSERT_OK(stat("d", &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0751);
}

TEST(fstat_matches_stat)
{
	struct stat a, b;
	int fd;

	ASSERT_OK(test_write_file("f", "abc"));
	ASSERT_OK(fd = open("f", O_RDONLY));
	EXPECT_OK(fstat(fd, &a));
	EXPECT_OK(stat("f", &b));
	EXPECT_EQ(a.st_dev, b.st_dev);
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(a.st_mode, b.st_mode);
	EXPECT_EQ(a.st_size, b.st_size);
	close(fd);
}

TEST(stat_follows_symlinks_and_lstat_does_not)
{
	struct stat st, target;

	ASSERT_OK(test_write_file("f", "abc"));
	ASSERT_OK(symlink("f", "link"));
	ASSERT_OK(stat("f", &target));
	ASSERT_OK(stat("link", &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_ino, target.st_ino);
	ASSERT_OK(lstat("link", &st));
	EXPECT_TRUE(S_ISLNK(st.st_mode));
	EXPECT_NE(st.st_ino, target.st_ino);
	/* lstat(2): "The size of a symbolic link is the length of the pathname
	 * it contains, without a terminating null byte." */
	EXPECT_EQ(st.st_size, 1);
}

TEST(lstat_of_a_dangling_symlink_works_and_stat_is_enoent)
{
	struct stat st;

	ASSERT_OK(symlink("nowhere/at/all", "link"));
	EXPECT_OK(lstat("link", &st));
	EXPECT_EQ(st.st_size, 14);
	EXPECT_ERRNO(stat("link", &st), ENOENT);
}

TEST(fstat_on_bad_fd_is_ebadf)
{
	struct stat st;

	EXPECT_ERRNO(fstat(-1, &st), EBADF);
	EXPECT_ERRNO(fstat(9999, &st), EBADF);
}

TEST(stat_with_bad_buffer_is_efault)
{
	ASSERT_OK(test_write_file("f", "x"));
	EXPECT_ERRNO(stat("f", test_bad_ptr()), EFAULT);
	EXPECT_ERRNO(stat(test_bad_ptr(), &(struct stat){ 0 }), EFAULT);
}

TEST(stat_dot_is_the_cwd)
{
	struct stat dot, cwd;

	ASSERT_OK(stat(".", &dot));
	ASSERT_OK(stat(test_workdir(), &cwd));
	EXPECT_EQ(dot.st_ino, cwd.st_ino);
	EXPECT_EQ(dot.st_dev, cwd.st_dev);
}

/* --- errors from the path walk --- */

TEST(stat_missing_is_enoent)
{
	struct stat st;

	EXPECT_ERRNO(stat("missing", &st), ENOENT);
	EXPECT_ERRNO(stat("missing/x", &st), ENOENT);
	EXPECT_ERRNO(stat("", &st), ENOENT);
}

TEST(stat_through_a_file_is_enotdir)
{
	struct stat st;

	ASSERT_OK(test_write_file("f", "x"));
	EXPECT_ERRNO(stat("f/x", &st), ENOTDIR);
	/* A trailing slash demands a directory. */
	EXPECT_ERRNO(stat("f/", &st), ENOTDIR);
}

/* path_resolution(7): a component longer than NAME_MAX (255) or a path of
 * PATH_MAX (4096) bytes or more gives ENAMETOOLONG. */
TEST(stat_name_too_long_is_enametoolong)
{
	char name[NAME_MAX + 2], path[PATH_MAX + 16];
	struct stat st;
	size_t i;

	memset(name, 'a', NAME_MAX + 1);
	name[NAME_MAX + 1] = '\0';
	EXPECT_ERRNO(stat(name, &st), ENAMETOOLONG);
	name[NAME_MAX] = '\0';   /* exactly NAME_MAX is a valid, missing name */
	EXPECT_ERRNO(stat(name, &st), ENOENT);

	for (i = 0; i + 2 < sizeof(path); i += 2)
		memcpy(path + i, "./", 2);
	path[i] = '\0';
	EXPECT_ERRNO(stat(path, &st), ENAMETOOLONG);
}

/* --- st_nlink --- */

/* A directory has a link from its parent and its own ".", plus one ".."
 * from each subdirectory. */
TEST(directory_nlink_counts_subdirectories)
{
	struct stat st;

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(stat("d", &st));
	EXPECT_EQ(st.st_nlink, 2);
	ASSERT_OK(mkdir("d/a", 0755));
	ASSERT_OK(mkdir("d/b", 0755));
	ASSERT_OK(test_write_file("d/file", "x"));   /* files do not count */
	ASSERT_OK(stat("d", &st));
	EXPECT_EQ(st.st_nlink, 4);
	ASSERT_OK(rmdir("d/a"));
	ASSERT_OK(stat("d", &st));
	EXPECT_EQ(st.st_nlink, 3);
}

TEST(link_increments_and_unlink_decrements_nlink)
{
	struct stat st;
	int fd;

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(link("f", "g"));
	ASSERT_OK(stat("f", &st));
	EXPECT_EQ(st.st_nlink, 2);
	ASSERT_OK(fd = open("g", O_RDONLY));
	ASSERT_OK(unlink("f"));
	EXPECT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_nlink, 1);
	ASSERT_OK(unlink("g"));
	EXPECT_OK(fstat(fd, &st));   /* still open, no name left */
	EXPECT_EQ(st.st_nlink, 0);
	close(fd);
}

/* --- st_size, st_blocks --- */

TEST(size_follows_truncate_and_ftruncate)
{
	struct stat st;
	int fd;

	ASSERT_OK(test_write_file("f", "0123456789"));
	ASSERT_OK(truncate("f", 4));
	ASSERT_OK(stat("f", &st));
	EXPECT_EQ(st.st_size, 4);
	ASSERT_OK(fd = open("f", O_RDWR));
	ASSERT_OK(ftruncate(fd, 100000));
	EXPECT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 100000);
	close(fd);
}

/* st_blocks counts 512-byte units actually allocated: none for an empty
 * file or a hole, at least the data's size once written. */
TEST(blocks_count_allocated_512_byte_units)
{
	static char data[16384];
	struct stat st;
	int fd;

	ASSERT_OK(fd = open("f", O_RDWR | O_CREAT, 0644));
	EXPECT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_blocks, 0);
	memset(data, 'x', sizeof(data));
	EXPECT_EQ(write(fd, data, sizeof(data)), sizeof(data));
	EXPECT_OK(fsync(fd));
	EXPECT_OK(fstat(fd, &st));
	EXPECT_GE(st.st_blocks * 512, (long long)sizeof(data));
	close(fd);

	/* A file extended by truncate alone is a hole (sparse). */
	ASSERT_OK(fd = open("sparse", O_RDWR | O_CREAT, 0644));
	EXPECT_OK(ftruncate(fd, 1 << 20));
	EXPECT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 1 << 20);
	EXPECT_EQ(st.st_blocks, 0);
	close(fd);
}

TEST(write_updates_mtime_and_ctime)
{
	struct timespec past[2] = { { .tv_sec = 1000 }, { .tv_sec = 1000 } };
	struct stat st;
	int fd;

	ASSERT_OK(fd = open("f", O_RDWR | O_CREAT, 0644));
	ASSERT_OK(futimens(fd, past));
	EXPECT_EQ(write(fd, "x", 1), 1);
	EXPECT_OK(fstat(fd, &st));
	EXPECT_GE(st.st_mtim.tv_sec, time(NULL) - 60);
	EXPECT_GE(st.st_ctim.tv_sec, time(NULL) - 60);
	EXPECT_EQ(st.st_atim.tv_sec, 1000);   /* write does not touch atime */
	close(fd);
}

/* --- newfstatat --- */

TEST(newfstatat_follows_symlinks_unless_at_symlink_nofollow)
{
	struct stat st;

	ASSERT_OK(test_write_file("f", "abc"));
	ASSERT_OK(symlink("f", "link"));
	ASSERT_OK(raw_newfstatat(AT_FDCWD, "link", &st, 0));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_size, 3);
	ASSERT_OK(raw_newfstatat(AT_FDCWD, "link", &st, AT_SYMLINK_NOFOLLOW));
	EXPECT_TRUE(S_ISLNK(st.st_mode));
}

TEST(newfstatat_resolves_relative_to_dirfd)
{
	struct stat st;
	int dfd;

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(test_write_file("d/f", "abcd"));
	ASSERT_OK(dfd = open("d", O_RDONLY | O_DIRECTORY));
	ASSERT_OK(raw_newfstatat(dfd, "f", &st, 0));
	EXPECT_EQ(st.st_size, 4);
	EXPECT_ERRNO(raw_newfstatat(dfd, "missing", &st, 0), ENOENT);
	close(dfd);
}

/* fstatat(2) AT_EMPTY_PATH: "If pathname is an empty string, operate on the
 * file referred to by dirfd"; without the flag "" is ENOENT. */
TEST(newfstatat_at_empty_path_stats_the_fd)
{
	struct stat st, want;
	int fd;

	ASSERT_OK(test_write_file("f", "12345"));
	ASSERT_OK(fd = open("f", O_RDONLY));
	ASSERT_OK(fstat(fd, &want));
	ASSERT_OK(raw_newfstatat(fd, "", &st, AT_EMPTY_PATH));
	EXPECT_EQ(st.st_ino, want.st_ino);
	EXPECT_EQ(st.st_size, 5);
	EXPECT_ERRNO(raw_newfstatat(fd, "", &st, 0), ENOENT);
	close(fd);

	/* With AT_FDCWD it is the current directory. */
	ASSERT_OK(stat(".", &want));
	ASSERT_OK(raw_newfstatat(AT_FDCWD, "", &st, AT_EMPTY_PATH));
	EXPECT_EQ(st.st_ino, want.st_ino);
}

TEST(newfstatat_unknown_flag_is_einval)
{
	struct stat st;

	EXPECT_ERRNO(raw_newfstatat(AT_FDCWD, ".", &st, 0x40000000), EINVAL);
}

/* --- statx --- */

TEST(statx_reports_requested_fields)
{
	struct statx stx;
	struct stat st;

	ASSERT_OK(test_write_file("f", "123456"));
	ASSERT_OK(chmod("f", 0640));
	ASSERT_OK(stat("f", &st));
	memset(&stx, 0xff, sizeof(stx));
	ASSERT_OK(raw_statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &stx));
	EXPECT_EQ(stx.stx_mask & (STATX_TYPE | STATX_MODE | STATX_SIZE),
		  STATX_TYPE | STATX_MODE | STATX_SIZE);
	EXPECT_EQ(stx.stx_mode, S_IFREG | 0640);
	EXPECT_EQ(stx.stx_size, 6);
	EXPECT_EQ(stx.stx_nlink, 1);
	EXPECT_EQ(stx.stx_ino, st.st_ino);
	EXPECT_EQ(stx.stx_uid, st.st_uid);
	EXPECT_EQ(stx.stx_mtime.tv_sec, st.st_mtim.tv_sec);
	EXPECT_EQ(stx.stx_mtime.tv_nsec, st.st_mtim.tv_nsec);
	EXPECT_EQ(stx.stx_blocks, st.st_blocks);
	EXPECT_EQ(stx.stx_blksize, st.st_blksize);
}

TEST(statx_symlink_nofollow_and_empty_path)
{
	struct statx stx;
	int fd;

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(symlink("d", "link"));
	ASSERT_OK(raw_statx(AT_FDCWD, "link", 0, STATX_TYPE, &stx));
	EXPECT_TRUE(S_ISDIR(stx.stx_mode));
	ASSERT_OK(raw_statx(AT_FDCWD, "link", AT_SYMLINK_NOFOLLOW, STATX_TYPE,
			    &stx));
	EXPECT_TRUE(S_ISLNK(stx.stx_mode));
	EXPECT_EQ(stx.stx_size, 1);

	ASSERT_OK(fd = open("d", O_RDONLY | O_DIRECTORY));
	ASSERT_OK(raw_statx(fd, "", AT_EMPTY_PATH, STATX_TYPE, &stx));
	EXPECT_TRUE(S_ISDIR(stx.stx_mode));
	EXPECT_ERRNO(raw_statx(fd, "", 0, STATX_TYPE, &stx), ENOENT);
	close(fd);
}

/* statx(2) EINVAL: "Reserved flag specified in flags" or "Reserved flag
 * specified in mask". */
TEST(statx_reserved_flags_or_mask_are_einval)
{
	struct statx stx;

	EXPECT_ERRNO(raw_statx(AT_FDCWD, ".", 0x40000000, STATX_BASIC_STATS,
			       &stx), EINVAL);
	EXPECT_ERRNO(raw_statx(AT_FDCWD, ".", 0, STATX__RESERVED, &stx),
		     EINVAL);
	/* Both sync types at once is not a valid sync type. */
	EXPECT_ERRNO(raw_statx(AT_FDCWD, ".", AT_STATX_SYNC_TYPE,
			       STATX_BASIC_STATS, &stx), EINVAL);
}

TEST(statx_errors_match_stat)
{
	struct statx stx;

	ASSERT_OK(test_write_file("f", "x"));
	EXPECT_ERRNO(raw_statx(AT_FDCWD, "missing", 0, STATX_BASIC_STATS, &stx),
		     ENOENT);
	EXPECT_ERRNO(raw_statx(AT_FDCWD, "f/x", 0, STATX_BASIC_STATS, &stx),
		     ENOTDIR);
	EXPECT_ERRNO(raw_statx(9999, "f", 0, STATX_BASIC_STATS, &stx), EBADF);
	EXPECT_ERRNO(raw_statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS,
			       test_bad_ptr()), EFAULT);
}
