/* Reading and changing credentials. */
#include <linux/capability.h>
#include <stdlib.h>

#include "cvisor/creds.h"
#include "cvisor/kernel.h"
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

/* The set*id family, as kernel/sys.c: a change that stays within the
 * process's real, effective and saved ids is always allowed, any other
 * needs CAP_SETUID (CAP_SETGID for gids). (uid_t)-1 means "unchanged"
 * where the call takes several ids, and is EINVAL for setuid/setgid. */
#define ID_NONE ((uint32_t)-1)

static long commit(struct task *t, struct creds *new)
{
	task_set_creds(t, new);
	return 0;
}

static long refuse(struct creds *new)
{
	creds_put(new);
	return -EPERM;
}

long sys_setuid(struct task *t, const struct syscall_args *a)
{
	uid_t uid = (uid_t)a->arg[0];
	const struct creds *old = t->creds;
	if (uid == ID_NONE)
		return -EINVAL;
	struct creds *new = creds_copy(old);
	if (creds_has_cap(old, CAP_SETUID))
		new->uid = new->suid = uid;
	else if (uid != old->uid && uid != old->suid)
		return refuse(new);
	new->euid = new->fsuid = uid;
	creds_fix_setuid(new, old, CREDS_SETID_ID);
	return commit(t, new);
}

long sys_setgid(struct task *t, const struct syscall_args *a)
{
	gid_t gid = (gid_t)a->arg[0];
	const struct creds *old = t->creds;
	if (gid == ID_NONE)
		return -EINVAL;
	struct creds *new = creds_copy(old);
	if (creds_has_cap(old, CAP_SETGID))
		new->gid = new->sgid = gid;
	else if (gid != old->gid && gid != old->sgid)
		return refuse(new);
	new->egid = new->fsgid = gid;
	return commit(t, new);
}

/* setreuid/setregid: the real id may become the effective one, the
 * effective any of the three; the saved id follows the new effective id
 * when the real one is set or the effective one leaves the real. */
static long set_re(struct task *t, uint32_t r, uint32_t e, bool gids)
{
	const struct creds *old = t->creds;
	uint32_t o_r = gids ? old->gid : old->uid, o_e = gids ? old->egid : old->euid;
	uint32_t o_s = gids ? old->sgid : old->suid;
	bool capable = creds_has_cap(old, gids ? CAP_SETGID : CAP_SETUID);
	if (r != ID_NONE && r != o_r && r != o_e && !capable)
		return -EPERM;
	if (e != ID_NONE && e != o_r && e != o_e && e != o_s && !capable)
		return -EPERM;
	uint32_t n_r = r != ID_NONE ? r : o_r, n_e = e != ID_NONE ? e : o_e, n_s = o_s;
	if (r != ID_NONE || (e != ID_NONE && e != o_r))
		n_s = n_e;
	struct creds *new = creds_copy(old);
	if (gids) {
		new->gid = n_r, new->egid = n_e, new->sgid = n_s, new->fsgid = n_e;
	} else {
		new->uid = n_r, new->euid = n_e, new->suid = n_s, new->fsuid = n_e;
		creds_fix_setuid(new, old, CREDS_SETID_RE);
	}
	return commit(t, new);
}

long sys_setreuid(struct task *t, const struct syscall_args *a)
{
	return set_re(t, (uint32_t)a->arg[0], (uint32_t)a->arg[1], false);
}

long sys_setregid(struct task *t, const struct syscall_args *a)
{
	return set_re(t, (uint32_t)a->arg[0], (uint32_t)a->arg[1], true);
}

/* setresuid/setresgid: each id may become any of the current three. */
static long set_res(struct task *t, const uint32_t want[3], bool gids)
{
	const struct creds *old = t->creds;
	uint32_t cur[3] = { gids ? old->gid : old->uid, gids ? old->egid : old->euid,
			    gids ? old->sgid : old->suid };
	bool capable = creds_has_cap(old, gids ? CAP_SETGID : CAP_SETUID);
	uint32_t n[3];
	for (int i = 0; i < 3; i++) {
		if (want[i] != ID_NONE && want[i] != cur[0] && want[i] != cur[1] &&
		    want[i] != cur[2] && !capable)
			return -EPERM;
		n[i] = want[i] != ID_NONE ? want[i] : cur[i];
	}
	struct creds *new = creds_copy(old);
	if (gids) {
		new->gid = n[0], new->egid = n[1], new->sgid = n[2], new->fsgid = n[1];
	} else {
		new->uid = n[0], new->euid = n[1], new->suid = n[2], new->fsuid = n[1];
		creds_fix_setuid(new, old, CREDS_SETID_RES);
	}
	return commit(t, new);
}

long sys_setresuid(struct task *t, const struct syscall_args *a)
{
	uint32_t want[3] = { (uint32_t)a->arg[0], (uint32_t)a->arg[1], (uint32_t)a->arg[2] };
	return set_res(t, want, false);
}

long sys_setresgid(struct task *t, const struct syscall_args *a)
{
	uint32_t want[3] = { (uint32_t)a->arg[0], (uint32_t)a->arg[1], (uint32_t)a->arg[2] };
	return set_res(t, want, true);
}

