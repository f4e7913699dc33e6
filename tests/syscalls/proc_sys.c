/* /proc and /sys beyond the basics of proc_dev.c and proc_pid.c: the
 * formats of maps, smaps, statm, limits, mountinfo, oom_score_adj, io,
 * wchan, the system-wide files and /proc/sys, and the CPU count that
 * /proc/cpuinfo, /proc/stat, /sys/devices/system/cpu and
 * sched_getaffinity must agree on. */
#define TEST_WORKDIR
#include "test.h"

#include <linux/capability.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>

static char big[1 << 20];   /* contents of a proc file */

static ssize_t read_proc(const char *path)
{
	return test_read_file(path, big, sizeof(big));
}

/* The line of BUF that starts with PREFIX (copied into LINE), or NULL. */
static char *find_line(const char *buf, const char *prefix, char *line, size_t size)
{
	size_t plen = strlen(prefix);
	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, prefix, plen) == 0) {
			const char *end = strchr(p, '\n');
			size_t len = end ? (size_t)(end - p) : strlen(p);
			if (len >= size)
				len = size - 1;
			memcpy(line, p, len);
			line[len] = '\0';
			return line;
		}
	}
	return NULL;
}

static long read_number(const char *path)
{
	char buf[64];
	char *end;
	if (test_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	long v = strtol(buf, &end, 10);
	return *end == '\n' && end[1] == '\0' ? v : -1;
}

/* A CPU list ("0-3,5") as a bit mask; -1 if malformed. */
static long long parse_cpu_list(const char *s)
{
	long long mask = 0;
	while (*s && *s != '\n') {
		char *end;
		long a = strtol(s, &end, 10), b = a;
		if (end == s)
			return -1;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (long i = a; i <= b && i < 63; i++)
			mask |= 1LL << i;
		s = *end == ',' ? end + 1 : end;
	}
	return *s == '\n' && s[1] == '\0' ? mask : -1;
}

static int popcount(long long m)
{
	return __builtin_popcountll((unsigned long long)m);
}

/* --- the CPU count --- */

/* glibc's get_nprocs reads /sys/devices/system/cpu/online; /proc/stat,
 * /proc/cpuinfo and sched_getaffinity must agree with it. */
TEST(cpu_count_agrees_everywhere)
{
	char buf[256];
	ASSERT_TRUE(test_read_file("/sys/devices/system/cpu/online", buf, sizeof(buf)) > 0);
	long long online = parse_cpu_list(buf);
	ASSERT_TRUE(online > 0);
	int n = popcount(online);
	EXPECT_EQ(sysconf(_SC_NPROCESSORS_ONLN), n);
	EXPECT_EQ(get_nprocs(), n);

	ASSERT_TRUE(test_read_file("/sys/devices/system/cpu/possible", buf, sizeof(buf)) > 0);
	EXPECT_EQ(parse_cpu_list(buf) & online, online);
	ASSERT_TRUE(test_read_file("/sys/devices/system/cpu/present", buf, sizeof(buf)) > 0);
	EXPECT_EQ(parse_cpu_list(buf) & online, online);
	struct stat st;
	EXPECT_OK(stat("/sys/devices/system/cpu/cpu0", &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));

	/* The affinity mask is within the online CPUs. */
	cpu_set_t set;
	ASSERT_OK(sched_getaffinity(0, sizeof(set), &set));
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set))
			EXPECT_TRUE(i < 63 && (online >> i & 1));

	/* One "processor" block per online CPU, numbered as they are. */
	ASSERT_TRUE(read_proc("/proc/cpuinfo") > 0);
	int blocks = 0;
	for (char *p = big; (p = strstr(p, "processor\t: ")); p++) {
		EXPECT_TRUE(p == big || p[-1] == '\n');
		blocks++;
	}
	EXPECT_EQ(blocks, n);

	/* /proc/stat: the total line, then one line per online CPU. */
	ASSERT_TRUE(read_proc("/proc/stat") > 0);
	EXPECT_TRUE(strncmp(big, "cpu  ", 5) == 0);
	int lines = 0;
	for (int i = 0; i < 63; i++) {
		char prefix[16], line[256];
		snprintf(prefix, sizeof(prefix), "cpu%d ", i);
		if (find_line(big, prefix, line, sizeof(line))) {
			EXPECT_TRUE(online >> i & 1);
			lines++;
		}
	}
	EXPECT_EQ(lines, n);
}

