/* /proc/<pid>: one process as its files describe it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>

#include "cvisor/creds.h"
#include "cvisor/fd_table.h"
#include "cvisor/kernel.h"
#include "proc_internal.h"

#define PID_OF(arg) ((pid_t)(intptr_t)(arg))
#define CLK_TCK 100

/* Copies [start, end) of the process's memory, as Linux's cmdline and
 * environ do. A process without memory (a zombie) has an empty cmdline,
 * and its environ cannot be opened (-ESRCH, as __mem_open). */
static int show_mem_range(void *arg, struct kernfs_buf *b, bool env)
{
	struct proc_snap s;
	if (proc_snap_get(PID_OF(arg), &s) < 0)
		return -ESRCH;
	if (env && !s.mm) {
		proc_snap_put(&s);
		return -ESRCH;
	}
	if (s.mm) {
		uaddr_t start = env ? s.mm->env_start : s.mm->arg_start;
		uaddr_t end = env ? s.mm->env_end : s.mm->arg_end;
		size_t size = end > start ? MIN(end - start, 1UL << 20) : 0;
		char *tmp = xmalloc(size + 1);
		if (size && mm_copy_in(s.mm, tmp, start, size) == 0)
			kernfs_write(b, tmp, size);
		free(tmp);
	}
	proc_snap_put(&s);
	return 0;
}

static int show_cmdline(void *arg, struct kernfs_buf *b)
{
	return show_mem_range(arg, b, false);
}

static int show_environ(void *arg, struct kernfs_buf *b)
{
	return show_mem_range(arg, b, true);
}

static int show_comm(void *arg, struct kernfs_buf *b)
{
	struct proc_snap s;
	if (proc_snap_get(PID_OF(arg), &s) < 0)
		return -ESRCH;
	kernfs_printf(b, "%s\n", s.comm);
	proc_snap_put(&s);
	return 0;
}

struct vm_usage {
	uint64_t size, rss, data, stack, exec;
};

static void count_vma(const struct vma *v, void *arg)
{
	struct vm_usage *u = arg;
	uint64_t size = v->end - v->start;
	u->size += size;
	if (v->name && !strcmp(v->name, "[stack]"))
		u->stack += size;
	else if ((v->prot & PROT_WRITE) && (v->flags & MAP_PRIVATE))
		u->data += size;
	if (v->prot & PROT_EXEC)
		u->exec += size;
}

static struct vm_usage vm_usage(struct mm *mm)
{
	struct vm_usage u = { 0 };
	if (mm) {
		mm_for_each_vma(mm, count_vma, &u);
		u.rss = mm_resident_bytes(mm);
	}
	return u;
}

