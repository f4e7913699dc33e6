#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "cvisor/creds.h"
#include "cvisor/util.h"

struct creds *creds_new_user(struct user_ns *ns, uid_t uid, gid_t gid)
{
	struct creds *c = xzalloc(sizeof(*c));
	c->refs = 1;
	c->uid = c->euid = c->suid = c->fsuid = uid;
	c->gid = c->egid = c->sgid = c->fsgid = gid;
	c->cap_bounding = CAP_FULL_SET;
	/* Root gets every capability within its user namespace, as execve
	 * gives a uid-0 process in Linux. */
	if (uid == 0)
		c->cap_effective = c->cap_permitted = CAP_FULL_SET;
	c->user_ns = ns;
	return c;
}

struct creds *creds_new_root(struct user_ns *ns)
{
	return creds_new_user(ns, 0, 0);
}

struct creds *creds_copy(const struct creds *c)
{
	struct creds *n = xmalloc(sizeof(*n));
	*n = *c;
	n->refs = 1;
	if (c->ngroups) {
		n->groups = xmalloc((size_t)c->ngroups * sizeof(gid_t));
		memcpy(n->groups, c->groups, (size_t)c->ngroups * sizeof(gid_t));
	}
	return n;
}

struct creds *creds_get(struct creds *c)
{
	c->refs++;
	return c;
}

void creds_put(struct creds *c)
{
	if (--c->refs > 0)
		return;
	free(c->groups);
	free(c);
}

int creds_has_cap(const struct creds *c, int cap)
{
	return cap >= 0 && cap <= CAP_LAST_CAP && (c->cap_effective >> cap) & 1;
}

int creds_in_group(const struct creds *c, gid_t gid)
{
	if (c->fsgid == gid)
		return 1;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return 1;
	return 0;
}

/* CAP_FS_SET of Linux's capability.h: what fsuid 0 brings. */
#define CAP_FS_SET                                                                    \
	(1ULL << CAP_CHOWN | 1ULL << CAP_MKNOD | 1ULL << CAP_DAC_OVERRIDE |              \
	 1ULL << CAP_DAC_READ_SEARCH | 1ULL << CAP_FOWNER | 1ULL << CAP_FSETID |          \
	 1ULL << CAP_MAC_OVERRIDE)

void creds_fix_setuid(struct creds *new, const struct creds *old, enum creds_setid how)
{
	if (old->securebits & SECBIT_NO_SETUID_FIXUP)
		return;
	if (how == CREDS_SETID_FS) {
		if (old->fsuid == 0 && new->fsuid != 0)
			new->cap_effective &= ~CAP_FS_SET;
		if (old->fsuid != 0 && new->fsuid == 0)
			new->cap_effective |= new->cap_permitted & CAP_FS_SET;
		return;
	}
	/* cap_emulate_setxuid */
	if ((old->uid == 0 || old->euid == 0 || old->suid == 0) &&
	    new->uid != 0 && new->euid != 0 && new->suid != 0) {
		if (!(old->securebits & SECBIT_KEEP_CAPS))
			new->cap_permitted = new->cap_effective = 0;
		new->cap_ambient = 0;
	}
	if (old->euid == 0 && new->euid != 0)
		new->cap_effective = 0;
	if (old->euid != 0 && new->euid == 0)
		new->cap_effective = new->cap_permitted;
}

struct creds *creds_exec(const struct creds *old)
{
	struct creds *new = creds_copy(old);
	bool root = !(old->securebits & SECBIT_NOROOT) && (old->uid == 0 || old->euid == 0);
	new->cap_permitted = root ? old->cap_bounding | old->cap_inheritable : 0;
	new->cap_permitted = (new->cap_permitted | new->cap_ambient) & CAP_FULL_SET;
	new->cap_effective = root && old->euid == 0 ? new->cap_permitted : new->cap_ambient;
	new->suid = new->fsuid = new->euid;
	new->sgid = new->fsgid = new->egid;
	new->securebits &= ~SECBIT_KEEP_CAPS;
	return new;
}
