/* Resource limits enforced (RLIMIT_FSIZE, RLIMIT_AS, RLIMIT_NOFILE, root
 * past RLIMIT_NPROC) and
 * resource usage reported (getrusage, times, wait4's rusage). */
#define TEST_WORKDIR
#include "test.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/times.h>

static volatile sig_atomic_t xfsz_count;

static void on_xfsz(int sig)
{
	(void)sig;
	xfsz_count++;
}

static char buf[20000];

/* Writes stop at the limit; one at or past it raises SIGXFSZ and fails
 * with EFBIG, as do truncates past it. */
static void fsize(void)
{
	struct rlimit rl = { 10000, RLIM_INFINITY };
	ASSERT_OK(setrlimit(RLIMIT_FSIZE, &rl));
	signal(SIGXFSZ, on_xfsz);
	int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT_OK(fd);
	EXPECT_EQ(write(fd, buf, sizeof(buf)), 10000);
	EXPECT_EQ(xfsz_count, 0);
	EXPECT_ERRNO(write(fd, buf, 1), EFBIG);
	EXPECT_EQ(xfsz_count, 1);
	EXPECT_EQ(pwrite(fd, buf, 10, 9995), 5);
	EXPECT_ERRNO(pwrite(fd, buf, 10, 10000), EFBIG);
	EXPECT_EQ(xfsz_count, 2);
	/* A zero-length write past the limit is not checked. */
	EXPECT_EQ(pwrite(fd, buf, 0, 20000), 0);
	EXPECT_ERRNO(ftruncate(fd, 10001), EFBIG);
	EXPECT_EQ(xfsz_count, 3);
	EXPECT_OK(ftruncate(fd, 10000));
	EXPECT_OK(ftruncate(fd, 100));
	EXPECT_ERRNO(truncate("f", 20000), EFBIG);
	EXPECT_EQ(xfsz_count, 4);
	/* O_APPEND counts from the end of the file. */
	int afd = open("f", O_WRONLY | O_APPEND);
	ASSERT_OK(afd);
	EXPECT_EQ(write(afd, buf, sizeof(buf)), 9900);
	struct stat st;
	ASSERT_OK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 10000);
	close(afd);
	/* Pipes are not files with a size: no limit. */
	int p[2];
	ASSERT_OK(pipe(p));
	EXPECT_EQ(write(p[1], buf, 15000), 15000);
	close(p[0]);
	close(p[1]);
	close(fd);
	/* By default SIGXFSZ kills (with a core dump, where there is one). */
	signal(SIGXFSZ, SIG_DFL);
	int status;
	pid_t pid = fork();
	if (pid == 0) {
		int f2 = open("f", O_WRONLY);
		pwrite(f2, buf, 1, 10000);
		_exit(0);
	}
	ASSERT_OK(pid);
	ASSERT_OK(waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(WTERMSIG(status), SIGXFSZ);
}

TEST(rlimit_fsize_stops_writes_and_truncates)
{
	test_in_child(fsize);
}

static long vm_size_kb(void)
{
	char status[4096], *p;
	if (test_read_file("/proc/self/status", status, sizeof(status)) <= 0 ||
	    !(p = strstr(status, "VmSize:")))
		return -1;
	return strtol(p + 7, NULL, 10);
}

