/* name_to_handle_at and open_by_handle_at (Linux's fs/fhandle.c). No
 * filesystem here exports file handles (Linux's s_export_op is NULL for
 * all of them), so both fail as Linux does on such a filesystem, after
 * the same argument checks: name_to_handle_at with EOPNOTSUPP once the
 * path is found (AT_HANDLE_FID's identifiers excepted), open_by_handle_at
 * with ESTALE once the handle is read. */
#include <fcntl.h>
#include <stddef.h>
#include <linux/capability.h>

#include "fs_util.h"

/* The handle's type may carry these flags (FILEID_IS_CONNECTABLE,
 * FILEID_IS_DIR of the kernel's exportfs.h, not in the uapi headers). */
#define FILEID_USER_FLAGS_MASK 0xffff0000u
#define FILEID_VALID_USER_FLAGS 0x00030000u

/* AT_HANDLE_FID (Linux 6.5, newer than the uapi headers here): a handle
 * that identifies the file and need not be decodable. */
#ifndef AT_HANDLE_FID
#define AT_HANDLE_FID 0x200
#endif
/* The type of a handle that did not fit (FILEID_INVALID). */
#define FILEID_INVALID 0xff

long sys_name_to_handle_at(struct task *t, const struct syscall_args *a)
{
	uaddr_t uhandle = a->arg[2], umnt = a->arg[3];
	int flags = (int)a->arg[4];
	struct path p;
	struct kstat st;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH | AT_HANDLE_FID))
		return -EINVAL;
	unsigned lflags = (flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0;
	if (flags & AT_EMPTY_PATH)
		lflags |= LOOKUP_EMPTY;
	int err = user_lookup_at(t, (int)a->arg[0], a->arg[1], lflags, &p);
	if (err)
		return err;
	/* do_sys_name_to_handle: the filesystem cannot encode decodable
	 * handles, only identifiers. */
	err = (flags & AT_HANDLE_FID) ? vfs_getattr(&p, &st) : -EOPNOTSUPP;
	path_put(&p);
	if (err)
		return err;
	struct {
		uint32_t handle_bytes;
		int32_t handle_type;
		unsigned char f_handle[VFS_FID_SIZE];
	} fh;
	if (copy_in(t, &fh, uhandle, offsetof(typeof(fh), f_handle)))
		return -EFAULT;
	if (fh.handle_bytes > MAX_HANDLE_SZ)
		return -EINVAL;
	/* The size is counted in 32-bit words; too small a one gets the
	 * size needed and EOVERFLOW. */
	size_t size = offsetof(typeof(fh), f_handle);
	long ret = 0;
	if (fh.handle_bytes / 4 * 4 < VFS_FID_SIZE) {
		fh.handle_type = FILEID_INVALID;
		ret = -EOVERFLOW;
	} else {
		fh.handle_type = VFS_FID_TYPE;
		vfs_encode_fid(st.ino, fh.f_handle);
		size = sizeof(fh);
	}
	fh.handle_bytes = VFS_FID_SIZE;
	int mnt_id = (int)st.mnt_id;
	if (copy_out(t, umnt, &mnt_id, sizeof(mnt_id)) || copy_out(t, uhandle, &fh, size))
		return -EFAULT;
	return ret;
}

long sys_open_by_handle_at(struct task *t, const struct syscall_args *a)
{
	int mountdirfd = (int)a->arg[0];
	struct {
		uint32_t handle_bytes;
		int32_t handle_type;
	} fh;

	/* get_path_anchor: a file or the cwd to decode against. */
	if (mountdirfd != AT_FDCWD) {
		struct file *f = mountdirfd >= 0 ? task_fget(t, mountdirfd) : NULL;
		if (!f)
			return -EBADF;
		file_put(f);
	}
	if (!vfs_capable(t->creds, CAP_DAC_READ_SEARCH))
		return -EPERM;
	if (copy_in(t, &fh, a->arg[1], sizeof(fh)))
		return -EFAULT;
	if (fh.handle_bytes == 0 || fh.handle_bytes > MAX_HANDLE_SZ)
		return -EINVAL;
	if (fh.handle_type < 0 ||
	    ((uint32_t)fh.handle_type & FILEID_USER_FLAGS_MASK & ~FILEID_VALID_USER_FLAGS))
		return -EINVAL;
	char bytes[MAX_HANDLE_SZ];
	if (copy_in(t, bytes, a->arg[1] + sizeof(fh), fh.handle_bytes))
		return -EFAULT;
	/* exportfs_decode_fh_raw without export operations. */
	return -ESTALE;
}
