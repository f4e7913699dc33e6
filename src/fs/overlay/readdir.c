/* Merged readdir: the upper directory's names (whiteouts hidden) plus the
 * lower's not shadowed by an upper name or whiteout, each once. The
 * listing is taken when a read starts at offset 0 and served from that
 * snapshot, so offsets stay stable (as overlayfs's cached readdir). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "overlay.h"

struct collect_ctx {
	struct dir_context ctx;
	struct ovl_dirlist *list;
};

static void list_add(struct ovl_dirlist *l, const char *name, size_t len, uint64_t ino,
		     unsigned type)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	struct ovl_entry *e = &l->v[l->n++];
	e->name = xmalloc(len + 1);
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->ino = ino;
	e->type = type;
}

void ovl_dirlist_free(struct ovl_dirlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	*l = (struct ovl_dirlist){ 0 };
}

static bool collect_emit(struct dir_context *ctx, const char *name, size_t len, uint64_t ino,
			 unsigned type, int64_t next)
{
	struct collect_ctx *c = container_of(ctx, struct collect_ctx, ctx);
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	list_add(c->list, name, len, ino, type);
	return true;
}

/* Every name in the layer directory DIR. */
static int layer_list(struct inode *dir, struct ovl_dirlist *out)
{
	struct file *f = dir->ops->open ? dir->ops->open(dir, O_RDONLY | O_DIRECTORY)
					: file_alloc(sizeof(struct file), dir->fops, dir);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	f->fmode = FMODE_READ;
	struct collect_ctx c = { .ctx.emit = collect_emit, .list = out };
	int err = vfs_iterate_dir(f, &c.ctx);
	file_put(f);
	return err;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ovl_entry *)a)->name, ((const struct ovl_entry *)b)->name);
}

static struct ovl_entry *list_find(struct ovl_dirlist *l, const char *name)
{
	struct ovl_entry key = { .name = (char *)name };
	if (!l->n)
		return NULL;
	return bsearch(&key, l->v, l->n, sizeof(*l->v), entry_cmp);
}

/* Is the upper entry E of UDIR a whiteout? Only character devices can be. */
static bool entry_is_whiteout(struct inode *udir, const struct ovl_entry *e)
{
	if (e->type != DT_CHR)
		return false;
	struct inode *inode = ovl_layer_lookup(udir, e->name);
	if (IS_ERR(inode))
		return false;
	bool wh = ovl_is_whiteout(inode);
	inode_put(inode);
	return wh;
}

int ovl_dir_collect(struct ovl_inode *dir, struct ovl_dirlist *out)
{
	struct ovl_dirlist upper = { 0 }, lower = { 0 };
	struct inode *udir = ovl_upper(dir);
	struct ovl_sb *osb = OVL_SB(dir->vfs.sb);
	int err = 0;

	if (udir)
		err = layer_list(udir, &upper);
	if (!err && dir->lower)
		err = layer_list(dir->lower, &lower);
	if (err)
		goto out;
	if (upper.n)
		qsort(upper.v, upper.n, sizeof(*upper.v), entry_cmp);
	if (lower.n)
		qsort(lower.v, lower.n, sizeof(*lower.v), entry_cmp);
	for (size_t i = 0; i < upper.n; i++) {
		struct ovl_entry *e = &upper.v[i];
		if (entry_is_whiteout(udir, e))
			continue;
		uint64_t ino = e->ino;
		struct ovl_entry *le = list_find(&lower, e->name);
		if (le && e->type == DT_DIR && le->type == DT_DIR)
			ino = le->ino;
		else
			ino = ovl_origin_lookup(osb, e->ino) ?: (e->ino | OVL_XINO_BIT);
		list_add(out, e->name, strlen(e->name), ino, e->type);
	}
	for (size_t i = 0; i < lower.n; i++) {
		struct ovl_entry *e = &lower.v[i];
		if (!list_find(&upper, e->name))
			list_add(out, e->name, strlen(e->name), e->ino, e->type);
	}
out:
	ovl_dirlist_free(&upper);
	ovl_dirlist_free(&lower);
	return err;
}

int ovl_clear_whiteouts(struct inode *udir)
{
	struct ovl_dirlist l = { 0 };
	int err = layer_list(udir, &l);

	for (size_t i = 0; !err && i < l.n; i++) {
		if (l.v[i].type != DT_CHR)
			continue;
		pthread_mutex_lock(&udir->lock);
		struct inode *wh = udir->ops->lookup(udir, l.v[i].name);
		if (!IS_ERR(wh)) {
			if (ovl_is_whiteout(wh)) {
				pthread_mutex_lock(&wh->lock);
				err = udir->ops->unlink(udir, l.v[i].name, wh);
				pthread_mutex_unlock(&wh->lock);
			}
			inode_put(wh);
		}
		pthread_mutex_unlock(&udir->lock);
	}
	ovl_dirlist_free(&l);
	return err;
}

struct ovl_dir_file {
	struct file f;
	struct ovl_dirlist list;
};

static int ovl_iterate(struct file *f, struct dir_context *ctx)
{
	struct ovl_dir_file *df = container_of(f, struct ovl_dir_file, f);
	struct ovl_inode *oi = OVL_I(f->inode);

	if (ctx->pos == 0 || !df->list.v) {
		ovl_dirlist_free(&df->list);
		int err = ovl_dir_collect(oi, &df->list);
		if (err)
			return err;
	}
	if (!dir_emit_dots(f, ctx, oi->parent ? oi->parent->vfs.ino : oi->vfs.ino))
		return 0;
	for (size_t i = (size_t)ctx->pos - 2; i < df->list.n; i++) {
		struct ovl_entry *e = &df->list.v[i];
		if (!ctx->emit(ctx, e->name, strlen(e->name), e->ino, e->type, (int64_t)i + 3))
			break;
		ctx->pos = (int64_t)i + 3;
	}
	return 0;
}

static void ovl_dir_release(struct file *f)
{
	ovl_dirlist_free(&container_of(f, struct ovl_dir_file, f)->list);
}

static const struct file_ops ovl_dir_fops = {
	.read = generic_read_dir,
	.llseek = generic_dir_llseek,
	.iterate_dir = ovl_iterate,
	.release = ovl_dir_release,
};

struct file *ovl_dir_open(struct ovl_inode *oi, int flags)
{
	return file_alloc(sizeof(struct ovl_dir_file), &ovl_dir_fops, &oi->vfs);
}
