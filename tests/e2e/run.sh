#!/bin/sh
# End-to-end tests of the cvisor binary: real programs (Debian's static
# busybox) natively and sandboxed, isolation, bad input, the command line.
#
#   CVISOR=build/cvisor sh tests/e2e/run.sh [GROUP...]
#
# GROUPs are tests/e2e/<group>.sh: busybox shell signals stdio isolation ipc
# badinput cli tty interactive inotify unixsock programs python (the
# default), and cpython (CPython's longer regression-test modules: minutes,
# run only when named). Prints PASS/FAIL/SKIP lines (a failure
# with its diff or reason), then `N passed, N failed[, N skipped]`; exit
# status 1 if anything failed.
# Every cvisor run is limited to E2E_TIMEOUT seconds (default 60); E2E_KEEP=1
# keeps the scratch directories under tests/e2e/out/.
set -u

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$E2E_DIR/../.." && pwd)
CVISOR=${CVISOR:-$REPO/build/cvisor}
case $CVISOR in /*) ;; *) CVISOR=$PWD/$CVISOR ;; esac
BUSYBOX=${BUSYBOX:-/bin/busybox}
export CVISOR BUSYBOX

. "$E2E_DIR/suite.sh"

preflight() {
	if [ ! -f "$CVISOR" ] || [ ! -x "$CVISOR" ]; then
		echo "$CVISOR is not an executable file (build it with make)"
	elif [ ! -x "$BUSYBOX" ]; then
		echo "$BUSYBOX is missing (apt-get install busybox-static)"
	elif command -v readelf >/dev/null && readelf -l "$BUSYBOX" | grep -q INTERP; then
		echo "$BUSYBOX is dynamically linked; the tests need busybox-static"
	fi
}
why=$(preflight)
if [ -n "$why" ]; then
	suite_result e2e/preflight FAIL "$why"
	totals
	exit
fi

echo "e2e: CVISOR=$CVISOR"
[ $# -gt 0 ] || set -- busybox shell signals stdio isolation ipc badinput cli tty interactive inotify unixsock programs python
for group in "$@"; do
	suite "e2e/$group" sh "$E2E_DIR/$group.sh"
done
totals