static int show_status(void *arg, struct kernfs_buf *b)
{
	struct proc_snap s;
	if (proc_snap_get(PID_OF(arg), &s) < 0)
		return -ESRCH;
	const struct creds *c = s.creds;
	struct vm_usage u = vm_usage(s.mm);
	static const char *const states[] = { ['R'] = "R (running)", ['S'] = "S (sleeping)",
					      ['T'] = "T (stopped)", ['Z'] = "Z (zombie)" };
	kernfs_printf(b, "Name:\t%s\n", s.comm);
	if (s.fs)
		kernfs_printf(b, "Umask:\t%04o\n", (unsigned)s.fs->umask);
	kernfs_printf(b, "State:\t%s\n", states[(int)s.state]);
	kernfs_printf(b, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", s.pid,
		      s.pid, s.ppid);
	kernfs_printf(b, "Uid:\t%u\t%u\t%u\t%u\n", c->uid, c->euid, c->suid, c->fsuid);
	kernfs_printf(b, "Gid:\t%u\t%u\t%u\t%u\n", c->gid, c->egid, c->sgid, c->fsgid);
	kernfs_printf(b, "FDSize:\t%d\nGroups:\t", s.fdt ? 64 : 0);
	for (int i = 0; i < c->ngroups; i++)
		kernfs_printf(b, "%u ", c->groups[i]);
	kernfs_printf(b, "\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", s.pid, s.pid,
		      s.pgid, s.sid);
	if (s.mm) {
		kernfs_printf(b, "VmPeak:\t%8llu kB\nVmSize:\t%8llu kB\nVmLck:\t%8d kB\n",
			      (unsigned long long)u.size >> 10, (unsigned long long)u.size >> 10, 0);
		kernfs_printf(b, "VmHWM:\t%8llu kB\nVmRSS:\t%8llu kB\n",
			      (unsigned long long)u.rss >> 10, (unsigned long long)u.rss >> 10);
		kernfs_printf(b, "VmData:\t%8llu kB\nVmStk:\t%8llu kB\nVmExe:\t%8llu kB\n",
			      (unsigned long long)u.data >> 10, (unsigned long long)u.stack >> 10,
			      (unsigned long long)u.exec >> 10);
	}
	kernfs_printf(b, "Threads:\t%d\n", s.nthreads);
	kernfs_printf(b, "SigQ:\t0/63432\nSigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\n",
		      (unsigned long long)s.sig_pending, (unsigned long long)s.sig_shared_pending,
		      (unsigned long long)s.sigmask);
	kernfs_printf(b, "SigIgn:\t%016llx\nSigCgt:\t%016llx\n", (unsigned long long)s.sig_ignored,
		      (unsigned long long)s.sig_caught);
	kernfs_printf(b, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\n",
		      (unsigned long long)c->cap_inheritable, (unsigned long long)c->cap_permitted,
		      (unsigned long long)c->cap_effective);
	kernfs_printf(b, "CapBnd:\t%016llx\nCapAmb:\t%016llx\n", (unsigned long long)c->cap_bounding,
		      (unsigned long long)c->cap_ambient);
	kernfs_printf(b, "NoNewPrivs:\t0\nSeccomp:\t0\n");
	/* The mask in hex (one digit per 4 of the sandbox's CPUs), then as
	 * a list of ranges, as bitmap_print_to_pagebuf. */
	kernfs_printf(b, "Cpus_allowed:\t%0*llx\nCpus_allowed_list:\t", (int)(s.k->ncpus + 3) / 4,
		      (unsigned long long)s.affinity);
	for (unsigned i = 0, first = 1; i < 64; i++) {
		if (!(s.affinity >> i & 1) || (i && s.affinity >> (i - 1) & 1))
			continue;
		unsigned j = i;
		while (j + 1 < 64 && s.affinity >> (j + 1) & 1)
			j++;
		kernfs_printf(b, j > i ? "%s%u-%u" : "%s%u", first ? "" : ",", i, j);
		first = 0;
	}
	kernfs_printf(b, "\n");
	proc_snap_put(&s);
	return 0;
}

static int show_stat(void *arg, struct kernfs_buf *b)
{
	struct proc_snap s;
	if (proc_snap_get(PID_OF(arg), &s) < 0)
		return -ESRCH;
	struct vm_usage u = vm_usage(s.mm);
	struct mm *mm = s.mm;
	long long start = (s.start_ns - s.k->tk.boot_mono_ns) / (1000000000 / CLK_TCK);
	/* priority as Linux's task_prio: 20 + nice, or -1 - the real-time
	 * priority; CPU times in clock ticks. */
	int prio = s.rt_priority ? -1 - s.rt_priority : 20 + s.nice;
	const int64_t tick = 1000000000 / CLK_TCK;
	kernfs_printf(b, "%d (%s) %c %d %d %d %u %d 4194560 0 0 0 0 %lld %lld %lld %lld %d %d %d 0 "
		      "%lld %llu %llu "
		      "18446744073709551615 0 0 %llu 0 0 %llu %llu %llu %llu 0 0 0 17 0 %d %d 0 0 0 "
		      "0 0 %llu %llu %llu %llu %llu %d\n",
		      s.pid, s.comm, s.state, s.ppid, s.pgid, s.sid, s.tty_nr, s.tpgid,
		      (long long)(s.utime_ns / tick), (long long)(s.stime_ns / tick),
		      (long long)(s.cutime_ns / tick), (long long)(s.cstime_ns / tick), prio, s.nice,
		      s.nthreads, start,
		      (unsigned long long)u.size, (unsigned long long)u.rss / PAGE_SIZE,
		      (unsigned long long)(mm ? mm->stack_start : 0),
		      (unsigned long long)(s.sig_pending | s.sig_shared_pending),
		      (unsigned long long)s.sigmask, (unsigned long long)s.sig_ignored,
		      (unsigned long long)s.sig_caught, s.rt_priority, s.policy,
		      (unsigned long long)(mm ? mm->brk_start : 0),
		      (unsigned long long)(mm ? mm->arg_start : 0),
		      (unsigned long long)(mm ? mm->arg_end : 0),
		      (unsigned long long)(mm ? mm->env_start : 0),
		      (unsigned long long)(mm ? mm->env_end : 0), s.exit_code);
	proc_snap_put(&s);
	return 0;
}

