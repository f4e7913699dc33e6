/* tmpfs regular files: data in memory-file pages found through a tree of
 * 64-page chunks (sparse files cost nothing for their holes). The inode
 * lock guards the pages and the size. */
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/kernel.h"
#include "tmpfs.h"

/* The largest tmpfs file, as Linux's MAX_LFS_FILESIZE. */
#define TMPFS_MAX_SIZE INT64_MAX

static int chunk_cmp(struct tmpfs_chunk *a, struct tmpfs_chunk *b)
{
	return a->index < b->index ? -1 : a->index > b->index;
}

RB_GENERATE_STATIC_UNUSED(tmpfs_chunks, tmpfs_chunk, node, chunk_cmp)

static struct memfile *tmpfs_mf(struct tmpfs_inode *ti)
{
	return &ti->vfs.sb->k->mf;
}

/* The slot of page PGOFF; with CREATE, its chunk is made if missing. */
static uint64_t *page_slot(struct tmpfs_inode *ti, uint64_t pgoff, bool create)
{
	struct tmpfs_chunk key = { .index = pgoff / TMPFS_CHUNK_PAGES };
	struct tmpfs_chunk *c = RB_FIND(tmpfs_chunks, &ti->reg.chunks, &key);
	if (!c) {
		if (!create)
			return NULL;
		c = xzalloc(sizeof(*c));
		c->index = key.index;
		RB_INSERT(tmpfs_chunks, &ti->reg.chunks, c);
	}
	return &c->pages[pgoff % TMPFS_CHUNK_PAGES];
}

/* The sentry pointer to page PGOFF, allocating it if ALLOC; NULL for a
 * hole when !ALLOC, ERR_PTR(-ENOSPC) when memory is exhausted. */
static void *page_ptr(struct tmpfs_inode *ti, uint64_t pgoff, bool alloc, uint64_t *mf_off)
{
	uint64_t *slot = page_slot(ti, pgoff, alloc);
	if (!slot || !*slot) {
		if (!alloc)
			return NULL;
		int64_t off = memfile_alloc(tmpfs_mf(ti), PAGE_SIZE);
		if (off < 0)
			return ERR_PTR(-ENOSPC);
		*slot = (uint64_t)off | 1;
		ti->vfs.blocks += PAGE_SIZE / 512;
	}
	uint64_t off = *slot & ~1ULL;
	if (mf_off)
		*mf_off = off;
	return memfile_ptr(tmpfs_mf(ti), off);
}

void tmpfs_free_pages(struct tmpfs_inode *ti, uint64_t first)
{
	struct tmpfs_chunk *c, *next;

	RB_FOREACH_SAFE(c, tmpfs_chunks, &ti->reg.chunks, next) {
		bool empty = true;
		for (uint64_t i = 0; i < TMPFS_CHUNK_PAGES; i++) {
			uint64_t pg = c->index * TMPFS_CHUNK_PAGES + i;
			if (!c->pages[i])
				continue;
			if (pg < first) {
				empty = false;
				continue;
			}
			memfile_decref(tmpfs_mf(ti), c->pages[i] & ~1ULL, PAGE_SIZE);
			c->pages[i] = 0;
			ti->vfs.blocks -= PAGE_SIZE / 512;
		}
		if (empty) {
			RB_REMOVE(tmpfs_chunks, &ti->reg.chunks, c);
			free(c);
		}
	}
}

/* Caller holds the inode lock. */
int tmpfs_truncate(struct tmpfs_inode *ti, int64_t size)
{
	if (size < ti->vfs.size) {
		tmpfs_free_pages(ti, round_up((uint64_t)size, PAGE_SIZE) / PAGE_SIZE);
		/* The tail of the last page must read as zeros if the file
		 * grows again. */
		uint64_t tail = (uint64_t)size % PAGE_SIZE;
		if (tail) {
			char *p = page_ptr(ti, (uint64_t)size / PAGE_SIZE, false, NULL);
			if (p)
				memset(p + tail, 0, PAGE_SIZE - tail);
		}
	}
	ti->vfs.size = size;
	return 0;
}

static ssize_t tmpfs_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct tmpfs_inode *ti = TMPFS_I(f->inode);
	size_t want = iov_total(iov, cnt), done = 0;

	pthread_mutex_lock(&ti->vfs.lock);
	int64_t size = ti->vfs.size;
	if (*pos < size)
		want = MIN(want, (uint64_t)(size - *pos));
	else
		want = 0;
	while (done < want) {
		uint64_t off = (uint64_t)*pos + done;
		size_t in_page = off % PAGE_SIZE;
		size_t n = MIN(PAGE_SIZE - in_page, want - done);
		char *p = page_ptr(ti, off / PAGE_SIZE, false, NULL);
		if (p) {
			iov_copy_to(iov, cnt, done, p + in_page, n);
		} else {
			static const char zeros[PAGE_SIZE];
			iov_copy_to(iov, cnt, done, zeros, n);
		}
		done += n;
	}
	ti->vfs.atime = vfs_now(ti->vfs.sb);
	pthread_mutex_unlock(&ti->vfs.lock);
	*pos += (int64_t)done;
	return (ssize_t)done;
}

