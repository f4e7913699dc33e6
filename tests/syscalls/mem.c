/* Memory: brk, mmap (anonymous and file), munmap, mprotect, mremap,
 * madvise. Whether an address is mapped is checked without faulting:
 * write(2) from it (the kernel reads it) or read(2) into it (the kernel
 * writes it) fails with EFAULT when the access is not allowed. */
#define TEST_WORKDIR
#include "test.h"

#include <sys/mman.h>

static long page_size;

__attribute__((constructor)) static void init_page_size(void)
{
	page_size = sysconf(_SC_PAGESIZE);
}

static long raw_brk(uintptr_t addr)
{
	return syscall(SYS_brk, addr);
}

static uintptr_t page_align_up(uintptr_t addr)
{
	return (addr + page_size - 1) & ~(uintptr_t)(page_size - 1);
}

/* Maps len bytes of fresh private anonymous read-write memory. */
static char *map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Can the kernel read one byte at addr? (write(2) to a file from it) */
static bool kernel_can_read(const void *addr)
{
	int fd = open("probe", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n = write(fd, addr, 1);

	close(fd);
	return n == 1;
}

/* Can the kernel write one byte at addr? (read(2) from a file into it) */
static bool kernel_can_write(void *addr)
{
	int fd;
	ssize_t n;

	if (test_write_file("probe", "P") < 0)
		return false;
	fd = open("probe", O_RDONLY);
	n = read(fd, addr, 1);
	close(fd);
	return n == 1;
}

static bool all_bytes_are(const char *p, size_t len, char value)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != value)
			return false;
	return true;
}

/* x86-64 pages are 4 KiB; glibc learns the size from AT_PAGESZ. */
TEST(page_size_is_4096)
{
	EXPECT_EQ(page_size, 4096);
	EXPECT_EQ(getpagesize(), 4096);
}

/* --- brk --- */

/* brk(2) NOTES: "the actual Linux system call returns the new program
 * break on success. On failure, the system call returns the current
 * break." brk(0) is thus a query. */
TEST(brk_zero_returns_the_current_break)
{
	long cur = raw_brk(0);

	EXPECT_GE(cur, 4096);
	EXPECT_EQ(raw_brk(0), cur);
}

/* The tests below move the break and put it back before doing anything
 * that might allocate (malloc uses the break too). */
TEST(brk_grow_gives_zeroed_writable_memory_and_shrink_returns_it)
{
	const size_t grow = 64 * 1024;
	uintptr_t cur = raw_brk(0);
	long grown, shrunk;
	char *base = (char *)page_align_up(cur);
	bool zero, writable;

	grown = raw_brk(cur + grow);
	zero = grown == (long)(cur + grow) &&
	       all_bytes_are(base, cur + grow - (uintptr_t)base, 0);
	writable = grown == (long)(cur + grow) && kernel_can_write(base);
	if (grown == (long)(cur + grow))
		memset(base, 0x5a, cur + grow - (uintptr_t)base);
	shrunk = raw_brk(cur);

	EXPECT_EQ(grown, cur + grow);
	EXPECT_TRUE(zero);
	EXPECT_TRUE(writable);
	EXPECT_EQ(shrunk, cur);
	EXPECT_EQ(raw_brk(0), cur);
	/* The released pages are gone. */
	EXPECT_TRUE(!kernel_can_read(base + page_size));
}

TEST(brk_memory_is_zero_again_after_shrink_and_regrow)
{
	const size_t grow = 16 * 4096;
	uintptr_t cur = raw_brk(0);
	char *base = (char *)page_align_up(cur);
	size_t len = cur + grow - (uintptr_t)base;
	bool zero = false;

	if (raw_brk(cur + grow) == (long)(cur + grow)) {
		memset(base, 0xa5, len);
		raw_brk(cur);
		if (raw_brk(cur + grow) == (long)(cur + grow))
			zero = all_bytes_are(base, len, 0);
	}
	raw_brk(cur);
	EXPECT_TRUE(zero);
	EXPECT_EQ(raw_brk(0), cur);
}

