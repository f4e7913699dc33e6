/* Attributes: chmod family, chown family, utimensat, truncate/ftruncate,
 * access/faccessat/faccessat2 and umask. The tests run as root. */
#define TEST_WORKDIR
#include "test.h"

static mode_t mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) < 0 ? (mode_t)-1 : st.st_mode;
}

static long raw_faccessat2(int dirfd, const char *path, int mode, int flags)
{
	return syscall(SYS_faccessat2, dirfd, path, mode, flags);
}

static long raw_utimensat(int dirfd, const char *path,
			  const struct timespec times[2], int flags)
{
	return syscall(SYS_utimensat, dirfd, path, times, flags);
}

/* --- chmod, fchmod, fchmodat --- */

TEST(chmod_sets_permission_bits_and_keeps_the_type)
{
	ASSERT_OK(test_write_file("f", "x"));
	EXPECT_OK(chmod("f", 0600));
	EXPECT_EQ(mode_of("f"), S_IFREG | 0600);
	EXPECT_OK(chmod("f", 04755));   /* root may set set-user-ID */
	EXPECT_EQ(mode_of("f"), S_IFREG | 04755);
	/* Bits outside 07777 in the argument are ignored. */
	EXPECT_OK(chmod("f", S_IFDIR | 0640));
	EXPECT_EQ(mode_of("f"), S_IFREG | 0640);
}

TEST(chmod_follows_symlinks)
{
	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(symlink("f", "link"));
	EXPECT_OK(chmod("link", 0604));
	EXPECT_EQ(mode_of("f"), S_IFREG | 0604);
	EXPECT_TRUE(S_ISLNK(mode_of("link")));
}

TEST(chmod_of_a_directory)
{
	ASSERT_OK(mkdir("d", 0755));
	EXPECT_OK(chmod("d", 01777));
	EXPECT_EQ(mode_of("d"), S_IFDIR | 01777);
}

TEST(fchmod_and_fchmodat)
{
	int fd, dfd;

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(test_write_file("d/f", "x"));
	ASSERT_OK(fd = open("d/f", O_RDONLY));
	EXPECT_OK(fchmod(fd, 0400));
	EXPECT_EQ(mode_of("d/f"), S_IFREG | 0400);
	close(fd);
	ASSERT_OK(dfd = open("d", O_RDONLY | O_DIRECTORY));
	EXPECT_OK(fchmodat(dfd, "f", 0711, 0));
	EXPECT_EQ(mode_of("d/f"), S_IFREG | 0711);
	close(dfd);
}

TEST(chmod_errors)
{
	EXPECT_ERRNO(chmod("missing", 0644), ENOENT);
	EXPECT_ERRNO(fchmod(9999, 0644), EBADF);
}

/* --- chown, fchown, lchown, fchownat --- */

TEST(chown_as_root_sets_owner_and_group)
{
	struct stat st;

	ASSERT_OK(test_write_file("f", "x"));
	EXPECT_OK(chown("f", 1000, 1000));
	ASSERT_OK(stat("f", &st));
	EXPECT_EQ(st.st_uid, 1000);
	EXPECT_EQ(st.st_gid, 1000);
	/* chown(2): "If the owner or group is specified as -1, then that ID is
	 * not changed." */
	EXPECT_OK(chown("f", -1, 2000));
	ASSERT_OK(stat("f", &st));
	EXPECT_EQ(st.st_uid, 1000);
	EXPECT_EQ(st.st_gid, 2000);
	EXPECT_OK(chown("f", 0, -1));
	ASSERT_OK(stat("f", &st));
	EXPECT_EQ(st.st_uid, 0);
	EXPECT_EQ(st.st_gid, 2000);
}

TEST(lchown_changes_the_link_and_chown_the_target)
{
	struct stat st;

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(symlink("f", "link"));
	EXPECT_OK(lchown("link", 1000, 1000));
	ASSERT_OK(lstat("link", &st));
	EXPECT_EQ(st.st_uid, 1000);
	ASSERT_OK(stat("f", &st));
	EXPECT_EQ(st.st_uid, 0);
	EXPECT_OK(chown("link", 2000, 2000));
	ASSERT_OK(stat("f", &st));
	EXPECT_EQ(st.st_uid, 2000);
	ASSERT_OK(lstat("link", &st));
	EXPECT_EQ(st.st_uid, 1000);
}