static int show_statm(void *arg, struct kernfs_buf *b)
{
	struct proc_snap s;
	if (proc_snap_get(PID_OF(arg), &s) < 0)
		return -ESRCH;
	struct vm_usage u = vm_usage(s.mm);
	kernfs_printf(b, "%llu %llu 0 %llu 0 %llu 0\n", (unsigned long long)u.size / PAGE_SIZE,
		      (unsigned long long)u.rss / PAGE_SIZE, (unsigned long long)u.exec / PAGE_SIZE,
		      (unsigned long long)(u.data + u.stack) / PAGE_SIZE);
	proc_snap_put(&s);
	return 0;
}

struct maps_ctx {
	struct kernfs_buf *b;
	struct task *reader;
	struct mm *mm;
	bool smaps;
};

/* Linux's VmFlags names for what a VMA allows (show_smap_vma_flags):
 * private mappings may always be written (COW), mr and me are set unless
 * the mount is noexec (never, here), shared writable files get mw. */
static void show_vma_flags(struct kernfs_buf *b, const struct vma *v)
{
	bool shared = v->flags & MAP_SHARED;
	bool may_write = !shared || (v->file && (v->file->flags & O_ACCMODE) != O_RDONLY);
	kernfs_printf(b, "VmFlags:");
	if (v->prot & PROT_READ)
		kernfs_printf(b, " rd");
	if (v->prot & PROT_WRITE)
		kernfs_printf(b, " wr");
	if (v->prot & PROT_EXEC)
		kernfs_printf(b, " ex");
	if (shared && (v->prot & PROT_WRITE))
		kernfs_printf(b, " sh");
	kernfs_printf(b, " mr%s me%s", may_write ? " mw" : "", shared ? " ms" : "");
	if (v->flags & MAP_GROWSDOWN)
		kernfs_printf(b, " gd");
	if (!shared && (v->prot & PROT_WRITE))
		kernfs_printf(b, " ac");
	kernfs_printf(b, " \n");
}

/* The smaps counters of one VMA (show_smap, 6.1's set and order). Every
 * page is the process's own (no sharing is tracked), so Pss is Rss;
 * anonymous memory and written pages are dirty, file pages clean. */
