/* Process identity and environment: pids, credentials, uname, TLS,
 * resource limits, CPU affinity, sysinfo, getrandom, umask, names. */
#include "test.h"

#include <asm/prctl.h>        /* ARCH_GET_FS */
#include <grp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

/* --- pids --- */

/* The pid is not asserted: it is 1 for cvisor's first process, something
 * else natively. A single-threaded process's only thread is its leader,
 * so pid == tid. */
TEST(getpid_equals_gettid_in_a_single_threaded_process)
{
	long pid = getpid();

	EXPECT_GE(pid, 1);
	EXPECT_EQ(syscall(SYS_gettid), pid);
	EXPECT_EQ(syscall(SYS_getpid), pid);
}

/* getppid is 0 when the parent is outside the pid namespace (as for a
 * sandbox's first process). */
TEST(getppid_is_not_negative)
{
	EXPECT_GE(getppid(), 0);
	EXPECT_NE(getppid(), getpid());
}

/* set_tid_address(2): "always returns the caller's thread ID." */
TEST(set_tid_address_returns_the_tid)
{
	static int clear_child_tid;

	EXPECT_EQ(syscall(SYS_set_tid_address, &clear_child_tid),
		  syscall(SYS_gettid));
}

/* --- credentials --- */

TEST(tests_run_as_root)
{
	EXPECT_EQ(getuid(), 0);
	EXPECT_EQ(geteuid(), 0);
}

TEST(getresuid_and_getresgid_match_the_single_getters)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;

	ASSERT_OK(getresuid(&r, &e, &s));
	EXPECT_EQ(r, getuid());
	EXPECT_EQ(e, geteuid());
	EXPECT_EQ(s, e);   /* no set-user-ID program was run */
	ASSERT_OK(getresgid(&gr, &ge, &gs));
	EXPECT_EQ(gr, getgid());
	EXPECT_EQ(ge, getegid());
	EXPECT_EQ(gs, ge);
	EXPECT_EQ(syscall(SYS_getuid), getuid());
	EXPECT_EQ(syscall(SYS_getgid), getgid());
}

TEST(getresuid_bad_pointer_is_efault)
{
	uid_t r, e;

	EXPECT_ERRNO(syscall(SYS_getresuid, &r, &e, test_bad_ptr()), EFAULT);
}

/* getgroups(2): "If size is zero, list is not modified, but the total
 * number of supplementary group IDs for the process is returned." */
TEST(getgroups_size_zero_returns_the_count)
{
	static gid_t groups[NGROUPS_MAX];
	int n;

	ASSERT_OK(n = getgroups(0, NULL));
	EXPECT_LE(n, NGROUPS_MAX);
	EXPECT_EQ(getgroups(NGROUPS_MAX, groups), n);
	/* EINVAL "size is less than the number of supplementary group IDs,
	 * but is not zero." */
	if (n >= 2)
		EXPECT_ERRNO(getgroups(n - 1, groups), EINVAL);
	EXPECT_ERRNO(syscall(SYS_getgroups, -1, groups), EINVAL);
}

/* As root, setgroups works and getgroups reports the new list. */
TEST(setgroups_then_getgroups_round_trips)
{
	static gid_t old[NGROUPS_MAX];
	gid_t now[4];
	const gid_t want[3] = { 10, 20, 30 };
	int n;

	ASSERT_OK(n = getgroups(NGROUPS_MAX, old));
	ASSERT_OK(setgroups(3, want));
	EXPECT_EQ(getgroups(4, now), 3);
	EXPECT_EQ(now[0], 10);
	EXPECT_EQ(now[1], 20);
	EXPECT_EQ(now[2], 30);
	EXPECT_ERRNO(getgroups(2, now), EINVAL);
	EXPECT_OK(setgroups(n, old));
}

/* --- uname --- */

TEST(uname_reports_linux_on_x86_64)
{
	struct utsname u;

	ASSERT_OK(uname(&u));
	EXPECT_STREQ(u.sysname, "Linux");
	EXPECT_STREQ(u.machine, "x86_64");
	EXPECT_GE(strlen(u.release), 1);
	EXPECT_GE(strlen(u.version), 1);
	EXPECT_LE(strlen(u.nodename), sizeof(u.nodename) - 1);
	/* glibc parses the release as "major.minor..." to check the kernel
	 * is new enough; it must start with a digit. */
	EXPECT_TRUE(u.release[0] >= '1' && u.release[0] <= '9');
}

TEST(uname_bad_pointer_is_efault)
{
	EXPECT_ERRNO(syscall(SYS_uname, test_bad_ptr()), EFAULT);
}

/* sethostname(2) EINVAL "len is negative or ... larger than the maximum
 * allowed size." (Only the error is checked: natively, a successful call
 * would rename the host.) */
TEST(sethostname_too_long_is_einval)
{
	char name[128];

	memset(name, 'h', sizeof(name));
	EXPECT_ERRNO(syscall(SYS_sethostname, name, 65), EINVAL);
}

