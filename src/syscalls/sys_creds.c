/* Reading and changing credentials. */
#include <linux/capability.h>
#include <stdlib.h>

#include "cvisor/creds.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

long sys_getuid(struct task *t, const struct syscall_args *a)
{
	return t->creds->uid;
}

long sys_geteuid(struct task *t, const struct syscall_args *a)
{
	return t->creds->euid;
}

long sys_getgid(struct task *t, const struct syscall_args *a)
{
	return t->creds->gid;
}

long sys_getegid(struct task *t, const struct syscall_args *a)
{
	return t->creds->egid;
}

static long put_three(struct task *t, const struct syscall_args *a, uint32_t x, uint32_t y,
		      uint32_t z)
{
	if (copy_out(t, a->arg[0], &x, 4) < 0 || copy_out(t, a->arg[1], &y, 4) < 0 ||
	    copy_out(t, a->arg[2], &z, 4) < 0)
		return -EFAULT;
	return 0;
}

long sys_getresuid(struct task *t, const struct syscall_args *a)
{
	const struct creds *c = t->creds;
	return put_three(t, a, c->uid, c->euid, c->suid);
}

long sys_getresgid(struct task *t, const struct syscall_args *a)
{
	const struct creds *c = t->creds;
	return put_three(t, a, c->gid, c->egid, c->sgid);
}

long sys_getgroups(struct task *t, const struct syscall_args *a)
{
	int size = (int)a->arg[0];
	const struct creds *c = t->creds;
	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return c->ngroups;
	if (size < c->ngroups)
		return -EINVAL;
	if (copy_out(t, a->arg[1], c->groups, (size_t)c->ngroups * sizeof(gid_t)) < 0)
		return -EFAULT;
	return c->ngroups;
}

long sys_setgroups(struct task *t, const struct syscall_args *a)
{
	int size = (int)a->arg[0];
	if (size < 0 || size > CREDS_MAX_GROUPS)
		return -EINVAL;
	if (!creds_has_cap(t->creds, CAP_SETGID))
		return -EPERM;
	gid_t *groups = size ? xmalloc((size_t)size * sizeof(gid_t)) : NULL;
	if (size && copy_in(t, groups, a->arg[1], (size_t)size * sizeof(gid_t)) < 0) {
		free(groups);
		return -EFAULT;
	}
	struct creds *c = creds_copy(t->creds);
	free(c->groups);
	c->groups = groups;
	c->ngroups = size;
	task_set_creds(t, c);
	return 0;
}
