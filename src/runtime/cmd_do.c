/* `cvisor do`: run a command in a new sandbox, like `runsc do`. The root is
 * the host's / (or --root), read-only under a writable in-memory overlay;
 * stdio are the caller's, or a terminal of the sandbox's own wired to the
 * caller's (-t, and by default when stdin is a terminal; tty_relay.c). */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cvisor/fs.h"
#include "cvisor/kernel.h"
#include "cvisor/log.h"
#include "cvisor/runtime.h"
#include "cvisor/task.h"
#include "cvisor/vfs.h"
#include "tty_relay.h"

#define MAX_ENV 1024

struct do_opts {
	const char *root, *cwd, *hostname, *platform, *debug_log;
	bool strace;
	int tty;	/* 1: -t, 0: --no-tty, -1: if stdin is a terminal */
	unsigned max_tasks, cpus;
	char *env[MAX_ENV + 1];
	int nenv;
	char **cmd;
};

/* Replaces or appends KV ("K=V") in the environment list. */
static int env_set(struct do_opts *o, char *kv)
{
	size_t klen = strcspn(kv, "=");
	if (kv[klen] != '=' || klen == 0) {
		fprintf(stderr, "cvisor: --env %s: expected KEY=VALUE\n", kv);
		return -1;
	}
	for (int i = 0; i < o->nenv; i++)
		if (!strncmp(o->env[i], kv, klen + 1)) {
			o->env[i] = kv;
			return 0;
		}
	if (o->nenv == MAX_ENV) {
		fprintf(stderr, "cvisor: too many --env flags\n");
		return -1;
	}
	o->env[o->nenv++] = kv;
	return 0;
}

/* A --FLAG value from 1 to MAX into *OUT; -1 with a message if not. */
static int parse_count(const char *flag, const char *arg, unsigned long max, unsigned *out)
{
	char *end;
	unsigned long n = strtoul(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || n < 1 || n > max) {
		fprintf(stderr, "cvisor do: --%s %s: expected a number from 1 to %lu\n", flag, arg,
			max);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

static int parse(int argc, char **argv, struct do_opts *o)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "env", required_argument, NULL, 'e' },
		{ "cwd", required_argument, NULL, 'c' },
		{ "hostname", required_argument, NULL, 'H' },
		{ "platform", required_argument, NULL, 'p' },
		{ "debug-log", required_argument, NULL, 'l' },
		{ "strace", no_argument, NULL, 's' },
		{ "max-tasks", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'C' },
		{ "tty", no_argument, NULL, 't' },
		{ "no-tty", no_argument, NULL, 'T' },
		{ 0 },
	};
	static char path[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	static char home[] = "HOME=/root";
	static char term[256];

	o->env[o->nenv++] = path;
	o->env[o->nenv++] = home;
	const char *t = getenv("TERM");
	if (t) {
		snprintf(term, sizeof(term), "TERM=%s", t);
		o->env[o->nenv++] = term;
	}
	opterr = 0;
	int c;
	/* "+": stop at the first non-flag, which starts the command. */
	while ((c = getopt_long(argc, argv, "+:t", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->root = optarg; break;
		case 'e': if (env_set(o, optarg) < 0) return -1; break;
		case 'c': o->cwd = optarg; break;
		case 'H': o->hostname = optarg; break;
		case 'p': o->platform = optarg; break;
		case 'l': o->debug_log = optarg; break;
		case 's': o->strace = true; break;
		case 't': o->tty = 1; break;
		case 'T': o->tty = 0; break;
		case 'm':
			if (parse_count("max-tasks", optarg, 1000000, &o->max_tasks) < 0)
				return -1;
			break;
		case 'C':
			if (parse_count("cpus", optarg, KERNEL_MAX_CPUS, &o->cpus) < 0)
				return -1;
			break;
		case ':':
			fprintf(stderr, "cvisor do: flag %s needs a value\n", argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, "cvisor do: unknown flag %s\n", argv[optind - 1]);
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "cvisor do: no command given (usage: cvisor do [FLAGS] [--] CMD [ARGS...])\n");
		return -1;
	}
	o->cmd = argv + optind;
	if (o->cmd[0][0] == '\0') {
		fprintf(stderr, "cvisor: : command not found\n");
		return -2;
	}
	return 0;
}

static struct file *stdio_file(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return NULL;
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (copy < 0)
		return NULL;
	return hostfd_file_new(copy, flags);
}

/* Host signals to cvisor end the sandbox with that signal, as runsc do
 * forwards them; SIGWINCH resizes the sandbox's terminal. */
static void forwarded_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGWINCH);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
}

static struct kernel k;
static struct tty_relay *relay;

static void *signal_forwarder(void *arg)
{
	sigset_t set;
	forwarded_signals(&set);
	for (;;) {
		int sig;
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGWINCH)
			tty_relay_winch(relay);
		else
			kernel_signal_from_host(&k, sig);
	}
	return NULL;
}

