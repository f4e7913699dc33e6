/* System-wide /proc files, describing the sandbox, never the host: the
 * sandbox's CPUs, its memory file, its clocks, its mounts. */
#include <cpuid.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "cvisor/fsnotify.h"
#include "cvisor/kernel.h"
#include "cvisor/vfs.h"
#include "proc_internal.h"

#define STR_(x) #x
#define STR(x) STR_(x)
/* CAP_LAST_CAP of the uapi headers: the capabilities cvisor knows. */
#define PROC_CAP_LAST_CAP STR(CAP_LAST_CAP)

static struct kernel *reader_kernel(void)
{
	return current_task ? current_task->k : NULL;
}

/* CPUID feature bits and their /proc/cpuinfo names (leaf 1 EDX and ECX,
 * leaf 7 EBX), the common subset programs look for. */
static const struct { unsigned leaf, reg, bit; const char *name; } cpu_flags[] = {
	{ 1, 3, 0, "fpu" }, { 1, 3, 4, "tsc" }, { 1, 3, 5, "msr" }, { 1, 3, 8, "cx8" },
	{ 1, 3, 15, "cmov" }, { 1, 3, 19, "clflush" }, { 1, 3, 23, "mmx" }, { 1, 3, 24, "fxsr" },
	{ 1, 3, 25, "sse" }, { 1, 3, 26, "sse2" }, { 1, 3, 28, "ht" }, { 1, 2, 0, "pni" },
	{ 1, 2, 1, "pclmulqdq" }, { 1, 2, 9, "ssse3" }, { 1, 2, 12, "fma" }, { 1, 2, 13, "cx16" },
	{ 1, 2, 19, "sse4_1" }, { 1, 2, 20, "sse4_2" }, { 1, 2, 22, "movbe" }, { 1, 2, 23, "popcnt" },
	{ 1, 2, 25, "aes" }, { 1, 2, 26, "xsave" }, { 1, 2, 28, "avx" }, { 1, 2, 29, "f16c" },
	{ 1, 2, 30, "rdrand" }, { 7, 1, 3, "bmi1" }, { 7, 1, 5, "avx2" }, { 7, 1, 8, "bmi2" },
	{ 7, 1, 9, "erms" }, { 7, 1, 16, "avx512f" }, { 7, 1, 18, "rdseed" }, { 7, 1, 19, "adx" },
	{ 7, 1, 29, "sha_ni" },
};

static int show_cpuinfo(void *arg, struct kernfs_buf *b)
{
	struct kernel *k = reader_kernel();
	if (!k)
		return -ESRCH;
	unsigned regs[2][4] = { { 0 } }, vendor[4] = { 0 }, sig = 0;
	unsigned a, bx, c, d;
	__get_cpuid(0, &a, &vendor[0], &vendor[2], &vendor[1]);
	if (__get_cpuid(1, &sig, &bx, &c, &d)) {
		regs[0][2] = c;
		regs[0][3] = d;
	}
	if (__get_cpuid_count(7, 0, &a, &bx, &c, &d))
		regs[1][1] = bx;
	char brand[49] = "";
	unsigned *bp = (unsigned *)brand;
	for (unsigned i = 0; i < 3; i++)
		__get_cpuid(0x80000002 + i, &bp[i * 4], &bp[i * 4 + 1], &bp[i * 4 + 2], &bp[i * 4 + 3]);
	unsigned family = (sig >> 8) & 0xf, model = (sig >> 4) & 0xf;
	if (family == 0xf)
		family += (sig >> 20) & 0xff;
	if (family >= 6)
		model += ((sig >> 16) & 0xf) << 4;

	for (unsigned cpu = 0; cpu < k->ncpus; cpu++) {
		kernfs_printf(b, "processor\t: %u\nvendor_id\t: %.12s\ncpu family\t: %u\n", cpu,
			      (char *)vendor, family);
		kernfs_printf(b, "model\t\t: %u\nmodel name\t: %s\nstepping\t: %u\n", model, brand,
			      sig & 0xf);
		kernfs_printf(b, "physical id\t: 0\nsiblings\t: %u\ncore id\t\t: %u\ncpu cores\t: %u\n",
			      k->ncpus, cpu, k->ncpus);
		kernfs_printf(b, "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: 13\nwp\t\t: yes\nflags\t\t:");
		for (size_t i = 0; i < ARRAY_SIZE(cpu_flags); i++)
			if (regs[cpu_flags[i].leaf == 7][cpu_flags[i].reg] >> cpu_flags[i].bit & 1)
				kernfs_printf(b, " %s", cpu_flags[i].name);
		kernfs_printf(b, "\nclflush size\t: 64\ncache_alignment\t: 64\n"
			      "address sizes\t: 46 bits physical, 48 bits virtual\n\n");
	}
	return 0;
}

