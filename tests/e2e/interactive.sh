# Interactive programs on a terminal: tmux runs `cvisor do` in a window
# of its own (a pseudo-terminal, as a terminal emulator gives a user),
# types keys with send-keys and reads the screen with capture-pane. cvisor
# sees a terminal on stdin, gives the sandbox a pseudo-terminal of its own
# and relays keys and output; ^C, ^Z and window sizes reach the sandbox's
# foreground job through its line discipline.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null || ! command -v bash >/dev/null; then
	skip all "needs tmux and bash"
	summary
	exit 0
fi

# One tmux server per test, each on its own socket.
SOCK=
tm() {
	tmux -S "$SOCK" "$@"
}
stop() {
	[ -z "$SOCK" ] || tm kill-server 2>/dev/null
}
trap 'stop; [ "${E2E_KEEP:-0}" = 1 ] || rm -rf "$WORK"' EXIT

# start NAME CMD: a new 80x24 window running CMD, then a marker with its
# exit status once it ends.
start() {
	stop
	SOCK=$WORK/tmux.$1
	shift
	tm new-session -d -s t -x 80 -y 24 \
		"$1; echo exited:\$?; sleep $E2E_TIMEOUT" || why "tmux did not start"
}

# screen PATTERN: waits until a line of the window matches PATTERN (grep
# -E); the screen is left in $OUT.
screen() {
	i=0
	while [ "$i" -lt $((E2E_TIMEOUT * 10)) ]; do
		tm capture-pane -p -t t >"$OUT" 2>/dev/null
		grep -Eq -- "$1" "$OUT" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	why "the screen never showed /$1/:
$(sed 's/^/      /' "$OUT")"
	return 1
}

# The sentry's stderr is the window: no crash report on it.
no_crash() {
	! grep -Eq "$CRASH_RE" "$OUT" || why "crash report on the screen"
}

keys() {
	tm send-keys -t t "$@"
}

t_begin bash-prompt-command-interrupt-exit
start bash "$CVISOR do --env PS1='cv\$ ' -- bash --norc --noprofile -i"
screen '^cv\$ ?$'
keys 'echo hello $((6 * 7)) $(tty)' Enter
screen '^hello 42 /dev/pts/0$'
keys 'sleep 100' Enter
sleep 0.5
keys C-c
keys 'echo status $?' Enter
screen '^status 130$'
grep -q '^\^C' "$OUT" || why "^C was not echoed"
keys 'sleep 100' Enter
sleep 0.5
keys C-z
screen 'Stopped +sleep 100'
keys 'kill -KILL %1; wait; stty size' Enter
screen '^24 80$'
tm resize-window -t t -x 100 -y 30
keys 'echo resized $(stty size)' Enter
screen '^resized 30 100$'
keys 'exit' Enter
screen '^exited:0$'
no_crash
t_end

if command -v python3 >/dev/null; then
	t_begin python3-repl
	start python3 "$CVISOR do -- python3 -q"
	screen '^>>> ?$'
	keys 'print(6 * 7)' Enter
	screen '^42$'
	keys 'while True: pass' Enter Enter
	sleep 0.5
	keys C-c
	screen '^KeyboardInterrupt$'
	keys 'import sys; sys.exit(3)' Enter
	screen '^exited:3$'
	no_crash
	t_end
else
	skip python3-repl "needs python3"
fi

summary
