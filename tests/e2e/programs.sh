# Debian's everyday programs natively and inside cvisor, outputs
# compared: bash (arrays, process substitution, coprocesses, wait -n),
# coreutils, perl one-liners, gcc compiling and running a C program,
# make -j2, the sqlite3 CLI with a database on the overlay, git, and
# tar with gzip and xz. Each script runs under /bin/bash in an empty
# directory of its own: natively on the host, inside on the overlay.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# prog_same NAME [-needs PROGRAM] SCRIPT: stdout and exit status of the
#   bash SCRIPT must be the same natively and inside (skipped if PROGRAM
#   is not installed).
prog_same() {
	ps_name=$1 ps_needs=bash
	shift
	[ "$1" != -needs ] || { ps_needs=$2; shift 2; }
	t_begin "$ps_name"
	if ! command -v "$ps_needs" >/dev/null; then
		skip "$ps_name" "$ps_needs is not installed (scripts/install-deps.sh)"
		return
	fi
	mkdir -p "$WORK/native/$ps_name" "$WORK/cvisor/$ps_name"
	cd "$WORK/native/$ps_name" || exit 1
	native /bin/bash -c "$1"
	n_rc=$RC
	cp "$OUT" "$WORK/native.out"
	cp "$ERR" "$WORK/native.err"
	cd "$WORK/cvisor/$ps_name" || exit 1
	cv do -- /bin/bash -c "$1"
	cd "$WORK" || exit 1
	expect_file_same "$WORK/native.out" "$OUT" stdout
	[ "$RC" = "$n_rc" ] || why "exit status $RC, natively $n_rc (native stderr: $(head -c 300 "$WORK/native.err"))"
	t_end
}

# --- bash --------------------------------------------------------------------

prog_same bash-arrays '
a=(one "two words" three); a+=(four); echo "${#a[@]} ${a[1]} ${a[-1]}"
unset "a[0]"; echo "${!a[@]}"
declare -A h=([x]=1 [y]=2); h[z]=3
for k in $(printf "%s\n" "${!h[@]}" | sort); do echo "$k=${h[$k]}"; done
mapfile -t lines < <(printf "l1\nl2\nl3\n"); echo "${lines[*]}" "${#lines[@]}"
s="Hello, World"; echo "${s,,} ${s^^} ${s/World/bash} ${s:7:3} ${#s}"
printf "%q\n" "a b'"'"'c"; echo $(( (7 ** 2) % 10 )) $((16#ff))'

prog_same bash-process-substitution '
diff <(seq 1 5) <(seq 1 6); echo "diff=$?"
cat <(echo first) <(echo second)
while read -r n; do sum=$((sum + n)); done < <(seq 1 100); echo "sum=$sum"
seq 1 1000 | tee >(wc -l >count) | tail -n 1; wait $!; cat count
exec 3< <(printf "via fd 3\n"); read -r l <&3; echo "$l"; exec 3<&-'

prog_same bash-coproc '
coproc SQ { while read -r n; do echo $((n * n)); done; }
for i in 3 7 12; do echo "$i" >&"${SQ[1]}"; read -r r <&"${SQ[0]}"; echo "$i^2=$r"; done
exec {SQ[1]}>&-; wait "$SQ_PID"; echo "coproc status $?"'

# The fast job outlives the start of wait -n: bash's wait -n skips a job
# that ended before it was called (and waits for the next), which made
# the native run itself racy.
prog_same bash-wait-n '
sleep 30 & slow=$!
(sleep 0.5; exit 7) & fast=$!
wait -n -p id; echo "first done: $? $([ "$id" = "$fast" ] && echo fast)"
kill "$slow"; wait "$slow"; echo "killed: $?"
wait -n; echo "no children: $?"'

