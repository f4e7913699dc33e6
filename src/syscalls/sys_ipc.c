/* System V IPC: shmget, shmat, shmdt, shmctl, semget, semop, semtimedop,
 * semctl, msgget, msgsnd, msgrcv, msgctl. Thin argument unpacking over
 * ipc/. */
#include <linux/ipc.h>
#include <linux/sem.h>
#include <stdlib.h>

#include "cvisor/ipc.h"
#include "cvisor/kernel.h"
#include "cvisor/mm.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

long sys_shmget(struct task *t, const struct syscall_args *a)
{
	return shm_get(t, (int)a->arg[0], a->arg[1], (int)a->arg[2]);
}

long sys_shmat(struct task *t, const struct syscall_args *a)
{
	return shm_attach(t, (int)a->arg[0], a->arg[1], (int)a->arg[2]);
}

long sys_shmdt(struct task *t, const struct syscall_args *a)
{
	return shm_detach(t, a->arg[0]);
}

long sys_shmctl(struct task *t, const struct syscall_args *a)
{
	return shm_ctl(t, (int)a->arg[0], (int)a->arg[1], a->arg[2]);
}

long sys_semget(struct task *t, const struct syscall_args *a)
{
	return sem_get(t, (int)a->arg[0], (int)a->arg[1], (int)a->arg[2]);
}

/* do_semtimedop's checks, in Linux's order; TIMEOUT 0 for none. */
static long do_semtimedop(struct task *t, int id, uaddr_t sops, unsigned nsops, uaddr_t timeout)
{
	struct ipc_ns *ns = task_ipc_ns(t);
	int64_t deadline = -1;

	if (nsops > (unsigned)ns->sem_ctls[2])
		return -E2BIG;
	if (nsops < 1)
		return -EINVAL;
	struct sembuf *ops = xmalloc(nsops * sizeof(*ops));
	long ret = mm_copy_in(t->mm, ops, sops, nsops * sizeof(*ops));
	if (!ret && timeout) {
		struct timespec ts;
		ret = mm_copy_in(t->mm, &ts, timeout, sizeof(ts));
		if (!ret && (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000))
			ret = -EINVAL;
		if (!ret)
			deadline = host_monotonic_ns() + MIN(ts.tv_sec, INT64_MAX / 2000000000) *
				   1000000000 + ts.tv_nsec;
	}
	if (!ret && id < 0)
		ret = -EINVAL;
	if (!ret)
		ret = sem_op(t, id, ops, nsops, deadline);
	free(ops);
	return ret;
}

long sys_semop(struct task *t, const struct syscall_args *a)
{
	return do_semtimedop(t, (int)a->arg[0], a->arg[1], (unsigned)a->arg[2], 0);
}

long sys_semtimedop(struct task *t, const struct syscall_args *a)
{
	return do_semtimedop(t, (int)a->arg[0], a->arg[1], (unsigned)a->arg[2], a->arg[3]);
}

long sys_semctl(struct task *t, const struct syscall_args *a)
{
	return sem_ctl(t, (int)a->arg[0], (int)a->arg[1], (int)a->arg[2], a->arg[3]);
}

long sys_msgget(struct task *t, const struct syscall_args *a)
{
	return msg_get(t, (int)a->arg[0], (int)a->arg[1]);
}

long sys_msgsnd(struct task *t, const struct syscall_args *a)
{
	return msg_send(t, (int)a->arg[0], a->arg[1], a->arg[2], (int)a->arg[3]);
}

long sys_msgrcv(struct task *t, const struct syscall_args *a)
{
	return msg_receive(t, (int)a->arg[0], a->arg[1], a->arg[2], (long)a->arg[3],
			   (int)a->arg[4]);
}

long sys_msgctl(struct task *t, const struct syscall_args *a)
{
	return msg_ctl(t, (int)a->arg[0], (int)a->arg[1], a->arg[2]);
}
