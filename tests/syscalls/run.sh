#!/bin/sh
# Builds every tests/syscalls/*.c as a static program and runs each one
# natively and inside cvisor. Each program checks Linux behaviour; it must
# pass in both modes.
#
# Environment:
#   CVISOR=path      the cvisor binary (default: build/cvisor); the cvisor
#                    mode runs only when it exists, unless ONLY=cvisor
#   CVISOR_FLAGS     extra flags for `cvisor do`, e.g. "--platform ptrace"
#   ONLY=native|cvisor   run one mode only
#   TESTS="a b"      run only these areas (file names without .c)
#   CC               compiler (default: gcc)
#   TIMEOUT_S        per-program time limit in seconds (default: 60)
#
# Prints `PASS <area> <mode>`, `FAIL <area> <mode> (why)` followed by the
# program's output indented, or `SKIP <area> <mode>` (exit 125), then
# `N passed, N failed[, N skipped]`. Exits 1 on any failure.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bindir="$here/bin"
cc=${CC:-gcc}
cflags="-std=gnu17 -static -O1 -Wall -Wextra"
timeout_s=${TIMEOUT_S:-60}
cvisor=${CVISOR:-$root/build/cvisor}
only=${ONLY:-}

case "$only" in
"" | native | cvisor) ;;
*) echo "run.sh: ONLY must be native or cvisor, not '$only'" >&2; exit 2 ;;
esac

modes=""
if [ "$only" != cvisor ]; then
	modes="native"
fi
if [ "$only" != native ]; then
	if [ -x "$cvisor" ]; then
		modes="$modes cvisor"
	elif [ "$only" = cvisor ]; then
		echo "run.sh: no cvisor binary at $cvisor (set CVISOR=path)" >&2
		exit 2
	else
		echo "note: no cvisor at $cvisor; running natively only" >&2
	fi
fi

passed=0
failed=0
skipped=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
trap 'exit 130' INT TERM

# report AREA MODE STATUS: prints the verdict line and counts it.
report() {
	case "$3" in
	0)
		echo "PASS $1 $2"
		passed=$((passed + 1))
		return
		;;
	125)
		echo "SKIP $1 $2"
		sed 's/^/    /' "$out"
		skipped=$((skipped + 1))
		return
		;;
	124) why="timed out after ${timeout_s}s" ;;
	137) why="killed after timing out" ;;
	*)
		if [ "$3" -gt 128 ]; then
			why="exit $3, signal $(($3 - 128))"
		else
			why="exit $3"
		fi
		;;
	esac
	echo "FAIL $1 $2 ($why)"
	sed 's/^/    /' "$out"
	failed=$((failed + 1))
}

mkdir -p "$bindir"
if [ -n "${TESTS:-}" ]; then
	areas=$TESTS
else
	areas=""
	for src in "$here"/*.c; do
		areas="$areas $(basename "$src" .c)"
	done
fi

for area in $areas; do
	src="$here/$area.c"
	bin="$bindir/$area"
	# Built under a temporary name and renamed, so that a concurrent run
	# never executes a half-written binary.
	# shellcheck disable=SC2086 # cflags is a word list
	if ! $cc $cflags -o "$bin.$$" "$src" >"$out" 2>&1 ||
	   ! mv -f "$bin.$$" "$bin"; then
		rm -f "$bin.$$"
		report "$area" build 1
		continue
	fi
	if [ -s "$out" ]; then
		echo "warnings building $area:" >&2
		sed 's/^/    /' "$out" >&2
	fi
	for mode in $modes; do
		if [ "$mode" = native ]; then
			# A private TMPDIR, removed even if the program crashed
			# before cleaning up its mkdtemp directory.
			tmp=$(mktemp -d)
			TMPDIR=$tmp timeout -k 5 "$timeout_s" "$bin" \
				>"$out" 2>&1
			status=$?
			rm -rf "$tmp"
		else
			# shellcheck disable=SC2086 # a word list
			timeout -k 5 "$timeout_s" \
				"$cvisor" "do" ${CVISOR_FLAGS:-} -- "$bin" \
				>"$out" 2>&1
			status=$?
		fi
		report "$area" "$mode" "$status"
	done
done

summary="$passed passed, $failed failed"
if [ "$skipped" -gt 0 ]; then
	summary="$summary, $skipped skipped"
fi
echo "$summary"
[ "$failed" -eq 0 ]
