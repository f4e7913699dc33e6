# Debian's static busybox, natively and inside cvisor: stdout and exit
# status must be identical. One process per run (no fork inside yet); host
# pipes and redirections around a sandbox exercise its stdio.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

make_tree "$WORK/fix" || { echo "cannot build the fixture"; exit 1; }
cd "$WORK/fix/tree" || exit 1

bb_same true -- true
bb_same false -- false
bb_same echo -- echo hello world
bb_same printf -- printf '%s-%05d-%x-[%s]\n' abc 42 255 ''
bb_same printf-args -- printf '[%s]' 'two words' '' 'é ü' '*' '$HOME'
bb_same seq -- seq 1 3 20
bb_same seq-w -- seq -w 8 12
bb_same basename -- basename /a/b/c.txt .txt
bb_same dirname -- dirname /a/b/c.txt
bb_same pwd -- pwd
bb_same uname -- uname -s -m
bb_same sleep -- sleep 0.1

# cat: files, stdin from a file and from a pipe, stdout to a pipe, errors
bb_same cat -- cat lines.txt
bb_same cat-many -- cat lines.txt empty bytes.bin 'sub/with space.txt'
bb_same cat-big -- cat big.txt
bb_same cat-stdin -i big.txt -- cat
bb_same cat-symlink -- cat link-to-lines
bb_same cat-missing -err -- cat no-such-file
bb_same cat-dir -err -- cat sub
sh_same cat-pipe 'cat big.txt | $BB cat | cksum'
sh_same seq-sigpipe '$BB seq 1 10000000 | head -n 2'

# ls
bb_same ls-la -- ls -la
bb_same ls-laR -- ls -laR
bb_same ls-ln -- ls -ln sub
bb_same ls-full-time -- ls -l --full-time lines.txt sub
bb_same ls-missing -err -- ls no-such-file

# text tools
bb_same wc -- wc lines.txt big.txt empty
bb_same wc-stdin -i big.txt -- wc -l
bb_same head -- head -n 3 lines.txt
bb_same head-c -- head -c 100 big.txt
bb_same tail -- tail -n 5 big.txt
bb_same tail-c -- tail -c 50 big.txt
bb_same tail-stdin -i big.txt -- tail -n 2
bb_same sort -- sort lines.txt
bb_same sort-key -- sort -t: -k2,2n -k1,1 lines.txt
bb_same sort-rn -- sort -rn big.txt
bb_same uniq -- uniq -c lines.txt
bb_same cut -- cut -d: -f1,3 lines.txt
bb_same cut-c -- cut -c1-3 lines.txt
bb_same tr -i lines.txt -- tr a-z A-Z
bb_same tr-d -i lines.txt -- tr -d 0-9
bb_same sed -- sed -n 's/a/A/gp' lines.txt
bb_same sed-e -- sed -e 3d -e 's/:/ /g' lines.txt
bb_same sed-count -- sed -n '$=' big.txt
bb_same grep -- grep -n beta lines.txt
bb_same grep-c -- grep -c 7 big.txt
bb_same grep-v -- grep -v -i green lines.txt
bb_same grep-E -- grep -E '^(alpha|gamma)' lines.txt
bb_same grep-nomatch -- grep nothing-like-this lines.txt
bb_same grep-r -sort -- grep -r red .

# checksums and dumps
bb_same sha256sum -- sha256sum lines.txt big.txt bytes.bin empty
bb_same sha256sum-stdin -i big.txt -- sha256sum
bb_same md5sum -- md5sum lines.txt big.txt bytes.bin empty
bb_same od -- od -A x -t x1 bytes.bin
bb_same od-c -- od -c lines.txt

# metadata (no inode or device numbers: those legitimately differ)
STATFMT='%n|%s|%a|%A|%F|%u|%g|%U|%G|%h|%Y'
bb_same stat -- stat -c "$STATFMT" lines.txt empty run.sh sub sub/private \
	sub/deeper link-to-lines dangling hardlink.txt
bb_same stat-L -- stat -L -c "$STATFMT" link-to-lines
bb_same stat-missing -err -- stat -c %n no-such-file
bb_same readlink -- readlink link-to-lines
bb_same realpath -- realpath link-to-lines

# directory walks: compared sorted, readdir order is unspecified
bb_same find -sort -- find .
bb_same find-type-f -sort -- find . -type f -name '*.txt'
bb_same find-type-l -sort -- find . -type l
bb_same find-size -sort -- find . -size +10k
bb_same find-maxdepth -sort -- find . -maxdepth 1 -type d
bb_same du -sort -- du -a .
bb_same du-s -- du -s .
bb_same du-k -- du -k sub

# df: the figures differ from the host's; the header and status must not
bb_same df -head -- df

# date: the year; and the clock within a few seconds of the host's
t_begin date-year
y0=$(date +%Y)
cv do -- "$BUSYBOX" date +%Y
y1=$(date +%Y)
expect_rc 0
[ "$(cat "$OUT")" = "$y0" ] || [ "$(cat "$OUT")" = "$y1" ] ||
	why "year '$(cat "$OUT")', natively $y0"
t_end

t_begin date-epoch
t0=$(date +%s)
cv do -- "$BUSYBOX" date +%s
t1=$(date +%s)
expect_rc 0
inside=$(cat "$OUT")
case $inside in
*[!0-9]* | '') why "date +%s printed '$inside'" ;;
*) if [ "$inside" -lt "$((t0 - 2))" ] || [ "$inside" -gt "$((t1 + 2))" ]; then
	why "clock inside $inside, host $t0..$t1"
fi ;;
esac
t_end

# id: compared to the host's only when the tests run as root, as the
# sandbox's user is root
if [ "$(id -u)" = 0 ]; then
	bb_same id -- id
	bb_same id-u -- id -u
	bb_same whoami -- whoami
else
	skip id "not running as root"
fi

# tar: list the archive made inside and the one made natively (stdin from a
# file); then check the archive made inside on the host
sh_same tar-list '$BB tar -cf - . >"$WORK/$BB.tar" &&
	$BB tar -tvf - <"$WORK/$BB.tar" | LC_ALL=C sort'
t_begin tar-extract
mkdir "$WORK/x"
if [ -s "$WORK/bb_cvisor.tar" ] &&
	"$BUSYBOX" tar -xf "$WORK/bb_cvisor.tar" -C "$WORK/x" 2>"$ERR"; then
	diff -r --no-dereference . "$WORK/x" >"$OUT" 2>&1 ||
		why "extracted tree differs: $(head -n 10 "$OUT")"
else
	why "the archive made inside cvisor does not extract on the host"
fi
t_end

# gzip: host pipes between sandboxes, and the compressed bytes themselves
sh_same gzip-pipe '$BB gzip -c <big.txt | $BB gunzip -c | cksum'
sh_same gzip-bytes '$BB gzip -9 -c big.txt | cksum'
sh_same gunzip-host '$BB gzip -c <lines.txt | gzip -dc'

summary
