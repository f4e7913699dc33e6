# Bad input gets a clear error and the documented exit status, never a
# crash: 127 command not found, 126 not executable, 125 cvisor usage error.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

B=$WORK/bad
mkdir -p "$B"
printf 'hello, I am not a program\n' >"$B/not-elf"
head -c 100 "$BUSYBOX" >"$B/truncated-elf"
: >"$B/empty"
cp "$BUSYBOX" "$B/not-executable"
cp "$BUSYBOX" "$B/wrong-arch"
printf '\267\000' | dd of="$B/wrong-arch" bs=1 seek=18 conv=notrunc 2>/dev/null # e_machine = aarch64
cp "$BUSYBOX" "$B/elf32"
printf '\001' | dd of="$B/elf32" bs=1 seek=4 conv=notrunc 2>/dev/null # EI_CLASS = 32-bit
chmod 755 "$B/not-elf" "$B/truncated-elf" "$B/empty" "$B/wrong-arch" "$B/elf32"
chmod 644 "$B/not-executable"

# refused NAME STATUS MENTION ARGS...: `cvisor ARGS` fails with STATUS and
# a message on stderr that mentions MENTION
refused() {
	t_begin "$1"
	rf_status=$2 rf_mention=$3
	shift 3
	cv "$@"
	expect_clean_error "$rf_status"
	[ -z "$rf_mention" ] || expect_err_has "$rf_mention"
	t_end
}

# the program
refused cmd-missing-path 127 /no/such/cmd do -- /no/such/cmd
refused cmd-missing-name 127 no-such-command-xyz do -- no-such-command-xyz
refused cmd-empty 127 '' do -- ''
refused not-elf 126 "$B/not-elf" do -- "$B/not-elf"
refused truncated-elf 126 "$B/truncated-elf" do -- "$B/truncated-elf"
refused empty-file 126 "$B/empty" do -- "$B/empty"
refused wrong-arch 126 "$B/wrong-arch" do -- "$B/wrong-arch"
refused elf32 126 "$B/elf32" do -- "$B/elf32"
refused not-executable 126 "$B/not-executable" do -- "$B/not-executable"
refused directory 126 "$B" do -- "$B"

# cvisor's own usage
refused no-verb 125 ''
refused unknown-verb 125 frobnicate frobnicate
refused do-no-command 125 '' do
refused do-dashdash-only 125 '' do --
refused unknown-flag 125 --bogus-flag do --bogus-flag -- "$BUSYBOX" true
refused root-missing 125 "$B/no-such-root" do --root "$B/no-such-root" -- /bin/busybox true
refused root-is-file 125 "$B/not-elf" do --root "$B/not-elf" -- /bin/busybox true
refused root-no-arg 125 --root do --root
refused platform-unknown 125 no-such-platform do --platform no-such-platform -- "$BUSYBOX" true

summary
