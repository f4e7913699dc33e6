/* The memory character devices (Linux's drivers/char/mem.c and random.c):
 * null, zero, full, random, urandom. Randomness comes from the sentry's
 * own getrandom. */
#include <string.h>
#include <sys/random.h>
#include <sys/sysmacros.h>

#include "cvisor/fs.h"
#include "cvisor/vfs.h"

static ssize_t null_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	return 0;
}

static ssize_t sink_write(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	return (ssize_t)iov_total(iov, cnt);
}

static ssize_t zero_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	size_t total = 0;
	for (int i = 0; i < cnt; i++) {
		memset(iov[i].iov_base, 0, iov[i].iov_len);
		total += iov[i].iov_len;
	}
	return (ssize_t)total;
}

static ssize_t full_write(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	return -ENOSPC;
}

static ssize_t random_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	size_t total = 0;
	for (int i = 0; i < cnt; i++) {
		for (size_t done = 0; done < iov[i].iov_len;) {
			ssize_t n = getrandom((char *)iov[i].iov_base + done, iov[i].iov_len - done, 0);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				return total ? (ssize_t)total : -errno;
			}
			done += (size_t)n;
		}
		total += iov[i].iov_len;
	}
	return (ssize_t)total;
}

/* /dev/random is readable and never writable: Linux's random_poll once
 * its pool is ready, which the sentry's always is. /dev/urandom has no
 * poll method. */
static unsigned random_poll(struct file *f, struct poll_table *pt)
{
	return POLLIN | POLLRDNORM;
}

/* null and zero seek to 0 whatever is asked (Linux's null_lseek). */
static int64_t null_llseek(struct file *f, int64_t off, int whence)
{
	return f->pos = 0;
}

static const struct file_ops null_fops = {
	.read = null_read, .write = sink_write, .llseek = null_llseek,
};
static const struct file_ops zero_fops = {
	.read = zero_read, .write = sink_write, .llseek = null_llseek,
};
static const struct file_ops full_fops = {
	.read = zero_read, .write = full_write, .llseek = null_llseek,
};
/* Writes to the random devices are accepted (they only add entropy). */
static const struct file_ops random_fops = {
	.read = random_read, .write = sink_write, .llseek = null_llseek, .poll = random_poll,
};
static const struct file_ops urandom_fops = {
	.read = random_read, .write = sink_write, .llseek = null_llseek,
};

void devfs_register_mem_devices(void)
{
	chrdev_register(makedev(1, 3), &null_fops);
	chrdev_register(makedev(1, 5), &zero_fops);
	chrdev_register(makedev(1, 7), &full_fops);
	chrdev_register(makedev(1, 8), &random_fops);
	chrdev_register(makedev(1, 9), &urandom_fops);
}