/* setfsuid/setfsgid return the old fs id whether or not they change it:
 * the new one must be one of the four ids, or the caller capable. */
static long set_fs(struct task *t, uint32_t id, bool gids)
{
	const struct creds *old = t->creds;
	uint32_t o_fs = gids ? old->fsgid : old->fsuid;
	if (id == ID_NONE || id == o_fs)
		return o_fs;
	bool ok = gids ? id == old->gid || id == old->egid || id == old->sgid
		       : id == old->uid || id == old->euid || id == old->suid;
	if (!ok && !creds_has_cap(old, gids ? CAP_SETGID : CAP_SETUID))
		return o_fs;
	struct creds *new = creds_copy(old);
	if (gids) {
		new->fsgid = id;
	} else {
		new->fsuid = id;
		creds_fix_setuid(new, old, CREDS_SETID_FS);
	}
	task_set_creds(t, new);
	return o_fs;
}

long sys_setfsuid(struct task *t, const struct syscall_args *a)
{
	return set_fs(t, (uint32_t)a->arg[0], false);
}

long sys_setfsgid(struct task *t, const struct syscall_args *a)
{
	return set_fs(t, (uint32_t)a->arg[0], true);
}

/* capget/capset's header: an unknown version is EINVAL, and the version
 * the kernel prefers (3) is written back (cap_validate_magic). Version 1
 * carries 32 capabilities, 2 and 3 carry 64. Returns the number of data
 * structs, or -errno. */
static long cap_header(struct task *t, uaddr_t header, int *pid)
{
	struct __user_cap_header_struct h;
	if (copy_in(t, &h, header, sizeof(h)) < 0)
		return -EFAULT;
	*pid = h.pid;
	switch (h.version) {
	case _LINUX_CAPABILITY_VERSION_1:
		return _LINUX_CAPABILITY_U32S_1;
	case _LINUX_CAPABILITY_VERSION_2:
	case _LINUX_CAPABILITY_VERSION_3:
		return _LINUX_CAPABILITY_U32S_3;
	default:
		h.version = _LINUX_CAPABILITY_VERSION_3;
		if (copy_out(t, header, &h.version, sizeof(h.version)) < 0)
			return -EFAULT;
		return -EINVAL;
	}
}

long sys_capget(struct task *t, const struct syscall_args *a)
{
	int pid;
	long n = cap_header(t, a->arg[0], &pid);
	if (!a->arg[1] || n < 0)
		return !a->arg[1] && n == -EINVAL ? 0 : n;
	if (pid < 0)
		return -EINVAL;
	struct creds *c;
	if (pid == 0 || pid == task_tgid_nr(t, t->tg)) {
		c = creds_get(t->creds);
	} else {
		pthread_mutex_lock(&t->k->ts_lock);
		struct task *target = task_lookup_locked(t, pid);
		c = target ? creds_get(target->creds) : NULL;
		pthread_mutex_unlock(&t->k->ts_lock);
		if (!c)
			return -ESRCH;
	}
	struct __user_cap_data_struct d[2];
	for (int i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(c->cap_effective >> (32 * i));
		d[i].permitted = (uint32_t)(c->cap_permitted >> (32 * i));
		d[i].inheritable = (uint32_t)(c->cap_inheritable >> (32 * i));
	}
	creds_put(c);
	return copy_out(t, a->arg[1], d, (size_t)n * sizeof(d[0])) < 0 ? -EFAULT : 0;
}

/* capset (cap_capset): only the caller's own; the permitted set may only
 * shrink, the effective stay within it, the inheritable within the old
 * inheritable and permitted (unless CAP_SETPCAP) and the bounding set;
 * the ambient set keeps only what stays permitted and inheritable. */
long sys_capset(struct task *t, const struct syscall_args *a)
{
	int pid;
	long n = cap_header(t, a->arg[0], &pid);
	if (n < 0)
		return n;
	if (pid != 0 && pid != task_tgid_nr(t, t->tg))
		return -EPERM;
	struct __user_cap_data_struct d[2] = { { 0 } };
	if (copy_in(t, d, a->arg[1], (size_t)n * sizeof(d[0])) < 0)
		return -EFAULT;
	uint64_t eff = (d[0].effective | (uint64_t)d[1].effective << 32) & CAP_FULL_SET;
	uint64_t perm = (d[0].permitted | (uint64_t)d[1].permitted << 32) & CAP_FULL_SET;
	uint64_t inh = (d[0].inheritable | (uint64_t)d[1].inheritable << 32) & CAP_FULL_SET;
	const struct creds *old = t->creds;
	if (!creds_has_cap(old, CAP_SETPCAP) && (inh & ~(old->cap_inheritable | old->cap_permitted)))
		return -EPERM;
	if (inh & ~(old->cap_inheritable | old->cap_bounding))
		return -EPERM;
	if ((perm & ~old->cap_permitted) || (eff & ~perm))
		return -EPERM;
	struct creds *new = creds_copy(old);
	new->cap_effective = eff;
	new->cap_permitted = perm;
	new->cap_inheritable = inh;
	new->cap_ambient &= perm & inh;
	return commit(t, new);
}
