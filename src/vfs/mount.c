/* Mounts, mount namespaces and paths. A mount joins a filesystem's root
 * dentry to a dentry of its parent mount; the walk crosses mounts with
 * lookup_mnt going down and follow_dotdot going up. */
#include <stdlib.h>
#include <string.h>

#include "vfs_internal.h"

struct mount *mntget(struct mount *m)
{
	pthread_mutex_lock(&dcache_lock);
	m->refs++;
	pthread_mutex_unlock(&dcache_lock);
	return m;
}

static void mount_free(struct mount *m)
{
	dput(m->mountpoint);
	d_drop(m->root);	/* frees the cached tree under it */
	dput(m->root);
	sb_put(m->sb);
	free(m->source);
	free(m);
}

void mntput(struct mount *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&dcache_lock);
	bool last = --m->refs == 0;
	pthread_mutex_unlock(&dcache_lock);
	if (last)
		mount_free(m);
}

void path_get(const struct path *p)
{
	pthread_mutex_lock(&dcache_lock);
	if (p->mnt)
		p->mnt->refs++;
	if (p->dentry)
		p->dentry->refs++;
	pthread_mutex_unlock(&dcache_lock);
}

void path_put(struct path *p)
{
	dput(p->dentry);
	mntput(p->mnt);
	p->dentry = NULL;
	p->mnt = NULL;
}

bool path_equal(const struct path *a, const struct path *b)
{
	return a->mnt == b->mnt && a->dentry == b->dentry;
}

static struct mount *mount_alloc(struct super_block *sb, unsigned flags, const char *source)
{
	struct mount *m = xzalloc(sizeof(*m));
	m->refs = 1;
	sb_get(sb);
	m->sb = sb;
	m->root = d_make_root(inode_get(sb->root));
	m->flags = flags;
	m->source = xstrdup(source ? source : "none");
	return m;
}

struct mount *kern_mount(struct super_block *sb)
{
	return mount_alloc(sb, 0, sb->fs_name);
}

struct mount_ns *mount_ns_new(struct super_block *sb, unsigned mnt_flags, const char *source)
{
	struct mount_ns *ns = xzalloc(sizeof(*ns));
	ns->refs = 1;
	TAILQ_INIT(&ns->mounts);
	ns->root = mount_alloc(sb, mnt_flags, source);
	ns->root->ns = ns;
	ns->root->id = ns->next_id++;
	TAILQ_INSERT_TAIL(&ns->mounts, ns->root, ns_entry);
	return ns;
}

void mount_ns_get(struct mount_ns *ns)
{
	ns->refs++;
}

void mount_ns_put(struct mount_ns *ns)
{
	if (--ns->refs > 0)
		return;
	/* Children first: each holds a reference on its parent's dentry. */
	struct mount *m;
	while ((m = TAILQ_LAST(&ns->mounts, mount_list_head))) {
		TAILQ_REMOVE(&ns->mounts, m, ns_entry);
		pthread_mutex_lock(&dcache_lock);
		if (m->mountpoint)
			m->mountpoint->mounted--;
		pthread_mutex_unlock(&dcache_lock);
		mntput(m->parent);
		mntput(m);
	}
	free(ns);
}

int vfs_mount(const struct path *at, struct super_block *sb, unsigned mnt_flags,
	      const char *source)
{
	struct inode *inode = d_inode(at->dentry);
	if (!inode || !S_ISDIR(inode->mode))
		return -ENOTDIR;
	struct mount *m = mount_alloc(sb, mnt_flags, source);
	struct mount_ns *ns = at->mnt->ns;
	pthread_mutex_lock(&dcache_lock);
	at->mnt->refs++;
	m->parent = at->mnt;
	at->dentry->refs++;
	m->mountpoint = at->dentry;
	at->dentry->mounted++;
	m->ns = ns;
	m->id = ns->next_id++;
	TAILQ_INSERT_TAIL(&ns->mounts, m, ns_entry);
	pthread_mutex_unlock(&dcache_lock);
	return 0;
}

struct mount *lookup_mnt(struct mount *mnt, struct dentry *d)
{
	struct mount *found = NULL, *m;

	pthread_mutex_lock(&dcache_lock);
	if (d->mounted && mnt->ns) {
		/* The last mount on a dentry hides the earlier ones. */
		TAILQ_FOREACH(m, &mnt->ns->mounts, ns_entry)
			if (m->parent == mnt && m->mountpoint == d)
				found = m;
		if (found)
			found->refs++;
	}
	pthread_mutex_unlock(&dcache_lock);
	return found;
}

void mount_ns_for_each(struct mount_ns *ns, void (*fn)(const struct mount *m, void *arg),
		       void *arg)
{
	struct mount *m;

	pthread_mutex_lock(&dcache_lock);
	TAILQ_FOREACH(m, &ns->mounts, ns_entry)
		fn(m, arg);
	pthread_mutex_unlock(&dcache_lock);
}

void follow_dotdot(struct path *p, const struct path *root)
{
	pthread_mutex_lock(&dcache_lock);
	for (;;) {
		if (p->mnt == root->mnt && p->dentry == root->dentry)
			break;
		if (p->dentry != p->mnt->root) {
			struct dentry *parent = p->dentry->parent;
			parent->refs++;
			pthread_mutex_unlock(&dcache_lock);
			dput(p->dentry);
			p->dentry = parent;
			return;
		}
		/* At a mount's root: continue from its mountpoint. */
		struct mount *m = p->mnt;
		if (!m->parent)
			break;
		m->parent->refs++;
		m->mountpoint->refs++;
		struct dentry *old_d = p->dentry;
		p->mnt = m->parent;
		p->dentry = m->mountpoint;
		pthread_mutex_unlock(&dcache_lock);
		dput(old_d);
		mntput(m);
		pthread_mutex_lock(&dcache_lock);
	}
	pthread_mutex_unlock(&dcache_lock);
}

/* Prepends "/NAME" to the string that ends at *END, staying within BUF. */
static int prepend(char *buf, char **end, const char *name)
{
	size_t len = strlen(name);
	if ((size_t)(*end - buf) < len + 1)
		return -ENAMETOOLONG;
	*end -= len;
	memcpy(*end, name, len);
	*--*end = '/';
	return 0;
}

int vfs_d_path(const struct path *p, const struct path *root, char *buf, size_t size)
{
	if (size < 2)
		return -ENAMETOOLONG;
	char *end = buf + size - 1;
	int err = 0;
	*end = '\0';
	bool deleted;

	pthread_mutex_lock(&dcache_lock);
	struct mount *m = p->mnt;
	struct dentry *d = p->dentry;
	deleted = !d->hashed;
	while (!(m == root->mnt && d == root->dentry)) {
		if (d == m->root) {
			if (!m->parent)
				break;
			d = m->mountpoint;
			m = m->parent;
			continue;
		}
		if (d->parent == d)
			break;
		err = prepend(buf, &end, d->name);
		if (err)
			break;
		d = d->parent;
	}
	pthread_mutex_unlock(&dcache_lock);
	if (err)
		return err;
	if (*end == '\0')
		*--end = '/';
	size_t len = (size_t)(buf + size - 1 - end);
	if (deleted) {
		if (len + 11 > size)
			return -ENAMETOOLONG;
		memmove(buf, end, len);
		memcpy(buf + len, " (deleted)", 11);
		return (int)(len + 10);
	}
	memmove(buf, end, len + 1);
	return (int)len;
}
