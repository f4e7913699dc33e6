/* Directories: mkdir/mkdirat, rmdir, getdents64, chdir/fchdir/getcwd and
 * how relative paths and ".." resolve. */
#define TEST_WORKDIR
#include "test.h"

#include <dirent.h>

/* The kernel's record; glibc does not export a getdents64 declaration. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static long raw_getdents64(int fd, void *buf, size_t size)
{
	return syscall(SYS_getdents64, fd, buf, size);
}

static long raw_getcwd(char *buf, size_t size)
{
	return syscall(SYS_getcwd, buf, size);
}

/* What a listing found: each name's d_type, or -1 if absent. */
struct listing {
	int count;
	char names[64][32];
	int types[64];
	bool bad_record;   /* a d_reclen that is 0, unaligned or overruns */
};

static int listing_type(const struct listing *l, const char *name)
{
	for (int i = 0; i < l->count; i++)
		if (strcmp(l->names[i], name) == 0)
			return l->types[i];
	return -1;
}

/* Lists fd with getdents64 in calls of bufsize bytes. Returns the number
 * of getdents64 calls that returned entries, or -1 on error. */
static int list_dir(int fd, size_t bufsize, struct listing *l)
{
	char buf[8192] __attribute__((aligned(8)));
	int calls = 0;
	long n;

	memset(l, 0, sizeof(*l));
	while ((n = raw_getdents64(fd, buf, bufsize)) > 0) {
		calls++;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);

			if (d->d_reclen == 0 || d->d_reclen % 8 != 0 ||
			    off + d->d_reclen > n) {
				l->bad_record = true;
				break;
			}
			if (l->count < 64) {
				snprintf(l->names[l->count],
					 sizeof(l->names[0]), "%s", d->d_name);
				l->types[l->count] = d->d_type;
				l->count++;
			}
			off += d->d_reclen;
		}
	}
	return n < 0 ? -1 : calls;
}

/* The last component of the cwd, from getcwd. */
static const char *cwd_basename(char *buf, size_t size)
{
	if (getcwd(buf, size) == NULL)
		return "(getcwd failed)";
	return strrchr(buf, '/') + 1;
}

/* --- mkdir, mkdirat --- */

