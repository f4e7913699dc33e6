/* /dev: the memory devices, the stdio symlinks into /proc/self/fd, the
 * terminal devices, and empty directories for mounts (/dev/shm, /dev/pts). */
#include <linux/magic.h>
#include <sys/sysmacros.h>

#include "cvisor/fs.h"
#include "cvisor/kernfs.h"
#include "cvisor/tty.h"

static const struct {
	const char *name;
	unsigned minor;
} mem_devices[] = {
	{ "null", 3 }, { "zero", 5 }, { "full", 7 }, { "random", 8 }, { "urandom", 9 },
};

static const struct {
	const char *name, *target;
} links[] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
};

struct super_block *devfs_new(struct kernel *k)
{
	struct super_block *sb = kernfs_new_sb(k, "devtmpfs", TMPFS_MAGIC);
	struct inode *root = sb->root;

	root->mode = S_IFDIR | 0755;
	for (size_t i = 0; i < ARRAY_SIZE(mem_devices); i++)
		kernfs_add_chrdev(root, mem_devices[i].name, 0666, makedev(1, mem_devices[i].minor));
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		kernfs_add_symlink(root, links[i].name, links[i].target);
	/* /dev/tty: the caller's controlling terminal (tty_jobctl.c);
	 * /dev/ptmx: a new pseudo-terminal (fs/devpts). */
	kernfs_add_chrdev(root, "tty", 0666, makedev(5, 0));
	chrdev_register_opener(makedev(5, 0), tty_open_ctty);
	kernfs_add_chrdev(root, "ptmx", 0666, makedev(5, 2));
	chrdev_register_opener(makedev(5, 2), ptmx_open);
	kernfs_add_dir(root, "shm", 01777);
	kernfs_add_dir(root, "pts", 0755);
	return sb;
}
