/* kernfs: synthetic inodes. Directories hold a fixed, ordered list of
 * children; generated files snapshot their content at open so reads at
 * any offset see one consistent text. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/kernfs.h"

struct kernfs_child {
	TAILQ_ENTRY(kernfs_child) entry;
	char *name;
	struct inode *inode;		/* a reference */
};

struct kernfs_inode {
	struct inode vfs;
	TAILQ_HEAD(, kernfs_child) children;	/* directories */
	kernfs_show_fn show;			/* generated files */
	kernfs_store_fn store;			/* writable generated files */
	unsigned poll_mask;			/* generated files: poll's answer */
	kernfs_link_fn link;			/* computed symlinks */
	kernfs_path_fn link_path;		/* magic links */
	const struct kernfs_dyndir_ops *dyn;	/* dynamic directories */
	void *arg;
	char *target;				/* fixed symlinks */
};

struct kernfs_file {
	struct file f;
	struct kernfs_buf buf;
};

static inline struct kernfs_inode *KERNFS_I(struct inode *inode)
{
	return container_of(inode, struct kernfs_inode, vfs);
}

static const struct inode_ops kernfs_dir_iops, kernfs_file_iops, kernfs_link_iops;
static const struct inode_ops kernfs_dev_iops, kernfs_dyndir_iops, kernfs_magiclink_iops;
static const struct file_ops kernfs_dir_fops, kernfs_file_fops;

void kernfs_write(struct kernfs_buf *b, const void *data, size_t size)
{
	if (b->size + size > b->cap) {
		b->cap = MAX(b->cap * 2, b->size + size + 256);
		b->data = xrealloc(b->data, b->cap);
	}
	memcpy(b->data + b->size, data, size);
	b->size += size;
}

void kernfs_printf(struct kernfs_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];

	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		kernfs_write(b, small, (size_t)n);
		return;
	}
	char *big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	kernfs_write(b, big, (size_t)n);
	free(big);
}

static struct kernfs_inode *kernfs_alloc(struct super_block *sb, mode_t mode,
					 const struct inode_ops *iops,
					 const struct file_ops *fops)
{
	struct kernfs_inode *ki = xzalloc(sizeof(*ki));
	inode_init(&ki->vfs, sb, iops, fops, mode);
	TAILQ_INIT(&ki->children);
	return ki;
}

struct inode *kernfs_new_dir(struct super_block *sb, mode_t mode)
{
	struct kernfs_inode *ki = kernfs_alloc(sb, S_IFDIR | (mode & 07777), &kernfs_dir_iops,
					       &kernfs_dir_fops);
	ki->vfs.nlink = 2;
	return &ki->vfs;
}

struct inode *kernfs_new_dyndir(struct super_block *sb, mode_t mode,
				const struct kernfs_dyndir_ops *ops, void *arg)
{
	struct inode *dir = kernfs_new_dir(sb, mode);
	dir->ops = &kernfs_dyndir_iops;
	KERNFS_I(dir)->dyn = ops;
	KERNFS_I(dir)->arg = arg;
	return dir;
}

struct inode *kernfs_new_file(struct super_block *sb, mode_t mode, kernfs_show_fn show,
			      void *arg)
{
	struct kernfs_inode *ki = kernfs_alloc(sb, S_IFREG | (mode & 07777), &kernfs_file_iops,
					       &kernfs_file_fops);
	ki->show = show;
	ki->arg = arg;
	ki->poll_mask = DEFAULT_POLLMASK;
	return &ki->vfs;
}

struct inode *kernfs_new_rwfile(struct super_block *sb, mode_t mode, kernfs_show_fn show,
				kernfs_store_fn store, void *arg)
{
	struct inode *inode = kernfs_new_file(sb, mode, show, arg);
	KERNFS_I(inode)->store = store;
	return inode;
}

void kernfs_set_poll(struct inode *file, unsigned mask)
{
	KERNFS_I(file)->poll_mask = mask;
}

struct inode *kernfs_new_symlink(struct super_block *sb, const char *target)
{
	struct kernfs_inode *ki = kernfs_alloc(sb, S_IFLNK | 0777, &kernfs_link_iops, NULL);
	ki->target = xstrdup(target);
	ki->vfs.size = (int64_t)strlen(target);
	return &ki->vfs;
}

struct inode *kernfs_new_dynlink(struct super_block *sb, kernfs_link_fn fn, void *arg)
{
	struct kernfs_inode *ki = kernfs_alloc(sb, S_IFLNK | 0777, &kernfs_link_iops, NULL);
	ki->link = fn;
	ki->arg = arg;
	return &ki->vfs;
}

struct inode *kernfs_new_magiclink(struct super_block *sb, kernfs_link_fn fn,
				   kernfs_path_fn path_fn, void *arg)
{
	struct kernfs_inode *ki = kernfs_alloc(sb, S_IFLNK | 0777, &kernfs_magiclink_iops, NULL);
	ki->link = fn;
	ki->link_path = path_fn;
	ki->arg = arg;
	return &ki->vfs;
}