TEST(mkdir_creates_a_directory_with_mode_minus_umask)
{
	struct stat st;

	umask(022);
	ASSERT_OK(mkdir("d", 0777));
	ASSERT_OK(stat("d", &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0755);
}

TEST(mkdir_existing_name_is_eexist)
{
	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(symlink("nowhere", "dangling"));
	EXPECT_ERRNO(mkdir("d", 0755), EEXIST);
	EXPECT_ERRNO(mkdir("f", 0755), EEXIST);
	/* mkdir(2): "This includes the case where pathname is a symbolic link,
	 * dangling or not." */
	EXPECT_ERRNO(mkdir("dangling", 0755), EEXIST);
	EXPECT_ERRNO(mkdir(".", 0755), EEXIST);
}

TEST(mkdir_in_missing_parent_is_enoent)
{
	EXPECT_ERRNO(mkdir("missing/d", 0755), ENOENT);
}

TEST(mkdir_under_a_file_is_enotdir)
{
	ASSERT_OK(test_write_file("f", "x"));
	EXPECT_ERRNO(mkdir("f/d", 0755), ENOTDIR);
}

TEST(mkdir_accepts_a_trailing_slash)
{
	struct stat st;

	EXPECT_OK(mkdir("d/", 0755));
	EXPECT_OK(stat("d", &st));
}

TEST(mkdirat_resolves_relative_to_dirfd)
{
	struct stat st;
	int dfd;

	ASSERT_OK(mkdir("parent", 0755));
	ASSERT_OK(dfd = open("parent", O_RDONLY | O_DIRECTORY));
	EXPECT_OK(mkdirat(dfd, "child", 0700));
	ASSERT_OK(stat("parent/child", &st));
	EXPECT_EQ(st.st_mode & 07777, 0700);
	EXPECT_ERRNO(mkdirat(dfd, "child", 0700), EEXIST);
	EXPECT_ERRNO(mkdirat(9999, "x", 0700), EBADF);
	close(dfd);
}

/* --- rmdir --- */

TEST(rmdir_removes_an_empty_directory)
{
	struct stat st;

	ASSERT_OK(mkdir("d", 0755));
	EXPECT_OK(rmdir("d"));
	EXPECT_ERRNO(stat("d", &st), ENOENT);
}

/* rmdir(2): ENOTEMPTY "pathname contains entries other than . and ..". */
TEST(rmdir_non_empty_is_enotempty)
{
	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(test_write_file("d/f", "x"));
	EXPECT_ERRNO(rmdir("d"), ENOTEMPTY);
	ASSERT_OK(unlink("d/f"));
	ASSERT_OK(mkdir("d/sub", 0755));
	EXPECT_ERRNO(rmdir("d"), ENOTEMPTY);
}

/* rmdir(2): EINVAL "pathname has . as last component"; ENOTEMPTY
 * "pathname has .. as its final component". */
TEST(rmdir_dot_is_einval_and_dotdot_is_enotempty)
{
	ASSERT_OK(mkdir("d", 0755));
	EXPECT_ERRNO(rmdir("d/."), EINVAL);
	EXPECT_ERRNO(rmdir("."), EINVAL);
	EXPECT_ERRNO(rmdir("d/.."), ENOTEMPTY);
}

TEST(rmdir_of_a_file_is_enotdir_and_missing_is_enoent)
{
	ASSERT_OK(test_write_file("f", "x"));
	EXPECT_ERRNO(rmdir("f"), ENOTDIR);
	EXPECT_ERRNO(rmdir("missing"), ENOENT);
}

TEST(rmdir_of_a_symlink_to_a_directory_is_enotdir)
{
	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(symlink("d", "link"));
	EXPECT_ERRNO(rmdir("link"), ENOTDIR);
}

/* --- getdents64 --- */

TEST(getdents64_lists_dot_dotdot_and_entries_with_types)
{
	struct listing l;
	int fd;

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(mkdir("d/sub", 0755));
	ASSERT_OK(test_write_file("d/file", "x"));
	ASSERT_OK(symlink("file", "d/link"));
	ASSERT_OK(fd = open("d", O_RDONLY | O_DIRECTORY));
	EXPECT_GE(list_dir(fd, 4096, &l), 1);
	EXPECT_TRUE(!l.bad_record);
	EXPECT_EQ(l.count, 5);
	EXPECT_EQ(listing_type(&l, "."), DT_DIR);
	EXPECT_EQ(listing_type(&l, ".."), DT_DIR);
	EXPECT_EQ(listing_type(&l, "sub"), DT_DIR);
	EXPECT_EQ(listing_type(&l, "file"), DT_REG);
	EXPECT_EQ(listing_type(&l, "link"), DT_LNK);
	close(fd);
}

TEST(getdents64_of_an_empty_directory_has_only_dot_and_dotdot)
{
	struct listing l;
	int fd;

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(fd = open("d", O_RDONLY | O_DIRECTORY));
	EXPECT_EQ(list_dir(fd, 4096, &l), 1);
	EXPECT_EQ(l.count, 2);
	EXPECT_NE(listing_type(&l, "."), -1);
	EXPECT_NE(listing_type(&l, ".."), -1);
	close(fd);
}

TEST(getdents64_inode_numbers_match_stat)
{
	char buf[4096] __attribute__((aligned(8)));
	struct stat st;
	long n;
	int fd;

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(stat("f", &st));
	ASSERT_OK(fd = open(".", O_RDONLY | O_DIRECTORY));
	ASSERT_OK(n = raw_getdents64(fd, buf, sizeof(buf)));
	for (long off = 0; off < n;) {
		struct linux_dirent64 *d = (void *)(buf + off);

		if (strcmp(d->d_name, "f") == 0)
			EXPECT_EQ(d->d_ino, st.st_ino);
		off += d->d_reclen;
	}
	close(fd);
}

/* With a small buffer the listing takes several calls and sees every entry
 * exactly once; then getdents64 returns 0 (end of directory). */
TEST(getdents64_small_buffer_resumes_where_it_stopped)
{
	char name[16];
	struct listing l;
	int fd, i;

	ASSERT_OK(mkdir("d", 0755));
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "d/entry%02d", i);
		ASSERT_OK(test_write_file(name, ""));
	}
	ASSERT_OK(fd = open("d", O_RDONLY | O_DIRECTORY));
	EXPECT_GE(list_dir(fd, 128, &l), 10);
	EXPECT_TRUE(!l.bad_record);
	EXPECT_EQ(l.count, 42);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "entry%02d", i);
		EXPECT_EQ(listing_type(&l, name), DT_REG);
	}
	EXPECT_EQ(list_dir(fd, 4096, &l), 0);
	close(fd);
}

