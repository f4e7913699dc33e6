/* Signals: generation, pending sets, delivery to handlers, group stop.
 *
 * All signal state is guarded by kernel->ts_lock, like the process tree
 * (gVisor's TaskSet.mu plays the same double role). A signal is generated
 * into the pending set of a task (thread-directed: tkill, faults) or of its
 * thread group (kill); a task that can take it is interrupted, and takes it
 * on its own sentry thread before it next returns to the application:
 * default action, or a frame on the user stack and a jump to the handler.
 */
#ifndef CVISOR_SIGNAL_H
#define CVISOR_SIGNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/types.h>

#include "cvisor/util.h"

struct kernel;
struct task;
struct thread_group;

/* Linux ABI values glibc's headers leave out. */
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

#define NSIG_K 64
#define SIG_BIT(sig) (1ULL << ((sig) - 1))
#define SIG_UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))
#define SIG_STOP_SET (SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU))
/* Faults: taken before other pending signals (Linux's SYNCHRONOUS_MASK). */
#define SIG_SYNC_SET (SIG_BIT(SIGSEGV) | SIG_BIT(SIGBUS) | SIG_BIT(SIGILL) | SIG_BIT(SIGTRAP) | \
		      SIG_BIT(SIGFPE) | SIG_BIT(SIGSYS))

/* The kernel's struct sigaction (x86-64 rt_sigaction layout). */
struct sigaction_k {
	uint64_t handler, flags, restorer, mask;
};

/* Pending signals: a set, and the siginfo of each queued instance (one
 * at most per standard signal, any number per real-time one). */
struct sigqueue {
	siginfo_t info;
	TAILQ_ENTRY(sigqueue) link;
};
struct sigpending {
	uint64_t set;
	TAILQ_HEAD(, sigqueue) queue;
};

/* sigaltstack(2) state. */
struct sigaltstack_k {
	uaddr_t sp;
	uint64_t size;
	int flags;		/* SS_AUTODISARM, or SS_DISABLE */
};

void sigpending_init(struct sigpending *p);
/* Drops the pending instances of the signals in SET. */
void sigpending_flush(struct sigpending *p, uint64_t set);

/* Default actions (signal(7)). The "core" ones terminate: the sandbox
 * writes no core files, so wait statuses never carry the core-dump bit,
 * as on Linux when no dump is written. */
bool sig_default_ignore(int sig);
bool sig_default_stop(int sig);

/* A siginfo from a process (kill, sigqueue): si_pid and si_uid are the
 * sender's as seen by RECEIVER. SENDER may be NULL (the host, or the
 * kernel itself). */
void siginfo_from(siginfo_t *si, int sig, int code, struct task *sender,
		  struct thread_group *receiver);

/* Generates INFO->si_signo for TG (process-directed) or, when T is not
 * NULL, for task T of TG. Applies the generation-time rules of Linux's
 * prepare_signal (SIGCONT and stop signals cancel each other, SIGCONT
 * resumes a stopped group, SIGKILL kills at once, ignored signals are
 * dropped). Returns 0, or -EAGAIN if a real-time signal cannot be queued.
 * ts_lock held. */
int signal_send_locked(struct thread_group *tg, struct task *t, const siginfo_t *info);
/* The same, taking ts_lock. */
int signal_send(struct thread_group *tg, struct task *t, const siginfo_t *info);
/* Signals every process of process group PGID (as seen by SENDER) with
 * INFO, with permission checks. Returns 0, -ESRCH or -EPERM. */
int signal_send_pgrp(struct task *sender, pid_t pgid, int sig, int code);
/* Whether SENDER may signal TG (kill(2)'s EPERM rule). ts_lock held. */
bool signal_may_send_locked(struct task *sender, struct thread_group *tg, int sig);

/* A signal the kernel raises in T itself (SIGPIPE): si_code SI_USER from
 * T's own process, as Linux's send_sig. */
void signal_raise(struct task *t, int sig);
/* A synchronous fault signal of T (SIGSEGV, SIGFPE...): if blocked or
 * ignored it is unblocked and reset to the default action, as Linux's
 * force_sig_fault, so the process cannot loop on the fault. */
void signal_force_fault(struct task *t, int sig, int code, uaddr_t addr);

