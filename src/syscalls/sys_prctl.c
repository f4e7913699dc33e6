/* prctl: the operations on the calling process that programs use. */
#include <linux/capability.h>
#include <linux/prctl.h>
#include <linux/securebits.h>
#include <string.h>

#include "cvisor/creds.h"
#include "cvisor/kernel.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

/* The capability operations (commoncap's cap_task_prctl). */
static long prctl_caps(struct task *t, int option, uint64_t arg2, uint64_t arg3, uint64_t arg4,
		       uint64_t arg5)
{
	const struct creds *old = t->creds;
	struct creds *new;
	switch (option) {
	case PR_CAPBSET_DROP:
		if (!creds_has_cap(old, CAP_SETPCAP))
			return -EPERM;
		if (arg2 > CAP_LAST_CAP)
			return -EINVAL;
		new = creds_copy(old);
		new->cap_bounding &= ~(1ULL << arg2);
		break;
	case PR_SET_KEEPCAPS:
		if (arg2 > 1)
			return -EINVAL;
		if (old->securebits & SECBIT_KEEP_CAPS_LOCKED)
			return -EPERM;
		new = creds_copy(old);
		new->securebits = arg2 ? new->securebits | SECBIT_KEEP_CAPS
				       : new->securebits & ~SECBIT_KEEP_CAPS;
		break;
	case PR_SET_SECUREBITS:
		/* A locked bit may not change, a lock may not be released,
		 * only known bits, and only with CAP_SETPCAP. */
		if ((((old->securebits & SECURE_ALL_LOCKS) >> 1) & (old->securebits ^ arg2)) ||
		    (old->securebits & SECURE_ALL_LOCKS & ~arg2) ||
		    (arg2 & ~(uint64_t)(SECURE_ALL_LOCKS | SECURE_ALL_BITS)) ||
		    !creds_has_cap(old, CAP_SETPCAP))
			return -EPERM;
		new = creds_copy(old);
		new->securebits = (unsigned)arg2;
		break;
	default: /* PR_CAP_AMBIENT */
		if (arg3 > CAP_LAST_CAP || arg4 || arg5)
			return -EINVAL;
		if (arg2 == PR_CAP_AMBIENT_IS_SET)
			return (old->cap_ambient >> arg3) & 1;
		if (arg2 == PR_CAP_AMBIENT_CLEAR_ALL) {
			if (arg3)
				return -EINVAL;
			new = creds_copy(old);
			new->cap_ambient = 0;
			break;
		}
		if (arg2 != PR_CAP_AMBIENT_RAISE && arg2 != PR_CAP_AMBIENT_LOWER)
			return -EINVAL;
		if (arg2 == PR_CAP_AMBIENT_RAISE &&
		    (!((old->cap_permitted & old->cap_inheritable) >> arg3 & 1) ||
		     (old->securebits & SECBIT_NO_CAP_AMBIENT_RAISE)))
			return -EPERM;
		new = creds_copy(old);
		if (arg2 == PR_CAP_AMBIENT_RAISE)
			new->cap_ambient |= 1ULL << arg3;
		else
			new->cap_ambient &= ~(1ULL << arg3);
		break;
	}
	task_set_creds(t, new);
	return 0;
}

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
		return !!(t->creds->securebits & SECBIT_KEEP_CAPS);
	case PR_GET_SECUREBITS:
		return t->creds->securebits;
	case PR_CAPBSET_DROP:
	case PR_SET_KEEPCAPS:
	case PR_SET_SECUREBITS:
	case PR_CAP_AMBIENT:
		return prctl_caps(t, option, arg2, a->arg[2], a->arg[3], a->arg[4]);
	default:
		return -EINVAL;
	}
}