static void show_smap(struct maps_ctx *c, const struct vma *v)
{
	uint64_t size = (v->end - v->start) >> 10;
	uint64_t rss = mm_resident_range_locked(c->mm, v->start, v->end) >> 10;
	bool anon = !v->file;
	bool shared = v->flags & MAP_SHARED;
	uint64_t dirty = anon ? rss : 0, clean = anon ? 0 : rss;
	static const char fmt[] = "%-16s%8llu kB\n";
#define SMAP(name, val) kernfs_printf(c->b, fmt, name ":", (unsigned long long)(val))
	SMAP("Size", size);
	SMAP("KernelPageSize", PAGE_SIZE >> 10);
	SMAP("MMUPageSize", PAGE_SIZE >> 10);
	SMAP("Rss", rss);
	SMAP("Pss", rss);
	SMAP("Pss_Dirty", dirty);
	SMAP("Shared_Clean", shared ? clean : 0);
	SMAP("Shared_Dirty", shared ? dirty : 0);
	SMAP("Private_Clean", shared ? 0 : clean);
	SMAP("Private_Dirty", shared ? 0 : dirty);
	SMAP("Referenced", rss);
	SMAP("Anonymous", anon && !shared ? rss : 0);
	SMAP("LazyFree", 0);
	SMAP("AnonHugePages", 0);
	SMAP("ShmemPmdMapped", 0);
	SMAP("FilePmdMapped", 0);
	SMAP("Shared_Hugetlb", 0);
	SMAP("Private_Hugetlb", 0);
	SMAP("Swap", 0);
	SMAP("SwapPss", 0);
	SMAP("Locked", 0);
#undef SMAP
	kernfs_printf(c->b, "THPeligible:    0\n");
	show_vma_flags(c->b, v);
}

/* One line of maps, as show_map_vma: the name starts at column 73. */
static void show_vma(const struct vma *v, void *arg)
{
	struct maps_ctx *c = arg;
	char path[VFS_PATH_MAX] = "";
	unsigned long long ino = 0;
	dev_t dev = 0;
	if (v->name) {
		snprintf(path, sizeof(path), "%s", v->name);
	} else if (v->file) {
		if (vfs_task_file_path(c->reader, v->file, path, sizeof(path)) < 0)
			path[0] = '\0';
		ino = v->file->inode->ino;
		dev = v->file->inode->sb->dev;
	}
	int n;
	kernfs_printf(c->b, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu %n",
		      (unsigned long long)v->start, (unsigned long long)v->end,
		      v->prot & PROT_READ ? 'r' : '-', v->prot & PROT_WRITE ? 'w' : '-',
		      v->prot & PROT_EXEC ? 'x' : '-', v->flags & MAP_SHARED ? 's' : 'p',
		      (unsigned long long)(v->file && !v->name ? v->file_off : 0), major(dev),
		      minor(dev), ino,
		      &n);
	if (path[0])
		kernfs_printf(c->b, "%*s%s", MAX(0, 73 - n), "", path);
	kernfs_printf(c->b, "\n");
	if (c->smaps)
		show_smap(c, v);
}

static int show_maps_common(void *arg, struct kernfs_buf *b, bool smaps)
{
	struct proc_snap s;
	if (proc_snap_get(PID_OF(arg), &s) < 0)
		return -ESRCH;
	struct maps_ctx c = { .b = b, .reader = current_task, .mm = s.mm, .smaps = smaps };
	if (s.mm)
		mm_for_each_vma(s.mm, show_vma, &c);
	proc_snap_put(&s);
	return 0;
}

static int show_maps(void *arg, struct kernfs_buf *b)
{
	return show_maps_common(arg, b, false);
}

static int show_smaps(void *arg, struct kernfs_buf *b)
{
	return show_maps_common(arg, b, true);
}

