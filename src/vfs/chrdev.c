/* Character devices by number (Linux's cdev map): an open of an S_IFCHR
 * inode on any filesystem gets the registered file_ops. */
#include <sys/sysmacros.h>

#include "cvisor/vfs.h"

#define CHRDEV_MAX 64

static pthread_mutex_t chrdev_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	dev_t dev;
	const struct file_ops *fops;
} chrdevs[CHRDEV_MAX];
static int nr_chrdevs;

int chrdev_register(dev_t dev, const struct file_ops *fops)
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
	chrdevs[nr_chrdevs].fops = fops;
	nr_chrdevs++;
out:
	pthread_mutex_unlock(&chrdev_lock);
	return err;
}

const struct file_ops *chrdev_lookup(dev_t dev)
{
	const struct file_ops *fops = NULL;

	pthread_mutex_lock(&chrdev_lock);
	for (int i = 0; i < nr_chrdevs; i++)
		if (chrdevs[i].dev == dev)
			fops = chrdevs[i].fops;
	pthread_mutex_unlock(&chrdev_lock);
	return fops;
}