TEST(sys_fs_cgroup_is_a_directory)
{
	struct stat st;
	ASSERT_OK(stat("/sys/fs/cgroup", &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
}

/* --- system-wide /proc files --- */

TEST(cpuinfo_flags_follow_cpuid)
{
	char line[8192];
	ASSERT_TRUE(read_proc("/proc/cpuinfo") > 0);
	ASSERT_TRUE(find_line(big, "flags\t\t: ", line, sizeof(line)) != NULL);
	strcat(line, " ");
	__builtin_cpu_init();
	EXPECT_EQ(strstr(line, " sse2 ") != NULL, __builtin_cpu_supports("sse2") != 0);
	EXPECT_EQ(strstr(line, " avx2 ") != NULL, __builtin_cpu_supports("avx2") != 0);
	EXPECT_EQ(strstr(line, " popcnt ") != NULL, __builtin_cpu_supports("popcnt") != 0);
	EXPECT_TRUE(find_line(big, "vendor_id\t: ", line, sizeof(line)) != NULL);
	EXPECT_TRUE(find_line(big, "model name\t: ", line, sizeof(line)) != NULL);
}

TEST(stat_has_btime_processes_and_procs_running)
{
	char line[256];
	unsigned long long v[10];
	ASSERT_TRUE(read_proc("/proc/stat") > 0);
	EXPECT_EQ(sscanf(big, "cpu  %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
			 &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]), 10);
	long long btime = -1, processes = -1, running = -1;
	ASSERT_TRUE(find_line(big, "btime ", line, sizeof(line)) != NULL);
	sscanf(line, "btime %lld", &btime);
	ASSERT_TRUE(find_line(big, "processes ", line, sizeof(line)) != NULL);
	sscanf(line, "processes %lld", &processes);
	ASSERT_TRUE(find_line(big, "procs_running ", line, sizeof(line)) != NULL);
	sscanf(line, "procs_running %lld", &running);
	EXPECT_TRUE(find_line(big, "procs_blocked ", line, sizeof(line)) != NULL);
	EXPECT_TRUE(find_line(big, "ctxt ", line, sizeof(line)) != NULL);
	EXPECT_TRUE(find_line(big, "intr ", line, sizeof(line)) != NULL);
	/* Booted before now (and after 2000), has forked this process. */
	EXPECT_TRUE(btime > 946684800 && btime <= (long long)time(NULL));
	EXPECT_GE(processes, 1);
	EXPECT_GE(running, 1);	/* this process reading */
}

TEST(loadavg_format)
{
	double a, b, c;
	int running, total, last;
	char tail;
	ASSERT_TRUE(read_proc("/proc/loadavg") > 0);
	EXPECT_EQ(sscanf(big, "%lf %lf %lf %d/%d %d%c", &a, &b, &c, &running, &total, &last, &tail), 7);
	EXPECT_EQ(tail, '\n');
	EXPECT_GE(running, 1);
	EXPECT_GE(total, running);
	EXPECT_GE(last, 1);
}

/* show_val_kb: "Name:" padded to 16 columns, the value to 8, " kB". */
TEST(meminfo_format_and_sense)
{
	static const char *const first[] = { "MemTotal:", "MemFree:", "MemAvailable:",
					     "Buffers:", "Cached:" };
	unsigned long long v[5];
	ASSERT_TRUE(read_proc("/proc/meminfo") > 0);
	const char *p = big;
	for (int i = 0; i < 5; i++) {
		char name[17];
		snprintf(name, sizeof(name), "%-16s", first[i]);
		EXPECT_TRUE(strncmp(p, name, 16) == 0);
		EXPECT_EQ(sscanf(p + 16, "%8llu kB\n", &v[i]), 1);
		EXPECT_TRUE(strncmp(p + 24, " kB\n", 4) == 0);
		p = strchr(p, '\n') + 1;
	}
	EXPECT_TRUE(v[0] > 0);
	EXPECT_TRUE(v[1] <= v[0]);
	EXPECT_TRUE(v[2] <= v[0]);
	char line[128];
	EXPECT_TRUE(find_line(big, "SwapTotal:", line, sizeof(line)) != NULL);
	EXPECT_TRUE(find_line(big, "Shmem:", line, sizeof(line)) != NULL);
	EXPECT_TRUE(find_line(big, "SReclaimable:", line, sizeof(line)) != NULL);
	/* sysinfo(2) counts the same memory. */
	struct sysinfo si;
	ASSERT_OK(sysinfo(&si));
	EXPECT_EQ((unsigned long long)si.totalram * si.mem_unit / 1024, v[0]);
}

TEST(filesystems_lists_proc)
{
	ASSERT_TRUE(read_proc("/proc/filesystems") > 0);
	EXPECT_TRUE(strstr(big, "nodev\tproc\n") != NULL);
	EXPECT_TRUE(strstr(big, "nodev\tsysfs\n") != NULL);
	EXPECT_TRUE(strstr(big, "nodev\ttmpfs\n") != NULL);
}

/* --- /proc/sys --- */

TEST(sys_kernel_matches_uname_and_capabilities)
{
	struct utsname u;
	char buf[256], want[300];
	ASSERT_OK(uname(&u));
	snprintf(want, sizeof(want), "%s\n", u.nodename);
	test_read_file("/proc/sys/kernel/hostname", buf, sizeof(buf));
	EXPECT_STREQ(buf, want);
	snprintf(want, sizeof(want), "%s\n", u.release);
	test_read_file("/proc/sys/kernel/osrelease", buf, sizeof(buf));
	EXPECT_STREQ(buf, want);
	snprintf(want, sizeof(want), "%s\n", u.domainname);
	test_read_file("/proc/sys/kernel/domainname", buf, sizeof(buf));
	EXPECT_STREQ(buf, want);
	test_read_file("/proc/sys/kernel/ostype", buf, sizeof(buf));
	EXPECT_STREQ(buf, "Linux\n");

	long last = read_number("/proc/sys/kernel/cap_last_cap");
	EXPECT_EQ(last, CAP_LAST_CAP);
	EXPECT_OK(prctl(PR_CAPBSET_READ, last, 0, 0, 0));
	EXPECT_ERRNO(prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0), EINVAL);

	EXPECT_EQ(read_number("/proc/sys/kernel/ngroups_max"), sysconf(_SC_NGROUPS_MAX));
	long pid_max = read_number("/proc/sys/kernel/pid_max");
	EXPECT_TRUE(pid_max >= 301 && pid_max <= 4194304);
	EXPECT_TRUE(getpid() <= pid_max);
}

