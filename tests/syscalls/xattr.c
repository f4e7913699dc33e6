/* Extended attributes: get/set/list/remove and the l* and f* forms,
 * XATTR_CREATE/XATTR_REPLACE, the ENODATA/ERANGE/E2BIG rules, user.* only
 * on files and directories, trusted.* for root, and filesystems with none
 * (/proc). Runs in a scratch directory (tmpfs or overlay inside, the
 * host's filesystem natively: skipped if it has no user xattrs). */
#define TEST_WORKDIR
#include "test.h"

#include <sys/xattr.h>

/* Whether NAME is in the NUL-separated LIST of SIZE bytes. */
static bool listed(const char *list, ssize_t size, const char *name)
{
	for (ssize_t i = 0; i < size; i += (ssize_t)strlen(list + i) + 1)
		if (!strcmp(list + i, name))
			return true;
	return false;
}

static bool have_user_xattrs(void)
{
	int fd = open("probe", O_RDWR | O_CREAT, 0644);
	int r = fsetxattr(fd, "user.probe", "", 0, 0);
	close(fd);
	unlink("probe");
	return r == 0;
}

TEST(set_get_list_remove)
{
	if (!have_user_xattrs())
		SKIP("no user xattrs here");
	char buf[64] = "";
	ASSERT_OK(test_write_file("f", ""));
	EXPECT_OK(setxattr("f", "user.a", "hello", 5, 0));
	EXPECT_EQ(getxattr("f", "user.a", NULL, 0), 5);
	EXPECT_ERRNO(getxattr("f", "user.a", buf, 4), ERANGE);
	EXPECT_EQ(getxattr("f", "user.a", buf, sizeof(buf)), 5);
	EXPECT_MEMEQ(buf, "hello", 5);
	EXPECT_ERRNO(getxattr("f", "user.none", buf, sizeof(buf)), ENODATA);

	EXPECT_ERRNO(setxattr("f", "user.a", "x", 1, XATTR_CREATE), EEXIST);
	EXPECT_ERRNO(setxattr("f", "user.b", "x", 1, XATTR_REPLACE), ENODATA);
	EXPECT_OK(setxattr("f", "user.a", "bye", 3, XATTR_REPLACE));
	EXPECT_EQ(getxattr("f", "user.a", buf, sizeof(buf)), 3);
	EXPECT_MEMEQ(buf, "bye", 3);
	EXPECT_OK(setxattr("f", "user.empty", "", 0, XATTR_CREATE));
	EXPECT_EQ(getxattr("f", "user.empty", buf, sizeof(buf)), 0);

	char list[256];
	ssize_t n = listxattr("f", NULL, 0);
	EXPECT_GE(n, (ssize_t)sizeof("user.a") + (ssize_t)sizeof("user.empty"));
	EXPECT_ERRNO(listxattr("f", list, 3), ERANGE);
	ssize_t m = listxattr("f", list, sizeof(list));
	EXPECT_EQ(m, n);
	EXPECT_TRUE(listed(list, m, "user.a"));
	EXPECT_TRUE(listed(list, m, "user.empty"));

	EXPECT_OK(removexattr("f", "user.a"));
	EXPECT_ERRNO(getxattr("f", "user.a", buf, sizeof(buf)), ENODATA);
	EXPECT_ERRNO(removexattr("f", "user.a"), ENODATA);
	m = listxattr("f", list, sizeof(list));
	EXPECT_TRUE(!listed(list, m, "user.a"));
}

TEST(name_and_size_errors)
{
	if (!have_user_xattrs())
		SKIP("no user xattrs here");
	ASSERT_OK(test_write_file("f", ""));
	char name[300];
	memset(name, 'n', sizeof(name) - 1);
	memcpy(name, "user.", 5);
	name[sizeof(name) - 1] = 0;
	EXPECT_ERRNO(setxattr("f", name, "x", 1, 0), ERANGE);
	EXPECT_ERRNO(getxattr("f", name, NULL, 0), ERANGE);
	EXPECT_ERRNO(setxattr("f", "", "x", 1, 0), ERANGE);
	EXPECT_ERRNO(setxattr("f", "bogus.a", "x", 1, 0), EOPNOTSUPP);
	EXPECT_ERRNO(getxattr("f", "bogus.a", NULL, 0), EOPNOTSUPP);
	EXPECT_ERRNO(setxattr("f", "user.a", "x", 1, 4), EINVAL);
	static char big[65537];
	EXPECT_ERRNO(setxattr("f", "user.a", big, sizeof(big), 0), E2BIG);
	EXPECT_ERRNO(setxattr("f", "user.a", test_bad_ptr(), 1, 0), EFAULT);
	EXPECT_ERRNO(setxattr("nonexistent", "user.a", "x", 1, 0), ENOENT);
	EXPECT_ERRNO(getxattr("nonexistent", "user.a", NULL, 0), ENOENT);
}

/* user.* xattrs are for regular files and directories: a symlink itself
 * takes none (l* forms), the others follow it. */