TEST(fchown_and_fchownat)
{
	struct stat st;
	int fd;

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(symlink("f", "link"));
	ASSERT_OK(fd = open("f", O_RDONLY));
	EXPECT_OK(fchown(fd, 1000, 1001));
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_uid, 1000);
	EXPECT_EQ(st.st_gid, 1001);
	close(fd);
	EXPECT_OK(fchownat(AT_FDCWD, "link", 3000, 3000, AT_SYMLINK_NOFOLLOW));
	ASSERT_OK(lstat("link", &st));
	EXPECT_EQ(st.st_uid, 3000);
	ASSERT_OK(stat("f", &st));
	EXPECT_EQ(st.st_uid, 1000);
	EXPECT_ERRNO(fchownat(AT_FDCWD, "f", 0, 0, 0x40000000), EINVAL);
}

/* chown(2): "When the owner or group of an executable file is changed by
 * an unprivileged user, the S_ISUID and S_ISGID mode bits are cleared ...
 * since Linux 2.2.13, root is treated like other users." */
TEST(chown_clears_set_user_id_even_as_root)
{
	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(chmod("f", 04755));
	EXPECT_OK(chown("f", 1000, -1));
	EXPECT_EQ(mode_of("f") & 07777, 0755);
}

/* --- utimensat --- */

TEST(utimensat_sets_explicit_times_with_nanoseconds)
{
	const struct timespec times[2] = {
		{ .tv_sec = 1000000000, .tv_nsec = 500000000 },
		{ .tv_sec = 1234567890, .tv_nsec = 123456789 },
	};
	struct stat st;

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(utimensat(AT_FDCWD, "f", times, 0));
	ASSERT_OK(stat("f", &st));
	EXPECT_EQ(st.st_atim.tv_sec, 1000000000);
	EXPECT_EQ(st.st_atim.tv_nsec, 500000000);
	EXPECT_EQ(st.st_mtim.tv_sec, 1234567890);
	EXPECT_EQ(st.st_mtim.tv_nsec, 123456789);
	/* Changing times is a change of the inode: ctime becomes now. */
	EXPECT_GE(st.st_ctim.tv_sec, time(NULL) - 60);
}

/* utimensat(2): "If the tv_nsec field of one of the timespec structures
 * has the special value UTIME_NOW, then the corresponding file timestamp
 * is set to the current time. If ... UTIME_OMIT, then the corresponding
 * file timestamp is left unchanged." */
TEST(utimensat_utime_now_and_utime_omit)
{
	const struct timespec old[2] = { { .tv_sec = 1000 },
					 { .tv_sec = 2000 } };
	const struct timespec now_omit[2] = {
		{ .tv_nsec = UTIME_NOW }, { .tv_nsec = UTIME_OMIT },
	};
	const struct timespec omit_now[2] = {
		{ .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_NOW },
	};
	time_t before = time(NULL);
	struct stat st;

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(utimensat(AT_FDCWD, "f", old, 0));
	ASSERT_OK(utimensat(AT_FDCWD, "f", now_omit, 0));
	ASSERT_OK(stat("f", &st));
	EXPECT_GE(st.st_atim.tv_sec, before - 1);
	EXPECT_LE(st.st_atim.tv_sec, time(NULL) + 1);
	EXPECT_EQ(st.st_mtim.tv_sec, 2000);

	ASSERT_OK(utimensat(AT_FDCWD, "f", old, 0));
	ASSERT_OK(utimensat(AT_FDCWD, "f", omit_now, 0));
	ASSERT_OK(stat("f", &st));
	EXPECT_EQ(st.st_atim.tv_sec, 1000);
	EXPECT_GE(st.st_mtim.tv_sec, before - 1);
}

/* utimensat(2): "If times is NULL, then both timestamps are set to the
 * current time." */
TEST(utimensat_null_times_means_now)
{
	const struct timespec old[2] = { { .tv_sec = 1000 },
					 { .tv_sec = 2000 } };
	time_t before = time(NULL);
	struct stat st;

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(utimensat(AT_FDCWD, "f", old, 0));
	ASSERT_OK(utimensat(AT_FDCWD, "f", NULL, 0));
	ASSERT_OK(stat("f", &st));
	EXPECT_GE(st.st_atim.tv_sec, before - 1);
	EXPECT_GE(st.st_mtim.tv_sec, before - 1);
}

