"""Images vboard must refuse or leave alone; `image check` and `image erase-fs`."""
import os
import struct
import subprocess
import sys

import pytest

from conftest import PROFILES, fsck_board, read, vb
from esp32fat import make_esp32_fat

# every command that opens an image; none may change a refused file
OPENERS = [
    ["image", "info"], ["image", "check"], ["image", "erase-fs"], ["fs", None, "ls"],
    ["fs", None, "mkdir", "x"], ["fs", None, "df"],
]


def command(args, img):
    return [a if a is not None else str(img) for a in args] + ([str(img)] if args[0] == "image" else [])


@pytest.mark.parametrize("size", [0, 4096, 4 * 1024 * 1024 + 4096, 1024 * 1024])
def test_wrong_size_file_is_refused_untouched(size, tmp_path, vboard_bin):
    img = tmp_path / "odd.bin"
    img.write_bytes(os.urandom(size))
    os.utime(img, ns=(1_500_000_000_000_000_000, 1_500_000_000_000_000_000))
    before = (img.read_bytes(), img.stat().st_mtime_ns, img.stat().st_size)
    for args in OPENERS:
        r = vb(*command(args, img), rc=2)
        assert r.err, "no explanation on stderr\n%s" % r
        after = (img.read_bytes(), img.stat().st_mtime_ns, img.stat().st_size)
        assert after == before, "refused image was modified by %s" % r


def test_locked_image_is_refused_untouched(image, tmp_path):
    """Another process holding flock(LOCK_EX) (a running board): exit 2, clear message, no change."""
    img = image("pycom")
    os.utime(img, ns=(1_500_000_000_000_000_000, 1_500_000_000_000_000_000))
    before = (read(img), os.stat(img).st_mtime_ns)
    # the lock is held by a separate process, as a running board would
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, sys\n"
        "f = open(sys.argv[1], 'rb')\n"
        "fcntl.flock(f, fcntl.LOCK_EX)\n"
        "print('locked', flush=True)\n"
        "sys.stdin.read()\n"), str(img)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        line = holder.stdout.readline()  # waits for the lock, bounded by the holder's life
        assert line == b"locked\n", "lock holder did not start: %r" % line
        for args in OPENERS:
            r = vb(*command(args, img), rc=2)
            msg = r.errtext.lower()
            assert "lock" in msg or "busy" in msg or "in use" in msg, "message does not say why\n%s" % r
        assert (read(img), os.stat(img).st_mtime_ns) == before, "locked image was modified"
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    # free again: works
    vb("fs", img, "ls")


def test_check_clean(image, tmp_path):
    # generic: littlefs (the esp32 port's), and FAT on its layout as vboard made it before
    for board, fat in (("generic", False), ("generic", True), ("pycom", True)):
        name = "c-%s%s.bin" % (board, "-fat" if fat else "")
        img = make_esp32_fat(tmp_path / name) if board == "generic" and fat else image(board, name=name)
        kind = "" if fat else "littlefs v2.1, "
        assert vb("image", "check", img, rc=0).text.startswith("clean: " + kind)
        vb("fs", img, "mkdir", "a", "a/b")
        assert vb("image", "check", img, rc=0).text.startswith("clean: " + kind)
        if fat:
            fsck_board(img, board, tmp_path)


def test_check_missing_file(tmp_path, vboard_bin):
    vb("image", "check", tmp_path / "none.bin", rc=2)


