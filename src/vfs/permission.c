/* Permission checks by mode bits, as Linux's generic_permission and
 * capable_wrt_inode_uidgid (one user namespace). */
#include <linux/capability.h>

#include "cvisor/creds.h"
#include "cvisor/vfs.h"
#include "vfs_internal.h"

bool vfs_capable(const struct creds *cr, int cap)
{
	return !cr || creds_has_cap(cr, cap);
}

bool inode_owner_or_capable(const struct creds *cr, struct inode *inode)
{
	return !cr || cr->fsuid == inode->uid || creds_has_cap(cr, CAP_FOWNER);
}

static int mode_permission(const struct creds *cr, mode_t mode, uid_t uid, gid_t gid,
			   int mask)
{
	unsigned bits;

	if (cr->fsuid == uid)
		bits = (mode >> 6) & 7;
	else if (creds_in_group(cr, gid))
		bits = (mode >> 3) & 7;
	else
		bits = mode & 7;
	return (mask & ~bits) ? -EACCES : 0;
}

int inode_permission(const struct creds *cr, struct inode *inode, int mask)
{
	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if (!cr || !mask)
		return 0;
	/* Read without the inode lock, which callers often hold (as Linux
	 * reads i_mode under no lock). */
	mode_t mode = __atomic_load_n(&inode->mode, __ATOMIC_RELAXED);
	uid_t uid = __atomic_load_n(&inode->uid, __ATOMIC_RELAXED);
	gid_t gid = __atomic_load_n(&inode->gid, __ATOMIC_RELAXED);

	if (mode_permission(cr, mode, uid, gid, mask) == 0)
		return 0;
	/* Directories: read and search are both bypassed by DAC override. */
	if (S_ISDIR(mode)) {
		if (creds_has_cap(cr, CAP_DAC_OVERRIDE))
			return 0;
		if (!(mask & MAY_WRITE) && creds_has_cap(cr, CAP_DAC_READ_SEARCH))
			return 0;
		return -EACCES;
	}
	/* Files: DAC override grants exec only if some x bit is set. */
	if (!(mask & MAY_EXEC) || (mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
		if (creds_has_cap(cr, CAP_DAC_OVERRIDE))
			return 0;
	if (mask == MAY_READ && creds_has_cap(cr, CAP_DAC_READ_SEARCH))
		return 0;
	return -EACCES;
}

int may_delete(const struct creds *cr, struct inode *dir, struct inode *victim)
{
	int err = inode_permission(cr, dir, MAY_WRITE | MAY_EXEC);
	if (err)
		return err;
	if ((dir->mode & S_ISVTX) && cr && cr->fsuid != dir->uid && cr->fsuid != victim->uid &&
	    !creds_has_cap(cr, CAP_FOWNER))
		return -EPERM;
	return 0;
}
