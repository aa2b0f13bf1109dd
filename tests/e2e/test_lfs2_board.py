"""The esp32 and rp2 boards on littlefs, end to end over a real pty (issue 12
§2 and §4): power cuts during a rewrite leave the old or the new file,
never a broken one; MicroPython's mtime is what os.stat reports; the
prog sizes are the ports' own."""
import functools
import gzip
import pathlib
import shutil

import pytest

import boardlib
from boardlib import BANNER, Board

BOOTED = b'Type "help()" for more information.\r\n>>> '
from conftest import VBOARD, run

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "lfs2"
OLD = "a" * 20000
NEW = "b" * 30000


# a 10 s deadline for each line (first commands after a boot)
repl = functools.partial(boardlib.repl, timeout=10)


def rewrite_session(tmp_path, flash, extra=()):
    """Boot `flash`, note the flash op count, rewrite data.txt with NEW."""
    b = Board(tmp_path, flash=str(flash), extra=list(extra))
    b.expect(BANNER, timeout=10)
    ops = b.ctl("status")["flash_ops"]
    b.send(("f = open('data.txt', 'w'); f.write(%r * %d); f.close()\r"
            % (NEW[0], len(NEW))).encode())
    return b, ops


def test_power_cut_anywhere_in_a_rewrite_leaves_old_or_new(tmp_path):
    base = tmp_path / "base.bin"
    b = Board(tmp_path, flash=str(base))
    b.expect_exact(BANNER, timeout=10)
    repl(b, "f = open('data.txt', 'w'); f.write(%r * %d); f.close()" % (OLD[0], len(OLD)))
    assert b.quit() == 0

    # where the rewrite's flash operations are, measured on an uncut run
    ref = tmp_path / "ref.bin"
    shutil.copy(base, ref)
    b, start = rewrite_session(tmp_path, ref)
    b.expect(b">>> ")
    end = b.ctl("status")["flash_ops"]
    assert repl(b, "d = open('data.txt').read(); print(len(d), set(d))") == "30000 {'b'}\r\n"
    b.quit()
    assert end - start > 10, (start, end)

    # the cut operation torn after a prefix: every 4th operation of the data
    # writes, every one of the last 40 (the metadata commits); and torn with
    # random bits programmed at every 6th (test_lfs2_powercut.c sweeps
    # every operation of every kind in the library itself)
    ops = set(range(start + 1, end + 1, 4)) | set(range(max(start + 1, end - 39), end + 1))
    cuts = [(n, "torn-prefix") for n in sorted(ops)]
    cuts += [(n, "torn-bits") for n in range(start + 1, end + 1, 6)]
    seen = set()
    for cut, mode in cuts:
        img = tmp_path / ("cut-%s-%d.bin" % (mode, cut))   # (never a file still locked)
        shutil.copy(base, img)
        b, ops = rewrite_session(tmp_path, img, ["--power-cut-at", str(cut), "--power-cut-mode", mode])
        try:
            assert ops == start                     # the same operations, in order
            b.expect(BANNER, timeout=15)            # power came back: a fresh boot
            got = repl(b, "d = open('data.txt').read(); print(len(d), set(d))")
        finally:
            b.quit()
        length, chars = got.split(" ", 1)
        assert (length, chars) in {(str(len(OLD)), "{'a'}\r\n"), (str(len(NEW)), "{'b'}\r\n")}, \
            "cut (%s) at op %d of %d..%d left %r" % (mode, cut, start, end, got)
        seen.add(int(length))
        r = run([VBOARD, "image", "check", img])
        assert r.rc == 0, r
    # littlefs: the new content appears with the rewrite's last operation,
    # its closing commit; a cut at any operation before leaves the old file
    assert seen == {len(OLD)}


def test_mtime_is_set_on_write_and_kept_on_read(tmp_path):
    b = Board(tmp_path)
    try:
        b.expect_exact(BANNER, timeout=10)
        repl(b, "import machine, os, time")
        # 2024-05-06 07:08:09 on the board's clock (2000 epoch)
        repl(b, "machine.RTC().datetime((2024, 5, 6, 0, 7, 8, 9, 0))")
        repl(b, "f = open('t.txt', 'w'); f.write('x'); f.close()")
        st = repl(b, "s = os.stat('t.txt'); print(s[6], s[7] == s[8] == s[9], time.localtime(s[8])[:6])")
        assert st == "1 True (2024, 5, 6, 7, 8, 9)\r\n", st
        repl(b, "machine.RTC().datetime((2025, 1, 1, 0, 0, 0, 0, 0))")
        repl(b, "open('t.txt').read()")                # reading keeps the stamp
        assert repl(b, "print(time.localtime(os.stat('t.txt')[8])[:3])") == "(2024, 5, 6)\r\n"
        repl(b, "f = open('t.txt', 'a'); f.write('y'); f.close()")
        assert repl(b, "print(time.localtime(os.stat('t.txt')[8])[:3])") == "(2025, 1, 1)\r\n"
    finally:
        b.quit()


