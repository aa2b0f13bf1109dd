"""`vboard image create`: the whole flash image, byte by byte (flash.md §2, §2.1, §3)."""
import hashlib
import struct
import zlib

import pytest

from conftest import (KIB, PROFILES, fatfs_geometry, fsck_board, mtools, mimg, read, vb)

# flash.md §2 tables: (offset, size, type, subtype, label, flags)
TABLES = {
    "generic": [
        (0x9000, 0x6000, 0x01, 0x02, "nvs", 0),
        (0xF000, 0x1000, 0x01, 0x01, "phy_init", 0),
        (0x10000, 0x1F0000, 0x00, 0x00, "factory", 0),
        (0x200000, 0x200000, 0x01, 0x81, "vfs", 0),
    ],
    "pycom": [
        (0x9000, 0x7000, 0x01, 0x02, "nvs", 0),
        (0x10000, 0x1EF000, 0x00, 0x00, "factory", 1),
        (0x1FF000, 0x1000, 0x01, 0x00, "otadata", 1),
        (0x210000, 0x1EF000, 0x00, 0x10, "ota_0", 1),
        (0x3FF000, 0x1000, 0x01, 0x06, "config", 0),
    ],
}

OTADATA_DEFAULT = bytes.fromhex("00000000" "01000000" "00000000" "FFFFFFFF" "00000000") + b"\xFF" * 16 + \
    bytes.fromhex("C5421381")

# The built-in factory firmware (src/boot/fwimage.h), rebuilt here from the
# format: header (magic, format 1, header size 84, payload length, module
# count, version, SHA-256 of the payload, CRC-32 of bytes 0..79), then one
# entry per module (name length u16, source length u32, name, source).
FACTORY_VERSION = b"1.20.2.r4-vboard"
FACTORY_BOOT = b"# _boot.py -- always run on boot-up, even during safe boot\nimport os\n"


def firmware_bytes(version, modules):
    payload = b"".join(struct.pack("<HI", len(n), len(src)) + n + src for n, src in modules)
    head = b"VBFW" + struct.pack("<HHII", 1, 84, len(payload), len(modules)) + version.ljust(32, b"\0") + \
        hashlib.sha256(payload).digest()
    return head + struct.pack("<I", zlib.crc32(head)) + payload


FACTORY_FW = firmware_bytes(FACTORY_VERSION, [(b"_boot", FACTORY_BOOT)])
FACTORY_SLOT = 0x10000   # app/factory in both tables

PYCOM_FILES = {"main.py": b"# main.py -- put your code here!\r\n", "boot.py": b"# boot.py -- run on boot-up\r\n"}


def expected_table(board):
    entries = b""
    for off, size, typ, sub, label, flags in TABLES[board]:
        entries += b"\xAA\x50" + bytes([typ, sub]) + struct.pack("<II", off, size) + \
            label.encode().ljust(16, b"\0") + struct.pack("<I", flags)
    md5 = b"\xEB\xEB" + b"\xFF" * 14 + hashlib.md5(entries).digest()
    return entries + md5


def expected_boot_sector(S, ss):
    g = fatfs_geometry(S, ss)
    b = bytearray(ss)
    b[0:3] = b"\xEB\xFE\x90"
    b[3:11] = b"MSDOS5.0"
    struct.pack_into("<HBHBHHBHHHI", b, 11, ss, g["spc"], 1, 1, 512, S if S < 0x10000 else 0, 0xF8,
                     g["fat"], 63, 255, 0)
    struct.pack_into("<I", b, 32, 0 if S < 0x10000 else S)
    b[36:39] = b"\x80\x00\x29"
    b[43:54] = b"NO NAME    "
    b[54:62] = b"FAT     "
    b[510:512] = b"\x55\xAA"
    return bytes(b), g