/* meminfo, in Linux's order and format (show_val_kb: the name padded to
 * 16 columns, the value to 8). The sandbox's memory is its memory file:
 * MemTotal its limit, what is allocated is anonymous, active and
 * committed; there is no page cache, swap or huge page. */
static int show_meminfo(void *arg, struct kernfs_buf *b)
{
	struct kernel *k = reader_kernel();
	if (!k)
		return -ESRCH;
	pthread_mutex_lock(&k->mf.lock);
	uint64_t total = k->mf.limit >> 10, used = k->mf.in_use >> 10;
	pthread_mutex_unlock(&k->mf.lock);
	uint64_t free_kb = total > used ? total - used : 0;
	const struct { const char *name; uint64_t kb; } rows[] = {
		{ "MemTotal", total },	   { "MemFree", free_kb },    { "MemAvailable", free_kb },
		{ "Buffers", 0 },	   { "Cached", 0 },	      { "SwapCached", 0 },
		{ "Active", used },	   { "Inactive", 0 },	      { "Active(anon)", used },
		{ "Inactive(anon)", 0 },   { "Active(file)", 0 },     { "Inactive(file)", 0 },
		{ "Unevictable", 0 },	   { "Mlocked", 0 },	      { "SwapTotal", 0 },
		{ "SwapFree", 0 },	   { "Dirty", 0 },	      { "Writeback", 0 },
		{ "AnonPages", used },	   { "Mapped", 0 },	      { "Shmem", 0 },
		{ "KReclaimable", 0 },	   { "Slab", 0 },	      { "SReclaimable", 0 },
		{ "SUnreclaim", 0 },	   { "KernelStack", 0 },      { "PageTables", 0 },
		{ "NFS_Unstable", 0 },	   { "Bounce", 0 },	      { "WritebackTmp", 0 },
		{ "CommitLimit", total },  { "Committed_AS", used },
		{ "VmallocTotal", 34359738367ULL }, { "VmallocUsed", 0 }, { "VmallocChunk", 0 },
		{ "Percpu", 0 },	   { "AnonHugePages", 0 },    { "ShmemHugePages", 0 },
		{ "ShmemPmdMapped", 0 },   { "FileHugePages", 0 },    { "FilePmdMapped", 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char name[32];
		snprintf(name, sizeof(name), "%s:", rows[i].name);
		kernfs_printf(b, "%-16s%8llu kB\n", name, (unsigned long long)rows[i].kb);
	}
	kernfs_printf(b, "HugePages_Total:       0\nHugePages_Free:        0\n"
		      "HugePages_Rsvd:        0\nHugePages_Surp:        0\n"
		      "Hugepagesize:       2048 kB\nHugetlb:               0 kB\n");
	return 0;
}

/* Seconds since the sandbox booted; never shown as zero. */
static double uptime_seconds(struct kernel *k)
{
	double up = (double)(kernel_monotonic_ns(k) - k->tk.boot_mono_ns) / 1e9;
	return up < 0.01 ? 0.01 : up;
}

static int show_uptime(void *arg, struct kernfs_buf *b)
{
	struct kernel *k = reader_kernel();
	if (!k)
		return -ESRCH;
	double up = uptime_seconds(k);
	kernfs_printf(b, "%.2f %.2f\n", up, up * k->ncpus);
	return 0;
}

static int show_version(void *arg, struct kernfs_buf *b)
{
	kernfs_printf(b, "Linux version %s (cvisor@cvisor) (gcc) %s\n", CVISOR_UTS_RELEASE,
		      CVISOR_UTS_VERSION);
	return 0;
}

/* Tasks that are not asleep, and all tasks (loadavg's and stat's
 * procs_running); the caller holds ts_lock. */
static unsigned count_running_locked(struct kernel *k)
{
	unsigned running = 0;
	struct thread_group *tg;
	TAILQ_FOREACH(tg, &k->thread_groups, all) {
		struct task *t;
		TAILQ_FOREACH(t, &tg->tasks, tg_entry)
			running += !t->sleeping;
	}
	return running ? running : 1;	/* the reader */
}

static int show_loadavg(void *arg, struct kernfs_buf *b)
{
	struct kernel *k = reader_kernel();
	if (!k)
		return -ESRCH;
	pthread_mutex_lock(&k->ts_lock);
	unsigned n = k->nr_tasks, running = count_running_locked(k);
	pid_t last = k->root_pidns->last_pid;
	pthread_mutex_unlock(&k->ts_lock);
	kernfs_printf(b, "0.00 0.00 0.00 %u/%u %d\n", running, n, last);
	return 0;
}

/* /proc/stat, as show_stat: a total "cpu" line and one per sandbox CPU
 * (user nice system idle iowait irq softirq steal guest guest_nice, in
 * USER_HZ ticks). The sentry's own CPU time is the system time, the rest
 * of the sandbox's uptime on each CPU is idle. processes counts forks
 * since boot, which the pid counter does. */
static int show_stat(void *arg, struct kernfs_buf *b)
{
	struct kernel *k = reader_kernel();
	if (!k)
		return -ESRCH;
	struct timespec ts = { 0 };
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	uint64_t sys_ticks = ((uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec) / 10000000;
	uint64_t up_ticks = (uint64_t)(uptime_seconds(k) * 100);
	uint64_t cpu_sys = sys_ticks / k->ncpus;
	uint64_t cpu_idle = up_ticks > cpu_sys ? up_ticks - cpu_sys : 0;
	kernfs_printf(b, "cpu  0 0 %llu %llu 0 0 0 0 0 0\n", (unsigned long long)cpu_sys * k->ncpus,
		      (unsigned long long)cpu_idle * k->ncpus);
	for (unsigned i = 0; i < k->ncpus; i++)
		kernfs_printf(b, "cpu%u 0 0 %llu %llu 0 0 0 0 0 0\n", i,
			      (unsigned long long)cpu_sys, (unsigned long long)cpu_idle);
	pthread_mutex_lock(&k->ts_lock);
	pid_t last = k->root_pidns->last_pid;
	unsigned running = count_running_locked(k);
	pthread_mutex_unlock(&k->ts_lock);
	kernfs_printf(b, "intr 0\nctxt 0\nbtime %lld\nprocesses %d\nprocs_running %u\n"
		      "procs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		      (long long)((kernel_realtime_ns(k) - (kernel_monotonic_ns(k) -
		      k->tk.boot_mono_ns)) / 1000000000), last, running);
	return 0;
}

