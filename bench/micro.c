/* micro: system-call microbenchmarks. bench/run.sh builds it static and runs
 * it natively, inside cvisor and inside runsc, and compares.
 *
 *   micro [-t SECONDS] [-f FILE] [FIGURE...]    (default: every figure)
 *   micro -l                                    lists the figures
 *   micro -x                                    exits at once (what
 *                                               fork_exec_wait runs)
 *
 * Prints one line per figure: `name value unit`. A figure runs its loop
 * with n = 1, 2, 4... rounds until one measurement (clock_gettime,
 * CLOCK_MONOTONIC) lasts at least SECONDS (default 0.5), and reports that
 * measurement. Adding a figure is one function and one line in figures[].
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MMAP_SIZE (64UL << 20)
#define PIPE_CHUNK (64 << 10)

static const char *file_path = "/etc/passwd";
static char self_path[4096];	/* this program, for fork_exec_wait */

/* Each figure does N rounds and returns the units of work done (calls,
 * pages, bytes...), or -errno on failure. */
struct figure {
	const char *name;
	/* "ns/op", "us": time per unit; "MB/s": bytes as 10^6 a second;
	 * otherwise units per second */
	const char *unit;
	long (*run)(long n);
};

static long fig_getpid(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getpid);
	return n;
}

/* Through glibc, which calls the vDSO: no system call at all. */
static long fig_clock_gettime(long n)
{
	struct timespec ts;
	for (long i = 0; i < n; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	return n;
}

static long fig_open_close(long n)
{
	for (long i = 0; i < n; i++) {
		int fd = open(file_path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		close(fd);
	}
	return n;
}

static long fig_stat(long n)
{
	struct stat st;

	for (long i = 0; i < n; i++)
		if (stat(file_path, &st) < 0)
			return -errno;
	return n;
}

/* Page-fault rate: map 64 MiB of anonymous memory, write one byte to every
 * page, unmap. */
static long fig_mmap_touch(long n)
{
	long page = sysconf(_SC_PAGESIZE);
	long pages = 0;

	for (long i = 0; i < n; i++) {
		volatile char *p = mmap(NULL, MMAP_SIZE, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		for (unsigned long off = 0; off < MMAP_SIZE; off += page)
			p[off] = 1;
		if (munmap((void *)p, MMAP_SIZE) < 0)
			return -errno;
		pages += MMAP_SIZE / page;
	}
	return pages;
}

/* Waits for child PID; 0 if it exited with status 0, else -ECHILD. */
static long reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -ECHILD;
	return 0;
}

static long fig_fork_exit_wait(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return -errno;
		if (pid == 0)
			_exit(0);
		if (reap(pid) < 0)
			return -ECHILD;
	}
	return n;
}

/* The child execs this program with -x, a static binary that exits at
 * once. */
static long fig_fork_exec_wait(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return -errno;
		if (pid == 0) {
			execl(self_path, "micro", "-x", (char *)NULL);
			_exit(127);
		}
		if (reap(pid) < 0)
			return -ECHILD;
	}
	return n;
}

/* Runs CHILD(in, out) in a child process with the far ends of two
 * pipes; the caller talks to it through *TO (its input) and *FROM (its
 * output, -1 if unused). Returns the child's pid or -errno. */
