/* Tasks (application threads) and thread groups (processes).
 *
 * Each task has one sentry thread running task_run(): switch into the
 * application until it traps, handle the syscall or fault, deliver signals,
 * repeat. Fields marked [own] are touched only by the task's own sentry
 * thread; [ts] fields are guarded by kernel->ts_lock (the task set lock,
 * which also guards the process tree and signal state, as gVisor's
 * TaskSet.mu does).
 */
#ifndef CVISOR_TASK_H
#define CVISOR_TASK_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "cvisor/arch.h"
#include "cvisor/ktimer.h"
#include "cvisor/mm.h"
#include "cvisor/platform.h"
#include "cvisor/signal.h"
#include "cvisor/util.h"
#include "cvisor/waitqueue.h"

struct kernel;
struct creds;
struct fd_table;
struct pollfd;
struct fs_context;
struct pid_ns;
struct posix_timer;
struct uts_ns;

/* A process. */
struct thread_group {
	struct kernel *k;
	pid_t tgid;			/* in the root PID namespace */
	uint64_t serial;		/* kernel-unique: what pidfds know it by */
	struct task *leader;
	TAILQ_HEAD(, task) tasks;	/* [ts] */
	int nr_tasks;			/* [ts] live tasks */
	int nr_leaving;			/* [ts] tasks past their process cleanup check */
	struct thread_group *parent;	/* [ts] */
	LIST_HEAD(, thread_group) children; /* [ts] */
	LIST_ENTRY(thread_group) sibling;   /* [ts] */
	TAILQ_ENTRY(thread_group) all;	    /* [ts] kernel->thread_groups */
	pid_t pgid, sid;		/* [ts] root-namespace pids (kernel/pid.c) */
	bool did_exec;			/* [ts] has called execve (setpgid's EACCES) */
	bool is_child_subreaper;	/* [ts] PR_SET_CHILD_SUBREAPER: adopts orphans */
	struct tty *ctty;		/* [ts] controlling terminal (tty.h), or NULL */
	struct ktimer itimer_real;	/* ITIMER_REAL and alarm(2): SIGALRM */
	/* ITIMER_VIRTUAL and ITIMER_PROF (cpu_ticker.c): the expiry in the
	 * process's user, or user+system, CPU time (0: disarmed). */
	struct cpu_itimer {
		int64_t expires, interval;
	} cpu_itimers[2];		/* [ts] */
	/* POSIX timers (posix_timer.h). */
	pthread_mutex_t timers_lock;
	LIST_HEAD(, posix_timer) timers;	/* [timers_lock + ts] */
	int nr_timers;			/* [timers_lock] */
	int next_timer_id;		/* [timers_lock] */
	bool exiting;			/* [ts] exit_group has begun */
	bool zombie;			/* [ts] all tasks gone, not yet reaped */
	int exit_signal;		/* [ts] sent to the parent at exit (SIGCHLD) */
	uid_t leader_uid;		/* [ts] real uid at exit, for waitid */
	/* What /proc shows of a zombie: its last task's name and creds. */
	char exit_comm[16];		/* [ts] */
	struct creds *exit_creds;	/* [ts] a reference until released */
	struct waitqueue child_wq;	/* a child changed state (wait4) */
	int dumpable;			/* PR_SET_DUMPABLE */
	/* Scheduling as the process asked for it (sys_sched.c); the
	 * sentry's host threads keep the host's. Inherited at fork. */
	struct {
		int nice;		/* -20..19 */
		int policy;		/* SCHED_OTHER, SCHED_FIFO, ... */
		int rt_priority;	/* 1..99 for SCHED_FIFO and SCHED_RR */
		uint64_t affinity;	/* CPUs allowed; 0 = all of the sandbox's */
	} sched;			/* [ts] */
	unsigned personality;		/* [ts] personality(2) */
	/* CPU time (kernel/rusage.c): the application's is user time, its
	 * sentry threads' system time. */
	int64_t utime_ns, stime_ns;	/* [ts] of its exited tasks */
	int64_t cutime_ns, cstime_ns;	/* [ts] of its reaped children, with theirs */
	/* I/O accounting (/proc/<pid>/io): bytes moved and calls made by
	 * read and write and their vectored and positional forms. */
	_Atomic uint64_t rchar, wchar, syscr, syscw;
	int oom_score_adj;		/* [ts] /proc/<pid>/oom_score_adj */
	int oom_score_adj_min;		/* [ts] the lowest it may go without
					 * CAP_SYS_RESOURCE: the last value a
					 * privileged writer set */
	int64_t start_ns;		/* host monotonic time of creation */
	int exit_status;		/* [ts] wait status once exited */
	struct rlimit rlimits[RLIM_NLIMITS]; /* [ts] */
	/* Signals: dispositions shared by every task of the group, and
	 * process-directed pending signals. */
	struct sigaction_k sigactions[NSIG_K];	/* [ts] */
	struct sigpending shared_pending;	/* [ts] */
	/* Group stop (SIGSTOP and friends) and its reports to wait(2). */
	bool stopped;			/* [ts] stopped, until SIGCONT or SIGKILL */
	int stop_signal;		/* [ts] the signal that stopped it */
	bool report_stopped;		/* [ts] a stop not yet seen by WUNTRACED */
	bool report_continued;		/* [ts] a continue not yet seen by WCONTINUED */
	struct pid_ns *pidns;
};

