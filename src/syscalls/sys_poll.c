/* poll, ppoll, select and pselect6, as Linux's fs/select.c: a pass over
 * the fds looks at each file (the first pass also queues the task on
 * what the file names, poll_wqueues); if nothing is ready the task
 * sleeps and passes again, until something is, the timeout passes or a
 * signal comes (-ERESTARTNOHAND, which a handler turns into EINTR).
 *
 * A timeout is kept as an end time on the sandbox's monotonic clock:
 * END_NOW (0) for a call that does not wait, END_NEVER for none. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "cvisor/fd_table.h"
#include "cvisor/kernel.h"
#include "cvisor/signal.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"
#include "cvisor/vfs.h"
#include "fs_util.h"

#define END_NOW 0
#define END_NEVER (-1)

/* The events that make an fd ready for each of select's sets. */
#define POLLIN_SET (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR | POLLNVAL)
#define POLLOUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR | POLLNVAL)
#define POLLEX_SET (POLLPRI | POLLNVAL)

/* The end time of a wait of TS from now (Linux's
 * poll_select_set_timeout): -EINVAL if TS is not a valid duration. */
static int end_time(struct task *t, const struct timespec *ts, int64_t *end)
{
	int64_t ns;
	if (timespec_to_ns(ts, &ns) < 0)
		return -EINVAL;
	*end = ns ? kernel_monotonic_ns(t->k) + ns : END_NOW;
	return 0;
}

/* ppoll's and pselect6's start: the timespec at UTIME (none: no
 * timeout), then the signal mask at UMASK, if any, for the length of the
 * call (Linux's set_user_sigmask). */
static int timeout_and_sigmask(struct task *t, uaddr_t utime, uaddr_t umask, size_t size,
			       int64_t *end)
{
	*end = END_NEVER;
	if (utime) {
		struct timespec ts;
		if (copy_in(t, &ts, utime, sizeof(ts)) < 0)
			return -EFAULT;
		if (end_time(t, &ts, end) < 0)
			return -EINVAL;
	}
	return set_user_sigmask(t, umask, size);
}

/* The end of every call but poll (Linux's poll_select_finish): the
 * temporary mask goes now unless a handler is about to run (its frame
 * records the saved mask), and the time left is written back to UTIME
 * (a timeval for select). A call interrupted with its time left not
 * written back cannot be restarted, which would wait the whole time
 * again: EINTR. Any other failure to write is ignored. */
static long poll_select_finish(struct task *t, int64_t end, uaddr_t utime, bool timeval,
			       long ret)
{
	if (ret != -ERESTARTNOHAND)
		signal_restore_saved_mask(t);
	if (!utime || end == END_NOW)
		return ret;
	struct timespec left = ns_to_timespec(MAX(end - kernel_monotonic_ns(t->k), 0));
	struct timeval tv = { .tv_sec = left.tv_sec, .tv_usec = left.tv_nsec / 1000 };
	int err = timeval ? copy_out(t, utime, &tv, sizeof(tv))
			  : copy_out(t, utime, &left, sizeof(left));
	return err < 0 && ret == -ERESTARTNOHAND ? -EINTR : ret;
}

/* The events of KEY the file at FD has; POLLNVAL if no file can be
 * polled there. */
static unsigned poll_fd(struct task *t, struct poll_wqueues *pw, int fd, unsigned key)
{
	struct file *f = task_fget_nopath(t, fd);
	if (!f)
		return POLLNVAL;
	unsigned mask = poll_file(pw, f, key) & key;
	file_put(f);
	return mask;
}

/* One look at every fd: how many are ready. */
typedef long (*poll_pass_fn)(struct task *t, struct poll_wqueues *pw, void *arg);

/* The loop of do_poll and do_select: passes until one finds something,
 * the end time passes or a signal comes (-ERESTARTNOHAND). Only the
 * first pass queues, and only until something is ready. */
static long poll_until(struct task *t, int64_t end, poll_pass_fn pass, void *arg)
{
	struct poll_wqueues pw;
	bool timed_out = end == END_NOW;
	long count;

	poll_initwait(&pw, t);
	if (timed_out)
		poll_stop_queuing(&pw);
	for (;;) {
		count = pass(t, &pw, arg);
		poll_stop_queuing(&pw);
		if (!count && task_signal_pending(t))
			count = -ERESTARTNOHAND;
		if (count || timed_out)
			break;
		timed_out = poll_schedule_timeout(&pw, end) == -ETIMEDOUT;
	}
	poll_freewait(&pw);
	return count;
}

/* ---- poll, ppoll ---- */

struct poll_list {
	struct pollfd *fds;
	unsigned nfds;
};