/* The first of FDS that is a host terminal, else FALLBACK. */
static int first_tty(const int *fds, int n, int fallback)
{
	for (int i = 0; i < n; i++)
		if (isatty(fds[i]))
			return fds[i];
	return fallback;
}

/* The sandbox's stdio: with -t, all three are a pty's slave; by default
 * (stdin a terminal, and cvisor its foreground job: a background one
 * would stop at its first change of the terminal's modes) those that are
 * host terminals are, the others stay the host's (`cvisor do cmd > file`
 * at a shell prompt); with --no-tty, all are the host's. */
static int setup_stdio(struct kernel *kp, int tty, struct process_args *pa)
{
	bool want = tty == 1 || (tty == -1 && isatty(0) && tcgetpgrp(0) == getpgrp());
	struct file *slave = NULL;
	if (want) {
		static const int screens[] = { 1, 2, 0 };
		relay = tty_relay_start(kp, 0, first_tty(screens, 3, 1), &slave);
		if (!relay) {
			fprintf(stderr, "cvisor: cannot make the sandbox's terminal\n");
			return -1;
		}
	}
	for (int i = 0; i < 3; i++)
		pa->stdio[i] = slave && (tty == 1 || isatty(i)) ? file_get(slave) : stdio_file(i);
	if (slave)
		file_put(slave);
	return 0;
}

static int exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Raises the sentry's own fd limit: every host-file inode holds an fd. */
static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* /proc, /sys and /dev/pts of the sandbox's own, over whatever the root
 * holds. */
static int mount_synthetic(struct kernel *k)
{
	int err = vfs_mount_at(k->mntns, "/proc", procfs_new(k),
			       MNT_NOSUID | MNT_NODEV | MNT_NOEXEC, "proc");
	if (err == 0)
		err = vfs_mount_at(k->mntns, "/sys", sysfs_new(k),
				   MNT_READONLY | MNT_NOSUID | MNT_NODEV | MNT_NOEXEC, "sysfs");
	if (err == 0)
		err = vfs_mount_at(k->mntns, "/dev/pts", devpts_new(k), MNT_NOSUID | MNT_NOEXEC,
				   "devpts");
	if (err < 0)
		fprintf(stderr, "cvisor: cannot mount /proc, /sys and /dev/pts: %s\n",
			strerror(-err));
	return err;
}

int cmd_do(int argc, char **argv, const char *platform)
{
	struct do_opts o = { .root = "/", .tty = -1, .platform = platform };
	char err[512] = "";

	int r = parse(argc, argv, &o);
	if (r < 0)
		return r == -2 ? EXIT_NOT_FOUND : EXIT_USAGE;
	if (o.debug_log && (r = log_open(o.debug_log)) < 0) {
		fprintf(stderr, "cvisor: --debug-log %s: %s\n", o.debug_log, strerror(-r));
		return EXIT_USAGE;
	}
	struct stat st;
	if (stat(o.root, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "cvisor: --root %s: %s\n", o.root,
			errno == 0 || S_ISDIR(st.st_mode) ? "not a directory" : strerror(errno));
		return EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);	/* host EPIPE comes back as an error */
	raise_nofile();

	/* Every thread created from here on inherits the blocked set; the
	 * forwarder picks the signals up. */
	sigset_t set;
	forwarded_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	struct kernel_init_args ka = { .platform = o.platform, .hostname = o.hostname,
				       .max_tasks = o.max_tasks, .ncpus = o.cpus };
	if (kernel_init(&k, &ka) < 0)
		return EXIT_USAGE;
	k.strace = o.strace;
	k.mntns = vfs_build_root(&k, o.root, true, err, sizeof(err));
	if (!k.mntns) {
		fprintf(stderr, "cvisor: --root %s: %s\n", o.root, err);
		return EXIT_USAGE;
	}

	if (mount_synthetic(&k) < 0)
		return EXIT_USAGE;

	char cwd[PATH_MAX];
	const char *dir = o.cwd;
	if (!dir)
		dir = strcmp(o.root, "/") == 0 && getcwd(cwd, sizeof(cwd)) ? cwd : "/";
	struct process_args pa = { .filename = o.cmd[0], .argv = o.cmd, .envp = o.env,
				   .cwd = dir, .cwd_fallback = !o.cwd };
	if (setup_stdio(&k, o.tty, &pa) < 0)
		return EXIT_USAGE;

	pthread_t fwd;
	pthread_create(&fwd, NULL, signal_forwarder, NULL);
	pthread_detach(fwd);

	r = kernel_start(&k, &pa);
	if (r < 0) {
		if (relay)
			tty_relay_finish(relay);
		if (r == -ENOENT)
			return EXIT_NOT_FOUND;
		return r == -EACCES || r == -ENOEXEC || r == -EISDIR ? EXIT_CANNOT_EXEC : EXIT_USAGE;
	}
	int status = kernel_wait(&k);
	if (relay)
		tty_relay_finish(relay);
	return exit_code(status);
}