enum task_state {
	TASK_RUNNING,		/* in the application or handling a syscall */
	TASK_EXITED,		/* its sentry thread has finished */
};

struct task {
	struct kernel *k;
	struct thread_group *tg;
	pid_t tid;				/* in the root PID namespace */
	TAILQ_ENTRY(task) tg_entry;		/* [ts] */
	enum task_state state;			/* [ts] */

	struct mm *mm;				/* [own] */
	struct fd_table *fdt;			/* [own] */
	struct fs_context *fs;			/* [own] cwd, root, umask */
	struct creds *creds;			/* [own] replaced, never mutated */
	struct uts_ns *utsns;			/* [own] */

	struct arch_regs regs;			/* [own] */
	struct context *ctx;			/* [own] platform context */
	pthread_t thread;
	char comm[16];				/* [ts] */

	/* Signals. sigmask is written only by T's own thread, under ts_lock
	 * (senders read it). */
	uint64_t sigmask;			/* [ts] blocked signals */
	uint64_t saved_sigmask;			/* [own] mask to restore after sigsuspend */
	bool restore_sigmask;			/* [own] saved_sigmask is set */
	uint64_t sigwait_set;			/* [ts] signals rt_sigtimedwait waits for */
	struct sigpending pending;		/* [ts] thread-directed */
	struct sigaltstack_k altstack;		/* [own] */
	_Atomic bool attention;			/* signal_handle has work to do */
	/* A syscall that returned -ERESTART*: its code, resolved by
	 * signal_handle once any signal is taken. [own] */
	long restart_code;
	/* What restart_syscall(2) continues after -ERESTART_RESTARTBLOCK
	 * (Linux's restart_block): FN, with the state of the interrupted
	 * call. Deadlines are sandbox times. [own] */
	struct restart_block {
		long (*fn)(struct task *t);
		union {
			struct restart_sleep {
				int64_t deadline;
				clockid_t clock;
				uaddr_t rem;
			} sleep;
			struct restart_poll {
				uaddr_t ufds;
				unsigned nfds;
				int64_t end;	/* monotonic; < 0: no timeout */
			} poll;
			struct restart_futex {
				uaddr_t uaddr;
				uint32_t val, bitset;
				int64_t deadline;	/* host monotonic */
				bool private;
			} futex;
		};
	} restart;
	uaddr_t clear_child_tid;		/* [own] */
	bool exit_thread;			/* [ts] exit(2) or de_thread: this task ends */
	int exit_code;				/* [ts] its wait status, if it is the last */
	uaddr_t robust_list;			/* [own] set_robust_list's head */
	int64_t app_cpu_before_exec;		/* [own] CPU time of stubs exec replaced */
	bool no_new_privs;			/* [own] */
	int pdeath_signal;			/* [own] */
	/* Blocking (task_block). interrupted: a signal or exit wants
	 * attention; woken: a wait queue fired. */
	pthread_mutex_t block_lock;
	pthread_cond_t wake;			/* [block_lock] */
	bool interrupted;			/* [block_lock] */
	bool woken;				/* [block_lock] */
	/* In a wait (task_block, a host wait, a group stop): what /proc
	 * shows as S rather than R. Read without locks. */
	_Atomic bool sleeping;
	/* An eventfd an interrupt also signals, for waits in host calls
	 * (task_block_host); -1 until first needed. */
	_Atomic int host_wake_fd;
	/* [block_lock] T sleeps in poll(2) on host_wake_fd: task_wake
	 * writes to it too. */
	bool host_waiting;

