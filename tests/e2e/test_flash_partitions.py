"""The board's own flash as block devices (issue 12 §3) on the real binary:
esp32.Partition over the esp32 board's partition table and rp2.Flash over
the Pico's filesystem region, as MicroPython v1.24 has them. What they read
is what the image file holds; what they write lands where the table says,
through the flash model (numbered ops, power cuts), and nowhere else; every
out-of-range access fails with the port's error before touching the chip.

Which flash the write tests use:
- esp32: the "nvs" data partition (0x9000, 24 KiB). Nothing on the board
  reads it (vboard has no NVS, Wi-Fi or PHY calibration), it is not the
  filesystem, and the test shows afterwards that no byte outside it changed
  and the littlefs volume still checks clean. The vfs partition is only read.
- rp2: the region is the filesystem and there is nothing else. The round
  trip uses the region's last block and puts its bytes back (nothing else
  writes while it runs); the volume checks clean afterwards and the block
  is byte-identical to before."""
import re

import pytest

from boardlib import BANNER, Board
from conftest import VBOARD, run

ESP32_VFS = (1, 129, 0x200000, 0x200000, "vfs", False)
NVS_OFF, NVS_SIZE = 0x9000, 0x6000
RP2_FS_OFF, RP2_FS_SIZE = 0xA0000, 1408 * 1024
RP2_BANNER = (b'MicroPython v1.24.1 on 2024-11-29; Raspberry Pi Pico with RP2040\r\n'
              b'Type "help()" for more information.\r\n>>> ')


def ask(b, line, timeout=5):
    """One line at the friendly prompt: what it printed (no echo, no prompt)."""
    b.send(line.encode() + b"\r")
    got = b.expect(b">>> ", timeout)
    echo = line.encode() + b"\r\n"
    assert got.startswith(echo), got
    return got[len(echo):-len(b">>> ")].decode()


def error_of(b, line):
    """The last line of the report a failing statement prints."""
    out = ask(b, line)
    assert out.startswith("Traceback (most recent call last):\r\n"), out
    return out.splitlines()[-1]


def raw(b, code, timeout=10):
    """Run code in the raw REPL; its output (an error fails the test)."""
    b.raw_enter()
    out, err = b.raw_exec(code.encode(), timeout)
    b.send(b"\x02")
    b.expect(b">>> ")
    assert err == b"", err
    return out.decode()


def image(path, off, n):
    with open(path, "rb") as f:
        f.seek(off)
        return f.read(n)


def check_clean(flash):
    r = run([VBOARD, "image", "check", flash])
    assert r.rc == 0, r.text + r.errtext


@pytest.fixture
def esp(tmp_path):
    b = Board(tmp_path, board="generic")
    b.expect_exact(BANNER, timeout=10)
    yield b
    b.quit()


@pytest.fixture
def pico(tmp_path):
    b = Board(tmp_path, board="rp2")
    b.expect_exact(RP2_BANNER, timeout=10)
    yield b
    b.quit()


# ---- esp32 ------------------------------------------------------------------------

def test_esp32_partitions_are_the_board_layout(esp):
    assert ask(esp, "import esp32; P = esp32.Partition") == ""
    assert ask(esp, "P.find(esp32.Partition.TYPE_DATA, label='vfs')[0].info()") == repr(ESP32_VFS) + "\r\n"
    assert ask(esp, "P.BOOT, P.RUNNING, P.TYPE_APP, P.TYPE_DATA") == "(0, 1, 0, 1)\r\n"
    assert ask(esp, "P.find()") == (
        "[<Partition type=0, subtype=0, address=65536, size=2031616, label=factory, encrypted=0>]\r\n")
    assert ask(esp, "[p.info() for p in P.find(P.TYPE_DATA)]") == (
        "[(1, 2, 36864, 24576, 'nvs', False), (1, 1, 61440, 4096, 'phy_init', False), "
        "(1, 129, 2097152, 2097152, 'vfs', False)]\r\n")
    assert ask(esp, "P('vfs')") == (
        "<Partition type=1, subtype=129, address=2097152, size=2097152, label=vfs, encrypted=0>\r\n")
    # the app that runs is the factory app
    assert ask(esp, "P(P.RUNNING).info()") == "(0, 0, 65536, 2031616, 'factory', False)\r\n"


def test_esp32_vfs_block_0_is_the_littlefs_superblock_on_the_chip(esp):
    out = raw(esp, "import esp32\nv = esp32.Partition.find(esp32.Partition.TYPE_DATA, label='vfs')[0]\n"
                   "b = bytearray(4096)\nv.readblocks(0, b)\nprint(bytes(b[8:16]))\n"
                   "print(v.ioctl(4, 0), v.ioctl(5, 0))\nprint(b.hex())\n"
                   "s = bytearray(8)\nv.readblocks(0, s, 8)\nprint(s)\n")
    lines = out.split("\r\n")
    assert lines[0] == "b'littlefs'", out
    assert lines[1] == "512 4096", out
    assert lines[3] == "bytearray(b'littlefs')", out
    esp.quit()
    assert bytes.fromhex(lines[2]) == image(esp.flash, 0x200000, 4096)


