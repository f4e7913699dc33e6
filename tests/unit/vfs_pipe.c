/* Pipes: the ring buffer across its wrap-around and a resize, PIPE_BUF
 * atomicity, poll masks and the wait queues ->poll names, EOF and EPIPE,
 * FIFOs on tmpfs sharing one pipe; then blocking reads, writes and FIFO
 * opens of a bare task on its own thread, woken by the main thread or
 * interrupted. */
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include "cvisor/pipe.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "vfs_test.h"

static ssize_t put(struct file *f, char c, size_t n)
{
	static char buf[PIPE_DEF_SIZE * 2];
	memset(buf, c, n);
	struct iovec iov = { buf, n };
	return vfs_write(f, &iov, 1, NULL);
}

static ssize_t get(struct file *f, char *buf, size_t n)
{
	struct iovec iov[2] = { { buf, n / 2 }, { buf + n / 2, n - n / 2 } };
	return vfs_read(f, iov, 2, NULL);
}

struct queued {
	struct poll_table pt;
	int n;
};

static void count_queue(struct poll_table *pt, struct waitqueue *wq)
{
	container_of(pt, struct queued, pt)->n++;
}

static void test_ring(void)
{
	static char buf[PIPE_DEF_SIZE];
	struct file *p[2];

	pipe_create(&root_creds, O_NONBLOCK, p);
	CHECK_EQ(get(p[0], buf, 10), -EAGAIN);
	CHECK_EQ(vfs_poll(p[0], NULL), 0);
	CHECK_EQ(vfs_poll(p[1], NULL), POLLOUT | POLLWRNORM);
	struct queued q = { .pt.queue = count_queue };
	vfs_poll(p[0], &q.pt);
	CHECK(q.n > 0);

	/* Fill, drain part, refill across the end of the buffer. */
	CHECK_EQ(put(p[1], 'a', PIPE_DEF_SIZE - 10), PIPE_DEF_SIZE - 10);
	CHECK_EQ(put(p[1], 'b', PIPE_BUF_SIZE), -EAGAIN);
	CHECK_EQ(vfs_poll(p[1], NULL), 0);
	CHECK_EQ(vfs_poll(p[0], NULL), POLLIN | POLLRDNORM);
	CHECK_EQ(get(p[0], buf, 100), 100);
	CHECK_EQ(put(p[1], 'b', 110), 110);
	CHECK_EQ(put(p[1], 'c', 1), -EAGAIN);
	/* Shrinking below the data held fails; growing keeps it in order. */
	CHECK_EQ(pipe_fcntl(p[1], NULL, F_SETPIPE_SZ, 4096), -EBUSY);
	CHECK_EQ(pipe_fcntl(p[1], NULL, F_SETPIPE_SZ, PIPE_DEF_SIZE + 1), 2 * PIPE_DEF_SIZE);
	CHECK_EQ(pipe_fcntl(p[0], NULL, F_GETPIPE_SZ, 0), 2 * PIPE_DEF_SIZE);
	CHECK_EQ(put(p[1], 'c', 5), 5);
	CHECK_EQ(get(p[0], buf, sizeof(buf)), PIPE_DEF_SIZE);
	CHECK(buf[0] == 'a' && buf[PIPE_DEF_SIZE - 111] == 'a');
	CHECK(buf[PIPE_DEF_SIZE - 110] == 'b' && buf[PIPE_DEF_SIZE - 1] == 'b');
	CHECK_EQ(get(p[0], buf, sizeof(buf)), 5);
	CHECK(buf[0] == 'c' && buf[4] == 'c');

	/* The last writer gone: EOF and POLLHUP; the reader gone: EPIPE. */
	file_put(p[1]);
	CHECK_EQ(get(p[0], buf, 10), 0);
	CHECK_EQ(vfs_poll(p[0], NULL), POLLHUP);
	file_put(p[0]);
	pipe_create(&root_creds, 0, p);
	file_put(p[0]);
	CHECK_EQ(put(p[1], 'x', 1), -EPIPE);
	CHECK_EQ(vfs_poll(p[1], NULL), POLLOUT | POLLWRNORM | POLLERR);
	file_put(p[1]);
}