static ssize_t tmpfs_write(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct tmpfs_inode *ti = TMPFS_I(f->inode);
	size_t want = iov_total(iov, cnt), done = 0;
	ssize_t err = 0;

	pthread_mutex_lock(&ti->vfs.lock);
	if (f->flags & O_APPEND)
		*pos = ti->vfs.size;
	if (want > (uint64_t)(TMPFS_MAX_SIZE - *pos)) {
		want = (uint64_t)(TMPFS_MAX_SIZE - *pos);
		if (!want)
			err = -EFBIG;
	}
	/* Seals: no writes at all, or none past the end. */
	if (ti->reg.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) {
		want = 0;
		err = -EPERM;
	}
	while (done < want) {
		uint64_t off = (uint64_t)*pos + done;
		size_t in_page = off % PAGE_SIZE;
		size_t n = MIN(PAGE_SIZE - in_page, want - done);
		/* F_SEAL_GROW stops the write at the first page that would
		 * extend the file (shmem_write_begin). */
		if ((ti->reg.seals & F_SEAL_GROW) && (int64_t)(off + n) > ti->vfs.size) {
			err = -EPERM;
			break;
		}
		char *p = page_ptr(ti, off / PAGE_SIZE, true, NULL);
		if (IS_ERR(p)) {
			err = PTR_ERR(p);
			break;
		}
		iov_copy_from(p + in_page, iov, cnt, done, n);
		done += n;
	}
	if (done) {
		if (*pos + (int64_t)done > ti->vfs.size)
			ti->vfs.size = *pos + (int64_t)done;
		inode_touch(&ti->vfs, true, true);
	}
	pthread_mutex_unlock(&ti->vfs.lock);
	*pos += (int64_t)done;
	return done ? (ssize_t)done : err;
}

static int tmpfs_mmap_page(struct file *f, uint64_t pgoff, bool write, uint64_t *mf_off)
{
	struct tmpfs_inode *ti = TMPFS_I(f->inode);
	int err = 0;

	pthread_mutex_lock(&ti->vfs.lock);
	/* Past the end of the file: the caller raises SIGBUS. */
	if (pgoff >= round_up((uint64_t)ti->vfs.size, PAGE_SIZE) / PAGE_SIZE) {
		err = -EFAULT;
		goto out;
	}
	void *p = page_ptr(ti, pgoff, true, mf_off);
	if (IS_ERR(p)) {
		err = (int)PTR_ERR(p);
		goto out;
	}
	memfile_incref(tmpfs_mf(ti), *mf_off, PAGE_SIZE);
out:
	pthread_mutex_unlock(&ti->vfs.lock);
	return err;
}

/* Frees page PGOFF, if present. Caller holds the inode lock. */
static void page_free(struct tmpfs_inode *ti, uint64_t pgoff)
{
	uint64_t *slot = page_slot(ti, pgoff, false);
	if (!slot || !*slot)
		return;
	memfile_decref(tmpfs_mf(ti), *slot & ~1ULL, PAGE_SIZE);
	*slot = 0;
	ti->vfs.blocks -= PAGE_SIZE / 512;
}

/* Pages already mapped shared keep their old contents in those mappings
 * after a punch (Linux unmaps them); the file itself reads zeros. */
static int tmpfs_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
	struct tmpfs_inode *ti = TMPFS_I(f->inode);
	int64_t end = off + len;
	int err = 0;

	pthread_mutex_lock(&ti->vfs.lock);
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		if (ti->reg.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) {
			err = -EPERM;
			goto out;
		}
		int64_t last = MIN(end, ti->vfs.size);
		for (int64_t pos = off; pos < last;) {
			uint64_t pg = (uint64_t)pos / PAGE_SIZE;
			int64_t pg_end = (int64_t)(pg + 1) * PAGE_SIZE;
			int64_t stop = MIN(pg_end, last);
			if (pos % PAGE_SIZE == 0 && (stop == pg_end || stop == ti->vfs.size)) {
				page_free(ti, pg);
			} else {
				char *p = page_ptr(ti, pg, false, NULL);
				if (p)
					memset(p + pos % PAGE_SIZE, 0, (size_t)(stop - pos));
			}
			pos = stop;
		}
		inode_touch(&ti->vfs, true, true);
		goto out;
	}
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > ti->vfs.size) {
		err = tmpfs_seals_allow_size(ti, end);
		if (err)
			goto out;
	}
	for (uint64_t pg = (uint64_t)off / PAGE_SIZE; pg < round_up((uint64_t)end, PAGE_SIZE) / PAGE_SIZE;
	     pg++) {
		void *p = page_ptr(ti, pg, true, NULL);
		if (IS_ERR(p)) {
			err = (int)PTR_ERR(p);
			goto out;
		}
	}
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > ti->vfs.size) {
		ti->vfs.size = end;
		inode_touch(&ti->vfs, true, true);
	}
out:
	pthread_mutex_unlock(&ti->vfs.lock);
	return err;
}

static int tmpfs_fsync(struct file *f)
{
	return 0;	/* nothing below memory to flush */
}

/* Caller (the VFS) holds the inode lock. */
static int tmpfs_setattr(struct inode *inode, const struct iattr *ia)
{
	if (ia->valid & ATTR_SIZE) {
		int err = tmpfs_seals_allow_size(TMPFS_I(inode), ia->size);
		if (!err)
			err = tmpfs_truncate(TMPFS_I(inode), ia->size);
		if (err)
			return err;
	}
	struct iattr rest = *ia;
	rest.valid &= ~ATTR_SIZE;
	return generic_setattr(inode, &rest);
}

const struct inode_ops tmpfs_file_iops = {
	.setattr = tmpfs_setattr,
	TMPFS_XATTR_OPS,
};

const struct file_ops tmpfs_file_fops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.llseek = generic_file_llseek,
	.fsync = tmpfs_fsync,
	.mmap_page = tmpfs_mmap_page,
	.fallocate = tmpfs_fallocate,
};
