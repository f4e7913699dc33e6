/* Per-process /proc files beyond the basics of proc_dev.c: environ,
 * fdinfo/N, task/<tid>/, and what a zombie shows until it is reaped. */
#define TEST_WORKDIR
#include "test.h"

#include <dirent.h>
#include <sys/wait.h>

static char big[1 << 16];   /* contents of a proc file */

static ssize_t read_proc(const char *path)
{
	return test_read_file(path, big, sizeof(big));
}

/* The names in directory PATH but . and .., space-separated in order
 * into OUT; their count, or -1. */
static int list_dir(const char *path, char *out, size_t size)
{
	DIR *dir = opendir(path);
	struct dirent *d;
	int n = 0;

	if (!dir)
		return -1;
	out[0] = '\0';
	while ((d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(out + strlen(out), size - strlen(out), "%s%s", n ? " " : "", d->d_name);
		n++;
	}
	closedir(dir);
	return n;
}

static bool dir_has(const char *path, const char *name)
{
	char names[8192], padded[8200], want[64];

	if (list_dir(path, names, sizeof(names)) < 0)
		return false;
	snprintf(padded, sizeof(padded), " %s ", names);
	snprintf(want, sizeof(want), " %s ", name);
	return strstr(padded, want) != NULL;
}

/* --- environ --- */

/* proc(5): environ holds the initial environment, "separated by null
 * bytes", as execve passed it. */
TEST(environ_holds_the_environment_execve_passed)
{
	int out[2], status;
	char buf[256];
	ssize_t n;

	ASSERT_OK(pipe(out));
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "cat", "/proc/self/environ", NULL };
		char *envp[] = { "A=1", "EMPTY=", "B=two words", NULL };
		dup2(out[1], 1);
		execve("/bin/cat", argv, envp);
		_exit(127);
	}
	close(out[1]);
	size_t len = 0;
	while (len < sizeof(buf) && (n = read(out[0], buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(out[0]);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 0);
	EXPECT_EQ(len, 23);
	EXPECT_MEMEQ(buf, "A=1\0EMPTY=\0B=two words\0", 23);
}

/* Our own block, as our environ array saw it at start, and a forked
 * child's is the same copy. */
TEST(environ_of_self_and_of_a_child_match_the_environment)
{
	static char want[1 << 15];
	char path[64];
	size_t len = 0;
	ssize_t n;
	int hold[2];

	for (char **e = environ; *e; e++) {
		size_t l = strlen(*e) + 1;
		ASSERT_LE(len + l, sizeof(want));
		memcpy(want + len, *e, l);
		len += l;
	}
	ASSERT_OK(n = read_proc("/proc/self/environ"));
	EXPECT_EQ(n, len);
	EXPECT_MEMEQ(big, want, len);

	ASSERT_OK(pipe(hold));
	pid_t pid = fork();
	if (pid == 0) {
		char b;
		close(hold[1]);
		_exit(read(hold[0], &b, 1) == 0 ? 0 : 1);
	}
	close(hold[0]);
	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	EXPECT_EQ(read_proc(path), len);
	EXPECT_MEMEQ(big, want, len);
	close(hold[1]);
	EXPECT_EQ(waitpid(pid, NULL, 0), pid);
}

/* --- fdinfo --- */

struct fdinfo {
	long long pos;
	unsigned flags, mnt_id;
	unsigned long long ino;
};

/* Parses /proc/self/fdinfo/FD; 0 or -1. */
static int read_fdinfo(int fd, struct fdinfo *fi)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (read_proc(path) < 0)
		return -1;
	if (sscanf(big, "pos:\t%lld\nflags:\t%o\nmnt_id:\t%u\nino:\t%llu\n", &fi->pos,
		   &fi->flags, &fi->mnt_id, &fi->ino) != 4)
		return -1;
	return 0;
}

/* proc(5): "pos is a decimal number showing the file offset. flags is an
 * octal number that displays the file access mode and file status flags"
 * (O_CLOEXEC for a close-on-exec fd); mnt_id and ino are the file's. */
