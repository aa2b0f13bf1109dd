"""`vboard fs`: every subcommand, checked against mtools and fsck.fat (flash.md §5).

FAT volumes only: the generic (esp32) board's image here is a FAT region on
its layout, as vboard made them before the port moved to littlefs
(esp32fat.py); `vboard fs` on littlefs is test_lfs2_hosttools.py."""
import os
import re

import pytest

from conftest import (PROFILES, fsck_board, mimg, mtools, mtools_read, mtools_tree, read, sha, vb)
from esp32fat import fat_image_factory


@pytest.fixture
def image(image, tmp_path):
    return fat_image_factory(image, tmp_path)

BOARDS = ["generic", "pycom"]
SIZES = [0, 1, 511, 512, 513, 2047, 2048, 2049, 4095, 4096, 4097, 150 * 1024]


def board_paths(img):
    """Every path below / as `vboard fs tree` prints it is hard to parse; use ls recursively."""
    out = set()

    def walk(d):
        for name in vb("fs", img, "ls", d or "/").text.splitlines():
            p = (d + "/" if d else "") + name
            if name.endswith("/"):
                out.add(p)
                walk(p[:-1])
            else:
                out.add(p)
    walk("")
    return out


@pytest.mark.parametrize("board", BOARDS)
def test_cp_to_board_read_back_by_mtools(board, image, host_files, tmp_path):
    """Random binary files of boundary sizes and >100 KB, long names, subdirectories."""
    img = image(board)
    off = PROFILES[board]["fs_off"]
    vb("fs", img, "mkdir", "data", "data/A Deeper Directory")
    want = {}
    for i, size in enumerate(SIZES):
        name = "file %02d with a long name.bin" % i if i % 2 else "f%d.bin" % i
        h = host_files(name, size)
        dest = "data/A Deeper Directory/" if i % 3 == 0 else "data/"
        vb("fs", img, "cp", h, ":" + dest)
        want[dest + name] = h.read_bytes()
    for path, content in want.items():
        got = vb("fs", img, "cat", path).out
        assert sha(got) == sha(content), "vboard cat %s: %d bytes, expected %d" % (path, len(got), len(content))
        m = mtools_read(img, off, path, tmp_path)
        assert sha(m) == sha(content), "mcopy %s: %d bytes, expected %d" % (path, len(m), len(content))
    paths = mtools_tree(img, off)
    for path in want:
        assert path in paths, "mdir does not list %s; it lists %s" % (path, sorted(paths))
    assert "data/A Deeper Directory/" in paths, sorted(paths)
    fsck_board(img, board, tmp_path)


@pytest.mark.parametrize("board", BOARDS)
def test_cp_from_board_to_host(board, image, host_files, tmp_path):
    img = image(board)
    h = host_files("blob.bin", 123457)
    vb("fs", img, "cp", h, ":blob.bin")
    out = tmp_path / "out.bin"
    vb("fs", img, "cp", ":blob.bin", out)
    assert out.read_bytes() == h.read_bytes()
    outdir = tmp_path / "outdir"
    outdir.mkdir()
    vb("fs", img, "cp", ":blob.bin", ":boot.py", str(outdir) + "/")
    assert (outdir / "blob.bin").read_bytes() == h.read_bytes()
    assert (outdir / "boot.py").read_bytes() == vb("fs", img, "cat", "boot.py").out
    fsck_board(img, board, tmp_path)


@pytest.mark.parametrize("board", BOARDS)
def test_cp_r_recurses_both_ways(board, image, tmp_path):
    """Fails if -r copied only the top level."""
    img = image(board)
    src = tmp_path / "proj"
    deep = src / "pkg" / "sub pkg" / "deepest"
    deep.mkdir(parents=True)
    files = {
        "top.py": b"print('top')\n",
        "pkg/__init__.py": b"",
        "pkg/mod.py": os.urandom(5000),
        "pkg/sub pkg/Long Module Name.py": os.urandom(70000),
        "pkg/sub pkg/deepest/leaf.bin": os.urandom(9999),
    }
    for rel, content in files.items():
        (src / rel).write_bytes(content)
    vb("fs", img, "cp", "-r", src, ":")
    for rel, content in files.items():
        got = vb("fs", img, "cat", "proj/" + rel, rc=None)
        assert got.rc == 0 and got.out == content, "proj/%s not copied by cp -r\n%s" % (rel, got)
    assert "proj/pkg/sub pkg/deepest/" in mtools_tree(img, PROFILES[board]["fs_off"])
    back = tmp_path / "back"
    back.mkdir()
    vb("fs", img, "cp", "-r", ":proj", back)
    for rel, content in files.items():
        p = back / "proj" / rel
        assert p.exists() and p.read_bytes() == content, "%s not copied back by cp -r" % p
    fsck_board(img, board, tmp_path)


