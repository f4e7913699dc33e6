# The command line: verbs, flags, the environment and working directory a
# program gets, and the exit status contract.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

t_begin version
cv --version
expect_rc 0
expect_out_has '[0-9]+\.[0-9]+'
t_end

t_begin help
cv --help
expect_rc 0
grep -qw do "$OUT" || why "--help does not list the verb 'do'"
grep -qw syscalls "$OUT" || why "--help does not list the verb 'syscalls'"
for f in --root --env --cwd --platform --debug-log --strace --hostname --version --help; do
	grep -Fq -- "$f" "$OUT" || why "--help does not list $f"
done
t_end

t_begin syscalls
cv syscalls
expect_rc 0
grep -qw read "$OUT" || why "the syscall table lacks read"
grep -qw write "$OUT" || why "the syscall table lacks write"
t_end

t_begin strace
cv do --strace -- "$BUSYBOX" true
expect_rc 0
expect_err_has exit_group
t_end

t_begin strace-stdout
cv do --strace -- "$BUSYBOX" echo hi
expect_rc 0
expect_out hi
grep -qw write "$ERR" || why "--strace does not show the write"
t_end

t_begin debug-log-file
cv do --debug-log "$WORK/debug.log" -- "$BUSYBOX" true
expect_rc 0
[ -s "$WORK/debug.log" ] || why "--debug-log FILE left FILE empty or absent"
t_end

# The kernel log is the sandbox's own, with its boot lines.
t_begin dmesg
cv do -- "$BUSYBOX" dmesg
expect_rc 0
expect_out_has "Linux version 6.1.0-cvisor"
t_end

t_begin debug-log-stderr
cv do --debug-log - -- "$BUSYBOX" echo hi
expect_rc 0
expect_out hi
t_end

t_begin platform-ptrace
cv do --platform ptrace -- "$BUSYBOX" echo hi
expect_rc 0
expect_out hi
t_end

t_begin path-lookup
cv do -- busybox echo found
expect_rc 0
expect_out found
t_end

# --- CPUs: one count in /sys, /proc and sched_getaffinity ----------------------

t_begin cpus-flag
cv do --cpus 3 -- "$BUSYBOX" sh -c 'cat /sys/devices/system/cpu/online; nproc
grep -c ^processor /proc/cpuinfo; grep -c "^cpu[0-9]" /proc/stat'
expect_rc 0
expect_out "0-2
3
3
3"
t_end

t_begin cpus-flag-bad
cv do --cpus 0 -- "$BUSYBOX" true
expect_rc 125
expect_err_has "--cpus 0"
t_end

# --- working directory ---------------------------------------------------------

t_begin cwd-flag
cv do --cwd /etc -- "$BUSYBOX" pwd
expect_rc 0
expect_out /etc
t_end

t_begin cwd-default
cv do -- "$BUSYBOX" pwd
expect_rc 0
expect_out "$WORK"
t_end

# --- environment ---------------------------------------------------------------

# env_same NAME VAR=VALUE... -- CVISOR-FLAGS...: the environment inside,
# sorted, is the default one with VAR=VALUE... added or replacing a default
env_same() {
	t_begin "$1"
	shift
	es_vars=
	while [ "$1" != -- ]; do
		es_vars="$es_vars$1
"
		shift
	done
	shift
	{
		echo "PATH=$SANDBOX_PATH"
		echo HOME=/root
		[ -z "${TERM+set}" ] || echo "TERM=$TERM"
		printf '%s' "$es_vars"
	} | awk -F= '{ last[$1] = $0 } END { for (k in last) print last[k] }' |
		LC_ALL=C sort >"$WORK/env.expected"
	cv do "$@" -- "$BUSYBOX" env
	expect_rc 0
	LC_ALL=C sort "$OUT" >"$WORK/env.actual"
	expect_file_same "$WORK/env.expected" "$WORK/env.actual" "environment (sorted)"
	t_end
}

old_term=${TERM-}
term_set=${TERM+set}
export TERM=xterm-e2e
env_same env-default --
env_same env-flags A=1 'B=two words' C= -- --env A=1 --env 'B=two words' --env C=
env_same env-override HOME=/home/e2e -- --env HOME=/home/e2e
unset TERM
env_same env-no-term --
if [ "$term_set" = set ]; then export TERM="$old_term"; fi

# -t: a terminal of the sandbox's own for all of stdio, even with a pipe
# as stdin, whose end reads as end of file; output comes through the
# terminal (the echo, which may come first, and cat's copy; lines end in
# \r\n).
t_begin tty-flag
printf 'hi\n' >"$WORK/tty.in"
CV_IN=$WORK/tty.in cv do -t -- "$BUSYBOX" sh -c 'tty; cat'
expect_rc 0
[ "$(grep -c "$(printf '\r$')" "$OUT")" = 3 ] || why "lines do not end in \\r\\n"
tr -d '\r' <"$OUT" | LC_ALL=C sort >"$WORK/tty.out"
printf '/dev/pts/0\nhi\nhi\n' >"$WORK/expected"
expect_file_same "$WORK/expected" "$WORK/tty.out" stdout
t_end

# Without a terminal on stdin, or with --no-tty, stdio stay the caller's.
t_begin tty-none
cv do -- "$BUSYBOX" tty
expect_rc 1
expect_out 'not a tty'
CV_IN=$WORK/tty.in cv do --no-tty -- "$BUSYBOX" cat
expect_out 'hi'
t_end

# and the same through `env -i` natively
t_begin env-vs-native
CV_IN=
native "$BUSYBOX" env X=1
LC_ALL=C sort "$OUT" >"$WORK/env.native"
cv do --env X=1 -- "$BUSYBOX" env
LC_ALL=C sort "$OUT" >"$WORK/env.cvisor"
expect_rc 0
expect_file_same "$WORK/env.native" "$WORK/env.cvisor" "environment (sorted)"
t_end

# --- arguments -----------------------------------------------------------------

# shellcheck disable=SC2046 # one argument per number, on purpose
bb_same argv-many -- echo $(seq 1 5000)
bb_same argv-long -- printf '%s\n' "$(head -c 100000 /dev/zero | tr '\0' x)"

# --- exit status ---------------------------------------------------------------

if gcc -O2 -static -o "$WORK/exitwith" "$E2E_DIR/prog/exitwith.c" 2>"$WORK/gcc.err"; then
	for n in 0 3 42 255; do
		t_begin "exit-$n"
		cv do -- "$WORK/exitwith" "$n"
		expect_rc "$n"
		t_end
	done
	# the program dies of SIGSEGV: 128 + 11
	t_begin exit-signal
	CRASH_SAVED=$CRASH_RE
	CRASH_RE='AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:'
	cv do -- "$WORK/exitwith" segv
	CRASH_RE=$CRASH_SAVED
	expect_rc 139
	t_end
	# a write to a pipe with no reader: SIGPIPE, 128 + 13
	t_begin exit-sigpipe
	cv do -- "$WORK/exitwith" sigpipe
	expect_rc 141
	t_end
	# An unimplemented syscall fails with ENOSYS and is reported in the log.
	t_begin unimplemented-syscall-event
	cv do --debug-log "$WORK/unimpl.log" -- "$WORK/exitwith" enosys
	expect_rc 0
	grep -q "unimplemented syscall: pid 1 (exitwith) called ? (1000)" "$WORK/unimpl.log" ||
		why "no unimplemented-syscall event for syscall 1000 in the debug log"
	t_end
else
	t_begin exit-status
	why "cannot build tests/e2e/prog/exitwith.c: $(head -n 5 "$WORK/gcc.err")"
	t_end
fi

summary
