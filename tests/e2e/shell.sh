# busybox sh scripts inside one sandbox, natively and sandboxed: fork,
# exec, wait and exit statuses, pipelines, #! scripts, and file work on
# the overlay.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

make_tree "$WORK/fix" || { echo "cannot build the fixture"; exit 1; }
cd "$WORK/fix/tree" || exit 1

sh_cvisor() {
	timeout -k 5 "$E2E_TIMEOUT" "$CVISOR" do -- "$BUSYBOX" sh -c "$1"
}
sh_native() {
	env -i PATH="$SANDBOX_PATH" HOME=/root "$BUSYBOX" sh -c "$1"
}

# Runs script $2 natively and in cvisor; stdout and status must match.
script_same() {
	t_begin "$1"
	sh_native "$2" >"$WORK/native.out" 2>"$WORK/native.err"
	n_rc=$?
	sh_cvisor "$2" >"$OUT" 2>"$ERR"
	RC=$?
	check_run "$2"
	expect_file_same "$WORK/native.out" "$OUT" stdout
	[ "$RC" = "$n_rc" ] || why "exit status $RC, natively $n_rc"
	t_end
}

script_same exit-7 'exit 7'
script_same subshell-status '(exit 3); echo "sub=$?"; sh -c "exit 9"; echo "child=$?"'
script_same external-commands "for i in 1 2 3; do $BUSYBOX echo n\$i; done; $BUSYBOX true && echo ok"
script_same false-status "$BUSYBOX false; echo \$?"
script_same missing-command 'no-such-command-xyz 2>/dev/null; echo $?'
script_same command-substitution-builtin 'x=$(echo inner); echo "[$x]"'
script_same overlay-file-work "d=\$($BUSYBOX mktemp -d) && $BUSYBOX mkdir -p \$d/a/b &&
	$BUSYBOX cp big.txt \$d/a/b/c && $BUSYBOX mv \$d/a/b/c \$d/a/moved &&
	$BUSYBOX cksum <\$d/a/moved && $BUSYBOX rm -r \$d/a && $BUSYBOX ls \$d; $BUSYBOX rm -r \$d"
script_same pipeline-sort-head "$BUSYBOX seq 1 100000 | $BUSYBOX sort -r | $BUSYBOX head -3"
script_same pipeline-status "$BUSYBOX false | $BUSYBOX true; echo \$?; $BUSYBOX true | $BUSYBOX false; echo \$?"
script_same command-substitution "n=\$($BUSYBOX seq 1 50 | $BUSYBOX wc -l); echo lines=\$n"
script_same pipeline-grep-big "$BUSYBOX cat big.txt big.txt | $BUSYBOX grep -c . ; $BUSYBOX sha256sum <big.txt"
script_same fifo "f=\$($BUSYBOX mktemp -u) && $BUSYBOX mkfifo \$f && ($BUSYBOX echo through-fifo >\$f &) &&
	$BUSYBOX cat \$f; $BUSYBOX rm \$f"
script_same redirect-append "f=\$($BUSYBOX mktemp) && echo one >\$f && echo two >>\$f &&
	$BUSYBOX cat \$f && $BUSYBOX rm \$f"

# A #! script found through PATH runs with its interpreter and arguments.
t_begin shebang-script
mkdir -p "$WORK/bin"
printf '#!%s sh\necho "args: $*"\nexit 4\n' "$BUSYBOX" >"$WORK/bin/hello"
chmod +x "$WORK/bin/hello"
timeout -k 5 "$E2E_TIMEOUT" "$CVISOR" do --env PATH="$WORK/bin:/usr/bin:/bin" -- hello a 'b c' \
	>"$OUT" 2>"$ERR"
RC=$?
check_run "hello a 'b c'"
expect_rc 4
expect_out 'args: a b c'
t_end

summary
