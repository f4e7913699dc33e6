/* pollstdio MODE: poll and select on stdin when it is a host pipe (the
 * sandbox's stdio is the host's), alone and together with a pipe of the
 * sandbox. Prints one line and exits 0 when the outcome is the expected
 * one, 1 otherwise. Built static by tests/e2e/stdio.sh.
 *
 *   read     stdin gets a line, maybe later: poll waits for it, then
 *            select sees it too; prints the line
 *   timeout  stdin stays empty: a 100 ms poll and select time out
 *   mixed    stdin stays empty; a child writes to a pipe: the poll on
 *            both ends with the pipe
 *   signal   stdin stays empty; a child signals: the poll ends with EINTR
 *            after the handler ran */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled = 1;
}

static int mode_read(void)
{
	struct pollfd p = { 0, POLLIN, 0 };
	if (poll(&p, 1, -1) != 1 || !(p.revents & POLLIN)) {
		printf("poll: revents %#x\n", p.revents);
		return 1;
	}
	fd_set in;
	FD_ZERO(&in);
	FD_SET(0, &in);
	struct timeval tv = { 0, 0 };
	if (select(1, &in, NULL, NULL, &tv) != 1) {
		printf("select: stdin not readable\n");
		return 1;
	}
	char line[64] = "";
	ssize_t n = read(0, line, sizeof(line) - 1);
	printf("read %s", n > 0 ? line : "nothing\n");
	return n > 0 ? 0 : 1;
}

static int mode_timeout(void)
{
	struct pollfd p = { 0, POLLIN, 0 };
	int r = poll(&p, 1, 100);
	fd_set in;
	FD_ZERO(&in);
	FD_SET(0, &in);
	struct timeval tv = { 0, 100000 };
	int s = select(1, &in, NULL, NULL, &tv);
	printf("poll %d, select %d\n", r, s);
	return r == 0 && s == 0 ? 0 : 1;
}

static int mode_mixed(void)
{
	int p[2];
	if (pipe(p) < 0)
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		usleep(100000);
		_exit(write(p[1], "x", 1) == 1 ? 0 : 1);
	}
	struct pollfd fds[2] = { { 0, POLLIN, 0 }, { p[0], POLLIN, 0 } };
	int r = poll(fds, 2, -1);
	waitpid(pid, NULL, 0);
	printf("poll %d: stdin %#x, pipe %#x\n", r, fds[0].revents, fds[1].revents);
	return r == 1 && fds[1].revents == POLLIN ? 0 : 1;
}

static int mode_signal(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		/* Until the parent is done: one signal may come before it
		 * waits, a later one interrupts the wait. */
		for (;;) {
			kill(parent, SIGUSR1);
			usleep(20000);
		}
	}
	struct pollfd p = { 0, POLLIN, 0 };
	int r = poll(&p, 1, -1);
	int err = errno;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	printf("poll %d (%s), handler %s\n", r, r < 0 ? strerror(err) : "no error",
	       handled ? "ran" : "did not run");
	return r == -1 && err == EINTR && handled ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	if (strcmp(argv[1], "read") == 0)
		return mode_read();
	if (strcmp(argv[1], "timeout") == 0)
		return mode_timeout();
	if (strcmp(argv[1], "mixed") == 0)
		return mode_mixed();
	if (strcmp(argv[1], "signal") == 0)
		return mode_signal();
	return 2;
}
