/* System V shared memory (Linux's ipc/shm.c, gVisor's kernel/shm): a
 * segment is an unlinked tmpfs file in the memory file; shmat maps it
 * MAP_SHARED through a file of its own whose VMAs count the attaches
 * (vma_open/vma_close, as Linux's shm_open/shm_close), so fork, exec,
 * exit and munmap keep shm_nattch right. A removed segment (SHM_DEST)
 * lives until its last detach. */
#include <linux/ipc.h>
#include <linux/shm.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <linux/capability.h>

#include "cvisor/creds.h"
#include "cvisor/fs.h"
#include "cvisor/ipc.h"
#include "cvisor/kernel.h"
#include "cvisor/kernfs.h"
#include "cvisor/mm.h"
#include "cvisor/task.h"
#include "cvisor/vfs.h"

/* shm_perm.mode bits (Linux's include/linux/shm.h, not in the uapi). */
#define SHM_DEST 01000		/* removed, goes at the last detach */
#define SHM_LOCKED 02000	/* SHM_LOCK */

struct shm_seg {
	struct ipc_obj obj;
	struct ipc_ns *ns;
	int refs;			/* [shm.lock] the registry's, each shm_file's */
	struct file *file;		/* the tmpfs file holding the pages */
	uint64_t size;
	int64_t atime, dtime, ctime;	/* [shm.lock] seconds */
	pid_t cpid, lpid;		/* [shm.lock] */
	uint64_t nattch;		/* [shm.lock] VMAs, plus shmats in progress */
};

/* What a shmat maps: one per attach, shared by the VMAs it splits into
 * and the children that inherit them. */
struct shm_file {
	struct file vfs;
	struct shm_seg *seg;
};

static struct shm_seg *SHM_SEG(struct ipc_obj *obj)
{
	return container_of(obj, struct shm_seg, obj);
}

static int64_t now_sec(struct ipc_ns *ns)
{
	return kernel_realtime_ns(ns->k) / 1000000000;
}

static uint64_t seg_pages(const struct shm_seg *seg)
{
	return round_up(seg->size, PAGE_SIZE) / PAGE_SIZE;
}

/* shm.lock held. */
static void seg_put_locked(struct shm_seg *seg)
{
	if (--seg->refs > 0)
		return;
	file_put(seg->file);
	free(seg);
}

/* A removed segment goes with its last attach (shm_may_destroy). */
static void seg_maybe_destroy_locked(struct shm_seg *seg)
{
	if (!(seg->obj.mode & SHM_DEST) || seg->nattch || seg->obj.deleted)
		return;
	ipc_remove(&seg->ns->shm, &seg->obj);
	seg->ns->shm_tot -= seg_pages(seg);
	seg_put_locked(seg);
}

static struct shm_seg *SHM_F(struct file *f)
{
	return container_of(f, struct shm_file, vfs)->seg;
}

static int shm_mmap_page(struct file *f, uint64_t pgoff, bool write, uint64_t *mf_off)
{
	struct file *backing = SHM_F(f)->file;
	return backing->ops->mmap_page(backing, pgoff, write, mf_off);
}

static pid_t current_tgid(void)
{
	struct task *t = current_task;
	return t ? t->tg->tgid : 0;
}

static void shm_vma_open(struct file *f)
{
	struct shm_seg *seg = SHM_F(f);
	pthread_mutex_lock(&seg->ns->shm.lock);
	seg->nattch++;
	seg->atime = now_sec(seg->ns);
	seg->lpid = current_tgid();
	pthread_mutex_unlock(&seg->ns->shm.lock);
}

static void shm_vma_close(struct file *f)
{
	struct shm_seg *seg = SHM_F(f);
	pthread_mutex_lock(&seg->ns->shm.lock);
	seg->nattch--;
	seg->dtime = now_sec(seg->ns);
	seg->lpid = current_tgid();
	seg_maybe_destroy_locked(seg);
	pthread_mutex_unlock(&seg->ns->shm.lock);
}

static void shm_release(struct file *f)
{
	struct shm_seg *seg = SHM_F(f);
	struct ipc_ns *ns = seg->ns;
	pthread_mutex_lock(&ns->shm.lock);
	seg_put_locked(seg);
	pthread_mutex_unlock(&ns->shm.lock);
}

