/* The command line: verbs of the cvisor binary. */
#ifndef CVISOR_RUNTIME_H
#define CVISOR_RUNTIME_H

#define CVISOR_VERSION "0.1.0"

/* Exit codes of cvisor's own failures, as runc/runsc and env(1) use them. */
#define EXIT_USAGE 125		/* bad flags, bad root: cvisor itself failed */
#define EXIT_CANNOT_EXEC 126	/* the program exists but cannot run */
#define EXIT_NOT_FOUND 127	/* no such program */

/* PLATFORM: the global --platform flag, or NULL (the default). */
int cmd_do(int argc, char **argv, const char *platform);

#endif
