/* The poller's side of poll_table (Linux's poll_wqueues, fs/select.c):
 * while a poll or select call looks at its files the first time, every
 * wait queue a file names gets a waiter for the calling task and every
 * host fd goes on a list; a call that finds nothing ready then sleeps
 * until one of them fires. Host fds need poll(2), so a call with any
 * sleeps there (task_block_host) rather than on the task's condition
 * variable. */
#include <poll.h>
#include <stdlib.h>

#include "cvisor/kernel.h"
#include "cvisor/task.h"
#include "cvisor/vfs.h"

#define POLL_BLOCK_ENTRIES 32

/* A waiter on a wait queue, or (waiter unused) a host fd; either way a
 * reference to the file that owns it, which keeps it alive. */
struct poll_entry {
	struct waiter w;
	struct file *file;
};

struct poll_entry_block {
	struct poll_entry_block *next;
	int n;
	struct poll_entry entries[POLL_BLOCK_ENTRIES];
};

static struct poll_entry *new_entry(struct poll_wqueues *pw)
{
	struct poll_entry_block *b = pw->blocks;
	if (!b || b->n == POLL_BLOCK_ENTRIES) {
		b = xzalloc(sizeof(*b));
		b->next = pw->blocks;
		pw->blocks = b;
	}
	struct poll_entry *e = &b->entries[b->n++];
	e->file = file_get(pw->file);
	return e;
}

static void queue_wq(struct poll_table *pt, struct waitqueue *wq)
{
	struct poll_wqueues *pw = container_of(pt, struct poll_wqueues, pt);
	waiter_add(&new_entry(pw)->w, pw->task, wq);
}

static void queue_host(struct poll_table *pt, int host_fd, short events)
{
	struct poll_wqueues *pw = container_of(pt, struct poll_wqueues, pt);
	new_entry(pw);
	pw->host_fds = xrealloc(pw->host_fds, sizeof(*pw->host_fds) * (size_t)(pw->nr_host + 1));
	pw->host_fds[pw->nr_host++] = (struct pollfd){ .fd = host_fd, .events = events };
}

void poll_initwait(struct poll_wqueues *pw, struct task *t)
{
	*pw = (struct poll_wqueues){
		.pt = { .queue = queue_wq, .queue_host = queue_host },
		.task = t,
	};
}

unsigned poll_file(struct poll_wqueues *pw, struct file *f, unsigned key)
{
	pw->file = f;
	pw->pt.key = key;
	unsigned mask = vfs_poll(f, &pw->pt);
	pw->file = NULL;
	return mask;
}

void poll_stop_queuing(struct poll_wqueues *pw)
{
	pw->pt.queue = NULL;
	pw->pt.queue_host = NULL;
}

int poll_schedule_timeout(struct poll_wqueues *pw, int64_t deadline)
{
	struct task *t = pw->task;
	int64_t host_deadline = -1;
	if (deadline >= 0)
		host_deadline = host_monotonic_ns() + MAX(deadline - kernel_monotonic_ns(t->k), 0);
	if (!pw->nr_host)
		return task_block(t, host_deadline);
	int ret = task_block_host(t, pw->host_fds, pw->nr_host, host_deadline);
	/* The host reports POLLHUP and POLLERR unasked, which may not make
	 * the file ready for this caller (POLLHUP to select for writing):
	 * such an fd is not waited on again, or the wait would spin. */
	for (int i = 0; i < pw->nr_host; i++) {
		struct pollfd *p = &pw->host_fds[i];
		if (p->revents && !(p->revents & p->events))
			p->fd = -1;
	}
	return ret;
}

void poll_freewait(struct poll_wqueues *pw)
{
	struct poll_entry_block *b, *next;
	for (b = pw->blocks; b; b = next) {
		next = b->next;
		for (int i = 0; i < b->n; i++) {
			waiter_finish(&b->entries[i].w);
			file_put(b->entries[i].file);
		}
		free(b);
	}
	free(pw->host_fds);
}