static int show_limits(void *arg, struct kernfs_buf *b)
{
	static const struct { const char *name, *unit; } names[RLIM_NLIMITS] = {
		[RLIMIT_CPU] = { "Max cpu time", "seconds" },
		[RLIMIT_FSIZE] = { "Max file size", "bytes" },
		[RLIMIT_DATA] = { "Max data size", "bytes" },
		[RLIMIT_STACK] = { "Max stack size", "bytes" },
		[RLIMIT_CORE] = { "Max core file size", "bytes" },
		[RLIMIT_RSS] = { "Max resident set", "bytes" },
		[RLIMIT_NPROC] = { "Max processes", "processes" },
		[RLIMIT_NOFILE] = { "Max open files", "files" },
		[RLIMIT_MEMLOCK] = { "Max locked memory", "bytes" },
		[RLIMIT_AS] = { "Max address space", "bytes" },
		[RLIMIT_LOCKS] = { "Max file locks", "locks" },
		[RLIMIT_SIGPENDING] = { "Max pending signals", "signals" },
		[RLIMIT_MSGQUEUE] = { "Max msgqueue size", "bytes" },
		[RLIMIT_NICE] = { "Max nice priority", NULL },
		[RLIMIT_RTPRIO] = { "Max realtime priority", NULL },
		[RLIMIT_RTTIME] = { "Max realtime timeout", "us" },
	};
	struct task *self = current_task;
	if (!self)
		return -ESRCH;
	struct rlimit lim[RLIM_NLIMITS];
	pthread_mutex_lock(&self->k->ts_lock);
	struct thread_group *tg = tg_lookup_locked(self, PID_OF(arg));
	if (tg)
		memcpy(lim, tg->rlimits, sizeof(lim));
	pthread_mutex_unlock(&self->k->ts_lock);
	if (!tg)
		return -ESRCH;
	kernfs_printf(b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		char soft[24] = "unlimited", hard[24] = "unlimited";
		if (lim[i].rlim_cur != RLIM_INFINITY)
			snprintf(soft, sizeof(soft), "%llu", (unsigned long long)lim[i].rlim_cur);
		if (lim[i].rlim_max != RLIM_INFINITY)
			snprintf(hard, sizeof(hard), "%llu", (unsigned long long)lim[i].rlim_max);
		kernfs_printf(b, "%-25s %-20s %-20s ", names[i].name, soft, hard);
		if (names[i].unit)
			kernfs_printf(b, "%-10s", names[i].unit);
		kernfs_printf(b, "\n");
	}
	return 0;
}

/* exe, cwd and root: paths as the reader sees them. */
static int link_path(pid_t pid, int which, char *buf, size_t size)
{
	struct proc_snap s;
	if (proc_snap_get(pid, &s) < 0)
		return -ENOENT;
	char tmp[VFS_PATH_MAX];
	int n = -ENOENT;
	if (which == 0 && s.mm && s.mm->exe) {
		n = vfs_task_file_path(current_task, s.mm->exe, tmp, sizeof(tmp));
	} else if (which != 0 && s.fs) {
		struct path p, root;
		if (which == 1)
			fs_context_cwd(s.fs, &p);
		else
			fs_context_root(s.fs, &p);
		fs_context_root(current_task->fs, &root);
		n = vfs_d_path(&p, &root, tmp, sizeof(tmp));
		path_put(&p);
		path_put(&root);
	}
	proc_snap_put(&s);
	if (n < 0)
		return n;
	memcpy(buf, tmp, MIN((size_t)n, size));
	return (int)MIN((size_t)n, size);
}

static int exe_link(void *arg, char *buf, size_t size)
{
	return link_path(PID_OF(arg), 0, buf, size);
}

static int cwd_link(void *arg, char *buf, size_t size)
{
	return link_path(PID_OF(arg), 1, buf, size);
}

static int root_link(void *arg, char *buf, size_t size)
{
	return link_path(PID_OF(arg), 2, buf, size);
}

static void add_link(struct inode *dir, const char *name, kernfs_link_fn fn, void *arg)
{
	struct inode *l = kernfs_new_dynlink(dir->sb, fn, arg);
	l->mode = S_IFLNK | 0777;
	kernfs_add(dir, name, l);
	inode_put(l);
}

/* The mount table of the reader's namespace; a process that has
 * dropped its namespaces (a zombie) has none: -EINVAL, as Linux's
 * mounts_open_common. */
static int show_mounts(void *arg, struct kernfs_buf *b)
{
	struct proc_snap s;
	if (proc_snap_get(PID_OF(arg), &s) < 0)
		return -ESRCH;
	bool alive = s.fs != NULL;
	proc_snap_put(&s);
	return alive ? proc_show_mounts(arg, b) : -EINVAL;
}

