#!/bin/sh
# Benchmarks: the same programs natively, inside cvisor on each platform
# (systrap, ptrace) and, when `runsc` is on PATH, inside gVisor; prints each
# figure's median over REPS repetitions and the ratio of each sandbox to
# native.
#
#   sh bench/run.sh        (make bench builds build/cvisor first)
#
# Environment: CVISOR (default build/cvisor), RUNNERS (default "native
# systrap ptrace", plus runsc when installed), REPS (default 5), MICRO_SECS
# (minimum seconds per measurement, default 0.5), STARTS (sandbox starts
# timed per repetition, default 10). Raw results go to bench/out/.
#
# The figures come from bench/micro.c (one line `name value unit` each) plus
# what is measured here: `startup`, `python_startup` (when python3 is
# installed), `idle_memory` and the `macro_*` workloads. To add a figure,
# add it to micro.c; to add a sandbox, write run_<name> and append <name>
# to RUNNERS.
# shellcheck disable=SC1010,SC2317 # "do" is a cvisor verb; run_* are called as run_$r
set -u
cd "$(dirname "$0")/.." || exit 1
REPO=$PWD
CVISOR=${CVISOR:-$REPO/build/cvisor}
REPS=${REPS:-5}
MICRO_SECS=${MICRO_SECS:-0.5}
STARTS=${STARTS:-10}
OUT=$REPO/bench/out
MICRO=$OUT/micro

# run_<runner> CMD...: runs CMD there (time limit: 10 minutes)
run_native() { timeout 600 "$@"; }
run_systrap() { timeout 600 "$CVISOR" --platform systrap do -- "$@"; }
run_ptrace() { timeout 600 "$CVISOR" --platform ptrace do -- "$@"; }
run_runsc() { timeout 600 runsc --network=none do "$@"; }

RUNNERS=${RUNNERS:-native systrap ptrace}
if command -v runsc >/dev/null; then
	RUNNERS="$RUNNERS runsc"
fi
REQUIRED="native systrap ptrace" # runners whose failure fails the benchmark

