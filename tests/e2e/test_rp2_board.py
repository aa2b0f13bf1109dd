"""The rp2 board (Raspberry Pi Pico, MicroPython v1.24.1 RPI_PICO; issue 12
§1, §4) end to end over a real pty or TCP, byte for byte: the banner,
sys.platform and os.uname() as the port prints them, reset causes (only
PWRON_RESET 1 and WDT_RESET 3; machine.reset() is a watchdog reboot),
Pin("LED") on GPIO 25, the USB mass-storage bootloader (machine.bootloader()
and BOOTSEL held at power-on), the USB-CDC link dropping output while no
host has it open, its first-boot policy (any mount failure reformats,
silently, no boot.py) and `vboard image create --board rp2`.

Also the pieces of the port tables the other boards now share: the
ESP32's GPIO0 strap, and `generic` as an alias of the esp32 profile."""
import json
import os
import time

import pytest

from boardlib import BANNER, Board, BoardError
from conftest import VBOARD, run, vb
from linklib import LinkBoard, LinkError, show

RP2_BANNER = (b'MicroPython v1.24.1 on 2024-11-29; Raspberry Pi Pico with RP2040\r\n'
              b'Type "help()" for more information.\r\n>>> ')
FLASH = 2 * 1024 * 1024
FS_OFF, FS_SIZE = 0xA0000, 1408 * 1024
ROM_DOWNLOAD = (b"\r\nrst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))"
                b"\r\nwaiting for download\r\n")


def ask(b, line, timeout=5):
    """Type one line at the friendly prompt; what it printed (no echo, no prompt)."""
    b.send(line.encode() + b"\r")
    got = b.expect(b">>> ", timeout)
    echo = line.encode() + b"\r\n"
    assert got.startswith(echo), got
    return got[len(echo):-len(b">>> ")].decode()