def test_fatfs_geometry_matches_the_spec_table():
    """The reference rule reproduces every row of flash.md §3 (it is what the image is checked against)."""
    rows = [  # KiB, ss, bits, cluster bytes, FAT sectors, data start, clusters
        (1024, 512, 12, 512, 7, 40, 2008), (2048, 512, 12, 1024, 7, 40, 2028),
        (4096, 512, 12, 2048, 7, 40, 2038), (508, 512, 12, 512, 3, 36, 980),
        (112, 512, 12, 512, 1, 34, 190), (128, 512, 12, 512, 1, 34, 222),
        (2048, 4096, 12, 4096, 1, 6, 506), (6144, 4096, 12, 4096, 1, 6, 1530),
        (14336, 4096, 12, 4096, 2, 7, 3577), (16384, 512, 16, 2048, 33, 66, 8175),
    ]
    for kib, ss, bits, cb, fat, data, clusters in rows:
        g = fatfs_geometry(kib * KIB // ss, ss)
        got = (g["bits"], g["spc"] * ss, g["fat"], g["data"], g["clusters"])
        assert got == (bits, cb, fat, data, clusters), "%d KiB/%d: got %s" % (kib, ss, got)


@pytest.mark.parametrize("board", ["generic", "pycom"])
def test_whole_image_layout(board, image, tmp_path):
    p = PROFILES[board]
    img = image(board)
    data = read(img)
    assert len(data) == p["flash"], "image size %d, expected %d" % (len(data), p["flash"])

    # partition table at 0x8000, rest of its sector erased
    table = expected_table(board)
    got = data[0x8000:0x8000 + len(table)]
    assert got == table, "partition table differs:\n got %s\nwant %s" % (got.hex(), table.hex())
    rest = data[0x8000 + len(table):0x9000]
    assert rest == b"\xFF" * len(rest), "bytes after the table are not erased: first non-FF at 0x%x" % (
        0x8000 + len(table) + next(i for i, c in enumerate(rest) if c != 0xFF))

    # otadata (pycom): the default record, rest of the sector erased
    if "otadata" in p:
        o = p["otadata"]
        rec = data[o:o + 40]
        assert rec == OTADATA_DEFAULT, "otadata record %s, expected %s" % (rec.hex(), OTADATA_DEFAULT.hex())
        assert zlib.crc32(rec[:36], 0xFFFFFFFF) == struct.unpack("<I", rec[36:40])[0]
        assert data[o + 40:o + 0x1000] == b"\xFF" * (0x1000 - 40), "otadata sector tail not erased"

    # the factory slot: the built-in factory firmware, as esptool leaves it
    got = data[FACTORY_SLOT:FACTORY_SLOT + len(FACTORY_FW)]
    assert got == FACTORY_FW, "factory slot holds %s\nexpected %s" % (got[:128].hex(), FACTORY_FW[:128].hex())

    # everything else outside the FS region: erased
    keep = [(0x8000, 0x9000), (FACTORY_SLOT, FACTORY_SLOT + len(FACTORY_FW)),
            (p["fs_off"], p["fs_off"] + p["fs_size"])]
    if "otadata" in p:
        keep.append((p["otadata"], p["otadata"] + 0x1000))
    pos = 0
    for start, end in sorted(keep):
        seg = data[pos:start]
        bad = [i for i in range(0, len(seg), 4096) if seg[i:i + 4096] != b"\xFF" * len(seg[i:i + 4096])]
        assert not bad, "written outside table/otadata/FS: blocks at %s" % [hex(pos + i) for i in bad[:8]]
        pos = end
    assert data[pos:] == b"\xFF" * (len(data) - pos), "written after the FS region"


@pytest.mark.parametrize("board", ["pycom"])
def test_mkfs_bytes(board, image, tmp_path):
    """Boot sector (all bytes but the serial 39-42), FAT and root sectors, untouched data (flash.md §3).
    FAT ports only: the generic (esp32) board's littlefs region is compared with MicroPython's own
    first boot in test_lfs2_hosttools.py."""
    p = PROFILES[board]
    ss = p["ss"]
    S = p["fs_size"] // ss
    img = image(board)
    fs = read(img, p["fs_off"], p["fs_size"])
    want, g = expected_boot_sector(S, ss)
    got = fs[:ss]
    for i in range(ss):
        if 39 <= i <= 42:
            continue
        assert got[i] == want[i], "boot sector byte %d: 0x%02x, expected 0x%02x\n got %s\nwant %s" % (
            i, got[i], want[i], got[:64].hex(), want[:64].hex())

    # FAT: media/EOC entries, chains only to in-range clusters, zero after the last entry
    fat = fs[ss:ss * (1 + g["fat"])]
    assert fat[:3] == b"\xF8\xFF\xFF", "FAT starts %s, expected f8ffff" % fat[:3].hex()

    def entry(n):
        w = struct.unpack_from("<H", fat, n * 3 // 2)[0]
        return w >> 4 if n & 1 else w & 0xFFF
    used = [c for c in range(2, g["clusters"] + 2) if entry(c)]
    for c in used:
        v = entry(c)
        assert v >= 0xFF8 or 2 <= v < g["clusters"] + 2, "FAT[%d] = 0x%03x" % (c, v)
    end = (3 * (g["clusters"] + 2) + 1) // 2
    assert fat[end:] == bytes(len(fat) - end), "FAT bytes after the last entry are not zero"
    assert 1 <= len(used) <= 8, "default files use %d clusters: %s" % (len(used), used)

    # root: used entries first, zeros after
    root = fs[ss * (1 + g["fat"]):ss * g["data"]]
    n_used = next(i for i in range(0, len(root), 32) if root[i] == 0) // 32
    assert root[32 * n_used:] == bytes(len(root) - 32 * n_used), "root sectors not zero after the entries"

    # data area: every cluster not in the FAT is untouched (erased flash)
    cb = g["spc"] * ss
    for c in range(2, g["clusters"] + 2):
        if c in used:
            continue
        o = (g["data"] + (c - 2) * g["spc"]) * ss
        if fs[o:o + cb] != b"\xFF" * cb:
            pytest.fail("free cluster %d (offset 0x%x) was written: %s" % (c, p["fs_off"] + o, fs[o:o + 16].hex()))
    # fsck.fat's own reading of the geometry (flash.md §5)
    r = fsck_board(img, board, tmp_path)
    for want_line in ("1 FATs, 12 bit entries", "Data area starts at byte %d (sector %d)" % (g["data"] * ss, g["data"]),
                      "%d data clusters (%d bytes)" % (g["clusters"], g["clusters"] * cb)):
        assert want_line in r.text, "fsck.fat -v does not say %r:\n%s" % (want_line, r)


def test_pycom_defaults(image, tmp_path):
    img = image("pycom")
    p = PROFILES["pycom"]
    listing = vb("fs", img, "ls").text.split()
    assert sorted(listing) == sorted(["main.py", "boot.py", "sys/", "lib/", "cert/"]), listing
    for name, content in PYCOM_FILES.items():
        got = vb("fs", img, "cat", name).out
        assert got == content, "%s: %r, expected %r" % (name, got, content)
        # and as a PC sees it
        r = mtools("mtype", "-i", mimg(img, p["fs_off"]), "::/" + name)
        assert r.out == content, "mtype %s: %r" % (name, r.out)
    # 8.3 lower-case names: no long-name slots, NT case bits 0x18 (flash.md §4.4)
    fs = read(img, p["fs_off"], 64 * KIB)
    root = fs[512 * 8:512 * 40]
    names = {root[i:i + 11]: root[i + 11:i + 13] for i in range(0, len(root), 32) if root[i] not in (0, 0xE5)}
    assert names.get(b"MAIN    PY ") == b"\x20\x18", names
    assert names.get(b"BOOT    PY ") == b"\x20\x18", names
    for d in (b"SYS        ", b"LIB        ", b"CERT       "):
        assert names.get(d) == b"\x10\x08", (d, names.get(d))
    assert not any(v[0] == 0x0F for v in names.values()), "long-name slots for 8.3 names: %s" % names


def test_generic_default_boot_py(image):
    img = image("generic")
    assert vb("fs", img, "ls").text.split() == ["boot.py"]
    text = vb("fs", img, "cat", "boot.py").text
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert lines and all(ln.lstrip().startswith("#") for ln in lines), "boot.py is not comments only:\n" + text


def test_create_refuses_existing_file(tmp_path, vboard_bin):
    f = tmp_path / "exists.bin"
    f.write_bytes(b"precious")
    before = f.stat().st_mtime_ns
    r = vb("image", "create", f, rc=None)
    assert r.rc in (1, 2), "create over an existing file must fail\n%s" % r
    assert f.read_bytes() == b"precious" and f.stat().st_mtime_ns == before
    assert r.err, "no message on stderr\n%s" % r


def test_create_unknown_board(tmp_path, vboard_bin):
    r = vb("image", "create", "--board", "nosuchboard", tmp_path / "x.bin", rc=2)
    assert not (tmp_path / "x.bin").exists(), "a file was left behind\n%s" % r


@pytest.mark.parametrize("board", ["generic", "pycom"])
def test_info(board, image):
    img = image(board)
    r = vb("image", "info", img)
    assert board in r.text, "info does not name the profile\n%s" % r
    for label in (e[4] for e in TABLES[board]):
        assert label in r.text, "info does not list partition %s\n%s" % (label, r)
    want = "firmware factory at 0x10000: 1.20.2.r4-vboard (1 module, %d bytes)" % len(FACTORY_FW)
    assert want in r.text.splitlines(), "info does not show the factory firmware\n%s" % r
    if board == "pycom":
        assert "firmware ota_0 at 0x210000: empty" in r.text.splitlines(), r


def test_info_missing_file(tmp_path, vboard_bin):
    r = vb("image", "info", tmp_path / "missing.bin", rc=2)
    assert any(w in r.errtext for w in ("ENOENT", "No such file", "does not exist")), r
    assert not (tmp_path / "missing.bin").exists()