mkdir -p "$OUT"
rm -f "$OUT"/*.txt "$OUT"/*.err
gcc -O2 -static -o "$MICRO" bench/micro.c || exit 1

echo "cvisor benchmarks: $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r)," \
	"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "median of $REPS runs; ratio = sandbox / native (ns/op, us: higher is slower;" \
	"/s: lower is slower)"

# startup RUNNER: ms per start of the sandbox running a program that exits
startup() {
	st_t0=$(date +%s%N)
	st_i=0
	while [ $st_i -lt "$STARTS" ]; do
		"run_$1" "$MICRO" -l >/dev/null || return 1
		st_i=$((st_i + 1))
	done
	st_t1=$(date +%s%N)
	echo "startup $(((st_t1 - st_t0) / STARTS / 1000)) us"
}

# python_startup RUNNER: us per `python3 -c pass` in the sandbox (a
# dynamically linked program that opens and maps hundreds of files)
PYTHON=$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3 || true)
python_startup() {
	[ -n "$PYTHON" ] || return 0
	py_t0=$(date +%s%N)
	py_i=0
	while [ $py_i -lt "$STARTS" ]; do
		"run_$1" "$PYTHON" -c pass || return 1
		py_i=$((py_i + 1))
	done
	py_t1=$(date +%s%N)
	echo "python_startup $(((py_t1 - py_t0) / STARTS / 1000)) us"
}

# idle_memory RUNNER: KiB of memory (the sum of Pss, so that pages shared
# between the sentry and its stubs count once) of the whole process tree
# of a sandbox running `sleep`, a second after it started.
tree() {
	echo "$1"
	for child in $(pgrep -P "$1"); do
		tree "$child"
	done
}
idle_memory() {
	"run_$1" sleep 3 &
	im_pid=$!
	sleep 1
	im_kib=0
	for p in $(tree "$im_pid"); do
		p_kib=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
		im_kib=$((im_kib + ${p_kib:-0}))
	done
	wait "$im_pid" || return 1
	echo "idle_memory $im_kib KiB"
}

# macro RUNNER: two real workloads, ms each: python3 doing a little of
# everything (files, json, hashing, a subprocess), and gcc compiling a
# 1000-line C file (a driver, cc1, as and ld: fork, exec and file I/O).
MACRO_PY='import hashlib, json, os, subprocess, tempfile
d = tempfile.mkdtemp()
for i in range(200):
    p = os.path.join(d, "f%d.json" % i)
    with open(p, "w") as f:
        json.dump({"i": i, "v": list(range(50))}, f)
    with open(p, "rb") as f:
        hashlib.sha256(f.read()).hexdigest()
subprocess.run(["true"])
sum(i * i for i in range(200000))'
macro_src() {
	echo '#include <stdio.h>'
	i=0
	while [ $i -lt 330 ]; do
		printf 'static int f%d(int x)\n{\n\treturn x * %d + (x >> 3);\n}\n' "$i" "$i"
		i=$((i + 1))
	done
	echo 'int main(void) { int s = 0;'
	i=0
	while [ $i -lt 330 ]; do
		printf 's += f%d(%d);\n' "$i" "$i"
		i=$((i + 1))
	done
	printf '%s\n' 'printf("%d\n", s); return 0; }'
}
macro() {
	if [ -n "$PYTHON" ]; then
		m_t0=$(date +%s%N)
		"run_$1" "$PYTHON" -c "$MACRO_PY" || return 1
		m_t1=$(date +%s%N)
		echo "macro_python $(((m_t1 - m_t0) / 1000000)) ms"
	fi
	m_t0=$(date +%s%N)
	"run_$1" gcc -O1 -o "$OUT/macro.bin" "$OUT/macro.c" || return 1
	m_t1=$(date +%s%N)
	echo "macro_gcc $(((m_t1 - m_t0) / 1000000)) ms"
}
macro_src >"$OUT/macro.c"

# Repetitions interleave the runners, so that drift in the machine's speed
# hits them alike. Each result line: RUNNER FIGURE VALUE UNIT.
rep=1
while [ $rep -le "$REPS" ]; do
	printf 'run %s/%s:' "$rep" "$REPS"
	for r in $RUNNERS; do
		printf ' %s' "$r"
		{
			startup "$r" &&
				python_startup "$r" &&
				idle_memory "$r" &&
				macro "$r" &&
				"run_$r" "$MICRO" -t "$MICRO_SECS"
		} 2>"$OUT/$r.$rep.err" | sed "s/^/$r /" >"$OUT/$r.$rep.txt"
	done
	echo
	rep=$((rep + 1))
done

cat "$OUT"/*.txt | awk -v runners="$RUNNERS" '
function median(key,    n, i, j, t, v) {
	n = count[key]
	if (n == 0)
		return ""
	for (i = 1; i <= n; i++)
		v[i] = val[key, i]
	for (i = 2; i <= n; i++)	# insertion sort: n is small
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function fmt(x) {
	if (x == "")
		return "-"
	return x >= 100 ? sprintf("%.0f", x) : sprintf("%.2f", x)
}
{
	key = $1 SUBSEP $2
	val[key, ++count[key]] = $3
	if (!($2 in unit)) {
		unit[$2] = $4
		order[++nfig] = $2
	}
}
END {
	nr = split(runners, r, " ")
	printf "%-20s %-8s %12s", "figure", "unit", r[1]
	for (i = 2; i <= nr; i++)
		printf " %12s %8s", r[i], "ratio"
	printf "\n"
	for (f = 1; f <= nfig; f++) {
		fig = order[f]
		base = median(r[1] SUBSEP fig)
		printf "%-20s %-8s %12s", fig, unit[fig], fmt(base)
		for (i = 2; i <= nr; i++) {
			m = median(r[i] SUBSEP fig)
			ratio = (m == "" || base == "" || base == 0) ? "" : m / base
			printf " %12s %8s", fmt(m), fmt(ratio)
		}
		printf "\n"
	}
}'

# A runner failed if a repetition reported an error or a figure short of
# native's.
status=0
nfig=$(($("$MICRO" -l | wc -l) + 3))
[ -z "$PYTHON" ] || nfig=$((nfig + 2))
for r in $RUNNERS; do
	rep=1
	while [ $rep -le "$REPS" ]; do
		if [ -s "$OUT/$r.$rep.err" ] || [ "$(wc -l <"$OUT/$r.$rep.txt")" -lt "$nfig" ]; then
			echo "$r: incomplete results, see bench/out/$r.$rep.err:"
			head -n 5 "$OUT/$r.$rep.err" | sed 's/^/    /'
			case " $REQUIRED " in *" $r "*) status=1 ;; esac
			break
		fi
		rep=$((rep + 1))
	done
done
exit $status
