/* pipe internals: the byte ring, the pipe object and its open files.
 *
 * Locking: inode->lock guards inode->pipe and pipe->files (attaching a
 * FIFO's pipe at open, detaching it at the last close); pipe->lock guards
 * everything else and comes before the wait queues' locks. Nobody holds
 * pipe->lock while sleeping. */
#ifndef CVISOR_FS_PIPE_INTERNAL_H
#define CVISOR_FS_PIPE_INTERNAL_H

#include "cvisor/pipe.h"
#include "cvisor/waitqueue.h"

/* SIZE bytes in a circle (the buffer is allocated by the first write):
 * LEN of them held, the oldest at HEAD. */
struct pipe_ring {
	char *buf;
	size_t size;
	size_t head;
	size_t len;
};

/* Copies N bytes (which must fit) from IOV, SKIP bytes in, to the end. */
void ring_write(struct pipe_ring *r, const struct iovec *iov, int cnt, size_t skip, size_t n);
/* Moves the oldest N (<= len) bytes into IOV. */
void ring_read(struct pipe_ring *r, const struct iovec *iov, int cnt, size_t n);
/* Copies the oldest N (<= len) bytes into BUF, leaving them held. */
void ring_peek(const struct pipe_ring *r, void *buf, size_t n);
/* Changes the capacity to SIZE: -EBUSY if more than that is held. */
int ring_resize(struct pipe_ring *r, size_t size);
void ring_free(struct pipe_ring *r);

struct pipe_inode_info {
	pthread_mutex_t lock;
	struct pipe_ring ring;		/* [lock] */
	int readers, writers;		/* [lock] open files of each side */
	/* [lock] opens of each side so far: what a FIFO open waiting for
	 * its partner watches. */
	unsigned r_counter, w_counter;
	int files;			/* [inode->lock] open files sharing it */
	struct waitqueue rd_wait;	/* data came, the last writer left */
	struct waitqueue wr_wait;	/* room came, the last reader left */
};

/* The open file of either end of a pipe or of a FIFO. */
struct pipe_file {
	struct file vfs;
	struct pipe_inode_info *pipe;
	bool reader, writer;		/* counted in pipe->readers, writers */
	/* pipe->w_counter when a FIFO was opened O_RDONLY|O_NONBLOCK with
	 * no writer: no POLLHUP before a writer has come (Linux's
	 * f_version). */
	unsigned w_seen;
};

extern const struct file_ops pipe_fops;

struct pipe_inode_info *pipe_new(void);
/* Drops one open file of P, freeing the pipe (and detaching it from
 * INODE) with the last one. */
void pipe_put_files(struct inode *inode, struct pipe_inode_info *p);
/* Sleeps once on WQ (queuing W there) with P locked, unlocking it while
 * asleep: 0 when woken, -ERESTARTSYS if a signal or exit interrupted.
 * The kernel itself (no task) cannot wait: -EAGAIN. The caller
 * re-checks its condition and finally calls waiter_finish(W). */
int pipe_wait(struct pipe_inode_info *p, struct waiter *w, struct waitqueue *wq);
/* A file on P for INODE, opened with FLAGS (its access mode says which
 * sides the caller counted it in). */
struct file *pipe_file_new(struct inode *inode, struct pipe_inode_info *p, int flags);

#endif