static int show_filesystems(void *arg, struct kernfs_buf *b)
{
	kernfs_printf(b, "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\n"
		      "nodev\tdevpts\nnodev\toverlay\n");
	return 0;
}

static int show_hostname(void *arg, struct kernfs_buf *b)
{
	struct task *t = current_task;
	if (!t)
		return -ESRCH;
	pthread_mutex_lock(&t->utsns->lock);
	kernfs_printf(b, "%s\n", arg ? t->utsns->domainname : t->utsns->hostname);
	pthread_mutex_unlock(&t->utsns->lock);
	return 0;
}

/* A write to kernel/hostname or domainname (proc_do_uts_string): the
 * text up to a newline, at most 64 bytes. */
static int store_hostname(void *arg, const char *data, size_t size)
{
	struct task *t = current_task;
	if (!t)
		return -ESRCH;
	const char *nl = memchr(data, '\n', size);
	uts_set_name(t->utsns, arg != NULL, data, nl ? (size_t)(nl - data) : size);
	return 0;
}

static int show_string(void *arg, struct kernfs_buf *b)
{
	kernfs_printf(b, "%s\n", (const char *)arg);
	return 0;
}

/* An integer setting (ARG: an _Atomic int), as proc_dointvec_minmax
 * with a floor of 0. */
