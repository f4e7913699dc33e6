/* name_to_handle_at and open_by_handle_at (Linux's fs/fhandle.c): the
 * argument checks every filesystem shares. Whether a filesystem exports
 * handles is its own choice: one that does gives a handle that opens the
 * file again, one that does not fails with EOPNOTSUPP. AT_HANDLE_FID
 * (Linux 6.5) identifiers work on every filesystem. */
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

#ifndef AT_HANDLE_FID
#define AT_HANDLE_FID 0x200	/* newer than the uapi headers here */
#endif

/* The AT_HANDLE_FID handle of PATH into H (sized by H's handle_bytes). */
static int fid_of(const char *path, struct handle *h, int *mnt)
{
	h->fh.handle_bytes = MAX_HANDLE_SZ;
	return name_to_handle_at(AT_FDCWD, path, &h->fh, mnt, AT_HANDLE_FID);
}

TEST(name_to_handle_at_fid)
{
	struct handle h = { .fh.handle_bytes = 0 }, h2, h3;
	int mnt = -1;
	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(test_write_file("g", "x"));
	ASSERT_OK(link("f", "f2"));
	int r = name_to_handle_at(AT_FDCWD, "f", &h.fh, &mnt, AT_HANDLE_FID);
	if (r < 0 && errno == EINVAL)
		SKIP("no AT_HANDLE_FID (Linux before 6.5)");
	/* Too small: the size needed, EOVERFLOW, and the mount id. */
	EXPECT_EQ(r, -1);
	EXPECT_EQ(h.fh.handle_type, 0xff);
	unsigned need = h.fh.handle_bytes;
	EXPECT_GE(need, 4u);
	EXPECT_LE(need, (unsigned)MAX_HANDLE_SZ);
	struct statx stx;
	ASSERT_OK(statx(AT_FDCWD, "f", 0, STATX_MNT_ID, &stx));
	EXPECT_EQ((uint64_t)mnt, stx.stx_mnt_id);
	h.fh.handle_bytes = need;
	EXPECT_OK(name_to_handle_at(AT_FDCWD, "f", &h.fh, &mnt, AT_HANDLE_FID));
	EXPECT_EQ(h.fh.handle_bytes, need);
	/* One file, one identifier, whatever its name; another file, another. */
	EXPECT_OK(fid_of("f2", &h2, &mnt));
	EXPECT_OK(fid_of("g", &h3, &mnt));
	EXPECT_EQ(h2.fh.handle_bytes, need);
	EXPECT_EQ(h2.fh.handle_type, h.fh.handle_type);
	EXPECT_TRUE(memcmp(h.bytes, h2.bytes, need) == 0);
	EXPECT_TRUE(memcmp(h.bytes, h3.bytes, need) != 0);
	h.fh.handle_bytes = MAX_HANDLE_SZ + 1;
	EXPECT_ERRNO(name_to_handle_at(AT_FDCWD, "f", &h.fh, &mnt, AT_HANDLE_FID), EINVAL);
	EXPECT_ERRNO(name_to_handle_at(AT_FDCWD, "f", test_bad_ptr(), &mnt, AT_HANDLE_FID),
		     EFAULT);
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