static void test_fifo(struct walk_base *wbp)
{
	struct walk_base wb = *wbp;
	struct file *rw, *r, *w;
	char buf[8];

	CHECK_EQ(vfs_mknod(&wb, "/f", S_IFIFO | 0600, 0), 0);
	CHECK_EQ(vfs_open(&wb, "/f", O_WRONLY | O_NONBLOCK, 0, &w), -ENXIO);
	/* Without a task nothing can wait for the other side. */
	CHECK_EQ(vfs_open(&wb, "/f", O_RDONLY, 0, &r), -EAGAIN);
	CHECK_EQ(vfs_open(&wb, "/f", O_RDONLY | O_NONBLOCK, 0, &r), 0);
	CHECK_EQ(vfs_poll(r, NULL), 0);
	CHECK_EQ(vfs_open(&wb, "/f", O_RDWR, 0, &rw), 0);
	CHECK_EQ(vfs_open(&wb, "/f", O_WRONLY, 0, &w), 0);
	CHECK_EQ(put(w, 'z', 3), 3);
	CHECK_EQ(get(r, buf, sizeof(buf)), 3);
	file_put(rw);
	file_put(w);
	/* A writer came and went: now EOF comes with POLLHUP. */
	CHECK_EQ(vfs_poll(r, NULL), POLLHUP);
	CHECK_EQ(get(r, buf, sizeof(buf)), 0);
	file_put(r);
	CHECK_EQ(vfs_unlink(&wb, "/f"), 0);
}

/* What the task thread does, and what came of it. */
struct blocked {
	struct task t;
	pthread_t thread;
	struct file *f;
	size_t size;
	ssize_t ret;
	struct walk_base *wb;	/* set: open "/f" O_RDONLY into f */
};

static void *blocked_run(void *arg)
{
	static char buf[3 * PIPE_DEF_SIZE];
	struct blocked *b = arg;
	current_task = &b->t;
	if (b->wb) {
		b->ret = vfs_open(b->wb, "/f", O_RDONLY, 0, &b->f);
	} else {
		struct iovec iov = { buf, b->size };
		b->ret = b->size ? vfs_write(b->f, &iov, 1, NULL) : get(b->f, buf, 10);
	}
	return NULL;
}

static void blocked_start(struct blocked *b)
{
	task_init_wake(&b->t);
	pthread_create(&b->thread, NULL, blocked_run, b);
	usleep(50000);	/* long enough to be asleep */
}

static void test_blocking(struct walk_base *wb)
{
	static char buf[PIPE_DEF_SIZE];
	struct file *p[2];
	pipe_create(&root_creds, 0, p);

	/* A read waits for data. */
	struct blocked b = { .f = p[0] };
	blocked_start(&b);
	CHECK_EQ(put(p[1], 'x', 2), 2);
	pthread_join(b.thread, NULL);
	CHECK_EQ(b.ret, 2);

	/* A write bigger than the pipe waits for every byte to be read. */
	b = (struct blocked){ .f = p[1], .size = 2 * PIPE_DEF_SIZE + 7 };
	blocked_start(&b);
	size_t got = 0;
	while (got < b.size) {
		ssize_t n = get(p[0], buf, sizeof(buf));
		if (n == -EAGAIN)
			usleep(1000);
		else if (n > 0)
			got += (size_t)n;
		else
			break;
	}
	pthread_join(b.thread, NULL);
	CHECK_EQ(b.ret, b.size);
	CHECK_EQ(got, b.size);

	/* A signal ends the wait: the syscall restarts. */
	b = (struct blocked){ .f = p[0] };
	blocked_start(&b);
	task_interrupt_locked(&b.t);
	pthread_join(b.thread, NULL);
	CHECK_EQ(b.ret, -ERESTARTSYS);
	file_put(p[0]);
	file_put(p[1]);

	/* A FIFO's reader waits for a writer. */
	CHECK_EQ(vfs_mknod(wb, "/f", S_IFIFO | 0600, 0), 0);
	b = (struct blocked){ .wb = wb };
	blocked_start(&b);
	struct file *w;
	CHECK_EQ(vfs_open(wb, "/f", O_WRONLY, 0, &w), 0);
	pthread_join(b.thread, NULL);
	CHECK_EQ(b.ret, 0);
	if (!b.ret)
		file_put(b.f);
	file_put(w);
	/* ...interruptibly. */
	b = (struct blocked){ .wb = wb };
	blocked_start(&b);
	task_interrupt_locked(&b.t);
	pthread_join(b.thread, NULL);
	CHECK_EQ(b.ret, -ERESTARTSYS);
	CHECK_EQ(vfs_unlink(wb, "/f"), 0);
}

int main(void)
{
	test_kernel_init();
	test_ring();
	struct super_block *sb = tmpfs_new(&test_kernel, 0755);
	struct mount_ns *ns = mount_ns_new(sb, 0, "tmpfs");
	sb_put(sb);
	int err;
	struct fs_context *fs = fs_context_new(ns, "/", &err);
	struct walk_base wb = { .fs = fs, .cr = &root_creds };
	test_fifo(&wb);
	test_blocking(&wb);
	fs_context_put(fs);
	mount_ns_put(ns);
	return test_finish("vfs_pipe");
}
