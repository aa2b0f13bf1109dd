"""Images made by mkfs.fat + mtools, read and then written by vboard (flash.md §3, §5).

Each volume goes into a whole-flash image: 4 MiB/512 and the smaller
512-byte-sector volumes into the pycom FS region (a volume smaller than the
region mounts: the BPB gives its size), 2 MiB/4096 into the generic one.
"""
import os
import struct

import pytest

from conftest import (PROFILES, embed, fsck_clean, mkfs_fat, mtools, mtools_read, mtools_tree, read, sha, vb,
                      volume_bytes)

# name, KiB, sector size, sectors per cluster, FATs, board
GEOMETRIES = [
    ("1M-512", 1024, 512, 1, 1, "pycom"),
    ("2M-512", 2048, 512, 2, 1, "pycom"),
    ("4M-512", 4096, 512, 4, 1, "pycom"),
    ("2M-4096", 2048, 4096, 1, 1, "generic"),
    ("4M-512-2fats", 4096, 512, 4, 2, "pycom"),
]


def mtools_volume(tmp_path, kib, ss, spc, fats):
    """A populated volume: long and 8.3 names, subdirectories, a 150 KB file, E5 holes."""
    vol = tmp_path / "vol.img"
    mkfs_fat(vol, kib, ss, spc, fats)
    i = str(vol)
    mtools("mmd", "-i", i, "::/lib", "::/lib/deep dir", "::/empty")
    content = {}

    def put(path, data):
        src = tmp_path / "src.bin"
        src.write_bytes(data)
        mtools("mcopy", "-i", i, src, "::/" + path)
        content[path] = data

    put("boot.py", b"# boot\n")
    put("lower.txt", b"lower-case 8.3 name\n")
    put("A Long File Name module.py", os.urandom(3000))
    put("lib/deep dir/big.bin", os.urandom(150 * 1024))
    put("lib/Mixed.Case", os.urandom(777))
    for k in range(6):
        put("lib/deep dir/entry number %d.txt" % k, os.urandom(100 + k))
    # deletions leave E5 holes between live entries
    for k in (1, 3):
        mtools("mdel", "-i", i, "::/lib/deep dir/entry number %d.txt" % k)
        del content["lib/deep dir/entry number %d.txt" % k]
    mtools("mdel", "-i", i, "::/lower.txt")
    del content["lower.txt"]
    put("after delete.txt", b"written after the holes\n")
    return vol.read_bytes(), content


def board_tree(img):
    out = set()

    def walk(d):
        for name in vb("fs", img, "ls", "/" + d).text.splitlines():
            out.add(d + name)
            if name.endswith("/"):
                walk(d + name)
    walk("")
    return out


@pytest.mark.parametrize("name,kib,ss,spc,fats,board", GEOMETRIES, ids=[g[0] for g in GEOMETRIES])
def test_vboard_reads_and_writes_mtools_volume(name, kib, ss, spc, fats, board, image, tmp_path):
    volume, content = mtools_volume(tmp_path, kib, ss, spc, fats)
    img = image(board)
    embed(img, volume, board)
    off, region = PROFILES[board]["fs_off"], PROFILES[board]["fs_size"]

    # read: same tree, same bytes
    tree = board_tree(img)
    mt = mtools_tree(img, off)
    assert tree == mt, "vboard lists %s\nmtools lists %s" % (sorted(tree), sorted(mt))
    for path, data in content.items():
        got = vb("fs", img, "cat", path).out
        assert sha(got) == sha(data), "%s: vboard reads %d bytes, expected %d" % (path, len(got), len(data))

    # write: new long names into the holes, a big file, a directory, a move, a removal
    new = {"lib/deep dir/vboard long name written.txt": os.urandom(5000),
           "new dir/file in new dir.bin": os.urandom(120 * 1024),
           "x.py": b"print(1)\n"}
    vb("fs", img, "mkdir", "new dir")
    for path, data in new.items():
        src = tmp_path / "in.bin"
        src.write_bytes(data)
        vb("fs", img, "cp", src, ":" + path)
    vb("fs", img, "mv", "A Long File Name module.py", "lib/moved module.py")
    content["lib/moved module.py"] = content.pop("A Long File Name module.py")
    vb("fs", img, "rm", "lib/deep dir/big.bin")
    del content["lib/deep dir/big.bin"]
    vb("fs", img, "rmdir", "empty")
    content.update(new)

    fsck_clean(img, off, region, tmp_path, name)
    for path, data in content.items():
        got = mtools_read(img, off, path, tmp_path)
        assert sha(got) == sha(data), "%s: mtools reads %d bytes, expected %d" % (path, len(got), len(data))
    mt = mtools_tree(img, off)
    assert "empty/" not in mt and "lib/deep dir/big.bin" not in mt, sorted(mt)
    assert board_tree(img) == mt

    vol = volume_bytes(img, off, region)
    if fats == 2:
        fat_size = struct.unpack_from("<H", vol, 22)[0] * ss
        assert vol[ss:ss + fat_size] == vol[ss + fat_size:ss + 2 * fat_size], "the two FATs differ"
    # nothing beyond the volume inside the region was written
    tail = read(img, off + len(vol), region - len(vol))
    assert tail == b"\xFF" * len(tail), "vboard wrote past the volume's end"


def test_mtools_label_survives_vboard_writes(image, tmp_path):
    """A root label entry written by a PC stays, hidden from listings (flash.md §4.3)."""
    vol = tmp_path / "lab.img"
    mkfs_fat(vol, 4096, 512, 4)
    mtools("mlabel", "-i", str(vol), "::MYLABEL")
    img = image("pycom")
    embed(img, vol.read_bytes(), "pycom")
    assert vb("fs", img, "ls").text == "", "the label shows up in ls"
    for k in range(20):
        (tmp_path / "f").write_bytes(b"%d" % k)
        vb("fs", img, "cp", tmp_path / "f", ":file with a long name number %d.txt" % k)
    for k in range(0, 20, 2):
        vb("fs", img, "rm", "file with a long name number %d.txt" % k)
    r = mtools("mlabel", "-s", "-i", "%s@@0x%x" % (img, PROFILES["pycom"]["fs_off"]), "::")
    assert "MYLABEL" in r.text, r
    fsck_clean(img, PROFILES["pycom"]["fs_off"], PROFILES["pycom"]["fs_size"], tmp_path)