struct inode *kernfs_new_chrdev(struct super_block *sb, mode_t mode, dev_t rdev)
{
	struct kernfs_inode *ki = kernfs_alloc(sb, S_IFCHR | (mode & 07777), &kernfs_dev_iops,
					       NULL);
	ki->vfs.rdev = rdev;
	return &ki->vfs;
}

int kernfs_add(struct inode *dir, const char *name, struct inode *child)
{
	struct kernfs_inode *kd = KERNFS_I(dir);
	struct kernfs_child *c;

	TAILQ_FOREACH(c, &kd->children, entry)
		if (strcmp(c->name, name) == 0)
			return -EEXIST;
	c = xzalloc(sizeof(*c));
	c->name = xstrdup(name);
	c->inode = inode_get(child);
	TAILQ_INSERT_TAIL(&kd->children, c, entry);
	if (S_ISDIR(child->mode))
		dir->nlink++;
	return 0;
}

struct inode *kernfs_add_dir(struct inode *dir, const char *name, mode_t mode)
{
	struct inode *child = kernfs_new_dir(dir->sb, mode);
	int err = kernfs_add(dir, name, child);
	inode_put(child);
	return err ? ERR_PTR(err) : child;
}

int kernfs_add_file(struct inode *dir, const char *name, mode_t mode, kernfs_show_fn show,
		    void *arg)
{
	return kernfs_add_rwfile(dir, name, mode, show, NULL, arg);
}

int kernfs_add_rwfile(struct inode *dir, const char *name, mode_t mode, kernfs_show_fn show,
		      kernfs_store_fn store, void *arg)
{
	struct inode *child = kernfs_new_rwfile(dir->sb, mode, show, store, arg);
	int err = kernfs_add(dir, name, child);
	inode_put(child);
	return err;
}

int kernfs_add_symlink(struct inode *dir, const char *name, const char *target)
{
	struct inode *child = kernfs_new_symlink(dir->sb, target);
	int err = kernfs_add(dir, name, child);
	inode_put(child);
	return err;
}

int kernfs_add_chrdev(struct inode *dir, const char *name, mode_t mode, dev_t rdev)
{
	struct inode *child = kernfs_new_chrdev(dir->sb, mode, rdev);
	int err = kernfs_add(dir, name, child);
	inode_put(child);
	return err;
}

static struct inode *kernfs_lookup(struct inode *dir, const char *name)
{
	struct kernfs_child *c;

	TAILQ_FOREACH(c, &KERNFS_I(dir)->children, entry)
		if (strcmp(c->name, name) == 0)
			return inode_get(c->inode);
	return ERR_PTR(-ENOENT);
}

static struct inode *kernfs_dyn_lookup(struct inode *dir, const char *name)
{
	struct inode *inode = kernfs_lookup(dir, name);
	struct kernfs_inode *ki = KERNFS_I(dir);
	if (IS_ERR(inode))
		inode = ki->dyn->lookup(dir, ki->arg, name);
	return inode;
}

/* Static children stay valid; computed ones are looked up afresh. */
static bool kernfs_dyn_revalidate(struct inode *dir, const char *name, struct inode *inode)
{
	struct kernfs_child *c;
	TAILQ_FOREACH(c, &KERNFS_I(dir)->children, entry)
		if (strcmp(c->name, name) == 0)
			return true;
	return false;
}

/* Offsets: 0 and 1 are the dots, 2 + i the i-th static child, then
 * DYN_BASE + key a computed entry. */
struct iterate_state {
	struct dir_context *ctx;
	int64_t dyn_base;
	bool full;
};

/* The entry at offset P; the next read starts after it. */
static void iterate_at(struct iterate_state *s, int64_t p, const char *name, uint64_t ino,
		       mode_t mode)
{
	if (s->full || p < s->ctx->pos)
		return;
	if (!s->ctx->emit(s->ctx, name, strlen(name), ino, IFTODT(mode), p + 1)) {
		s->full = true;
		return;
	}
	s->ctx->pos = p + 1;
}

static void iterate_emit(void *arg, const char *name, uint64_t ino, mode_t mode, uint64_t key)
{
	struct iterate_state *s = arg;
	iterate_at(s, s->dyn_base + (int64_t)key, name, ino, mode);
}

static int kernfs_iterate(struct file *f, struct dir_context *ctx)
{
	struct kernfs_inode *ki = KERNFS_I(f->inode);
	struct iterate_state s = { .ctx = ctx };
	struct kernfs_child *c;
	int64_t i = 2;

	if (!dir_emit_dots(f, ctx, f->inode->ino))
		return 0;
	TAILQ_FOREACH(c, &ki->children, entry)
		iterate_at(&s, i++, c->name, c->inode->ino, c->inode->mode);
	s.dyn_base = i;
	if (ki->dyn)
		ki->dyn->list(f->inode, ki->arg, iterate_emit, &s);
	return 0;
}

