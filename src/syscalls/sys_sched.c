/* Scheduling attributes: nice values, policies, affinity, getcpu and
 * personality. cvisor records what the application asks for and reports
 * it back with Linux's checks; its host threads are scheduled by the
 * host. Each is kept per process (the sandbox's processes are single
 * threaded so far). */
#include <linux/capability.h>
#include <linux/personality.h>
#include <sched.h>
#include <sys/resource.h>

#include "cvisor/creds.h"
#include "cvisor/kernel.h"
#include "cvisor/loader.h"
#include "cvisor/mm.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

#define MIN_NICE (-20)
#define MAX_NICE 19

/* The CPUs of the sandbox as a mask. */
static uint64_t all_cpus(const struct kernel *k)
{
	return k->ncpus >= 64 ? ~0ULL : (1ULL << k->ncpus) - 1;
}

uint64_t tg_affinity_locked(const struct thread_group *tg)
{
	return tg->sched.affinity ? tg->sched.affinity : all_cpus(tg->k);
}

/* The process PID (0: the caller's) with ts_lock held, or NULL. */
static struct thread_group *target_locked(struct task *t, pid_t pid)
{
	if (pid == 0)
		return t->tg;
	struct thread_group *tg = tg_lookup_locked(t, pid);
	return tg && !tg->zombie ? tg : NULL;
}

/* getpriority's targets: is TG one of (WHICH, WHO)? */
static bool prio_match(struct task *t, struct thread_group *tg, int which, int who)
{
	if (tg->zombie)
		return false;
	switch (which) {
	case PRIO_PROCESS:
		return tg == (who ? tg_lookup_locked(t, who) : t->tg);
	case PRIO_PGRP:
		return task_pgrp_nr(t, tg) == (who ? who : task_pgrp_nr(t, t->tg));
	default: {	/* PRIO_USER */
		struct task *leader = TAILQ_FIRST(&tg->tasks);
		return leader && leader->creds->uid == (uid_t)(who ? (uid_t)who : t->creds->uid);
	}
	}
}

/* Returns 20 - nice of the highest-priority target (1..40), as the
 * syscall does; glibc turns it into the nice value. */
long sys_getpriority(struct task *t, const struct syscall_args *a)
{
	int which = (int)a->arg[0], who = (int)a->arg[1];
	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
		return -EINVAL;
	long best = -ESRCH;
	pthread_mutex_lock(&t->k->ts_lock);
	struct thread_group *tg;
	TAILQ_FOREACH(tg, &t->k->thread_groups, all)
		if (prio_match(t, tg, which, who) && 20 - tg->sched.nice > best)
			best = 20 - tg->sched.nice;
	pthread_mutex_unlock(&t->k->ts_lock);
	return best;
}

/* setpriority (set_one_prio): another user's process needs
 * CAP_SYS_NICE (EPERM); lowering the nice value needs RLIMIT_NICE room
 * or CAP_SYS_NICE (EACCES). */
long sys_setpriority(struct task *t, const struct syscall_args *a)
{
	int which = (int)a->arg[0], who = (int)a->arg[1];
	int nice = (int)a->arg[2];
	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
		return -EINVAL;
	nice = nice < MIN_NICE ? MIN_NICE : nice > MAX_NICE ? MAX_NICE : nice;
	const struct creds *c = t->creds;
	bool cap = creds_has_cap(c, CAP_SYS_NICE);
	long err = -ESRCH;
	pthread_mutex_lock(&t->k->ts_lock);
	rlim_t rlim = t->tg->rlimits[RLIMIT_NICE].rlim_cur;
	struct thread_group *tg;
	TAILQ_FOREACH(tg, &t->k->thread_groups, all) {
		if (!prio_match(t, tg, which, who))
			continue;
		struct task *leader = TAILQ_FIRST(&tg->tasks);
		const struct creds *tc = leader ? leader->creds : c;
		if (tc->uid != c->euid && tc->euid != c->euid && !cap) {
			err = -EPERM;
			continue;
		}
		if (nice < tg->sched.nice && !cap &&
		    (rlim == RLIM_INFINITY ? false : (rlim_t)(20 - nice) > rlim)) {
			err = -EACCES;
			continue;
		}
		tg->sched.nice = nice;
		if (err == -ESRCH)
			err = 0;
	}
	pthread_mutex_unlock(&t->k->ts_lock);
	return err;
}

static bool valid_policy(int policy)
{
	return policy == SCHED_OTHER || policy == SCHED_FIFO || policy == SCHED_RR ||
	       policy == SCHED_BATCH || policy == SCHED_IDLE;
}

