"""Watches a directory tree with inotify through ctypes, does file work in
it and prints the events it read, one per line ("wd MASKS name"): the
same output natively and inside cvisor. Usage: inotify_watch.py DIR, where
DIR holds a file "old" (which this changes and removes) and a directory
"sub"."""
import ctypes
import os
import struct
import sys

libc = ctypes.CDLL(None, use_errno=True)
NAMES = {
    0x1: "ACCESS", 0x2: "MODIFY", 0x4: "ATTRIB", 0x8: "CLOSE_WRITE",
    0x10: "CLOSE_NOWRITE", 0x20: "OPEN", 0x40: "MOVED_FROM", 0x80: "MOVED_TO",
    0x100: "CREATE", 0x200: "DELETE", 0x400: "DELETE_SELF", 0x800: "MOVE_SELF",
    0x4000: "Q_OVERFLOW", 0x8000: "IGNORED", 0x40000000: "ISDIR",
}


def check(r):
    if r < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return r


def drain(fd):
    out = []
    try:
        buf = os.read(fd, 65536)
    except BlockingIOError:
        return out
    off = 0
    while off < len(buf):
        wd, mask, cookie, length = struct.unpack_from("iIII", buf, off)
        name = buf[off + 16:off + 16 + length].rstrip(b"\0").decode()
        masks = "|".join(n for bit, n in sorted(NAMES.items()) if mask & bit)
        out.append(f"{wd} {masks} {name}".rstrip() + (" cookie" if cookie else ""))
        off += 16 + length
    return out


def main():
    top = sys.argv[1]
    fd = check(libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC))
    for path in (top, os.path.join(top, "sub"), os.path.join(top, "old")):
        print("watch", check(libc.inotify_add_watch(fd, path.encode(), 0xfff)))
    steps = [
        ("read old", lambda: open(os.path.join(top, "old")).read()),
        ("append old", lambda: open(os.path.join(top, "old"), "a").write("more\n")),
        ("chmod old", lambda: os.chmod(os.path.join(top, "old"), 0o600)),
        ("create new", lambda: open(os.path.join(top, "sub", "new"), "w").write("x")),
        ("rename", lambda: os.rename(os.path.join(top, "sub", "new"),
                                     os.path.join(top, "moved"))),
        ("mkdir", lambda: os.mkdir(os.path.join(top, "sub", "d"))),
        ("listdir", lambda: os.listdir(os.path.join(top, "sub"))),
        ("unlink old", lambda: os.unlink(os.path.join(top, "old"))),
        ("rmdir", lambda: os.rmdir(os.path.join(top, "sub", "d"))),
    ]
    for label, step in steps:
        step()
        print("#", label)
        for line in drain(fd):
            print(line)


main()
