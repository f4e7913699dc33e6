/* Names: link/linkat, symlink/symlinkat, readlink/readlinkat,
 * unlink/unlinkat, rename/renameat/renameat2, and symlink loops. */
#define TEST_WORKDIR
#include "test.h"

#include <linux/fs.h>   /* RENAME_* for the raw renameat2 */

static long raw_renameat2(int olddirfd, const char *oldpath, int newdirfd,
			  const char *newpath, unsigned int flags)
{
	return syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath,
		       flags);
}

static ino_t inode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) < 0 ? 0 : st.st_ino;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Reads a whole small file into a static buffer; "" on error. */
static const char *contents_of(const char *path)
{
	static char buf[256];

	if (test_read_file(path, buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	return buf;
}

/* --- link, linkat --- */

TEST(link_makes_a_second_name_for_the_same_inode)
{
	struct stat st;

	ASSERT_OK(test_write_file("f", "shared"));
	ASSERT_OK(link("f", "g"));
	EXPECT_EQ(inode_of("g"), inode_of("f"));
	ASSERT_OK(stat("g", &st));
	EXPECT_EQ(st.st_nlink, 2);
	ASSERT_OK(test_write_file("g", "changed"));
	EXPECT_STREQ(contents_of("f"), "changed");
}

TEST(link_errors)
{
	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(test_write_file("g", "y"));
	ASSERT_OK(mkdir("d", 0755));
	EXPECT_ERRNO(link("f", "g"), EEXIST);
	EXPECT_ERRNO(link("missing", "h"), ENOENT);
	EXPECT_ERRNO(link("f", "missing/h"), ENOENT);
	/* link(2): EPERM "oldpath is a directory." */
	EXPECT_ERRNO(link("d", "d2"), EPERM);
}

/* linkat(2): "By default, linkat(), does not dereference oldpath if it is
 * a symbolic link"; AT_SYMLINK_FOLLOW makes it do so. */
TEST(linkat_links_the_symlink_itself_unless_at_symlink_follow)
{
	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(symlink("f", "link"));
	ASSERT_OK(linkat(AT_FDCWD, "link", AT_FDCWD, "nofollow", 0));
	EXPECT_EQ(inode_of("nofollow"), inode_of("link"));
	ASSERT_OK(linkat(AT_FDCWD, "link", AT_FDCWD, "follow",
			 AT_SYMLINK_FOLLOW));
	EXPECT_EQ(inode_of("follow"), inode_of("f"));
}

TEST(linkat_resolves_relative_to_dirfds)
{
	int a, b;

	ASSERT_OK(mkdir("a", 0755));
	ASSERT_OK(mkdir("b", 0755));
	ASSERT_OK(test_write_file("a/f", "x"));
	ASSERT_OK(a = open("a", O_RDONLY | O_DIRECTORY));
	ASSERT_OK(b = open("b", O_RDONLY | O_DIRECTORY));
	EXPECT_OK(linkat(a, "f", b, "g", 0));
	EXPECT_EQ(inode_of("b/g"), inode_of("a/f"));
	EXPECT_ERRNO(linkat(a, "f", b, "g", 0x40000000), EINVAL);
	close(a);
	close(b);
}

/* --- symlink, symlinkat, readlink, readlinkat --- */

TEST(symlink_stores_any_target_even_a_dangling_one)
{
	char buf[64];

	ASSERT_OK(symlink("does/not/exist", "link"));
	EXPECT_EQ(readlink("link", buf, sizeof(buf)), 14);
	EXPECT_MEMEQ(buf, "does/not/exist", 14);
}

TEST(symlink_errors)
{
	ASSERT_OK(test_write_file("f", "x"));
	EXPECT_ERRNO(symlink("anything", "f"), EEXIST);
	EXPECT_ERRNO(symlink("anything", "missing/link"), ENOENT);
	/* symlink(2): ENOENT "target is an empty string." */
	EXPECT_ERRNO(symlink("", "link"), ENOENT);
}

TEST(symlinkat_creates_relative_to_dirfd)
{
	char buf[16];
	int dfd;

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(dfd = open("d", O_RDONLY | O_DIRECTORY));
	EXPECT_OK(symlinkat("target", dfd, "link"));
	EXPECT_EQ(readlink("d/link", buf, sizeof(buf)), 6);
	close(dfd);
}

/* Relative symlink targets resolve from the link's directory, not the
 * cwd. */
TEST(relative_symlink_resolves_from_its_own_directory)
{
	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(test_write_file("d/f", "in d"));
	ASSERT_OK(test_write_file("f", "in cwd"));
	ASSERT_OK(symlink("f", "d/link"));
	EXPECT_STREQ(contents_of("d/link"), "in d");
}

TEST(absolute_symlink_resolves_from_the_root)
{
	char target[PATH_MAX + 8];

	ASSERT_OK(test_write_file("f", "absolute"));
	snprintf(target, sizeof(target), "%s/f", test_workdir());
	ASSERT_OK(symlink(target, "link"));
	EXPECT_STREQ(contents_of("link"), "absolute");
}

/* readlink(2): "readlink() does not append a terminating null byte". */
TEST(readlink_does_not_nul_terminate)
{
	char buf[16];

	ASSERT_OK(symlink("abc", "link"));
	memset(buf, 'X', sizeof(buf));
	EXPECT_EQ(readlink("link", buf, sizeof(buf)), 3);
	EXPECT_MEMEQ(buf, "abcX", 4);
}

/* readlink(2): "It will (silently) truncate the contents (to a length of
 * bufsiz characters), in case the buffer is too small". */
TEST(readlink_truncates_to_bufsiz)
{
	char buf[8];

	ASSERT_OK(symlink("0123456789", "link"));
	memset(buf, 'X', sizeof(buf));
	EXPECT_EQ(readlink("link", buf, 4), 4);
	EXPECT_MEMEQ(buf, "0123XXXX", 8);
}

TEST(readlink_errors)
{
	char buf[16];

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(symlink("f", "link"));
	/* readlink(2): EINVAL "The named file is not a symbolic link" and
	 * "bufsiz is not positive". */
	EXPECT_ERRNO(readlink("f", buf, sizeof(buf)), EINVAL);
	EXPECT_ERRNO(readlink(".", buf, sizeof(buf)), EINVAL);
	EXPECT_ERRNO(syscall(SYS_readlink, "link", buf, 0), EINVAL);
	EXPECT_ERRNO(readlink("missing", buf, sizeof(buf)), ENOENT);
	EXPECT_ERRNO(readlink("link", test_bad_ptr(), sizeof(buf)), EFAULT);
}

TEST(readlink_follows_symlinks_in_the_directory_part)
{
	char buf[16];

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(symlink("target", "d/link"));
	ASSERT_OK(symlink("d", "dlink"));
	EXPECT_EQ(readlink("dlink/link", buf, sizeof(buf)), 6);
	EXPECT_MEMEQ(buf, "target", 6);
}

/* readlinkat(2): "If pathname is an empty string, the call operates on the
 * symbolic link referred to by dirfd (which should have been obtained
 * using open(2) with the O_PATH and O_NOFOLLOW flags)." */
TEST(readlinkat_relative_to_dirfd_and_with_empty_path)
{
	char buf[16];
	int dfd, lfd;

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(symlink("target", "d/link"));
	ASSERT_OK(dfd = open("d", O_RDONLY | O_DIRECTORY));
	EXPECT_EQ(readlinkat(dfd, "link", buf, sizeof(buf)), 6);
	close(dfd);
	ASSERT_OK(lfd = open("d/link", O_PATH | O_NOFOLLOW));
	EXPECT_EQ(readlinkat(lfd, "", buf, sizeof(buf)), 6);
	EXPECT_MEMEQ(buf, "target", 6);
	close(lfd);
}

/* --- unlink, unlinkat --- */

TEST(unlink_removes_the_name_only)
{
	ASSERT_OK(test_write_file("f", "data"));
	ASSERT_OK(link("f", "g"));
	EXPECT_OK(unlink("f"));
	EXPECT_TRUE(!exists("f"));
	EXPECT_STREQ(contents_of("g"), "data");
}

TEST(unlink_of_a_symlink_removes_the_link_not_the_target)
{
	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(symlink("f", "link"));
	EXPECT_OK(unlink("link"));
	EXPECT_TRUE(!exists("link"));
	EXPECT_TRUE(exists("f"));
}

/* unlink(2): EISDIR "pathname refers to a directory. (This is the
 * non-POSIX value returned since Linux 2.1.132.)" */
TEST(unlink_of_a_directory_is_eisdir)
{
	ASSERT_OK(mkdir("d", 0755));
	EXPECT_ERRNO(unlink("d"), EISDIR);
}

TEST(unlink_errors)
{
	ASSERT_OK(test_write_file("f", "x"));
	EXPECT_ERRNO(unlink("missing"), ENOENT);
	EXPECT_ERRNO(unlink("f/x"), ENOTDIR);
	EXPECT_ERRNO(unlink(""), ENOENT);
}

TEST(unlinkat_at_removedir_removes_a_directory)
{
	int dfd;

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(mkdir("d/sub", 0755));
	ASSERT_OK(test_write_file("d/f", "x"));
	ASSERT_OK(dfd = open("d", O_RDONLY | O_DIRECTORY));
	EXPECT_OK(unlinkat(dfd, "sub", AT_REMOVEDIR));
	EXPECT_TRUE(!exists("d/sub"));
	EXPECT_OK(unlinkat(dfd, "f", 0));
	EXPECT_TRUE(!exists("d/f"));
	close(dfd);
}

TEST(unlinkat_errors)
{
	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(test_write_file("d/f", "x"));
	EXPECT_ERRNO(unlinkat(AT_FDCWD, "f", AT_REMOVEDIR), ENOTDIR);
	EXPECT_ERRNO(unlinkat(AT_FDCWD, "d", AT_REMOVEDIR), ENOTEMPTY);
	EXPECT_ERRNO(unlinkat(AT_FDCWD, "d", 0), EISDIR);
	/* unlinkat(2): EINVAL "An invalid flag value was specified". */
	EXPECT_ERRNO(unlinkat(AT_FDCWD, "f", 0x40000000), EINVAL);
	EXPECT_ERRNO(unlinkat(9999, "f", 0), EBADF);
}

/* --- rename, renameat, renameat2 --- */

TEST(rename_moves_a_file)
{
	ino_t ino;

	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(test_write_file("f", "moved"));
	ino = inode_of("f");
	EXPECT_OK(rename("f", "d/g"));
	EXPECT_TRUE(!exists("f"));
	EXPECT_EQ(inode_of("d/g"), ino);
	EXPECT_STREQ(contents_of("d/g"), "moved");
}

/* rename(2): "If newpath already exists, it will be atomically replaced";
 * an fd open on the replaced file still reads the old data. */
TEST(rename_replaces_an_existing_file)
{
	char buf[8] = { 0 };
	int fd;

	ASSERT_OK(test_write_file("old", "new data"));
	ASSERT_OK(test_write_file("victim", "victim"));
	ASSERT_OK(fd = open("victim", O_RDONLY));
	EXPECT_OK(rename("old", "victim"));
	EXPECT_STREQ(contents_of("victim"), "new data");
	EXPECT_TRUE(!exists("old"));
	EXPECT_EQ(read(fd, buf, sizeof(buf) - 1), 6);
	EXPECT_STREQ(buf, "victim");
	close(fd);
}

/* rename(2): "If oldpath and newpath are existing hard links referring to
 * the same file, then rename() does nothing, and returns a success
 * status." Both names remain. */
TEST(rename_between_hard_links_of_one_file_does_nothing)
{
	ASSERT_OK(test_write_file("a", "x"));
	ASSERT_OK(link("a", "b"));
	EXPECT_OK(rename("a", "b"));
	EXPECT_TRUE(exists("a"));
	EXPECT_TRUE(exists("b"));
	EXPECT_OK(rename("a", "a"));
	EXPECT_TRUE(exists("a"));
}

TEST(rename_a_directory_onto_an_empty_directory_replaces_it)
{
	ASSERT_OK(mkdir("src", 0755));
	ASSERT_OK(test_write_file("src/f", "x"));
	ASSERT_OK(mkdir("dst", 0755));
	EXPECT_OK(rename("src", "dst"));
	EXPECT_TRUE(!exists("src"));
	EXPECT_TRUE(exists("dst/f"));
}

/* rename(2): ENOTEMPTY or EEXIST "newpath is a nonempty directory"; Linux
 * returns ENOTEMPTY. */
TEST(rename_a_directory_onto_a_non_empty_directory_is_enotempty)
{
	ASSERT_OK(mkdir("src", 0755));
	ASSERT_OK(mkdir("dst", 0755));
	ASSERT_OK(test_write_file("dst/f", "x"));
	EXPECT_ERRNO(rename("src", "dst"), ENOTEMPTY);
}

/* rename(2): EINVAL "an attempt was made to make a directory a
 * subdirectory of itself." */
TEST(rename_a_directory_into_its_own_subdirectory_is_einval)
{
	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(mkdir("d/sub", 0755));
	EXPECT_ERRNO(rename("d", "d/sub/d"), EINVAL);
	EXPECT_ERRNO(rename("d", "d/x"), EINVAL);
}

TEST(rename_type_mismatches)
{
	ASSERT_OK(mkdir("d", 0755));
	ASSERT_OK(test_write_file("f", "x"));
	/* rename(2): EISDIR "newpath is an existing directory, but oldpath is
	 * not a directory"; ENOTDIR "oldpath is a directory, and newpath
	 * exists and is not a directory". */
	EXPECT_ERRNO(rename("f", "d"), EISDIR);
	EXPECT_ERRNO(rename("d", "f"), ENOTDIR);
}

TEST(rename_errors)
{
	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(mkdir("d", 0755));
	EXPECT_ERRNO(rename("missing", "g"), ENOENT);
	EXPECT_ERRNO(rename("f", "missing/g"), ENOENT);
	EXPECT_ERRNO(rename("f/x", "g"), ENOTDIR);
	/* A "." or ".." last component cannot be renamed. */
	EXPECT_ERRNO(rename("d/.", "e"), EBUSY);
}

TEST(rename_of_a_symlink_moves_the_link)
{
	char buf[8];

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(symlink("f", "link"));
	EXPECT_OK(rename("link", "moved"));
	EXPECT_EQ(readlink("moved", buf, sizeof(buf)), 1);
	EXPECT_TRUE(exists("f"));
}

TEST(renameat_resolves_relative_to_dirfds)
{
	int a, b;

	ASSERT_OK(mkdir("a", 0755));
	ASSERT_OK(mkdir("b", 0755));
	ASSERT_OK(test_write_file("a/f", "x"));
	ASSERT_OK(a = open("a", O_RDONLY | O_DIRECTORY));
	ASSERT_OK(b = open("b", O_RDONLY | O_DIRECTORY));
	EXPECT_OK(renameat(a, "f", b, "g"));
	EXPECT_TRUE(exists("b/g"));
	EXPECT_TRUE(!exists("a/f"));
	close(a);
	close(b);
}

/* rename(2): RENAME_NOREPLACE "Don't overwrite newpath of the rename.
 * Return an error if newpath already exists." */
TEST(renameat2_noreplace_on_existing_target_is_eexist)
{
	ASSERT_OK(test_write_file("a", "a"));
	ASSERT_OK(test_write_file("b", "b"));
	EXPECT_ERRNO(raw_renameat2(AT_FDCWD, "a", AT_FDCWD, "b",
				   RENAME_NOREPLACE), EEXIST);
	EXPECT_STREQ(contents_of("b"), "b");
	EXPECT_OK(raw_renameat2(AT_FDCWD, "a", AT_FDCWD, "c",
				RENAME_NOREPLACE));
	EXPECT_STREQ(contents_of("c"), "a");
}

TEST(renameat2_exchange_swaps_two_names)
{
	ASSERT_OK(test_write_file("f", "file"));
	ASSERT_OK(mkdir("d", 0755));
	EXPECT_OK(raw_renameat2(AT_FDCWD, "f", AT_FDCWD, "d", RENAME_EXCHANGE));
	EXPECT_STREQ(contents_of("d"), "file");
	EXPECT_TRUE(exists("f/."));   /* f is now the directory */
	/* rename(2): ENOENT "flags contains RENAME_EXCHANGE and newpath does
	 * not exist." */
	EXPECT_ERRNO(raw_renameat2(AT_FDCWD, "f", AT_FDCWD, "missing",
				   RENAME_EXCHANGE), ENOENT);
}

/* rename(2): EINVAL "Both RENAME_NOREPLACE and RENAME_EXCHANGE were
 * specified" or "An invalid flag was specified in flags". */
TEST(renameat2_invalid_flags_are_einval)
{
	ASSERT_OK(test_write_file("a", "a"));
	ASSERT_OK(test_write_file("b", "b"));
	EXPECT_ERRNO(raw_renameat2(AT_FDCWD, "a", AT_FDCWD, "b",
				   RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
	EXPECT_ERRNO(raw_renameat2(AT_FDCWD, "a", AT_FDCWD, "b", 0x10000),
		     EINVAL);
}

/* --- symlink loops --- */

/* path_resolution(7), open(2) ELOOP: "Too many symbolic links were
 * encountered in resolving pathname." */
TEST(symlink_loop_is_eloop)
{
	struct stat st;

	ASSERT_OK(symlink("b", "a"));
	ASSERT_OK(symlink("a", "b"));
	ASSERT_OK(symlink("self", "self"));
	EXPECT_ERRNO(open("a", O_RDONLY), ELOOP);
	EXPECT_ERRNO(stat("self", &st), ELOOP);
	EXPECT_ERRNO(stat("a/x", &st), ELOOP);
	EXPECT_ERRNO(chdir("self"), ELOOP);
	EXPECT_OK(lstat("a", &st));   /* the link itself is fine */
}

/* Linux follows at most 40 symbolic links in one path resolution. */
TEST(forty_symlinks_resolve_and_forty_one_are_eloop)
{
	char name[16], target[16];
	struct stat st;

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(symlink("f", "l0"));
	for (int i = 1; i <= 40; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		snprintf(target, sizeof(target), "l%d", i - 1);
		ASSERT_OK(symlink(target, name));
	}
	EXPECT_OK(stat("l39", &st));   /* l39 -> ... -> l0 -> f: 40 links */
	EXPECT_ERRNO(stat("l40", &st), ELOOP);
}