TEST(getdents64_lseek_to_zero_rewinds)
{
	struct listing first, again;
	int fd;

	ASSERT_OK(test_write_file("a", ""));
	ASSERT_OK(test_write_file("b", ""));
	ASSERT_OK(fd = open(".", O_RDONLY | O_DIRECTORY));
	ASSERT_GE(list_dir(fd, 4096, &first), 1);
	EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	ASSERT_GE(list_dir(fd, 4096, &again), 1);
	EXPECT_EQ(again.count, first.count);
	EXPECT_EQ(again.count, 4);
	close(fd);
}

/* getdents(2): EINVAL "Result buffer is too small." */
TEST(getdents64_buffer_too_small_for_one_entry_is_einval)
{
	char buf[8] __attribute__((aligned(8)));
	int fd;

	ASSERT_OK(fd = open(".", O_RDONLY | O_DIRECTORY));
	EXPECT_ERRNO(raw_getdents64(fd, buf, sizeof(buf)), EINVAL);
	close(fd);
}

TEST(getdents64_on_a_file_is_enotdir)
{
	char buf[512] __attribute__((aligned(8)));
	int fd;

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(fd = open("f", O_RDONLY));
	EXPECT_ERRNO(raw_getdents64(fd, buf, sizeof(buf)), ENOTDIR);
	close(fd);
	EXPECT_ERRNO(raw_getdents64(9999, buf, sizeof(buf)), EBADF);
}

TEST(getdents64_does_not_list_removed_entries)
{
	struct listing l;
	int fd;

	ASSERT_OK(test_write_file("keep", ""));
	ASSERT_OK(test_write_file("gone", ""));
	ASSERT_OK(unlink("gone"));
	ASSERT_OK(fd = open(".", O_RDONLY | O_DIRECTORY));
	EXPECT_GE(list_dir(fd, 4096, &l), 1);
	EXPECT_EQ(listing_type(&l, "gone"), -1);
	EXPECT_EQ(listing_type(&l, "keep"), DT_REG);
	close(fd);
}

/* --- getcwd --- */

TEST(getcwd_returns_the_absolute_cwd)
{
	char buf[PATH_MAX];

	ASSERT_TRUE(getcwd(buf, sizeof(buf)) != NULL);
	EXPECT_STREQ(buf, test_workdir());
}

/* The raw syscall returns the length of the path including its NUL. */
TEST(getcwd_syscall_returns_length_including_nul)
{
	char buf[PATH_MAX];

	EXPECT_EQ(raw_getcwd(buf, sizeof(buf)), strlen(test_workdir()) + 1);
	EXPECT_STREQ(buf, test_workdir());
}

/* getcwd(3): ERANGE "The size argument is less than the length of the
 * absolute pathname of the working directory, including the terminating
 * null byte." */
TEST(getcwd_short_buffer_is_erange)
{
	char buf[PATH_MAX];
	size_t len = strlen(test_workdir());

	EXPECT_ERRNO(raw_getcwd(buf, len), ERANGE);   /* no room for NUL */
	EXPECT_ERRNO(raw_getcwd(buf, 1), ERANGE);
	EXPECT_ERRNO(raw_getcwd(buf, 0), ERANGE);
	EXPECT_EQ(raw_getcwd(buf, len + 1), len + 1);
}

TEST(getcwd_bad_buffer_is_efault)
{
	EXPECT_ERRNO(raw_getcwd(test_bad_ptr(), PATH_MAX), EFAULT);
}

/* getcwd(3): ENOENT "The current working directory has been unlinked." */
TEST(getcwd_after_cwd_is_removed_is_enoent)
{
	char buf[PATH_MAX];

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(chdir("d"));
	ASSERT_OK(rmdir("../d"));
	EXPECT_ERRNO(raw_getcwd(buf, sizeof(buf)), ENOENT);
	/* Nothing can be created in a removed directory. */
	EXPECT_ERRNO(open("f", O_WRONLY | O_CREAT, 0644), ENOENT);
}

