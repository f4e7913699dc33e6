#!/bin/sh
# Every test of cvisor; `make test` runs it after building build/cvisor and
# the sanitizer build build-san/ (cvisor and the unit tests).
#
#   1. unit tests: build-san/unit/<name> for each tests/unit/<name>.c
#      (a program; exit status 0 = pass)
#   2. tests/syscalls/run.sh, with CVISOR=build/cvisor then build-san/cvisor,
#      each on every platform (PLATFORMS, default "ptrace systrap"): CVISOR
#      is then a wrapper passing the global --platform flag
#   3. tests/e2e/run.sh, likewise
#
# A suite reads CVISOR (absolute path of the binary to test), prints
# PASS/FAIL lines and ends with `N passed, N failed[, N skipped]`. This
# script adds them all up and ends with one such line; exit status 1 if
# anything failed. A missing binary or suite, a crash or a hang (limit:
# SUITE_TIMEOUT seconds per suite, default 3600) counts as a failure.
set -u
cd "$(dirname "$0")/.." || exit 1
REPO=$PWD

. tests/e2e/suite.sh

echo "== unit tests (build-san/unit)"
for src in tests/unit/*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	bin=build-san/unit/$name
	if [ ! -x "$bin" ]; then
		suite_result "unit/$name" FAIL "$bin was not built"
		continue
	fi
	timeout -k 10 "${UNIT_TIMEOUT:-300}" "$bin" </dev/null >"$SUITE_TMP/unit.out" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		suite_result "unit/$name" PASS
	else
		suite_result "unit/$name" FAIL "exit status $rc" "$SUITE_TMP/unit.out"
	fi
done

for suite_name in syscalls e2e; do
	for build in build build-san; do
		for platform in ${PLATFORMS:-ptrace systrap}; do
			label="$suite_name [$build/cvisor, $platform]"
			echo "== $label"
			if [ ! -x "$REPO/$build/cvisor" ]; then
				suite_result "$label" FAIL "$build/cvisor was not built"
			elif [ ! -f "tests/$suite_name/run.sh" ]; then
				suite_result "$label" FAIL "tests/$suite_name/run.sh is missing"
			else
				CVISOR=$SUITE_TMP/cvisor-$build-$platform
				printf '#!/bin/sh\nexec "%s" --platform %s "$@"\n' \
					"$REPO/$build/cvisor" "$platform" >"$CVISOR"
				chmod +x "$CVISOR"
				export CVISOR
				suite "$label" sh "tests/$suite_name/run.sh"
			fi
		done
	done
done

totals