static bool is_uuid4(const char *s)
{
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
			return false;
	}
	return s[14] == '4' && strchr("89ab", s[19]) && s[36] == '\n' && s[37] == '\0';
}

TEST(random_boot_id_is_stable_uuid_is_fresh)
{
	char a[64], b[64];
	ASSERT_TRUE(test_read_file("/proc/sys/kernel/random/boot_id", a, sizeof(a)) > 0);
	ASSERT_TRUE(test_read_file("/proc/sys/kernel/random/boot_id", b, sizeof(b)) > 0);
	EXPECT_TRUE(is_uuid4(a));
	EXPECT_STREQ(a, b);
	ASSERT_TRUE(test_read_file("/proc/sys/kernel/random/uuid", a, sizeof(a)) > 0);
	ASSERT_TRUE(test_read_file("/proc/sys/kernel/random/uuid", b, sizeof(b)) > 0);
	EXPECT_TRUE(is_uuid4(a));
	EXPECT_TRUE(is_uuid4(b));
	EXPECT_TRUE(strcmp(a, b) != 0);
}

TEST(sys_vm_and_fs_numbers)
{
	long oc = read_number("/proc/sys/vm/overcommit_memory");
	EXPECT_TRUE(oc >= 0 && oc <= 2);
	EXPECT_TRUE(read_number("/proc/sys/vm/max_map_count") > 0);
	/* (Root may map below it: CAP_SYS_RAWIO; no check of that here.) */
	EXPECT_TRUE(read_number("/proc/sys/vm/mmap_min_addr") >= 0);
	EXPECT_TRUE(read_number("/proc/sys/fs/file-max") >= 8192);
	long nr_open = read_number("/proc/sys/fs/nr_open");
	struct rlimit rl;
	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &rl));
	EXPECT_TRUE(nr_open >= 1024 && (rlim_t)nr_open >= rl.rlim_max);
	/* RLIMIT_NOFILE cannot go past nr_open (EPERM). */
	rl.rlim_max = (rlim_t)nr_open + 1;
	rl.rlim_cur = 1024;
	EXPECT_ERRNO(setrlimit(RLIMIT_NOFILE, &rl), EPERM);
	EXPECT_TRUE(read_number("/proc/sys/fs/pipe-max-size") >= 4096);
}

