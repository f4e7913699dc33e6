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
	int nthreads;
	char comm[16];
	char state;			/* 'R', 'S', 'Z' */
	int64_t start_ns;		/* monotonic time the process started */
	uint64_t sigmask;
	struct mm *mm;			/* grabbed (mm_grab) or NULL */
	struct fd_table *fdt;		/* a reference or NULL */
	struct fs_context *fs;		/* a reference or NULL */
	struct creds *creds;		/* a reference */
};

/* Fills S for process PID as the calling task sees it; -ESRCH if gone. */
int proc_snap_get(pid_t pid, struct proc_snap *s);
void proc_snap_put(struct proc_snap *s);

/* The per-process directory /proc/PID (a new inode). */
struct inode *proc_pid_dir(struct super_block *sb, pid_t pid);
/* Adds the system-wide files (cpuinfo, meminfo, ...) to the root. */
void proc_add_system_files(struct inode *root);

/* The mount table of the calling task's namespace, in /proc/mounts form. */
int proc_show_mounts(void *arg, struct kernfs_buf *b);

/* Inode numbers of per-process entries: stable across lookups, as
 * Linux's are for a live process. */
static inline uint64_t proc_ino(pid_t pid, unsigned entry)
{
	return ((uint64_t)pid << 8 | entry) + (1ULL << 40);
}

#endif