static bool rt_policy(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

/* sched_setscheduler and sched_setparam (POLICY -1: keep the policy),
 * as __sched_setscheduler: the priority is 1..99 for the real-time
 * policies and 0 otherwise; real time needs CAP_SYS_NICE or room in
 * RLIMIT_RTPRIO; another user's process needs CAP_SYS_NICE. */
static long set_scheduler(struct task *t, pid_t pid, int policy, uaddr_t uparam)
{
	struct sched_param param;
	if (pid < 0 || !uparam)
		return -EINVAL;
	if (copy_in(t, &param, uparam, sizeof(param)) < 0)
		return -EFAULT;
	policy &= ~SCHED_RESET_ON_FORK;
	long err = 0;
	pthread_mutex_lock(&t->k->ts_lock);
	struct thread_group *tg = target_locked(t, pid);
	if (!tg) {
		err = -ESRCH;
		goto out;
	}
	if (policy == -1 || policy == (-1 & ~SCHED_RESET_ON_FORK))
		policy = tg->sched.policy;
	if (!valid_policy(policy) || param.sched_priority < 0 || param.sched_priority > 99 ||
	    rt_policy(policy) != (param.sched_priority != 0)) {
		err = -EINVAL;
		goto out;
	}
	const struct creds *c = t->creds;
	bool cap = creds_has_cap(c, CAP_SYS_NICE);
	struct task *leader = TAILQ_FIRST(&tg->tasks);
	if (!cap && leader && leader->creds->uid != c->euid && leader->creds->euid != c->euid) {
		err = -EPERM;
		goto out;
	}
	rlim_t rtprio = tg->rlimits[RLIMIT_RTPRIO].rlim_cur;
	if (!cap && rt_policy(policy) && rtprio != RLIM_INFINITY &&
	    ((rlim_t)param.sched_priority > rtprio ||
	     (!rt_policy(tg->sched.policy) && rtprio == 0))) {
		err = -EPERM;
		goto out;
	}
	tg->sched.policy = policy;
	tg->sched.rt_priority = param.sched_priority;
out:
	pthread_mutex_unlock(&t->k->ts_lock);
	return err;
}

long sys_sched_setscheduler(struct task *t, const struct syscall_args *a)
{
	int policy = (int)a->arg[1];
	if (policy < 0)
		return -EINVAL;
	return set_scheduler(t, (pid_t)a->arg[0], policy, a->arg[2]);
}

long sys_sched_setparam(struct task *t, const struct syscall_args *a)
{
	return set_scheduler(t, (pid_t)a->arg[0], -1, a->arg[1]);
}

long sys_sched_getscheduler(struct task *t, const struct syscall_args *a)
{
	pid_t pid = (pid_t)a->arg[0];
	if (pid < 0)
		return -EINVAL;
	pthread_mutex_lock(&t->k->ts_lock);
	struct thread_group *tg = target_locked(t, pid);
	long ret = tg ? tg->sched.policy : -ESRCH;
	pthread_mutex_unlock(&t->k->ts_lock);
	return ret;
}

long sys_sched_getparam(struct task *t, const struct syscall_args *a)
{
	pid_t pid = (pid_t)a->arg[0];
	if (pid < 0 || !a->arg[1])
		return -EINVAL;
	pthread_mutex_lock(&t->k->ts_lock);
	struct thread_group *tg = target_locked(t, pid);
	struct sched_param param = { .sched_priority = tg ? tg->sched.rt_priority : 0 };
	pthread_mutex_unlock(&t->k->ts_lock);
	if (!tg)
		return -ESRCH;
	return copy_out(t, a->arg[1], &param, sizeof(param));
}

long sys_sched_get_priority_max(struct task *t, const struct syscall_args *a)
{
	int policy = (int)a->arg[0];
	if (rt_policy(policy))
		return 99;
	return valid_policy(policy) || policy == SCHED_DEADLINE ? 0 : -EINVAL;
}

long sys_sched_get_priority_min(struct task *t, const struct syscall_args *a)
{
	int policy = (int)a->arg[0];
	if (rt_policy(policy))
		return 1;
	return valid_policy(policy) || policy == SCHED_DEADLINE ? 0 : -EINVAL;
}

/* sched_rr_get_interval: SCHED_RR's time slice (RR_TIMESLICE, 100 ms),
 * 0 for SCHED_FIFO, and for the fair policies a slice of 4 ms (Linux
 * derives it from the load; programs only print it). */
long sys_sched_rr_get_interval(struct task *t, const struct syscall_args *a)
{
	pid_t pid = (pid_t)a->arg[0];
	if (pid < 0)
		return -EINVAL;
	pthread_mutex_lock(&t->k->ts_lock);
	struct thread_group *tg = target_locked(t, pid);
	int policy = tg ? tg->sched.policy : 0;
	pthread_mutex_unlock(&t->k->ts_lock);
	if (!tg)
		return -ESRCH;
	struct timespec ts = { 0, policy == SCHED_RR ? 100000000 : policy == SCHED_FIFO ? 0 : 4000000 };
	return copy_out(t, a->arg[1], &ts, sizeof(ts));
}

long sys_sched_getaffinity(struct task *t, const struct syscall_args *a)
{
	pid_t pid = (pid_t)a->arg[0];
	size_t len = a->arg[1];
	if (pid < 0)
		return -EINVAL;
	/* Linux needs room for its whole cpumask (nr_cpu_ids bits, in longs). */
	size_t need = round_up((t->k->ncpus + 7) / 8, sizeof(long));
	if (len < need || (len & (sizeof(long) - 1)))
		return -EINVAL;
	pthread_mutex_lock(&t->k->ts_lock);
	struct thread_group *tg = target_locked(t, pid);
	uint64_t mask = tg ? tg_affinity_locked(tg) : 0;
	pthread_mutex_unlock(&t->k->ts_lock);
	if (!tg)
		return -ESRCH;
	uint8_t bytes[128] = { 0 };
	need = MIN(need, sizeof(bytes));
	for (unsigned i = 0; i < 64 && i < need * 8; i++)
		if (mask >> i & 1)
			bytes[i / 8] |= (uint8_t)(1 << (i % 8));
	if (copy_out(t, a->arg[2], bytes, need) < 0)
		return -EFAULT;
	return (long)need;
}

/* sched_setaffinity: the mask (a shorter one is zero-extended) must
 * name at least one of the sandbox's CPUs; the rest is dropped. */
long sys_sched_setaffinity(struct task *t, const struct syscall_args *a)
{
	pid_t pid = (pid_t)a->arg[0];
	size_t len = MIN(a->arg[1], (uint64_t)sizeof(uint64_t));
	uint64_t mask = 0;
	if (pid < 0)
		return -EINVAL;
	if (len && copy_in(t, &mask, a->arg[2], len) < 0)
		return -EFAULT;
	mask &= all_cpus(t->k);
	long err = 0;
	pthread_mutex_lock(&t->k->ts_lock);
	struct thread_group *tg = target_locked(t, pid);
	struct task *leader = tg ? TAILQ_FIRST(&tg->tasks) : NULL;
	const struct creds *c = t->creds;
	if (!tg)
		err = -ESRCH;
	else if (leader && leader->creds->uid != c->euid && leader->creds->euid != c->euid &&
		 !creds_has_cap(c, CAP_SYS_NICE))
		err = -EPERM;
	else if (!mask)
		err = -EINVAL;
	else
		tg->sched.affinity = mask == all_cpus(t->k) ? 0 : mask;
	/* The vDSO's getcpu answers from a copy in the process's [vvar]
	 * page (shared with a vfork child: the child's mask shows there
	 * until it execs). */
	struct mm *mm = !err && leader ? leader->mm : NULL;
	if (mm)
		mm_grab(mm);
	pthread_mutex_unlock(&t->k->ts_lock);
	if (mm) {
		vdso_set_affinity(mm, mask);
		mm_drop(mm);
	}
	return err;
}

/* getcpu: the host CPU the caller last ran on, folded into its affinity
 * mask among the sandbox's CPUs; NUMA node 0. */
long sys_getcpu(struct task *t, const struct syscall_args *a)
{
	pthread_mutex_lock(&t->k->ts_lock);
	uint64_t mask = tg_affinity_locked(t->tg);
	pthread_mutex_unlock(&t->k->ts_lock);
	int host = sched_getcpu();
	unsigned cpu = host >= 0 ? (unsigned)host % t->k->ncpus : 0;
	if (!(mask >> cpu & 1))
		cpu = (unsigned)__builtin_ctzll(mask);
	unsigned node = 0;
	if (a->arg[0] && copy_out(t, a->arg[0], &cpu, sizeof(cpu)) < 0)
		return -EFAULT;
	if (a->arg[1] && copy_out(t, a->arg[1], &node, sizeof(node)) < 0)
		return -EFAULT;
	return 0;
}

/* personality: 0xffffffff queries; anything else is recorded and the
 * old value returned. Only PER_LINUX behaviour exists: flags such as
 * ADDR_NO_RANDOMIZE are accepted and kept (cvisor's layout does not
 * randomize anyway). */
long sys_personality(struct task *t, const struct syscall_args *a)
{
	unsigned persona = (unsigned)a->arg[0];
	pthread_mutex_lock(&t->k->ts_lock);
	unsigned old = t->tg->personality;
	if (persona != 0xffffffff)
		t->tg->personality = persona;
	pthread_mutex_unlock(&t->k->ts_lock);
	return old;
}
