/* Device files (/dev/null, zero, full, urandom) and the proc files static
 * programs and their libraries read (/proc/self/..., cpuinfo, meminfo,
 * uptime, version, mounts). */
#define TEST_WORKDIR
#include "test.h"

#include <dirent.h>
#include <sys/sysmacros.h>

static char big[1 << 16];   /* contents of a proc file */

/* Reads a proc file into big; returns its length or -1. */
static ssize_t read_proc(const char *path)
{
	return test_read_file(path, big, sizeof(big));
}

static bool is_char_device(const char *path, unsigned int major,
			   unsigned int minor)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISCHR(st.st_mode) &&
	       major(st.st_rdev) == major && minor(st.st_rdev) == minor;
}

/* --- /dev --- */

TEST(dev_null_reads_eof_and_swallows_writes)
{
	char buf[16];
	int fd;

	EXPECT_TRUE(is_char_device("/dev/null", 1, 3));
	ASSERT_OK(fd = open("/dev/null", O_RDWR));
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 0);
	EXPECT_EQ(write(fd, "discard me", 10), 10);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 0);
	EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);   /* seeking is allowed */
	close(fd);
}

TEST(dev_zero_reads_zeros)
{
	char buf[8192], zero[8192] = { 0 };
	int fd;

	EXPECT_TRUE(is_char_device("/dev/zero", 1, 5));
	memset(buf, 0xaa, sizeof(buf));
	ASSERT_OK(fd = open("/dev/zero", O_RDWR));
	EXPECT_EQ(read(fd, buf, sizeof(buf)), sizeof(buf));
	EXPECT_MEMEQ(buf, zero, sizeof(buf));
	EXPECT_EQ(write(fd, "x", 1), 1);
	close(fd);
}

/* null(4): "Writes to /dev/full fail with an ENOSPC error." Reads give
 * zeros like /dev/zero. */
TEST(dev_full_write_is_enospc)
{
	char buf[4] = { 1, 1, 1, 1 };
	int fd;

	EXPECT_TRUE(is_char_device("/dev/full", 1, 7));
	ASSERT_OK(fd = open("/dev/full", O_RDWR));
	EXPECT_ERRNO(write(fd, "x", 1), ENOSPC);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), sizeof(buf));
	EXPECT_MEMEQ(buf, "\0\0\0\0", 4);
	close(fd);
}

TEST(dev_urandom_reads_random_bytes)
{
	unsigned char a[64], b[64], zero[64] = { 0 };
	int fd;

	EXPECT_TRUE(is_char_device("/dev/urandom", 1, 9));
	ASSERT_OK(fd = open("/dev/urandom", O_RDONLY));
	EXPECT_EQ(read(fd, a, sizeof(a)), sizeof(a));
	EXPECT_EQ(read(fd, b, sizeof(b)), sizeof(b));
	EXPECT_TRUE(memcmp(a, zero, sizeof(a)) != 0);
	EXPECT_TRUE(memcmp(a, b, sizeof(a)) != 0);
	close(fd);
}

/* --- /proc/self --- */

/* proc(5): /proc/self "is a symbolic link to the process's own /proc/pid
 * directory". */
TEST(proc_self_is_a_symlink_to_the_pid)
{
	char buf[32] = { 0 }, want[32];

	snprintf(want, sizeof(want), "%d", getpid());
	EXPECT_GE(readlink("/proc/self", buf, sizeof(buf) - 1), 1);
	EXPECT_STREQ(buf, want);
}

TEST(proc_self_exe_links_to_the_running_program)
{
	char target[PATH_MAX] = { 0 }, prog_path[2 * PATH_MAX];
	struct stat exe, prog;

	ASSERT_GE(readlink("/proc/self/exe", target, sizeof(target) - 1), 1);
	EXPECT_EQ(target[0], '/');
	ASSERT_OK(stat(target, &exe));
	if (test_argv[0][0] == '/')
		snprintf(prog_path, sizeof(prog_path), "%s", test_argv[0]);
	else
		snprintf(prog_path, sizeof(prog_path), "%s/%s", test_start_dir,
			 test_argv[0]);
	ASSERT_OK(stat(prog_path, &prog));
	EXPECT_EQ(exe.st_ino, prog.st_ino);
	EXPECT_EQ(exe.st_dev, prog.st_dev);
	/* Opening the magic link opens the program itself. */
	ASSERT_OK(stat("/proc/self/exe", &exe));
	EXPECT_EQ(exe.st_ino, prog.st_ino);
}

/* proc(5) /proc/pid/cmdline: the arguments "appear in this file as a set
 * of strings separated by null bytes ('\0'), with a further null byte
 * after the last string." */
TEST(proc_self_cmdline_holds_argv_with_nuls)
{
	char want[4096];
	size_t len = 0;
	ssize_t n;

	for (int i = 0; i < test_argc; i++) {
		size_t arg_len = strlen(test_argv[i]) + 1;

		ASSERT_LE(len + arg_len, sizeof(want));
		memcpy(want + len, test_argv[i], arg_len);
		len += arg_len;
	}
	ASSERT_OK(n = read_proc("/proc/self/cmdline"));
	EXPECT_EQ(n, len);
	EXPECT_MEMEQ(big, want, len);
}