/* --- per-process files --- */

/* proc_pid_limits: a header, then "%-25s %-20s %-20s %-10s" per limit;
 * a limit without a unit ends after the hard limit's padding. */
TEST(limits_table_is_linux_format)
{
	static const char *const names[] = {
		"Max cpu time", "Max file size", "Max data size", "Max stack size",
		"Max core file size", "Max resident set", "Max processes", "Max open files",
		"Max locked memory", "Max address space", "Max file locks",
		"Max pending signals", "Max msgqueue size", "Max nice priority",
		"Max realtime priority", "Max realtime timeout",
	};
	ASSERT_TRUE(read_proc("/proc/self/limits") > 0);
	const char *p = big;
	EXPECT_TRUE(strncmp(p, "Limit                     Soft Limit           Hard Limit           "
			       "Units     \n", 79) == 0);
	p = strchr(p, '\n') + 1;
	for (int i = 0; i < 16; i++) {
		const char *end = strchr(p, '\n');
		ASSERT_TRUE(end != NULL);
		char name[26], soft[21], hard[21], want[21];
		snprintf(name, sizeof(name), "%-25s", names[i]);
		EXPECT_TRUE(strncmp(p, name, 25) == 0);
		EXPECT_EQ(end - p, i == 13 || i == 14 ? 68 : 78);
		struct rlimit rl;
		ASSERT_OK(getrlimit(i, &rl));
		sscanf(p + 26, "%20s", soft);
		sscanf(p + 47, "%20s", hard);
		if (rl.rlim_cur == RLIM_INFINITY)
			snprintf(want, sizeof(want), "unlimited");
		else
			snprintf(want, sizeof(want), "%llu", (unsigned long long)rl.rlim_cur);
		EXPECT_STREQ(soft, want);
		if (rl.rlim_max == RLIM_INFINITY)
			snprintf(want, sizeof(want), "unlimited");
		else
			snprintf(want, sizeof(want), "%llu", (unsigned long long)rl.rlim_max);
		EXPECT_STREQ(hard, want);
		p = end + 1;
	}
	EXPECT_EQ(*p, '\0');
}

/* The maps line of the mapping that starts at ADDR into LINE. */
static bool maps_line(const char *file, void *addr, char *line, size_t size)
{
	char prefix[64];
	if (read_proc(file) <= 0)
		return false;
	snprintf(prefix, sizeof(prefix), "%08lx-", (unsigned long)addr);
	return find_line(big, prefix, line, size) != NULL;
}