def test_cp_directory_without_r_fails(image, tmp_path):
    img = image("generic")
    d = tmp_path / "adir"
    d.mkdir()
    (d / "x").write_bytes(b"x")
    r = vb("fs", img, "cp", d, ":", rc=1)
    assert r.err, r
    assert "adir/" not in vb("fs", img, "ls").text.splitlines()
    fsck_board(img, "generic", tmp_path)


def test_cp_needs_a_board_side(image, tmp_path):
    img = image("generic")
    (tmp_path / "a").write_bytes(b"a")
    vb("fs", img, "cp", tmp_path / "a", tmp_path / "b", rc=2)


@pytest.mark.parametrize("board", BOARDS)
def test_ls_tree_cat(board, image, tmp_path):
    img = image(board)
    vb("fs", img, "mkdir", "lib2", "lib2/inner")
    (tmp_path / "a.txt").write_bytes(b"hello\n")
    (tmp_path / "B Long.txt").write_bytes(b"world\n")
    vb("fs", img, "cp", tmp_path / "a.txt", tmp_path / "B Long.txt", ":lib2/inner/")
    ls = vb("fs", img, "ls", "lib2").text.splitlines()
    assert ls == ["inner/"], ls
    ls = vb("fs", img, "ls", ":lib2/inner").text.splitlines()
    assert sorted(ls) == ["B Long.txt", "a.txt"], ls
    root = vb("fs", img, "ls").text.splitlines()
    assert "lib2/" in root, root
    lsl = vb("fs", img, "ls", "-l", "lib2/inner").text
    assert re.search(r"\b6\b.*a\.txt", lsl) and re.search(r"\b6\b.*B Long\.txt", lsl), lsl
    tree = vb("fs", img, "tree").text
    for name in ("lib2", "inner", "a.txt", "B Long.txt"):
        assert name in tree, tree
    cat = vb("fs", img, "cat", "lib2/inner/a.txt", "lib2/inner/B Long.txt").out
    assert cat == b"hello\nworld\n", cat
    r = vb("fs", img, "cat", "lib2/inner/missing.txt", rc=1)
    assert "ENOENT" in r.errtext, r
    r = vb("fs", img, "ls", "nodir", rc=1)
    assert "ENOENT" in r.errtext, r
    fsck_board(img, board, tmp_path)


@pytest.mark.parametrize("board", BOARDS)
def test_mkdir_rmdir_rm_mv_and_their_errors(board, image, tmp_path):
    img = image(board)
    vb("fs", img, "mkdir", "d1", "d1/d2")
    r = vb("fs", img, "mkdir", "d1", rc=1)
    assert "EEXIST" in r.errtext, r
    r = vb("fs", img, "mkdir", "nope/x", rc=1)
    assert "ENOENT" in r.errtext, r
    (tmp_path / "f").write_bytes(b"0123456789" * 500)
    vb("fs", img, "cp", tmp_path / "f", ":d1/d2/file.bin")
    r = vb("fs", img, "rmdir", "d1", rc=1)
    assert "EACCES" in r.errtext, "rmdir of a non-empty directory is EACCES on FAT\n%s" % r
    r = vb("fs", img, "rmdir", "d1/d2/file.bin", rc=1)
    assert "ENOTDIR" in r.errtext, r
    r = vb("fs", img, "rm", "d1", rc=1)
    assert "EISDIR" in r.errtext, r
    r = vb("fs", img, "rm", "d1/none", rc=1)
    assert "ENOENT" in r.errtext, r
    # mv: rename, move into a directory, onto an existing file
    vb("fs", img, "mv", "d1/d2/file.bin", "d1/renamed.bin")
    vb("fs", img, "mkdir", "target")
    vb("fs", img, "mv", "d1/renamed.bin", "target")
    assert vb("fs", img, "ls", "target").text.split() == ["renamed.bin"]
    (tmp_path / "g").write_bytes(b"other")
    vb("fs", img, "cp", tmp_path / "g", ":other.bin")
    vb("fs", img, "mv", "other.bin", "target/renamed.bin")
    assert vb("fs", img, "cat", "target/renamed.bin").out == b"other"
    assert "other.bin" not in vb("fs", img, "ls").text.split()
    vb("fs", img, "mv", "d1", "target/moved dir")   # a directory across directories: ".." updated
    assert vb("fs", img, "ls", "target/moved dir").text.split() == ["d2/"]
    fsck_board(img, board, tmp_path)
    vb("fs", img, "rmdir", "target/moved dir/d2")
    vb("fs", img, "rm", "-r", "target")
    assert "target/" not in vb("fs", img, "ls").text.splitlines()
    fsck_board(img, board, tmp_path)
    r = vb("fs", img, "mv", "missing", "x", rc=1)
    assert "ENOENT" in r.errtext, r


