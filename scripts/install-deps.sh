#!/bin/sh
# Installs every Debian package cvisor's build and tests need; with the
# argument `bench`, also what the benchmarks compare with (gVisor's runsc).
# Idempotent; run as root on Debian 12.
set -eu
PKGS="build-essential clang pkg-config linux-libc-dev libseccomp-dev libjansson-dev
libbsd-dev busybox-static strace procps bsdutils tmux inotify-tools
bash coreutils perl make sqlite3 git tar gzip xz-utils python3 libpython3.11-testsuite"
[ "${1:-}" != bench ] || PKGS="$PKGS runsc"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q $missing
