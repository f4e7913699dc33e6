/* The container's tree as the CLI asks for it, and the mount hook for
 * synthetic filesystems (/proc, /sys) added later. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cvisor/fs.h"
#include "vfs_internal.h"

int vfs_mount_at(struct mount_ns *ns, const char *path, struct super_block *sb,
		 unsigned mnt_flags, const char *source)
{
	int err;
	struct fs_context *fs = fs_context_new(ns, "/", &err);
	if (!fs)
		return err;
	struct walk_base wb = { .fs = fs };
	struct path p;
	err = vfs_lookup(&wb, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (err == -ENOENT) {
		err = vfs_mkdir(&wb, path, 0755);
		if (!err)
			err = vfs_lookup(&wb, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	}
	if (!err) {
		err = vfs_mount(&p, sb, mnt_flags, source);
		path_put(&p);
	}
	fs_context_put(fs);
	return err;
}

struct mount_ns *vfs_build_root(struct kernel *k, const char *host_root_dir, bool overlay,
				char *errbuf, size_t errlen)
{
	int fd = open(host_root_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(errbuf, errlen, "root directory %s: %s", host_root_dir,
			 errno == ENOTDIR ? "not a directory" : strerror(errno));
		return NULL;
	}
	struct super_block *lower = hostfs_new(k, fd);
	if (IS_ERR(lower)) {
		snprintf(errbuf, errlen, "root directory %s: %s", host_root_dir,
			 strerror((int)-PTR_ERR(lower)));
		return NULL;
	}
	struct super_block *root = overlay ? overlay_new(k, tmpfs_new(k, 0755), lower) : lower;
	struct mount_ns *ns = mount_ns_new(root, 0, overlay ? "overlay" : host_root_dir);
	sb_put(root);

	devfs_register_mem_devices();
	struct super_block *dev = devfs_new(k);
	int err = vfs_mount_at(ns, "/dev", dev, MNT_NOSUID | MNT_NOEXEC, "devtmpfs");
	sb_put(dev);
	if (err) {
		snprintf(errbuf, errlen, "mounting /dev in %s: %s%s", host_root_dir,
			 strerror(-err), overlay ? "" : " (a read-only root needs a /dev directory)");
		mount_ns_put(ns);
		return NULL;
	}
	struct super_block *shm = tmpfs_new(k, 01777);
	err = vfs_mount_at(ns, "/dev/shm", shm, MNT_NOSUID | MNT_NODEV, "shm");
	sb_put(shm);
	if (err) {
		snprintf(errbuf, errlen, "mounting /dev/shm: %s", strerror(-err));
		mount_ns_put(ns);
		return NULL;
	}
	return ns;
}
