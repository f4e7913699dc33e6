# System V IPC with real programs: util-linux's ipcmk, ipcs and ipcrm
# inside one sandbox show what they show natively for the objects they
# make (ids, keys, pids and times aside: the host has its own objects and
# clock), and ipcrm removes them even when a check fails; perl's IPC::SysV
# classes give the same output natively and inside.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# Makes a segment, a semaphore set and a queue, lists their lines and
# details, and removes them.
IPC_SCRIPT='
norm() { sed "s/0x[0-9a-f]\{8\}/KEY/; s/^KEY  *[0-9][0-9]*/KEY ID/; s/=[0-9][0-9]*$/=ID/" | tr -s " "; }
m=$(ipcmk -M 10000 -p 0640 | sed "s/.*: //")
s=$(ipcmk -S 3 | sed "s/.*: //")
q=$(ipcmk -Q -p 0600 | sed "s/.*: //")
ipcs -m | awk -v id="$m" "\$2 == id" | norm
ipcs -s | awk -v id="$s" "\$2 == id" | norm
ipcs -q | awk -v id="$q" "\$2 == id" | norm
ipcs -m -i "$m" | grep -v -e time -e pid | norm
ipcs -s -i "$s" | grep -v -e time -e "^[0-9]" | norm
ipcs -l
ipcrm -m "$m" -s "$s" -q "$q" && echo removed
ipcs -m -i "$m" 2>&1 | sed "s/[0-9][0-9]*/N/"
'

if ! command -v ipcs >/dev/null || ! command -v ipcmk >/dev/null; then
	skip ipcs-same "util-linux's ipcs and ipcmk are not installed"
else
	t_begin ipcs-same
	native sh -c "$IPC_SCRIPT"
	n_rc=$RC
	cp "$OUT" "$WORK/native.out"
	cv do -- /bin/sh -c "$IPC_SCRIPT"
	expect_rc "$n_rc"
	expect_file_same "$WORK/native.out" "$OUT" stdout
	grep -q "removed" "$OUT" || why "ipcrm did not remove the objects"
	t_end
fi

if ! perl -MIPC::SysV -e 1 2>/dev/null; then
	skip perl-sysv "perl has no IPC::SysV"
else
	t_begin perl-sysv
	native perl "$E2E_DIR/prog/ipc.pl"
	n_rc=$RC
	cp "$OUT" "$WORK/native.out"
	cv do -- perl "$E2E_DIR/prog/ipc.pl"
	expect_rc "$n_rc"
	expect_file_same "$WORK/native.out" "$OUT" stdout
	t_end
fi

summary
