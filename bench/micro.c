/* micro: system-call microbenchmarks. bench/run.sh builds it static and runs
 * it natively, inside cvisor and inside runsc, and compares.
 *
 *   micro [-t SECONDS] [-f FILE] [FIGURE...]    (default: every figure)
 *   micro -l                                    lists the figures
 *
 * Prints one line per figure: `name value unit`. A figure runs its loop
 * with n = 1, 2, 4... rounds until one measurement (clock_gettime,
 * CLOCK_MONOTONIC) lasts at least SECONDS (default 0.5), and reports that
 * measurement. Adding a figure is one function and one line in figures[].
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MMAP_SIZE (64UL << 20)

static const char *file_path = "/etc/passwd";

/* Each figure does N rounds and returns the units of work done (calls,
 * pages...), or -errno on failure. */
struct figure {
	const char *name;
	const char *unit;	/* "ns/op": time per unit; otherwise units per second */
	long (*run)(long n);
};

static long fig_getpid(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getpid);
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

static const struct figure figures[] = {
	{ "getpid", "ns/op", fig_getpid },
	{ "open_close", "ns/op", fig_open_close },
	{ "stat", "ns/op", fig_stat },
	{ "mmap_touch", "pages/s", fig_mmap_touch },
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
	fprintf(stderr, "usage: micro [-t SECONDS] [-f FILE] [FIGURE...] | micro -l\n");
	exit(2);
}

int main(int argc, char **argv)
{
	double min_secs = 0.5;
	int opt, failed = 0;

	while ((opt = getopt(argc, argv, "t:f:l")) != -1) {
		switch (opt) {
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
