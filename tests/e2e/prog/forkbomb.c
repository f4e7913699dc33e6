/* forkbomb: run as PID 1 inside cvisor. Forks until fork fails, each
 * child waiting for its parent's kill; prints how many it made and the
 * error, then kills them all (kill(-1)) and reaps them. Built static by
 * tests/e2e/isolation.sh to check that a task limit holds. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int made = 0, err = 0;
	for (;;) {
		pid_t pid = fork();
		if (pid == 0) {
			pause();
			_exit(0);
		}
		if (pid < 0) {
			err = errno;
			break;
		}
		made++;
	}
	printf("made %d, then %s\n", made, strerror(err));
	fflush(stdout);
	kill(-1, SIGKILL);
	int reaped = 0;
	while (wait(NULL) > 0)
		reaped++;
	printf("reaped %d\n", reaped);
	return reaped == made ? 0 : 1;
}
