/* Process identity, limits and system information. */
#include <asm/prctl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <signal.h>

#include "cvisor/creds.h"
#include "cvisor/kernel.h"
#include "cvisor/mm.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

long sys_exit(struct task *t, const struct syscall_args *a)
{
	task_exit_thread(t, ((int)a->arg[0] & 0xff) << 8);
	return 0;
}

long sys_exit_group(struct task *t, const struct syscall_args *a)
{
	task_exit_group(t, ((int)a->arg[0] & 0xff) << 8);
	return 0;
}

long sys_clone(struct task *t, const struct syscall_args *a)
{
	/* x86-64 order: flags, stack, parent_tid, child_tid, tls. The
	 * flags are an int; their low byte is the exit signal. */
	uint32_t flags = (uint32_t)a->arg[0];
	struct clone_request req = { .flags = flags & ~CSIGNAL, .exit_signal = flags & CSIGNAL,
				     .stack = a->arg[1], .parent_tid = a->arg[2],
				     .child_tid = a->arg[3], .tls = a->arg[4] };
	/* CLONE_PIDFD's fd goes where parent_tid points. */
	if (flags & CLONE_PIDFD)
		req.pidfd = req.parent_tid;
	return task_clone(t, &req);
}

/* The highest user address plus one (TASK_SIZE_MAX). */
#define USER_ADDR_END 0x7ffffffff000ULL

/* copy_struct_from_user: a struct the application may know in an older
 * (shorter) or newer (longer, then zero past ours) version. */
static int copy_struct_in(struct task *t, void *dst, size_t ksize, uaddr_t src, size_t usize)
{
	memset(dst, 0, ksize);
	if (copy_in(t, dst, src, MIN(usize, ksize)) < 0)
		return -EFAULT;
	for (size_t off = ksize; off < usize;) {
		char rest[256];
		size_t n = MIN(usize - off, sizeof(rest));
		if (copy_in(t, rest, src + off, n) < 0)
			return -EFAULT;
		for (size_t i = 0; i < n; i++)
			if (rest[i])
				return -E2BIG;
		off += n;
	}
	return 0;
}

/* clone3: Linux's copy_clone_args_from_user and clone3_args_valid. */
long sys_clone3(struct task *t, const struct syscall_args *a)
{
	size_t usize = a->arg[1];
	struct clone_args args;

	if (usize > PAGE_SIZE)
		return -E2BIG;
	if (usize < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	int ret = copy_struct_in(t, &args, sizeof(args), a->arg[0], usize);
	if (ret < 0)
		return ret;
	/* set_tid names a pid for each PID namespace level, the caller's
	 * first: MAX_PID_NS_LEVEL at most. */
	if (args.set_tid_size > 32 || (!args.set_tid) != (!args.set_tid_size))
		return -EINVAL;
	if (args.exit_signal > NSIG_K)
		return -EINVAL;
	if ((args.flags & CLONE_INTO_CGROUP) &&
	    (args.cgroup > INT32_MAX || usize < CLONE_ARGS_SIZE_VER2))
		return -EINVAL;
	pid_t set_tid[32];
	if (args.set_tid &&
	    copy_in(t, set_tid, args.set_tid, args.set_tid_size * sizeof(pid_t)) < 0)
		return -EFAULT;

	/* No unknown flags; CLONE_DETACHED and the exit signal's bits are
	 * not flags here (CLONE_NEWTIME, among them, is). */
	if (args.flags & ~((uint64_t)UINT32_MAX | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP))
		return -EINVAL;
	if (args.flags & (CLONE_DETACHED | (CSIGNAL & ~CLONE_NEWTIME)))
		return -EINVAL;
	if ((args.flags & CLONE_SIGHAND) && (args.flags & CLONE_CLEAR_SIGHAND))
		return -EINVAL;
	if ((args.flags & (CLONE_THREAD | CLONE_PARENT)) && args.exit_signal)
		return -EINVAL;
	/* A stack is its lowest address and size; the child starts at its
	 * top. */
	if (!args.stack != !args.stack_size)
		return -EINVAL;
	if (args.stack && (args.stack_size > USER_ADDR_END || args.stack > USER_ADDR_END - args.stack_size))
		return -EINVAL;
	/* The sandbox has one PID namespace: one pid to name. */
	if (args.set_tid_size > 1)
		return -EINVAL;

	struct clone_request req = { .flags = args.flags, .exit_signal = (int)args.exit_signal,
				     .stack = args.stack ? args.stack + args.stack_size : 0,
				     .parent_tid = args.parent_tid, .child_tid = args.child_tid,
				     .pidfd = args.pidfd,
				     .tls = args.tls, .set_tid = args.set_tid ? set_tid[0] : 0 };
	if (args.set_tid && req.set_tid == 0)
		return -EINVAL;	/* alloc_pid: a pid is at least 1 */
	return task_clone(t, &req);
}

long sys_fork(struct task *t, const struct syscall_args *a)
{
	struct clone_request req = { .exit_signal = SIGCHLD };
	return task_clone(t, &req);
}

long sys_vfork(struct task *t, const struct syscall_args *a)
{
	struct clone_request req = { .flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD };
	return task_clone(t, &req);
}

long sys_getpid(struct task *t, const struct syscall_args *a)
{
	return task_tgid_nr(t, t->tg);
}

long sys_gettid(struct task *t, const struct syscall_args *a)
{
	return task_tid_nr(t, t);
}

long sys_getppid(struct task *t, const struct syscall_args *a)
{
	pthread_mutex_lock(&t->k->ts_lock);
	pid_t ppid = task_tgid_nr(t, t->tg->parent);
	pthread_mutex_unlock(&t->k->ts_lock);
	return ppid;
}

long sys_set_tid_address(struct task *t, const struct syscall_args *a)
{
	t->clear_child_tid = a->arg[0];
	return task_tid_nr(t, t);
}

long sys_arch_prctl(struct task *t, const struct syscall_args *a)
{
	int code = (int)a->arg[0];
	uint64_t addr = a->arg[1];

	switch (code) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		/* The base must be a canonical user address. */
		if (addr >= ARCH_APP_TOP + ARCH_STUB_SIZE + (1ULL << 40))
			return -EPERM;
		if (code == ARCH_SET_FS)
			t->regs.r.fs_base = addr;
		else
			t->regs.r.gs_base = addr;
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS: {
		uint64_t v = code == ARCH_GET_FS ? t->regs.r.fs_base : t->regs.r.gs_base;
		return copy_out(t, addr, &v, sizeof(v));
	}
	default:
		return -EINVAL;
	}
}