static int show_mountinfo(void *arg, struct kernfs_buf *b)
{
	struct proc_snap s;
	if (proc_snap_get(PID_OF(arg), &s) < 0)
		return -ESRCH;
	bool alive = s.fs != NULL;
	proc_snap_put(&s);
	return alive ? proc_show_mountinfo(arg, b) : -EINVAL;
}

/* oom_score_adj: OOM_SCORE_ADJ_MIN..MAX (-1000..1000), inherited at
 * fork. Going below oom_score_adj_min needs CAP_SYS_RESOURCE; a writer
 * with it sets that minimum too (__set_oom_adj). */
static int show_oom_score_adj(void *arg, struct kernfs_buf *b)
{
	struct task *self = current_task;
	if (!self)
		return -ESRCH;
	pthread_mutex_lock(&self->k->ts_lock);
	struct thread_group *tg = tg_lookup_locked(self, PID_OF(arg));
	int adj = tg ? tg->oom_score_adj : 0;
	pthread_mutex_unlock(&self->k->ts_lock);
	if (!tg)
		return -ESRCH;
	kernfs_printf(b, "%d\n", adj);
	return 0;
}

static int store_oom_score_adj(void *arg, const char *data, size_t size)
{
	struct task *self = current_task;
	char buf[24];
	if (!self)
		return -ESRCH;
	if (size >= sizeof(buf))
		size = sizeof(buf) - 1;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *end;
	errno = 0;
	long v = strtol(buf, &end, 10);
	while (*end == ' ' || *end == '\n' || *end == '\t')
		end++;
	if (end == buf || *end || errno)
		return -EINVAL;
	if (v < -1000 || v > 1000)
		return -EINVAL;
	bool privileged = creds_has_cap(self->creds, CAP_SYS_RESOURCE);
	int err = 0;
	pthread_mutex_lock(&self->k->ts_lock);
	struct thread_group *tg = tg_lookup_locked(self, PID_OF(arg));
	if (!tg)
		err = -ESRCH;
	else if (v < tg->oom_score_adj_min && !privileged)
		err = -EACCES;
	else
		tg->oom_score_adj = (int)v;
	if (!err && privileged)
		tg->oom_score_adj_min = (int)v;
	pthread_mutex_unlock(&self->k->ts_lock);
	return err;
}

/* oom_score: 0..2000, the badness the OOM killer would see; the sandbox
 * has none to compute, so only the adjustment shows. */
static int show_oom_score(void *arg, struct kernfs_buf *b)
{
	struct kernfs_buf tmp = { 0 };
	int err = show_oom_score_adj(arg, &tmp);
	if (err)
		return err;
	int adj = atoi(tmp.data);
	free(tmp.data);
	kernfs_printf(b, "%d\n", adj > 0 ? adj : 0);
	return 0;
}

/* wchan: Linux shows "0" for a running task and otherwise a symbol name
 * only to the privileged; cvisor has no kernel symbols to show. */
static int show_wchan(void *arg, struct kernfs_buf *b)
{
	struct proc_snap s;
	if (proc_snap_get(PID_OF(arg), &s) < 0)
		return -ESRCH;
	proc_snap_put(&s);
	kernfs_printf(b, "0");
	return 0;
}

/* io: proc_pid_io_accounting's table. The characters and calls of
 * read and write are counted; there is no block device for read_bytes
 * and write_bytes. */
static int show_io(void *arg, struct kernfs_buf *b)
{
	struct proc_snap s;
	if (proc_snap_get(PID_OF(arg), &s) < 0)
		return -ESRCH;
	proc_snap_put(&s);
	kernfs_printf(b, "rchar: %llu\nwchar: %llu\nsyscr: %llu\nsyscw: %llu\nread_bytes: 0\n"
		      "write_bytes: 0\ncancelled_write_bytes: 0\n", (unsigned long long)s.rchar,
		      (unsigned long long)s.wchar, (unsigned long long)s.syscr,
		      (unsigned long long)s.syscw);
	return 0;
}

static struct inode *pid_dir_new(struct super_block *sb, pid_t pid, pid_t tid);

