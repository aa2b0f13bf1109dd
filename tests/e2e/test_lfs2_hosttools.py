"""The host tools on littlefs v2 regions (issue 12 §4): `vboard image create`
for each board (esp32: exactly what MicroPython's first boot leaves; rp2: an
empty littlefs with prog size 256; pycom: FAT), every `vboard fs` command
read back byte for byte, the images MicroPython itself wrote
(tests/fixtures/lfs2) listed and copied out against their manifests,
`vboard run --fs-add`, an old FAT volume on the esp32 layout, and hostile
littlefs images: names with '/', '\\', controls, "." or "..", duplicate
names and directories that loop must be refused or stopped exactly as on
FAT (test_hostile_images.py), with nothing written outside the target.

Hostile entries are made two ways: names the driver takes as they are
(controls, '\\': `vboard fs cp` of host files so named) and names it never
writes ('/', "..", a directory struct pointing back up), planted here by
editing a metadata block: the name or struct bytes are replaced in place
and every commit CRC of the block recomputed (littlefs SPEC.md: tags are
big-endian and XORed with the previous one, a CRC tag closes each commit
with the CRC-32 of everything since the last one)."""
import calendar
import gzip
import os
import re
import struct
import time
import zlib

import pytest

from conftest import ROOT, VBOARD, fsck_board, run, sha, vb
from esp32fat import make_esp32_fat
from test_hostile_images import arena, assert_no_raw_controls, outside, snapshot

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "lfs2")
BS = 4096
BOOT_PY_SHA = "16f5b4bcb120e9a032242b47967e649a0cc577b41939e81ef7d4b4da181bd17f"
REGION = {"esp32": (0x200000, 0x200000), "generic": (0x200000, 0x200000), "rp2": (0xA0000, 1408 * 1024)}
SEED = b"PWNED-BY-IMAGE\n"


# ---- littlefs metadata blocks, as bytes -------------------------------------------------

def lfs_crc(crc, data):
    """littlefs's CRC-32 (reflected 0x04C11DB7, no final XOR) continuing from `crc`."""
    return zlib.crc32(data, crc ^ 0xFFFFFFFF) ^ 0xFFFFFFFF


def tags(b):
    """[(tag, offset)] of the block's valid commits (CRCs checked), or []."""
    off, ptag, crc = 4, 0xFFFFFFFF, lfs_crc(0xFFFFFFFF, b[:4])
    out, valid = [], 0
    while off + 4 <= len(b):
        tag = struct.unpack(">I", b[off:off + 4])[0] ^ ptag
        if tag & 0x80000000:
            break
        size = tag & 0x3FF
        ds = 4 + (0 if size == 0x3FF else size)
        if off + ds > len(b):
            break
        crc = lfs_crc(crc, b[off:off + 4])
        out.append((tag, off))
        t3 = (tag >> 20) & 0x7FF
        if (t3 & 0x780) == 0x500 and t3 != 0x5FF:       # a commit's CRC tag
            if struct.unpack("<I", b[off + 4:off + 8])[0] != crc:
                break
            valid = len(out)
            ptag, crc = tag ^ (((tag >> 20) & 1) << 31), 0xFFFFFFFF
        else:
            crc = lfs_crc(crc, b[off + 4:off + ds])
            ptag = tag
        off += ds
    return out[:valid]


def recrc(b, ts):
    """Recompute the CRC of every commit in `ts` (the tags themselves unchanged)."""
    crc = lfs_crc(0xFFFFFFFF, bytes(b[:4]))
    for tag, off in ts:
        size = tag & 0x3FF
        ds = 4 + (0 if size == 0x3FF else size)
        crc = lfs_crc(crc, bytes(b[off:off + 4]))
        t3 = (tag >> 20) & 0x7FF
        if (t3 & 0x780) == 0x500 and t3 != 0x5FF:
            b[off + 4:off + 8] = struct.pack("<I", crc)
            crc = 0xFFFFFFFF
        else:
            crc = lfs_crc(crc, bytes(b[off + 4:off + ds]))


