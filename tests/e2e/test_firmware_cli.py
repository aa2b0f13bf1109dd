"""`vboard firmware build` and `vboard image flash`: firmware files (boot.md §6) built from a
directory, written into app slots as esptool does, shown by `image info`, and every refusal
leaving the image byte-for-byte unchanged.

The firmware format is read here by an independent reader (header fields, zlib CRC-32 of the
header, hashlib SHA-256 of the payload), not by vboard's own parser."""
import hashlib
import struct
import zlib

import pytest

from conftest import PROFILES, fsck_board, read, sha, vb

# flash.md §2: app slots (offset, size) per profile
SLOTS = {
    "generic": {"factory": (0x10000, 0x1F0000)},
    "pycom": {"factory": (0x10000, 0x1EF000), "ota_0": (0x210000, 0x1EF000)},
}
HEADER = 84


def parse_fw(data):
    """Header fields and modules of a firmware file; asserts every integrity rule."""
    assert data[:4] == b"VBFW", data[:16].hex()
    fmt, hsize, plen, count = struct.unpack_from("<HHII", data, 4)
    assert (fmt, hsize) == (1, HEADER)
    assert struct.unpack_from("<I", data, 80)[0] == zlib.crc32(data[:80]), "header CRC"
    version = data[16:48].rstrip(b"\0").decode("ascii")
    payload = data[hsize:hsize + plen]
    assert len(payload) == plen and hsize + plen == len(data), "lengths"
    assert hashlib.sha256(payload).digest() == data[48:80], "payload digest"
    mods, at = {}, 0
    for _ in range(count):
        nl, sl = struct.unpack_from("<HI", payload, at)
        name = payload[at + 6:at + 6 + nl].decode("ascii")
        mods[name] = payload[at + 6 + nl:at + 6 + nl + sl]
        at += 6 + nl + sl
    assert at == plen
    return version, list(mods), mods


def src_dir(tmp_path, files, name="src"):
    d = tmp_path / name
    d.mkdir()
    for fname, text in files.items():
        (d / fname).write_bytes(text if isinstance(text, bytes) else text.encode())
    return d


BOOT = "# _boot.py for a test firmware\nimport os\n"
APP = "def hello():\n    return 'hello from a frozen module'\n"


@pytest.fixture
def firmware(tmp_path, vboard_bin):
    """Factory: build a firmware file from a dict of files; returns its path."""
    n = [0]

    def make(files=None, version="2.0.0-test"):
        n[0] += 1
        d = src_dir(tmp_path, files or {"_boot.py": BOOT, "app.py": APP}, "src%d" % n[0])
        out = tmp_path / ("fw%d.bin" % n[0])
        vb("firmware", "build", d, "-o", out, "--version", version)
        return out
    return make


def info_lines(img):
    return [ln for ln in vb("image", "info", img).text.splitlines() if ln.startswith("firmware ")]


def unchanged(img, before, r):
    assert sha(read(img)) == before, "the image changed after a refused command\n%s" % r


# ---- build -------------------------------------------------------------------------------------


def test_build_from_a_directory(tmp_path, vboard_bin):
    d = src_dir(tmp_path, {"_boot.py": BOOT, "app.py": APP, "zeta.py": "Z = 1\n", "notes.txt": "not a module",
                           "README": "x"})
    (d / "pkg").mkdir()
    (d / "pkg" / "inner.py").write_text("nested = True\n")   # not recursive
    out = tmp_path / "fw.bin"
    r = vb("firmware", "build", d, "-o", out, "--version", "1.2.3-mine")
    version, names, mods = parse_fw(out.read_bytes())
    assert version == "1.2.3-mine"
    assert names == ["_boot", "app", "zeta"], names
    assert mods["_boot"] == BOOT.encode() and mods["app"] == APP.encode() and mods["zeta"] == b"Z = 1\n"
    assert "1.2.3-mine" in r.text and "3 modules" in r.text, r
    # --output=FILE and -oFILE spell the same option
    vb("firmware", "build", d, "--output=%s" % (tmp_path / "b.bin"), "--version=1.2.3-mine")
    vb("firmware", "build", d, "-o%s" % (tmp_path / "c.bin"), "--version", "1.2.3-mine")
    assert (tmp_path / "b.bin").read_bytes() == out.read_bytes() == (tmp_path / "c.bin").read_bytes()


def test_build_refuses_to_overwrite(tmp_path, vboard_bin):
    d = src_dir(tmp_path, {"_boot.py": BOOT})
    out = tmp_path / "fw.bin"
    out.write_bytes(b"precious")
    r = vb("firmware", "build", d, "-o", out, "--version", "1", rc=1)
    assert "already exists" in r.errtext, r
    assert out.read_bytes() == b"precious"


