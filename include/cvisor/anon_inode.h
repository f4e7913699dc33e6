/* Anonymous-inode files (Linux's fs/anon_inodes.c): eventfd, epoll and
 * signalfd files belong to no mounted filesystem; /proc/pid/fd shows
 * them as "anon_inode:[NAME]". */
#ifndef CVISOR_ANON_INODE_H
#define CVISOR_ANON_INODE_H

#include <stddef.h>
#include <stdint.h>

struct creds;
struct file;
struct file_ops;

/* A new file of SIZE bytes (the caller's struct, struct file first) with
 * OPS on a fresh inode of the anonymous filesystem NAME ("eventfd"),
 * opened O_RDWR plus the O_NONBLOCK of FLAGS, owned by CR. One
 * reference. */
struct file *anon_inode_file(const char *name, const struct file_ops *ops, size_t size,
			     int flags, const struct creds *cr);

/* The eventfd, epoll and signalfd kinds, for code that must recognise
 * them (epoll's loop check, a signalfd mask update). */
extern const struct file_ops eventfd_fops;
extern const struct file_ops eventpoll_fops;
extern const struct file_ops signalfd_fops;

/* eventfd2(INITVAL, FLAGS) without the fd: the new file in *OUT, or
 * -EINVAL for unknown flags (fs/eventfd). */
long eventfd_create(const struct creds *cr, unsigned initval, int flags, struct file **out);

/* signalfd4 without the fds: UFD -1 makes a new file (*OUT); otherwise
 * *OUT is the file at UFD, which must be a signalfd (-EINVAL), and gets
 * MASK (fs/signalfd). */
struct task;
long signalfd_setup(struct task *t, int ufd, uint64_t mask, int flags, struct file **out);

#endif