@pytest.mark.parametrize("board", BOARDS)
def test_df_follows_usage(board, image, tmp_path):
    img = image(board)
    off = PROFILES[board]["fs_off"]

    def numbers(text):
        return [int(x) for x in re.findall(r"\d+", text)]

    def mtools_free():
        r = mtools("mdir", "-i", mimg(img, off), "::/")
        m = re.search(r"([\d ]+) bytes free", r.text)
        assert m, r
        return int(m.group(1).replace(" ", ""))

    before = vb("fs", img, "df").text
    assert mtools_free() in numbers(before), "df does not show mtools' free bytes %d:\n%s" % (mtools_free(), before)
    (tmp_path / "big").write_bytes(os.urandom(200 * 1024))
    vb("fs", img, "cp", tmp_path / "big", ":big.bin")
    after = vb("fs", img, "df").text
    assert mtools_free() in numbers(after), "df does not show mtools' free bytes %d:\n%s" % (mtools_free(), after)
    assert before != after
    fsck_board(img, board, tmp_path)


@pytest.mark.parametrize("board", BOARDS)
def test_full_volume_reports_enospc_and_stays_clean(board, image, tmp_path):
    img = image(board)
    big = tmp_path / "huge.bin"
    big.write_bytes(os.urandom(PROFILES[board]["fs_size"] + 100000))
    r = vb("fs", img, "cp", big, ":huge.bin", rc=1)
    assert "ENOSPC" in r.errtext, r
    fsck_board(img, board, tmp_path)
    # the volume is still usable
    vb("fs", img, "rm", "huge.bin", rc=None)
    (tmp_path / "small").write_bytes(b"still works")
    vb("fs", img, "cp", tmp_path / "small", ":small.txt")
    assert vb("fs", img, "cat", "small.txt").out == b"still works"
    fsck_board(img, board, tmp_path)


def test_names_as_a_pc_sees_them(image, tmp_path):
    """Long names, mixed case and 8.3 names written by vboard, read by mtools (flash.md §4.4)."""
    img = image("pycom")
    off = PROFILES["pycom"]["fs_off"]
    names = ["config.json", "A Long File Name module.py", "Boot2.py", "lower.txt", "UPPER.TXT",
             "many.dots.in.name.txt", "x" * 200 + ".py", "spaces in  name .txt".rstrip()]
    for n in names:
        (tmp_path / "src").write_bytes(n.encode())
        vb("fs", img, "cp", tmp_path / "src", ":" + n)
    listed = set(vb("fs", img, "ls").text.splitlines())
    paths = mtools_tree(img, off)
    for n in names:
        assert n in listed, "vboard ls lacks %r: %s" % (n, sorted(listed))
        assert n in paths, "mdir lacks %r: %s" % (n, sorted(paths))
        assert mtools_read(img, off, n, tmp_path) == n.encode()
    # 8.3 aliases as flash.md §4.4 spells them
    r = mtools("mdir", "-i", mimg(img, off), "::/")
    for base, ext, long_name in (("CONFIG~1", "JSO", "config.json"), ("ALONGF~1", "PY", "A Long File Name module.py")):
        assert re.search(r"^%s\s+%s\s.*\s%s$" % (re.escape(base), ext, re.escape(long_name)), r.text, re.M | re.I), \
            "alias %s.%s of %r missing from mdir:\n%s" % (base, ext, long_name, r.text)
    fsck_board(img, "pycom", tmp_path)


def test_usage_errors(image, tmp_path):
    img = image("generic")
    vb("fs", img, "frobnicate", rc=2)
    vb("fs", img, "cat", rc=2)
    vb("fs", img, "cp", ":boot.py", rc=2)
    vb("nosuchcommand", rc=2)
    before = read(img)
    vb("fs", img, "mv", "boot.py", rc=2)
    assert read(img) == before