static const struct file_ops shm_fops = {
	.mmap_page = shm_mmap_page,
	.vma_open = shm_vma_open,
	.vma_close = shm_vma_close,
	.release = shm_release,
};

static int shm_create(struct ipc_ns *ns, const struct creds *cr, int key, int flag,
		      uint64_t size)
{
	if (size < SHMMIN || size > ns->shm_ctlmax)
		return -EINVAL;
	uint64_t pages = round_up(size, PAGE_SIZE) / PAGE_SIZE;
	if (ns->shm_tot + pages < ns->shm_tot || ns->shm_tot + pages > ns->shm_ctlall)
		return -ENOSPC;
	/* A file past MAX_LFS_FILESIZE (shmem_file_setup), or more memory
	 * than the sandbox has (the overcommit heuristic's refusal). */
	if (size > INT64_MAX)
		return -EINVAL;
	/* No huge pages are reserved (HugePages_Total: 0), so a
	 * SHM_HUGETLB segment fails as on such a Linux. */
	if (pages > ns->k->mf.limit / PAGE_SIZE || (flag & SHM_HUGETLB))
		return -ENOMEM;
	struct shm_seg *seg = xzalloc(sizeof(*seg));
	int id = ipc_add(&ns->shm, &seg->obj, ns->shm_ctlmni, cr, key, flag);
	if (id < 0) {
		free(seg);
		return id;
	}
	char name[16];
	snprintf(name, sizeof(name), "SYSV%08x", (unsigned)key);
	seg->file = shmem_kernel_file_new(ns->k, name, (int64_t)size, cr);
	/* /proc/pid/maps shows the id as the inode number, as Linux's. */
	seg->file->inode->ino = (uint64_t)id;
	seg->ns = ns;
	seg->refs = 1;
	seg->size = size;
	seg->ctime = now_sec(ns);
	seg->cpid = current_tgid();
	ns->shm_tot += pages;
	return id;
}

static int shm_more_checks(struct ipc_obj *obj, uint64_t size)
{
	return SHM_SEG(obj)->size < size ? -EINVAL : 0;
}

static const struct ipc_get_ops shm_get_ops = {
	.create = shm_create,
	.more_checks = shm_more_checks,
};

long shm_get(struct task *t, int key, uint64_t size, int flag)
{
	struct ipc_ns *ns = task_ipc_ns(t);
	return ipc_get(ns, &ns->shm, &shm_get_ops, t->creds, key, flag, size);
}

long shm_attach(struct task *t, int id, uaddr_t addr, int flag)
{
	struct ipc_ns *ns = task_ipc_ns(t);
	int prot = PROT_READ, acc = 0444, mflags = MAP_SHARED;

	if (id < 0)
		return -EINVAL;
	/* Rounded down to 0, the address is the kernel's choice (but not
	 * with SHM_REMAP, refused below). */
	if (addr & (PAGE_SIZE - 1)) {
		if (!(flag & SHM_RND))
			return -EINVAL;
		addr = round_down(addr, PAGE_SIZE);
	}
	if (addr)
		mflags |= (flag & SHM_REMAP) ? MAP_FIXED : MAP_FIXED_NOREPLACE;
	else if (flag & SHM_REMAP)
		return -EINVAL;
	if (!(flag & SHM_RDONLY)) {
		prot |= PROT_WRITE;
		acc |= 0222;
	}
	if (flag & SHM_EXEC) {
		prot |= PROT_EXEC;
		acc |= 0111;
	}

	pthread_mutex_lock(&ns->shm.lock);
	struct ipc_obj *obj = ipc_find_id(&ns->shm, id);
	if (!obj) {
		pthread_mutex_unlock(&ns->shm.lock);
		return -EINVAL;
	}
	int err = ipc_perms(t->creds, obj, acc);
	if (err) {
		pthread_mutex_unlock(&ns->shm.lock);
		return err;
	}
	struct shm_seg *seg = SHM_SEG(obj);
	if (addr && !(flag & SHM_REMAP) && addr + seg->size < addr) {
		pthread_mutex_unlock(&ns->shm.lock);
		return -EINVAL;
	}
	/* The attach in progress keeps a removed segment alive. */
	seg->nattch++;
	seg->refs++;
	pthread_mutex_unlock(&ns->shm.lock);

	struct file *f = file_alloc(sizeof(struct shm_file), &shm_fops, seg->file->inode);
	container_of(f, struct shm_file, vfs)->seg = seg;
	f->fmode = FMODE_READ | ((flag & SHM_RDONLY) ? 0 : FMODE_WRITE);
	f->flags = (flag & SHM_RDONLY) ? O_RDONLY : O_RDWR;
	int64_t ret = mm_mmap(t->mm, addr, seg->size, prot, mflags, f, 0);
	file_put(f);
	/* An address in use without SHM_REMAP (find_vma_intersection). */
	if (ret == -EEXIST)
		ret = -EINVAL;

	pthread_mutex_lock(&ns->shm.lock);
	seg->nattch--;
	seg_maybe_destroy_locked(seg);
	pthread_mutex_unlock(&ns->shm.lock);
	return ret;
}