TEST(symlinks_and_directories)
{
	if (!have_user_xattrs())
		SKIP("no user xattrs here");
	char buf[16];
	ASSERT_OK(test_write_file("f", ""));
	ASSERT_OK(symlink("f", "l"));
	ASSERT_OK(mkdir("d", 0755));
	EXPECT_OK(setxattr("l", "user.via", "1", 1, 0));
	EXPECT_EQ(getxattr("f", "user.via", buf, sizeof(buf)), 1);
	EXPECT_ERRNO(lsetxattr("l", "user.x", "1", 1, 0), EPERM);
	EXPECT_ERRNO(lgetxattr("l", "user.via", buf, sizeof(buf)), ENODATA);
	EXPECT_EQ(llistxattr("l", NULL, 0), 0);
	EXPECT_ERRNO(lremovexattr("l", "user.via"), EPERM);
	EXPECT_OK(lsetxattr("d", "user.dir", "dd", 2, 0));
	EXPECT_EQ(lgetxattr("d", "user.dir", buf, sizeof(buf)), 2);
	EXPECT_OK(removexattr("d", "user.dir"));
}

TEST(fd_forms)
{
	if (!have_user_xattrs())
		SKIP("no user xattrs here");
	char buf[16], list[64];
	int fd = open("f", O_RDWR | O_CREAT, 0644);
	ASSERT_OK(fd);
	EXPECT_OK(fsetxattr(fd, "user.fd", "v", 1, 0));
	EXPECT_EQ(fgetxattr(fd, "user.fd", buf, sizeof(buf)), 1);
	ssize_t n = flistxattr(fd, list, sizeof(list));
	EXPECT_TRUE(listed(list, n, "user.fd"));
	EXPECT_OK(fremovexattr(fd, "user.fd"));
	EXPECT_ERRNO(fgetxattr(fd, "user.fd", buf, sizeof(buf)), ENODATA);
	/* Read-only opens may set xattrs (permission is the inode's). */
	int ro = open("f", O_RDONLY);
	EXPECT_OK(fsetxattr(ro, "user.ro", "v", 1, 0));
	close(ro);
	int p = open("f", O_PATH);
	EXPECT_ERRNO(fgetxattr(p, "user.ro", buf, sizeof(buf)), EBADF);
	EXPECT_ERRNO(fsetxattr(p, "user.ro", "v", 1, 0), EBADF);
	EXPECT_ERRNO(flistxattr(p, NULL, 0), EBADF);
	EXPECT_ERRNO(fgetxattr(-1, "user.ro", buf, sizeof(buf)), EBADF);
	close(p);
	close(fd);
}

/* trusted.* needs CAP_SYS_ADMIN: root has it. */
TEST(trusted_namespace_for_root)
{
	if (!have_user_xattrs())
		SKIP("no user xattrs here");
	if (geteuid() != 0)
		SKIP("not root");
	char buf[16], list[128];
	ASSERT_OK(test_write_file("f", ""));
	if (setxattr("f", "trusted.t", "tt", 2, 0) && errno == EPERM)
		SKIP("no CAP_SYS_ADMIN");
	EXPECT_EQ(getxattr("f", "trusted.t", buf, sizeof(buf)), 2);
	ssize_t n = listxattr("f", list, sizeof(list));
	EXPECT_TRUE(listed(list, n, "trusted.t"));
	EXPECT_OK(removexattr("f", "trusted.t"));
}

/* A user without CAP_SYS_ADMIN cannot see or set trusted.*, and needs
 * write permission for user.*. */
TEST(unprivileged_rules)
{
	if (!have_user_xattrs())
		SKIP("no user xattrs here");
	if (geteuid() != 0)
		SKIP("not root");
	ASSERT_OK(test_write_file("f", ""));
	ASSERT_OK(chmod("f", 0644));
	ASSERT_OK(chmod(".", 0777));
	pid_t pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(10);
		char buf[8];
		if (setxattr("f", "trusted.x", "1", 1, 0) == 0 || errno != EPERM)
			_exit(1);
		if (getxattr("f", "trusted.x", buf, sizeof(buf)) >= 0 || errno != ENODATA)
			_exit(2);
		if (setxattr("f", "user.x", "1", 1, 0) == 0 || errno != EACCES)
			_exit(3);
		_exit(0);
	}
	int st;
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 10)
		SKIP("cannot change uid");
	EXPECT_EQ(WEXITSTATUS(st), 0);
}

/* procfs keeps no xattrs: what ls -l asks for is simply absent. */
TEST(proc_has_none)
{
	char buf[64];
	EXPECT_ERRNO(lgetxattr("/proc", "security.selinux", buf, sizeof(buf)), EOPNOTSUPP);
	EXPECT_ERRNO(lgetxattr("/proc/self/status", "system.posix_acl_access", buf, sizeof(buf)),
		     EOPNOTSUPP);
	EXPECT_OK(llistxattr("/proc/self/status", NULL, 0));
}

/* Files of the host's root have no user xattrs to show. */
TEST(host_files_have_none)
{
	char buf[16];
	EXPECT_ERRNO(getxattr("/etc/passwd", "user.cvisor_none", buf, sizeof(buf)), ENODATA);
}
