# Runs test suites and adds up their results. Sourced by tests/e2e/run.sh
# (each e2e group is a suite) and by tests/run-all.sh (unit, syscalls, e2e).
#
# A suite is a command that prints PASS/FAIL/SKIP lines and, as its last
# line, `N passed, N failed` (", N skipped" appended if any), and exits 0
# if and only if nothing failed. A suite that is missing, times out,
# crashes, ends without that line or exits non-zero without reporting a
# failure counts as one more failure: never as silence.
#
#	suite LABEL CMD...       run CMD as a suite (time limit $SUITE_TIMEOUT s)
#	suite_result LABEL PASS|FAIL [REASON [DETAIL-FILE]]   a test run by the
#	                         caller; on failure, REASON and DETAIL-FILE's tail
#	totals                   print the final line; status 1 on any failure

TOTAL_PASS=0
TOTAL_FAIL=0
TOTAL_SKIP=0
SUITE_TIMEOUT=${SUITE_TIMEOUT:-3600}
SUITE_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cvisor-suite.XXXXXX") || exit 1
trap 'rm -rf "$SUITE_TMP"' EXIT
trap 'exit 130' INT TERM

SUMMARY_RE='^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$'

suite() {
	su_label=$1
	shift
	rm -f "$SUITE_TMP/rc" "$SUITE_TMP/summary" "$SUITE_TMP/last"
	su_start=$(date +%s)
	{
		timeout -k 10 "$SUITE_TIMEOUT" "$@" </dev/null
		echo $? >"$SUITE_TMP/rc"
	} 2>&1 | suite_filter "$SUITE_TMP"
	su_secs=$(($(date +%s) - su_start))
	su_rc=$(cat "$SUITE_TMP/rc" 2>/dev/null || echo '?')
	su_last=$(cat "$SUITE_TMP/last" 2>/dev/null)
	su_summary=$(cat "$SUITE_TMP/summary" 2>/dev/null)

	if [ -z "$su_summary" ]; then
		case $su_rc in
		124 | 137) su_why="timed out after ${SUITE_TIMEOUT}s" ;;
		*) su_why="exit status $su_rc and no '$SUMMARY_RE' line: missing or crashed" ;;
		esac
		suite_result "$su_label" FAIL "$su_why"
		return
	fi
	# shellcheck disable=SC2086 # split "N passed, N failed, N skipped"
	set -- $su_summary
	TOTAL_PASS=$((TOTAL_PASS + $1))
	TOTAL_FAIL=$((TOTAL_FAIL + $3))
	TOTAL_SKIP=$((TOTAL_SKIP + ${5:-0}))
	echo "-- $su_label: $su_summary (${su_secs}s)"
	if [ "$su_last" != "$su_summary" ]; then
		suite_result "$su_label" FAIL "output went on after its summary line: crashed?"
	elif [ "$su_rc" != 0 ] && [ "$3" = 0 ]; then
		suite_result "$su_label" FAIL "exit status $su_rc although it reported no failure"
	fi
}

# suite_filter DIR: passes a suite's output through, except its summary
# line, which goes to DIR/summary; DIR/last gets the last non-empty line.
suite_filter() {
	sf_last=
	while IFS= read -r sf_line; do
		case $sf_line in
		*" passed, "*" failed"*)
			if printf '%s\n' "$sf_line" | grep -Eq "$SUMMARY_RE"; then
				printf '%s\n' "$sf_line" >"$1/summary"
			else
				printf '%s\n' "$sf_line"
			fi
			;;
		*) printf '%s\n' "$sf_line" ;;
		esac
		[ -z "$sf_line" ] || sf_last=$sf_line
	done
	printf '%s\n' "$sf_last" >"$1/last"
}

suite_result() {
	case $2 in
	PASS) TOTAL_PASS=$((TOTAL_PASS + 1)) ;;
	*) TOTAL_FAIL=$((TOTAL_FAIL + 1)) ;;
	esac
	echo "$2 $1"
	[ $# -lt 3 ] || echo "    $3"
	if [ $# -ge 4 ] && [ -s "$4" ]; then
		tail -n 30 "$4" | cut -c1-200 | sed 's/^/    | /'
	fi
}

totals() {
	if [ "$TOTAL_SKIP" -gt 0 ]; then
		echo "$TOTAL_PASS passed, $TOTAL_FAIL failed, $TOTAL_SKIP skipped"
	else
		echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
	fi
	[ "$TOTAL_FAIL" = 0 ]
}