class Fat:
    """Just enough of the FS region to damage it."""

    def __init__(self, img, board):
        self.img, self.off = img, PROFILES[board]["fs_off"]
        head = read(img, self.off, 64)
        self.ss = struct.unpack_from("<H", head, 11)[0]
        self.spc = head[13]
        self.fat_size = struct.unpack_from("<H", head, 22)[0]
        self.root = 1 + self.fat_size
        self.data = self.root + 512 * 32 // self.ss

    def fat_pos(self, n):
        return self.off + self.ss + n * 3 // 2

    def get(self, n):
        w = struct.unpack("<H", read(self.img, self.fat_pos(n), 2))[0]
        return w >> 4 if n & 1 else w & 0xFFF

    def put(self, n, v):
        w = struct.unpack("<H", read(self.img, self.fat_pos(n), 2))[0]
        w = (w & 0x000F) | (v << 4) if n & 1 else (w & 0xF000) | v
        self.write(self.fat_pos(n), struct.pack("<H", w))

    def entry(self, name11):
        root = read(self.img, self.off + self.root * self.ss, 512 * 32)
        for i in range(0, len(root), 32):
            if root[i:i + 11] == name11:
                return self.off + self.root * self.ss + i
        raise KeyError(name11)

    def write(self, pos, data):
        with open(self.img, "r+b") as f:
            f.seek(pos)
            f.write(data)


def damaged_images(image, tmp_path):
    """(what, path) pairs: a pycom image with two multi-cluster files, damaged one way each."""
    def base(tag):
        img = image("pycom", name="d-%s.bin" % tag)
        for n in ("AAA.BIN", "BBB.BIN"):
            (tmp_path / n).write_bytes(os.urandom(9000))
            vb("fs", img, "cp", tmp_path / n, ":" + n)
        return img, Fat(img, "pycom")

    out = []
    img, f = base("loop")
    c = struct.unpack("<H", read(img, f.entry(b"AAA     BIN") + 26, 2))[0]
    f.put(c + 1, c)                    # second cluster points back to the first
    out.append(("loop in a FAT chain", img))
    img, f = base("cross")
    a = struct.unpack("<H", read(img, f.entry(b"AAA     BIN") + 26, 2))[0]
    f.write(f.entry(b"BBB     BIN") + 26, struct.pack("<H", a + 1))  # BBB starts inside AAA's chain
    out.append(("cross-linked files", img))
    img, f = base("size")
    f.write(f.entry(b"AAA     BIN") + 28, struct.pack("<I", 90000))
    out.append(("size larger than the chain", img))
    img, f = base("lost")
    f.put(1000, 0xFFF)
    out.append(("lost cluster", img))
    img, f = base("range")
    f.write(f.entry(b"AAA     BIN") + 26, struct.pack("<H", 4000))
    out.append(("first cluster out of range", img))
    img, f = base("free")
    a = struct.unpack("<H", read(img, f.entry(b"AAA     BIN") + 26, 2))[0]
    f.put(a + 1, 0)
    out.append(("free cluster inside a chain", img))
    return out


def test_check_finds_damage(image, tmp_path):
    for what, img in damaged_images(image, tmp_path):
        before = read(img)
        r = vb("image", "check", img, rc=None)
        assert r.rc == 1, "%s: check should exit 1\n%s" % (what, r)
        lines = [ln for ln in r.text.splitlines() if ln.strip()]
        assert lines, "%s: no problem lines\n%s" % (what, r)
        assert read(img) == before, "%s: check modified the image" % what


def test_check_erased_fs_region(image):
    img = image("generic")
    vb("image", "erase-fs", img)
    r = vb("image", "check", img, rc=1)
    assert r.text.strip() or r.errtext.strip(), r


@pytest.mark.parametrize("board", ["generic", "pycom"])
def test_erase_fs(board, image, tmp_path):
    p = PROFILES[board]
    img = image(board)
    vb("fs", img, "mkdir", "something")
    before = read(img)
    vb("image", "erase-fs", img)
    after = read(img)
    assert len(after) == len(before)
    region = after[p["fs_off"]:p["fs_off"] + p["fs_size"]]
    assert region == b"\xFF" * p["fs_size"], "FS region not erased"
    assert after[:p["fs_off"]] == before[:p["fs_off"]], "bytes before the FS region changed"
    assert after[p["fs_off"] + p["fs_size"]:] == before[p["fs_off"] + p["fs_size"]:], "bytes after it changed"
    # no filesystem now: fs commands fail (ENODEV), they do not format
    r = vb("fs", img, "ls", rc=None)
    assert r.rc in (1, 2) and ("ENODEV" in r.errtext or "erased" in r.errtext), r
    assert read(img) == after, "a failed fs command changed the image"
