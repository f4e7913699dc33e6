/* A task's root, working directory and umask (Linux's fs_struct). */
#include <stdlib.h>

#include "vfs_internal.h"

static struct fs_context *fs_context_alloc(const struct path *root, const struct path *cwd,
					   mode_t umask)
{
	struct fs_context *fs = xzalloc(sizeof(*fs));
	fs->refs = 1;
	pthread_mutex_init(&fs->lock, NULL);
	fs->root = *root;
	path_get(&fs->root);
	fs->cwd = *cwd;
	path_get(&fs->cwd);
	fs->umask = umask;
	return fs;
}

struct fs_context *fs_context_new(struct mount_ns *ns, const char *cwd, int *err)
{
	struct path root = { .mnt = ns->root, .dentry = ns->root->root };
	struct fs_context *fs = fs_context_alloc(&root, &root, 022);

	if (cwd && cwd[0]) {
		struct walk_base wb = { .fs = fs };
		struct path p;
		*err = vfs_lookup(&wb, cwd, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
		if (*err) {
			fs_context_put(fs);
			return NULL;
		}
		fs_context_set_cwd(fs, &p);
		path_put(&p);
	}
	*err = 0;
	return fs;
}

struct fs_context *fs_context_copy(struct fs_context *old)
{
	pthread_mutex_lock(&old->lock);
	struct fs_context *fs = fs_context_alloc(&old->root, &old->cwd, old->umask);
	pthread_mutex_unlock(&old->lock);
	return fs;
}

struct fs_context *fs_context_get(struct fs_context *fs)
{
	fs->refs++;
	return fs;
}

void fs_context_put(struct fs_context *fs)
{
	if (!fs || --fs->refs > 0)
		return;
	path_put(&fs->root);
	path_put(&fs->cwd);
	pthread_mutex_destroy(&fs->lock);
	free(fs);
}

void fs_context_root(struct fs_context *fs, struct path *out)
{
	pthread_mutex_lock(&fs->lock);
	*out = fs->root;
	path_get(out);
	pthread_mutex_unlock(&fs->lock);
}

void fs_context_cwd(struct fs_context *fs, struct path *out)
{
	pthread_mutex_lock(&fs->lock);
	*out = fs->cwd;
	path_get(out);
	pthread_mutex_unlock(&fs->lock);
}

void fs_context_set_cwd(struct fs_context *fs, const struct path *p)
{
	path_get(p);
	pthread_mutex_lock(&fs->lock);
	struct path old = fs->cwd;
	fs->cwd = *p;
	pthread_mutex_unlock(&fs->lock);
	path_put(&old);
}
