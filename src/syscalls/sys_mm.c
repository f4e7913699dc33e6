/* Memory syscalls: thin argument checks over mm/. */
#include <sys/mman.h>
#include <sys/stat.h>

#include "cvisor/fd_table.h"
#include "cvisor/fs.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "cvisor/vfs.h"

/* mmap's checks on the file (mm/mmap.c do_mmap): readable, and for a
 * writable shared mapping also writable. Private mappings copy the file's
 * pages into the memory file. Shared ones map the file's own pages where
 * the filesystem keeps them in the memory file (tmpfs); a read-only
 * shared mapping of another file (the read-only host layer, which cannot
 * change under it) is served like a private one. */
static int mmap_check_file(struct file *f, int prot, int flags)
{
	if (f->fmode & FMODE_PATH)
		return -EBADF;
	if (!(f->fmode & FMODE_READ))
		return -EACCES;
	int type = flags & 0x0f;
	bool shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;
	if (shared && (prot & PROT_WRITE) && !(f->fmode & FMODE_WRITE))
		return -EACCES;
	if (!S_ISREG(f->inode->mode))
		return -ENODEV;
	if (shared && (prot & PROT_WRITE) && !f->ops->mmap_page)
		return -ENODEV;
	/* A sealed memfd takes no writable shared mapping (memfd's
	 * seal_check_write). */
	if (shared && (prot & PROT_WRITE) &&
	    (tmpfs_file_seals(f) & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
		return -EPERM;
	return 0;
}

long sys_brk(struct task *t, const struct syscall_args *a)
{
	return (long)mm_brk(t->mm, a->arg[0]);
}

long sys_mmap(struct task *t, const struct syscall_args *a)
{
	uaddr_t addr = a->arg[0];
	uint64_t len = a->arg[1];
	int prot = (int)a->arg[2], flags = (int)a->arg[3], fd = (int)a->arg[4];
	uint64_t off = a->arg[5];
	struct file *f = NULL;

	if (!(flags & MAP_ANONYMOUS)) {
		f = fdt_fget(t->fdt, fd, NULL);
		if (!f)
			return -EBADF;
		int ret = mmap_check_file(f, prot, flags);
		if (ret < 0) {
			file_put(f);
			return ret;
		}
	}
	int64_t ret = mm_mmap(t->mm, addr, len, prot, flags, f, off);
	if (f)
		file_put(f);
	return ret;
}

long sys_munmap(struct task *t, const struct syscall_args *a)
{
	return mm_munmap(t->mm, a->arg[0], a->arg[1]);
}

long sys_mprotect(struct task *t, const struct syscall_args *a)
{
	return mm_mprotect(t->mm, a->arg[0], a->arg[1], (int)a->arg[2]);
}

long sys_mremap(struct task *t, const struct syscall_args *a)
{
	return mm_mremap(t->mm, a->arg[0], a->arg[1], a->arg[2], (int)a->arg[3], a->arg[4]);
}

long sys_madvise(struct task *t, const struct syscall_args *a)
{
	return mm_madvise(t->mm, a->arg[0], a->arg[1], (int)a->arg[2]);
}

long sys_msync(struct task *t, const struct syscall_args *a)
{
	return mm_msync(t->mm, a->arg[0], a->arg[1], (int)a->arg[2]);
}
