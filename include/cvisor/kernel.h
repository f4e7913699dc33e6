/* struct kernel: the whole emulated Linux of one sandbox. Every object the
 * sandbox holds is reachable from here (that is what makes checkpointing a
 * walk). It carries the responsibilities of gVisor's kernel.Kernel:
 * platform, memory file, timekeeper, task set and PID namespaces, root user
 * namespace, UTS namespace, syslog, unique IDs, the VFS root and the
 * rate-limited "unimplemented syscall" events.
 *
 * Lock order: ts_lock -> mm->lock -> memfile lock.
 */
#ifndef CVISOR_KERNEL_H
#define CVISOR_KERNEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/types.h>
#include <sys/utsname.h>

#include "cvisor/futex.h"
#include "cvisor/ktimer.h"
#include "cvisor/memfile.h"
#include "cvisor/platform.h"
#include "cvisor/vdso_params.h"
#include "cvisor/waitqueue.h"

struct task;
struct thread_group;
struct creds;
struct mount_ns;
struct file;
struct devpts;
struct ipc_ns;

/* The release and version uname reports: an emulated kernel, never the
 * host's. */
#define CVISOR_UTS_RELEASE "6.1.0-cvisor"
#define CVISOR_UTS_VERSION "#1 SMP PREEMPT_DYNAMIC cvisor"

struct user_ns {
	_Atomic int refs;
	struct user_ns *parent;
};

struct uts_ns {
	_Atomic int refs;
	pthread_mutex_t lock;
	char hostname[65];
	char domainname[65];
};

/* Sets NS's hostname (DOMAIN: domainname) to the LEN (<= 64) bytes of
 * NAME; callers check the caller's right to. */
void uts_set_name(struct uts_ns *ns, bool domain, const char *name, size_t len);

struct pid_ns {
	_Atomic int refs;
	struct pid_ns *parent;
	struct user_ns *user_ns;
	pid_t last_pid;			/* [ts] */
	struct thread_group *init;	/* [ts] */
};

/* Time as the sandbox sees it (src/kernel/timekeeper.c): host clocks plus
 * offsets fixed at boot (and shifted on restore), read through the TSC
 * once it is calibrated, with the parameters the vDSO reads too. */
struct timekeeper {
	int64_t boot_mono_ns;		/* host monotonic time at boot */
	int64_t mono_offset_ns;		/* added to host monotonic time */
	int64_t real_offset_ns;		/* added to host realtime */

	struct vdso_time clock;		/* the sentry's copy of the parameters */
	struct vdso_time *published;	/* the [vvar] page of every process */
	uint64_t sample_tsc;		/* the last calibration sample */
	int64_t sample_host_ns;
	struct ktimer update;		/* recalibrates every second */
};

/* Token bucket: RATE events a second with a burst of BURST. */
struct ratelimit {
	pthread_mutex_t lock;
	double tokens, rate, burst;
	int64_t last_ns;
	uint64_t suppressed;
};

#define SYSLOG_SIZE 16384
struct syslog {
	pthread_mutex_t lock;
	char buf[SYSLOG_SIZE];
	size_t len;
};

/* The most CPUs a sandbox has: affinity masks are one 64-bit word. */
#define KERNEL_MAX_CPUS 64

/* What a caller (cvisor do, the OCI runtime) tells the kernel to build. */
struct kernel_init_args {
	const char *platform;		/* platform name, e.g. "ptrace" */
	const char *hostname;
	unsigned ncpus;			/* application cores; 0 = host's (at
					 * most KERNEL_MAX_CPUS) */
	uint64_t memory_limit;		/* bytes; 0 = 16 GiB */
	unsigned max_tasks;		/* 0 = 10000 */
};

/* What the first process runs. */
struct process_args {
	const char *filename;		/* path inside the sandbox */
	char *const *argv;
	char *const *envp;
	const char *cwd;
	bool cwd_fallback;		/* use "/" if CWD does not exist inside */
	uid_t uid;
	gid_t gid;
	struct file *stdio[3];		/* references taken over by the kernel */
};

struct kernel {
	struct platform platform;
	struct memfile mf;
	struct timekeeper tk;
	struct file *vdso;		/* the vDSO and [vvar] (src/loader/vdso.c) */
	unsigned ncpus;
	unsigned max_tasks;

	struct user_ns *root_userns;
	struct pid_ns *root_pidns;
	struct uts_ns *root_utsns;
	struct ipc_ns *root_ipcns;	/* System V IPC objects (cvisor/ipc.h) */
	struct mount_ns *mntns;

	/* The task set. */
	pthread_mutex_t ts_lock;
	TAILQ_HEAD(, thread_group) thread_groups;	/* [ts] */
	unsigned nr_tasks;				/* [ts] */
	pthread_cond_t ts_changed;			/* [ts] a task exited */
	bool init_exited;				/* [ts] */
	struct devpts *devpts;				/* /dev/pts (fs/devpts) */
	int init_status;				/* [ts] wait status of PID 1 */
	/* A signal was queued, or a signalfd's mask changed: signalfd
	 * readers and pollers look again. Linux has one per sighand; one
	 * for the kernel outlives every epoll item queued on it, at the
	 * cost of waking readers of other processes for nothing. */
	struct waitqueue signalfd_wq;
	/* A process exited or was reaped: pidfd pollers look again (one
	 * for all, as signalfd_wq). */
	struct waitqueue pidfd_wq;

	struct syslog syslog;
	struct ktimers timers;
	/* Samples the CPU time of processes with CPU itimers or RLIMIT_CPU
	 * (cpu_ticker.c); armed only while one has. */
	struct ktimer cpu_ticker;
	bool cpu_ticker_armed;				/* [ts] */
	struct futex_table futexes;
	_Atomic uint64_t unique_id;
	struct ratelimit unimpl_events;
	bool strace;
	bool started;
};

/* Validates ARGS and builds the kernel. Returns 0 or -errno (with a message
 * logged naming what was wrong). */
int kernel_init(struct kernel *k, const struct kernel_init_args *args);
/* Creates PID 1 from PARGS and starts it, in the filesystem tree
 * k->mntns (set by the caller after kernel_init). Only once. Returns 0,
 * -ENOENT if the program was not found, -EACCES or -ENOEXEC if it cannot
 * run (a message names the reason). */
int kernel_start(struct kernel *k, const struct process_args *pargs);
/* Waits for PID 1 to exit; returns its wait status. */
int kernel_wait(struct kernel *k);

uint64_t kernel_unique_id(struct kernel *k);
/* Starts the timekeeper, publishing into PUBLISHED (a [vvar] page). */
void timekeeper_init(struct kernel *k, struct vdso_time *published);
/* Sandbox clocks, in nanoseconds. */
int64_t kernel_monotonic_ns(struct kernel *k);
int64_t kernel_realtime_ns(struct kernel *k);
/* Reads the sandbox clock ID as task T sees it (T's CPU clocks);
 * -EINVAL for clocks this kernel does not keep. */
int kernel_clock_read(struct task *t, clockid_t id, int64_t *ns);
/* Appends a line to the kernel log (dmesg). */
void syslog_printf(struct kernel *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Reports a syscall cvisor does not implement (rate-limited). */
void kernel_unimplemented_syscall(struct kernel *k, struct task *t, uint64_t nr);

bool ratelimit_allow(struct ratelimit *rl);
void ratelimit_init(struct ratelimit *rl, double rate, double burst);

#endif
