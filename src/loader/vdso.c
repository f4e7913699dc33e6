/* Mapping the vDSO (src/vdso/, embedded by vdso_image.S) into every
 * process, below it the two [vvar] pages it reads (vdso_params.h):
 *
 *   [vvar] page 0  the timekeeper's parameters, one page for the whole
 *                  kernel, mapped shared and read-only (never writable:
 *                  it is every process's clock);
 *   [vvar] page 1  this process's page (its affinity, for getcpu):
 *                  private, written by the kernel alone, copied at fork;
 *   [vdso]         the image, private read+execute, so a debugger's
 *                  breakpoint (or the application's own mprotect and
 *                  write) changes only this process's copy.
 *
 * Pages 0 and the image are served by one internal file: page 0 of it is
 * the parameters page, the image follows. */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include "cvisor/kernel.h"
#include "cvisor/loader.h"
#include "cvisor/memfile.h"
#include "cvisor/mm.h"
#include "cvisor/vfs.h"

extern const char vdso_image[], vdso_image_end[];

static const char vvar_name[] = "[vvar]", vdso_name[] = "[vdso]";

struct vdso_file {
	struct file vfs;
	struct memfile *mf;
	uint64_t time_page;	/* memory-file offset of [vvar] page 0 */
	uint64_t image_size;	/* a page multiple */
};

static struct vdso_file *vdso_file(struct file *f)
{
	return container_of(f, struct vdso_file, vfs);
}

/* Page 0 reads as zeros (only its shared mapping shows the parameters);
 * the image follows, zero-padded to its last page. */
static ssize_t vdso_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct vdso_file *v = vdso_file(f);
	uint64_t image_len = (uint64_t)(vdso_image_end - vdso_image);
	uint64_t end = PAGE_SIZE + v->image_size;
	ssize_t done = 0;
	for (int i = 0; i < cnt && (uint64_t)*pos < end; i++) {
		uint64_t at = (uint64_t)*pos, n = MIN(iov[i].iov_len, end - at);
		char *dst = iov[i].iov_base;
		memset(dst, 0, n);
		if (at + n > PAGE_SIZE) {
			uint64_t from = MAX(at, PAGE_SIZE) - PAGE_SIZE;
			uint64_t skip = MAX(at, PAGE_SIZE) - at;
			if (from < image_len)
				memcpy(dst + skip, vdso_image + from, MIN(n - skip, image_len - from));
		}
		*pos += (int64_t)n;
		done += (ssize_t)n;
	}
	return done;
}

static int vdso_mmap_page(struct file *f, uint64_t pgoff, bool write, uint64_t *mf_off)
{
	struct vdso_file *v = vdso_file(f);
	if (pgoff != 0 || write)
		return -EACCES;
	memfile_incref(v->mf, v->time_page, PAGE_SIZE);
	*mf_off = v->time_page;
	return 0;
}

static const struct file_ops vdso_fops = {
	.read = vdso_read,
	.mmap_page = vdso_mmap_page,
};

int vdso_init(struct kernel *k)
{
	int64_t page = memfile_alloc(&k->mf, PAGE_SIZE);
	if (page < 0)
		return (int)page;
	struct file *f = anon_inode_file("vdso", sizeof(struct vdso_file), &vdso_fops, NULL,
					 O_RDONLY);
	struct vdso_file *v = vdso_file(f);
	v->mf = &k->mf;
	v->time_page = (uint64_t)page;
	v->image_size = round_up((uint64_t)(vdso_image_end - vdso_image), PAGE_SIZE);
	f->inode->size = (int64_t)(PAGE_SIZE + v->image_size);
	k->vdso = f;
	timekeeper_init(k, memfile_ptr(&k->mf, (uint64_t)page));
	return 0;
}

void vdso_set_affinity(struct mm *mm, uint64_t mask)
{
	mm_write_kernel_page(mm, mm->vvar_proc, &mask, sizeof(mask), vvar_name);
}

int64_t vdso_map(struct mm *mm, uint64_t affinity)
{
	struct file *f = mm->k->vdso;
	uint64_t image = vdso_file(f)->image_size, size = VDSO_VVAR_PAGES * PAGE_SIZE + image;
	/* Find room for all three at once, then fill it. */
	int64_t base = mm_mmap(mm, 0, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
	if (base < 0)
		return base;
	uaddr_t time = (uaddr_t)base, proc = time + PAGE_SIZE, text = proc + PAGE_SIZE;
	int64_t r;
	if ((r = mm_mmap(mm, time, PAGE_SIZE, PROT_READ, MAP_SHARED | MAP_FIXED, f, 0)) < 0 ||
	    (r = mm_mmap(mm, proc, PAGE_SIZE, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0)) < 0 ||
	    (r = mm_mmap(mm, text, image, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, f,
			 PAGE_SIZE)) < 0)
		return r;
	mm_set_vma_readonly(mm, time, vvar_name);
	mm_set_vma_readonly(mm, proc, vvar_name);
	mm_set_vma_name(mm, text, vdso_name);
	mm->vvar_proc = proc;
	vdso_set_affinity(mm, affinity);
	return (int64_t)text;
}
