#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/creds.h"
#include "cvisor/util.h"

/* Every capability this kernel knows (CAP_LAST_CAP from the uapi). */
#define CAP_FULL_SET ((1ULL << (CAP_LAST_CAP + 1)) - 1)

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