def test_esp32_nvs_round_trip_changes_nvs_only(esp, tmp_path):
    esp.quit()                                      # the first boot formatted the volume
    before = image(esp.flash, 0, 0x400000)
    b = Board(tmp_path, board="generic", flash=esp.flash)
    try:
        b.expect_exact(BANNER, timeout=10)
        out = raw(b, "import esp32\nn = esp32.Partition('nvs')\nprint(n.ioctl(4, 0), n.ioctl(5, 0))\n"
                     "n.writeblocks(2, bytes(range(256)) * 16)\n"          # erase + program block 2
                     "r = bytearray(4096)\nn.readblocks(2, r)\nprint(r == bytes(range(256)) * 16)\n"
                     "print(n.ioctl(6, 3), n.ioctl(1, 0), n.ioctl(2, 0), n.ioctl(3, 0))\n"
                     "n.writeblocks(3, b'vboard', 100)\n"                   # program into the erased block
                     "t = bytearray(8)\nn.readblocks(3, t, 99)\nprint(t)\n"
                     "try:\n    n.writeblocks(5, b'Z' * 8192)\n"          # runs past the end
                     "except OSError as e:\n    print(e.args)\n")
        assert out == ("6 4096\r\nTrue\r\n0 0 0 0\r\nbytearray(b'\\xffvboard\\xff')\r\n"
                       "(-260, 'ESP_ERR_INVALID_SIZE')\r\n"), out
    finally:
        b.quit()
    after = image(esp.flash, 0, 0x400000)
    changed = [i for i in range(0, len(after), 4096) if after[i:i + 4096] != before[i:i + 4096]]
    assert changed == [NVS_OFF + 2 * 4096, NVS_OFF + 3 * 4096], [hex(c) for c in changed]
    assert after[NVS_OFF + 2 * 4096:NVS_OFF + 3 * 4096] == bytes(range(256)) * 16
    blk3 = after[NVS_OFF + 3 * 4096:NVS_OFF + 4 * 4096]
    assert blk3 == b"\xff" * 100 + b"vboard" + b"\xff" * 3990
    check_clean(esp.flash)


def test_esp32_errors_are_esp_idf_codes(esp):
    assert ask(esp, "import esp32; n = esp32.Partition('nvs'); b = bytearray(4096)") == ""
    # a read that runs past the end, one that starts past it, a simple write
    # of a length that is not whole erase blocks, an erase past the end
    assert error_of(esp, "n.readblocks(6, b)") == "OSError: (-260, 'ESP_ERR_INVALID_SIZE')"
    assert error_of(esp, "n.readblocks(7, b)") == "OSError: (-258, 'ESP_ERR_INVALID_ARG')"
    assert error_of(esp, "n.readblocks(-1, b)") == "OSError: (-258, 'ESP_ERR_INVALID_ARG')"
    assert error_of(esp, "n.readblocks(5, b, 1)") == "OSError: (-260, 'ESP_ERR_INVALID_SIZE')"
    assert error_of(esp, "n.writeblocks(0, bytearray(100))") == "OSError: (-260, 'ESP_ERR_INVALID_SIZE')"
    assert error_of(esp, "n.ioctl(6, 6)") == "OSError: (-260, 'ESP_ERR_INVALID_SIZE')"
    assert raw(esp, "import esp32\ntry:\n    esp32.Partition('nvs').readblocks(6, bytearray(4096))\n"
                    "except OSError as e:\n    print(e.errno, e.args)\n") == \
        "-260 (-260, 'ESP_ERR_INVALID_SIZE')\r\n"
    assert error_of(esp, "n.readblocks(0, b'abc')") == "TypeError: object with buffer protocol required"
    assert error_of(esp, "esp32.Partition('nope')") == "OSError: [Errno 2] ENOENT"
    # ESP32_GENERIC has no otadata partition: ESP-IDF's answers
    assert error_of(esp, "esp32.Partition(esp32.Partition.BOOT)") == "OSError: [Errno 2] ENOENT"
    assert error_of(esp, "esp32.Partition(esp32.Partition.RUNNING).set_boot()") == \
        "OSError: (-261, 'ESP_ERR_NOT_FOUND')"
    assert error_of(esp, "esp32.Partition(esp32.Partition.RUNNING).get_next_update()") == \
        "OSError: [Errno 2] ENOENT"
    assert error_of(esp, "esp32.Partition.mark_app_valid_cancel_rollback()") == \
        "OSError: (-261, 'ESP_ERR_NOT_FOUND')"
    # nothing of that reached the flash
    esp.quit()
    assert image(esp.flash, NVS_OFF, NVS_SIZE) == b"\xff" * NVS_SIZE