class Region:
    """The littlefs region of an image file, edited in place."""

    def __init__(self, img, board):
        self.img = img
        self.off, self.size = REGION[board]
        with open(img, "rb") as f:
            f.seek(self.off)
            self.data = bytearray(f.read(self.size))

    def save(self):
        with open(self.img, "r+b") as f:
            f.seek(self.off)
            f.write(self.data)

    def blocks(self):
        """(block number, its valid tags) of every block holding metadata commits."""
        for n in range(self.size // BS):
            b = self.data[n * BS:(n + 1) * BS]
            if b[:4] == b"\xFF\xFF\xFF\xFF":
                continue
            ts = tags(b)
            if ts:
                yield n, ts

    def edit(self, fn):
        """fn(block bytearray, tags) for each metadata block; CRCs redone where it said True."""
        hits = 0
        for n, ts in list(self.blocks()):
            b = bytearray(self.data[n * BS:(n + 1) * BS])
            if fn(b, ts):
                recrc(b, ts)
                self.data[n * BS:(n + 1) * BS] = b
                hits += 1
        assert hits, "nothing to edit in %s" % self.img
        self.save()

    def rename(self, old, new):
        """Every name tag reading `old` now reads `new` (same length)."""
        assert len(old) == len(new)

        def fn(b, ts):
            hit = False
            for tag, off in ts:
                if ((tag >> 20) & 0x700) == 0 and tag & 0x3FF == len(old) and b[off + 4:off + 4 + len(old)] == old:
                    b[off + 4:off + 4 + len(new)] = new
                    hit = True
            return hit
        self.edit(fn)

    def dir_pair(self, name):
        """The metadata pair the directory entry `name` points at (its newest struct)."""
        found = None
        for n, ts in self.blocks():
            b = self.data[n * BS:(n + 1) * BS]
            for i, (tag, off) in enumerate(ts):
                if (tag >> 20) & 0x7FF == 0x002 and b[off + 4:off + 4 + (tag & 0x3FF)] == name:
                    ident = (tag >> 10) & 0x3FF
                    for t2, o2 in ts[i + 1:]:
                        if (t2 >> 20) & 0x7FF == 0x200 and (t2 >> 10) & 0x3FF == ident:
                            found = struct.unpack("<II", b[o2 + 4:o2 + 12])
                            break
        assert found, "no directory %r" % name
        return found

    def point_dir(self, name, pair):
        """The directory entry `name` now points at metadata pair `pair`."""
        def fn(b, ts):
            hit = False
            for i, (tag, off) in enumerate(ts):
                if (tag >> 20) & 0x7FF == 0x002 and b[off + 4:off + 4 + (tag & 0x3FF)] == name:
                    ident = (tag >> 10) & 0x3FF
                    for t2, o2 in ts[i + 1:]:
                        if (t2 >> 20) & 0x7FF == 0x200 and (t2 >> 10) & 0x3FF == ident:
                            b[o2 + 4:o2 + 12] = struct.pack("<II", *pair)
                            hit = True
                            break
            return hit
        self.edit(fn)


# ---- helpers ---------------------------------------------------------------------------------

def fixture(name):
    with gzip.open(os.path.join(FIXTURES, name + ".lfs2.gz")) as f:
        return f.read()


def manifest(name):
    """{path: ("dir", None) | ("file", (size, sha256))} as MicroPython listed the volume."""
    out = {}
    with open(os.path.join(FIXTURES, name + ".lfs2.manifest")) as f:
        for line in f:
            if line.startswith("dir "):
                out[line[4:].strip()] = ("dir", None)
            elif line.startswith("file "):
                path, size, digest = line[5:].rstrip("\n").rsplit(" ", 2)
                out[path] = ("file", (int(size), digest))
    return out


def create(tmp_path, board, name=None):
    img = tmp_path / (name or "%s.bin" % board)
    r = vb("image", "create", "--board", board, img)
    return img, r


def with_fixture(tmp_path, board, name):
    """A new board image whose filesystem region is then overwritten by the fixture."""
    img, _ = create(tmp_path, board, "%s-%s.bin" % (board, name))
    off, size = REGION[board]
    data = fixture(name)
    assert len(data) == size
    with open(img, "r+b") as f:
        f.seek(off)
        f.write(data)
    return img


def board_tree(img, path="/"):
    """{path: kind} of everything below `path`, by `vboard fs ls` recursively."""
    out = {}
    for line in vb("fs", img, "ls", path).text.splitlines():
        child = (path.rstrip("/") + "/" + line.rstrip("/"))
        if line.endswith("/"):
            out[child] = "dir"
            out.update(board_tree(img, child))
        else:
            out[child] = "file"
    return out


def host_tree(top):
    """{"/rel/path": ("dir", None) | ("file", (size, sha256))} below a host directory."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for d in dirnames:
            out["/" + os.path.relpath(os.path.join(dirpath, d), top)] = ("dir", None)
        for n in filenames:
            with open(os.path.join(dirpath, n), "rb") as f:
                data = f.read()
            out["/" + os.path.relpath(os.path.join(dirpath, n), top)] = ("file", (len(data), sha(data)))
    return out


def check_clean(img):
    r = vb("image", "check", img, rc=None)
    assert r.rc == 0 and r.text.startswith("clean: littlefs v2.1, "), r
    return r


# ---- image create ------------------------------------------------------------------------------

def test_create_esp32_is_littlefs_with_boot_py(tmp_path, vboard_bin):
    img, r = create(tmp_path, "esp32")
    assert "littlefs filesystem at 0x200000 (2097152 bytes)" in r.text, r
    assert vb("fs", img, "ls").text == "boot.py\n"
    assert sha(vb("fs", img, "cat", "boot.py").out) == BOOT_PY_SHA
    info = vb("image", "info", img).text
    assert "fs: littlefs v2.1 at 0x200000, 2097152 bytes, block 4096, blocks 512, name_max 255\n" in info, info
    assert "used: 3 blocks (1 files, 0 dirs)\n" in info, info
    assert check_clean(img).text.startswith("clean: littlefs v2.1, 1 files, 0 dirs, 3/512 blocks used"), img
    # the generic alias is the same board
    img2, _ = create(tmp_path, "generic")
    assert vb("fs", img2, "ls").text == "boot.py\n"


def test_create_esp32_region_equals_micropythons_first_boot(tmp_path, vboard_bin):
    """VfsLfs2.mkfs + inisetup.py's boot.py, byte for byte once boot.py's time stamp (the
    mtime attribute, 8 bytes) is MicroPython's: same commits, same blocks, same padding."""
    img, _ = create(tmp_path, "esp32")
    ours = Region(img, "esp32")
    ref = fixture("esp32-first-boot")

    def mtimes(data):
        out = []
        for n in (0, 1):
            b = data[n * BS:(n + 1) * BS]
            out += [bytes(b[off + 4:off + 12]) for tag, off in tags(b)
                    if (tag >> 20) & 0x7FF == 0x301 and tag & 0x3FF == 8]
        return out
    theirs = mtimes(ref)
    assert theirs and len(set(theirs)) == 1, theirs
    mine = mtimes(ours.data)
    assert len(mine) == len(theirs), (mine, theirs)
    # our stamp is the host's local time (on the local calendar, as FAT stamps were), in ns
    now = calendar.timegm(time.localtime())
    ns = struct.unpack("<Q", mine[0])[0]
    assert abs(ns / 1e9 - now) < 120, "mtime %d ns is not the host's local time (%d s)" % (ns, now)

    def stamp(b, ts):
        hit = False
        for tag, off in ts:
            if (tag >> 20) & 0x7FF == 0x301 and tag & 0x3FF == 8:
                b[off + 4:off + 12] = theirs[0]
                hit = True
        return hit
    ours.edit(stamp)
    diff = [i for i in range(len(ref)) if ours.data[i] != ref[i]]
    assert not diff, "%d bytes differ from MicroPython's first boot, first at +0x%x" % (len(diff), diff[0])


def test_create_rp2_is_empty_littlefs_with_prog_256(tmp_path, vboard_bin):
    img, r = create(tmp_path, "rp2")
    assert "littlefs filesystem at 0xA0000 (1441792 bytes)" in r.text, r
    assert vb("fs", img, "ls").text == ""
    assert check_clean(img).text.startswith("clean: littlefs v2.1, 0 files, 0 dirs, 2/352 blocks used")
    # every commit is padded to a 256-byte program, as VfsLfs2(progsize=256) writes
    reg = Region(img, "rp2")
    ends = [off + 4 + (tag & 0x3FF) for n, ts in reg.blocks() for tag, off in ts
            if ((tag >> 20) & 0x780) == 0x500 and (tag >> 20) & 0x7FF != 0x5FF]
    assert ends and all(e % 256 == 0 for e in ends), ends
    esp = Region(create(tmp_path, "esp32")[0], "esp32")
    ends32 = [off + 4 + (tag & 0x3FF) for n, ts in esp.blocks() for tag, off in ts
              if ((tag >> 20) & 0x780) == 0x500 and (tag >> 20) & 0x7FF != 0x5FF]
    assert any(e % 256 for e in ends32), "esp32's 32-byte programs look the same: %s" % ends32


def test_create_pycom_is_still_fat(tmp_path, vboard_bin):
    img, r = create(tmp_path, "pycom")
    assert "FAT filesystem at 0x400000" in r.text, r
    assert "fs: FAT12 at 0x400000" in vb("image", "info", img).text
    assert sorted(vb("fs", img, "ls").text.split()) == ["boot.py", "cert/", "lib/", "main.py", "sys/"]
    fsck_board(img, "pycom", tmp_path)


# ---- vboard fs on littlefs -------------------------------------------------------------------

SIZES = [0, 1, 31, 32, 33, 127, 128, 129, 255, 256, 257, 511, 512, 513, 4095, 4096, 4097, 8192,
         150 * 1024]


@pytest.mark.parametrize("board", ["esp32", "rp2"])
def test_fs_round_trips(board, tmp_path, vboard_bin):
    img, _ = create(tmp_path, board)
    host = tmp_path / "host"
    host.mkdir()
    want = {}
    vb("fs", img, "mkdir", "data", ":data/A Deeper Directory")
    for i, size in enumerate(SIZES):
        name = "file %02d with a long name.bin" % i if i % 2 else "f%d.bin" % i
        h = host / name
        h.write_bytes(os.urandom(size))
        dest = "data/A Deeper Directory/" if i % 3 == 0 else "data/"
        vb("fs", img, "cp", h, ":" + dest)
        want["/" + dest + name] = h.read_bytes()
    for path, content in want.items():
        got = vb("fs", img, "cat", path).out
        assert sha(got) == sha(content), "cat %s: %d bytes, expected %d" % (path, len(got), len(content))
    tree = board_tree(img)
    for path in want:
        assert tree.get(path) == "file", (path, sorted(tree))
    check_clean(img)

    # ls -l: sizes, and the host's local time (mtime attribute, as MicroPython keeps it)
    lsl = vb("fs", img, "ls", "-l", "data").text
    days = {time.strftime("%Y-%m-%d", time.localtime(time.time() + d)) for d in (-60, 0, 60)}
    m = re.search(r"^\s*4097 (\d{4}-\d\d-\d\d) \d\d:\d\d f16\.bin$", lsl, re.M)
    assert m and m.group(1) in days, lsl

    # cp back, one file and a whole tree; byte for byte
    out = tmp_path / "out"
    out.mkdir()
    vb("fs", img, "cp", ":data/f2.bin", out / "one.bin")
    assert (out / "one.bin").read_bytes() == want["/data/f2.bin"]
    vb("fs", img, "cp", "-r", ":data", out)
    for path, content in want.items():
        assert (out / path.lstrip("/")).read_bytes() == content, path
    assert host_tree(out / "data") == {p[5:]: ("file", (len(c), sha(c))) for p, c in want.items()} | \
        {"/A Deeper Directory": ("dir", None)}

    # a host tree in: cp -r, read back
    proj = tmp_path / "proj"
    (proj / "pkg" / "sub pkg").mkdir(parents=True)
    files = {"top.py": b"print('top')\n", "pkg/__init__.py": b"", "pkg/sub pkg/Long Module Name.py": os.urandom(70000)}
    for rel, content in files.items():
        (proj / rel).write_bytes(content)
    vb("fs", img, "cp", "-r", proj, ":")
    for rel, content in files.items():
        assert vb("fs", img, "cat", "proj/" + rel).out == content, rel
    tree = vb("fs", img, "tree", "proj").text
    assert tree.startswith(":/proj\n") and "sub pkg/" in tree and "Long Module Name.py" in tree, tree

    # mv: rename, into a directory, over a file, a directory across directories
    vb("fs", img, "mv", "data/f2.bin", "data/renamed.bin")
    vb("fs", img, "mkdir", "target")
    vb("fs", img, "mv", "data/renamed.bin", "target")
    assert vb("fs", img, "ls", "target").text.split() == ["renamed.bin"]
    (tmp_path / "g").write_bytes(b"other")
    vb("fs", img, "cp", tmp_path / "g", ":other.bin")
    vb("fs", img, "mv", "other.bin", "target/renamed.bin")
    assert vb("fs", img, "cat", "target/renamed.bin").out == b"other"
    vb("fs", img, "mv", "proj", "target/moved dir")
    assert vb("fs", img, "ls", "target/moved dir").text.split() == ["pkg/", "top.py"]
    r = vb("fs", img, "mv", "missing", "x", rc=1)
    assert "ENOENT" in r.errtext, r

    # mkdir, rmdir, rm and their errors
    r = vb("fs", img, "mkdir", "target", rc=1)
    assert "EEXIST" in r.errtext, r
    r = vb("fs", img, "mkdir", "nope/x", rc=1)
    assert "ENOENT" in r.errtext, r
    r = vb("fs", img, "rmdir", "target", rc=1)
    assert "ENOTEMPTY" in r.errtext, r
    r = vb("fs", img, "rmdir", "target/renamed.bin", rc=1)
    assert "ENOTDIR" in r.errtext, r
    assert vb("fs", img, "cat", "target/renamed.bin").out == b"other", "rmdir removed a file"
    r = vb("fs", img, "rmdir", "/", rc=1)
    assert "root directory cannot be removed" in r.errtext, r
    r = vb("fs", img, "rm", "target", rc=1)
    assert "EISDIR" in r.errtext, r
    vb("fs", img, "mkdir", "empty")
    vb("fs", img, "rmdir", "empty")
    vb("fs", img, "rm", "data/f4.bin")
    r = vb("fs", img, "cat", "data/f4.bin", rc=1)
    assert "ENOENT" in r.errtext, r
    check_clean(img)

    # df follows usage; rm -r gives it back
    def usage():
        t = vb("fs", img, "df").text
        m = re.match(r"size: (\d+) bytes, used: (\d+) bytes, free: (\d+) bytes, block: 4096 bytes\n$", t)
        assert m, t
        return [int(x) for x in m.groups()]
    size, used, free = usage()
    assert size == REGION[board][1] and used + free == size
    vb("fs", img, "rm", "-r", "data", "target")
    size2, used2, free2 = usage()
    assert used2 < used - 150 * 1024, (used, used2)
    assert sorted(vb("fs", img, "ls").text.split()) == sorted(["boot.py"] if board == "esp32" else [])
    check_clean(img)


def test_full_littlefs_reports_enospc_and_stays_usable(tmp_path, vboard_bin):
    img, _ = create(tmp_path, "esp32")
    big = tmp_path / "huge.bin"
    big.write_bytes(os.urandom(REGION["esp32"][1] + 100000))
    r = vb("fs", img, "cp", big, ":huge.bin", rc=1)
    assert "ENOSPC" in r.errtext, r
    assert "huge.bin" not in vb("fs", img, "ls").text, "a half copy was left"
    check_clean(img)
    (tmp_path / "small").write_bytes(b"still works")
    vb("fs", img, "cp", tmp_path / "small", ":small.txt")
    assert vb("fs", img, "cat", "small.txt").out == b"still works"
    check_clean(img)


def test_erase_fs_then_fs_commands_refuse(tmp_path, vboard_bin):
    img, _ = create(tmp_path, "esp32")
    vb("image", "erase-fs", img)
    r = vb("fs", img, "ls", rc=2)
    assert "erased (factory reset state)" in r.errtext, r
    assert "fs: erased at 0x200000" in vb("image", "info", img).text


def test_block_0_erased_by_a_cut_is_not_an_erased_region(tmp_path, vboard_bin):
    """A power cut while littlefs rewrote block 0 leaves it erased: the volume mounts from
    block 1 (as MicroPython mounts it), so it is no factory-reset region to refuse or format."""
    img, _ = create(tmp_path, "esp32")
    reg = Region(img, "esp32")
    revs = [struct.unpack("<I", reg.data[n * BS:n * BS + 4])[0] for n in (0, 1)]
    assert revs[1] > revs[0], revs                  # block 1 holds the newest commit
    with open(img, "r+b") as f:
        f.seek(0x200000)
        f.write(b"\xFF" * BS)
    assert vb("fs", img, "ls").text == "boot.py\n"
    assert sha(vb("fs", img, "cat", "boot.py").out) == BOOT_PY_SHA
    check_clean(img)
    info = vb("image", "info", img).text
    assert "fs: erased" not in info and "used: 3 blocks (1 files, 0 dirs)\n" in info, info
    # --fs-add must not take it for a first boot and format it
    src = tmp_path / "src"
    src.mkdir()
    (src / "x.txt").write_bytes(b"x\n")
    r = run([VBOARD, "run", "--board", "esp32", "--flash", img, "--fs-add", src,
             "--expect-text", ">>> ", "--timeout", "8000"], input=b"", timeout=60)
    assert r.rc in (0, 42), r
    assert sorted(vb("fs", img, "ls").text.split()) == ["boot.py", "x.txt"]
    check_clean(img)


def test_mount_failures_are_said(tmp_path, vboard_bin):
    # a littlefs whose root pair is damaged: corrupt
    img = with_fixture(tmp_path, "esp32", "esp32-tree")
    with open(img, "r+b") as f:
        for block in (0, 1):
            f.seek(0x200000 + block * BS + 40)
            data = f.read(32)
            f.seek(0x200000 + block * BS + 40)
            f.write(bytes(b ^ 0xFF for b in data))
    r = vb("fs", img, "ls", rc=2)
    assert "the littlefs filesystem at 0x200000 is corrupt" in r.errtext, r
    # a littlefs the port does not mount: the Pico's 352 blocks on the esp32's 512
    img, _ = create(tmp_path, "esp32", "small.bin")
    with open(img, "r+b") as f:
        f.seek(0x200000)
        f.write(fixture("rp2-tree") + b"\xFF" * (160 * BS))
    r = vb("fs", img, "ls", rc=2)
    assert "is not one the esp32 port mounts; it has 352 blocks, the region 512" in r.errtext, r
    info = vb("image", "info", img).text
    assert "blocks 352" in info and "fs: not mountable: " in info, info
    # neither littlefs nor FAT
    img, _ = create(tmp_path, "esp32", "junk.bin")
    with open(img, "r+b") as f:
        f.seek(0x200000)
        f.write(b"\x00" * 2 * BS)
    r = vb("fs", img, "ls", rc=2)
    assert "no littlefs or FAT filesystem in the filesystem region at 0x200000" in r.errtext, r


# ---- MicroPython's own images ---------------------------------------------------------------

@pytest.mark.parametrize("board,name", [("esp32", "esp32-tree"), ("rp2", "rp2-tree"),
                                        ("esp32", "esp32-first-boot")])
def test_micropython_images_listed_and_copied_out(board, name, tmp_path, vboard_bin):
    img = with_fixture(tmp_path, board, name)
    want = manifest(name)
    got = board_tree(img)
    assert got == {p: k for p, (k, _) in want.items()}, "ls differs from the manifest"
    out = tmp_path / "out"
    out.mkdir()
    r = vb("fs", img, "cp", "-r", ":", str(out) + "/")
    assert r.err == b"", r
    assert host_tree(out) == want, "copied tree differs from the manifest"
    for path, (kind, meta) in want.items():
        if kind == "file" and meta[0] < 1000:
            assert sha(vb("fs", img, "cat", path).out) == meta[1], path
    # ls -l sizes as listed, read only: the image is unchanged by all of it
    before = open(img, "rb").read()
    lsl = vb("fs", img, "ls", "-l", "/").text
    for path, (kind, meta) in want.items():
        if kind == "file" and path.count("/") == 1:
            assert re.search(r"^\s*%d \d{4}-\d\d-\d\d \d\d:\d\d %s$" % (meta[0], re.escape(path[1:])), lsl, re.M), \
                (path, lsl)
    assert open(img, "rb").read() == before


def test_write_onto_a_micropython_image(tmp_path, vboard_bin):
    img = with_fixture(tmp_path, "rp2", "rp2-tree")
    (tmp_path / "n.bin").write_bytes(os.urandom(20000))
    vb("fs", img, "cp", tmp_path / "n.bin", ":data/new.bin")
    vb("fs", img, "rm", "data/big.bin")
    vb("fs", img, "mv", "lib/pkg", "pkg2")
    check_clean(img)
    assert vb("fs", img, "cat", "data/new.bin").out == (tmp_path / "n.bin").read_bytes()
    assert sha(vb("fs", img, "cat", "pkg2/__init__.py").out) == manifest("rp2-tree")["/lib/pkg/__init__.py"][1][1]


# ---- vboard run --fs-add ---------------------------------------------------------------------

@pytest.mark.parametrize("erased", [False, True])
def test_run_fs_add_copies_onto_littlefs(erased, tmp_path, vboard_bin):
    """The copy happens before the board starts; whatever the board then does, the files are there
    (the esp32 board never writes a filesystem it cannot mount)."""
    src = tmp_path / "src"
    (src / "lib").mkdir(parents=True)
    (src / "main.py").write_bytes(b"print('from fs-add')\n")
    (src / "lib" / "helper.py").write_bytes(os.urandom(5000))
    flash = tmp_path / "run.bin"
    if erased:
        create(tmp_path, "esp32", "run.bin")
        vb("image", "erase-fs", flash)
    r = run([VBOARD, "run", "--board", "esp32", "--flash", flash, "--fs-add", src,
             "--expect-text", "from fs-add", "--timeout", "8000"], input=b"", timeout=60)
    assert r.rc in (0, 42), r
    assert sorted(vb("fs", flash, "ls").text.split()) == ["boot.py", "lib/", "main.py"]
    assert vb("fs", flash, "cat", "lib/helper.py").out == (src / "lib" / "helper.py").read_bytes()
    assert sha(vb("fs", flash, "cat", "boot.py").out) == BOOT_PY_SHA
    check_clean(flash)


# ---- an old FAT volume on the esp32 layout -------------------------------------------------

def test_fat_on_the_esp32_layout_still_works(tmp_path, vboard_bin):
    img = make_esp32_fat(tmp_path / "old-fat.bin")
    assert "fs: FAT12 at 0x200000, 2097152 bytes, sector 4096" in vb("image", "info", img).text
    assert vb("image", "check", img).text.startswith("clean: 1 files, 0 dirs")
    assert sha(vb("fs", img, "cat", "boot.py").out) == BOOT_PY_SHA
    data = os.urandom(100000)
    (tmp_path / "d.bin").write_bytes(data)
    vb("fs", img, "mkdir", "lib")
    vb("fs", img, "cp", tmp_path / "d.bin", ":lib/d.bin")
    vb("fs", img, "mv", "lib/d.bin", "lib/e.bin")
    assert vb("fs", img, "cat", "lib/e.bin").out == data
    assert "cluster: 4096 bytes" in vb("fs", img, "df").text
    out = tmp_path / "out"
    out.mkdir()
    vb("fs", img, "cp", "-r", ":", str(out) + "/")
    assert (out / "lib" / "e.bin").read_bytes() == data
    vb("fs", img, "rm", "-r", "lib")
    assert vb("fs", img, "ls").text == "boot.py\n"
    fsck_board(img, "generic", tmp_path)


# ---- hostile littlefs images ------------------------------------------------------------------

def seeded(tmp_path, dirs=(), board="esp32"):
    """An image with /seed.txt (SEED) and the given directories."""
    img, _ = create(tmp_path, board, "hostile.bin")
    (tmp_path / "seed.txt").write_bytes(SEED)
    vb("fs", img, "cp", tmp_path / "seed.txt", ":/seed.txt")
    for d in dirs:
        vb("fs", img, "mkdir", ":/" + d)
    return img


def shown(name):
    return "".join(c if 0x20 <= ord(c) < 0x7F and c not in "/\\" else "\\x%02x" % ord(c) for c in name)


# written by the driver as they are (host file names)
DRIVER_NAMES = [("backslash", "a\\b"), ("bsup", "..\\..\\x"), ("newline", "x\ny"), ("esc", "\x1b[2J"),
                ("del", "a\x7fb")] + [("ctl%02x" % c, "x%sy" % chr(c)) for c in (0x01, 0x07, 0x08, 0x09, 0x0d, 0x1f)]
# planted into the metadata (never written by the driver)
PLANTED = [("slash", "a/b"), ("dotdot", ".."), ("dot", "."), ("up1", "../escape.txt"), ("up2", "../../x"),
           ("abs", "/abs.txt"), ("nul", "a\x00b")]


def plant_file(img, tmp_path, name):
    """A file of content SEED in / named `name` (bytes may be any)."""
    raw = name.encode("utf-8", "surrogateescape")
    if "/" not in name and "\x00" not in name and name not in (".", ".."):
        (tmp_path / "src").mkdir(exist_ok=True)
        (tmp_path / "src" / name).write_bytes(SEED)
        vb("fs", img, "cp", tmp_path / "src" / name, ":/")
        return
    placeholder = b"Q" * len(raw)
    (tmp_path / "q").write_bytes(SEED)
    vb("fs", img, "cp", tmp_path / "q", ":/" + placeholder.decode())
    Region(img, "esp32").rename(placeholder, raw)


@pytest.mark.parametrize("label,name", DRIVER_NAMES + PLANTED, ids=[h[0] for h in DRIVER_NAMES + PLANTED])
def test_hostile_name_is_refused_and_nothing_escapes(label, name, tmp_path, vboard_bin):
    img = seeded(tmp_path)
    plant_file(img, tmp_path, name)
    outer, target = arena(tmp_path)
    before = snapshot(outer)

    r = vb("fs", img, "cp", "-r", ":/", target, rc=None)

    assert outside(outer, target, before) == set(), "written outside the target\n%s" % r
    got = snapshot(target)
    assert got.get("seed.txt") == ("file", SEED), "the safe entries are still copied\n%s" % r
    for rel in got:
        assert "/" not in rel and "\\" not in rel and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in rel), rel
    assert_no_raw_controls(r.err, "stderr")
    assert r.rc == 1, "an unsafe name must fail the copy\n%s" % r
    assert set(got) == {"seed.txt", "boot.py"}, r
    if "\x00" in name:
        # a NUL ends the name as the API returns it: "a", which leads nowhere
        assert "ENOENT" in r.errtext, r
        return
    assert "unsafe name in the image refused" in r.errtext, r
    ls = vb("fs", img, "ls", rc=None)
    assert_no_raw_controls(ls.out, "ls output")
    assert shown(name) in ls.text.splitlines(), "ls shows the name escaped\n%s" % ls
    assert shown(name) in r.errtext, "the refusal names the entry, escaped\n%s" % r
    for args in (["ls", "-l"], ["tree"]):
        t = vb("fs", img, *args, rc=None)
        assert_no_raw_controls(t.out, " ".join(args))
        assert_no_raw_controls(t.err, " ".join(args))