TEST(setdomainname_too_long_or_negative_is_einval)
{
	char name[128];

	memset(name, 'd', sizeof(name));
	EXPECT_ERRNO(syscall(SYS_setdomainname, name, 65), EINVAL);
	EXPECT_ERRNO(syscall(SYS_setdomainname, name, -1), EINVAL);
}

/* --- the kernel log: syslog(2) --- */

/* syslog(2) actions, from the man page (glibc has no header for them). */
#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_SIZE_UNREAD 9
#define SYSLOG_ACTION_SIZE_BUFFER 10

TEST(syslog_size_buffer_is_positive)
{
	EXPECT_GE(syscall(SYS_syslog, SYSLOG_ACTION_SIZE_BUFFER, NULL, 0), 1);
}

/* READ_ALL copies at most LEN bytes of the log and returns how many. */
TEST(syslog_read_all_returns_at_most_len)
{
	char buf[64];
	long n = syscall(SYS_syslog, SYSLOG_ACTION_READ_ALL, buf, (int)sizeof(buf));
	EXPECT_GE(n, 0);
	EXPECT_LE(n, (long)sizeof(buf));
	EXPECT_EQ(syscall(SYS_syslog, SYSLOG_ACTION_READ_ALL, buf, 0), 0);
	EXPECT_GE(syscall(SYS_syslog, SYSLOG_ACTION_SIZE_UNREAD, NULL, 0), 0);
}

TEST(syslog_bad_arguments)
{
	char buf[8];
	EXPECT_ERRNO(syscall(SYS_syslog, 11, buf, 8), EINVAL);
	EXPECT_ERRNO(syscall(SYS_syslog, -1, buf, 8), EINVAL);
	EXPECT_ERRNO(syscall(SYS_syslog, SYSLOG_ACTION_READ_ALL, buf, -1), EINVAL);
	EXPECT_ERRNO(syscall(SYS_syslog, SYSLOG_ACTION_READ_ALL, NULL, 8), EINVAL);
}

/* --- TLS --- */

/* On x86-64 glibc's thread control block starts with a pointer to itself,
 * and %fs holds its address: ARCH_GET_FS must return that. */
TEST(arch_prctl_get_fs_is_the_tls_pointer)
{
	unsigned long fs = 0, self;

	__asm__("mov %%fs:0, %0" : "=r"(self));
	ASSERT_OK(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
	EXPECT_EQ(fs, self);
	EXPECT_NE(fs, 0);
}

static __thread volatile int tls_value;

TEST(arch_prctl_set_fs_to_the_same_value_keeps_tls_working)
{
	unsigned long fs = 0, self;

	ASSERT_OK(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
	ASSERT_OK(syscall(SYS_arch_prctl, ARCH_SET_FS, fs));
	__asm__("mov %%fs:0, %0" : "=r"(self));
	EXPECT_EQ(self, fs);
	tls_value = 1234;
	EXPECT_EQ(tls_value, 1234);
}

TEST(arch_prctl_unknown_code_is_einval)
{
	unsigned long v;

	EXPECT_ERRNO(syscall(SYS_arch_prctl, 0x9999, &v), EINVAL);
}

/* --- resource limits --- */

TEST(rlimit_nofile_soft_is_at_most_hard)
{
	struct rlimit rl;

	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &rl));
	EXPECT_LE(rl.rlim_cur, rl.rlim_max);
	EXPECT_GE(rl.rlim_cur, 3);
}

TEST(prlimit64_sets_a_lower_soft_limit_and_getrlimit_sees_it)
{
	struct rlimit old, now, lower;

	ASSERT_OK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &old));
	lower = old;
	lower.rlim_cur = 100;
	ASSERT_OK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &lower, &now));
	EXPECT_EQ(now.rlim_cur, old.rlim_cur);   /* the old value comes back */
	EXPECT_OK(getrlimit(RLIMIT_NOFILE, &now));
	EXPECT_EQ(now.rlim_cur, 100);
	EXPECT_EQ(now.rlim_max, old.rlim_max);
	/* Restore, naming ourselves by pid this time. */
	EXPECT_OK(syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, &old, NULL));
	EXPECT_OK(getrlimit(RLIMIT_NOFILE, &now));
	EXPECT_EQ(now.rlim_cur, old.rlim_cur);
}

TEST(rlimit_errors)
{
	struct rlimit rl, bad;

	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &rl));
	/* setrlimit(2) EINVAL: "rlim->rlim_cur was greater than
	 * rlim->rlim_max"; "resource is not valid". */
	bad.rlim_max = rl.rlim_max > 10 ? 10 : rl.rlim_max;
	bad.rlim_cur = bad.rlim_max + 1;
	EXPECT_ERRNO(setrlimit(RLIMIT_NOFILE, &bad), EINVAL);
	EXPECT_ERRNO(syscall(SYS_prlimit64, 0, 100, NULL, &rl), EINVAL);
	EXPECT_ERRNO(syscall(SYS_getrlimit, 100, &rl), EINVAL);
	/* ESRCH "Could not find a process with the ID specified in pid." */
	EXPECT_ERRNO(syscall(SYS_prlimit64, INT_MAX, RLIMIT_NOFILE, NULL, &rl),
		     ESRCH);
}