WALK = (b"\x05import os, hashlib, binascii\r"
        b"def walk(p):\r"
        b" for n, t, *_ in sorted(os.ilistdir(p)):\r"
        b"  q = p.rstrip('/') + '/' + n\r"
        b"  if t == 0x4000:\r"
        b"   print('dir ', q); walk(q)\r"
        b"  else:\r"
        b"   d = open(q, 'rb').read()\r"
        b"   print('file', q, len(d), binascii.hexlify(hashlib.sha256(d).digest()).decode())\r"
        b"print(os.statvfs('/'))\r"
        b"walk('/')\r\x04")


def manifest(name):
    lines = open(FIXTURES / (name + ".manifest")).read().splitlines()
    statvfs = lines[0].split("statvfs ", 1)[1]
    return statvfs, sorted(" ".join(l.split()) for l in lines[1:] if l.strip())


@pytest.mark.parametrize("board, fixture, fs_off", [("generic", "esp32-tree.lfs2", 0x200000),
                                                    ("rp2", "rp2-tree.lfs2", 0xA0000)])
def test_micropython_written_volume_boots_reads_exactly_and_takes_writes(tmp_path, board, fixture,
                                                                         fs_off):
    flash = tmp_path / "f.bin"
    b = Board(tmp_path, board=board, flash=str(flash))   # first boot lays out the flash
    b.expect(BOOTED, timeout=10)
    b.quit()
    with gzip.open(FIXTURES / (fixture + ".gz")) as f:
        vol = f.read()
    with open(flash, "r+b") as f:
        f.seek(fs_off)
        f.write(vol)
    want_statvfs, want_files = manifest(fixture)
    # WALK reads each file whole, the largest bigger than a board's heap
    b = Board(tmp_path, board=board, flash=str(flash), extra=("--heap", "1M"))
    try:
        b.expect(BOOTED, timeout=10)
        b.send(WALK)
        got = b.expect(b"\r\n>>> ", timeout=30).decode()
        lines = [l for l in got.split("\r\n") if l.startswith(("dir ", "file", "("))]
        assert lines[0] == want_statvfs, lines[0]
        assert sorted(" ".join(l.split()) for l in lines[1:]) == want_files
        # and it keeps working: a new file, an append to an old one
        repl(b, "f = open('/new.txt', 'w'); f.write('n' * 5000); f.close()")
        repl(b, "f = open('/boot.py', 'a'); f.write('# more\\n'); f.close()")
        assert repl(b, "print(len(open('/new.txt').read()), open('/boot.py').read()[-7:])") \
            == "5000 # more\r\n\r\n"
    finally:
        b.quit()
    r = run([VBOARD, "image", "check", flash])
    assert r.rc == 0, r


def test_an_old_fat_image_on_the_esp32_layout_still_boots_and_stays_fat(tmp_path):
    from esp32fat import make_esp32_fat
    img = make_esp32_fat(tmp_path / "old.bin")
    b = Board(tmp_path, flash=str(img))
    try:
        got = b.expect(BANNER, timeout=10)
        assert b"Performing initial setup" not in got, got      # mounted, not formatted
        repl(b, "import os")
        # FAT's numbers (506 clusters of 4 KiB), not littlefs's
        assert repl(b, "print(os.statvfs('/')[:3], os.listdir())") == "(4096, 4096, 506) ['boot.py']\r\n"
        repl(b, "f = open('kept.txt', 'w'); f.write('on FAT'); f.close()")
    finally:
        b.quit()
    with open(img, "rb") as f:
        f.seek(0x200000)
        assert f.read(16)[8:16] != b"littlefs"
    assert run([VBOARD, "fs", img, "cat", "kept.txt"]).text == "on FAT"
    r = run([VBOARD, "image", "check", img])
    assert r.rc == 0, r