static pid_t pipe_peer(void (*child)(int in, int out), int *to, int *from)
{
	int down[2], up[2];

	if (pipe(down) < 0)
		return -errno;
	if (pipe(up) < 0) {
		close(down[0]);
		close(down[1]);
		return -errno;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		child(down[0], up[1]);
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	if (pid < 0) {
		close(down[1]);
		close(up[0]);
		return -errno;
	}
	*to = down[1];
	*from = up[0];
	return pid;
}

/* Echoes every byte back until EOF. */
static void echo_bytes(int in, int out)
{
	char c;

	while (read(in, &c, 1) == 1)
		if (write(out, &c, 1) != 1)
			break;
}

static long fig_pipe_pingpong(long n)
{
	int to, from;
	long done = 0;
	char c = 'x';
	pid_t pid = pipe_peer(echo_bytes, &to, &from);

	if (pid < 0)
		return pid;
	while (done < n && write(to, &c, 1) == 1 && read(from, &c, 1) == 1)
		done++;
	close(to);
	close(from);
	if (reap(pid) < 0 || done < n)
		return -EPIPE;
	return n;
}

/* Reads until EOF. */
static void drain(int in, int out)
{
	static char buf[PIPE_CHUNK];

	(void)out;
	while (read(in, buf, sizeof(buf)) > 0)
		;
}

static long fig_pipe_throughput(long n)
{
	static char buf[PIPE_CHUNK];
	int to, from;
	long done = 0;
	pid_t pid = pipe_peer(drain, &to, &from);

	if (pid < 0)
		return pid;
	close(from);
	while (done < n && write(to, buf, sizeof(buf)) == sizeof(buf))
		done++;
	close(to);
	if (reap(pid) < 0 || done < n)
		return -EPIPE;
	return n * PIPE_CHUNK;
}

static void *thread_returns(void *arg)
{
	return arg;
}

static long fig_thread_create_join(long n)
{
	for (long i = 0; i < n; i++) {
		pthread_t th;
		int err = pthread_create(&th, NULL, thread_returns, NULL);
		if (err)
			return -err;
		pthread_join(th, NULL);
	}
	return n;
}

/* Whose turn it is in the futex ping-pong: 0 the main thread's, 1 its
 * peer's. Each side waits on the word until it is its turn, hands the
 * turn over and wakes the other. */
static _Atomic int futex_turn;

static void futex_wait_while(int val)
{
	while (atomic_load(&futex_turn) == val)
		syscall(SYS_futex, &futex_turn, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_hand_over(int to)
{
	atomic_store(&futex_turn, to);
	syscall(SYS_futex, &futex_turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *futex_peer(void *arg)
{
	long n = *(long *)arg;

	for (long i = 0; i < n; i++) {
		futex_wait_while(0);
		futex_hand_over(0);
	}
	return NULL;
}

static long fig_futex_pingpong(long n)
{
	pthread_t th;

	atomic_store(&futex_turn, 0);
	int err = pthread_create(&th, NULL, futex_peer, &n);
	if (err)
		return -err;
	for (long i = 0; i < n; i++) {
		futex_hand_over(1);
		futex_wait_while(1);
	}
	pthread_join(th, NULL);
	return n;
}

static const struct figure figures[] = {
	{ "getpid", "ns/op", fig_getpid },
	{ "clock_gettime", "ns/op", fig_clock_gettime },
	{ "open_close", "ns/op", fig_open_close },
	{ "stat", "ns/op", fig_stat },
	{ "mmap_touch", "pages/s", fig_mmap_touch },
	{ "fork_exit_wait", "us", fig_fork_exit_wait },
	{ "fork_exec_wait", "us", fig_fork_exec_wait },
	{ "pipe_pingpong", "us", fig_pipe_pingpong },
	{ "pipe_throughput", "MB/s", fig_pipe_throughput },
	{ "thread_create_join", "us", fig_thread_create_join },
	{ "futex_pingpong", "us", fig_futex_pingpong },
};

#define N_FIGURES (sizeof(figures) / sizeof(figures[0]))

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs F until a measurement lasts MIN_SECS; prints its line. */
static int measure(const struct figure *f, double min_secs)
{
	long units = f->run(1); /* warm up */

	for (long n = 1; units >= 0; n *= 2) {
		double t0 = now();
		units = f->run(n);
		double secs = now() - t0;

		if (units < 0)
			break;
		if (secs < min_secs && n < (1L << 40))
			continue;
		if (strcmp(f->unit, "ns/op") == 0)
			printf("%s %.1f %s\n", f->name, secs * 1e9 / units, f->unit);
		else if (strcmp(f->unit, "us") == 0)
			printf("%s %.1f %s\n", f->name, secs * 1e6 / units, f->unit);
		else if (strcmp(f->unit, "MB/s") == 0)
			printf("%s %.0f %s\n", f->name, units / secs / 1e6, f->unit);
		else
			printf("%s %.0f %s\n", f->name, units / secs, f->unit);
		fflush(stdout);
		return 0;
	}
	fprintf(stderr, "micro: %s: %s\n", f->name, strerror((int)-units));
	return -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: micro [-t SECONDS] [-f FILE] [FIGURE...] | micro -l | micro -x\n");
	exit(2);
}

int main(int argc, char **argv)
{
	double min_secs = 0.5;
	int opt, failed = 0;

	while ((opt = getopt(argc, argv, "t:f:lx")) != -1) {
		switch (opt) {
		case 'x':
			return 0;
		case 't':
			min_secs = atof(optarg);
			break;
		case 'f':
			file_path = optarg;
			break;
		case 'l':
			for (size_t i = 0; i < N_FIGURES; i++)
				printf("%s %s\n", figures[i].name, figures[i].unit);
			return 0;
		default:
			usage();
		}
	}
	ssize_t len = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (len > 0)
		self_path[len] = '\0';
	else
		snprintf(self_path, sizeof(self_path), "%s", argv[0]);
	for (size_t i = 0; i < N_FIGURES; i++) {
		int wanted = optind == argc;

		for (int a = optind; a < argc; a++)
			wanted |= strcmp(argv[a], figures[i].name) == 0;
		if (wanted && measure(&figures[i], min_secs) < 0)
			failed = 1;
	}
	for (int a = optind; a < argc; a++) {
		size_t i = 0;

		while (i < N_FIGURES && strcmp(argv[a], figures[i].name) != 0)
			i++;
		if (i == N_FIGURES) {
			fprintf(stderr, "micro: no figure '%s' (see micro -l)\n", argv[a]);
			failed = 1;
		}
	}
	return failed;
}