static int kernfs_readlink(struct inode *inode, char *buf, size_t size)
{
	struct kernfs_inode *ki = KERNFS_I(inode);
	if (ki->link)
		return ki->link(ki->arg, buf, size);
	size_t len = MIN(strlen(ki->target), size);
	memcpy(buf, ki->target, len);
	return (int)len;
}

static struct file *kernfs_open(struct inode *inode, int flags)
{
	struct kernfs_inode *ki = KERNFS_I(inode);
	struct kernfs_file *kf = (struct kernfs_file *)file_alloc(sizeof(*kf), inode->fops, inode);
	int err = ki->show(ki->arg, &kf->buf);
	if (err) {
		file_put(&kf->f);
		return ERR_PTR(err);
	}
	return &kf->f;
}

static ssize_t kernfs_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct kernfs_buf *b = &container_of(f, struct kernfs_file, f)->buf;
	if (*pos >= (int64_t)b->size)
		return 0;
	size_t n = iov_copy_to(iov, cnt, 0, b->data + *pos, b->size - (size_t)*pos);
	*pos += (int64_t)n;
	return (ssize_t)n;
}

/* Each write is one store, as Linux's proc write handlers take a whole
 * buffer (at most a page: larger writes are EINVAL for number files). */
static ssize_t kernfs_write_file(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct kernfs_inode *ki = KERNFS_I(f->inode);
	if (!ki->store)
		return -EINVAL;
	size_t size = 0;
	for (int i = 0; i < cnt; i++)
		size += iov[i].iov_len;
	if (size > PAGE_SIZE)
		return -EINVAL;
	char data[PAGE_SIZE];
	size_t n = iov_copy_from(data, iov, cnt, 0, size);
	int err = ki->store(ki->arg, data, n);
	if (err < 0)
		return err;
	*pos += (int64_t)n;
	return (ssize_t)n;
}

static int64_t kernfs_llseek(struct file *f, int64_t off, int whence)
{
	return generic_llseek(f, off, whence, (int64_t)container_of(f, struct kernfs_file, f)->buf.size);
}

static unsigned kernfs_poll(struct file *f, struct poll_table *pt)
{
	return KERNFS_I(f->inode)->poll_mask;
}

static void kernfs_release(struct file *f)
{
	free(container_of(f, struct kernfs_file, f)->buf.data);
}

static void kernfs_evict_inode(struct inode *inode)
{
	struct kernfs_inode *ki = KERNFS_I(inode);
	struct kernfs_child *c;

	while ((c = TAILQ_FIRST(&ki->children))) {
		TAILQ_REMOVE(&ki->children, c, entry);
		inode_put(c->inode);
		free(c->name);
		free(c);
	}
	free(ki->target);
	free(ki);
}

static void kernfs_put_super(struct super_block *sb)
{
	free(sb);
}

static const struct super_ops kernfs_super_ops = {
	.evict_inode = kernfs_evict_inode,
	.put_super = kernfs_put_super,
};

static const struct inode_ops kernfs_dir_iops = { .lookup = kernfs_lookup };
static const struct inode_ops kernfs_dyndir_iops = {
	.lookup = kernfs_dyn_lookup,
	.revalidate = kernfs_dyn_revalidate,
};
/* A generated file has no size to set: O_TRUNC and truncate succeed and
 * change nothing, as proc_setattr and proc_sys_setattr. */
static int kernfs_file_setattr(struct inode *inode, const struct iattr *ia)
{
	struct iattr rest = *ia;
	rest.valid &= ~ATTR_SIZE;
	return generic_setattr(inode, &rest);
}

static const struct inode_ops kernfs_file_iops = {
	.open = kernfs_open,
	.setattr = kernfs_file_setattr,
};
static const struct inode_ops kernfs_link_iops = { .readlink = kernfs_readlink };

static int kernfs_get_link_path(struct inode *inode, struct path *out)
{
	struct kernfs_inode *ki = KERNFS_I(inode);
	return ki->link_path(ki->arg, out);
}

static const struct inode_ops kernfs_magiclink_iops = {
	.readlink = kernfs_readlink,
	.get_link_path = kernfs_get_link_path,
};
/* Device nodes: the VFS opens them through the chrdev registry. */
static const struct inode_ops kernfs_dev_iops;

static const struct file_ops kernfs_dir_fops = {
	.read = generic_read_dir,
	.llseek = generic_dir_llseek,
	.iterate_dir = kernfs_iterate,
};

static const struct file_ops kernfs_file_fops = {
	.read = kernfs_read,
	.write = kernfs_write_file,
	.llseek = kernfs_llseek,
	.poll = kernfs_poll,
	.release = kernfs_release,
};

struct super_block *kernfs_new_sb(struct kernel *k, const char *fs_name, uint64_t magic)
{
	struct super_block *sb = xzalloc(sizeof(*sb));
	sb_init(sb, k, &kernfs_super_ops, fs_name, magic);
	sb->root = kernfs_new_dir(sb, 0555);
	return sb;
}
