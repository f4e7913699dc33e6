/* sendfile, splice, tee, vmsplice and copy_file_range: data, offsets
 * (given, or the file position), partial transfers and the EINVAL/EBADF/
 * ESPIPE rules. Single-process: pipes are never filled past capacity. */
#define TEST_WORKDIR
#include "test.h"

#include <sys/sendfile.h>
#include <sys/uio.h>

static int make_file(const char *name, const char *data)
{
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0 && data) {
		(void)!write(fd, data, strlen(data));
		lseek(fd, 0, SEEK_SET);
	}
	return fd;
}

static off_t pos(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

TEST(sendfile_with_and_without_offset)
{
	int in = make_file("in", "0123456789"), out = make_file("out", NULL);
	char buf[32] = "";
	ASSERT_OK(in);
	ASSERT_OK(out);
	/* With an offset: the file position stays, the offset moves. */
	off_t off = 2;
	EXPECT_EQ(sendfile(out, in, &off, 3), 3);
	EXPECT_EQ(off, 5);
	EXPECT_EQ(pos(in), 0);
	/* Without: from the position, which moves; short at EOF. */
	EXPECT_OK(lseek(in, 7, SEEK_SET));
	EXPECT_EQ(sendfile(out, in, NULL, 100), 3);
	EXPECT_EQ(pos(in), 10);
	EXPECT_EQ(sendfile(out, in, NULL, 100), 0);
	EXPECT_EQ(pread(out, buf, sizeof(buf), 0), 6);
	EXPECT_MEMEQ(buf, "234789", 6);
	EXPECT_EQ(pos(out), 6);
	EXPECT_EQ(sendfile(out, in, NULL, 0), 0);
	close(in);
	close(out);
}

TEST(sendfile_errors)
{
	int in = make_file("in", "abc"), out = make_file("out", NULL), p[2];
	ASSERT_OK(in);
	ASSERT_OK(out);
	ASSERT_OK(pipe(p));
	int ro = open("out", O_RDONLY), app = open("out", O_WRONLY | O_APPEND);
	int wo = open("in", O_WRONLY);
	EXPECT_ERRNO(sendfile(ro, in, NULL, 1), EBADF);
	EXPECT_ERRNO(sendfile(out, wo, NULL, 1), EBADF);
	EXPECT_ERRNO(sendfile(out, -1, NULL, 1), EBADF);
	EXPECT_ERRNO(sendfile(app, in, NULL, 1), EINVAL);
	off_t off = -1;
	EXPECT_ERRNO(sendfile(out, in, &off, 1), EINVAL);
	off = 0;
	EXPECT_ERRNO(sendfile(out, p[0], &off, 1), ESPIPE);
	EXPECT_ERRNO(sendfile(out, in, test_bad_ptr(), 1), EFAULT);
	int dir = open(".", O_RDONLY | O_DIRECTORY);
	EXPECT_ERRNO(sendfile(out, dir, NULL, 1), EINVAL);
	close(dir);
	close(ro);
	close(app);
	close(wo);
	close(in);
	close(out);
	close(p[0]);
	close(p[1]);
}

/* sendfile into a pipe; not out of one (Linux 6.1: EINVAL). */
TEST(sendfile_through_a_pipe)
{
	int in = make_file("in", "hello pipe"), out = make_file("out", NULL), p[2];
	char buf[32] = "";
	ASSERT_OK(in);
	ASSERT_OK(out);
	ASSERT_OK(pipe(p));
	off_t off = 0;
	EXPECT_EQ(sendfile(p[1], in, &off, 100), 10);
	EXPECT_ERRNO(sendfile(out, p[0], NULL, 4), EINVAL);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 10);
	EXPECT_MEMEQ(buf, "hello pipe", 10);
	close(in);
	close(out);
	close(p[0]);
	close(p[1]);
}

TEST(splice_file_to_pipe_and_back)
{
	int in = make_file("in", "0123456789"), out = make_file("out", "xxxxxxxxxx"), p[2];
	char buf[32] = "";
	ASSERT_OK(in);
	ASSERT_OK(out);
	ASSERT_OK(pipe(p));
	loff_t off = 3;
	EXPECT_EQ(splice(in, &off, p[1], NULL, 4, 0), 4);
	EXPECT_EQ(off, 7);
	EXPECT_EQ(pos(in), 0);
	/* Without an offset: the position moves. */
	EXPECT_EQ(splice(in, NULL, p[1], NULL, 2, SPLICE_F_MOVE), 2);
	EXPECT_EQ(pos(in), 2);
	/* Pipe to file at an offset: the file position stays. */
	loff_t ooff = 1;
	EXPECT_EQ(splice(p[0], NULL, out, &ooff, 100, 0), 6);
	EXPECT_EQ(ooff, 7);
	EXPECT_EQ(pos(out), 0);
	EXPECT_EQ(pread(out, buf, sizeof(buf), 0), 10);
	EXPECT_MEMEQ(buf, "x345601xxx", 10);
	/* An empty pipe with no writer gives 0. */
	close(p[1]);
	EXPECT_EQ(splice(p[0], NULL, out, NULL, 10, 0), 0);
	close(p[0]);
	close(in);
	close(out);
}