/* mmap, mremap and brk beyond RLIMIT_AS fail with ENOMEM. */
static void address_space(void)
{
	long kb = vm_size_kb();
	ASSERT_TRUE(kb > 0);
	struct rlimit rl = { (rlim_t)(kb + 1024) * 1024, RLIM_INFINITY };
	ASSERT_OK(setrlimit(RLIMIT_AS, &rl));
	/* (The expectations clear errno: keep it first.) */
	void *p = mmap(NULL, 4 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int err = errno;
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(err, ENOMEM);
	void *small = mmap(NULL, 256 << 10, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT_TRUE(small != MAP_FAILED);
	/* Replacing a mapping in place does not grow the address space. */
	void *again = mmap(small, 256 << 10, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	EXPECT_TRUE(again == small);
	void *grown = mremap(small, 256 << 10, 4 << 20, MREMAP_MAYMOVE);
	err = errno;
	EXPECT_TRUE(grown == MAP_FAILED);
	EXPECT_EQ(err, ENOMEM);
	void *cur = sbrk(0);
	void *brk_ret = sbrk(4 << 20);
	err = errno;
	EXPECT_TRUE(brk_ret == (void *)-1);
	EXPECT_EQ(err, ENOMEM);
	EXPECT_TRUE(sbrk(0) == cur);
	EXPECT_TRUE(sbrk(64 << 10) != (void *)-1);
	munmap(small, 256 << 10);
}

TEST(rlimit_as_limits_mmap_mremap_and_brk)
{
	test_in_child(address_space);
}

static void nofile(void)
{
	struct rlimit rl = { 8, 8 };
	ASSERT_OK(setrlimit(RLIMIT_NOFILE, &rl));
	int last = -1, fd;
	while ((fd = open("/dev/null", O_RDONLY)) >= 0)
		last = fd;
	int err = errno;
	EXPECT_EQ(err, EMFILE);
	EXPECT_EQ(last, 7);
	EXPECT_ERRNO(dup2(0, 8), EBADF);
	EXPECT_ERRNO(fcntl(0, F_DUPFD, 8), EINVAL);
	int p[2];
	EXPECT_ERRNO(pipe(p), EMFILE);
}

/* RLIMIT_NPROC does not hold for root (Python's test_subprocess counts
 * on it to know it runs as the superuser). */
/* In a child: with RLIMIT_NPROC at 1, fork still works; exit status 0. */
static int fork_under_nproc_1(void)
{
	struct rlimit rl = { 1, 1 };
	int status;

	if (setrlimit(RLIMIT_NPROC, &rl) < 0)
		return 1;
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 2;
	return WIFEXITED(status) && WEXITSTATUS(status) == 7 ? 0 : 3;
}

TEST(rlimit_nproc_does_not_stop_root)
{
	pid_t pid;
	int status;

	if (getuid() != 0)
		SKIP("needs root");
	/* In a child: the lowered hard limit could not be raised again. */
	ASSERT_OK(pid = fork());
	if (pid == 0)
		_exit(fork_under_nproc_1());
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(rlimit_nofile_gives_emfile)
{
	test_in_child(nofile);
}

static int64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Spins until the process has used MS milliseconds more CPU. */
static void burn(int ms)
{
	int64_t end = cpu_ns() + (int64_t)ms * 1000000;
	volatile unsigned x = 0;
	while (cpu_ns() < end)
		for (int i = 0; i < 10000; i++)
			x += i;
}

static int64_t tv_ns(struct timeval tv)
{
	return (int64_t)tv.tv_sec * 1000000000 + tv.tv_usec * 1000;
}

TEST(getrusage_self_counts_cpu_time)
{
	struct rusage before, after;
	ASSERT_OK(getrusage(RUSAGE_SELF, &before));
	burn(60);
	ASSERT_OK(getrusage(RUSAGE_SELF, &after));
	int64_t used = tv_ns(after.ru_utime) + tv_ns(after.ru_stime) - tv_ns(before.ru_utime) -
		       tv_ns(before.ru_stime);
	EXPECT_TRUE(used >= 40000000);
	EXPECT_TRUE(after.ru_utime.tv_usec < 1000000 && after.ru_stime.tv_usec < 1000000);
	EXPECT_TRUE(after.ru_maxrss > 0);
	ASSERT_OK(getrusage(RUSAGE_THREAD, &after));
	EXPECT_TRUE(tv_ns(after.ru_utime) + tv_ns(after.ru_stime) >= 40000000);
	EXPECT_ERRNO(getrusage(42, &after), EINVAL);
	EXPECT_ERRNO(syscall(SYS_getrusage, RUSAGE_SELF, test_bad_ptr()), EFAULT);
}

/* A reaped child's CPU time shows in wait4's rusage, then in
 * RUSAGE_CHILDREN and times(); an unreaped one's does not. */
static void children(void)
{
	struct rusage ru, kids;
	ASSERT_OK(getrusage(RUSAGE_CHILDREN, &kids));
	EXPECT_EQ(tv_ns(kids.ru_utime) + tv_ns(kids.ru_stime), 0);
	pid_t pid = fork();
	if (pid == 0) {
		burn(60);
		_exit(0);
	}
	ASSERT_OK(pid);
	int status;
	siginfo_t si;
	ASSERT_OK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	ASSERT_OK(getrusage(RUSAGE_CHILDREN, &kids));
	EXPECT_EQ(tv_ns(kids.ru_utime) + tv_ns(kids.ru_stime), 0);
	ASSERT_EQ(wait4(pid, &status, 0, &ru), pid);
	int64_t child = tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime);
	EXPECT_TRUE(child >= 40000000);
	ASSERT_OK(getrusage(RUSAGE_CHILDREN, &kids));
	EXPECT_EQ(tv_ns(kids.ru_utime) + tv_ns(kids.ru_stime), child);
	struct tms tms;
	clock_t now = times(&tms);
	EXPECT_TRUE(now != (clock_t)-1);
	EXPECT_TRUE(tms.tms_cutime + tms.tms_cstime >= 3);
	EXPECT_TRUE(times(NULL) >= now);
	EXPECT_ERRNO(syscall(SYS_times, test_bad_ptr()), EFAULT);
}

TEST(children_cpu_time_after_reaping)
{
	test_in_child(children);
}

/* prlimit on another process: its limits change; another user's
 * process needs CAP_SYS_RESOURCE (EPERM); a missing one is ESRCH. */
static void prlimit_other(void)
{
	int go[2];
	ASSERT_OK(pipe(go));
	pid_t pid = test_fork();
	if (pid == 0) {
		char c;
		struct rlimit rl;
		close(go[1]);
		if (read(go[0], &c, 1) != 1 || getrlimit(RLIMIT_NOFILE, &rl) < 0)
			_exit(2);
		_exit(rl.rlim_cur == 77 ? 0 : 1);
	}
	ASSERT_OK(pid);
	close(go[0]);
	struct rlimit old, rl = { 77, 77 };
	EXPECT_OK(syscall(SYS_prlimit64, pid, RLIMIT_NOFILE, &rl, &old));
	EXPECT_TRUE(old.rlim_cur != 77);
	EXPECT_OK(syscall(SYS_prlimit64, pid, RLIMIT_NOFILE, NULL, &old));
	EXPECT_EQ(old.rlim_cur, 77);
	EXPECT_EQ(write(go[1], "x", 1), 1);
	EXPECT_EQ(test_wait(pid, 0), 0);

	EXPECT_ERRNO(syscall(SYS_prlimit64, -5, RLIMIT_NOFILE, NULL, &old), ESRCH);
	pid_t parent = getpid();
	pid = test_fork();
	if (pid == 0) {
		struct rlimit r;
		if (setresuid(1000, 1000, 1000) < 0)
			_exit(2);
		_exit(syscall(SYS_prlimit64, parent, RLIMIT_NOFILE, NULL, &r) == -1 &&
		      errno == EPERM ? 0 : 1);
	}
	ASSERT_OK(pid);
	EXPECT_EQ(test_wait(pid, 0), 0);
}

TEST(prlimit_of_another_process)
{
	test_in_child(prlimit_other);
}