prog_same bash-traps-and-subshells '
trap "echo exit trap" EXIT
f() { local v=$1; echo "in f: $v ${FUNCNAME[0]}"; return 3; }
f arg; echo "f=$?"
set -o pipefail; false | true; echo "pipefail=$?"; set +o pipefail
out=$( (echo sub; exit 4) ); echo "$out $?"
trap "echo got USR1" USR1; kill -USR1 $$; echo after
cat <<EOF
here $((1 + 1))
EOF
read -r a b <<< "x y"; echo "$b$a"'

# --- coreutils -----------------------------------------------------------------

prog_same coreutils-text '
seq 1 2000 | shuf --random-source=<(yes) | sort -n | uniq -c | sort -k2 -n | tail -n 2
printf "b 2\na 10\nc 1\na 3\n" | sort -k1,1 -k2,2n
printf "one two\nthree\n" | wc; seq 100 | paste -sd+ | cut -c1-20
echo "Hello" | tr a-z A-Z | rev; factor 1001 65537; numfmt --to=iec 1048576
seq -w 1 12 | split -l 5 - part.; wc -l part.*; cat part.* | md5sum
printf "abc" | base64; printf "abc" | od -An -tx1; echo abc | sha256sum
date -u -d @1000000000 "+%F %T"; expr 6 \* 7; basename /a/b/c.txt .txt'

prog_same coreutils-files '
mkdir -p d/sub && echo data >d/f && ln -s f d/link && ln d/f d/hard
cp -a d e && mv e/f e/g && readlink e/link && stat -c "%h %s %F" d/f e/g
touch -d "2020-01-02 03:04:05 UTC" d/f && TZ=UTC stat -c "%y %n" d/f
find d e | sort; ls -1 d
dd if=/dev/zero bs=1k count=100 status=none | md5sum
truncate -s 5000 big && stat -c %s big && cmp big <(head -c 5000 /dev/zero) && echo same
chmod 640 d/f && stat -c %a d/f; install -m 755 d/f bin && stat -c %a bin
realpath --relative-to=. d/link; rm -r d e; ls'

# --- perl ----------------------------------------------------------------------

prog_same perl-one-liners '
seq 1 10 | perl -ne "\$s += \$_; END { print \"sum \$s\n\" }"
printf "a=1\nb=22\nc=333\n" | perl -lne "/(\w)=(\d+)/ and printf \"%s:%05d\n\", \$1, \$2"
echo "the quick brown fox" | perl -pe "s/(\w+)/\u\$1/g"
perl -le "my %h = map { \$_ => length } qw(aa b cccc); print join q(,), map { \"\$_=\$h{\$_}\" } sort keys %h"
perl -MDigest::MD5=md5_hex -le "print md5_hex(q(cvisor))"
perl -MPOSIX=floor -le "print floor(7.9), q( ), sprintf(q(%.3f), atan2(1, 1) * 4)"
perl -le "my \$p = fork; if (!\$p) { exit 5 } waitpid(\$p, 0); print q(child ), \$? >> 8"
perl -le "open my \$f, q(>), q(out.txt) or die; print \$f q(x) x 3; close \$f; print -s q(out.txt)"'

# --- gcc and make -------------------------------------------------------------

prog_same gcc-compile-and-run -needs gcc '
cat >prog.c <<"EOF"
#include <math.h>
#include <pthread.h>
#include <stdio.h>
static long sums[4];
static void *work(void *arg)
{
	long i = (long)arg;
	for (long n = i; n < 1000000; n += 4)
		sums[i] += n % 7;
	return NULL;
}
int main(int argc, char **argv)
{
	pthread_t t[4];
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, work, (void *)i);
	long total = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		total += sums[i];
	}
	printf("%s %ld %.6f\n", argc > 1 ? argv[1] : "-", total, sqrt(2.0));
	return 3;
}
EOF
gcc -O2 -Wall -pthread -o prog prog.c -lm && ./prog hello; echo "status $?"
gcc -E -dM - </dev/null | grep -c __x86_64__'