TEST(utimensat_symlink_nofollow_changes_the_link)
{
	const struct timespec times[2] = { { .tv_sec = 1000 },
					   { .tv_sec = 2000 } };
	struct stat st;

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(symlink("f", "link"));
	ASSERT_OK(utimensat(AT_FDCWD, "link", times, AT_SYMLINK_NOFOLLOW));
	ASSERT_OK(lstat("link", &st));
	EXPECT_EQ(st.st_mtim.tv_sec, 2000);
	ASSERT_OK(stat("f", &st));
	EXPECT_NE(st.st_mtim.tv_sec, 2000);
}

/* Linux extension: a NULL pathname operates on dirfd (this is futimens). */
TEST(utimensat_null_path_operates_on_the_fd)
{
	const struct timespec times[2] = { { .tv_sec = 1000 },
					   { .tv_sec = 3000 } };
	struct stat st;
	int fd;

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(fd = open("f", O_RDONLY));
	EXPECT_OK(raw_utimensat(fd, NULL, times, 0));
	ASSERT_OK(stat("f", &st));
	EXPECT_EQ(st.st_mtim.tv_sec, 3000);
	close(fd);
}

/* utimensat(2): EINVAL "Invalid value in one of the tv_nsec fields (value
 * outside range [0, 999,999,999], and not UTIME_NOW or UTIME_OMIT)". */
TEST(utimensat_bad_nanoseconds_are_einval)
{
	const struct timespec big[2] = {
		{ .tv_nsec = 1000000000 }, { .tv_nsec = 0 },
	};
	const struct timespec negative[2] = {
		{ .tv_nsec = 0 }, { .tv_nsec = -1 },
	};

	ASSERT_OK(test_write_file("f", "x"));
	EXPECT_ERRNO(raw_utimensat(AT_FDCWD, "f", big, 0), EINVAL);
	EXPECT_ERRNO(raw_utimensat(AT_FDCWD, "f", negative, 0), EINVAL);
	EXPECT_ERRNO(raw_utimensat(AT_FDCWD, "f", NULL, 0x40000000), EINVAL);
	EXPECT_ERRNO(raw_utimensat(AT_FDCWD, "missing", NULL, 0), ENOENT);
}

/* --- truncate, ftruncate --- */

TEST(truncate_grow_reads_zeros_and_shrink_discards)
{
	char buf[16];
	int fd;

	ASSERT_OK(test_write_file("f", "abc"));
	ASSERT_OK(truncate("f", 8));
	ASSERT_OK(fd = open("f", O_RDONLY));
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 8);
	EXPECT_MEMEQ(buf, "abc\0\0\0\0\0", 8);
	close(fd);
	ASSERT_OK(truncate("f", 2));
	ASSERT_OK(truncate("f", 4));   /* the cut bytes do not come back */
	ASSERT_OK(fd = open("f", O_RDONLY));
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 4);
	EXPECT_MEMEQ(buf, "ab\0\0", 4);
	close(fd);
}

TEST(ftruncate_does_not_move_the_offset)
{
	int fd;

	ASSERT_OK(fd = open("f", O_RDWR | O_CREAT, 0644));
	EXPECT_EQ(write(fd, "0123456789", 10), 10);
	EXPECT_OK(ftruncate(fd, 3));
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 10);
	EXPECT_EQ(write(fd, "x", 1), 1);   /* leaves a hole from 3 to 10 */
	EXPECT_EQ(lseek(fd, 0, SEEK_END), 11);
	close(fd);
}

TEST(truncate_errors)
{
	int fd;

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(mkdir("d", 0755));
	EXPECT_ERRNO(truncate("f", -1), EINVAL);
	EXPECT_ERRNO(truncate("d", 0), EISDIR);
	EXPECT_ERRNO(truncate("missing", 0), ENOENT);
	/* truncate(2): "EBADF or EINVAL: fd is not open for writing"; Linux
	 * gives EINVAL. */
	ASSERT_OK(fd = open("f", O_RDONLY));
	EXPECT_ERRNO(ftruncate(fd, 0), EINVAL);
	close(fd);
	EXPECT_ERRNO(ftruncate(9999, 0), EBADF);
}

/* --- access, faccessat, faccessat2 --- */

TEST(access_f_ok_tests_existence)
{
	ASSERT_OK(test_write_file("f", "x"));
	EXPECT_OK(access("f", F_OK));
	EXPECT_ERRNO(access("missing", F_OK), ENOENT);
	EXPECT_ERRNO(access("f/x", F_OK), ENOTDIR);
}