def test_names_only_fat_forbids_are_copied(tmp_path, vboard_bin):
    """':' '*' '?' '"' '<' '>' '|' and a trailing dot or space are plain names on littlefs."""
    img = seeded(tmp_path)
    names = ["c:d", "star*", "q?", 'quote"', "<lt>", "pipe|", "trail.", "space "]
    for n in names:
        plant_file(img, tmp_path, n)
    out = tmp_path / "out"
    out.mkdir()
    r = vb("fs", img, "cp", "-r", ":/", out, rc=0)
    assert r.err == b"", r
    for n in names:
        assert (out / n).read_bytes() == SEED, n


def test_escape_through_a_dotdot_directory(tmp_path, vboard_bin):
    """A directory named ".." whose contents would land in the target's parent."""
    img = seeded(tmp_path, dirs=["QQ"])
    vb("fs", img, "cp", tmp_path / "seed.txt", ":/QQ/pwned.txt")
    Region(img, "esp32").rename(b"QQ", b"..")
    outer, target = arena(tmp_path)
    before = snapshot(outer)
    r = vb("fs", img, "cp", "-r", ":/", target, rc=1)
    assert outside(outer, target, before) == set(), "written outside the target\n%s" % r
    assert "unsafe name in the image refused" in r.errtext, r
    assert set(snapshot(target)) == {"seed.txt", "boot.py"}, r
    assert not (target.parent / "pwned.txt").exists()