@pytest.mark.parametrize("case", ["no_boot", "bad_name", "missing_dir", "long_version", "control_version",
                                  "empty_version", "no_output", "not_utf8", "too_many", "long_name"])
def test_build_refusals(case, tmp_path, vboard_bin):
    files = {"_boot.py": BOOT, "app.py": APP}
    args, want, rc = {}, None, 1
    if case == "no_boot":
        del files["_boot.py"]
        want = "_boot.py"
    elif case == "bad_name":
        files["my-module.py"] = "x = 1\n"
        want = "my-module"
    elif case == "too_many":
        files.update({"m%02d.py" % i: "" for i in range(63)})   # 65 modules
        want = "at most 64 modules"
    elif case == "long_name":
        files["a" * 64 + ".py"] = ""
        want = "at most 63 characters"
    elif case == "not_utf8":
        files["latin.py"] = b"s = '\xe9'\n"
        want = "UTF-8"
    elif case == "long_version":
        args["--version"], want, rc = "v" * 33, "printable ASCII", 2
    elif case == "control_version":
        args["--version"], want, rc = "1.0\x01", "printable ASCII", 2
    elif case == "empty_version":
        args["--version"], want, rc = "", "printable ASCII", 2
    d = src_dir(tmp_path, files) if case != "missing_dir" else tmp_path / "nosuchdir"
    if case == "missing_dir":
        want = "ENOENT"
    out = tmp_path / "fw.bin"
    cmd = ["firmware", "build", d]
    if case != "no_output":
        cmd += ["-o", out]
    else:
        want, rc = "-o FILE", 2
    cmd += ["--version", args.get("--version", "1.0")]
    r = vb(*cmd, rc=rc)
    assert want in r.errtext, r
    assert len(r.errtext.strip().splitlines()) == 1, "one sentence expected\n%s" % r
    assert not out.exists(), "a file was left behind\n%s" % r


def test_sixty_four_modules_and_a_63_character_name(tmp_path, vboard_bin):
    files = {"_boot.py": BOOT, "a" * 63 + ".py": "x = 1\n"}
    files.update({"m%02d.py" % i: "n = %d\n" % i for i in range(62)})
    d = src_dir(tmp_path, files)
    vb("firmware", "build", d, "-o", tmp_path / "fw.bin", "--version", "64")
    version, names, mods = parse_fw((tmp_path / "fw.bin").read_bytes())
    assert len(names) == 64 and names[0] == "_boot" and "a" * 63 in names


def test_version_of_exactly_32_characters(tmp_path, vboard_bin):
    d = src_dir(tmp_path, {"_boot.py": BOOT})
    v = "1.20.2.r4-vboard-" + "x" * 15
    assert len(v) == 32
    vb("firmware", "build", d, "-o", tmp_path / "fw.bin", "--version", v)
    assert parse_fw((tmp_path / "fw.bin").read_bytes())[0] == v


# ---- flash -------------------------------------------------------------------------------------


@pytest.mark.parametrize("board,slot", [("pycom", "factory"), ("pycom", "ota_0"), ("generic", "factory")])
def test_flash_into_a_slot(board, slot, image, firmware, tmp_path):
    img = image(board)
    fw = firmware()
    blob = fw.read_bytes()
    vb("fs", img, "cp", fw, ":kept.bin")   # a file on the board survives flashing
    before = read(img)
    args = ["image", "flash", img, fw] + (["--slot", slot] if slot != "factory" else [])
    r = vb(*args)
    assert slot in r.text and "kept" in r.text, r
    after = read(img)
    off, size = SLOTS[board][slot]
    assert after[off:off + len(blob)] == blob, "slot does not hold the firmware file"
    # esptool: only the blocks the image covers are erased; everything else is as it was
    end = off + (len(blob) + 4095) // 4096 * 4096
    assert after[off + len(blob):end] == b"\xFF" * (end - off - len(blob))
    assert after[:off] == before[:off], "bytes before the slot changed"
    assert after[end:] == before[end:], "bytes after the slot changed (otadata, FS, other slot)"
    # image info shows the version of each slot
    lines = info_lines(img)
    want = "firmware %s at 0x%X: 2.0.0-test (2 modules, %d bytes)" % (slot, off, len(blob))
    assert want in lines, lines
    if board == "pycom":
        other = "ota_0" if slot == "factory" else "factory"
        o = SLOTS[board][other][0]
        expect = "empty" if other == "ota_0" else "1.20.2.r4-vboard (1 module"
        assert any(ln.startswith("firmware %s at 0x%X: %s" % (other, o, expect)) for ln in lines), lines
    # the filesystem is kept and still clean (generic: the esp32 port's littlefs)
    assert vb("fs", img, "cat", "kept.bin").out == blob
    if board == "generic":
        assert vb("image", "check", img).text.startswith("clean: littlefs"), img
    else:
        fsck_board(img, board, tmp_path)