prog_same make-j2 -needs make '
for i in 1 2 3; do printf "int f%d(void) { return %d; }\n" $i $((i * i)) >f$i.c; done
printf "int f1(void), f2(void), f3(void);\nint main(void) { return f1() + f2() + f3(); }\n" >main.c
printf "prog: main.o f1.o f2.o f3.o\n\t\$(CC) -o \$@ \$^\n" >Makefile
make -j2 -s && ls *.o | wc -l; ./prog; echo "prog: $?"
make -j2; touch -d 2000-01-01 f2.o && make -s && echo relinked'

# --- sqlite3 -------------------------------------------------------------------

prog_same sqlite3-cli -needs sqlite3 '
sqlite3 db.sqlite "create table t(id integer primary key, name text, v real);
with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000)
insert into t(name, v) select printf(\"n%04d\", x), x * 1.5 from c;
create index t_name on t(name);"
sqlite3 db.sqlite "select count(*), sum(v), max(name) from t; select name from t where id = 500;"
sqlite3 db.sqlite "pragma journal_mode=wal; begin; update t set v = v * 2 where id <= 10; commit;
select sum(v) from t where id <= 10; pragma integrity_check;"
sqlite3 -csv db.sqlite "select * from t order by id desc limit 3"
sqlite3 db.sqlite .dump | head -n 3; sqlite3 db.sqlite "pragma journal_mode=delete; vacuum;"
ls db.sqlite*'

# --- git -------------------------------------------------------------------------

GIT_ENV='export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Ada GIT_AUTHOR_EMAIL=ada@example.org
export GIT_COMMITTER_NAME=Ada GIT_COMMITTER_EMAIL=ada@example.org
export GIT_AUTHOR_DATE="2021-03-04T05:06:07 +0000" GIT_COMMITTER_DATE="2021-03-04T05:06:07 +0000"'
prog_same git-workflow -needs git "$GIT_ENV"'
git init -q -b main repo && cd repo || exit 1
seq 1 20 >numbers && echo "hello" >README && mkdir -p lib && echo "x = 1" >lib/a.py
git add . && git commit -q -m "first commit" && git log --format="%H %an %s"
sed -i "s/^10$/ten/" numbers && echo "y = 2" >>lib/a.py && git rm -q README
git status --short; git diff --stat; git diff numbers
git commit -q -am "second" && git log --oneline
git checkout -q -b topic HEAD~1 && echo new >new.txt && git add new.txt && git commit -q -m topic
git checkout -q main && git merge -q --no-edit topic && git log --graph --format=%s && git ls-files'

# --- tar, gzip, xz -------------------------------------------------------------

make_tree "$WORK" || { echo "cannot build the fixture"; exit 1; }
prog_same tar-gzip-xz-round-trips -needs xz "
tree=$WORK/tree
tar -C \"\$tree/..\" -czf t.tgz tree && tar -C \"\$tree/..\" -cJf t.txz tree
tar -tzf t.tgz | sort | md5sum; tar -tJf t.txz | sort | md5sum
mkdir a b && tar -xzf t.tgz -C a && tar -xJf t.txz -C b && diff -r --no-dereference a/tree \"\$tree\" && diff -r --no-dereference b/tree \"\$tree\" && echo same
tar -tvzf t.tgz tree/lines.txt tree/link-to-lines | awk '{print \$1, \$3, \$6}' | sort
stat -c '%a %Y %n' a/tree/run.sh a/tree/sub/private
gzip -9 -c \"\$tree/big.txt\" | gzip -dc | md5sum; xz -T2 -6 -c \"\$tree/big.txt\" | xz -dc | md5sum
xz -T2 -c \"\$tree/big.txt\" >big.xz && xz -l big.xz | tail -n 1 | awk '{print \$5}'
gzip -l t.tgz | tail -n 1 | awk '{print \$2}'
head -c 1000000 /dev/zero | gzip | wc -c; head -c 1000000 /dev/zero | xz -T2 | xz -t && echo intact"

summary
