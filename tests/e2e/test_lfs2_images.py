"""`vboard image check` on littlefs v2 regions (issue 12): images written
by MicroPython itself (tests/fixtures/lfs2) put at a board's filesystem
offset check clean with their manifest's counts; a damaged one does not."""
import gzip
import os

import pytest

from conftest import ROOT, vb

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "lfs2")
# board, fixture, filesystem offset (flash.md §1)
CASES = [("esp32", "esp32-tree", 0x200000), ("rp2", "rp2-tree", 0xA0000),
         ("esp32", "esp32-first-boot", 0x200000)]


def fixture_image(name):
    with gzip.open(os.path.join(FIXTURES, name + ".lfs2.gz")) as f:
        return f.read()


def manifest_counts(name):
    files = dirs = 0
    with open(os.path.join(FIXTURES, name + ".lfs2.manifest")) as f:
        for line in f:
            files += line.startswith("file ")
            dirs += line.startswith("dir ")
    return files, dirs


def board_image(tmp_path, board, name, off):
    img = tmp_path / ("%s.bin" % board)
    vb("image", "create", "--board", board, img)
    data = fixture_image(name)
    with open(img, "r+b") as f:
        f.seek(off)
        f.write(data)
    return img


@pytest.mark.parametrize("board,name,off", CASES)
def test_micropython_images_check_clean(tmp_path, board, name, off):
    img = board_image(tmp_path, board, name, off)
    r = vb("image", "check", img)
    files, dirs = manifest_counts(name)
    assert r.text.startswith("clean: littlefs v2.1, %d files, %d dirs, " % (files, dirs)), r


def test_a_damaged_image_is_reported(tmp_path):
    img = board_image(tmp_path, "esp32", "esp32-tree", 0x200000)
    data = bytearray(fixture_image("esp32-tree"))
    # the root pair's newer block: corrupt its first commit after the revision
    with open(img, "r+b") as f:
        for block in (0, 1):
            f.seek(0x200000 + block * 4096 + 40)
            f.write(bytes(b ^ 0xFF for b in data[block * 4096 + 40:block * 4096 + 72]))
    r = vb("image", "check", img, rc=None)
    assert r.rc != 0, r
    assert "clean" not in r.text, r
    assert "names littlefs but holds no valid superblock" in r.errtext, r


def test_image_info_tells_the_littlefs_volume(tmp_path):
    img = board_image(tmp_path, "esp32", "esp32-tree", 0x200000)
    r = vb("image", "info", img)
    files, dirs = manifest_counts("esp32-tree")
    assert "fs: littlefs v2.1 at 0x200000, 2097152 bytes, block 4096, blocks 512, name_max 255\n" in r.text, r
    assert "(%d files, %d dirs)\n" % (files, dirs) in r.text, r
    assert "no FAT filesystem" not in r.text, r
