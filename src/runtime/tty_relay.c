/* `cvisor do -t`: the sandbox's terminal is a pseudo-terminal of its
 * own; this copies between the caller's terminal and the master, as
 * runc's console or `docker run -t` do. The host terminal is put in raw
 * mode so every key (^C, ^Z, ^D) reaches the sandbox's line discipline,
 * which turns them into signals for the sandbox's foreground job; the
 * modes are restored on every way out (normal exit, atexit, and a fatal
 * signal in cvisor itself). A host SIGWINCH becomes the pty's window
 * size (cmd_do's signal forwarder calls tty_relay_winch). */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "cvisor/kernel.h"
#include "cvisor/tty.h"
#include "cvisor/vfs.h"
#include "cvisor/waitqueue.h"
#include "tty_relay.h"

struct relay_waiter {
	struct waiter w;
	struct tty_relay *r;
};

struct tty_relay {
	struct file *master;
	int in_fd, out_fd;	/* host: keys come from IN, the screen is OUT */
	int efd;		/* host eventfd: the master may have changed */
	struct relay_waiter waiters[2];
	int nr_waiters;
	atomic_bool stop;
	pthread_t thread;
};

/* The host terminal's modes before raw mode, restored once. */
static struct termios saved_modes;
static int saved_fd = -1;
static struct sigaction old_fatal[32];
static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

static void restore_modes(void)
{
	if (saved_fd >= 0)
		tcsetattr(saved_fd, TCSADRAIN, &saved_modes);
}

/* A fatal signal in cvisor: restore the terminal and let the previous
 * disposition act (a fault repeats on return; abort raises again). */
static void on_fatal(int sig)
{
	restore_modes();
	sigaction(sig, &old_fatal[sig], NULL);
}

static void make_raw(int fd)
{
	struct termios raw;
	if (tcgetattr(fd, &saved_modes) < 0)
		return;
	raw = saved_modes;
	cfmakeraw(&raw);
	if (tcsetattr(fd, TCSADRAIN, &raw) < 0)
		return;
	saved_fd = fd;
	atexit(restore_modes);
	struct sigaction sa = { .sa_handler = on_fatal };
	for (size_t i = 0; i < ARRAY_SIZE(fatal_sigs); i++)
		sigaction(fatal_sigs[i], &sa, &old_fatal[fatal_sigs[i]]);
}

static void relay_wake(struct waiter *w, unsigned key)
{
	(void)key;
	struct tty_relay *r = container_of(w, struct relay_waiter, w)->r;
	uint64_t one = 1;
	(void)!write(r->efd, &one, sizeof(one));
}

/* vfs_poll's queue callback: a function waiter on each of the master's
 * wait queues, for the relay's whole life. */
struct relay_poll {
	struct poll_table pt;
	struct tty_relay *r;
};

static void relay_queue(struct poll_table *pt, struct waitqueue *wq)
{
	struct tty_relay *r = container_of(pt, struct relay_poll, pt)->r;
	if (r->nr_waiters < (int)ARRAY_SIZE(r->waiters)) {
		struct relay_waiter *rw = &r->waiters[r->nr_waiters++];
		rw->r = r;
		waiter_add_fn(&rw->w, wq, relay_wake);
	}
}

static void write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);
		if (w < 0) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			if (errno == EAGAIN)
				poll(&p, 1, -1);
			else if (errno != EINTR)
				return;
			continue;
		}
		buf += w;
		n -= (size_t)w;
	}
}

/* Copies what the master has to the host screen. */
static void drain_master(struct tty_relay *r)
{
	char buf[4096];
	for (;;) {
		struct iovec iov = { buf, sizeof(buf) };
		int64_t pos = 0;
		ssize_t n = vfs_read(r->master, &iov, 1, &pos);
		if (n <= 0)
			return;
		write_all(r->out_fd, buf, (size_t)n);
	}
}

static void *relay_main(void *arg)
{
	struct tty_relay *r = arg;
	char in[4096];
	size_t in_len = 0, in_off = 0;
	bool in_eof = false;

	for (;;) {
		drain_master(r);
		/* Keys the line discipline had no room for go first. */
		while (in_off < in_len) {
			struct iovec iov = { in + in_off, in_len - in_off };
			int64_t pos = 0;
			ssize_t n = vfs_write(r->master, &iov, 1, &pos);
			if (n <= 0)
				break;
			in_off += (size_t)n;
		}
		if (in_off == in_len)
			in_off = in_len = 0;
		if (atomic_load(&r->stop))
			break;
		struct pollfd p[2] = { { .fd = r->efd, .events = POLLIN },
				       { .fd = r->in_fd, .events = POLLIN } };
		int np = in_eof || in_len ? 1 : 2;
		if (poll(p, (nfds_t)np, -1) < 0)
			continue;
		if (p[0].revents) {
			uint64_t v;
			(void)!read(r->efd, &v, sizeof(v));
		}
		if (np == 2 && p[1].revents) {
			ssize_t n = read(r->in_fd, in, sizeof(in));
			if (n > 0) {
				in_len = (size_t)n;
			} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				/* A terminal went away; a file or pipe ended,
				 * which the sandbox's terminal passes on. */
				in_eof = true;
				if (!isatty(r->in_fd))
					pty_send_eof(r->master);
			}
		}
	}
	return NULL;
}

void tty_relay_winch(struct tty_relay *r)
{
	struct winsize ws;
	if (r && ioctl(r->out_fd, TIOCGWINSZ, &ws) == 0)
		pty_set_winsize(r->master, &ws);
}

struct tty_relay *tty_relay_start(struct kernel *k, int in_fd, int out_fd, struct file **slave)
{
	struct tty_relay *r = xzalloc(sizeof(*r));
	if (pty_open_pair(k, &r->master, slave) < 0) {
		free(r);
		return NULL;
	}
	r->master->flags |= O_NONBLOCK;
	r->in_fd = in_fd;
	r->out_fd = out_fd;
	r->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct relay_poll q = { .pt = { .queue = relay_queue, .key = ~0U }, .r = r };
	vfs_poll(r->master, &q.pt);
	tty_relay_winch(r);
	if (isatty(in_fd))
		make_raw(in_fd);
	pthread_create(&r->thread, NULL, relay_main, r);
	return r;
}

void tty_relay_finish(struct tty_relay *r)
{
	atomic_store(&r->stop, true);
	uint64_t one = 1;
	(void)!write(r->efd, &one, sizeof(one));
	pthread_join(r->thread, NULL);
	for (int i = 0; i < r->nr_waiters; i++)
		waiter_finish(&r->waiters[i].w);
	restore_modes();
	saved_fd = -1;
	file_put(r->master);
	close(r->efd);
	free(r);
}