/* A pass of do_poll (do_pollfd for each entry): a negative fd is
 * skipped; the events asked for are reported, POLLERR and POLLHUP
 * always. */
static long poll_pass(struct task *t, struct poll_wqueues *pw, void *arg)
{
	struct poll_list *list = arg;
	long count = 0;
	for (unsigned i = 0; i < list->nfds; i++) {
		struct pollfd *p = &list->fds[i];
		unsigned mask = 0;
		if (p->fd >= 0)
			mask = poll_fd(t, pw, p->fd, (unsigned short)p->events | POLLERR | POLLHUP);
		p->revents = (short)mask;
		if (mask) {
			count++;
			poll_stop_queuing(pw);
		}
	}
	return count;
}

/* Linux's do_sys_poll: the pollfds in, do_poll, the revents out (even
 * when interrupted). */
static long do_sys_poll(struct task *t, uaddr_t ufds, unsigned nfds, int64_t end)
{
	if (nfds > task_nofile(t))
		return -EINVAL;
	size_t size = sizeof(struct pollfd) * nfds;
	struct pollfd *fds = xmalloc(MAX(size, 1));
	long ret = -EFAULT;
	if (copy_in(t, fds, ufds, size) == 0) {
		ret = poll_until(t, end, poll_pass, &(struct poll_list){ fds, nfds });
		for (unsigned i = 0; i < nfds; i++) {
			uaddr_t revents = ufds + sizeof(*fds) * i + offsetof(struct pollfd, revents);
			if (copy_out(t, revents, &fds[i].revents, sizeof(fds[i].revents)) < 0) {
				ret = -EFAULT;
				break;
			}
		}
	}
	free(fds);
	return ret;
}

static long poll_restart(struct task *t);

/* poll(2) interrupted goes on through restart_syscall(2) with the same
 * end time when no handler runs (do_restart_poll); a handler, even with
 * SA_RESTART, makes it EINTR. */
static long poll_or_restart(struct task *t, uaddr_t ufds, unsigned nfds, int64_t end)
{
	long ret = do_sys_poll(t, ufds, nfds, end);
	if (ret != -ERESTARTNOHAND)
		return ret;
	t->restart.fn = poll_restart;
	t->restart.poll = (struct restart_poll){ ufds, nfds, end };
	return -ERESTART_RESTARTBLOCK;
}

static long poll_restart(struct task *t)
{
	struct restart_poll r = t->restart.poll;
	return poll_or_restart(t, r.ufds, r.nfds, r.end);
}

long sys_poll(struct task *t, const struct syscall_args *a)
{
	int timeout_ms = (int)a->arg[2];
	int64_t end = END_NEVER;
	if (timeout_ms >= 0) {
		struct timespec ts = { timeout_ms / 1000, timeout_ms % 1000 * 1000000L };
		end_time(t, &ts, &end);
	}
	return poll_or_restart(t, a->arg[0], (unsigned)a->arg[1], end);
}

long sys_ppoll(struct task *t, const struct syscall_args *a)
{
	int64_t end;
	int err = timeout_and_sigmask(t, a->arg[2], a->arg[3], a->arg[4], &end);
	if (err < 0)
		return err;
	long ret = do_sys_poll(t, a->arg[0], (unsigned)a->arg[1], end);
	return poll_select_finish(t, end, a->arg[2], false, ret);
}

/* ---- select, pselect6 ---- */

#define FDS_WORDS(n) (((size_t)(n) + 63) / 64)

/* A select call's bitmaps of N fds (Linux's fd_set_bits): the sets
 * asked about and the answers. */
struct fd_sets {
	int n;
	uint64_t *in, *out, *ex;
	uint64_t *res_in, *res_out, *res_ex;
};

static bool fd_isset(const uint64_t *set, int fd)
{
	return set[fd / 64] & (1ULL << (fd % 64));
}

static void fd_set_bit(uint64_t *set, int fd)
{
	set[fd / 64] |= 1ULL << (fd % 64);
}

/* An absent set reads as empty. */
static int get_fd_set(struct task *t, uaddr_t uset, uint64_t *set, size_t size)
{
	if (!uset) {
		memset(set, 0, size);
		return 0;
	}
	return copy_in(t, set, uset, size) < 0 ? -EFAULT : 0;
}

static int set_fd_set(struct task *t, uaddr_t uset, const uint64_t *set, size_t size)
{
	return uset && copy_out(t, uset, set, size) < 0 ? -EFAULT : 0;
}

static bool in_any_set(const struct fd_sets *s, int fd)
{
	return fd_isset(s->in, fd) || fd_isset(s->out, fd) || fd_isset(s->ex, fd);
}