/* Linux refuses to move the break below where the data segment began and
 * reports failure by returning the unchanged break. */
TEST(brk_below_the_data_segment_fails_returning_the_current_break)
{
	uintptr_t cur = raw_brk(0);

	EXPECT_EQ(raw_brk(1), cur);
	EXPECT_EQ(raw_brk(0), cur);
}

/* The break cannot grow into another mapping. */
TEST(brk_cannot_grow_over_a_mapping)
{
	uintptr_t cur = raw_brk(0);
	void *wall = (void *)page_align_up(cur + (1 << 20));
	void *p = mmap(wall, page_size, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		       -1, 0);

	if (p == MAP_FAILED)
		SKIP("the address above the break is already in use");
	EXPECT_EQ(raw_brk(cur + (2 << 20)), cur);
	EXPECT_OK(munmap(p, page_size));
}

/* --- mmap: anonymous --- */

TEST(mmap_anonymous_private_is_page_aligned_zeroed_and_writable)
{
	const size_t len = 3 * 4096;
	char *p;

	ASSERT_TRUE((p = map_anon(len)) != NULL);
	EXPECT_EQ((uintptr_t)p % page_size, 0);
	EXPECT_TRUE(all_bytes_are(p, len, 0));
	memset(p, 7, len);
	EXPECT_TRUE(all_bytes_are(p, len, 7));
	EXPECT_OK(munmap(p, len));
}

TEST(mmap_anonymous_shared_works)
{
	char *p = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_TRUE(all_bytes_are(p, page_size, 0));
	p[0] = 1;
	EXPECT_EQ(p[0], 1);
	EXPECT_OK(munmap(p, page_size));
}

/* A length that is not a page multiple is rounded up. */
TEST(mmap_length_is_rounded_up_to_pages)
{
	char *p;

	ASSERT_TRUE((p = map_anon(100)) != NULL);
	p[page_size - 1] = 1;
	EXPECT_TRUE(kernel_can_write(p + page_size - 1));
	EXPECT_OK(munmap(p, 100));
	EXPECT_TRUE(!kernel_can_read(p));
}

/* mmap(2) MAP_FIXED: "If the memory region specified by addr and length
 * overlaps pages of any existing mapping(s), then the overlapped part of
 * the existing mapping(s) will be discarded." */