static int show_int(void *arg, struct kernfs_buf *b)
{
	kernfs_printf(b, "%d\n", *(_Atomic int *)arg);
	return 0;
}

static int store_int(void *arg, const char *data, size_t size)
{
	char buf[32];
	if (size >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *end;
	/* strtol saturates on overflow, which the range check refuses. */
	long v = strtol(buf, &end, 10);
	if (end == buf || v < 0 || v > INT32_MAX || end[strspn(end, " \t\n")])
		return -EINVAL;
	*(_Atomic int *)arg = (int)v;
	return 0;
}

/* /proc/mounts: the path of each mount point, from the namespace root. */
static void mount_point(const struct mount *m, char *buf, size_t size)
{
	char tmp[VFS_PATH_MAX];
	size_t pos = sizeof(tmp) - 1;
	tmp[pos] = '\0';
	for (; m->parent; m = m->parent)
		for (const struct dentry *d = m->mountpoint; d->parent != d; d = d->parent) {
			size_t len = strlen(d->name);
			if (len + 1 > pos)
				break;
			pos -= len;
			memcpy(tmp + pos, d->name, len);
			tmp[--pos] = '/';
		}
	snprintf(buf, size, "%s", tmp[pos] ? tmp + pos : "/");
}

static void show_mount(const struct mount *m, void *arg)
{
	char where[VFS_PATH_MAX];
	mount_point(m, where, sizeof(where));
	kernfs_printf(arg, "%s %s %s %s%s%s%s 0 0\n", m->source ? m->source : "none", where,
		      m->sb->fs_name, m->flags & MNT_READONLY ? "ro" : "rw",
		      m->flags & MNT_NOSUID ? ",nosuid" : "", m->flags & MNT_NODEV ? ",nodev" : "",
		      m->flags & MNT_NOEXEC ? ",noexec" : "");
}

/* A line of mountinfo (show_mountinfo): ids, the device, the root of
 * the mount within its filesystem (whole filesystems only, here), the
 * mount point, per-mount options, no optional fields, then the
 * filesystem's type, source and options. The namespace root's parent is
 * itself, as for a root that has nothing above it in the namespace. */
static void show_mountinfo_line(const struct mount *m, void *arg)
{
	char where[VFS_PATH_MAX];
	mount_point(m, where, sizeof(where));
	const char *rw = m->flags & MNT_READONLY ? "ro" : "rw";
	kernfs_printf(arg, "%d %d %u:%u / %s %s%s%s%s,relatime - %s %s %s\n", m->id,
		      m->parent ? m->parent->id : m->id, major(m->sb->dev), minor(m->sb->dev),
		      where, rw, m->flags & MNT_NOSUID ? ",nosuid" : "",
		      m->flags & MNT_NODEV ? ",nodev" : "", m->flags & MNT_NOEXEC ? ",noexec" : "",
		      m->sb->fs_name, m->source ? m->source : "none", rw);
}

int proc_show_mountinfo(void *arg, struct kernfs_buf *b)
{
	struct kernel *k = reader_kernel();
	if (!k)
		return -ESRCH;
	mount_ns_for_each(k->mntns, show_mountinfo_line, b);
	return 0;
}

int proc_show_mounts(void *arg, struct kernfs_buf *b)
{
	struct kernel *k = reader_kernel();
	if (!k)
		return -ESRCH;
	mount_ns_for_each(k->mntns, show_mount, b);
	return 0;
}

/* A random version 4 UUID, as the kernel's generate_random_uuid. */
static void random_uuid(char out[37])
{
	unsigned char u[16];
	if (getrandom(u, sizeof(u), 0) != (ssize_t)sizeof(u))
		memset(u, 0, sizeof(u));
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

/* random/uuid: a fresh UUID on every read. */
static int show_uuid(void *arg, struct kernfs_buf *b)
{
	char u[37];
	random_uuid(u);
	kernfs_printf(b, "%s\n", u);
	return 0;
}

/* fs/file-max: as files_maxfiles_init, a tenth of memory in KiB, at
 * least NR_FILE (8192). */
static int show_file_max(void *arg, struct kernfs_buf *b)
{
	struct kernel *k = reader_kernel();
	if (!k)
		return -ESRCH;
	pthread_mutex_lock(&k->mf.lock);
	uint64_t kb = k->mf.limit >> 10;
	pthread_mutex_unlock(&k->mf.lock);
	kernfs_printf(b, "%llu\n", (unsigned long long)MAX(kb / 10, 8192));
	return 0;
}

void proc_add_system_files(struct inode *root)
{
	/* random/boot_id: one UUID for the sandbox's lifetime (a sentry
	 * runs one kernel, and makes its /proc once). */
	static char boot_id[37];
	random_uuid(boot_id);

	static const struct {
		const char *name;
		kernfs_show_fn show;
	} files[] = {
		{ "cpuinfo", show_cpuinfo },	 { "meminfo", show_meminfo },
		{ "uptime", show_uptime },	 { "version", show_version },
		{ "loadavg", show_loadavg },	 { "stat", show_stat },
		{ "filesystems", show_filesystems },
	};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		kernfs_add_file(root, files[i].name, 0444, files[i].show, NULL);

	struct inode *sys = kernfs_add_dir(root, "sys", 0555);
	struct inode *kern = kernfs_add_dir(sys, "kernel", 0555);
	kernfs_add_file(kern, "cap_last_cap", 0444, show_string, PROC_CAP_LAST_CAP);
	kernfs_add_rwfile(kern, "domainname", 0644, show_hostname, store_hostname, (void *)1);
	kernfs_add_rwfile(kern, "hostname", 0644, show_hostname, store_hostname, NULL);
	kernfs_add_file(kern, "ngroups_max", 0444, show_string, "65536");
	kernfs_add_file(kern, "osrelease", 0444, show_string, CVISOR_UTS_RELEASE);
	kernfs_add_file(kern, "ostype", 0444, show_string, "Linux");
	kernfs_add_file(kern, "pid_max", 0444, show_string, "4194304");
	struct inode *random = kernfs_add_dir(kern, "random", 0555);
	kernfs_add_file(random, "boot_id", 0444, show_string, boot_id);
	kernfs_add_file(random, "uuid", 0444, show_uuid, NULL);
	proc_add_ipc_files(root, kern);

	struct inode *vm = kernfs_add_dir(sys, "vm", 0555);
	kernfs_add_file(vm, "max_map_count", 0644, show_string, "65530");
	/* ARCH_MMAP_MIN: where mmap's floor is. */
	kernfs_add_file(vm, "mmap_min_addr", 0644, show_string, "65536");
	kernfs_add_file(vm, "overcommit_memory", 0644, show_string, "0");

	struct inode *fs = kernfs_add_dir(sys, "fs", 0555);
	kernfs_add_file(fs, "file-max", 0644, show_file_max, NULL);
	kernfs_add_file(fs, "nr_open", 0644, show_string, "1048576");
	/* PIPE_MAX_SIZE (cvisor/pipe.h): F_SETPIPE_SZ's limit. */
	kernfs_add_file(fs, "pipe-max-size", 0644, show_string, "1048576");
	struct inode *inotify = kernfs_add_dir(fs, "inotify", 0555);
	kernfs_add_rwfile(inotify, "max_queued_events", 0644, show_int, store_int,
			  &inotify_max_queued_events);
	kernfs_add_rwfile(inotify, "max_user_instances", 0644, show_int, store_int,
			  &inotify_max_user_instances);
	kernfs_add_rwfile(inotify, "max_user_watches", 0644, show_int, store_int,
			  &inotify_max_user_watches);
}