def test_esp32_partition_writes_are_numbered_flash_ops(tmp_path):
    """A power cut armed at the second op of writeblocks (its erase is the
    first, then one op per 256-byte page) leaves exactly the first page."""
    code = b"import esp32; esp32.Partition('nvs').writeblocks(0, b'A' * 4096)\r"

    def session(flash, extra=()):
        b = Board(tmp_path, board="generic", flash=str(tmp_path / flash), extra=list(extra))
        b.expect_exact(BANNER, timeout=10)
        ops = b.ctl("status")["flash_ops"]
        b.send(code)
        return b, ops

    b, ops = session("ref.bin")
    b.expect(b">>> ")
    assert b.ctl("status")["flash_ops"] == ops + 1 + 16
    b.quit()
    assert image(b.flash, NVS_OFF, 4096) == b"A" * 4096
    b, ops2 = session("cut.bin", ["--power-cut-at", str(ops + 2), "--power-cut-mode", "whole"])
    try:
        assert ops2 == ops
        b.expect(BANNER, timeout=10)                # power came back: a fresh boot
        assert b.ctl("status")["boot_count"] == 2
    finally:
        b.quit()
    assert image(b.flash, NVS_OFF, 4096) == b"A" * 256 + b"\xff" * 3840


# ---- rp2 -----------------------------------------------------------------------------

def test_rp2_flash_is_the_filesystem_region(pico):
    assert ask(pico, "import rp2; f = rp2.Flash()") == ""
    assert ask(pico, "f.ioctl(4, 0), f.ioctl(5, 0), f.ioctl(1, 0), f.ioctl(3, 0), f is rp2.Flash()") == \
        "(352, 4096, 0, 0, True)\r\n"
    out = raw(pico, "import rp2\nb = bytearray(4096)\nrp2.Flash().readblocks(0, b)\n"
                    "print(bytes(b[8:16]))\nprint(b.hex())\n")
    magic, dump = out.split("\r\n")[:2]
    assert magic == "b'littlefs'", out
    pico.quit()
    assert bytes.fromhex(dump) == image(pico.flash, RP2_FS_OFF, 4096)


def test_rp2_flash_round_trip_on_the_last_block_restores_it(pico, tmp_path):
    pico.quit()                                     # the first boot formatted the volume
    before = image(pico.flash, 0, 2 * 1024 * 1024)
    b = Board(tmp_path, board="rp2", flash=pico.flash)
    try:
        b.expect_exact(RP2_BANNER, timeout=10)
        out = raw(b, "import rp2\nf = rp2.Flash()\nkeep = bytearray(4096)\nf.readblocks(351, keep)\n"
                     "f.writeblocks(351, b'R' * 4096)\nr = bytearray(4096)\nf.readblocks(351, r)\n"
                     "print(r == b'R' * 4096)\n"
                     "f.ioctl(6, 351)\nf.writeblocks(351, b'ok', 4094)\ns = bytearray(4)\n"
                     "f.readblocks(351, s, 4092)\nprint(s)\n"
                     "g = rp2.Flash(start=351 * 4096)\nprint(g.ioctl(4, 0))\n"
                     "g.writeblocks(0, keep)\nf.readblocks(351, r)\nprint(r == keep)\n")
        assert out == "True\r\nbytearray(b'\\xff\\xffok')\r\n1\r\nTrue\r\n", out
    finally:
        b.quit()
    assert image(b.flash, 0, 2 * 1024 * 1024) == before
    check_clean(b.flash)


def test_rp2_flash_errors(pico):
    assert ask(pico, "import rp2; f = rp2.Flash(); b = bytearray(4096)") == ""
    # upstream checks no range (it reads and writes wherever the address
    # falls); the board refuses anything outside the region with EINVAL
    assert error_of(pico, "f.readblocks(352, b)") == "OSError: [Errno 22] EINVAL"
    assert error_of(pico, "f.readblocks(351, b, 1)") == "OSError: [Errno 22] EINVAL"
    assert error_of(pico, "f.writeblocks(0, bytearray(100))") == "OSError: [Errno 22] EINVAL"
    assert error_of(pico, "f.ioctl(6, 352)") == "OSError: [Errno 22] EINVAL"
    assert error_of(pico, "f.readblocks(0, 'x')") == "TypeError: object with buffer protocol required"
    # the window arguments: keyword only, whole blocks inside the region
    assert error_of(pico, "rp2.Flash(start=1)") == "ValueError: "
    assert error_of(pico, "rp2.Flash(start=4096, len=1408 * 1024)") == "ValueError: "
    assert error_of(pico, "rp2.Flash(4096)") == \
        "TypeError: function takes 0 positional arguments but 1 were given"
    assert ask(pico, "rp2.Flash(start=4096, len=8192).ioctl(4, 0)") == "2\r\n"


def test_rp2_flash_repr_names_its_address(tmp_path):
    b = Board(tmp_path, board="rp2")
    try:
        b.expect(b">>> ", timeout=20)
        out = ask(b, "import rp2; repr(rp2.Flash())")
        assert re.fullmatch(r"'<Flash object at [0-9a-f]+>'\r\n", out), out
    finally:
        b.quit()
