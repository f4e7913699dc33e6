# CPython's regression tests natively and inside cvisor, for the python
# and cpython groups (sourced after lib.sh; PY names the interpreter).

# pytest_same MODULE [-m MATCH]... [SLOW-PATTERN... --] [PATTERN...]:
#   runs `python3 -m test MODULE` natively and inside (only the cases
#   matching a MATCH, if any), leaving out the cases matching each
#   PATTERN, and the SLOW-PATTERNs unless E2E_PY_FULL=1. Both runs must
#   succeed with the same "Ran N tests" and "OK" lines.
pytest_same() {
	pt_mod=$1
	shift
	pt_args=
	while [ "${1:-}" = -m ]; do
		pt_args="$pt_args -m $2"
		shift 2
	done
	t_begin "$pt_mod"
	if [ ! -f "/usr/lib/python3.11/test/$pt_mod.py" ]; then
		skip "$pt_mod" "libpython3.11-testsuite is not installed"
		return
	fi
	pt_full=${E2E_PY_FULL:-0}
	set -- "$@" --
	pt_slow=1
	for pt_p in "$@"; do
		if [ "$pt_p" = -- ]; then
			pt_slow=0
		elif [ "$pt_slow" = 0 ] || [ "$pt_full" != 1 ]; then
			pt_args="$pt_args -i $pt_p"
		fi
	done
	mkdir -p "$WORK/native/$pt_mod" "$WORK/cvisor/$pt_mod"
	cd "$WORK/native/$pt_mod" || exit 1
	# shellcheck disable=SC2086 # the -i PATTERN pairs
	native "$PY" -m test -v "$pt_mod" $pt_args
	n_rc=$RC
	pt_lines "$OUT" >"$WORK/native.out"
	cp "$OUT" "$WORK/native.log"
	cd "$WORK/cvisor/$pt_mod" || exit 1
	# shellcheck disable=SC2086
	cv do -- "$PY" -m test -v "$pt_mod" $pt_args
	cd "$WORK" || exit 1
	[ "$n_rc" = 0 ] || why "natively: exit status $n_rc: $(grep -E '^(FAIL|ERROR):' "$WORK/native.log" | head -n 5)"
	[ "$RC" = 0 ] || why "inside: exit status $RC: $(grep -E '^(FAIL|ERROR):' "$OUT" | head -n 5)"
	pt_lines "$OUT" >"$WORK/cvisor.out"
	expect_file_same "$WORK/native.out" "$WORK/cvisor.out" "tests run"
	t_end
}

pt_lines() {
	grep -E '^(Ran [0-9]+ tests?|OK( \(.*\))?|FAILED .*)( in .*)?$' "$1" | sed 's/ in [0-9.]*s$//'
}
