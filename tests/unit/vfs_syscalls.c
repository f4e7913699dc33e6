/* The file syscalls on a tmpfs root, through a task whose "user memory"
 * is the test's own: the Makefile links this test with --wrap for the mm
 * copy and pin functions, which these __wrap_ doubles serve (addresses
 * below 4096 fault). */
#include <dirent.h>
#include <linux/stat.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/uio.h>

#include "cvisor/fd_table.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "vfs_test.h"

int __wrap_mm_copy_in(struct mm *mm, void *dst, uaddr_t src, size_t size)
{
	if (src < 4096)
		return -EFAULT;
	memcpy(dst, (void *)src, size);
	return 0;
}

int __wrap_mm_copy_out(struct mm *mm, uaddr_t dst, const void *src, size_t size)
{
	if (dst < 4096)
		return -EFAULT;
	memcpy((void *)dst, src, size);
	return 0;
}

long __wrap_mm_copy_in_string(struct mm *mm, char *dst, uaddr_t src, size_t max)
{
	if (src < 4096)
		return -EFAULT;
	size_t len = strnlen((const char *)src, max);
	if (len == max)
		return -ENAMETOOLONG;
	memcpy(dst, (const char *)src, len + 1);
	return (long)len;
}

ssize_t __wrap_mm_pin(struct mm *mm, uaddr_t addr, size_t len, bool write,
				     struct mm_pin *pin)
{
	if (addr < 4096)
		return -EFAULT;
	len = MIN(len, MM_PIN_MAX_BYTES);
	pin->cnt = 1;
	pin->iov[0] = (struct iovec){ (void *)addr, len };
	return (ssize_t)len;
}

void __wrap_mm_unpin(struct mm_pin *pin)
{
}

static struct task task;

#define U(x) ((uint64_t)(uintptr_t)(x))
#define SC(name, ...) sys_##name(&task, &(struct syscall_args){ { __VA_ARGS__ } })

