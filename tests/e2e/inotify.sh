#!/bin/sh
# inotify from real programs, natively and sandboxed: python3 driving
# inotify through ctypes over files of the lower (host) layer, which the
# sandbox copies up as they change; and inotifywait (inotify-tools)
# reporting another process's changes.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3

# A fresh fixture in $WORK/fix: the file "old" and the directory "sub".
fixture() {
	rm -rf "$WORK/fix" && mkdir -p "$WORK/fix/sub" && echo old >"$WORK/fix/old"
}

if [ -x "$PY" ]; then
	t_begin python-ctypes
	fixture
	native "$PY" "$E2E_DIR/prog/inotify_watch.py" "$WORK/fix"
	cp "$OUT" "$WORK/native.out"
	[ "$RC" = 0 ] || why "natively: exit status $RC: $(head -c 300 "$ERR")"
	fixture
	cv do -- "$PY" "$E2E_DIR/prog/inotify_watch.py" "$WORK/fix"
	expect_rc 0
	expect_file_same "$WORK/native.out" "$OUT" stdout
	t_end
else
	skip python-ctypes "no $PY"
fi

# inotifywait -m in the background until it says it is watching, then
# changes made by the shell, then its report once it has all of them.
WAIT_SCRIPT='
inotifywait -m -e create,modify,attrib,close_write,moved_from,moved_to,delete \
	--format "%e %f" d >events 2>log &
pid=$!
n=0
until grep -q "Watches established" log; do
	n=$((n + 1)); [ $n -lt 400 ] || exit 3; sleep 0.05
done
echo hi >d/a; chmod 600 d/a; mv d/a d/b; rm d/b; mkdir d/c
n=0
until [ "$(wc -l <events)" -ge 7 ]; do
	n=$((n + 1)); [ $n -lt 400 ] || break; sleep 0.05
done
kill $pid
cat events'

if command -v inotifywait >/dev/null; then
	t_begin inotifywait
	rm -rf "$WORK/w" && mkdir -p "$WORK/w/d" && cd "$WORK/w" || exit 1
	native /bin/sh -c "$WAIT_SCRIPT"
	cp "$OUT" "$WORK/native.out"
	[ "$RC" = 0 ] || why "natively: exit status $RC"
	rm -rf "$WORK/w" && mkdir -p "$WORK/w/d" && cd "$WORK/w" || exit 1
	cv do -- /bin/sh -c "$WAIT_SCRIPT"
	expect_rc 0
	expect_file_same "$WORK/native.out" "$OUT" stdout
	cd "$WORK" || exit 1
	t_end
else
	skip inotifywait "no inotifywait (apt-get install inotify-tools)"
fi

summary