def trace(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


@pytest.fixture
def pico(tmp_path):
    tr = str(tmp_path / "trace.jsonl")
    b = Board(tmp_path, board="rp2", extra=["--trace", tr])
    b.trace_path = tr
    b.expect_exact(RP2_BANNER, timeout=10)
    yield b
    b.quit()


def wait_quiet(b, seconds=0.5):
    """Nothing arrives for `seconds`: the bytes that did."""
    return b.drain(seconds)


# ---- identity ------------------------------------------------------------------

def test_banner_platform_and_uname(pico):
    assert ask(pico, "import sys, os") == ""
    assert ask(pico, "sys.platform") == "'rp2'\r\n"
    assert ask(pico, "os.uname()") == (
        "uname_result(sysname='rp2', nodename='rp2', release='1.24.1', "
        "version='v1.24.1 on 2024-11-29', machine='Raspberry Pi Pico with RP2040')\r\n")
    assert ask(pico, "sys.implementation._machine, sys.implementation.version") == \
        "('Raspberry Pi Pico with RP2040', (1, 24, 1, ''))\r\n"
    assert ask(pico, "sys.path") == "['', '.frozen', '/lib']\r\n"  # v1.24 freezes asyncio &c.
    # Ctrl-B at the empty prompt shows the same banner
    pico.send(b"\x02")
    pico.expect_exact(b"\r\n" + RP2_BANNER)
    st = pico.ctl("status")
    assert st["profile"] == "rp2" and st["port"] == "rp2" and st["power"] == "on", st


# ---- reset causes ---------------------------------------------------------------

def test_reset_cause_power_on_then_watchdog_after_machine_reset(pico):
    assert ask(pico, "import machine") == ""
    assert ask(pico, "machine.reset_cause(), machine.PWRON_RESET, machine.WDT_RESET") == "(1, 1, 3)\r\n"
    assert ask(pico, "hasattr(machine, 'HARD_RESET'), hasattr(machine, 'SOFT_RESET')") == \
        "(False, False)\r\n"
    pico.send(b"machine.reset()\r")
    got = pico.expect(RP2_BANNER, timeout=10)
    assert b"soft reboot" not in got, got              # a hard reset: no soft-reboot line
    assert ask(pico, "import machine; machine.reset_cause()") == "3\r\n"
    st = pico.ctl("status")
    assert st["reset_cause_value"] == 3 and st["boot_count"] == 2, st
    # a soft reset keeps reporting the hard cause (rp2 has no SOFT_RESET)
    pico.send(b"\x04")
    pico.expect_exact(b"\r\nMPY: soft reboot\r\n" + RP2_BANNER)
    assert ask(pico, "import machine; machine.reset_cause()") == "3\r\n"
    # the RUN pin (the control channel's reset): a power-on reset again
    pico.ctl("reset")
    pico.expect(RP2_BANNER, timeout=10)
    assert ask(pico, "import machine; machine.reset_cause()") == "1\r\n"


def test_watchdog_reset_reports_wdt(pico):
    assert ask(pico, "import machine; w = machine.WDT(timeout=200)") == ""
    pico.expect(RP2_BANNER, timeout=10)
    assert ask(pico, "import machine; machine.reset_cause()") == "3\r\n"
    assert pico.ctl("status")["reset_cause"] == "WDT"


# ---- pins and LED -----------------------------------------------------------------

def test_led_pin(pico):
    assert ask(pico, "from machine import Pin") == ""
    assert ask(pico, "Pin('LED') is Pin(25), Pin('GP25') is Pin('LED'), Pin.board.LED is Pin(25)") == \
        "(True, True, True)\r\n"
    assert ask(pico, "Pin('LED')") == "Pin(GPIO25, mode=ALT, pull=PULL_DOWN, alt=31)\r\n"
    assert pico.ctl("led")["on"] is False
    assert ask(pico, "led = Pin('LED', Pin.OUT); led.on(); led") == "Pin(GPIO25, mode=OUT)\r\n"
    r = pico.ctl("led")
    assert r["on"] is True and r["rgb"] == "#00ff00" and r["gpio"] == 25, r
    r = pico.ctl("pin", name="LED")
    assert r["pin"] == "GP25" and r["alias"] == "LED" and r["gpio"] == 25 and r["level"] == 1, r
    assert ask(pico, "led.toggle(); led.value()") == "0\r\n"
    assert pico.ctl("led")["on"] is False
    # GP names for GP0-GP22 and GP25-GP28; the host drives them by name
    pico.ctl("pin", name="GP15", drive="high")
    assert ask(pico, "Pin(15, Pin.IN).value(), Pin('GP15').value()") == "(1, 1)\r\n"
    got = ask(pico, "Pin('GP23')")
    assert got.endswith("ValueError: unknown named pin \"GP23\"\r\n"), got
    assert pico.ctl("pin", name="GP29")["ok"] is False


# ---- the USB mass-storage bootloader ------------------------------------------------

def wait_stage(b, stage, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        st = b.ctl("status")
        if st["stage"] == stage:
            return st
        if time.monotonic() > deadline:
            raise BoardError("stage stayed %r, wanted %r: %r" % (st["stage"], stage, st))
        time.sleep(0.02)


def test_machine_bootloader_enters_usb_mass_storage(pico, tmp_path):
    assert ask(pico, "open('boot.py', 'w').write('print(\"BOOT RAN\")\\n')") == "18\r\n"
    pico.send(b"import machine; machine.bootloader()\r")
    pico.expect(b"machine.bootloader()\r\n")
    st = wait_stage(pico, "download")
    assert st["power"] == "download", st
    # the CDC port is gone: nothing more on the serial line, not even a ROM text
    assert wait_quiet(pico) == b""
    ev = [e for e in trace(pico.trace_path) if e["event"] == "download"]
    assert ev and ev[-1]["kind"] == "usb-msc", ev
    # a host may write the flash meanwhile (as a UF2 copy would)
    r = vb("image", "erase-fs", pico.flash)
    assert r.rc == 0, r
    pico.ctl("reset")
    got = pico.expect(RP2_BANNER, timeout=10)
    assert b"BOOT RAN" not in got, got                 # the erased FS was formatted: no boot.py
    assert ask(pico, "import os; os.listdir()") == "[]\r\n"


def test_bootsel_held_at_power_on(pico):
    assert ask(pico, "import rp2; rp2.bootsel_button()") == "0\r\n"
    r = pico.ctl("pin", name="BOOTSEL", drive="low")   # pressed
    assert r["ok"] and r["button"] is True, r
    assert ask(pico, "rp2.bootsel_button()") == "1\r\n"    # pressed while running: nothing else
    pico.ctl("power", state="cycle")
    st = wait_stage(pico, "download")
    assert st["power"] == "download", st
    assert wait_quiet(pico) == b""
    pico.ctl("pin", name="BOOTSEL", drive="float")     # released
    assert wait_quiet(pico, 0.3) == b""                 # only a reset leaves the bootloader
    pico.ctl("reset")
    pico.expect(RP2_BANNER, timeout=10)
    assert ask(pico, "import machine; machine.reset_cause()") == "1\r\n"


# ---- the USB-CDC link ------------------------------------------------------------------

MAIN = """import machine
done = machine.Pin(5, machine.Pin.OUT)
done.value(0)
line = 'x' * 98
for i in range(%d):
    print(line)
done.value(1)
"""


def test_usb_cdc_drops_output_while_no_host(tmp_path):
    """With nobody on the port the output goes at once, even at --baud 9600
    (a UART would take 200 s for these 200,000 bytes)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "main.py").write_text(MAIN % 2000)
    b = LinkBoard(tmp_path, "tcp", board="rp2", extra=["--fs-add", str(src), "--baud", "9600"])
    try:
        t0 = time.monotonic()
        while b.ctl("pin", name="GP5")["level"] != 1 or b.ctl("pin", name="GP5")["mode"] != "out":
            if time.monotonic() - t0 > 20:
                raise LinkError("main.py did not finish with no host: %r" % b.status())
            time.sleep(0.05)
        st = b.wait_status(lambda s: s["stage"] == "repl" and s["serial_queued"] == 0, "the REPL")
        assert st["serial_discarded"] >= 200000 and st["serial_sent"] == 0, st
        assert st["serial_host"] is False, st
        # a host opens the port: a prompt, none of the old output
        s = b.attach()
        s.write(b"6*7\r")
        got = b""
        deadline = time.monotonic() + 10
        while not got.endswith(b"6*7\r\n42\r\n>>> "):
            if time.monotonic() > deadline:
                raise LinkError("no working prompt; received %s" % show(got))
            got += s.read(65536, 0.2)
        assert got == b"6*7\r\n42\r\n>>> ", show(got)
    finally:
        b.quit()


# ---- filesystem: first boot and damage ------------------------------------------------

def test_first_boot_formats_silently_without_boot_py(pico):
    assert ask(pico, "import os; os.listdir(), os.getcwd()") == "([], '/')\r\n"
    assert pico.quit() == 0
    r = run([VBOARD, "image", "check", pico.flash])
    assert r.rc == 0, r


def test_damaged_filesystem_is_reformatted_silently(tmp_path):
    flash = tmp_path / "pico.bin"
    vb("image", "create", "--board", "rp2", flash)
    with open(flash, "r+b") as f:                      # neither erased nor a filesystem
        f.seek(FS_OFF)
        f.write(b"\x00" * 4096)
    b = Board(tmp_path, board="rp2", flash=str(flash))
    try:
        got = b.expect(RP2_BANNER, timeout=10)
        assert got == RP2_BANNER, got                 # no notice: _boot.py formats at once
        assert ask(b, "import os; os.listdir()") == "[]\r\n"
    finally:
        b.quit()


# ---- host tools ---------------------------------------------------------------------------

def test_image_create_rp2(tmp_path):
    img = tmp_path / "pico.bin"
    r = vb("image", "create", "--board", "rp2", img)
    assert "rp2 board" in r.text, r
    data = img.read_bytes()
    assert len(data) == FLASH
    assert data[:FS_OFF] == b"\xff" * FS_OFF           # no partition table, no otadata
    assert data[FS_OFF + 8:FS_OFF + 16] == b"littlefs"  # VfsLfs2.mkfs(progsize=256) at 0xA0000
    r = vb("image", "info", img)
    assert "profile: rp2" in r.text and "port: rp2" in r.text, r
    assert "fs: littlefs v2.1 at 0xA0000, 1441792 bytes, block 4096, blocks 352" in r.text, r
    assert vb("image", "check", img).text.startswith("clean: littlefs v2.1, 0 files, 0 dirs"), img
    assert vb("fs", img, "ls").text == ""                # rp2's _boot.py writes no files
    (tmp_path / "hello.py").write_text("print('hi')\n")
    vb("fs", img, "cp", tmp_path / "hello.py", ":hello.py")
    assert vb("fs", img, "ls").text == "hello.py\n"
    # a 2 MiB image is an rp2 image by its size: the board boots it
    b = Board(tmp_path, board="rp2", flash=str(img))
    try:
        b.expect(RP2_BANNER, timeout=10)
        assert ask(b, "import hello") == "hi\r\n"
    finally:
        b.quit()
    r = run([VBOARD, "run", "--board", "esp32", "--flash", img, "--timeout", "100"])
    assert r.rc == 2 and "2097152" in r.errtext, r


# ---- the other ports' tables ------------------------------------------------------------

def test_generic_is_the_esp32_profile(tmp_path):
    img = tmp_path / "g.bin"
    vb("image", "create", "--board", "generic", img)
    b = Board(tmp_path, board="esp32", flash=str(img))
    try:
        b.expect_exact(BANNER, timeout=10)
        st = b.ctl("status")
        assert st["profile"] == "esp32" and st["port"] == "esp32", st
        assert ask(b, "import machine; machine.reset_cause(), machine.SOFT_RESET") == "(1, 5)\r\n"
    finally:
        b.quit()
    b = Board(tmp_path, board="generic", flash=str(img))
    try:
        b.expect_exact(BANNER, timeout=10)
        st = b.ctl("status")
        assert st["profile"] == "generic" and st["port"] == "esp32", st
    finally:
        b.quit()


def test_esp32_gpio0_strap_enters_rom_download_mode(tmp_path):
    b = Board(tmp_path, board="esp32")
    try:
        b.expect_exact(BANNER, timeout=10)
        b.ctl("pin", name="GPIO0", drive="low")
        b.ctl("reset")
        got = b.expect(b"waiting for download\r\n", timeout=10)
        assert got.endswith(ROM_DOWNLOAD), got
        assert b.ctl("status")["stage"] == "download"
        b.ctl("pin", name="GPIO0", drive="float")
        b.ctl("reset")
        b.expect(BANNER, timeout=10)
    finally:
        b.quit()
