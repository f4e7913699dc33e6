/* /proc: shared by the files of src/fs/proc/. */
#ifndef CVISOR_PROC_INTERNAL_H
#define CVISOR_PROC_INTERNAL_H

#include "cvisor/kernfs.h"
#include "cvisor/task.h"

/* What a /proc file needs of one process, taken under the task-set lock
 * with references, so it can be read without holding that lock. */
struct proc_snap {
	struct kernel *k;
	pid_t pid, ppid, pgid, sid;
	pid_t tpgid;			/* foreground group of its terminal, or -1 */
	unsigned tty_nr;		/* its terminal, as new_encode_dev; 0: none */
	int nthreads;
	char comm[16];
	char state;			/* 'R', 'S', 'T', 'Z' */
	int64_t start_ns;		/* monotonic time the process started */
	uint64_t sigmask;
	uint64_t sig_pending, sig_shared_pending;	/* thread, process */
	uint64_t sig_ignored, sig_caught;		/* dispositions */
	int exit_code;			/* a zombie's wait status */
	int64_t utime_ns, stime_ns;	/* CPU time of the process */
	int64_t cutime_ns, cstime_ns;	/* of its reaped children */
	int nice, policy, rt_priority;
	uint64_t affinity;		/* CPUs allowed */
	uint64_t rchar, wchar, syscr, syscw;	/* I/O accounting */
	struct mm *mm;			/* grabbed (mm_grab) or NULL */
	struct fd_table *fdt;		/* a reference or NULL */
	struct fs_context *fs;		/* a reference or NULL */
	struct creds *creds;		/* a reference */
};

/* Fills S for process PID as the calling task sees it; -ESRCH if gone
 * (reaped). A zombie has no mm, fdt or fs, as in Linux. */
int proc_snap_get(pid_t pid, struct proc_snap *s);
void proc_snap_put(struct proc_snap *s);
/* The tids of process PID's tasks as the caller sees them (at most MAX),
 * a zombie's being its pid: their count, or -ESRCH. */
int proc_tids(pid_t pid, pid_t *tids, int max);
/* A pid or tid in a directory name ("1".."4194304", no leading zero). */
bool proc_parse_pid(const char *name, pid_t *pid);

/* The per-process directory /proc/PID (a new inode). */
struct inode *proc_pid_dir(struct super_block *sb, pid_t pid);
/* Adds fd/ and fdinfo/ of process PID to DIR, with inode numbers FD_INO
 * and FDINFO_INO. */
void proc_add_fd_dirs(struct inode *dir, pid_t pid, uint64_t fd_ino, uint64_t fdinfo_ino);
/* Adds the system-wide files (cpuinfo, meminfo, ...) to the root. */
void proc_add_system_files(struct inode *root);
/* Adds /proc/sysvipc to ROOT and the IPC limits to SYS_KERNEL. */
void proc_add_ipc_files(struct inode *root, struct inode *sys_kernel);

/* The mount table of the calling task's namespace, in /proc/mounts form. */
int proc_show_mounts(void *arg, struct kernfs_buf *b);
/* The same in /proc/<pid>/mountinfo form. */
int proc_show_mountinfo(void *arg, struct kernfs_buf *b);

/* Inode numbers of per-process directories: stable across lookups, as
 * Linux's are for a live process, and distinct for task/<tid> so that
 * tree walkers see no loop. A task's entries follow the process's in
 * the same order (PROC_INO_TID_DIR + PROC_INO_FD_DIR is its fd/). */
enum proc_ino_entry {
	PROC_INO_PID_DIR,		/* /proc/<pid> */
	PROC_INO_FD_DIR,		/* /proc/<pid>/fd */
	PROC_INO_FDINFO_DIR,		/* /proc/<pid>/fdinfo */
	PROC_INO_TASK_DIR,		/* /proc/<pid>/task */
	PROC_INO_TID_DIR,		/* /proc/<pid>/task/<tid> */
	PROC_INO_TID_FD_DIR,
	PROC_INO_TID_FDINFO_DIR,
};
static inline uint64_t proc_ino(pid_t pid, enum proc_ino_entry entry)
{
	return ((uint64_t)pid << 8 | entry) + (1ULL << 40);
}

/* Lists the directories named by IDS[0..N) (/proc/<pid>, task/<tid>),
 * sorting IDS: each an ENTRY of its id. */
void proc_emit_id_dirs(kernfs_emit_fn emit, void *ctx, pid_t *ids, int n,
		       enum proc_ino_entry entry);

/* The inode number of entry N (< 2^20: an fd) of the directory DIR_INO
 * (one of proc_ino's). */
static inline uint64_t proc_entry_ino(uint64_t dir_ino, unsigned n)
{
	return 1ULL << 52 | (dir_ino - (1ULL << 40)) << 20 | n;
}

#endif
