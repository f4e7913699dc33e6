/* Copy-up: before a lower file changes, it (and every ancestor missing
 * from the upper layer) is recreated in the upper with the same type,
 * data, owner, mode and times. The origin map keeps st_ino stable. */
#include <stdlib.h>

#include "overlay.h"

struct ovl_origin {
	RB_ENTRY(ovl_origin) node;
	uint64_t upper_ino, lower_ino;
};

static int origin_cmp(struct ovl_origin *a, struct ovl_origin *b)
{
	return a->upper_ino < b->upper_ino ? -1 : a->upper_ino > b->upper_ino;
}

RB_GENERATE_STATIC_UNUSED(ovl_origins, ovl_origin, node, origin_cmp)

uint64_t ovl_origin_lookup(struct ovl_sb *osb, uint64_t upper_ino)
{
	struct ovl_origin key = { .upper_ino = upper_ino };
	pthread_mutex_lock(&osb->origins_lock);
	struct ovl_origin *o = RB_FIND(ovl_origins, &osb->origins, &key);
	uint64_t ino = o ? o->lower_ino : 0;
	pthread_mutex_unlock(&osb->origins_lock);
	return ino;
}

void ovl_origin_add(struct ovl_sb *osb, uint64_t upper_ino, uint64_t lower_ino)
{
	struct ovl_origin *o = xzalloc(sizeof(*o));
	o->upper_ino = upper_ino;
	o->lower_ino = lower_ino;
	pthread_mutex_lock(&osb->origins_lock);
	struct ovl_origin *old = RB_INSERT(ovl_origins, &osb->origins, o);
	pthread_mutex_unlock(&osb->origins_lock);
	free(old ? o : NULL);
}

void ovl_origins_free(struct ovl_sb *osb)
{
	struct ovl_origin *o, *next;

	RB_FOREACH_SAFE(o, ovl_origins, &osb->origins, next) {
		RB_REMOVE(ovl_origins, &osb->origins, o);
		free(o);
	}
}

static struct file *layer_open(struct inode *inode, int flags, unsigned fmode)
{
	struct file *f = inode->ops->open ? inode->ops->open(inode, flags)
					  : file_alloc(sizeof(struct file), inode->fops, inode);
	if (!IS_ERR(f))
		f->fmode = fmode;
	return f;
}

static int copy_data(struct inode *lower, struct inode *upper)
{
	int err = 0;
	struct file *in = layer_open(lower, O_RDONLY, FMODE_READ);
	if (IS_ERR(in))
		return (int)PTR_ERR(in);
	struct file *out = layer_open(upper, O_WRONLY, FMODE_WRITE);
	if (IS_ERR(out)) {
		file_put(in);
		return (int)PTR_ERR(out);
	}
	char *buf = xmalloc(1 << 16);
	for (int64_t off = 0;;) {
		ssize_t n = vfs_kernel_read(in, buf, 1 << 16, off);
		if (n <= 0) {
			err = (int)n;
			break;
		}
		ssize_t w = vfs_kernel_write(out, buf, (size_t)n, off);
		if (w != n) {
			err = w < 0 ? (int)w : -EIO;
			break;
		}
		off += n;
	}
	free(buf);
	file_put(out);
	file_put(in);
	return err;
}

/* Makes the upper twin of OI in its parent's upper directory UDIR. */
static int create_twin(struct inode *udir, const char *name, struct inode *lower,
		       struct inode **out)
{
	const struct inode_ops *ops = udir->ops;
	mode_t mode = lower->mode;
	int err;

	pthread_mutex_lock(&udir->lock);
	switch (mode & S_IFMT) {
	case S_IFDIR:
		err = ops->mkdir(udir, name, mode, NULL, out);
		break;
	case S_IFREG:
		err = ops->create(udir, name, mode, NULL, out);
		break;
	case S_IFLNK: {
		char *target = xmalloc(VFS_PATH_MAX);
		int n = vfs_readlink_inode(lower, target, VFS_PATH_MAX - 1);
		err = n < 0 ? n : 0;
		if (!err) {
			target[n] = '\0';
			err = ops->symlink(udir, name, target, NULL, out);
		}
		free(target);
		break;
	}
	default:
		err = ops->mknod(udir, name, mode, lower->rdev, NULL, out);
		break;
	}
	pthread_mutex_unlock(&udir->lock);
	return err;
}

static int copy_up_one(struct ovl_inode *oi)
{
	struct inode *lower = oi->lower, *upper;
	struct inode *udir = ovl_upper(oi->parent);

	int err = create_twin(udir, oi->name, lower, &upper);
	if (err)
		return err;
	if (S_ISREG(lower->mode))
		err = copy_data(lower, upper);
	if (!err) {
		struct kstat st;
		err = vfs_getattr_inode(lower, &st);
		struct iattr ia = {
			.valid = ATTR_MODE | ATTR_UID | ATTR_GID | ATTR_ATIME | ATTR_MTIME,
			.mode = st.mode, .uid = st.uid, .gid = st.gid,
			.atime = st.atime, .mtime = st.mtime,
		};
		if (!err)
			err = inode_setattr(upper, &ia);
	}
	if (err) {
		/* Leave no half-copied file behind in the upper layer. */
		pthread_mutex_lock(&udir->lock);
		pthread_mutex_lock(&upper->lock);
		if (S_ISDIR(upper->mode))
			udir->ops->rmdir(udir, oi->name, upper);
		else
			udir->ops->unlink(udir, oi->name, upper);
		pthread_mutex_unlock(&upper->lock);
		pthread_mutex_unlock(&udir->lock);
		inode_put(upper);
		return err;
	}
	ovl_origin_add(OVL_SB(oi->vfs.sb), upper->ino, lower->ino);
	__atomic_store_n(&oi->upper, upper, __ATOMIC_RELEASE);
	/* A copied-up directory stays merged with its lower twin. */
	return 0;
}

int ovl_copy_up_locked(struct ovl_inode *oi)
{
	if (ovl_upper(oi))
		return 0;
	int err = ovl_copy_up_locked(oi->parent);
	if (err)
		return err;
	return copy_up_one(oi);
}

int ovl_copy_up(struct ovl_inode *oi)
{
	if (ovl_upper(oi))
		return 0;
	struct ovl_sb *osb = OVL_SB(oi->vfs.sb);
	pthread_mutex_lock(&osb->lock);
	int err = ovl_copy_up_locked(oi);
	pthread_mutex_unlock(&osb->lock);
	return err;
}