/* Takes the first pending signal of T in ALLOWED (thread-directed ones
 * first, faults first among them) into INFO; 0 if none. ts_lock held. */
int signal_dequeue_locked(struct task *t, uint64_t allowed, siginfo_t *info);

/* A signal from outside the sandbox (the CLI's forwarder): SIGINT and
 * SIGQUIT go to the foreground process group of PID 1's controlling
 * terminal when it has one, everything else to PID 1. */
void kernel_signal_from_host(struct kernel *k, int sig);

/* The expiry of a process's ITIMER_REAL: SIGALRM. */
struct ktimer;
void itimer_real_fire(struct ktimer *kt);

/* Recomputes whether T has something to act on (a deliverable signal, a
 * group stop, exit) and interrupts it if so. ts_lock held. */
void signal_recalc_locked(struct task *t);

/* Run by T's sentry thread between application runs, when T was
 * interrupted or its last syscall asked for a restart: takes pending
 * signals (default actions, group stop, handler frames) and resolves the
 * restart. Returns false when T must exit. */
bool signal_handle(struct task *t);

/* Resumes a stopped thread group (SIGCONT semantics) and tells the
 * parent. ts_lock held. */
void signal_continue_group_locked(struct thread_group *tg);

/* Whether process group PGID of session SID is orphaned: no member (but
 * IGNORED) has a parent in another group of the same session (POSIX;
 * stop signals from terminals are then discarded). ts_lock held. */
bool pgrp_orphaned_locked(struct kernel *k, pid_t pgid, pid_t sid, struct thread_group *ignored);
/* A group with stopped members that an exit orphans gets SIGHUP and
 * SIGCONT (POSIX _exit). Called for an exiting TG (PARENT NULL) and for
 * each child TG of a process that exited (PARENT it). ts_lock held. */
void signal_orphaned_pgrp_locked(struct thread_group *tg, struct thread_group *parent);
/* Sends SIG to every process of PGID from the kernel (SI_KERNEL).
 * ts_lock held. */
void signal_pgrp_kernel_locked(struct kernel *k, pid_t pgid, int sig);

/* SIGCHLD (or the child's exit signal) to TG's parent for a change of
 * TG: CODE is CLD_EXITED, CLD_KILLED, CLD_DUMPED, CLD_STOPPED or
 * CLD_CONTINUED, STATUS the exit code or signal. ts_lock held. */
void signal_notify_parent_locked(struct thread_group *tg, int code, int status);

/* Replaces T's blocked set with MASK (never SIGKILL or SIGSTOP) and
 * looks at what became deliverable. Called by T itself. */
void signal_set_mask(struct task *t, uint64_t mask);
/* MASK for the length of a syscall (sigsuspend, ppoll, pselect6): the
 * current mask is saved, to be recorded in the frame of a handler that
 * interrupts the call, or put back by signal_handle when none does, or
 * by the syscall itself with signal_restore_saved_mask. */
void signal_set_temporary_mask(struct task *t, uint64_t mask);
/* Puts back the mask signal_set_temporary_mask saved, if any. */
void signal_restore_saved_mask(struct task *t);

/* The alternate signal stack (sigaltstack(2)), of T, seen at stack
 * pointer SP. */
bool sigaltstack_on(const struct task *t, uaddr_t sp);
/* The stack_t sigaltstack reports: SS_ONSTACK when SP is on it. */
stack_t sigaltstack_get(const struct task *t, uaddr_t sp);
/* Installs SS. Returns 0, -EPERM (T is running on it), -EINVAL (bad
 * flags) or -ENOMEM (smaller than MINSIGSTKSZ). */
int sigaltstack_set(struct task *t, const stack_t *ss, uaddr_t sp);

/* The x86-64 signal frame (arch code). Builds a frame for INFO on T's
 * stack (or its alternate stack) saving T's registers and OLDMASK, and
 * points T at the handler. Returns 0 or -EFAULT (the stack is unusable). */
int arch_signal_setup_frame(struct task *t, const struct sigaction_k *sa, const siginfo_t *info,
			    uint64_t oldmask);
/* rt_sigreturn: restores registers, mask and alternate stack from the
 * frame at T's stack pointer. Returns 0 or -EFAULT (a bad frame). */
int arch_signal_return(struct task *t);

#endif
