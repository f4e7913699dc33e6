/* Constructors of the filesystems in src/fs/. Each returns a super block
 * with one reference (for vfs_mount / mount_ns_new) or ERR_PTR. */
#ifndef CVISOR_FS_H
#define CVISOR_FS_H

#include <stdbool.h>
#include <sys/types.h>

struct kernel;
struct super_block;
struct file;
struct creds;

/* An empty tmpfs whose root has MODE (a directory's permission bits). */
struct super_block *tmpfs_new(struct kernel *k, mode_t mode);
/* The host directory DIRFD (an O_PATH or O_DIRECTORY fd, taken over),
 * read-only: every change fails with EROFS. */
struct super_block *hostfs_new(struct kernel *k, int dirfd);
/* UPPER (writable, tmpfs) over LOWER (read-only); takes both
 * references. */
struct super_block *overlay_new(struct kernel *k, struct super_block *upper,
				struct super_block *lower);
/* /proc: processes of the reader's PID namespace and system files. */
struct super_block *procfs_new(struct kernel *k);
/* /sys: an empty read-only tree for now, hiding the host's. */
struct super_block *sysfs_new(struct kernel *k);
/* /dev: the memory devices and the stdio symlinks. */
struct super_block *devfs_new(struct kernel *k);
/* /dev/pts: the slaves of the kernel's pseudo-terminals (one instance
 * per kernel, in k->devpts). */
struct super_block *devpts_new(struct kernel *k);
/* Opens /dev/ptmx or /dev/pts/ptmx: a new pseudo-terminal's master. */
struct inode;
struct file *ptmx_open(struct inode *inode, int flags);
/* Registers null, zero, full, random and urandom (idempotent). */
void devfs_register_mem_devices(void);
/* memfd_create(2): a new unlinked tmpfs file "memfd:NAME" of CR, open
 * read-write; FLAGS may hold MFD_ALLOW_SEALING. */
struct file *memfd_file_new(struct kernel *k, const char *name, unsigned flags,
			    const struct creds *cr);
/* The file behind a SysV shm segment: an unlinked tmpfs file of SIZE
 * bytes that /proc calls "/NAME (deleted)". */
struct file *shmem_kernel_file_new(struct kernel *k, const char *name, int64_t size,
				   const struct creds *cr);
/* fcntl F_ADD_SEALS / F_GET_SEALS: -EINVAL unless F is a tmpfs file. */
long tmpfs_fcntl_seals(struct file *f, int cmd, unsigned arg);
/* F's F_SEAL_* (0 if F is not a tmpfs file). */
unsigned tmpfs_file_seals(struct file *f);

#endif
