/* /sys: an empty read-only tree for now, so the host's /sys stays out of
 * sight under the default root. */
#include <linux/magic.h>

#include "cvisor/fs.h"
#include "cvisor/kernfs.h"

struct super_block *sysfs_new(struct kernel *k)
{
	struct super_block *sb = kernfs_new_sb(k, "sysfs", SYSFS_MAGIC);
	sb->root->mode = S_IFDIR | 0555;
	return sb;
}
