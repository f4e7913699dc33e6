# Signals and job control through real shells, natively and sandboxed:
# traps, killing background jobs and oneself, the statuses of signalled
# children, stop and continue, wait interrupted by a trap, SIGPIPE in a
# pipeline, timeout(1) and xargs -P.
#
# Each script runs under dash, bash and busybox sh (those it applies to),
# natively and inside cvisor. Its stdout must be the expected text (what
# Linux gives) both ways, and its exit status the expected one; stderr
# ("Terminated" and such notices differ between shells) is not compared.
# E2E_NATIVE_ONLY=1 runs only the native half, to check the expectations
# on a host (CVISOR must still be set, to anything).
#
# Every script takes at most 2 s natively; a run is cut off after
# E2E_TIMEOUT seconds, 20 by default here, so that a sandbox that loses a
# signal (and so waits forever) costs minutes, not hours.
E2E_TIMEOUT=${E2E_TIMEOUT:-20}
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# have_shell SHELL: whether the shell named dash, bash or busybox is here.
have_shell() {
	case $1 in
	dash) [ -x /bin/dash ] ;;
	bash) [ -x /bin/bash ] ;;
	busybox) [ -x "$BUSYBOX" ] ;;
	esac
}

# run_shell native|cvisor SHELL SCRIPT: sets $OUT, $ERR, $RC.
run_shell() {
	rs_mode=$1 rs_shell=$2 rs_script=$3
	case $rs_shell in
	dash) set -- /bin/dash ;;
	bash) set -- /bin/bash ;;
	busybox) set -- "$BUSYBOX" sh ;;
	esac
	if [ "$rs_mode" = native ]; then
		native "$@" -c "$rs_script"
	else
		cv do -- "$@" -c "$rs_script"
	fi
}

# sig_same NAME "SHELLS" SCRIPT EXPECTED [STATUS]: for each shell of
#   SHELLS, runs SCRIPT natively and inside cvisor; stdout must be
#   EXPECTED plus a newline (nothing if EXPECTED is empty) and the exit
#   status STATUS (default 0), both ways.
sig_same() {
	ss_name=$1 ss_shells=$2 ss_script=$3 ss_expected=$4 ss_status=${5:-0}
	if [ -n "$ss_expected" ]; then
		printf '%s\n' "$ss_expected" >"$WORK/expected"
	else
		: >"$WORK/expected"
	fi
	for ss_shell in $ss_shells; do
		if ! have_shell "$ss_shell"; then
			skip "$ss_name/$ss_shell" "no $ss_shell"
			continue
		fi
		t_begin "$ss_name/$ss_shell"
		run_shell native "$ss_shell" "$ss_script"
		cp "$OUT" "$WORK/native.out"
		expect_file_same "$WORK/expected" "$WORK/native.out" \
			"native stdout"
		[ "$RC" = "$ss_status" ] ||
			why "native exit status $RC, expected $ss_status"
		if [ "${E2E_NATIVE_ONLY:-0}" != 1 ]; then
			run_shell cvisor "$ss_shell" "$ss_script"
			expect_file_same "$WORK/expected" "$OUT" stdout
			expect_rc "$ss_status"
		fi
		t_end
	done
}

ALL="dash bash busybox"

# --- traps ---------------------------------------------------------------

# A signal to oneself runs the trap before kill returns.
sig_same trap-own-signal "$ALL" \
	'trap "echo got USR1" USR1; kill -USR1 $$; echo after' \
	'got USR1
after'

sig_same trap-term-then-exit "$ALL" \
	'trap "echo term" TERM; trap "echo exit" EXIT; kill -TERM $$; echo after' \
	'term
after
exit'

sig_same trap-exit-keeps-the-status "$ALL" \
	'trap "echo bye" EXIT; exit 3' 'bye' 3

# trap - restores the default action: the shell dies of SIGUSR1.
sig_same default-action-kills-the-shell "$ALL" \
	'trap "echo x" USR1; trap - USR1; kill -USR1 $$; echo not reached' \
	'' 138

