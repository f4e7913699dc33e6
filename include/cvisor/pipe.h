/* Pipes and FIFOs (src/fs/pipe), in the shape of Linux's
 * pipe_inode_info: a ring buffer with a capacity, counts of readers and
 * writers, and one wait queue for each side. An anonymous pipe (pipe(2))
 * lives on an inode of the internal pipefs; a FIFO's pipe hangs off its
 * inode (inode->pipe) from its first open to its last close, shared by
 * every opener. */
#ifndef CVISOR_PIPE_H
#define CVISOR_PIPE_H

#include "cvisor/vfs.h"

/* Writes of at most PIPE_BUF bytes are atomic. */
#define PIPE_BUF_SIZE 4096
/* The default capacity (16 pages) and /proc/sys/fs/pipe-max-size, the
 * largest F_SETPIPE_SZ without CAP_SYS_RESOURCE. */
#define PIPE_DEF_SIZE (16 * PAGE_SIZE)
#define PIPE_MAX_SIZE 1048576

/* Both ends of a new pipe: OUT[0] reads, OUT[1] writes. FLAGS may hold
 * O_NONBLOCK (the caller checked the rest); the inode belongs to CR's
 * fsuid and fsgid. */
void pipe_create(const struct creds *cr, int flags, struct file *out[2]);

/* Opens the FIFO INODE (vfs open of an S_IFIFO inode), as Linux's
 * fifo_open: O_RDONLY waits for a writer unless O_NONBLOCK, O_WRONLY
 * waits for a reader (O_NONBLOCK: -ENXIO without one), O_RDWR never
 * waits. A wait is interrupted with -ERESTARTSYS. */
struct file *fifo_open(struct inode *inode, int flags);

/* The path of the anonymous pipe F (from pipe(2)): its inode on pipefs,
 * which open(2) attaches to the same pipe, as Linux's fifo_open does
 * when /proc/<pid>/fd/N of a pipe is opened. -ENOENT for other files. */
int pipe_file_path(struct file *f, struct path *out);

/* F_GETPIPE_SZ and F_SETPIPE_SZ on F (-EBADF if F is not a pipe). */
long pipe_fcntl(struct file *f, const struct creds *cr, int cmd, unsigned arg);
/* Whether F is either end of a pipe or an open FIFO. */
bool file_is_pipe(struct file *f);
/* The bytes a splice may put into F's pipe now: its whole free pages, as
 * Linux's pipe buffers are pages (F a pipe file). */
size_t pipe_room(struct file *f);
/* The bytes F's pipe holds now; *WRITERS: whether it has writers. */
size_t pipe_held(struct file *f, bool *writers);
/* tee(2): copies up to LEN bytes held in IN's pipe to OUT's without
 * consuming them. Waits for data in IN (unless NONBLOCK or IN is
 * O_NONBLOCK) and for room in OUT (unless NONBLOCK); 0 when IN has no
 * data and no writer; -EINVAL for one pipe. */
ssize_t pipe_tee(struct file *in, struct file *out, size_t len, bool nonblock);

#endif
