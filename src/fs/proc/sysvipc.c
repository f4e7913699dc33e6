/* /proc/sysvipc/{shm,sem,msg} and the IPC limits in /proc/sys/kernel, for
 * the IPC namespace of the reader (Linux's ipc/util.c sysvipc_proc and
 * ipc/ipc_sysctl.c). The limits are read-only here. */
#include "cvisor/ipc.h"
#include "proc_internal.h"

enum ipc_file { IPC_SHM, IPC_SEM, IPC_MSG, SHMMAX_F, SHMALL_F, SHMMNI_F, SEM_F, MSGMAX_F,
		MSGMNB_F, MSGMNI_F };

static int show_ipc(void *arg, struct kernfs_buf *b)
{
	struct task *t = current_task;
	if (!t)
		return -ESRCH;
	struct ipc_ns *ns = task_ipc_ns(t);
	switch ((enum ipc_file)(uintptr_t)arg) {
	case IPC_SHM:
		shm_proc_show(ns, b);
		break;
	case IPC_SEM:
		sem_proc_show(ns, b);
		break;
	case IPC_MSG:
		msg_proc_show(ns, b);
		break;
	case SHMMAX_F:
		kernfs_printf(b, "%llu\n", (unsigned long long)ns->shm_ctlmax);
		break;
	case SHMALL_F:
		kernfs_printf(b, "%llu\n", (unsigned long long)ns->shm_ctlall);
		break;
	case SHMMNI_F:
		kernfs_printf(b, "%d\n", ns->shm_ctlmni);
		break;
	case SEM_F:
		kernfs_printf(b, "%d\t%d\t%d\t%d\n", ns->sem_ctls[0], ns->sem_ctls[1],
			      ns->sem_ctls[2], ns->sem_ctls[3]);
		break;
	case MSGMAX_F:
		kernfs_printf(b, "%d\n", ns->msg_ctlmax);
		break;
	case MSGMNB_F:
		kernfs_printf(b, "%d\n", ns->msg_ctlmnb);
		break;
	case MSGMNI_F:
		kernfs_printf(b, "%d\n", ns->msg_ctlmni);
		break;
	}
	return 0;
}

void proc_add_ipc_files(struct inode *root, struct inode *sys_kernel)
{
	static const struct {
		const char *name;
		enum ipc_file which;
	} limits[] = {
		{ "shmmax", SHMMAX_F }, { "shmall", SHMALL_F }, { "shmmni", SHMMNI_F },
		{ "sem", SEM_F },	{ "msgmax", MSGMAX_F }, { "msgmnb", MSGMNB_F },
		{ "msgmni", MSGMNI_F },
	};
	struct inode *dir = kernfs_add_dir(root, "sysvipc", 0555);
	kernfs_add_file(dir, "shm", 0444, show_ipc, (void *)(uintptr_t)IPC_SHM);
	kernfs_add_file(dir, "sem", 0444, show_ipc, (void *)(uintptr_t)IPC_SEM);
	kernfs_add_file(dir, "msg", 0444, show_ipc, (void *)(uintptr_t)IPC_MSG);
	for (size_t i = 0; i < ARRAY_SIZE(limits); i++)
		kernfs_add_file(sys_kernel, limits[i].name, 0644, show_ipc,
				(void *)(uintptr_t)limits[i].which);
}
