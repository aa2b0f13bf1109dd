"""Images crafted to attack the host tools (issue 11, item 1).

Names read from an image are untrusted: device code, or whoever hands you an
image, can put any bytes into a FAT long name. `vboard fs IMAGE cp -r` must
never write outside its destination, must refuse (warn, exit 1) names with
'/', '\\', NUL, control characters, "." or "..", and still copy the safe
entries; ls and tree must show such names escaped, never raw; a symbolic link
already inside the destination is not followed; directories that loop end
the walk with an error instead of running forever.

The images are FAT volumes on the generic (esp32) layout (esp32fat.py: as
vboard made them before the port moved to littlefs) plus `vboard fs` (a
seed file and a directory), then directory entries are written here byte by
byte: LFN slots (attribute 0x0F, ordinal, checksum of the 8.3 name,
UTF-16LE pieces at bytes 1-10, 14-25, 28-31) followed by the 8.3 entry.
The same attacks on littlefs volumes: test_lfs2_hosttools.py.
"""
import os
import struct

import pytest

from conftest import PROFILES, vb
from esp32fat import fat_image_factory, make_esp32_fat


@pytest.fixture
def image(image, tmp_path):
    return fat_image_factory(image, tmp_path)

SEED = b"PWNED-BY-IMAGE\n"


