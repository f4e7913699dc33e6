/* Character devices by number (Linux's cdev map): an open of an S_IFCHR
 * inode on any filesystem gets the registered file_ops, or what the
 * registered opener returns (devices that stand for another file, such
 * as /dev/tty). */
#include <sys/sysmacros.h>

#include "cvisor/vfs.h"

#define CHRDEV_MAX 64

static pthread_mutex_t chrdev_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	dev_t dev;
	bool whole_major;	/* every minor of dev's major */
	const struct file_ops *fops;
	chrdev_opener *open;
} chrdevs[CHRDEV_MAX];
static int nr_chrdevs;

static int add(dev_t dev, bool whole_major, const struct file_ops *fops, chrdev_opener *open)
{
	int err = 0;

	pthread_mutex_lock(&chrdev_lock);
	for (int i = 0; i < nr_chrdevs; i++)
		if (chrdevs[i].dev == dev)
			goto out;	/* registered already */
	if (nr_chrdevs == CHRDEV_MAX) {
		err = -ENOSPC;
		goto out;
	}
	chrdevs[nr_chrdevs].dev = dev;
	chrdevs[nr_chrdevs].whole_major = whole_major;
	chrdevs[nr_chrdevs].fops = fops;
	chrdevs[nr_chrdevs].open = open;
	nr_chrdevs++;
out:
	pthread_mutex_unlock(&chrdev_lock);
	return err;
}

int chrdev_register(dev_t dev, const struct file_ops *fops)
{
	return add(dev, false, fops, NULL);
}

int chrdev_register_opener(dev_t dev, chrdev_opener *open)
{
	return add(dev, false, NULL, open);
}

int chrdev_register_major_opener(unsigned major, chrdev_opener *open)
{
	return add(makedev(major, 0), true, NULL, open);
}

struct file *chrdev_open(struct inode *inode, int flags)
{
	const struct file_ops *fops = NULL;
	chrdev_opener *open = NULL;

	pthread_mutex_lock(&chrdev_lock);
	for (int i = 0; i < nr_chrdevs; i++)
		if (chrdevs[i].whole_major ? major(chrdevs[i].dev) == major(inode->rdev)
					   : chrdevs[i].dev == inode->rdev) {
			fops = chrdevs[i].fops;
			open = chrdevs[i].open;
		}
	pthread_mutex_unlock(&chrdev_lock);
	if (open)
		return open(inode, flags);
	/* No driver for the number: ENXIO, as chrdev_open. */
	if (!fops)
		return ERR_PTR(-ENXIO);
	return file_alloc(sizeof(struct file), fops, inode);
}