/* Into a pipe, splice moves only what fits: whole free pages, as Linux's
 * pipe buffers are pages (the 2 bytes written first take one). */
TEST(splice_into_a_pipe_is_partial)
{
	int in = make_file("big", NULL), p[2];
	ASSERT_OK(in);
	static char data[200000];
	memset(data, 'a', sizeof(data));
	ASSERT_EQ(write(in, data, sizeof(data)), (ssize_t)sizeof(data));
	ASSERT_OK(pipe(p));
	int size = fcntl(p[1], F_GETPIPE_SZ);
	ASSERT_GE(size, 4096);
	ASSERT_EQ(write(p[1], "zz", 2), 2);
	loff_t off = 0;
	EXPECT_EQ(splice(in, &off, p[1], NULL, sizeof(data), 0), size - 4096);
	EXPECT_EQ(off, size - 4096);
	close(p[0]);
	close(p[1]);
	close(in);
}

TEST(splice_errors)
{
	int a = make_file("a", "abc"), b = make_file("b", NULL), p[2], q[2];
	ASSERT_OK(a);
	ASSERT_OK(b);
	ASSERT_OK(pipe(p));
	ASSERT_OK(pipe(q));
	loff_t off = 0;
	EXPECT_ERRNO(splice(a, NULL, b, NULL, 1, 0), EINVAL);	/* no pipe */
	EXPECT_ERRNO(splice(a, NULL, p[1], &off, 1, 0), ESPIPE);
	EXPECT_ERRNO(splice(p[0], &off, b, NULL, 1, 0), ESPIPE);
	EXPECT_ERRNO(splice(p[0], NULL, p[1], NULL, 1, 0), EINVAL);	/* same pipe */
	EXPECT_ERRNO(splice(a, NULL, p[1], NULL, 1, 0x100), EINVAL);
	EXPECT_ERRNO(splice(p[1], NULL, q[1], NULL, 1, 0), EBADF);
	EXPECT_ERRNO(splice(a, NULL, p[0], NULL, 1, 0), EBADF);
	EXPECT_ERRNO(splice(-1, NULL, p[1], NULL, 1, 0), EBADF);
	off = -1;
	EXPECT_ERRNO(splice(a, &off, p[1], NULL, 1, 0), EINVAL);
	EXPECT_EQ(splice(a, NULL, p[1], NULL, 0, 0), 0);
	/* SPLICE_F_NONBLOCK: an empty pipe is EAGAIN, a full one too. */
	EXPECT_ERRNO(splice(p[0], NULL, b, NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);
	int size = fcntl(q[1], F_GETPIPE_SZ);
	char *fill = calloc(1, (size_t)size);
	ASSERT_EQ(write(q[1], fill, (size_t)size), size);
	free(fill);
	EXPECT_ERRNO(splice(a, NULL, q[1], NULL, 1, SPLICE_F_NONBLOCK), EAGAIN);
	static char drain[1 << 20];
	EXPECT_EQ(read(q[0], drain, sizeof(drain)), size);
	/* Pipe to pipe. */
	ASSERT_EQ(write(p[1], "data", 4), 4);
	EXPECT_EQ(splice(p[0], NULL, q[1], NULL, 10, 0), 4);
	char buf[8];
	EXPECT_EQ(read(q[0], buf, sizeof(buf)), 4);
	EXPECT_MEMEQ(buf, "data", 4);
	close(a);
	close(b);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

TEST(tee_copies_without_consuming)
{
	int p[2], q[2];
	char buf[16] = "";
	ASSERT_OK(pipe(p));
	ASSERT_OK(pipe(q));
	ASSERT_EQ(write(p[1], "teedata", 7), 7);
	EXPECT_EQ(tee(p[0], q[1], 3, 0), 3);
	EXPECT_EQ(read(q[0], buf, sizeof(buf)), 3);
	EXPECT_MEMEQ(buf, "tee", 3);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 7);
	EXPECT_MEMEQ(buf, "teedata", 7);
	/* Empty input: EAGAIN with SPLICE_F_NONBLOCK, 0 without writers. */
	EXPECT_ERRNO(tee(p[0], q[1], 3, SPLICE_F_NONBLOCK), EAGAIN);
	close(p[1]);
	EXPECT_EQ(tee(p[0], q[1], 3, 0), 0);
	EXPECT_ERRNO(tee(q[0], q[1], 3, 0), EINVAL);
	int f = make_file("f", "x");
	EXPECT_ERRNO(tee(f, q[1], 1, 0), EINVAL);
	EXPECT_ERRNO(tee(p[0], q[0], 1, 0), EBADF);
	close(f);
	close(p[0]);
	close(q[0]);
	close(q[1]);
}

TEST(vmsplice_into_and_out_of_a_pipe)
{
	int p[2];
	char a[] = "vm", b[] = "splice", out1[4] = "", out2[8] = "";
	ASSERT_OK(pipe(p));
	struct iovec iov[2] = { { a, 2 }, { b, 6 } };
	EXPECT_EQ(vmsplice(p[1], iov, 2, 0), 8);
	struct iovec riov[2] = { { out1, 3 }, { out2, 5 } };
	EXPECT_EQ(vmsplice(p[0], riov, 2, 0), 8);
	EXPECT_MEMEQ(out1, "vms", 3);
	EXPECT_MEMEQ(out2, "plice", 5);
	int f = make_file("f", NULL);
	EXPECT_ERRNO(vmsplice(f, iov, 2, 0), EBADF);
	EXPECT_ERRNO(vmsplice(p[1], iov, 2, 0x100), EINVAL);
	close(f);
	close(p[0]);
	close(p[1]);
}

TEST(copy_file_range_offsets)
{
	int in = make_file("in", "0123456789"), out = make_file("out", NULL);
	char buf[32] = "";
	ASSERT_OK(in);
	ASSERT_OK(out);
	loff_t oi = 2, oo = 4;
	EXPECT_EQ(copy_file_range(in, &oi, out, &oo, 3, 0), 3);
	EXPECT_EQ(oi, 5);
	EXPECT_EQ(oo, 7);
	EXPECT_EQ(pos(in), 0);
	EXPECT_EQ(pos(out), 0);
	/* With the file positions. */
	EXPECT_OK(lseek(in, 8, SEEK_SET));
	EXPECT_EQ(copy_file_range(in, NULL, out, NULL, 100, 0), 2);
	EXPECT_EQ(pos(in), 10);
	EXPECT_EQ(pos(out), 2);
	EXPECT_EQ(copy_file_range(in, NULL, out, NULL, 100, 0), 0);
	EXPECT_EQ(pread(out, buf, sizeof(buf), 0), 7);
	EXPECT_MEMEQ(buf, "89\0\0" "234", 7);
	/* Past EOF: nothing. */
	oi = 100;
	EXPECT_EQ(copy_file_range(in, &oi, out, NULL, 5, 0), 0);
	close(in);
	close(out);
}

TEST(copy_file_range_errors)
{
	int in = make_file("in", "0123456789"), out = make_file("out", NULL), p[2];
	ASSERT_OK(in);
	ASSERT_OK(out);
	ASSERT_OK(pipe(p));
	loff_t a = 0, b = 5;
	EXPECT_ERRNO(copy_file_range(in, NULL, out, NULL, 1, 1), EINVAL);
	EXPECT_ERRNO(copy_file_range(in, &a, in, &b, 6, 0), EINVAL);	/* overlap */
	a = 0;
	b = 5;
	EXPECT_EQ(copy_file_range(in, &a, in, &b, 5, 0), 5);
	int app = open("out", O_WRONLY | O_APPEND), ro = open("out", O_RDONLY);
	EXPECT_ERRNO(copy_file_range(in, NULL, app, NULL, 1, 0), EBADF);
	EXPECT_ERRNO(copy_file_range(in, NULL, ro, NULL, 1, 0), EBADF);
	EXPECT_ERRNO(copy_file_range(p[0], NULL, out, NULL, 1, 0), EINVAL);
	int dir = open(".", O_RDONLY | O_DIRECTORY);
	EXPECT_ERRNO(copy_file_range(dir, NULL, out, NULL, 1, 0), EISDIR);
	/* A negative offset: EOVERFLOW when offset + len wraps as unsigned
	 * (generic_copy_file_checks), else EINVAL. */
	a = -1;
	EXPECT_ERRNO(copy_file_range(in, &a, out, NULL, 1, 0), EOVERFLOW);
	a = -5;
	EXPECT_ERRNO(copy_file_range(in, &a, out, NULL, 1, 0), EINVAL);
	EXPECT_EQ(copy_file_range(in, NULL, out, NULL, 0, 0), 0);
	close(dir);
	close(app);
	close(ro);
	close(in);
	close(out);
	close(p[0]);
	close(p[1]);
}