/* /proc/<pid>/task: a directory per task of the process (a zombie's
 * dead leader included, as in Linux). */
static struct inode *task_lookup(struct inode *dir, void *arg, const char *name)
{
	pid_t tid, tids[64];
	if (!proc_parse_pid(name, &tid))
		return ERR_PTR(-ENOENT);
	int n = proc_tids(PID_OF(arg), tids, (int)ARRAY_SIZE(tids));
	for (int i = 0; i < n; i++)
		if (tids[i] == tid)
			return pid_dir_new(dir->sb, PID_OF(arg), tid);
	return ERR_PTR(-ENOENT);
}

static void task_list(struct inode *dir, void *arg, kernfs_emit_fn emit, void *ctx)
{
	pid_t tids[64];
	int n = proc_tids(PID_OF(arg), tids, (int)ARRAY_SIZE(tids));
	proc_emit_id_dirs(emit, ctx, tids, n, PROC_INO_TID_DIR);
}

static const struct kernfs_dyndir_ops task_ops = {
	.lookup = task_lookup,
	.list = task_list,
};

/* /proc/<pid> (TID 0), or /proc/<pid>/task/<tid>: the same files (Linux's
 * tgid_base_stuff and tid_base_stuff), and task/ only in the process's
 * directory. A process has a single task so far, so a task's files show
 * the process. */
static struct inode *pid_dir_new(struct super_block *sb, pid_t pid, pid_t tid)
{
	/* mounts is readable only for poll, as Linux's mounts_poll (which
	 * adds POLLERR | POLLPRI after a change of the mount table: the
	 * sandbox's never changes). */
	static const struct {
		const char *name;
		kernfs_show_fn show;
		mode_t mode;
		unsigned poll;
		kernfs_store_fn store;
	} files[] = {
		{ "cmdline", show_cmdline, 0444 }, { "comm", show_comm, 0644 },
		{ "environ", show_environ, 0400 }, { "limits", show_limits, 0444 },
		{ "io", show_io, 0400 },	   { "maps", show_maps, 0444 },
		{ "mountinfo", show_mountinfo, 0444, POLLIN | POLLRDNORM },
		{ "mounts", show_mounts, 0444, POLLIN | POLLRDNORM },
		{ "oom_score", show_oom_score, 0444 },
		{ "oom_score_adj", show_oom_score_adj, 0644, 0, store_oom_score_adj },
		{ "smaps", show_smaps, 0444 },
		{ "stat", show_stat, 0444 },	   { "statm", show_statm, 0444 },
		{ "status", show_status, 0444 },   { "wchan", show_wchan, 0444 },
	};
	void *arg = (void *)(intptr_t)pid;
	pid_t owner = tid ? tid : pid;
	enum proc_ino_entry base = tid ? PROC_INO_TID_DIR : PROC_INO_PID_DIR;
	struct inode *dir = kernfs_new_dir(sb, 0555);
	dir->ino = proc_ino(owner, base);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		struct inode *f = kernfs_new_rwfile(sb, files[i].mode, files[i].show,
						    files[i].store, arg);
		if (files[i].poll)
			kernfs_set_poll(f, files[i].poll);
		kernfs_add(dir, files[i].name, f);
		inode_put(f);
	}
	add_link(dir, "exe", exe_link, arg);
	add_link(dir, "cwd", cwd_link, arg);
	add_link(dir, "root", root_link, arg);
	proc_add_fd_dirs(dir, pid, proc_ino(owner, base + PROC_INO_FD_DIR),
			 proc_ino(owner, base + PROC_INO_FDINFO_DIR));
	if (!tid) {
		struct inode *task = kernfs_new_dyndir(sb, 0555, &task_ops, arg);
		task->ino = proc_ino(pid, PROC_INO_TASK_DIR);
		kernfs_add(dir, "task", task);
		inode_put(task);
	}
	return dir;
}

struct inode *proc_pid_dir(struct super_block *sb, pid_t pid)
{
	return pid_dir_new(sb, pid, 0);
}