/* shmdt's search (Linux's, without NOMMU): the first shm VMA at or after
 * ADDR that maps its segment from ADDR, then the other VMAs of the same
 * attach within the segment's size. */
struct detach_scan {
	uaddr_t addr;
	struct file *file;
	uint64_t size;
	int n;
	uaddr_t start[64], end[64];
};

static void detach_visit(const struct vma *v, void *arg)
{
	struct detach_scan *s = arg;
	if (v->end <= s->addr || !v->file || v->file->ops != &shm_fops ||
	    v->start - s->addr != v->file_off || s->n == ARRAY_SIZE(s->start))
		return;
	if (!s->file) {
		s->file = v->file;
		s->size = round_up(SHM_F(v->file)->size, PAGE_SIZE);
	} else if (v->file != s->file || v->end - s->addr > s->size) {
		return;
	}
	s->start[s->n] = v->start;
	s->end[s->n++] = v->end;
}

long shm_detach(struct task *t, uaddr_t addr)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	struct detach_scan s = { .addr = addr };
	mm_for_each_vma(t->mm, detach_visit, &s);
	if (!s.n)
		return -EINVAL;
	for (int i = 0; i < s.n; i++)
		mm_munmap(t->mm, s.start[i], s.end[i] - s.start[i]);
	return 0;
}

static void shm_fill_ds(struct shm_seg *seg, struct shmid64_ds *ds)
{
	*ds = (struct shmid64_ds){
		.shm_segsz = seg->size,
		.shm_atime = seg->atime,
		.shm_dtime = seg->dtime,
		.shm_ctime = seg->ctime,
		.shm_cpid = seg->cpid,
		.shm_lpid = seg->lpid,
		.shm_nattch = seg->nattch,
	};
	ipc_to_perm64(&seg->obj, &ds->shm_perm);
}

/* Pages of all segments held in memory (shm_get_stat). */
static uint64_t shm_rss_locked(struct ipc_ns *ns)
{
	uint64_t rss = 0;
	for (int i = 0; i <= ns->shm.max_idx; i++) {
		struct ipc_obj *obj = ns->shm.slots[i];
		if (obj)
			rss += (uint64_t)SHM_SEG(obj)->file->inode->blocks / (PAGE_SIZE / 512);
	}
	return rss;
}

static long shm_info_cmd(struct task *t, int cmd, uaddr_t buf)
{
	struct ipc_ns *ns = task_ipc_ns(t);
	pthread_mutex_lock(&ns->shm.lock);
	int max_idx = MAX(ns->shm.max_idx, 0);
	struct shminfo64 info = {
		.shmmax = ns->shm_ctlmax,
		.shmmin = SHMMIN,
		.shmmni = (unsigned long)ns->shm_ctlmni,
		.shmseg = SHMSEG,
		.shmall = ns->shm_ctlall,
	};
	struct shm_info sinfo = {
		.used_ids = ns->shm.in_use,
		.shm_tot = ns->shm_tot,
		.shm_rss = shm_rss_locked(ns),
	};
	pthread_mutex_unlock(&ns->shm.lock);
	int err = cmd == IPC_INFO ? mm_copy_out(t->mm, buf, &info, sizeof(info))
				  : mm_copy_out(t->mm, buf, &sinfo, sizeof(sinfo));
	return err ? err : max_idx;
}

