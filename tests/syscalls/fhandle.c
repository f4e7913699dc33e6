/* name_to_handle_at and open_by_handle_at (Linux's fs/fhandle.c): the
 * argument checks every filesystem shares. Whether a filesystem exports
 * handles is its own choice: one that does gives a handle that opens the
 * file again, one that does not fails with EOPNOTSUPP. */
#define TEST_WORKDIR
#include "test.h"

#include <linux/capability.h>

struct handle {
	struct file_handle fh;
	unsigned char bytes[MAX_HANDLE_SZ];
};

TEST(name_to_handle_at_errors)
{
	struct handle h = { .fh.handle_bytes = MAX_HANDLE_SZ };
	int mnt;
	ASSERT_OK(test_write_file("f", "x"));
	EXPECT_ERRNO(name_to_handle_at(AT_FDCWD, "f", &h.fh, &mnt, 0x8000), EINVAL);
	EXPECT_ERRNO(name_to_handle_at(AT_FDCWD, "missing", &h.fh, &mnt, 0), ENOENT);
	EXPECT_ERRNO(name_to_handle_at(AT_FDCWD, "", &h.fh, &mnt, 0), ENOENT);
	EXPECT_ERRNO(name_to_handle_at(-5, "f", &h.fh, &mnt, 0), EBADF);
	EXPECT_ERRNO(name_to_handle_at(AT_FDCWD, "f/x", &h.fh, &mnt, 0), ENOTDIR);
}

TEST(name_to_handle_at_result)
{
	struct handle h = { .fh.handle_bytes = MAX_HANDLE_SZ };
	int mnt;
	ASSERT_OK(test_write_file("f", "hello"));
	int r = name_to_handle_at(AT_FDCWD, "f", &h.fh, &mnt, AT_SYMLINK_FOLLOW);
	int err = errno;
	if (r < 0) {
		/* A filesystem without export support. */
		EXPECT_EQ(err, EOPNOTSUPP);
		return;
	}
	EXPECT_GE((int)h.fh.handle_bytes, 1);
	int fd = open_by_handle_at(AT_FDCWD, &h.fh, O_RDONLY);
	ASSERT_OK(fd);
	char buf[8] = { 0 };
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 5);
	EXPECT_STREQ(buf, "hello");
	close(fd);
}

TEST(open_by_handle_at_errors)
{
	struct handle h = { .fh.handle_bytes = 8, .fh.handle_type = 1 };
	EXPECT_ERRNO(open_by_handle_at(-5, &h.fh, O_RDONLY), EBADF);
	EXPECT_ERRNO(open_by_handle_at(AT_FDCWD, test_bad_ptr(), O_RDONLY), EFAULT);
	h.fh.handle_bytes = 0;
	EXPECT_ERRNO(open_by_handle_at(AT_FDCWD, &h.fh, O_RDONLY), EINVAL);
	h.fh.handle_bytes = MAX_HANDLE_SZ + 1;
	EXPECT_ERRNO(open_by_handle_at(AT_FDCWD, &h.fh, O_RDONLY), EINVAL);
	h.fh.handle_bytes = 8;
	h.fh.handle_type = -1;
	EXPECT_ERRNO(open_by_handle_at(AT_FDCWD, &h.fh, O_RDONLY), EINVAL);
	/* Inode 0 exists nowhere: a stale handle. */
	h.fh.handle_type = 1;
	EXPECT_ERRNO(open_by_handle_at(AT_FDCWD, &h.fh, O_RDONLY), ESTALE);
}

static void drop_dac_read_search(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &hdr, d) != 0)
		_exit(2);
	d[0].effective &= ~(1u << CAP_DAC_READ_SEARCH);
	if (syscall(SYS_capset, &hdr, d) != 0)
		_exit(3);
	struct handle h = { .fh.handle_bytes = 8, .fh.handle_type = 1 };
	_exit(open_by_handle_at(AT_FDCWD, &h.fh, O_RDONLY) == -1 && errno == EPERM ? 0 : 1);
}

TEST(open_by_handle_at_needs_capability)
{
	if (geteuid() != 0)
		SKIP("needs root for CAP_DAC_READ_SEARCH");
	pid_t pid = test_fork();
	if (pid == 0)
		drop_dac_read_search();
	EXPECT_EQ(test_wait(pid, 0), 0);
}
