/* exitwith N: exits with status N.  exitwith segv: dies of SIGSEGV.
 * exitwith sigpipe: writes to a pipe with no reader and dies of SIGPIPE.
 * exitwith enosys: makes a syscall no kernel has (1000) and exits 0 if it
 * failed with ENOSYS.
 * Built static by tests/e2e/cli.sh to check cvisor's exit status contract. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	if (strcmp(argv[1], "segv") == 0) {
		volatile int *p = NULL;
		return *p;
	}
	if (strcmp(argv[1], "sigpipe") == 0) {
		int p[2];
		if (pipe(p) < 0 || close(p[0]) < 0)
			return 1;
		(void)!write(p[1], "x", 1);
		return 1;
	}
	if (strcmp(argv[1], "enosys") == 0)
		return syscall(1000) == -1 && errno == ENOSYS ? 0 : 1;
	return atoi(argv[1]);
}