# An ignored signal stays ignored across fork and exec.
sig_same ignored-signal-stays-ignored-in-children "$ALL" \
	'trap "" INT; sh -c "kill -INT \$\$; echo survived"; echo $?' \
	'survived
0'

# A trapped signal that comes while a foreground child runs: the trap
# runs once the child is done.
sig_same trap-after-the-foreground-child "$ALL" \
	'trap "echo parent" USR1; (kill -USR1 $$; sleep 0.1); echo after' \
	'parent
after'

# POSIX: a trapped signal makes wait return at once with a status above
# 128, then the trap runs. The signaller waits until the shell sleeps
# (in wait, reading /proc/$$/stat; at most 1000 tries).
sig_same wait-interrupted-by-a-trapped-signal "$ALL" \
	'trap "echo usr1" USR1
	sleep 5 & s=$!
	( i=0
	  while [ $i -lt 1000 ] && [ "$(cut -d" " -f3 /proc/$$/stat)" != S ]; do
		i=$((i + 1))
	  done
	  kill -USR1 $$ ) &
	wait $s; echo "wait=$?"
	kill $s; wait $s; echo "sleep=$?"' \
	'usr1
wait=138
sleep=143'

# --- background jobs -----------------------------------------------------

sig_same kill-a-background-job "$ALL" \
	'sleep 5 & pid=$!; kill $pid; wait $pid; echo $?' '143'

sig_same wait-for-a-subshell-status "$ALL" \
	'(exit 3) & wait $!; echo $?' '3'

# Statuses of jobs that ended before the wait for them are kept.
sig_same wait-for-several-jobs "$ALL" \
	'for i in 1 2 3; do (sleep 0.$i; exit $i) & eval p$i=\$!; done
	wait $p3; echo $?; wait $p1; echo $?; wait $p2; echo $?
	wait; echo all=$?' \
	'3
1
2
all=0'

sig_same stop-continue-then-kill "$ALL" \
	'sleep 10 & kill -STOP $!; kill -CONT $!; kill $!; wait $!; echo $?' \
	'143'

sig_same kill-zero-checks-a-job-exists "$ALL" \
	'sleep 5 & p=$!; kill -0 $p && echo alive; kill $p; wait $p
	kill -0 $p 2>/dev/null || echo gone' \
	'alive
gone'

# dash knows no job specs without job control; bash and busybox do.
sig_same kill-a-job-by-jobspec "bash busybox" \
	'sleep 5 & kill %1; wait %1; echo $?' '143'

# With job control the job has its own process group: kill %1 signals
# the group.
sig_same kill-a-job-in-its-own-group "bash" \
	'set -m; sleep 5 & kill %1; wait %1; echo $?' '143'

# --- statuses of signalled children ------------------------------------

# (The shells' reports of the deaths go nowhere: "Segmentation fault" on
# stderr would read as a crash of cvisor.)
sig_same child-killed-by-a-signal "$ALL" \
	'exec 2>/dev/null; sh -c "kill -9 \$\$"; echo $?; sh -c "kill -SEGV \$\$"; echo $?
	sh -c "kill -TERM \$\$"; echo $?' \
	'137
139
143'

# The writer of a pipeline whose reader is gone dies of SIGPIPE.
sig_same sigpipe-ends-a-pipeline "$ALL" 'yes | head -n 2' 'y
y'

sig_same sigpipe-status-in-pipestatus "bash" \
	'yes | head -n 1 >/dev/null; echo "${PIPESTATUS[*]}"' '141 0'

# --- programs that manage children with signals ------------------------

sig_same timeout-terminates-or-kills "dash" \
	'timeout 1 sleep 5; echo $?; timeout -s KILL 1 sleep 5; echo $?
	timeout 5 sh -c "exit 3"; echo $?' \
	'124
137
3'

sig_same xargs-in-parallel "dash" \
	"printf '1\\n2\\n3\\n4\\n' | xargs -P 4 -n 1 echo | sort" \
	'1
2
3
4'

summary
