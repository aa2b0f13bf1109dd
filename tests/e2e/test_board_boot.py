"""`vboard run` end to end over a real pty: first boot, the boot sequence,
soft and hard resets, the friendly and raw REPL bytes (boot.md, repl.md)."""
import os
import subprocess
import time

import pytest

from boardlib import BANNER, RAW_BANNER, Board
from conftest import VBOARD, PROFILES, run


@pytest.fixture
def board(tmp_path):
    b = Board(tmp_path)
    yield b
    b.quit()


def check_region(flash):
    """`vboard image check`: the littlefs metadata and every file's CTZ list
    (FAT images get fsck.fat's checks)."""
    r = run([VBOARD, "image", "check", flash])
    return r.rc, r.text + r.err.decode()


def test_first_boot_formats_and_shows_banner(board):
    # esp32 inisetup.py on an erased partition: the setup line, then the banner
    board.expect_exact(b"Performing initial setup\r\n" + BANNER, timeout=10)
    board.send(b"1+1\r")
    board.expect_exact(b"1+1\r\n2\r\n>>> ")
    board.send(b"import os\r")
    board.expect_exact(b"import os\r\n>>> ")
    board.send(b"os.listdir()\r")
    board.expect_exact(b"os.listdir()\r\n['boot.py']\r\n>>> ")
    assert board.quit() == 0
    rc, out = check_region(board.flash)
    assert rc == 0, out
    r = run([VBOARD, "fs", board.flash, "ls"])
    assert r.rc == 0 and r.text == "boot.py\n", r


INISETUP_BOOT_PY = (b"# This file is executed on every boot (including wake-boot from deepsleep)\n"
                    b"#import esp\n#esp.osdebug(None)\n#import webrepl\n#webrepl.start()\n")


def test_esp32_first_boot_is_littlefs_with_inisetup_boot_py_once(board):
    board.expect_exact(b"Performing initial setup\r\n" + BANNER, timeout=10)
    board.send(b"import os; print(os.statvfs('/')); print(repr(open('boot.py','rb').read()))\r")
    got = board.expect(b">>> ")
    # MicroPython's own first-boot volume reports this (fixtures/lfs2 manifest)
    assert b"(4096, 4096, 512, 509, 509, 0, 0, 0, 0, 255)\r\n" in got, got
    assert repr(INISETUP_BOOT_PY).encode() in got, got
    board.send(b"import machine; machine.reset()\r")
    got = board.expect(BANNER, timeout=10)
    assert b"Performing initial setup" not in got, got      # formatted once only
    assert board.quit() == 0
    with open(board.flash, "rb") as f:
        f.seek(0x200000)
        block0 = f.read(4096)
    assert block0[8:16] == b"littlefs", block0[:32]
    rc, out = check_region(board.flash)
    assert rc == 0, out


def test_soft_reset_by_ctrl_d_runs_boot_and_main(board):
    board.expect_exact(BANNER, timeout=10)
    board.send(b"f = open('main.py', 'w'); f.write('print(\"main ran\", x)\\n'); f.close()\r")
    board.expect(b">>> ")
    board.send(b"f = open('boot.py', 'w'); f.write('x = 42\\n'); f.close()\r")
    board.expect(b">>> ")
    board.send(b"\x04")
    board.expect_exact(b"\r\nMPY: soft reboot\r\nmain ran 42\r\n" + BANNER)
    # globals of boot.py and main.py are the REPL's
    board.send(b"x\r")
    board.expect_exact(b"x\r\n42\r\n>>> ")


def test_exceptions_print_micropython_style(board):
    board.expect_exact(BANNER, timeout=10)
    board.send(b"1/0\r")
    board.expect_exact(b"1/0\r\nTraceback (most recent call last):\r\n"
                       b"  File \"<stdin>\", line 1, in <module>\r\nZeroDivisionError: divide by zero\r\n>>> ")
    board.send(b"open('nope')\r")
    got = board.expect(b">>> ")
    assert got.endswith(b"OSError: [Errno 2] ENOENT\r\n>>> "), got


def test_boot_py_exception_skips_main(board):
    board.expect_exact(BANNER, timeout=10)
    board.send(b"open('boot.py','w').write('1/0\\n')\r")
    board.expect(b">>> ")
    board.send(b"open('main.py','w').write('print(\"MAIN\")\\n')\r")
    board.expect(b">>> ")
    board.send(b"\x04")
    got = board.expect(BANNER)
    assert b'File "boot.py", line 1, in <module>' in got, got
    assert b"MAIN" not in got, got


def test_raw_repl_framing_and_soft_reset(board):
    board.expect_exact(BANNER, timeout=10)
    board.raw_enter()
    out, err = board.raw_exec(b"print('hi')")
    assert (out, err) == (b"hi\r\n", b"")
    out, err = board.raw_exec(b"1/0")
    assert out == b"" and err.endswith(b"ZeroDivisionError: divide by zero\r\n"), err
    # soft reset from raw mode: stays raw, main.py does not run
    board.send(b"\x04")
    board.expect_exact(b"OK\r\nMPY: soft reboot\r\n" + RAW_BANNER)
    board.send(b"\r\x02")
    board.expect(BANNER)