TEST(maps_anonymous_and_file_lines)
{
	char line[512], want[512];
	char *anon = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(anon != MAP_FAILED);
	ASSERT_TRUE(maps_line("/proc/self/maps", anon, line, sizeof(line)));
	/* No name: the line ends after the inode and its space. */
	snprintf(want, sizeof(want), "%08lx-%08lx r--p 00000000 00:00 0 ", (unsigned long)anon,
		 (unsigned long)anon + 3 * 4096);
	EXPECT_STREQ(line, want);

	/* On tmpfs: an overlayfs file shows its real inode in maps. */
	char path[128];
	snprintf(path, sizeof(path), "/dev/shm/proc_sys_maps.%d", getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT_OK(fd);
	ASSERT_OK(ftruncate(fd, 3 * 4096));
	struct stat st;
	ASSERT_OK(fstat(fd, &st));
	char *file = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4096);
	ASSERT_TRUE(file != MAP_FAILED);
	ASSERT_TRUE(maps_line("/proc/self/maps", file, line, sizeof(line)));
	int n = snprintf(want, sizeof(want), "%08lx-%08lx rw-s 00001000 %02x:%02x %lu ",
			 (unsigned long)file, (unsigned long)file + 2 * 4096, major(st.st_dev),
			 minor(st.st_dev), (unsigned long)st.st_ino);
	/* The path starts at column 73. */
	snprintf(want + n, sizeof(want) - n, "%*s%s", 73 - n, "", path);
	EXPECT_STREQ(line, want);
	unlink(path);
	munmap(file, 2 * 4096);
	munmap(anon, 3 * 4096);
	close(fd);
}

TEST(maps_names_heap_and_stack)
{
	ASSERT_TRUE(read_proc("/proc/self/maps") > 0);
	EXPECT_TRUE(strstr(big, " [stack]\n") != NULL);
	/* A static program's brk area shows once it has grown. */
	void *old = sbrk(0);
	ASSERT_TRUE(sbrk(8192) != (void *)-1);
	ASSERT_TRUE(read_proc("/proc/self/maps") > 0);
	EXPECT_TRUE(strstr(big, " [heap]\n") != NULL);
	brk(old);
}

/* A smaps counter line: "Name:" padded to 16, value to 8, " kB". */
static long long smaps_value(const char *entry, const char *name)
{
	char prefix[32], line[128];
	snprintf(prefix, sizeof(prefix), "%-16s", name);
	if (!find_line(entry, prefix, line, sizeof(line)) || strlen(line) != 27 ||
	    strcmp(line + 24, " kB") != 0)
		return -1;
	return atoll(line + 16);
}

TEST(smaps_counts_size_and_resident_pages)
{
	char *p = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	p[0] = 1;
	p[3 * 4096] = 1;
	p[5 * 4096] = 1;
	ASSERT_TRUE(read_proc("/proc/self/smaps") > 0);
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "%08lx-", (unsigned long)p);
	char *entry = strstr(big, prefix);
	ASSERT_TRUE(entry != NULL && (entry == big || entry[-1] == '\n'));
	char *next = strstr(entry, "VmFlags:");
	ASSERT_TRUE(next != NULL);
	char *eol = strchr(next, '\n');
	ASSERT_TRUE(eol != NULL);
	eol[1] = '\0';
	EXPECT_EQ(smaps_value(entry, "Size:"), 32);
	EXPECT_EQ(smaps_value(entry, "KernelPageSize:"), 4);
	EXPECT_EQ(smaps_value(entry, "MMUPageSize:"), 4);
	/* At least the touched pages are resident (cvisor may fault in
	 * their neighbours too), all private, dirty and anonymous. */
	long long rss = smaps_value(entry, "Rss:");
	EXPECT_TRUE(rss >= 12 && rss <= 32);
	EXPECT_EQ(smaps_value(entry, "Pss:"), rss);
	EXPECT_EQ(smaps_value(entry, "Private_Dirty:"), rss);
	EXPECT_EQ(smaps_value(entry, "Anonymous:"), rss);
	EXPECT_EQ(smaps_value(entry, "Swap:"), 0);
	EXPECT_TRUE(strstr(next, "VmFlags: rd wr mr mw me ") == next);
	EXPECT_TRUE(strstr(next, " ac") != NULL);
	munmap(p, 8 * 4096);
}

