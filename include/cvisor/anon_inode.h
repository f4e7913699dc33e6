/* The files made on anonymous inodes (anon_inode_file in vfs.h): eventfd,
 * epoll and signalfd, as other code needs to see them. */
#ifndef CVISOR_ANON_INODE_H
#define CVISOR_ANON_INODE_H

#include <stddef.h>
#include <stdint.h>

struct creds;
struct file;
struct file_ops;

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

/* pidfds (fs/pidfd): a new one for process TG (ts_lock held; FLAGS:
 * O_NONBLOCK); the process a pidfd names, NULL once reaped (ts_lock
 * held); its tgid, found or not. */
struct thread_group;
extern const struct file_ops pidfd_fops;
struct file *pidfd_new_locked(const struct creds *cr, struct thread_group *tg, int flags);
struct thread_group *pidfd_tg_locked(struct file *f);
int pidfd_tgid(struct file *f);

#endif