/* One past the highest fd in any set, or -EBADF if one of them is not
 * open (Linux's max_select_fd). */
static int max_select_fd(struct task *t, const struct fd_sets *s)
{
	int max = 0;
	for (int fd = 0; fd < s->n; fd++) {
		if (!in_any_set(s, fd))
			continue;
		struct file *f = task_fget(t, fd);
		if (!f)
			return -EBADF;
		file_put(f);
		max = fd + 1;
	}
	return max;
}

/* A pass of do_select: how many set memberships are ready (an fd ready
 * in two sets counts twice). */
static long select_pass(struct task *t, struct poll_wqueues *pw, void *arg)
{
	struct fd_sets *s = arg;
	long count = 0;
	for (int fd = 0; fd < s->n; fd++) {
		if (!in_any_set(s, fd))
			continue;
		bool in = fd_isset(s->in, fd), out = fd_isset(s->out, fd);
		unsigned key = POLLEX_SET | (in ? POLLIN_SET : 0) | (out ? POLLOUT_SET : 0);
		unsigned mask = poll_fd(t, pw, fd, key);
		if (in && (mask & POLLIN_SET)) {
			fd_set_bit(s->res_in, fd);
			count++;
		}
		if (out && (mask & POLLOUT_SET)) {
			fd_set_bit(s->res_out, fd);
			count++;
		}
		if (fd_isset(s->ex, fd) && (mask & POLLEX_SET)) {
			fd_set_bit(s->res_ex, fd);
			count++;
		}
		if (count)
			poll_stop_queuing(pw);
	}
	return count;
}

/* Linux's core_sys_select: N is cut to the fd table's size, and only
 * that many bits of each set are read and written back. */
static long core_sys_select(struct task *t, int n, uaddr_t uin, uaddr_t uout, uaddr_t uex,
			    int64_t end)
{
	if (n < 0)
		return -EINVAL;
	n = MIN(n, fdt_max_fds(t->fdt));
	size_t words = FDS_WORDS(n), size = words * sizeof(uint64_t);
	uint64_t *bits = xzalloc(MAX(6 * size, 1));
	struct fd_sets s = { n, bits, bits + words, bits + 2 * words,
			     bits + 3 * words, bits + 4 * words, bits + 5 * words };
	long ret;
	if ((ret = get_fd_set(t, uin, s.in, size)) || (ret = get_fd_set(t, uout, s.out, size)) ||
	    (ret = get_fd_set(t, uex, s.ex, size)))
		goto out_free;
	/* Only the fds up to the highest one set are looked at. */
	s.n = max_select_fd(t, &s);
	ret = s.n < 0 ? s.n : poll_until(t, end, select_pass, &s);
	if (ret >= 0 && (set_fd_set(t, uin, s.res_in, size) || set_fd_set(t, uout, s.res_out, size) ||
			 set_fd_set(t, uex, s.res_ex, size)))
		ret = -EFAULT;
out_free:
	free(bits);
	return ret;
}

long sys_select(struct task *t, const struct syscall_args *a)
{
	uaddr_t utime = a->arg[4];
	int64_t end = END_NEVER;
	if (utime) {
		struct timeval tv;
		if (copy_in(t, &tv, utime, sizeof(tv)) < 0)
			return -EFAULT;
		/* Whole seconds of microseconds are carried (with Linux's
		 * wrap-around); a negative part is invalid. */
		struct timespec ts = { .tv_nsec = tv.tv_usec % 1000000 * 1000 };
		(void)__builtin_add_overflow(tv.tv_sec, tv.tv_usec / 1000000, &ts.tv_sec);
		if (end_time(t, &ts, &end) < 0)
			return -EINVAL;
	}
	long ret = core_sys_select(t, (int)a->arg[0], a->arg[1], a->arg[2], a->arg[3], end);
	return poll_select_finish(t, end, utime, true, ret);
}

long sys_pselect6(struct task *t, const struct syscall_args *a)
{
	/* The sixth argument points to the mask's address and size. */
	struct {
		uaddr_t mask;
		uint64_t size;
	} sig = { 0, 0 };
	if (a->arg[5] && copy_in(t, &sig, a->arg[5], sizeof(sig)) < 0)
		return -EFAULT;
	int64_t end;
	int err = timeout_and_sigmask(t, a->arg[4], sig.mask, sig.size, &end);
	if (err < 0)
		return err;
	long ret = core_sys_select(t, (int)a->arg[0], a->arg[1], a->arg[2], a->arg[3], end);
	return poll_select_finish(t, end, a->arg[4], false, ret);
}