TEST(statm_agrees_with_status)
{
	unsigned long v[7];
	char line[128];
	ASSERT_TRUE(read_proc("/proc/self/statm") > 0);
	EXPECT_EQ(sscanf(big, "%lu %lu %lu %lu %lu %lu %lu", &v[0], &v[1], &v[2], &v[3], &v[4],
			 &v[5], &v[6]), 7);
	EXPECT_TRUE(v[1] <= v[0]);
	unsigned long size_kb = v[0] * 4;
	ASSERT_TRUE(read_proc("/proc/self/status") > 0);
	ASSERT_TRUE(find_line(big, "VmSize:", line, sizeof(line)) != NULL);
	EXPECT_EQ(strtoul(line + 7, NULL, 10), size_kb);
}

TEST(mountinfo_lines_parse)
{
	ASSERT_TRUE(read_proc("/proc/self/mountinfo") > 0);
	bool proc_seen = false, root_seen = false;
	dev_t proc_dev = 0;
	for (char *p = big; *p;) {
		char *eol = strchr(p, '\n');
		ASSERT_TRUE(eol != NULL);
		*eol = '\0';
		int id, parent;
		unsigned maj, min;
		char root[256], point[256], opts[256], type[64], source[256], sopts[256];
		EXPECT_EQ(sscanf(p, "%d %d %u:%u %255s %255s %255s", &id, &parent, &maj, &min, root,
				 point, opts), 7);
		char *dash = strstr(p, " - ");
		ASSERT_TRUE(dash != NULL);
		EXPECT_EQ(sscanf(dash, " - %63s %255s %255s", type, source, sopts), 3);
		EXPECT_TRUE(!strncmp(opts, "rw", 2) || !strncmp(opts, "ro", 2));
		/* Mounts stacked on /proc are listed bottom first: the
		 * last one is what stat sees. */
		if (!strcmp(point, "/proc") && !strcmp(type, "proc")) {
			proc_dev = makedev(maj, min);
			proc_seen = true;
		}
		root_seen |= !strcmp(point, "/");
		p = eol + 1;
	}
	EXPECT_TRUE(proc_seen);
	EXPECT_TRUE(root_seen);
	struct stat st;
	ASSERT_OK(stat("/proc", &st));
	EXPECT_EQ(proc_dev, st.st_dev);
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, s, strlen(s));
	int e = errno;
	close(fd);
	errno = e;
	return n < 0 ? -1 : (int)n;
}

/* oom_score_adj: -1000..1000, EINVAL outside or for non-numbers,
 * inherited by children; lowering it needs CAP_SYS_RESOURCE. */
TEST(oom_score_adj_reads_writes_and_bounds)
{
	long orig = read_number("/proc/self/oom_score_adj");
	ASSERT_TRUE(orig >= -1000 && orig <= 1000);
	EXPECT_EQ(write_str("/proc/self/oom_score_adj", "500\n"), 4);
	EXPECT_EQ(read_number("/proc/self/oom_score_adj"), 500);
	EXPECT_ERRNO(write_str("/proc/self/oom_score_adj", "1001"), EINVAL);
	EXPECT_ERRNO(write_str("/proc/self/oom_score_adj", "-1001"), EINVAL);
	EXPECT_ERRNO(write_str("/proc/self/oom_score_adj", "abc"), EINVAL);
	EXPECT_EQ(read_number("/proc/self/oom_score_adj"), 500);
	long score = read_number("/proc/self/oom_score");
	EXPECT_TRUE(score >= 0 && score <= 2000);

	int status;
	pid_t pid = fork();
	if (pid == 0)
		_exit(read_number("/proc/self/oom_score_adj") == 500 ? 0 : 1);
	ASSERT_OK(pid);
	ASSERT_OK(waitpid(pid, &status, 0));
	EXPECT_EQ(status, 0);

	/* Another process's, by pid. */
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", getpid());
	EXPECT_EQ(read_number(path), 500);
	if (geteuid() == 0) {
		char s[16];
		snprintf(s, sizeof(s), "%ld", orig);
		EXPECT_OK(write_str("/proc/self/oom_score_adj", s));
		EXPECT_EQ(read_number("/proc/self/oom_score_adj"), orig);
	}
}