	/* vfork: the parent blocks until this child execs or exits. */
	struct task *vfork_parent;		/* [ts] */
	bool vfork_done;			/* [ts] set in the parent's task */

	/* Syscall being handled, for --strace and restarts. [own] */
	uint64_t sc_nr, sc_args[6];
};

/* The task whose sentry thread this is (NULL on other sentry threads):
 * what /proc/self means. */
extern __thread struct task *current_task;

/* Allocation of processes and tasks, shared by PID 1 and clone. Called
 * with ts_lock held for tg_alloc; PID 0 takes the next one. */
struct thread_group *tg_alloc_locked(struct kernel *k, struct thread_group *parent, pid_t pid);
struct task *task_alloc(struct kernel *k, struct thread_group *tg);
/* Unlinks and frees a reaped (or never waited-for) thread group. */
void tg_release_locked(struct thread_group *tg);
/* Starts T's sentry thread. Returns 0 or -errno. */
int task_start(struct task *t);

/* What wait4/waitid report of a child. */
struct wait_result {
	pid_t pid;
	int status;	/* wait status */
	int code;	/* CLD_EXITED, CLD_KILLED, CLD_STOPPED, CLD_CONTINUED */
	uid_t uid;
	int64_t utime_ns, stime_ns;	/* a reaped child's, with its children's */
};
/* Waits for a child selected by WHICH/ID (P_ALL, P_PID, P_PGID) per
 * OPTIONS (WEXITED, WSTOPPED, WCONTINUED, WNOHANG, WNOWAIT, __WALL...).
 * Returns its pid, 0 (WNOHANG, none yet), -ECHILD or -ERESTARTSYS. */
long task_wait(struct task *t, idtype_t which, pid_t id, int options, struct wait_result *res);

/* execve of PATH with ARGV (ARGC strings, NULL-terminated) and ENVP; F,
 * if not NULL, is PATH already opened for execution (execveat), whose
 * reference is taken over. Returns 0 with T running the new image, or
 * -errno with T unchanged and the loader's reason in ERR (may be NULL).
 * ARGV stays the caller's. */
long task_execve(struct task *t, struct file *f, const char *path, char **argv, int argc,
		 char **envp, char *err, size_t errlen);

/* What fork, vfork, clone and clone3 ask for (Linux's kernel_clone_args),
 * checked as far as the syscall's own rules go. */
struct clone_request {
	uint64_t flags;		/* CLONE_*, without an exit signal */
	int exit_signal;
	uaddr_t stack;		/* the child's stack pointer; 0: the caller's */
	uaddr_t parent_tid, child_tid;
	uaddr_t pidfd;		/* CLONE_PIDFD: where the child's pidfd goes */
	uint64_t tls;
	pid_t set_tid;		/* clone3: the child's pid; 0: the next one */
};
/* A new process or thread; returns the child's pid or -errno. */
long task_clone(struct task *t, const struct clone_request *req);
/* Lets a vfork parent go on (the child exec'd or is exiting). */
void task_vfork_release(struct task *t);

/* User memory of the calling task. */
static inline int copy_in(struct task *t, void *dst, uaddr_t src, size_t size)
{
	return mm_copy_in(t->mm, dst, src, size);
}
static inline int copy_out(struct task *t, uaddr_t dst, const void *src, size_t size)
{
	return mm_copy_out(t->mm, dst, src, size);
}
static inline long copy_in_string(struct task *t, char *dst, uaddr_t src, size_t max)
{
	return mm_copy_in_string(t->mm, dst, src, max);
}

/* Pid of T's process / T as seen from the namespace of OBSERVER. */
pid_t task_tgid_nr(struct task *observer, struct thread_group *tg);
pid_t task_tid_nr(struct task *observer, struct task *t);
/* TG's process group and session IDs as OBSERVER sees them; ts_lock held. */
pid_t task_pgrp_nr(struct task *observer, struct thread_group *tg);
pid_t task_session_nr(struct task *observer, struct thread_group *tg);
/* The process (zombies included, as Linux's find_task_by_vpid) / the
 * task that OBSERVER calls PID, or NULL. ts_lock held. */
