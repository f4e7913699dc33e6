/* /sys: the little of sysfs programs read to size themselves: the
 * sandbox's CPUs (glibc's get_nprocs reads devices/system/cpu/online)
 * and an empty fs/cgroup. Nothing of the host's /sys shows. */
#include <linux/magic.h>
#include <stdio.h>

#include "cvisor/fs.h"
#include "cvisor/kernel.h"
#include "cvisor/kernfs.h"

/* A CPU list as Linux's cpumask_print_to_pagebuf with a list: "0",
 * "0-3". ARG is the kernel. */
static int show_cpu_list(void *arg, struct kernfs_buf *b)
{
	const struct kernel *k = arg;
	if (k->ncpus > 1)
		kernfs_printf(b, "0-%u\n", k->ncpus - 1);
	else
		kernfs_printf(b, "0\n");
	return 0;
}

static int show_empty_list(void *arg, struct kernfs_buf *b)
{
	kernfs_printf(b, "\n");
	return 0;
}

static int show_kernel_max(void *arg, struct kernfs_buf *b)
{
	const struct kernel *k = arg;
	kernfs_printf(b, "%u\n", k->ncpus - 1);
	return 0;
}

static void add_cpus(struct inode *system, struct kernel *k)
{
	struct inode *cpu = kernfs_add_dir(system, "cpu", 0755);
	for (unsigned i = 0; i < k->ncpus; i++) {
		char name[16];
		snprintf(name, sizeof(name), "cpu%u", i);
		kernfs_add_dir(cpu, name, 0755);
	}
	kernfs_add_file(cpu, "kernel_max", 0444, show_kernel_max, k);
	kernfs_add_file(cpu, "offline", 0444, show_empty_list, NULL);
	kernfs_add_file(cpu, "online", 0444, show_cpu_list, k);
	kernfs_add_file(cpu, "possible", 0444, show_cpu_list, k);
	kernfs_add_file(cpu, "present", 0444, show_cpu_list, k);
}

struct super_block *sysfs_new(struct kernel *k)
{
	struct super_block *sb = kernfs_new_sb(k, "sysfs", SYSFS_MAGIC);
	sb->root->mode = S_IFDIR | 0555;
	struct inode *devices = kernfs_add_dir(sb->root, "devices", 0755);
	add_cpus(kernfs_add_dir(devices, "system", 0755), k);
	struct inode *fs = kernfs_add_dir(sb->root, "fs", 0755);
	kernfs_add_dir(fs, "cgroup", 0755);
	return sb;
}