TEST(io_and_wchan_formats)
{
	static const char *const names[] = { "rchar", "wchar", "syscr", "syscw", "read_bytes",
					     "write_bytes", "cancelled_write_bytes" };
	ASSERT_TRUE(read_proc("/proc/self/io") > 0);
	const char *p = big;
	for (int i = 0; i < 7; i++) {
		char name[32];
		unsigned long long v;
		EXPECT_EQ(sscanf(p, "%31[^:]: %llu\n", name, &v), 2);
		EXPECT_STREQ(name, names[i]);
		p = strchr(p, '\n');
		ASSERT_TRUE(p != NULL);
		p++;
	}
	EXPECT_EQ(*p, '\0');
	/* A running task's wait channel is "0", without a newline. */
	char buf[64];
	ASSERT_TRUE(test_read_file("/proc/self/wchan", buf, sizeof(buf)) > 0);
	EXPECT_STREQ(buf, "0");
}

/* stat's fields 14..19: utime, stime, cutime, cstime (clock ticks),
 * priority (20 + nice for the fair policies) and nice. */
static bool stat_fields(long long v[6])
{
	char *p;
	if (read_proc("/proc/self/stat") <= 0 || !(p = strrchr(big, ')')))
		return false;
	return sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld %lld %lld %lld %lld",
		      &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) == 6;
}

static void stat_times_and_nice(void)
{
	long long v[6];
	struct timespec ts;
	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	while (ts.tv_sec == 0 && ts.tv_nsec < 100000000);
	ASSERT_TRUE(stat_fields(v));
	EXPECT_TRUE(v[0] + v[1] >= 8);	/* 100 ms of CPU, give or take a tick */
	EXPECT_EQ(v[4], 20 + v[5]);
	ASSERT_OK(setpriority(PRIO_PROCESS, 0, 7));
	ASSERT_TRUE(stat_fields(v));
	EXPECT_EQ(v[5], 7);
	EXPECT_EQ(v[4], 27);
}

TEST(stat_shows_cpu_times_and_nice)
{
	test_in_child(stat_times_and_nice);
}

/* kernel/hostname takes writes (as sethostname); the test writes the
 * current name back, so the host's stays as it is when run natively. */
TEST(sys_kernel_hostname_takes_writes)
{
	struct utsname before, after;
	char line[80];
	ASSERT_OK(uname(&before));
	int fd = open("/proc/sys/kernel/hostname", O_WRONLY);
	ASSERT_OK(fd);
	int n = snprintf(line, sizeof(line), "%s\n", before.nodename);
	EXPECT_EQ(write(fd, line, (size_t)n), n);
	close(fd);
	ASSERT_OK(uname(&after));
	EXPECT_STREQ(after.nodename, before.nodename);
}

static bool io_counters(unsigned long long v[4])
{
	if (read_proc("/proc/self/io") <= 0)
		return false;
	return sscanf(big, "rchar: %llu\nwchar: %llu\nsyscr: %llu\nsyscw: %llu\n", &v[0], &v[1],
		      &v[2], &v[3]) == 4;
}

/* rchar/wchar count the bytes read and written, syscr/syscw the calls. */
TEST(io_counts_reads_and_writes)
{
	unsigned long long a[4], b[4];
	char chunk[4096];
	ASSERT_TRUE(io_counters(a));
	int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY);
	ASSERT_OK(zero);
	ASSERT_OK(null);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(read(zero, chunk, sizeof(chunk)), (ssize_t)sizeof(chunk));
	EXPECT_EQ(write(null, chunk, 100), 100);
	EXPECT_EQ(write(null, chunk, 200), 200);
	close(zero);
	close(null);
	ASSERT_TRUE(io_counters(b));
	EXPECT_GE(b[0] - a[0], 3 * sizeof(chunk));
	EXPECT_GE(b[1] - a[1], 300);
	EXPECT_GE(b[2] - a[2], 3);
	EXPECT_GE(b[3] - a[3], 2);
}