TEST(fdinfo_shows_position_flags_mount_and_inode)
{
	struct fdinfo fi;
	struct statx stx;
	int fd;

	ASSERT_OK(fd = open("f", O_RDWR | O_CREAT | O_CLOEXEC, 0600));
	ASSERT_EQ(write(fd, "hello", 5), 5);
	ASSERT_OK(read_fdinfo(fd, &fi));
	EXPECT_TRUE(strncmp(big, "pos:\t5\nflags:\t0", 15) == 0);
	EXPECT_EQ(fi.pos, 5);
	EXPECT_EQ(fi.flags, fcntl(fd, F_GETFL) | O_CLOEXEC);
	EXPECT_EQ(fi.flags & O_ACCMODE, O_RDWR);
	ASSERT_OK(statx(fd, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &stx));
	EXPECT_EQ(fi.ino, stx.stx_ino);
	EXPECT_EQ(fi.mnt_id, stx.stx_mnt_id);

	ASSERT_OK(fcntl(fd, F_SETFD, 0));
	ASSERT_OK(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
	ASSERT_EQ(lseek(fd, 2, SEEK_SET), 2);
	ASSERT_OK(read_fdinfo(fd, &fi));
	EXPECT_EQ(fi.pos, 2);
	EXPECT_EQ(fi.flags, fcntl(fd, F_GETFL));
	EXPECT_TRUE(fi.flags & O_APPEND);
	EXPECT_TRUE(!(fi.flags & O_CLOEXEC));
	close(fd);
}

TEST(fdinfo_of_a_pipe_shows_its_access_mode)
{
	struct fdinfo fi;
	int p[2];

	ASSERT_OK(pipe2(p, O_NONBLOCK));
	ASSERT_OK(read_fdinfo(p[0], &fi));
	EXPECT_EQ(fi.pos, 0);
	EXPECT_EQ(fi.flags, O_RDONLY | O_NONBLOCK);
	ASSERT_OK(read_fdinfo(p[1], &fi));
	EXPECT_EQ(fi.flags, O_WRONLY | O_NONBLOCK);
	close(p[0]);
	close(p[1]);
}

TEST(fdinfo_lists_the_open_fds_and_nothing_else)
{
	char path[64], fds[4096], infos[4096];
	struct stat st;
	int fd;

	ASSERT_OK(fd = open(".", O_RDONLY));
	ASSERT_EQ(dup2(fd, 91), 91);
	close(fd);
	/* Listing opens a directory fd of its own; compare with it open. */
	DIR *keep = opendir("/proc/self");
	ASSERT_TRUE(keep != NULL);
	ASSERT_GE(list_dir("/proc/self/fd", fds, sizeof(fds)), 4);
	ASSERT_GE(list_dir("/proc/self/fdinfo", infos, sizeof(infos)), 4);
	EXPECT_STREQ(infos, fds);
	closedir(keep);
	EXPECT_TRUE(dir_has("/proc/self/fdinfo", "91"));
	ASSERT_OK(stat("/proc/self/fdinfo", &st));
	EXPECT_EQ(st.st_mode, S_IFDIR | 0555);
	ASSERT_OK(stat("/proc/self/fdinfo/91", &st));
	EXPECT_EQ(st.st_mode, S_IFREG | 0444);
	close(91);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", 91);
	EXPECT_ERRNO(open(path, O_RDONLY), ENOENT);
	EXPECT_ERRNO(open("/proc/self/fdinfo/091", O_RDONLY), ENOENT);
	EXPECT_ERRNO(open("/proc/self/fdinfo/x", O_RDONLY), ENOENT);
}

/* --- task --- */

TEST(task_lists_the_one_thread)
{
	char names[256], want[16];

	snprintf(want, sizeof(want), "%d", (int)gettid());
	EXPECT_EQ(list_dir("/proc/self/task", names, sizeof(names)), 1);
	EXPECT_STREQ(names, want);
}

/* task/<tid> has the per-thread files, and no task/ of its own. */
TEST(task_tid_has_the_per_thread_files)
{
	char path[128], want[64], comm[64];
	struct stat proc_dir, task_dir;
	pid_t tid = (pid_t)gettid();

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	ASSERT_GE(read_proc(path), 1);
	snprintf(want, sizeof(want), "%d (", tid);
	EXPECT_TRUE(strncmp(big, want, strlen(want)) == 0);
	EXPECT_TRUE(strstr(big, ") R ") != NULL);

	ASSERT_GE(read_proc("/proc/self/comm"), 1);
	snprintf(comm, sizeof(comm), "%.63s", big);
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", tid);
	ASSERT_GE(read_proc(path), 1);
	EXPECT_STREQ(big, comm);

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	ASSERT_GE(read_proc(path), 1);
	snprintf(want, sizeof(want), "\nPid:\t%d\n", tid);
	EXPECT_TRUE(strstr(big, want) != NULL);

	snprintf(path, sizeof(path), "/proc/self/task/%d", tid);
	EXPECT_TRUE(dir_has(path, "cmdline"));
	EXPECT_TRUE(dir_has(path, "fd"));
	EXPECT_TRUE(dir_has(path, "exe"));
	EXPECT_TRUE(!dir_has(path, "task"));
	snprintf(path, sizeof(path), "/proc/self/task/%d/fd", tid);
	EXPECT_TRUE(dir_has(path, "0"));
	/* A distinct directory: a tree walk sees no loop. */
	ASSERT_OK(stat("/proc/self", &proc_dir));
	snprintf(path, sizeof(path), "/proc/self/task/%d", tid);
	ASSERT_OK(stat(path, &task_dir));
	EXPECT_NE(proc_dir.st_ino, task_dir.st_ino);
	EXPECT_EQ(task_dir.st_mode, S_IFDIR | 0555);

	snprintf(path, sizeof(path), "/proc/self/task/%d/task", tid);
	EXPECT_ERRNO(stat(path, &task_dir), ENOENT);
	EXPECT_ERRNO(stat("/proc/self/task/0", &task_dir), ENOENT);
}

/* --- zombies --- */

/* A child that exited with CODE and is not yet reaped. */
static pid_t make_zombie(int code)
{
	siginfo_t si;
	pid_t pid = fork();

	if (pid == 0)
		_exit(code);
	if (pid > 0 && waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0)
		return -1;
	return pid;
}

/* Fills PATH with /proc/PID/NAME. */
static const char *zpath(char *path, pid_t pid, const char *name)
{
	snprintf(path, 128, "/proc/%d/%s", pid, name);
	return path;
}

/* proc(5) stat: state "Z  Zombie"; the last field is "The thread's exit
 * status in the form reported by waitpid(2)". */
TEST(a_zombie_is_listed_with_state_z_until_reaped)
{
	char path[128], want[64], name[16];
	pid_t pid = make_zombie(3);

	ASSERT_GE(pid, 1);
	snprintf(name, sizeof(name), "%d", pid);
	EXPECT_TRUE(dir_has("/proc", name));
	ASSERT_GE(read_proc(zpath(path, pid, "stat")), 1);
	snprintf(want, sizeof(want), "%d (", pid);
	EXPECT_TRUE(strncmp(big, want, strlen(want)) == 0);
	char *rparen = strrchr(big, ')');
	ASSERT_TRUE(rparen != NULL);
	EXPECT_TRUE(strncmp(rparen, ") Z ", 4) == 0);
	char *last = strrchr(big, ' ');
	ASSERT_TRUE(last != NULL);
	EXPECT_EQ(atoi(last + 1), 3 << 8);

	ASSERT_GE(read_proc(zpath(path, pid, "status")), 1);
	EXPECT_TRUE(strstr(big, "\nState:\tZ (zombie)\n") != NULL);
	snprintf(want, sizeof(want), "\nPPid:\t%d\n", getpid());
	EXPECT_TRUE(strstr(big, want) != NULL);
	EXPECT_TRUE(strstr(big, "\nUid:\t") != NULL);
	/* No memory, no fs context: no Vm lines, no Umask. */
	EXPECT_TRUE(strstr(big, "VmSize") == NULL);
	EXPECT_TRUE(strstr(big, "Umask") == NULL);

	ASSERT_GE(read_proc("/proc/self/comm"), 1);
	snprintf(want, sizeof(want), "%.63s", big);
	ASSERT_GE(read_proc(zpath(path, pid, "comm")), 1);
	EXPECT_STREQ(big, want);

	EXPECT_EQ(waitpid(pid, NULL, 0), pid);
	EXPECT_TRUE(!dir_has("/proc", name));
	EXPECT_ERRNO(open(zpath(path, pid, "stat"), O_RDONLY), ENOENT);
}

/* A zombie has released its memory, files and fs context. */
TEST(a_zombie_has_no_memory_files_or_links)
{
	char path[128], buf[64], names[256];
	pid_t pid = make_zombie(0);

	ASSERT_GE(pid, 1);
	EXPECT_EQ(read_proc(zpath(path, pid, "cmdline")), 0);
	EXPECT_EQ(read_proc(zpath(path, pid, "maps")), 0);
	ASSERT_GE(read_proc(zpath(path, pid, "statm")), 1);
	EXPECT_STREQ(big, "0 0 0 0 0 0 0\n");
	/* environ: ESRCH at open since Linux 6.15 (__mem_open); empty before. */
	int fd = open(zpath(path, pid, "environ"), O_RDONLY);
	int err = errno;
	if (fd < 0) {
		EXPECT_EQ(err, ESRCH);
	} else {
		EXPECT_EQ(read(fd, buf, sizeof(buf)), 0);
		close(fd);
	}
	EXPECT_ERRNO(open(zpath(path, pid, "mounts"), O_RDONLY), EINVAL);
	EXPECT_ERRNO(readlink(zpath(path, pid, "exe"), buf, sizeof(buf)), ENOENT);
	EXPECT_ERRNO(readlink(zpath(path, pid, "cwd"), buf, sizeof(buf)), ENOENT);
	EXPECT_ERRNO(readlink(zpath(path, pid, "root"), buf, sizeof(buf)), ENOENT);
	EXPECT_EQ(list_dir(zpath(path, pid, "fd"), names, sizeof(names)), 0);
	EXPECT_EQ(list_dir(zpath(path, pid, "fdinfo"), names, sizeof(names)), 0);
	EXPECT_ERRNO(open(zpath(path, pid, "fdinfo/0"), O_RDONLY), ENOENT);
	ASSERT_GE(read_proc(zpath(path, pid, "limits")), 1);
	EXPECT_TRUE(strncmp(big, "Limit", 5) == 0);

	/* Its dead leader is still a task. */
	snprintf(buf, sizeof(buf), "%d", pid);
	EXPECT_EQ(list_dir(zpath(path, pid, "task"), names, sizeof(names)), 1);
	EXPECT_STREQ(names, buf);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, pid);
	ASSERT_GE(read_proc(path), 1);
	EXPECT_TRUE(strstr(big, ") Z ") != NULL);
	EXPECT_EQ(waitpid(pid, NULL, 0), pid);
}

/* Closing the fds a listing of /proc/self/fd named, between getdents64
 * calls, does not make the listing skip the others (the offset is the fd
 * number, not the place in the list): Python's subprocess closes fds so. */
TEST(proc_self_fd_listing_survives_closing_what_it_listed)
{
	int fds[12], dir;
	char buf[280];
	long n;

	for (int i = 0; i < 12; i++)
		ASSERT_OK(fds[i] = dup(0));
	ASSERT_OK(dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY));
	while ((n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			int fd = atoi(d->d_name);
			if (d->d_name[0] != '.' && fd >= fds[0] && fd != dir)
				close(fd);
			off += d->d_reclen;
		}
	}
	EXPECT_EQ(n, 0);
	for (int i = 0; i < 12; i++)
		EXPECT_ERRNO(fcntl(fds[i], F_GETFD), EBADF);
	close(dir);
}
