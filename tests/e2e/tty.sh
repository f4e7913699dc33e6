# Job control on a terminal: scripts run under script(1), which gives them
# a pseudo-terminal, natively and inside cvisor. Inside, cvisor sees a
# terminal on stdin and gives the sandbox a pseudo-terminal of its own
# (`do -t`), with its own foreground process group; background jobs that
# touch the terminal get SIGTTIN/SIGTTOU as on Linux.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

if ! command -v script >/dev/null || ! command -v bash >/dev/null; then
	skip all "needs script(1) (bsdutils) and bash"
	summary
	exit 0
fi

# on_tty CMD...: runs CMD on a fresh pseudo-terminal; output without the
# terminal's carriage returns. script(1) reads a FIFO it holds open
# itself, so it never sees the end of its input: at that end it would
# type an EOF character into the terminal (shown as ^@ once cvisor has
# put that terminal in raw mode to relay it to the sandbox's own).
on_tty() {
	[ -p "$WORK/tty-in" ] || mkfifo "$WORK/tty-in"
	timeout -k 5 "$E2E_TIMEOUT" script -qec "$*" /dev/null 9<>"$WORK/tty-in" <&9 9<&- |
		tr -d '\r'
}

# tty_same NAME SCRIPT: bash SCRIPT on a terminal, natively and inside.
tty_same() {
	t_begin "$1"
	printf '%s\n' "$2" >"$WORK/$1.sh"
	on_tty env -i PATH="$SANDBOX_PATH" bash "$WORK/$1.sh" >"$WORK/native.out" 2>&1
	on_tty "$CVISOR" do -- bash "$WORK/$1.sh" >"$OUT" 2>"$ERR"
	RC=$?
	check_run "bash $1.sh on a terminal"
	expect_file_same "$WORK/native.out" "$OUT" output
	t_end
}

tty_same background-read-stops '
set -m
cat &
sleep 0.5
jobs | sed "s/  */ /g"
ps -o stat= -p $! | cut -c1
exec 2>/dev/null	# bash reports the kill whenever it notices
kill -KILL %1'

tty_same background-write-with-tostop-stops '
stty tostop
set -m
echo from-the-background &
sleep 0.5
jobs | sed "s/  */ /g"
fg >/dev/null
stty -tostop'

tty_same background-write-without-tostop-runs '
stty -tostop
set -m
echo from-the-background &
wait
echo done'

tty_same foreground-group-follows-jobs '
set -m
fg_of() { ps -o tpgid= -p $$ | tr -d " "; }
[ "$(fg_of)" = "$(ps -o pgid= -p $$ | tr -d " ")" ] && echo shell-in-foreground
sleep 0.3 &
fg >/dev/null
echo back'

tty_same stopped-job-continues-with-fg '
set -m
(kill -STOP $BASHPID; echo resumed) &
sleep 0.3
jobs | sed "s/  */ /g"
fg >/dev/null'

summary