class Fat:
    """The generic profile's FAT12 volume inside an image file."""

    def __init__(self, img, board="generic"):
        self.img = img
        self.off = PROFILES[board]["fs_off"]
        with open(img, "rb") as f:
            f.seek(self.off)
            bpb = f.read(64)
        self.ss = struct.unpack_from("<H", bpb, 11)[0]
        self.spc = bpb[13]
        reserved = struct.unpack_from("<H", bpb, 14)[0]
        nfats = bpb[16]
        self.root_entries = struct.unpack_from("<H", bpb, 17)[0]
        fatsz = struct.unpack_from("<H", bpb, 22)[0]
        self.root_off = self.off + (reserved + nfats * fatsz) * self.ss
        root_bytes = -(-self.root_entries * 32 // self.ss) * self.ss
        self.data_off = self.root_off + root_bytes

    def cluster_off(self, n):
        return self.data_off + (n - 2) * self.spc * self.ss

    def region(self, cluster):
        """(offset, bytes) of a directory: the root for cluster 0 (first cluster only otherwise)."""
        if cluster == 0:
            return self.root_off, self.root_entries * 32
        return self.cluster_off(cluster), self.spc * self.ss

    def read(self, off, n):
        with open(self.img, "rb") as f:
            f.seek(off)
            return f.read(n)

    def write(self, off, data):
        with open(self.img, "r+b") as f:
            f.seek(off)
            f.write(data)

    def find(self, dir_cluster, sfn11):
        """(cluster, size) of the 8.3 entry named sfn11 in a directory."""
        off, size = self.region(dir_cluster)
        data = self.read(off, size)
        for i in range(0, size, 32):
            e = data[i:i + 32]
            if e[0] == 0:
                break
            if e[:11] == sfn11 and e[11] != 0x0F:
                return struct.unpack_from("<H", e, 26)[0], struct.unpack_from("<I", e, 28)[0]
        raise AssertionError("no entry %r" % sfn11)

    def add(self, dir_cluster, units, sfn11, attr, cluster, size):
        """LFN slots for `units` (None: no long name) + the 8.3 entry, at the directory's end."""
        entries = lfn_slots(units, sfn11) if units is not None else []
        e = bytearray(sfn11 + bytes([attr]) + bytes(20))
        struct.pack_into("<H", e, 26, cluster)
        struct.pack_into("<I", e, 28, size)
        entries.append(bytes(e))
        off, size_ = self.region(dir_cluster)
        data = self.read(off, size_)
        for i in range(0, size_, 32):
            if data[i] == 0:
                assert i + 32 * len(entries) <= size_, "directory full"
                self.write(off + i, b"".join(entries))
                return
        raise AssertionError("directory full")


def checksum(sfn11):
    s = 0
    for b in sfn11:
        s = (((s & 1) << 7) + (s >> 1) + b) & 0xFF
    return s


def lfn_slots(units, sfn11):
    n = len(units)
    nslots = -(-n // 13)
    padded = list(units) + ([0] if n % 13 else [])
    padded += [0xFFFF] * (nslots * 13 - len(padded))
    out = []
    for ord_ in range(nslots, 0, -1):
        chunk = padded[(ord_ - 1) * 13:ord_ * 13]
        s = bytearray(32)
        s[0] = ord_ | (0x40 if ord_ == nslots else 0)
        s[11], s[12], s[13] = 0x0F, 0, checksum(sfn11)
        for j, pos in enumerate(list(range(1, 11, 2)) + list(range(14, 26, 2)) + list(range(28, 32, 2))):
            struct.pack_into("<H", s, pos, chunk[j])
        out.append(bytes(s))
    return out


def units_of(name):
    return [ord(c) for c in name]


def seeded_image(image, tmp_path, dirs=()):
    """A generic image with /seed.txt (SEED) and the given directories."""
    img = image()
    seed = tmp_path / "seed.txt"
    seed.write_bytes(SEED)
    vb("fs", img, "cp", seed, ":/seed.txt")
    for d in dirs:
        vb("fs", img, "mkdir", ":/" + d)
    return img


def snapshot(top):
    """Every path under `top` (relative) with its kind and content, links not followed."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, top)
            if os.path.islink(p):
                out[rel] = ("link", os.readlink(p))
            elif os.path.isdir(p):
                out[rel] = ("dir", None)
            else:
                with open(p, "rb") as f:
                    out[rel] = ("file", f.read())
    return out


def arena(tmp_path):
    """outer/{target,sibling}: the copy goes into target; outer and sibling must not change."""
    outer = tmp_path / "outer"
    target = outer / "a" / "b" / "target"
    sibling = outer / "a" / "b" / "sibling"
    target.mkdir(parents=True)
    sibling.mkdir()
    (sibling / "keep.txt").write_bytes(b"keep\n")
    return outer, target


def outside(outer, target, before):
    """What changed in outer apart from target's subtree."""
    after = snapshot(outer)
    t = os.path.relpath(target, outer)
    strip = lambda m: {k: v for k, v in m.items() if not (k == t or k.startswith(t + os.sep))}
    return {k for k in set(strip(before)) | set(strip(after)) if strip(before).get(k) != strip(after).get(k)}


def assert_no_raw_controls(data, what):
    bad = [b for b in data if (b < 0x20 and b not in (0x0A,)) or b == 0x7F]
    assert not bad, "raw control bytes %r in %s:\n%r" % (bad, what, data)


@pytest.fixture(scope="module", autouse=True)
def refuse_unprotected_binary(tmp_path_factory, vboard_bin):
    """An unfixed vboard would really write outside the test's directories (up
    to '/', through ".." names) and loop for minutes: probe it harmlessly first
    (does `ls` escape a control character?) and fail every test without
    running the dangerous ones if it does not."""
    d = tmp_path_factory.mktemp("probe")
    img = make_esp32_fat(d / "probe.bin")
    (d / "seed.txt").write_bytes(SEED)
    vb("fs", img, "cp", d / "seed.txt", ":/seed.txt")
    fat = Fat(img)
    cl, size = fat.find(0, b"SEED    TXT")
    fat.add(0, units_of("probe\x1b"), b"PROBE   TXT", 0x20, cl, size)
    r = vb("fs", img, "ls", rc=None)
    if b"probe\x1b" in r.out:
        pytest.fail("%s prints raw control bytes from an image: not protected against hostile "
                    "images; the copy tests were not run (they would write outside their "
                    "directories)\n%s" % (vboard_bin, r), pytrace=False)


# Every forbidden byte and component, as a long name (units; 0 is NUL).
HOSTILE = (
    [("slash", "a/b"), ("dotdot", ".."), ("dot", "."), ("up2", "../../x"), ("up1", "../escape.txt"),
     ("abs", "/abs.txt"), ("backslash", "a\\b"), ("bsup", "..\\..\\x"), ("spaces", "   "),
     ("trail", "name."), ("del", "a\x7fb"), ("nul", "a\x00b")]
    + [("ctl%02x" % c, "x%sy" % chr(c)) for c in range(0x01, 0x20)]
)


@pytest.mark.parametrize("label,name", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_long_name_is_refused_and_nothing_escapes(label, name, image, tmp_path):
    img = seeded_image(image, tmp_path)
    fat = Fat(img)
    cl, size = fat.find(0, b"SEED    TXT")
    fat.add(0, units_of(name), b"EVIL0001TXT", 0x20, cl, size)
    outer, target = arena(tmp_path)
    before = snapshot(outer)

    r = vb("fs", img, "cp", "-r", ":/", target, rc=None)

    assert outside(outer, target, before) == set(), "written outside the target\n%s" % r
    got = snapshot(target)
    assert got.get("seed.txt") == ("file", SEED), "the safe entries are still copied\n%s" % r
    for rel in got:
        assert "/" not in rel and "\\" not in rel and not any(ord(c) < 0x20 for c in rel), rel
    assert_no_raw_controls(r.err, "stderr")
    if "\x00" in name:
        # A NUL ends a long name early (FatFs); the slots are then invalid and the
        # 8.3 name is used: a safe name, copied.
        assert r.rc == 0, r
        assert got.get("EVIL0001.TXT") == ("file", SEED), r
        return
    assert r.rc == 1, "an unsafe name must fail the copy\n%s" % r
    assert "unsafe name in the image refused" in r.errtext, r
    assert set(got) == {"seed.txt", "boot.py"}, r

    ls = vb("fs", img, "ls", rc=None)
    assert_no_raw_controls(ls.out, "ls output")
    shown = "".join(c if 0x20 <= ord(c) < 0x7F and c not in "/\\" else "\\x%02x" % ord(c)
                    for c in name)
    assert shown in ls.text.splitlines(), "ls shows the name escaped\n%s" % ls
    assert shown in r.errtext, "the refusal names the entry, escaped\n%s" % r


SHORT = [("slash", b"A/B     TXT"), ("backslash", b"A\\B     TXT"), ("ctl01", b"X\x01Y     TXT"),
         ("esc", b"X\x1bY     TXT"), ("del", b"X\x7fY     TXT"), ("dotdot", b"..      TXT")]


@pytest.mark.parametrize("label,sfn", SHORT, ids=[h[0] for h in SHORT])
def test_hostile_short_name_is_refused(label, sfn, image, tmp_path):
    """8.3 names are read from the image too (no long name before them)."""
    img = seeded_image(image, tmp_path)
    fat = Fat(img)
    cl, size = fat.find(0, b"SEED    TXT")
    fat.add(0, None, sfn, 0x20, cl, size)
    outer, target = arena(tmp_path)
    before = snapshot(outer)
    r = vb("fs", img, "cp", "-r", ":/", target, rc=None)
    assert outside(outer, target, before) == set(), "written outside the target\n%s" % r
    assert_no_raw_controls(r.err, "stderr")
    got = snapshot(target)
    assert got.get("seed.txt") == ("file", SEED), r
    for rel in got:
        assert "/" not in rel and "\\" not in rel and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in rel), r
    if label == "dotdot":
        # FatFs skips 8.3 entries starting with a dot when listing: never seen.
        assert set(got) == {"seed.txt", "boot.py"}, r
    else:
        assert r.rc == 1 and "unsafe name in the image refused" in r.errtext, r
    ls = vb("fs", img, "ls", rc=None)
    assert_no_raw_controls(ls.out, "ls output")


def test_escape_through_dotdot_directory(image, tmp_path):
    """The main escape: a directory named ".." whose contents land in the target's parent."""
    img = seeded_image(image, tmp_path, dirs=["payload"])
    fat = Fat(img)
    pcl, _ = fat.find(0, b"PAYLOAD    ")
    cl, size = fat.find(0, b"SEED    TXT")
    fat.add(pcl, units_of("pwned.txt"), b"PWNED   TXT", 0x20, cl, size)
    fat.add(0, units_of(".."), b"EVILDIR    ", 0x10, pcl, 0)
    fat.add(0, units_of("../../../pwned2.txt"), b"EVIL0002TXT", 0x20, cl, size)
    outer, target = arena(tmp_path)
    before = snapshot(outer)

    r = vb("fs", img, "cp", "-r", ":/", target, rc=None)

    assert outside(outer, target, before) == set(), "written outside the target\n%s" % r
    assert not (tmp_path / "pwned2.txt").exists() and not (outer / "pwned2.txt").exists()
    assert r.rc == 1, r
    assert (target / "payload" / "pwned.txt").read_bytes() == SEED, r
    assert (target / "seed.txt").read_bytes() == SEED, r


def test_ls_and_tree_escape_terminal_controls(image, tmp_path):
    img = seeded_image(image, tmp_path, dirs=["d"])
    fat = Fat(img)
    cl, size = fat.find(0, b"SEED    TXT")
    fat.add(0, units_of("\x1b[2J\x1b]0;owned\x07"), b"EVIL0003TXT", 0x20, cl, size)
    dcl, _ = fat.find(0, b"D          ")
    fat.add(0, units_of("x\x1b[1m/..") , b"EVILDIR2   ", 0x10, dcl, 0)
    for args in (["ls"], ["ls", "-l"], ["tree"]):
        r = vb("fs", img, *args, rc=None)
        assert_no_raw_controls(r.out, " ".join(args))
        assert_no_raw_controls(r.err, " ".join(args))
        assert "\\x1b[2J\\x1b]0;owned\\x07" in r.text, r
    t = vb("fs", img, "tree", rc=1)
    assert "x\\x1b[1m\\x2f../" in t.text, "the directory is listed, escaped\n%s" % t
    assert "unsafe name in the image refused" in t.errtext, t


def test_planted_symlink_in_target_is_not_followed(image, tmp_path):
    img = seeded_image(image, tmp_path, dirs=["lib", "lib/sub"])
    tgt_file = tmp_path / "seed-in"
    tgt_file.write_bytes(b"inner\n")
    vb("fs", img, "cp", tgt_file, ":/lib/inner.txt")
    vb("fs", img, "cp", tgt_file, ":/lib/sub/deep.txt")
    outer, target = arena(tmp_path)
    victim_dir = outer / "a" / "b" / "sibling"
    victim_file = victim_dir / "keep.txt"
    # target/lib -> the sibling directory; target/seed.txt -> a file outside
    os.symlink(victim_dir, target / "lib")
    os.symlink(victim_file, target / "seed.txt")
    before = snapshot(outer)

    r = vb("fs", img, "cp", "-r", ":/", target, rc=None)

    assert r.rc == 1, r
    assert "symbolic link: not followed" in r.errtext, r
    assert outside(outer, target, before) == set(), "written through a link\n%s" % r
    assert victim_file.read_bytes() == b"keep\n"
    assert sorted(os.listdir(victim_dir)) == ["keep.txt"]
    # the file link was replaced by the copied file itself, not written through
    assert not os.path.islink(target / "seed.txt") and (target / "seed.txt").read_bytes() == SEED
    assert os.path.islink(target / "lib")


def test_planted_symlink_below_into_destination(image, tmp_path):
    """cp -r :/lib DIR where DIR/lib already exists and holds a link."""
    img = seeded_image(image, tmp_path, dirs=["lib", "lib/sub"])
    vb("fs", img, "cp", tmp_path / "seed.txt", ":/lib/sub/x.txt")
    outer, target = arena(tmp_path)
    (target / "lib").mkdir()
    os.symlink(outer / "a", target / "lib" / "sub")
    before = snapshot(outer)
    r = vb("fs", img, "cp", "-r", ":/lib", target, rc=1)
    assert "symbolic link: not followed" in r.errtext, r
    assert outside(outer, target, before) == set(), r


@pytest.mark.parametrize("back", ["self", "root", "parent"])
def test_looping_directories_end_with_an_error(back, image, tmp_path):
    img = seeded_image(image, tmp_path, dirs=["a", "a/b"])
    fat = Fat(img)
    acl, _ = fat.find(0, b"A          ")
    bcl, _ = fat.find(acl, b"B          ")
    to = {"self": bcl, "root": 0, "parent": acl}[back]
    fat.add(bcl, units_of("loop"), b"LOOP       ", 0x10, to, 0)
    fat.add(bcl, units_of("loop2"), b"LOOP2      ", 0x10, to, 0)   # 2 ways back: 2^depth without a guard
    outer, target = arena(tmp_path)
    before = snapshot(outer)

    r = vb("fs", img, "cp", "-r", ":/", target, rc=1)
    assert "directory loop" in r.errtext, r
    assert outside(outer, target, before) == set(), r
    assert (target / "seed.txt").read_bytes() == SEED

    t = vb("fs", img, "tree", rc=1)
    assert "directory loop" in t.errtext, t
    assert len(t.out) < 100000, "tree stops\n%s" % t

    rm = vb("fs", img, "rm", "-r", ":/a", rc=1)
    assert "directory loop" in rm.errtext, rm


def test_check_flags_dot_names(image, tmp_path):
    """`image check` uses the same rule for long names such as ".."."""
    img = seeded_image(image, tmp_path)
    fat = Fat(img)
    cl, size = fat.find(0, b"SEED    TXT")
    fat.add(0, units_of(".."), b"EVIL0004TXT", 0x20, cl, size)
    r = vb("image", "check", img, rc=1)
    assert "long name is unusable" in r.text + r.errtext, r