TEST(mmap_fixed_replaces_part_of_a_mapping)
{
	char *p, *q;

	ASSERT_TRUE((p = map_anon(3 * page_size)) != NULL);
	memset(p, 'x', 3 * page_size);
	q = mmap(p + page_size, page_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	EXPECT_TRUE(q == p + page_size);
	EXPECT_TRUE(all_bytes_are(p, page_size, 'x'));
	EXPECT_TRUE(all_bytes_are(p + page_size, page_size, 0));
	EXPECT_TRUE(all_bytes_are(p + 2 * page_size, page_size, 'x'));
	EXPECT_OK(munmap(p, 3 * page_size));
}

/* mmap(2) MAP_FIXED_NOREPLACE: "If the requested range would collide with
 * an existing mapping, then this call fails with the error EEXIST." */
TEST(mmap_fixed_noreplace_over_a_mapping_is_eexist)
{
	char *p;

	ASSERT_TRUE((p = map_anon(2 * page_size)) != NULL);
	EXPECT_ERRNO(mmap(p + page_size, page_size, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			  -1, 0), EEXIST);
	EXPECT_OK(munmap(p, 2 * page_size));
}

TEST(mmap_invalid_arguments)
{
	char *p;

	/* mmap(2) EINVAL: "(since Linux 2.6.12) length was 0." */
	EXPECT_ERRNO(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			  0), EINVAL);
	/* "We don't like addr, length, or offset (e.g., they are too large,
	 * or not aligned on a page boundary)." */
	ASSERT_TRUE((p = map_anon(2 * page_size)) != NULL);
	EXPECT_ERRNO(mmap(p + 1, page_size, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		     EINVAL);
	EXPECT_OK(munmap(p, 2 * page_size));
	/* "flags contained none of MAP_PRIVATE, MAP_SHARED, or
	 * MAP_SHARED_VALIDATE." */
	EXPECT_ERRNO(mmap(NULL, page_size, PROT_READ, MAP_ANONYMOUS, -1, 0),
		     EINVAL);
	/* ENOMEM: more than the address space. */
	EXPECT_ERRNO(mmap(NULL, (size_t)-4096, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
}

/* mmap(2): MAP_SHARED ignores flags it does not know; MAP_SHARED_VALIDATE
 * fails with EOPNOTSUPP on them. */
TEST(mmap_shared_validate_with_unknown_flag_is_eopnotsupp)
{
	const int unknown = 0x1000000;
	char *p;
	int fd;

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(fd = open("f", O_RDONLY));
	EXPECT_ERRNO(mmap(NULL, page_size, PROT_READ,
			  MAP_SHARED_VALIDATE | unknown, fd, 0), EOPNOTSUPP);
	p = mmap(NULL, page_size, PROT_READ, MAP_SHARED | unknown, fd, 0);
	EXPECT_TRUE(p != MAP_FAILED);
	EXPECT_OK(munmap(p, page_size));
	p = mmap(NULL, page_size, PROT_READ, MAP_SHARED_VALIDATE, fd, 0);
	EXPECT_TRUE(p != MAP_FAILED);
	EXPECT_OK(munmap(p, page_size));
	close(fd);
}

/* --- munmap --- */

TEST(munmap_in_the_middle_leaves_the_ends_mapped)
{
	char *p;

	ASSERT_TRUE((p = map_anon(3 * page_size)) != NULL);
	memset(p, 'm', 3 * page_size);
	ASSERT_OK(munmap(p + page_size, page_size));
	EXPECT_TRUE(kernel_can_read(p));
	EXPECT_TRUE(!kernel_can_read(p + page_size));
	EXPECT_TRUE(kernel_can_read(p + 2 * page_size));
	EXPECT_EQ(p[page_size - 1], 'm');
	EXPECT_EQ(p[2 * page_size], 'm');
	EXPECT_OK(munmap(p, 3 * page_size));   /* holes are fine */
}

TEST(write_from_an_unmapped_address_is_efault)
{
	char *p;
	int fd;

	ASSERT_TRUE((p = map_anon(page_size)) != NULL);
	ASSERT_OK(munmap(p, page_size));
	ASSERT_OK(fd = open("f", O_WRONLY | O_CREAT, 0644));
	EXPECT_ERRNO(write(fd, p, 1), EFAULT);
	close(fd);
}

TEST(munmap_invalid_arguments_are_einval)
{
	char *p;

	ASSERT_TRUE((p = map_anon(page_size)) != NULL);
	/* munmap(2): "The address addr must be a multiple of the page
	 * size"; EINVAL "(since Linux 2.6.12) length was 0." */
	EXPECT_ERRNO(munmap(p + 1, page_size), EINVAL);
	EXPECT_ERRNO(munmap(p, 0), EINVAL);
	EXPECT_OK(munmap(p, page_size));
	/* munmap(2): "It is not an error if the indicated range does not
	 * contain any mapped pages." */
	EXPECT_OK(munmap(p, page_size));
}

/* --- mprotect --- */

TEST(prot_none_then_mprotect_read_write)
{
	char *p = mmap(NULL, page_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_TRUE(!kernel_can_read(p));
	EXPECT_TRUE(!kernel_can_write(p));
	ASSERT_OK(mprotect(p, page_size, PROT_READ | PROT_WRITE));
	EXPECT_TRUE(kernel_can_read(p));
	p[0] = 'w';
	EXPECT_EQ(p[0], 'w');
	EXPECT_OK(munmap(p, page_size));
}

/* A read-only page can be the source of write(2) but not the destination
 * of read(2). */
TEST(mprotect_read_only_allows_write_from_and_refuses_read_into)
{
	char *p;
	int fd;

	ASSERT_TRUE((p = map_anon(page_size)) != NULL);
	memcpy(p, "ro", 2);
	ASSERT_OK(mprotect(p, page_size, PROT_READ));
	ASSERT_OK(fd = open("f", O_RDWR | O_CREAT, 0644));
	EXPECT_EQ(write(fd, p, 2), 2);
	EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	EXPECT_ERRNO(read(fd, p, 2), EFAULT);
	EXPECT_EQ(p[0], 'r');
	close(fd);
	EXPECT_OK(munmap(p, page_size));
}

TEST(mprotect_part_of_a_mapping)
{
	char *p;

	ASSERT_TRUE((p = map_anon(3 * page_size)) != NULL);
	ASSERT_OK(mprotect(p + page_size, page_size, PROT_NONE));
	EXPECT_TRUE(kernel_can_write(p));
	EXPECT_TRUE(!kernel_can_read(p + page_size));
	EXPECT_TRUE(kernel_can_write(p + 2 * page_size));
	EXPECT_OK(munmap(p, 3 * page_size));
}

TEST(mprotect_errors)
{
	char *p;

	ASSERT_TRUE((p = map_anon(page_size)) != NULL);
	/* mprotect(2): EINVAL "addr is not a valid pointer, or not a multiple
	 * of the system page size." */
	EXPECT_ERRNO(mprotect(p + 1, page_size, PROT_READ), EINVAL);
	EXPECT_ERRNO(mprotect(p, page_size, 0x1000), EINVAL);
	EXPECT_OK(munmap(p, page_size));
	/* ENOMEM "Addresses in the range [addr, addr+len-1] are invalid for
	 * the address space of the process, or specify one or more pages that
	 * are not mapped." */
	EXPECT_ERRNO(mprotect(p, page_size, PROT_READ), ENOMEM);
}

/* --- mmap: files --- */

TEST(mmap_file_private_reads_contents_and_writes_stay_private)
{
	char buf[8] = { 0 };
	char *p;
	int fd;

	ASSERT_OK(test_write_file("f", "file data"));
	ASSERT_OK(fd = open("f", O_RDONLY));
	p = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_MEMEQ(p, "file data", 9);
	/* mmap(2): "the remaining bytes in the partial page at the end of the
	 * mapping are zeroed when mapped". */
	EXPECT_TRUE(all_bytes_are(p + 9, page_size - 9, 0));
	memcpy(p, "FILE", 4);
	EXPECT_MEMEQ(p, "FILE data", 9);
	EXPECT_EQ(pread(fd, buf, 4, 0), 4);
	EXPECT_STREQ(buf, "file");
	EXPECT_OK(munmap(p, page_size));
	close(fd);
}

/* A MAP_SHARED mapping and read(2)/write(2) see one copy of the data. */
TEST(mmap_file_shared_is_coherent_with_read_and_write)
{
	char buf[8] = { 0 };
	char *p;
	int fd;

	ASSERT_OK(test_write_file("f", "abcdefgh"));
	ASSERT_OK(fd = open("f", O_RDWR));
	p = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	memcpy(p, "AB", 2);
	EXPECT_EQ(pread(fd, buf, 4, 0), 4);
	EXPECT_STREQ(buf, "ABcd");
	EXPECT_EQ(pwrite(fd, "XY", 2, 6), 2);
	EXPECT_MEMEQ(p + 6, "XY", 2);
	EXPECT_OK(msync(p, page_size, MS_SYNC));
	EXPECT_OK(munmap(p, page_size));
	close(fd);
}

TEST(mmap_file_at_a_page_offset)
{
	static char data[2 * 4096];
	char *p;
	int fd;

	memset(data, 'a', 4096);
	memset(data + 4096, 'b', 4096);
	ASSERT_OK(fd = open("f", O_RDWR | O_CREAT, 0644));
	ASSERT_EQ(write(fd, data, sizeof(data)), sizeof(data));
	p = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE, fd, page_size);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_TRUE(all_bytes_are(p, page_size, 'b'));
	EXPECT_OK(munmap(p, page_size));
	/* EINVAL for an offset that is not a multiple of the page size. */
	EXPECT_ERRNO(mmap(NULL, page_size, PROT_READ, MAP_PRIVATE, fd, 100),
		     EINVAL);
	close(fd);
}

TEST(mmap_file_errors)
{
	int fd;

	ASSERT_OK(test_write_file("f", "x"));
	/* mmap(2): EBADF "fd is not a valid file descriptor (and MAP_ANONYMOUS
	 * was not set)." */
	EXPECT_ERRNO(mmap(NULL, page_size, PROT_READ, MAP_PRIVATE, 9999, 0),
		     EBADF);
	/* EACCES "MAP_SHARED was requested and PROT_WRITE is set, but fd is
	 * not open in read/write (O_RDWR) mode." A private copy is fine. */
	ASSERT_OK(fd = open("f", O_RDONLY));
	EXPECT_ERRNO(mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			  fd, 0), EACCES);
	close(fd);
	/* EACCES "fd is not open for reading." */
	ASSERT_OK(fd = open("f", O_WRONLY));
	EXPECT_ERRNO(mmap(NULL, page_size, PROT_READ, MAP_PRIVATE, fd, 0),
		     EACCES);
	close(fd);
}

/* mprotect(2): EACCES "the memory cannot be given the specified access
 * ... if you mmap(2) a file to which you have read-only access, then ask
 * mprotect() to mark it PROT_WRITE." Only for a shared mapping: a private
 * one may become writable (its copy is the process's own). */
TEST(mprotect_cannot_make_a_shared_mapping_of_a_read_only_file_writable)
{
	int fd;
	ASSERT_OK(test_write_file("f", "contents"));
	ASSERT_OK(fd = open("f", O_RDONLY));
	char *shared = mmap(NULL, page_size, PROT_READ, MAP_SHARED, fd, 0);
	char *private = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	ASSERT_TRUE(shared != MAP_FAILED && private != MAP_FAILED);
	EXPECT_ERRNO(mprotect(shared, page_size, PROT_READ | PROT_WRITE), EACCES);
	EXPECT_OK(mprotect(shared, page_size, PROT_READ | PROT_EXEC));
	EXPECT_OK(mprotect(private, page_size, PROT_READ | PROT_WRITE));
	private[0] = 'C';
	EXPECT_EQ(shared[0], 'c');
	char buf[9] = "";
	EXPECT_EQ(test_read_file("f", buf, sizeof(buf)), 8);
	EXPECT_STREQ(buf, "contents");
	munmap(shared, page_size);
	munmap(private, page_size);
}

/* The mapping holds a reference to the file: it survives close. */
TEST(mmap_file_survives_close_of_the_fd)
{
	char *p;
	int fd;

	ASSERT_OK(test_write_file("f", "kept"));
	ASSERT_OK(fd = open("f", O_RDONLY));
	p = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	close(fd);
	ASSERT_OK(unlink("f"));
	EXPECT_MEMEQ(p, "kept", 4);
	EXPECT_OK(munmap(p, page_size));
}

/* --- large mappings, mremap, madvise --- */

TEST(large_anonymous_mapping_every_page_touched)
{
	const size_t len = 64 << 20;
	unsigned long sum = 0;
	char *p;

	ASSERT_TRUE((p = map_anon(len)) != NULL);
	for (size_t off = 0; off < len; off += page_size)
		p[off] = (char)(off / page_size);
	for (size_t off = 0; off < len; off += page_size)
		sum += (unsigned char)p[off];
	EXPECT_EQ(sum, (len / page_size / 256) * (255 * 256 / 2));
	EXPECT_OK(munmap(p, len));
}

/* mremap(2) MREMAP_MAYMOVE keeps the contents wherever the mapping ends
 * up; the new part is zero. */
TEST(mremap_grow_keeps_contents)
{
	char *p, *q;

	ASSERT_TRUE((p = map_anon(page_size)) != NULL);
	memset(p, 'r', page_size);
	q = mremap(p, page_size, 4 * page_size, MREMAP_MAYMOVE);
	ASSERT_TRUE(q != MAP_FAILED);
	EXPECT_TRUE(all_bytes_are(q, page_size, 'r'));
	EXPECT_TRUE(all_bytes_are(q + page_size, 3 * page_size, 0));
	q = mremap(q, 4 * page_size, page_size, 0);   /* shrink in place */
	ASSERT_TRUE(q != MAP_FAILED);
	EXPECT_TRUE(all_bytes_are(q, page_size, 'r'));
	EXPECT_OK(munmap(q, page_size));
}

/* mremap(2) ENOMEM: "MREMAP_MAYMOVE was not specified and the mapping
 * cannot be expanded at the current virtual address". */
TEST(mremap_without_maymove_into_a_neighbour_is_enomem)
{
	char *p;

	ASSERT_TRUE((p = map_anon(2 * page_size)) != NULL);
	ASSERT_OK(munmap(p + page_size, page_size));
	ASSERT_TRUE(mmap(p + page_size, page_size, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
		    MAP_FAILED);
	EXPECT_ERRNO(mremap(p, page_size, 2 * page_size, 0), ENOMEM);
	EXPECT_OK(munmap(p, 2 * page_size));
}

/* madvise(2) MADV_DONTNEED: private anonymous pages read back as zero. */
TEST(madvise_dontneed_zeroes_private_anonymous_memory)
{
	char *p;

	ASSERT_TRUE((p = map_anon(2 * page_size)) != NULL);
	memset(p, 'd', 2 * page_size);
	EXPECT_OK(madvise(p, page_size, MADV_DONTNEED));
	EXPECT_TRUE(all_bytes_are(p, page_size, 0));
	EXPECT_TRUE(all_bytes_are(p + page_size, page_size, 'd'));
	EXPECT_ERRNO(madvise(p + 1, page_size, MADV_DONTNEED), EINVAL);
	EXPECT_OK(munmap(p, 2 * page_size));
}

/* mremap(2) of the tail of a mapping moves only that part: the head stays
 * where it was, with its contents. */
TEST(mremap_of_part_of_a_mapping_moves_only_that_part)
{
	char *p = mmap(NULL, 4 * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	/* Pin the space after the mapping so growing in place is impossible. */
	char *guard = mmap(p + 4 * page_size, page_size, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	p[0] = 'h';
	p[2 * page_size] = 't';
	char *q = mremap(p + 2 * page_size, 2 * page_size, 8 * page_size, MREMAP_MAYMOVE);
	ASSERT_TRUE(q != MAP_FAILED);
	EXPECT_TRUE(q != p + 2 * page_size);
	EXPECT_EQ(q[0], 't');
	EXPECT_EQ(p[0], 'h');	/* the head did not move */
	/* The old tail is gone: a syscall reading it faults. */
	int fds[2];
	ASSERT_OK(pipe(fds));
	EXPECT_ERRNO(write(fds[1], p + 2 * page_size, 1), EFAULT);
	close(fds[0]);
	close(fds[1]);
	munmap(p, 2 * page_size);
	munmap(q, 8 * page_size);
	if (guard != MAP_FAILED)
		munmap(guard, page_size);
}

/* Shared anonymous memory is shared with a child even where neither had
 * touched it before the fork. */
TEST(shared_anonymous_memory_untouched_before_fork_is_shared)
{
	int *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	pid_t pid = fork();
	if (pid == 0) {
		p[0] = 42;
		p[1024] = 7;
		_exit(0);
	}
	ASSERT_GE(pid, 1);
	int status;
	EXPECT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(p[0], 42);
	EXPECT_EQ(p[1024], 7);
	munmap(p, 2 * 4096);
}