TEST(proc_self_status_has_name_and_pid)
{
	char line[64];

	ASSERT_GE(read_proc("/proc/self/status"), 1);
	EXPECT_TRUE(strncmp(big, "Name:\t", 6) == 0);
	snprintf(line, sizeof(line), "\nPid:\t%d\n", getpid());
	EXPECT_TRUE(strstr(big, line) != NULL);
	EXPECT_TRUE(strstr(big, "\nUid:\t") != NULL);
	EXPECT_TRUE(strstr(big, "\nVmRSS:\t") != NULL);
}

TEST(proc_self_stat_starts_with_pid_and_comm)
{
	char want[64];

	ASSERT_GE(read_proc("/proc/self/stat"), 1);
	snprintf(want, sizeof(want), "%d (", getpid());
	EXPECT_TRUE(strncmp(big, want, strlen(want)) == 0);
	EXPECT_TRUE(strstr(big, ") R ") != NULL);   /* we are running */
}

TEST(proc_self_maps_lists_the_mappings)
{
	ASSERT_GE(read_proc("/proc/self/maps"), 1);
	EXPECT_TRUE(strstr(big, " r-xp ") != NULL);   /* our code */
	EXPECT_TRUE(strstr(big, "[stack]") != NULL);
}

static bool fd_dir_lists(const char *name)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *d;
	bool found = false;

	if (!dir)
		return false;
	while ((d = readdir(dir)) != NULL)
		if (strcmp(d->d_name, name) == 0)
			found = true;
	closedir(dir);
	return found;
}

TEST(proc_self_fd_lists_open_fds)
{
	int fd;

	EXPECT_TRUE(fd_dir_lists("0"));
	EXPECT_TRUE(fd_dir_lists("1"));
	EXPECT_TRUE(fd_dir_lists("2"));
	/* A high number, so opendir's own fd cannot take it once closed. */
	ASSERT_OK(fd = open(".", O_RDONLY));
	ASSERT_EQ(dup2(fd, 90), 90);
	close(fd);
	EXPECT_TRUE(fd_dir_lists("90"));
	close(90);
	EXPECT_TRUE(!fd_dir_lists("90"));
}

/* proc(5) /proc/pid/fd: "a symbolic link to the actual file". */
TEST(proc_self_fd_entries_link_to_the_open_file)
{
	char link[64], target[PATH_MAX] = { 0 }, want[PATH_MAX + 8];
	int fd;

	ASSERT_OK(test_write_file("f", "x"));
	ASSERT_OK(fd = open("f", O_RDONLY));
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	snprintf(want, sizeof(want), "%s/f", test_workdir());
	EXPECT_GE(readlink(link, target, sizeof(target) - 1), 1);
	EXPECT_STREQ(target, want);
	close(fd);
}

/* proc files report size 0 yet have contents: readers must read to EOF. */
TEST(proc_files_report_size_zero)
{
	struct stat st;

	ASSERT_OK(stat("/proc/self/status", &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_size, 0);
}

/* --- system-wide proc files --- */

TEST(proc_cpuinfo_lists_processors)
{
	ASSERT_GE(read_proc("/proc/cpuinfo"), 1);
	EXPECT_TRUE(strncmp(big, "processor\t: 0\n", 14) == 0);
	EXPECT_TRUE(strstr(big, "\nflags\t\t: ") != NULL);
}

TEST(proc_meminfo_starts_with_memtotal)
{
	unsigned long kb = 0;

	ASSERT_GE(read_proc("/proc/meminfo"), 1);
	EXPECT_EQ(sscanf(big, "MemTotal: %lu kB", &kb), 1);
	EXPECT_GE(kb, 1);
	EXPECT_TRUE(strstr(big, "\nMemFree:") != NULL);
	EXPECT_TRUE(strstr(big, "\nMemAvailable:") != NULL);
}

/* proc(5) /proc/uptime: "two numbers (values in seconds): the uptime of
 * the system (including time spent in suspend) and the amount of time
 * spent in the idle process." */
TEST(proc_uptime_has_two_numbers)
{
	double up = -1, idle = -1;

	ASSERT_GE(read_proc("/proc/uptime"), 1);
	EXPECT_EQ(sscanf(big, "%lf %lf\n", &up, &idle), 2);
	EXPECT_TRUE(up > 0);
	EXPECT_TRUE(idle >= 0);
}

TEST(proc_version_starts_with_linux_version)
{
	ASSERT_GE(read_proc("/proc/version"), 1);
	EXPECT_TRUE(strncmp(big, "Linux version ", 14) == 0);
}

TEST(proc_mounts_lists_the_root)
{
	ASSERT_GE(read_proc("/proc/mounts"), 1);
	EXPECT_TRUE(strstr(big, " / ") != NULL);
	EXPECT_TRUE(strstr(big, " /proc proc ") != NULL);
}
