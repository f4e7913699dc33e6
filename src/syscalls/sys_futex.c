/* futex, set_robust_list, get_robust_list. */
#include <linux/futex.h>

#include "cvisor/futex.h"
#include "cvisor/kernel.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

static long futex_wait_restart(struct task *t);

/* A timeout argument as a host monotonic deadline: relative (FUTEX_WAIT)
 * or absolute on CLOCK (WAIT_BITSET, LOCK_PI). */
static int deadline_in(struct task *t, uaddr_t uts, bool absolute, clockid_t clock,
		       int64_t *deadline)
{
	struct timespec ts;
	int64_t ns;
	*deadline = -1;
	if (!uts)
		return 0;
	if (copy_in(t, &ts, uts, sizeof(ts)) < 0)
		return -EFAULT;
	if (timespec_to_ns(&ts, &ns) < 0)
		return -EINVAL;
	if (absolute) {
		int64_t now = clock == CLOCK_REALTIME ? kernel_realtime_ns(t->k)
						      : kernel_monotonic_ns(t->k);
		ns = MAX(ns - now, 0);
	}
	*deadline = host_monotonic_ns() + ns;
	return 0;
}

/* An interrupted wait: restarted as it was if it had no timeout, else
 * continued to the same deadline through restart_syscall (Linux's
 * futex_wait_restart). */
static long wait_interrupted(struct task *t, uaddr_t uaddr, bool private, uint32_t val,
			     uint32_t bitset, int64_t deadline)
{
	if (deadline < 0)
		return -ERESTARTSYS;
	t->restart.fn = futex_wait_restart;
	t->restart.futex = (struct restart_futex){ .uaddr = uaddr, .val = val, .bitset = bitset,
						   .deadline = deadline, .private = private };
	return -ERESTART_RESTARTBLOCK;
}

static long do_wait(struct task *t, uaddr_t uaddr, bool private, uint32_t val, uint32_t bitset,
		    int64_t deadline)
{
	long ret = futex_wait(t, uaddr, private, val, bitset, deadline);
	if (ret == -EINTR)
		return wait_interrupted(t, uaddr, private, val, bitset, deadline);
	return ret;
}

static long futex_wait_restart(struct task *t)
{
	struct restart_futex r = t->restart.futex;
	return do_wait(t, r.uaddr, r.private, r.val, r.bitset, r.deadline);
}

long sys_futex(struct task *t, const struct syscall_args *a)
{
	uaddr_t uaddr = a->arg[0], uaddr2 = a->arg[4];
	int op = (int)a->arg[1];
	uint32_t val = (uint32_t)a->arg[2], val3 = (uint32_t)a->arg[5];
	int cmd = op & FUTEX_CMD_MASK;
	bool private = op & FUTEX_PRIVATE_FLAG;
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	clockid_t clock = realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC;
	/* For the requeue and wake-op commands the timeout slot is a count. */
	int val2 = (int)a->arg[3];
	int64_t deadline;
	long ret;

	if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_LOCK_PI2)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (cmd == FUTEX_WAIT_BITSET && !val3)
			return -EINVAL;
		if ((ret = deadline_in(t, a->arg[3], cmd == FUTEX_WAIT_BITSET, clock, &deadline)))
			return ret;
		return do_wait(t, uaddr, private, val,
			       cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3, deadline);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE_BITSET && !val3)
			return -EINVAL;
		return futex_wake(t, uaddr, private, (int)val,
				  cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3);
	case FUTEX_REQUEUE:
		return futex_requeue(t, uaddr, uaddr2, private, (int)val, val2, NULL);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(t, uaddr, uaddr2, private, (int)val, val2, &val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(t, uaddr, uaddr2, private, (int)val, val2, val3);
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
	case FUTEX_TRYLOCK_PI:
		/* LOCK_PI's timeout is on CLOCK_REALTIME; LOCK_PI2's on the
		 * clock the flag picks. */
		if ((ret = deadline_in(t, cmd == FUTEX_TRYLOCK_PI ? 0 : a->arg[3], true,
				       cmd == FUTEX_LOCK_PI ? CLOCK_REALTIME : clock, &deadline)))
			return ret;
		ret = futex_lock_pi(t, uaddr, private, cmd == FUTEX_TRYLOCK_PI, deadline);
		return ret == -EINTR ? -ERESTARTNOINTR : ret;
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(t, uaddr, private);
	}
	return -ENOSYS;
}

long sys_set_robust_list(struct task *t, const struct syscall_args *a)
{
	if (a->arg[1] != sizeof(struct robust_list_head))
		return -EINVAL;
	t->robust_list = a->arg[0];
	return 0;
}

long sys_get_robust_list(struct task *t, const struct syscall_args *a)
{
	pid_t pid = (pid_t)a->arg[0];
	uint64_t head, len = sizeof(struct robust_list_head);
	pthread_mutex_lock(&t->k->ts_lock);
	struct task *target = pid ? task_lookup_locked(t, pid) : t;
	if (target)
		head = target->robust_list;
	pthread_mutex_unlock(&t->k->ts_lock);
	if (!target)
		return -ESRCH;
	if (copy_out(t, a->arg[2], &len, sizeof(len)) < 0 ||
	    copy_out(t, a->arg[1], &head, sizeof(head)) < 0)
		return -EFAULT;
	return 0;
}
