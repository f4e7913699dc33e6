# Helpers shared by the e2e groups (tests/e2e/<group>.sh). A group script
# sources this file, runs its tests and ends with `summary`, which prints the
# `N passed, N failed[, N skipped]` line that run.sh adds up.
#
# A test is written as
#
#	t_begin name
#	cv do -- /bin/busybox uname -r     # stdout, stderr, status -> $OUT $ERR $RC
#	expect_rc 0
#	expect_out "6.1.0-cvisor"
#	t_end                               # prints PASS name, or FAIL name + why
#
# or, to compare one busybox applet natively and inside cvisor,
#
#	bb_same name [-i STDIN] [-sort] [-head] [-err] -- APPLET ARGS...
#
# Environment: CVISOR (path of the binary, required), BUSYBOX (default
# /bin/busybox), E2E_TIMEOUT (seconds per cvisor run, default 60),
# E2E_KEEP=1 keeps the scratch directory.

set -u

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$E2E_DIR/../.." && pwd)
GROUP=$(basename "$0" .sh)
BUSYBOX=${BUSYBOX:-/bin/busybox}
E2E_TIMEOUT=${E2E_TIMEOUT:-60}
: "${CVISOR:?CVISOR must name the cvisor binary}"

# The environment cvisor gives a program by default (README, `cvisor do`);
# native runs get the same one so that outputs can be compared.
SANDBOX_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# What a crashed sentry leaves on stderr.
CRASH_RE='AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|MemorySanitizer|runtime error:|Segmentation fault|core dumped|stack smashing|double free|free\(\): invalid|malloc\(\): |Assertion .* failed'

# Scratch space under the repository (not /tmp, which a sandbox may cover
# with its own tmpfs), visible at the same path inside the default root.
# Tests start there, so that a stray relative write lands in it.
mkdir -p "$REPO/tests/e2e/out"
WORK=$(mktemp -d "$REPO/tests/e2e/out/$GROUP.XXXXXX") || exit 1
cd "$WORK" || exit 1
trap '[ "${E2E_KEEP:-0}" = 1 ] || rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
OUT=$WORK/stdout
ERR=$WORK/stderr
RC=0

N_PASS=0
N_FAIL=0
N_SKIP=0
T_NAME=
T_WHY=

# --- running ---------------------------------------------------------------

# cv ARGS...: runs "$CVISOR ARGS..." with a time limit, stdin from $CV_IN
# (default /dev/null). Sets $OUT, $ERR, $RC and records a timeout or a
# crash of the sentry as a failure of the current test.
cv() {
	CV_START=$(date +%s)
	timeout -k 5 "$E2E_TIMEOUT" "$CVISOR" "$@" <"${CV_IN:-/dev/null}" >"$OUT" 2>"$ERR"
	RC=$?
	check_run "cvisor $*"
}

# check_run WHAT: the checks every cvisor run gets. Status 124 or 137
# after the whole time limit is timeout's (137 sooner is a SIGKILL the
# program got inside); CV_START is when the run began.
check_run() {
	if { [ "$RC" = 124 ] || [ "$RC" = 137 ]; } &&
		[ $(($(date +%s) - ${CV_START:-0})) -ge "$E2E_TIMEOUT" ]; then
		why "$1: timed out after ${E2E_TIMEOUT}s (status $RC)"
	fi
	if grep -Eq "$CRASH_RE" "$ERR"; then
		why "$1: crash report on stderr"
	fi
}

# native ARGS...: runs ARGS on the host with the sandbox's default
# environment and stdin from $CV_IN; sets $OUT, $ERR, $RC.
native() {
	env -i PATH="$SANDBOX_PATH" HOME=/root ${TERM+"TERM=$TERM"} "$@" \
		<"${CV_IN:-/dev/null}" >"$OUT" 2>"$ERR"
	RC=$?
}

# --- test bookkeeping ------------------------------------------------------

t_begin() {
	T_NAME=$GROUP/$1
	T_WHY=
}

# why TEXT: records a reason for the current test to fail.
why() {
	T_WHY="$T_WHY$1
"
}

t_end() {
	if [ -z "$T_WHY" ]; then
		N_PASS=$((N_PASS + 1))
		echo "PASS $T_NAME"
		return 0
	fi
	N_FAIL=$((N_FAIL + 1))
	echo "FAIL $T_NAME"
	printf '%s' "$T_WHY" | sed 's/^/    /'
	if [ -s "$ERR" ]; then
		echo "    --- last stderr:"
		head -n 15 "$ERR" | cut -c1-200 | sed 's/^/    | /'
	fi
	return 1
}

# skip NAME REASON
skip() {
	N_SKIP=$((N_SKIP + 1))
	echo "SKIP $GROUP/$1 ($2)"
}

summary() {
	if [ "$N_SKIP" -gt 0 ]; then
		echo "$N_PASS passed, $N_FAIL failed, $N_SKIP skipped"
	else
		echo "$N_PASS passed, $N_FAIL failed"
	fi
	[ "$N_FAIL" = 0 ]
}

# --- expectations on the last run ------------------------------------------

expect_rc() {
	[ "$RC" = "$1" ] || why "exit status $RC, expected $1"
}

# expect_out TEXT: stdout is exactly TEXT plus a newline.
expect_out() {
	printf '%s\n' "$1" >"$WORK/expected"
	expect_file_same "$WORK/expected" "$OUT" stdout
}

# expect_file_same EXPECTED ACTUAL LABEL
expect_file_same() {
	cmp -s "$1" "$2" && return 0
	why "$3 differs (- expected, + actual): $(cmp "$1" "$2" 2>&1 |
		sed -e 's/.* differ: //' -e "s|$WORK/||g")