long sys_uname(struct task *t, const struct syscall_args *a)
{
	struct utsname u;
	memset(&u, 0, sizeof(u));
	strcpy(u.sysname, "Linux");
	pthread_mutex_lock(&t->utsns->lock);
	strcpy(u.nodename, t->utsns->hostname);
	strcpy(u.domainname, t->utsns->domainname);
	pthread_mutex_unlock(&t->utsns->lock);
	strcpy(u.release, CVISOR_UTS_RELEASE);
	strcpy(u.version, CVISOR_UTS_VERSION);
	strcpy(u.machine, "x86_64");
	return copy_out(t, a->arg[0], &u, sizeof(u));
}

/* sethostname/setdomainname: the sandbox's UTS namespace only. */
static long set_uts_name(struct task *t, const struct syscall_args *a, bool domain)
{
	int64_t len = (int64_t)a->arg[1];
	char name[65];
	if (len < 0 || len > 64)
		return -EINVAL;
	if (!creds_has_cap(t->creds, CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_in(t, name, a->arg[0], (size_t)len) < 0)
		return -EFAULT;
	uts_set_name(t->utsns, domain, name, (size_t)len);
	return 0;
}

long sys_sethostname(struct task *t, const struct syscall_args *a)
{
	return set_uts_name(t, a, false);
}

long sys_setdomainname(struct task *t, const struct syscall_args *a)
{
	return set_uts_name(t, a, true);
}

/* Whether T may read or set TG's limits (check_prlimit_permission):
 * its own, a process whose ids all match the caller's real ones, or with
 * CAP_SYS_RESOURCE. ts_lock held. */
static bool may_prlimit_locked(struct task *t, struct thread_group *tg)
{
	if (tg == t->tg)
		return true;
	struct task *leader = TAILQ_FIRST(&tg->tasks);
	const struct creds *c = t->creds, *tc = leader ? leader->creds : NULL;
	if (tc && c->uid == tc->euid && c->uid == tc->suid && c->uid == tc->uid &&
	    c->gid == tc->egid && c->gid == tc->sgid && c->gid == tc->gid)
		return true;
	return creds_has_cap(c, CAP_SYS_RESOURCE);
}

/* Linux's rule for setting a limit: soft <= hard, and raising the hard
 * limit needs CAP_SYS_RESOURCE. PID 0 is the caller's process. */
static int do_prlimit(struct task *t, pid_t pid, unsigned resource, const struct rlimit *new,
		      struct rlimit *old)
{
	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (new && new->rlim_cur > new->rlim_max)
		return -EINVAL;
	int ret = 0;
	struct mm *mm = NULL;
	pthread_mutex_lock(&t->k->ts_lock);
	struct thread_group *tg = pid == 0 ? t->tg : pid > 0 ? tg_lookup_locked(t, pid) : NULL;
	if (!tg || tg->zombie) {
		ret = -ESRCH;
		goto out;
	}
	if (!may_prlimit_locked(t, tg)) {
		ret = -EPERM;
		goto out;
	}
	struct rlimit *cur = &tg->rlimits[resource];
	if (old)
		*old = *cur;
	if (new) {
		if (new->rlim_max > cur->rlim_max && !creds_has_cap(t->creds, CAP_SYS_RESOURCE))
			ret = -EPERM;
		else if (resource == RLIMIT_NOFILE && new->rlim_max > (1 << 20))
			ret = -EPERM;	/* fs.nr_open */
		else
			*cur = *new;
		if (!ret && resource == RLIMIT_CPU && new->rlim_cur != RLIM_INFINITY)
			cpu_ticker_kick_locked(t->k);
	}
	/* The limit a growing stack checks lives in the address space. */
	struct task *leader = TAILQ_FIRST(&tg->tasks);
	if (new && !ret && resource == RLIMIT_STACK && leader && (mm = leader->mm))
		mm_grab(mm);
out:
	pthread_mutex_unlock(&t->k->ts_lock);
	if (mm) {
		mm_set_stack_limit(mm, new->rlim_cur);
		mm_drop(mm);
	}
	return ret;
}

long sys_prlimit64(struct task *t, const struct syscall_args *a)
{
	pid_t pid = (pid_t)a->arg[0];
	struct rlimit new, old;
	if (a->arg[2] && copy_in(t, &new, a->arg[2], sizeof(new)) < 0)
		return -EFAULT;
	int ret = do_prlimit(t, pid, (unsigned)a->arg[1], a->arg[2] ? &new : NULL, &old);
	if (ret == 0 && a->arg[3] && copy_out(t, a->arg[3], &old, sizeof(old)) < 0)
		return -EFAULT;
	return ret;
}

long sys_getrlimit(struct task *t, const struct syscall_args *a)
{
	struct rlimit old;
	int ret = do_prlimit(t, 0, (unsigned)a->arg[0], NULL, &old);
	if (ret == 0 && copy_out(t, a->arg[1], &old, sizeof(old)) < 0)
		return -EFAULT;
	return ret;
}

long sys_setrlimit(struct task *t, const struct syscall_args *a)
{
	struct rlimit new;
	if (copy_in(t, &new, a->arg[1], sizeof(new)) < 0)
		return -EFAULT;
	return do_prlimit(t, 0, (unsigned)a->arg[0], &new, NULL);
}

long sys_sched_yield(struct task *t, const struct syscall_args *a)
{
	sched_yield();
	return 0;
}

long sys_sysinfo(struct task *t, const struct syscall_args *a)
{
	struct sysinfo si;
	memset(&si, 0, sizeof(si));
	struct kernel *k = t->k;
	si.uptime = (kernel_monotonic_ns(k) - k->tk.boot_mono_ns) / 1000000000 + 1;
	si.totalram = k->mf.limit;
	pthread_mutex_lock(&k->mf.lock);
	si.freeram = k->mf.limit - MIN(k->mf.limit, k->mf.in_use);
	pthread_mutex_unlock(&k->mf.lock);
	pthread_mutex_lock(&k->ts_lock);
	si.procs = (unsigned short)k->nr_tasks;
	pthread_mutex_unlock(&k->ts_lock);
	si.mem_unit = 1;
	return copy_out(t, a->arg[0], &si, sizeof(si));
}

long sys_getrandom(struct task *t, const struct syscall_args *a)
{
	unsigned flags = (unsigned)a->arg[2];
	if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_RANDOM) && (flags & GRND_INSECURE))
		return -EINVAL;
	size_t len = MIN(a->arg[1], (size_t)33554431);	/* Linux's per-call cap */
	uint8_t buf[4096];
	size_t done = 0;
	while (done < len) {
		size_t n = MIN(len - done, sizeof(buf));
		if (getrandom(buf, n, 0) != (ssize_t)n)
			return done ? (long)done : -EAGAIN;
		if (copy_out(t, a->arg[0] + done, buf, n) < 0)
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}
