#!/bin/sh
# The README's demo (`make demo`, which builds build/cvisor first): programs
# from the host's own root run inside cvisor, which shows them that root
# read-only under a writable in-memory overlay. Each command is printed,
# then run; the demo stops at the first one that fails.
set -u
cd "$(dirname "$0")/.." || exit 1
cv=${CVISOR:-build/cvisor}
note=/tmp/cvisor-demo-$$

# step COMMAND: prints COMMAND and runs it (bash, so a pipeline fails if any
# part of it does)
step() {
	printf '\n$ %s\n' "$1"
	bash -o pipefail -c "$1" && return
	echo "demo: the command above failed" >&2
	exit 1
}

step "$cv do -- /bin/sh -c 'uname -a; ls /usr/bin | wc -l; seq 1 100000 | sort -rn | head -n 3'"
step "$cv do -- /bin/busybox uname -a"
step "$cv do -- /bin/busybox head -n 2 /etc/os-release"
step "$cv do -- /bin/busybox ls /proc"
step "$cv do -- /bin/busybox cat /proc/self/status | head -n 9"
step "$cv do -- /bin/busybox touch $note"
step "test ! -e $note && echo '$note is not on the host: the write stayed in the sandbox'"
