/* cvisor: the entry point and verb dispatch. */
#include <stdio.h>
#include <string.h>

#include "cvisor/platform.h"
#include "cvisor/runtime.h"
#include "cvisor/syscalls.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cvisor [GLOBAL FLAGS] VERB [FLAGS] ...\n"
		"\n"
		"An application kernel: runs Linux programs in a sandbox whose every\n"
		"system call is served by cvisor, not by the host kernel.\n"
		"\n"
		"verbs:\n"
		"  do [FLAGS] [--] CMD [ARGS...]  run CMD in a new sandbox (like runsc do)\n"
		"  syscalls                       print the syscall table and support levels\n"
		"  help                           this text\n"
		"  version                        print the version\n"
		"\n"
		"flags of `do`:\n"
		"  --root DIR        root filesystem (default /), read-only under a\n"
		"                    writable in-memory overlay\n"
		"  --env K=V         set an environment variable (repeatable)\n"
		"  --cwd DIR         working directory inside the sandbox\n"
		"  --hostname NAME   the sandbox's hostname (default cvisor)\n"
		"  --platform NAME   how application code runs: %s (default\n"
		"                    systrap where the host allows it, else ptrace)\n"
		"  --debug-log FILE  write the debug log to FILE (- for stderr)\n"
		"  --strace          log every syscall with its arguments and result\n"
		"  --max-tasks N     at most N tasks in the sandbox (default 10000);\n"
		"                    fork fails with EAGAIN beyond it\n"
		"  --cpus N          the sandbox's CPU count (default the host's, at\n"
		"                    most 64)\n"
		"\n"
		"global flags: --help, --version, --platform NAME (as runsc's; the\n"
		"default of `do --platform`)\n",
		platform_names());
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *platform = NULL;
	int first = 1;
	/* Global flags before the verb, as runsc takes them. */
	for (; first < argc; first++) {
		if (!strncmp(argv[first], "--platform=", 11)) {
			platform = argv[first] + 11;
		} else if (!strcmp(argv[first], "--platform")) {
			if (first + 1 == argc) {
				fprintf(stderr, "cvisor: --platform needs a value\n");
				return EXIT_USAGE;
			}
			platform = argv[++first];
		} else {
			break;
		}
	}
	if (first == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *verb = argv[first];
	if (!strcmp(verb, "do"))
		return cmd_do(argc - first, argv + first, platform);
	if (!strcmp(verb, "syscalls")) {
		syscall_table_print();
		return 0;
	}
	if (!strcmp(verb, "--help") || !strcmp(verb, "-h") || !strcmp(verb, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(verb, "--version") || !strcmp(verb, "version")) {
		printf("cvisor version %s\n", CVISOR_VERSION);
		return 0;
	}
	fprintf(stderr, "cvisor: unknown verb or flag \"%s\" (see cvisor --help)\n", verb);
	return EXIT_USAGE;
}