int main(void)
{
	test_kernel_init();
	pthread_mutex_init(&test_kernel.ts_lock, NULL);
	struct super_block *sb = tmpfs_new(&test_kernel, 0755);
	struct mount_ns *ns = mount_ns_new(sb, 0, "tmpfs");
	sb_put(sb);
	int err;
	static struct thread_group tg;
	tg.rlimits[RLIMIT_NOFILE] = (struct rlimit){ 64, 64 };
	tg.rlimits[RLIMIT_FSIZE] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	task = (struct task){ .k = &test_kernel, .tg = &tg, .fdt = fdt_new(),
			      .fs = fs_context_new(ns, "/", &err), .creds = &root_creds };
	char buf[4096];

	/* open, write, read, lseek, pread, readv. */
	long fd = SC(open, U("/f"), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	CHECK_EQ(fd, 0);
	CHECK_EQ(SC(fcntl, fd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(SC(fcntl, fd, F_GETFL), O_RDWR | LINUX_O_LARGEFILE);
	CHECK_EQ(SC(write, fd, U("hello world"), 11), 11);
	CHECK_EQ(SC(read, fd, U(buf), sizeof(buf)), 0);
	CHECK_EQ(SC(lseek, fd, 0, SEEK_SET), 0);
	int n;
	CHECK_EQ(SC(ioctl, fd, FIONREAD, U(&n)), 0);
	CHECK_EQ(n, 11);
	CHECK_EQ(SC(read, fd, U(buf), 5), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK_EQ(SC(pread64, fd, U(buf), 5, 6), 5);
	CHECK(memcmp(buf, "world", 5) == 0);
	CHECK_EQ(SC(pread64, fd, U(buf), 5, -1), -EINVAL);
	char a[3], b[20];
	struct iovec iov[2] = { { a, 3 }, { b, 20 } };
	CHECK_EQ(SC(lseek, fd, 0, SEEK_SET), 0);
	CHECK_EQ(SC(readv, fd, U(iov), 2), 11);
	CHECK(memcmp(a, "hel", 3) == 0 && memcmp(b, "lo world", 8) == 0);
	CHECK_EQ(SC(pread64, fd, 16, 10, 0), -EFAULT);
	CHECK_EQ(SC(read, 99, U(buf), 1), -EBADF);
	CHECK_EQ(SC(open, 16, O_RDONLY, 0), -EFAULT);
	CHECK_EQ(SC(lseek, fd, 0, 7), -EINVAL);

	/* stat, fstat, statx, umask. */
	struct stat st;
	CHECK_EQ(SC(fstat, fd, U(&st)), 0);
	CHECK_EQ(st.st_size, 11);
	CHECK_EQ(st.st_mode, S_IFREG | 0644);
	CHECK_EQ(SC(umask, 0), 022);
	CHECK_EQ(SC(umask, 022), 0);
	struct statx sx;
	CHECK_EQ(SC(statx, AT_FDCWD, U("/f"), 0, STATX_BASIC_STATS, U(&sx)), 0);
	CHECK_EQ(sx.stx_size, 11);
	CHECK_EQ(sx.stx_ino, st.st_ino);
	CHECK_EQ(SC(newfstatat, fd, U(""), U(&st), AT_EMPTY_PATH), 0);
	CHECK_EQ(SC(newfstatat, fd, U("x"), U(&st), 0), -ENOTDIR);
	CHECK_EQ(SC(stat, U("/f/"), U(&st)), -ENOTDIR);
	CHECK_EQ(SC(ftruncate, fd, 4), 0);
	CHECK_EQ(SC(stat, U("/f"), U(&st)), 0);
	CHECK_EQ(st.st_size, 4);

	/* dup family and fcntl. */
	CHECK_EQ(SC(dup, fd), 1);
	CHECK_EQ(SC(fcntl, 1, F_GETFD), 0);
	CHECK_EQ(SC(dup2, fd, 10), 10);
	CHECK_EQ(SC(dup3, fd, 10, 0), 10);
	CHECK_EQ(SC(dup3, fd, fd, 0), -EINVAL);
	CHECK_EQ(SC(dup2, 55, 56), -EBADF);
	CHECK_EQ(SC(dup2, fd, 64), -EBADF);
	CHECK_EQ(SC(fcntl, fd, F_DUPFD, 5), 5);
	CHECK_EQ(SC(fcntl, fd, F_DUPFD, 64), -EINVAL);
	CHECK_EQ(SC(fcntl, fd, F_SETFL, O_APPEND | O_NONBLOCK), 0);
	CHECK_EQ(SC(fcntl, 1, F_GETFL), O_RDWR | O_APPEND | O_NONBLOCK | LINUX_O_LARGEFILE);
	CHECK_EQ(SC(write, 1, U("++"), 2), 2);
	CHECK_EQ(SC(pread64, fd, U(buf), 10, 0), 6);
	CHECK(memcmp(buf, "hell++", 6) == 0);
	CHECK_EQ(SC(close, 1), 0);
	CHECK_EQ(SC(close, 1), -EBADF);
	CHECK_EQ(SC(open, U("/f"), O_RDONLY, 0), 1);	/* lowest free fd */

	/* Directories: mkdir, chdir, getcwd, getdents64. */
	CHECK_EQ(SC(mkdir, U("/d"), 0755), 0);
	CHECK_EQ(SC(mkdir, U("/d"), 0755), -EEXIST);
	CHECK_EQ(SC(chdir, U("/d")), 0);
	CHECK_EQ(SC(getcwd, U(buf), sizeof(buf)), 3);
	CHECK(strcmp(buf, "/d") == 0);
	CHECK_EQ(SC(getcwd, U(buf), 2), -ERANGE);
	CHECK_EQ(SC(open, U("x"), O_CREAT | O_WRONLY, 0600), 2);
	CHECK_EQ(SC(symlink, U("x"), U("lx")), 0);
	CHECK_EQ(SC(readlink, U("lx"), U(buf), sizeof(buf)), 1);
	CHECK_EQ(SC(readlink, U("x"), U(buf), sizeof(buf)), -EINVAL);
	CHECK_EQ(SC(link, U("x"), U("/d/hx")), 0);
	long dfd = SC(open, U("/d"), O_RDONLY | O_DIRECTORY, 0);
	CHECK(dfd >= 0);
	CHECK_EQ(SC(write, dfd, U("x"), 1), -EBADF);
	CHECK_EQ(SC(read, dfd, U(buf), 1), -EISDIR);
	long got = SC(getdents64, dfd, U(buf), sizeof(buf));
	int names = 0;
	for (long off = 0; off < got;) {
		struct dirent64 *de = (struct dirent64 *)(buf + off);
		names++;
		off += de->d_reclen;
	}
	CHECK_EQ(names, 5);	/* . .. x lx hx */
	CHECK_EQ(SC(getdents64, dfd, U(buf), sizeof(buf)), 0);
	CHECK_EQ(SC(lseek, dfd, 0, SEEK_SET), 0);
	CHECK_EQ(SC(getdents64, dfd, U(buf), 10), -EINVAL);
	CHECK_EQ(SC(getdents64, fd, U(buf), sizeof(buf)), -ENOTDIR);
	CHECK_EQ(SC(unlinkat, dfd, U("hx"), 0), 0);
	CHECK_EQ(SC(renameat2, dfd, U("x"), AT_FDCWD, U("/d/y"), RENAME_NOREPLACE), 0);
	CHECK_EQ(SC(faccessat, dfd, U("y"), W_OK), 0);
	CHECK_EQ(SC(faccessat, dfd, U("x"), F_OK), -ENOENT);
	CHECK_EQ(SC(unlinkat, AT_FDCWD, U("/d"), AT_REMOVEDIR), -ENOTEMPTY);
	CHECK_EQ(SC(unlink, U("y")), 0);
	CHECK_EQ(SC(unlink, U("lx")), 0);
	CHECK_EQ(SC(rmdir, U("/d")), 0);
	CHECK_EQ(SC(getcwd, U(buf), sizeof(buf)), -ENOENT);
	CHECK_EQ(SC(open, U("new"), O_CREAT | O_WRONLY, 0600), -ENOENT);
	CHECK_EQ(SC(fchdir, fd), -ENOTDIR);
	CHECK_EQ(SC(chdir, U("/")), 0);

	/* Attributes. */
	CHECK_EQ(SC(chmod, U("/f"), 0600), 0);
	CHECK_EQ(SC(stat, U("/f"), U(&st)), 0);
	CHECK_EQ(st.st_mode & 07777, 0600);
	struct timespec ts[2] = { { 1000, 0 }, { 2000, UTIME_OMIT } };
	CHECK_EQ(SC(utimensat, AT_FDCWD, U("/f"), U(ts), 0), 0);
	CHECK_EQ(SC(stat, U("/f"), U(&st)), 0);
	CHECK_EQ(st.st_atim.tv_sec, 1000);
	ts[0].tv_nsec = 1000000000;
	CHECK_EQ(SC(utimensat, AT_FDCWD, U("/f"), U(ts), 0), -EINVAL);
	CHECK_EQ(SC(chown, U("/f"), 5, -1), 0);
	CHECK_EQ(SC(stat, U("/f"), U(&st)), 0);
	CHECK_EQ(st.st_uid, 5);
	CHECK_EQ(SC(truncate, U("/f"), 0), 0);
	CHECK_EQ(SC(truncate, U("/"), 0), -EISDIR);

	/* O_PATH descriptors do no I/O. */
	long pfd = SC(open, U("/f"), O_PATH, 0);
	CHECK(pfd >= 0);
	CHECK_EQ(SC(read, pfd, U(buf), 1), -EBADF);
	CHECK_EQ(SC(fstat, pfd, U(&st)), 0);
	CHECK_EQ(SC(fchmod, pfd, 0644), -EBADF);

	/* RLIMIT_NOFILE. */
	for (int i = 0; i < 64; i++)
		SC(dup, fd);
	CHECK_EQ(SC(dup, fd), -EMFILE);

	fdt_put(task.fdt);
	fs_context_put(task.fs);
	mount_ns_put(ns);
	return test_finish("vfs_syscalls");
}