/* --- chdir, fchdir, relative paths --- */

TEST(chdir_changes_where_relative_paths_resolve)
{
	char buf[PATH_MAX];
	char want[PATH_MAX + 8];

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(test_write_file("d/f", "in d"));
	ASSERT_OK(chdir("d"));
	ASSERT_TRUE(getcwd(buf, sizeof(buf)) != NULL);
	snprintf(want, sizeof(want), "%s/d", test_workdir());
	EXPECT_STREQ(buf, want);
	EXPECT_OK(access("f", F_OK));
	EXPECT_OK(access("../d/f", F_OK));
	ASSERT_OK(test_write_file("g", "new"));
	ASSERT_OK(chdir(".."));
	EXPECT_OK(access("d/g", F_OK));
	ASSERT_TRUE(getcwd(buf, sizeof(buf)) != NULL);
	EXPECT_STREQ(buf, test_workdir());
}

TEST(chdir_through_a_symlink_reports_the_real_path)
{
	char buf[PATH_MAX];

	ASSERT_OK(mkdir("real", 0755));
	ASSERT_OK(symlink("real", "link"));
	ASSERT_OK(chdir("link"));
	EXPECT_STREQ(cwd_basename(buf, sizeof(buf)), "real");
}

TEST(fchdir_changes_to_the_directory_of_an_fd)
{
	char buf[PATH_MAX];
	int fd;

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(fd = open("d", O_RDONLY | O_DIRECTORY));
	EXPECT_OK(fchdir(fd));
	EXPECT_STREQ(cwd_basename(buf, sizeof(buf)), "d");
	close(fd);
}

TEST(chdir_errors)
{
	int fd;

	ASSERT_OK(test_write_file("f", "x"));
	EXPECT_ERRNO(chdir("f"), ENOTDIR);
	EXPECT_ERRNO(chdir("missing"), ENOENT);
	EXPECT_ERRNO(chdir(""), ENOENT);
	ASSERT_OK(fd = open("f", O_RDONLY));
	EXPECT_ERRNO(fchdir(fd), ENOTDIR);
	close(fd);
	EXPECT_ERRNO(fchdir(9999), EBADF);
}

/* path_resolution(7): "In the special case where the current working
 * directory is the root, '..' refers to the root itself." */
TEST(dotdot_at_the_root_stays_at_the_root)
{
	char buf[PATH_MAX];
	struct stat root, up;

	ASSERT_OK(chdir("/"));
	ASSERT_OK(chdir(".."));
	ASSERT_TRUE(getcwd(buf, sizeof(buf)) != NULL);
	EXPECT_STREQ(buf, "/");
	ASSERT_OK(stat("/", &root));
	ASSERT_OK(stat("/../..", &up));
	EXPECT_EQ(up.st_ino, root.st_ino);
	EXPECT_EQ(up.st_dev, root.st_dev);
	ASSERT_OK(stat("..", &up));
	EXPECT_EQ(up.st_ino, root.st_ino);
}

TEST(dotdot_and_dot_components_resolve_lexically_through_dirs)
{
	struct stat a, b;

	ASSERT_OK(mkdir("x", 0755));
	ASSERT_OK(mkdir("x/y", 0755));
	ASSERT_OK(test_write_file("x/f", "x"));
	ASSERT_OK(stat("x/f", &a));
	ASSERT_OK(stat("./x/y/.././y/../f", &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
}

/* ".." after a symlink to a directory goes to the target's parent, not
 * back to where the link is. */
TEST(dotdot_after_a_symlink_is_the_targets_parent)
{
	struct stat st;

	ASSERT_OK(mkdir("a", 0755));
	ASSERT_OK(mkdir("a/b", 0755));
	ASSERT_OK(test_write_file("a/marker", ""));
	ASSERT_OK(symlink("a/b", "link"));
	EXPECT_OK(stat("link/../marker", &st));
}

TEST(dirfd_relative_lookups_survive_chdir)
{
	int dfd, fd;

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(test_write_file("d/f", "x"));
	ASSERT_OK(dfd = open("d", O_RDONLY | O_DIRECTORY));
	ASSERT_OK(chdir("/"));
	EXPECT_OK(fd = openat(dfd, "f", O_RDONLY));
	close(fd);
	close(dfd);
}