@pytest.mark.parametrize("board", ["generic", "pycom"])
def test_flash_with_erase_fs(board, image, firmware):
    img = image(board)
    fw = firmware()
    vb("fs", img, "cp", fw, ":kept.bin")
    r = vb("image", "flash", img, fw, "--erase-fs")
    assert "erased" in r.text, r
    p = PROFILES[board]
    assert read(img, p["fs_off"], p["fs_size"]) == b"\xFF" * p["fs_size"]
    ls = vb("fs", img, "ls", rc=2)
    assert "erased" in ls.errtext, ls
    assert "erased" in vb("image", "info", img).text


def test_reflash_replaces_a_longer_image(image, firmware, tmp_path):
    img = image("pycom")
    big = firmware({"_boot.py": BOOT, "big.py": "x = %r\n" % ("y" * 20000)}, version="big")
    small = firmware({"_boot.py": BOOT}, version="small")
    vb("image", "flash", img, big, "--slot", "ota_0")
    vb("image", "flash", img, small, "--slot", "ota_0")
    assert "firmware ota_0 at 0x210000: small (1 module, %d bytes)" % small.stat().st_size in info_lines(img)


def refusal(img, *args, rc=1, want=None):
    before = sha(read(img))
    r = vb("image", "flash", img, *args, rc=rc)
    unchanged(img, before, r)
    if want:
        assert want in r.errtext, r
    assert len(r.errtext.strip().splitlines()) == 1, "one sentence expected\n%s" % r
    return r


@pytest.mark.parametrize("cut", [0, 3, 40, 83, 84, 85, -1])
def test_flash_refuses_a_truncated_file(cut, image, firmware, tmp_path):
    img = image("pycom")
    blob = firmware().read_bytes()
    bad = tmp_path / "cut.bin"
    bad.write_bytes(blob[:cut] if cut >= 0 else blob[:-1])
    refusal(img, bad, "--slot", "ota_0", want="nothing was written")


@pytest.mark.parametrize("where", ["payload", "header", "magic", "trailing"])
def test_flash_refuses_a_corrupt_file(where, image, firmware, tmp_path):
    img = image("generic")
    blob = bytearray(firmware().read_bytes())
    if where == "payload":
        blob[-5] ^= 0x01
        want = "digest"
    elif where == "header":
        blob[20] ^= 0x01
        want = "header CRC"
    elif where == "magic":
        blob[0] = ord("X")
        want = "not a vboard firmware image"
    else:
        blob += b"\xFF" * 16
        want = "follow the firmware image"
    bad = tmp_path / "bad.bin"
    bad.write_bytes(bytes(blob))
    refusal(img, bad, want=want)


@pytest.mark.parametrize("board", ["generic", "pycom"])
def test_flash_refuses_a_firmware_bigger_than_the_slot(board, image, firmware):
    img = image(board)
    size = SLOTS[board]["factory"][1]
    fw = firmware({"_boot.py": BOOT, "huge.py": "# " + "x" * size + "\n"}, version="huge")
    n = fw.stat().st_size
    assert n > size
    refusal(img, fw, want="firmware of %d bytes does not fit the factory slot (%d bytes)" % (n, size))


def test_flash_refuses_ota_0_on_generic(image, firmware):
    img = image("generic")
    r = refusal(img, firmware(), "--slot", "ota_0", want="no ota_0 slot")
    assert "factory" in r.errtext, r


def test_flash_refuses_an_unknown_slot_and_a_missing_file(image, firmware, tmp_path):
    img = image("pycom")
    refusal(img, firmware(), "--slot", "nvs", rc=2, want="unknown slot")
    refusal(img, firmware(), "--slot", "ota_1", want="no ota_1 slot")
    refusal(img, tmp_path / "missing.bin", want="ENOENT")


def test_flash_refuses_a_missing_image(firmware, tmp_path):
    r = vb("image", "flash", tmp_path / "none.bin", firmware(), rc=2)
    assert not (tmp_path / "none.bin").exists(), r


def test_help_lists_the_commands(vboard_bin):
    text = vb("help").text
    assert "vboard firmware build DIR -o FILE --version V" in text
    assert "vboard image flash FILE FIRMWARE" in text
    assert "--erase-fs" in vb("help", "image", "flash").text
    assert "--output" in vb("firmware", "build", "--help").text
    r = vb("firmware", "nosuchverb", rc=2)
    assert "unknown command" in r.errtext, r
