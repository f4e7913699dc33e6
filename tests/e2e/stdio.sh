# The sandbox's stdin as a host pipe: poll and select on it alone and
# together with a pipe of the sandbox, timeouts, signals, and a shell's
# `read -t` (which polls its stdin). The pipe is a FIFO in the scratch
# directory, fed by a writer in the background.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

FIFO=$WORK/stdin
mkfifo "$FIFO" || { echo "cannot make a FIFO"; exit 1; }

# with_writer WRITER ARGS...: cv ARGS with stdin from the FIFO, which the
# shell command WRITER writes to (`exec sleep N` keeps it open and empty).
with_writer() {
	sh -c "$1" >"$FIFO" &
	ww_pid=$!
	shift
	CV_IN=$FIFO cv "$@"
	kill "$ww_pid" 2>/dev/null
	wait "$ww_pid" 2>/dev/null
}

if gcc -O2 -static -o "$WORK/pollstdio" "$E2E_DIR/prog/pollstdio.c" 2>"$WORK/gcc.err"; then
	# pollstdio NAME MODE WRITER EXPECTED: status 0 and stdout EXPECTED.
	pollstdio() {
		t_begin "$1"
		with_writer "$3" do -- "$WORK/pollstdio" "$2"
		expect_rc 0
		expect_out "$4"
		t_end
	}
	pollstdio poll-ready read 'echo hello' 'read hello'
	pollstdio poll-waits-for-data read 'sleep 0.3; echo later' 'read later'
	pollstdio poll-timeout timeout 'exec sleep 30' 'poll 0, select 0'
	pollstdio poll-with-a-sandbox-pipe mixed 'exec sleep 30' 'poll 1: stdin 0, pipe 0x1'
	pollstdio poll-interrupted signal 'exec sleep 30' \
		'poll -1 (Interrupted system call), handler ran'
else
	t_begin pollstdio
	why "cannot build tests/e2e/prog/pollstdio.c: $(head -n 5 "$WORK/gcc.err")"
	t_end
fi

t_begin read-t-gets-a-line
with_writer 'sleep 0.2; echo hi' do -- "$BUSYBOX" sh -c 'read -t 30 x; echo "got $x"'
expect_rc 0
expect_out 'got hi'
t_end

t_begin read-t-times-out
with_writer 'exec sleep 30' do -- "$BUSYBOX" sh -c 'read -t 0.2 x; echo "status $?"'
expect_rc 0
expect_out 'status 1'
t_end

# coreutils cat copies with copy_file_range when it can: to a host file
# on stdout that must still land at the host's offset, after what the
# caller wrote there, and a host pipe gets the bytes too.
if [ -x /bin/cat ]; then
	t_begin coreutils-cat-to-a-host-file-writes-at-its-offset
	printf 'line one\nline two\n' >"$WORK/cat.in"
	# The host shell writes through the same open file while cat waits:
	# cat's output must go after it, at the offset the host moved.
	(
		timeout -k 5 "$E2E_TIMEOUT" "$CVISOR" do -- "$BUSYBOX" sh -c \
			"sleep 1; /bin/cat $WORK/cat.in" 2>"$ERR" &
		sleep 0.2
		echo before
		wait $!
	) >"$WORK/cat.out"
	RC=$?
	check_run "cat to a host file"
	expect_rc 0
	printf 'before\nline one\nline two\n' >"$WORK/cat.want"
	expect_file_same "$WORK/cat.want" "$WORK/cat.out" "host file"
	t_end

	t_begin coreutils-cat-to-a-host-pipe
	timeout -k 5 "$E2E_TIMEOUT" "$CVISOR" do -- /bin/cat "$WORK/cat.in" 2>"$ERR" | cat >"$OUT"
	RC=$?
	check_run "cat to a host pipe"
	expect_out 'line one
line two'
	t_end
fi

summary