struct thread_group *tg_lookup_locked(struct task *observer, pid_t pid);
/* The sandbox CPUs TG may run on, as a mask; ts_lock held. */
uint64_t tg_affinity_locked(const struct thread_group *tg);
struct task *task_lookup_locked(struct task *observer, pid_t tid);

/* The task loop; the body of every task's sentry thread. */
void *task_run(void *task);

/* Ends task T alone (exit(2)); if it is its process's last, the process
 * ends with wait status STATUS. */
void task_exit_thread(struct task *t, int status);
/* Terminates the whole thread group of T with wait status STATUS
 * (exit_group or a fatal signal). Does not return to the application. */
void task_exit_group(struct task *t, int status);

/* Frees T's resources and removes it from the task set; the last thing
 * its sentry thread does. */
void task_exit(struct task *t);
/* Makes every task of TG exit, the process ending with wait status
 * STATUS (a fatal signal, or exit_group). ts_lock held. */
void tg_kill_locked(struct thread_group *tg, int status);
/* Makes T leave the application or a block to look at its state. Caller
 * holds kernel->ts_lock. */
void task_interrupt_locked(struct task *t);

/* CPU time T has used: its application thread plus its sentry thread. */
int64_t task_cpu_ns(struct task *t);
/* The same split: the application's (user) and the sentry's (system). */
void task_cpu_times(struct task *t, int64_t *user, int64_t *sys);
/* TG's CPU time: its exited tasks' and its live ones'. ts_lock held. */
void tg_cpu_times_locked(struct thread_group *tg, int64_t *user, int64_t *sys);
/* CPU-time timers (cpu_ticker.c): ITIMER_VIRTUAL or ITIMER_PROF (WHICH)
 * of TG, value and interval in ns; and RLIMIT_CPU. */
void cpu_ticker_init(struct kernel *k);
void cpu_itimer_get(struct thread_group *tg, int which, int64_t *value, int64_t *interval);
void cpu_itimer_set(struct thread_group *tg, int which, int64_t value, int64_t interval,
		    int64_t *old_value, int64_t *old_interval);
/* A process may have gained a CPU-time limit: the ticker looks at it
 * soon. ts_lock held. */
void cpu_ticker_kick_locked(struct kernel *k);
/* Adds the exiting T's CPU time to its process's; T's own thread, before
 * its context goes. */
void rusage_task_exit(struct task *t);
/* The zombie CHILD is being reaped by PARENT: its CPU time and its
 * children's go to PARENT's children's time, and into RES (wait4's
 * rusage). ts_lock held. */
void rusage_reap_locked(struct thread_group *parent, struct thread_group *child,
			struct wait_result *res);
struct rusage;
/* A struct rusage with only the times set (sys_rusage.c). */
void rusage_fill(struct rusage *ru, int64_t user_ns, int64_t sys_ns);
/* Replaces T's credentials with C (taking over the reference). */
void task_set_creds(struct task *t, struct creds *c);
/* Initialises T's wake condition (monotonic clock). */
void task_init_wake(struct task *t);
/* Sleeps until task_wake, an interruption (-EINTR) or DEADLINE_NS on the
 * host monotonic clock (-ETIMEDOUT; < 0: none). */
int task_block(struct task *t, int64_t deadline_ns);
void task_wake(struct task *t);

/* task_block that also ends when one of the host fds FDS[0..N) has one
 * of its events (its revents says which; 0 when something else ended the
 * sleep): for waits on the sandbox's stdio, alone or together with wait
 * queues (poll). */
int task_block_host(struct task *t, struct pollfd *fds, int n, int64_t deadline_ns);
/* Waits until host fd FD has EVENTS (poll(2) bits) or T is interrupted
 * (-EINTR); for the few blocking host calls the sentry makes for the
 * application (its stdio). */
int task_wait_host_fd(struct task *t, int fd, short events);
/* A signal, stop or exit wants T's attention, so a wait must end (Linux's
 * signal_pending). */
bool task_signal_pending(struct task *t);

/* Sleeps until DEADLINE_NS (host monotonic), or until interrupted by a
 * signal. Returns 0 when the time passed, -EINTR if interrupted. */
int task_sleep_until(struct task *t, int64_t deadline_ns);

/* Saves T's FPU state into T->regs.fpu (the platform's copy), when the
 * kernel needs to read or replace it. */
void task_save_fpu(struct task *t);

#endif