def test_ctrl_c_interrupts_a_busy_loop(board):
    board.expect_exact(BANNER, timeout=10)
    board.send(b"while True:\r")
    board.expect(b"...     ")
    # the body line's Enter, then three more end the block (repl.md §2.6)
    board.send(b"pass\r\r\r\r")
    board.expect(b"\r\n...     \r\n...     \r\n... \r\n")
    time.sleep(0.3)
    board.drain(0.1)
    t0 = time.monotonic()
    board.send(b"\x03")
    got = board.expect(b">>> ", timeout=3)
    assert b"KeyboardInterrupt: \r\n" in got, got
    assert time.monotonic() - t0 < 2
    board.send(b"2*3\r")
    board.expect_exact(b"2*3\r\n6\r\n>>> ")


def test_machine_reset_is_a_hard_reset(board):
    board.expect_exact(BANNER, timeout=10)
    board.send(b"import machine\r")
    board.expect(b">>> ")
    board.send(b"machine.reset_cause()\r")
    board.expect_exact(b"machine.reset_cause()\r\n1\r\n>>> ")   # PWRON_RESET
    board.send(b"machine.reset()\r")
    got = board.expect(BANNER, timeout=10)
    assert b"soft reboot" not in got, got
    board.send(b"import machine; machine.reset_cause()\r")
    board.expect(b"\r\n2\r\n>>> ")                              # HARD_RESET
    board.send(b"\x04")
    board.expect(BANNER)
    board.send(b"import machine; machine.reset_cause()\r")
    board.expect(b"\r\n5\r\n>>> ")                              # SOFT_RESET


def esp32_rom(rst):
    """The ESP32 ROM's lines at a reset from flash (port_esp32.c)."""
    return (b"ets Jul 29 2019 12:21:46\r\n\r\nrst:" + rst + b",boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n"
            b"configsip: 0, SPIWP:0xee\r\n"
            b"clk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00\r\n"
            b"mode:DIO, clock div:2\r\n"
            b"load:0x3fff0030,len:4728\r\nload:0x40078000,len:14888\r\nload:0x40080400,len:3368\r\n"
            b"entry 0x400805cc\r\n")


def test_esp32_rom_text_names_each_hard_reset(tmp_path):
    """boot.md §1: a hard reset prints the profile's boot text first — the
    ROM's lines with the chip's reset reason — then the firmware's."""
    b = Board(tmp_path, board="esp32", extra=["--clock", "fast"])
    try:
        b.expect(BANNER, timeout=20)               # power-on's text went out before a host was there
        cases = [
            (lambda: b.send(b"import machine; machine.reset()\r"), esp32_rom(b"0xc (SW_CPU_RESET)")),
            (lambda: b.ctl("reset"), esp32_rom(b"0x1 (POWERON_RESET)")),          # the EN button
            (lambda: b.ctl("power", state="cycle"), esp32_rom(b"0x1 (POWERON_RESET)")),
            (lambda: b.ctl("brownout"),
             b"\r\nBrownout detector was triggered\r\n\r\n" + esp32_rom(b"0xc (SW_CPU_RESET)")),
            (lambda: b.send(b"import machine; machine.deepsleep(50)\r"), esp32_rom(b"0x5 (DEEPSLEEP_RESET)")),
            (lambda: b.send(b"import machine; w = machine.WDT(timeout=100)\r"), esp32_rom(b"0xc (SW_CPU_RESET)")),
        ]
        for act, text in cases:
            act()
            got = b.expect(BANNER, timeout=20)
            assert got.endswith(text + BANNER), got
            assert got.count(b"ets Jul 29 2019") == 1, got
        # a soft reset is the firmware's own: no ROM
        b.send(b"\x04")
        got = b.expect(BANNER, timeout=20)
        assert b"ets " not in got and b"MPY: soft reboot\r\n" in got, got
    finally:
        b.quit()


@pytest.mark.parametrize("name", ["rp2", "pycom"])
def test_boards_without_rom_text(tmp_path, name):
    b = Board(tmp_path, board=name)
    try:
        b.expect(b">>> ", timeout=20)
        b.send(b"import machine; machine.reset()\r")
        got = b.expect(b">>> ", timeout=20)
        assert b"rst:" not in got and b"ets " not in got, got
    finally:
        b.quit()


def test_input_typed_during_soft_reset_survives(board):
    board.expect_exact(BANNER, timeout=10)
    board.send(b"\x04" + b"7*6\r")
    board.expect(b"MPY: soft reboot\r\n")
    board.expect(BANNER)
    board.expect_exact(b"7*6\r\n42\r\n>>> ")


def test_sigterm_leaves_a_consistent_image(board):
    board.expect_exact(BANNER, timeout=10)
    board.send(b"f = open('data.txt', 'w'); f.write('x' * 5000)\r")
    board.expect(b">>> ")
    assert board.quit() == 0
    rc, out = check_region(board.flash)
    assert rc == 0, out


def test_pycom_profile_defaults_and_reboot_line(tmp_path):
    b = Board(tmp_path, board="pycom")
    try:
        b.expect(b">>> ", timeout=10)
        b.send(b"import os; sorted(os.listdir('/flash'))\r")
        b.expect(b"['boot.py', 'cert', 'lib', 'main.py', 'sys']\r\n>>> ")
        b.send(b"os.getcwd()\r")
        b.expect(b"'/flash'\r\n>>> ")
        b.send(b"\x04")
        b.expect(b"\r\nPYB: soft reboot\r\n")
        b.expect(b">>> ")
    finally:
        b.quit()