$(diff -u "$1" "$2" | sed -e '1{/^--- /d;}' -e '2{/^+++ /d;}' -e "s|$WORK/||g" |
		head -n 20 | cut -c1-200)"
}

expect_out_has() {
	grep -Eq -- "$1" "$OUT" || why "stdout does not match /$1/"
}

expect_out_lacks() {
	! grep -Fq -- "$1" "$OUT" || why "stdout contains '$1'"
}

expect_err_has() {
	grep -Fq -- "$1" "$ERR" || why "stderr does not mention '$1'"
}

expect_err_nonempty() {
	[ -s "$ERR" ] || why "stderr is empty: expected an error message"
}

# expect_clean_error STATUS: cvisor refused to run something and said why.
expect_clean_error() {
	expect_rc "$1"
	[ "$RC" -lt 128 ] || why "cvisor died by signal $((RC - 128))"
	expect_err_nonempty
}

# expect_host_absent PATH: a write made inside did not reach the host.
expect_host_absent() {
	if [ -e "$1" ] || [ -L "$1" ]; then
		why "$1 exists on the host: a write inside the sandbox escaped"
		rm -rf "$1"
	fi
}

# --- busybox inside vs natively --------------------------------------------

# bb_same NAME [-i STDIN] [-sort] [-head] [-err] -- APPLET ARGS...
#   Runs $BUSYBOX APPLET ARGS natively and as `cvisor do -- $BUSYBOX ...`
#   in the current directory; stdout and exit status must be identical.
#   -i FILE  stdin from FILE (default /dev/null)
#   -sort    compare stdout sorted (for directory-walk order, which Linux
#            leaves unspecified and an overlay may legitimately change)
#   -head    compare only the first line of stdout
#   -err     compare stderr too
bb_same() {
	t_begin "$1"
	shift
	bb_in=/dev/null bb_sort=0 bb_head=0 bb_err=0
	while [ $# -gt 0 ]; do
		case $1 in
		-i) bb_in=$2; shift ;;
		-sort) bb_sort=1 ;;
		-head) bb_head=1 ;;
		-err) bb_err=1 ;;
		--) shift; break ;;
		*) echo "bb_same: bad option $1" >&2; exit 2 ;;
		esac
		shift
	done
	CV_IN=$bb_in
	native "$BUSYBOX" "$@"
	n_rc=$RC
	bb_filter "$OUT" >"$WORK/native.out"
	cp "$ERR" "$WORK/native.err"
	cv do -- "$BUSYBOX" "$@"
	CV_IN=
	bb_filter "$OUT" >"$WORK/cvisor.out"
	expect_file_same "$WORK/native.out" "$WORK/cvisor.out" stdout
	[ "$bb_err" = 0 ] || expect_file_same "$WORK/native.err" "$ERR" stderr
	[ "$RC" = "$n_rc" ] || why "exit status $RC, natively $n_rc"
	t_end
}

# sh_same NAME SCRIPT: runs the shell SCRIPT on the host twice, with $BB
#   meaning native busybox, then busybox inside cvisor (one sandbox per
#   use: host pipes between sandboxes test stdio); stdout and exit status
#   must be identical.
sh_same() {
	t_begin "$1"
	# shellcheck disable=SC2034 # used by the script
	BB=bb_native
	(eval "$2") >"$WORK/native.out" 2>"$WORK/native.err"
	n_rc=$?
	# shellcheck disable=SC2034
	BB=bb_cvisor
	(eval "$2") >"$OUT" 2>"$ERR"
	RC=$?
	check_run "$2"
	expect_file_same "$WORK/native.out" "$OUT" stdout
	[ "$RC" = "$n_rc" ] || why "exit status $RC, natively $n_rc"
	t_end
}

bb_native() {
	env -i PATH="$SANDBOX_PATH" HOME=/root ${TERM+"TERM=$TERM"} "$BUSYBOX" "$@"
}

bb_cvisor() {
	timeout -k 5 "$E2E_TIMEOUT" "$CVISOR" do -- "$BUSYBOX" "$@"
}

bb_filter() {
	if [ "$bb_sort" = 1 ]; then
		LC_ALL=C sort "$1"
	elif [ "$bb_head" = 1 ]; then
		head -n 1 "$1"
	else
		cat "$1"
	fi
}

# --- fixtures ----------------------------------------------------------------

STAMP='2021-03-04 05:06:07'

# make_tree DIR: a small directory tree with fixed contents, modes and
# mtimes: text, a larger file, binary bytes, an empty file, a name with a
# space, symlinks (one dangling), a hard link, private and empty dirs.
make_tree() {
	mkdir -p "$1/tree/sub/deeper" "$1/tree/empty-dir"
	(
		cd "$1/tree" || exit 1
		printf '%s\n' 'alpha:1:red' 'beta:2:green' 'beta:2:green' \
			'gamma:30:blue' 'delta:4:red' 'Epsilon:50:Green' \
			'alpha:1:red' 'zeta:6:' >lines.txt
		i=1
		while [ $i -le 100000 ]; do
			echo $i
			i=$((i + 1))
		done >big.txt
		i=0
		while [ $i -lt 256 ]; do
			printf '%b' "\\0$(printf %03o $i)"
			i=$((i + 1))
		done >bytes.bin
		: >empty
		echo 'spaced out' >'sub/with space.txt'
		echo 'deep file' >sub/deeper/deep.txt
		echo 'private' >sub/private
		chmod 600 sub/private
		chmod 700 sub/deeper
		printf '#!/bin/sh\necho hi\n' >run.sh
		chmod 755 run.sh
		ln -s lines.txt link-to-lines
		ln -s ../nowhere dangling
		ln lines.txt hardlink.txt
	) || return 1
	find "$1" -depth -exec touch -h -d "$STAMP" {} +
}
