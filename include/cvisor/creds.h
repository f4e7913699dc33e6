/* Credentials, Linux style: immutable once published, shared by reference;
 * a change makes a new copy. */
#ifndef CVISOR_CREDS_H
#define CVISOR_CREDS_H

#include <linux/capability.h>
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
	uint64_t cap_effective, cap_permitted, cap_inheritable, cap_bounding, cap_ambient;
	unsigned securebits;		/* SECBIT_* of <linux/securebits.h> */
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

/* Every capability this kernel knows (CAP_LAST_CAP from the uapi). */
#define CAP_FULL_SET ((1ULL << (CAP_LAST_CAP + 1)) - 1)

/* How NEW's ids came to differ from OLD's, for creds_fix_setuid: as the
 * LSM_SETID_* of Linux's security_task_fix_setuid. */
enum creds_setid { CREDS_SETID_ID, CREDS_SETID_RE, CREDS_SETID_RES, CREDS_SETID_FS };
/* Adjusts NEW's capabilities after a uid change, as commoncap's
 * cap_task_fix_setuid: leaving uid 0 (in every id) drops the permitted
 * and effective sets unless SECBIT_KEEP_CAPS, and the ambient set; a
 * euid leaving 0 drops the effective set, one becoming 0 restores it
 * from the permitted; an fsuid change moves the filesystem capabilities.
 * SECBIT_NO_SETUID_FIXUP turns it all off. */
void creds_fix_setuid(struct creds *new, const struct creds *old, enum creds_setid how);
/* The credentials after an execve of a file without capabilities or
 * set-id bits (cap_bprm_creds_from_file): a process with uid or euid 0
 * gets its bounding set (and inheritable), everyone the ambient set;
 * SECBIT_KEEP_CAPS is cleared. A new reference. */
struct creds *creds_exec(const struct creds *old);

#endif
