/* Credentials, Linux style: immutable once published, shared by reference;
 * a change makes a new copy. */
#ifndef CVISOR_CREDS_H
#define CVISOR_CREDS_H

#include <stdint.h>
#include <sys/types.h>

struct user_ns;

#define CREDS_MAX_GROUPS 65536

struct creds {
	_Atomic int refs;
	uid_t uid, euid, suid, fsuid;
	gid_t gid, egid, sgid, fsgid;
	int ngroups;
	gid_t *groups;
	uint64_t cap_effective, cap_permitted, cap_inheritable, cap_bounding;
	struct user_ns *user_ns;
};

/* Root in the sandbox's user namespace with every capability. */
struct creds *creds_new_root(struct user_ns *ns);
struct creds *creds_new_user(struct user_ns *ns, uid_t uid, gid_t gid);
/* A private, unshared copy of C to modify before publishing. */
struct creds *creds_copy(const struct creds *c);
struct creds *creds_get(struct creds *c);
void creds_put(struct creds *c);
/* CAP_* from <linux/capability.h> in the effective set. */
int creds_has_cap(const struct creds *c, int cap);
int creds_in_group(const struct creds *c, gid_t gid);

#endif