TEST(rlimit_stack_and_as_are_reported)
{
	struct rlimit rl;

	ASSERT_OK(getrlimit(RLIMIT_STACK, &rl));
	EXPECT_GE(rl.rlim_cur, 64 * 1024);
	ASSERT_OK(getrlimit(RLIMIT_AS, &rl));
	EXPECT_LE(rl.rlim_cur, rl.rlim_max);
}

/* --- CPU affinity --- */

/* The raw sched_getaffinity returns the number of bytes it copied (glibc
 * returns 0). */
TEST(sched_getaffinity_returns_a_size_and_a_non_empty_mask)
{
	unsigned long mask[16] = { 0 };
	long n;
	int cpus = 0;

	ASSERT_OK(n = syscall(SYS_sched_getaffinity, 0, sizeof(mask), mask));
	EXPECT_GE(n, sizeof(long));
	EXPECT_LE(n, sizeof(mask));
	EXPECT_EQ(n % sizeof(long), 0);
	for (size_t i = 0; i < sizeof(mask) / sizeof(mask[0]); i++)
		cpus += __builtin_popcountl(mask[i]);
	EXPECT_GE(cpus, 1);
}

/* sched_setaffinity(2) EINVAL: the size is smaller than the kernel's mask
 * or not a multiple of sizeof(long). */
TEST(sched_getaffinity_bad_size_is_einval)
{
	unsigned long mask[16];

	EXPECT_ERRNO(syscall(SYS_sched_getaffinity, 0, 3, mask), EINVAL);
	EXPECT_ERRNO(syscall(SYS_sched_getaffinity, 0, 0, mask), EINVAL);
}

TEST(sched_getaffinity_of_self_by_pid_matches)
{
	cpu_set_t a, b;

	ASSERT_OK(sched_getaffinity(0, sizeof(a), &a));
	ASSERT_OK(sched_getaffinity(getpid(), sizeof(b), &b));
	EXPECT_TRUE(CPU_EQUAL(&a, &b));
	EXPECT_GE(CPU_COUNT(&a), 1);
}

TEST(sched_yield_succeeds)
{
	EXPECT_OK(sched_yield());
}

/* --- sysinfo --- */

TEST(sysinfo_reports_uptime_and_memory)
{
	struct sysinfo si;

	ASSERT_OK(sysinfo(&si));
	EXPECT_GE(si.uptime, 1);
	EXPECT_GE(si.totalram, 1);
	EXPECT_GE(si.mem_unit, 1);
	EXPECT_LE(si.freeram, si.totalram);
	EXPECT_GE(si.procs, 1);
	EXPECT_ERRNO(syscall(SYS_sysinfo, test_bad_ptr()), EFAULT);
}

/* --- getrandom --- */

TEST(getrandom_fills_the_buffer)
{
	unsigned char a[64] = { 0 }, b[64] = { 0 }, zero[64] = { 0 };

	EXPECT_EQ(syscall(SYS_getrandom, a, sizeof(a), 0), sizeof(a));
	EXPECT_EQ(syscall(SYS_getrandom, b, sizeof(b), 0), sizeof(b));
	EXPECT_TRUE(memcmp(a, zero, sizeof(a)) != 0);
	EXPECT_TRUE(memcmp(a, b, sizeof(a)) != 0);
}

TEST(getrandom_nonblock_and_random_flags)
{
	unsigned char buf[32];

	EXPECT_EQ(syscall(SYS_getrandom, buf, sizeof(buf), GRND_NONBLOCK),
		  sizeof(buf));
	EXPECT_GE(syscall(SYS_getrandom, buf, sizeof(buf),
			  GRND_RANDOM | GRND_NONBLOCK), 1);
	EXPECT_EQ(syscall(SYS_getrandom, buf, 0, 0), 0);
}

/* getrandom(2) EINVAL "An invalid flag was specified in flags." */
TEST(getrandom_errors)
{
	unsigned char buf[8];

	EXPECT_ERRNO(syscall(SYS_getrandom, buf, sizeof(buf), 0x100), EINVAL);
	EXPECT_ERRNO(syscall(SYS_getrandom, test_bad_ptr(), 8, 0), EFAULT);
}

/* --- umask, names --- */

TEST(umask_returns_the_previous_value)
{
	mode_t old = umask(0);

	EXPECT_EQ(umask(0123), 0);
	EXPECT_EQ(umask(old), 0123);
}

/* prctl(2) PR_SET_NAME: the thread name is at most 16 bytes including
 * the NUL; longer names are truncated. */
TEST(prctl_set_name_and_get_name)
{
	char name[32] = { 0 };

	ASSERT_OK(prctl(PR_SET_NAME, "cvisor-test-name-too-long"));
	ASSERT_OK(prctl(PR_GET_NAME, name));
	EXPECT_STREQ(name, "cvisor-test-nam");
}
