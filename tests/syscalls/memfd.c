/* memfd_create: flags, names, I/O, /proc/self/fd, shared and private
 * mappings, and file seals (F_ADD_SEALS/F_GET_SEALS). */
#include "test.h"

#include <sys/mman.h>

static int memfd(const char *name, unsigned flags)
{
	return (int)syscall(SYS_memfd_create, name, flags);
}

TEST(create_flags_and_name)
{
	int fd = memfd("test", MFD_CLOEXEC);
	ASSERT_OK(fd);
	EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	char link[64], target[128] = "";
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	EXPECT_OK(readlink(link, target, sizeof(target) - 1));
	EXPECT_STREQ(target, "/memfd:test (deleted)");
	struct stat st;
	EXPECT_OK(fstat(fd, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_size, 0);
	EXPECT_EQ(st.st_nlink, 0);
	close(fd);

	fd = memfd("x", 0);
	ASSERT_OK(fd);
	EXPECT_EQ(fcntl(fd, F_GETFD), 0);
	close(fd);
	EXPECT_ERRNO(memfd("x", 0x100), EINVAL);
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	EXPECT_ERRNO(memfd(longname, 0), EINVAL);
	longname[249] = 0;
	fd = memfd(longname, 0);
	EXPECT_OK(fd);
	close(fd);
	EXPECT_ERRNO(memfd(test_bad_ptr(), 0), EFAULT);
}

TEST(read_write_truncate)
{
	int fd = memfd("rw", 0);
	char buf[16] = "";
	ASSERT_OK(fd);
	EXPECT_EQ(write(fd, "hello", 5), 5);
	EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), 5);
	EXPECT_MEMEQ(buf, "hello", 5);
	EXPECT_OK(ftruncate(fd, 8192));
	struct stat st;
	EXPECT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 8192);
	close(fd);
}

/* MAP_SHARED pages are the file's: a store shows in read(), and a write()
 * shows in the mapping; a second mapping sees both. */
TEST(shared_mapping_shares_pages)
{
	int fd = memfd("map", 0);
	ASSERT_OK(fd);
	ASSERT_OK(ftruncate(fd, 4096));
	char *a = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *b = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_TRUE(a != MAP_FAILED);
	ASSERT_TRUE(b != MAP_FAILED);
	memcpy(a, "mapped", 6);
	char buf[8] = "";
	EXPECT_EQ(pread(fd, buf, 6, 0), 6);
	EXPECT_MEMEQ(buf, "mapped", 6);
	EXPECT_EQ(pwrite(fd, "XY", 2, 100), 2);
	EXPECT_MEMEQ(a + 100, "XY", 2);
	EXPECT_MEMEQ(b, "mapped", 6);
	/* A private mapping copies on write. */
	char *c = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_TRUE(c != MAP_FAILED);
	c[0] = 'Z';
	EXPECT_EQ(a[0], 'm');
	munmap(a, 4096);
	munmap(b, 4096);
	munmap(c, 4096);
	close(fd);
}

/* A shared mapping survives fork: parent and child see each other. */
TEST(shared_mapping_across_fork)
{
	int fd = memfd("fork", 0);
	ASSERT_OK(fd);
	ASSERT_OK(ftruncate(fd, 4096));
	volatile char *a = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(a != MAP_FAILED);
	pid_t pid = fork();
	if (pid == 0) {
		a[0] = 'c';
		_exit(0);
	}
	int st;
	EXPECT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(a[0], 'c');
	munmap((void *)a, 4096);
	close(fd);
}

TEST(seals_need_allow_sealing)
{
	int fd = memfd("noseal", 0);
	ASSERT_OK(fd);
	EXPECT_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL);
	EXPECT_ERRNO(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
	close(fd);
	/* Not a shmem file. */
	int p[2];
	ASSERT_OK(pipe(p));
	EXPECT_ERRNO(fcntl(p[0], F_GET_SEALS), EINVAL);
	close(p[0]);
	close(p[1]);
}

TEST(seal_shrink_and_grow)
{
	int fd = memfd("sg", MFD_ALLOW_SEALING);
	ASSERT_OK(fd);
	EXPECT_EQ(fcntl(fd, F_GET_SEALS), 0);
	ASSERT_EQ(write(fd, "0123456789", 10), 10);
	EXPECT_ERRNO(fcntl(fd, F_ADD_SEALS, 0x100), EINVAL);
	EXPECT_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	EXPECT_ERRNO(ftruncate(fd, 5), EPERM);
	EXPECT_OK(ftruncate(fd, 20));
	EXPECT_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	EXPECT_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW);
	EXPECT_ERRNO(ftruncate(fd, 21), EPERM);
	EXPECT_OK(ftruncate(fd, 20));
	/* Writing inside the size is fine; a write that would extend it is
	 * refused from the page that would. */
	EXPECT_EQ(pwrite(fd, "ab", 2, 0), 2);
	EXPECT_ERRNO(pwrite(fd, "abcd", 4, 18), EPERM);
	EXPECT_ERRNO(pwrite(fd, "ab", 2, 20), EPERM);
	close(fd);
}

TEST(seal_write_and_seal_seal)
{
	int fd = memfd("w", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	ASSERT_OK(fd);
	ASSERT_OK(ftruncate(fd, 4096));
	EXPECT_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	EXPECT_ERRNO(write(fd, "x", 1), EPERM);
	EXPECT_ERRNO(pwrite(fd, "x", 1, 0), EPERM);
	EXPECT_TRUE(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
		    errno == EPERM);
	void *r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_TRUE(r != MAP_FAILED);
	munmap(r, 4096);
	void *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	EXPECT_TRUE(priv != MAP_FAILED);
	munmap(priv, 4096);
	EXPECT_OK(ftruncate(fd, 8192));	/* no SHRINK/GROW seal */
	EXPECT_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	EXPECT_ERRNO(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), EPERM);
	EXPECT_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_WRITE | F_SEAL_SEAL);
	close(fd);
}

/* Adding seals needs a writable file: a read-only reopen through
 * /proc/self/fd cannot. */
TEST(add_seals_needs_write_access)
{
	int fd = memfd("ro", MFD_ALLOW_SEALING);
	ASSERT_OK(fd);
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	int ro = open(link, O_RDONLY);
	if (ro < 0) {
		close(fd);
		SKIP("reopen through /proc/self/fd");
	}
	EXPECT_ERRNO(fcntl(ro, F_ADD_SEALS, F_SEAL_GROW), EPERM);
	EXPECT_EQ(fcntl(ro, F_GET_SEALS), 0);
	close(ro);
	close(fd);
}
