/* prctl: the operations on the calling process that programs use. */
#include <linux/capability.h>
#include <linux/prctl.h>
#include <string.h>

#include "cvisor/creds.h"
#include "cvisor/kernel.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

long sys_prctl(struct task *t, const struct syscall_args *a)
{
	int option = (int)a->arg[0];
	uint64_t arg2 = a->arg[1];
	char name[16];

	switch (option) {
	case PR_SET_NAME: {
		long n = copy_in_string(t, name, arg2, sizeof(name));
		if (n == -EFAULT)
			return -EFAULT;
		if (n < 0) {	/* longer names are truncated, as Linux does */
			if (copy_in(t, name, arg2, sizeof(name) - 1) < 0)
				return -EFAULT;
			name[sizeof(name) - 1] = '\0';
		}
		pthread_mutex_lock(&t->k->ts_lock);
		memcpy(t->comm, name, sizeof(t->comm));
		pthread_mutex_unlock(&t->k->ts_lock);
		return 0;
	}
	case PR_GET_NAME:
		pthread_mutex_lock(&t->k->ts_lock);
		memcpy(name, t->comm, sizeof(name));
		pthread_mutex_unlock(&t->k->ts_lock);
		return copy_out(t, arg2, name, sizeof(name));
	case PR_GET_DUMPABLE:
		return t->tg->dumpable;
	case PR_SET_DUMPABLE:
		if (arg2 > 1)
			return -EINVAL;
		t->tg->dumpable = (int)arg2;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		return t->no_new_privs;
	case PR_SET_NO_NEW_PRIVS:
		if (arg2 != 1 || a->arg[2] || a->arg[3] || a->arg[4])
			return -EINVAL;
		t->no_new_privs = true;
		return 0;
	case PR_GET_PDEATHSIG:
		return copy_out(t, arg2, &t->pdeath_signal, sizeof(int));
	case PR_SET_PDEATHSIG:
		if (arg2 > 64)
			return -EINVAL;
		t->pdeath_signal = (int)arg2;
		return 0;
	case PR_SET_CHILD_SUBREAPER:
		pthread_mutex_lock(&t->k->ts_lock);
		t->tg->is_child_subreaper = arg2 != 0;
		pthread_mutex_unlock(&t->k->ts_lock);
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		pthread_mutex_lock(&t->k->ts_lock);
		int subreaper = t->tg->is_child_subreaper;
		pthread_mutex_unlock(&t->k->ts_lock);
		return copy_out(t, arg2, &subreaper, sizeof(subreaper));
	}
	case PR_GET_SECCOMP:
		return 0;
	case PR_CAPBSET_READ:
		if (arg2 > CAP_LAST_CAP)
			return -EINVAL;
		return (t->creds->cap_bounding >> arg2) & 1;
	case PR_GET_KEEPCAPS:
		return 0;
	default:
		return -EINVAL;
	}
}