/* Root may read and write any file whatever its mode. */
TEST(access_as_root_reads_and_writes_a_mode_zero_file)
{
	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(chmod("f", 0));
	EXPECT_OK(access("f", R_OK | W_OK));
}

/* access(2): "If the calling process is privileged (i.e., its real UID is
 * zero), then an X_OK check is successful for a regular file if execute
 * permission is enabled for any of the file owner, group, or other." */
TEST(access_x_ok_on_a_non_executable_file_is_eacces_even_as_root)
{
	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(chmod("f", 0666));
	EXPECT_ERRNO(access("f", X_OK), EACCES);
	ASSERT_OK(chmod("f", 0001));   /* any x bit is enough */
	EXPECT_OK(access("f", X_OK));
}

/* Directories are always searchable by root. */
TEST(access_x_ok_on_a_mode_zero_directory_as_root_succeeds)
{
	ASSERT_OK(mkdir("d", 0));
	EXPECT_OK(access("d", X_OK | R_OK | W_OK));
}

TEST(access_bad_mode_is_einval)
{
	EXPECT_ERRNO(access(".", 0x10), EINVAL);
}

TEST(faccessat_resolves_relative_to_dirfd)
{
	int dfd;

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(test_write_file("d/f", "x"));
	ASSERT_OK(dfd = open("d", O_RDONLY | O_DIRECTORY));
	EXPECT_OK(faccessat(dfd, "f", R_OK, 0));
	EXPECT_ERRNO(faccessat(dfd, "missing", F_OK, 0), ENOENT);
	close(dfd);
}

/* faccessat2 is the syscall that takes flags (faccessat's has none). */
TEST(faccessat2_symlink_nofollow_checks_the_link)
{
	ASSERT_OK(symlink("nowhere", "dangling"));
	EXPECT_ERRNO(raw_faccessat2(AT_FDCWD, "dangling", F_OK, 0), ENOENT);
	EXPECT_OK(raw_faccessat2(AT_FDCWD, "dangling", F_OK,
				 AT_SYMLINK_NOFOLLOW));
}

TEST(faccessat2_eaccess_and_empty_path)
{
	int fd;

	ASSERT_OK(test_write_file("f", "x"));
	EXPECT_OK(raw_faccessat2(AT_FDCWD, "f", R_OK | W_OK, AT_EACCESS));
	ASSERT_OK(fd = open("f", O_RDONLY));
	EXPECT_OK(raw_faccessat2(fd, "", R_OK, AT_EMPTY_PATH));
	EXPECT_ERRNO(raw_faccessat2(fd, "", R_OK, 0), ENOENT);
	EXPECT_ERRNO(raw_faccessat2(fd, "", X_OK, AT_EMPTY_PATH), EACCES);
	close(fd);
}

TEST(faccessat2_bad_flags_are_einval)
{
	EXPECT_ERRNO(raw_faccessat2(AT_FDCWD, ".", F_OK, 0x40000000), EINVAL);
	EXPECT_ERRNO(raw_faccessat2(AT_FDCWD, ".", 0x10, 0), EINVAL);
}

/* --- umask --- */

TEST(umask_returns_the_previous_mask)
{
	EXPECT_EQ(umask(077), 022);
	EXPECT_EQ(umask(0), 077);
	/* umask(2): "mask & 0777" is kept. */
	EXPECT_EQ(umask(07777), 0);
	EXPECT_EQ(umask(022), 0777);
}

TEST(umask_applies_to_creat_mkdir_and_mknod)
{
	int fd;

	umask(0027);
	ASSERT_OK(fd = creat("f", 0666));
	close(fd);
	EXPECT_EQ(mode_of("f"), S_IFREG | 0640);
	ASSERT_OK(mkdir("d", 0777));
	EXPECT_EQ(mode_of("d"), S_IFDIR | 0750);
	ASSERT_OK(mknod("fifo", S_IFIFO | 0666, 0));
	EXPECT_EQ(mode_of("fifo"), S_IFIFO | 0640);
	/* Explicit chmod is not masked. */
	ASSERT_OK(chmod("f", 0666));
	EXPECT_EQ(mode_of("f"), S_IFREG | 0666);
}

TEST(umask_does_not_apply_to_symlinks)
{
	umask(0777);
	ASSERT_OK(symlink("target", "link"));
	EXPECT_EQ(mode_of("link"), S_IFLNK | 0777);
}