def test_duplicate_names_are_refused(tmp_path, vboard_bin):
    img = seeded(tmp_path)
    (tmp_path / "one").write_bytes(b"first\n")
    (tmp_path / "two").write_bytes(b"the second one\n")
    vb("fs", img, "cp", tmp_path / "one", ":dupA")
    vb("fs", img, "cp", tmp_path / "two", ":dupB")
    Region(img, "esp32").rename(b"dupB", b"dupA")
    assert vb("fs", img, "ls").text.split().count("dupA") == 2
    outer, target = arena(tmp_path)
    before = snapshot(outer)
    r = vb("fs", img, "cp", "-r", ":/", target, rc=1)
    assert "another entry of the same name comes first" in r.errtext, r
    assert outside(outer, target, before) == set(), r
    assert (target / "seed.txt").read_bytes() == SEED


@pytest.mark.parametrize("back", ["self", "root", "parent"])
def test_looping_directories_end_with_an_error(back, tmp_path, vboard_bin):
    img = seeded(tmp_path, dirs=["a", "a/b", "a/b/loop", "a/b/loop2"])
    reg = Region(img, "esp32")
    pair = {"root": (0, 1), "parent": reg.dir_pair(b"a"), "self": reg.dir_pair(b"b")}[back]
    reg.point_dir(b"loop", pair)
    Region(img, "esp32").point_dir(b"loop2", pair)   # two ways back: 2^depth without a guard
    outer, target = arena(tmp_path)
    before = snapshot(outer)

    r = vb("fs", img, "cp", "-r", ":/", target, rc=1)
    assert "directory loop" in r.errtext, r
    assert outside(outer, target, before) == set(), r
    assert (target / "seed.txt").read_bytes() == SEED

    t = vb("fs", img, "tree", rc=1)
    assert "directory loop" in t.errtext, t
    assert len(t.out) < 100000, "tree stops\n%s" % t

    rm = run([VBOARD, "fs", img, "rm", "-r", ":/a"], timeout=60)
    assert rm.rc == 1 and "directory loop" in rm.errtext, rm


def test_planted_symlink_in_target_is_not_followed(tmp_path, vboard_bin):
    img = seeded(tmp_path, dirs=["lib", "lib/sub"])
    vb("fs", img, "cp", tmp_path / "seed.txt", ":/lib/sub/deep.txt")
    outer, target = arena(tmp_path)
    victim_dir = outer / "a" / "b" / "sibling"
    victim_file = victim_dir / "keep.txt"
    os.symlink(victim_dir, target / "lib")
    os.symlink(victim_file, target / "seed.txt")
    before = snapshot(outer)
    r = vb("fs", img, "cp", "-r", ":/", target, rc=1)
    assert "symbolic link: not followed" in r.errtext, r
    assert outside(outer, target, before) == set(), "written through a link\n%s" % r
    assert victim_file.read_bytes() == b"keep\n"
    assert not os.path.islink(target / "seed.txt") and (target / "seed.txt").read_bytes() == SEED


def test_check_flags_planted_names(tmp_path, vboard_bin):
    img = seeded(tmp_path)
    plant_file(img, tmp_path, "..")
    r = vb("image", "check", img, rc=1)
    assert '/..: name is "." or ".."\n' in r.text and "1 problem found: littlefs" in r.text, r
