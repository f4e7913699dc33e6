# Unix domain sockets through real programs: python3's asyncio (its event
# loop wakes itself through a socketpair) running a subprocess, a unix
# stream server and socketpair streams, natively and inside cvisor, with
# the same output.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3

if [ ! -x "$PY" ]; then
	skip asyncio_sleep "no $PY"
	skip asyncio_unix "no $PY"
	summary
	exit $?
fi

t_begin asyncio_sleep
cv do -- "$PY" -c 'import asyncio; asyncio.run(asyncio.sleep(0.1)); print("slept")'
expect_rc 0
expect_out "slept"
t_end

t_begin asyncio_unix
printf 'subprocess: HELLO 0\nunix: echo:ping\npair: pair\n' >"$WORK/expected"
native "$PY" "$E2E_DIR/prog/asyncio_unix.py"
expect_rc 0
expect_file_same "$WORK/expected" "$OUT" "native stdout"
rm -f aio.sock
cv do -- "$PY" "$E2E_DIR/prog/asyncio_unix.py"
expect_rc 0
expect_file_same "$WORK/expected" "$OUT" stdout
t_end

summary