static long shm_stat_cmd(struct task *t, int id, int cmd, uaddr_t buf)
{
	struct ipc_ns *ns = task_ipc_ns(t);
	struct shmid64_ds ds;

	pthread_mutex_lock(&ns->shm.lock);
	struct ipc_obj *obj = cmd == IPC_STAT ? ipc_find_id(&ns->shm, id)
					      : ipc_find_idx(&ns->shm, id);
	long ret = obj ? 0 : -EINVAL;
	if (!ret && cmd != SHM_STAT_ANY)
		ret = ipc_perms(t->creds, obj, 0444);
	if (!ret) {
		shm_fill_ds(SHM_SEG(obj), &ds);
		ret = cmd == IPC_STAT ? 0 : obj->id;
	}
	pthread_mutex_unlock(&ns->shm.lock);
	if (ret < 0)
		return ret;
	int err = mm_copy_out(t->mm, buf, &ds, sizeof(ds));
	return err ? err : ret;
}

/* IPC_SET, IPC_RMID, SHM_LOCK and SHM_UNLOCK. */
static long shm_change_cmd(struct task *t, int id, int cmd, uaddr_t buf)
{
	struct ipc_ns *ns = task_ipc_ns(t);
	struct shmid64_ds ds;

	if (cmd == IPC_SET && mm_copy_in(t->mm, &ds, buf, sizeof(ds)))
		return -EFAULT;
	pthread_mutex_lock(&ns->shm.lock);
	struct ipc_obj *obj = ipc_find_id(&ns->shm, id);
	long ret = 0;
	if (!obj) {
		ret = -EINVAL;
	} else if (cmd == SHM_LOCK || cmd == SHM_UNLOCK) {
		if (!creds_has_cap(t->creds, CAP_IPC_LOCK) &&
		    t->creds->euid != obj->uid && t->creds->euid != obj->cuid)
			ret = -EPERM;
		else if (cmd == SHM_LOCK)
			obj->mode |= SHM_LOCKED;
		else
			obj->mode &= ~(unsigned)SHM_LOCKED;
	} else if (!ipc_owner_or_admin(t->creds, obj)) {
		ret = -EPERM;
	} else if (cmd == IPC_SET) {
		ipc_set_perm(obj, ds.shm_perm.uid, ds.shm_perm.gid, ds.shm_perm.mode);
		SHM_SEG(obj)->ctime = now_sec(ns);
	} else {
		/* IPC_RMID: the key is free at once; the segment goes at
		 * its last detach. */
		obj->mode |= SHM_DEST;
		obj->key = IPC_PRIVATE;
		seg_maybe_destroy_locked(SHM_SEG(obj));
	}
	pthread_mutex_unlock(&ns->shm.lock);
	return ret;
}

long shm_ctl(struct task *t, int id, int cmd, uaddr_t buf)
{
	switch (cmd) {
	case IPC_INFO:
	case SHM_INFO:
		return shm_info_cmd(t, cmd, buf);
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		return shm_stat_cmd(t, id, cmd, buf);
	case IPC_SET:
	case IPC_RMID:
	case SHM_LOCK:
	case SHM_UNLOCK:
		return shm_change_cmd(t, id, cmd, buf);
	default:
		return -EINVAL;
	}
}

void shm_proc_show(struct ipc_ns *ns, struct kernfs_buf *b)
{
	kernfs_printf(b, "       key      shmid perms                  size  cpid  lpid nattch"
			 "   uid   gid  cuid  cgid      atime      dtime      ctime"
			 "                   rss                  swap\n");
	pthread_mutex_lock(&ns->shm.lock);
	for (int i = 0; i <= ns->shm.max_idx; i++) {
		struct ipc_obj *o = ns->shm.slots[i];
		if (!o)
			continue;
		struct shm_seg *s = SHM_SEG(o);
		uint64_t rss = (uint64_t)s->file->inode->blocks * 512;
		kernfs_printf(b, "%10d %10d  %4o %21llu %5d %5d  %5llu %5u %5u %5u %5u "
			      "%10lld %10lld %10lld %21llu %21d\n", o->key, o->id, o->mode,
			      (unsigned long long)s->size, s->cpid, s->lpid,
			      (unsigned long long)s->nattch, o->uid, o->gid, o->cuid, o->cgid,
			      (long long)s->atime, (long long)s->dtime, (long long)s->ctime,
			      (unsigned long long)rss, 0);
	}
	pthread_mutex_unlock(&ns->shm.lock);
}
