/* exitwith N: exits with status N.  exitwith segv: dies of SIGSEGV.
 * Built static by tests/e2e/cli.sh to check cvisor's exit status contract. */
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	if (strcmp(argv[1], "segv") == 0) {
		volatile int *p = NULL;
		return *p;
	}
	return atoi(argv[1]);
}
