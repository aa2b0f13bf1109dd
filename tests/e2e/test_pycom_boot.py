"""The Pycom profile's bootloader and firmware (issue 6): safe boot by P12
with its LED windows, software safe boot, the G23 strap, firmware images,
OTA with rollback, the heartbeat and the error flash, factory reset and
soft-bricked recovery, through the pty and the control socket."""
import json
import os
import time

import pytest

from boardlib import Board, repl
from conftest import VBOARD, run, vb

PROMPT = b'Type "help()" for more information.\r\n>>> '
FACTORY_VERSION = "1.20.2.r4-vboard"
ORANGE, OFF = "#2c1200", "#000000"


def trace(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def put_file(b, name, text):
    repl(b, "f = open(%r, 'w'); f.write(%r); f.close()" % (name, text))


@pytest.fixture
def pyc(tmp_path):
    tr = str(tmp_path / "trace.jsonl")
    b = Board(tmp_path, board="pycom", extra=["--trace", tr])
    b.trace_path = tr
    b.expect(PROMPT, timeout=10)
    yield b
    b.quit()


def last_boot(b):
    """The events of the latest hard boot: from its reset on."""
    ev = trace(b.trace_path)
    i = max(k for k, e in enumerate(ev) if e["event"] == "reset")
    return ev[i:]


def bootloader_event(events):
    return next(e for e in events if e["event"] == "bootloader")


def test_normal_boot_runs_the_factory_image(pyc):
    ev = bootloader_event(last_boot(pyc))
    assert ev["safe_boot_pin"] == "none" and ev["safe_boot"] is False and ev["image"] == "factory"
    assert repl(pyc, "import os; os.uname().release") == "'%s'\r\n" % FACTORY_VERSION
    st = pyc.ctl("status")
    assert st["image"] == "factory" and st["safe_boot"] is False


def hold_p12_and_reset(b, release_after):
    """Hold the safe-boot button through a reset, release it after
    `release_after` seconds (None: keep holding until the firmware runs)."""
    b.ctl("pin", name="P12", drive="high")
    b.ctl("reset")
    if release_after is not None:
        time.sleep(release_after)
        b.ctl("pin", name="P12", drive="float")
    b.expect(PROMPT, timeout=15)
    if release_after is None:
        b.ctl("pin", name="P12", drive="float")


def led_changes(events):
    return [(e["t_us"], e["rgb"]) for e in events if e["event"] == "led"]


def check_windows(events, windows):
    """The LED toggles orange/off with each window's period, from the end
    of the 100 ms debounce, in board time."""
    reset_t = events[0]["t_us"]
    starts = [e for e in events if e["event"] == "safe_boot_window"]
    assert [s["window"] for s in starts] == list(range(1, windows + 1))
    w1 = starts[0]["t_us"]
    assert 100000 <= w1 - reset_t < 150000              # after the debounce
    periods = {1: 500000, 2: 250000, 3: 100000}
    leds = [(t, rgb) for t, rgb in led_changes(events) if t >= w1]
    for k, s in enumerate(starts):
        end = starts[k + 1]["t_us"] if k + 1 < len(starts) else bootloader_event(events)["t_us"]
        inside = [(t, rgb) for t, rgb in leds if s["t_us"] <= t < end]
        assert inside, (s, leds)
        assert inside[0] == (s["t_us"], ORANGE) or s["window"] > 1
        steps = {b[0] - a[0] for a, b in zip(inside, inside[1:])}
        assert steps == {periods[s["window"]]}, (s["window"], steps)
        assert all(rgb in (ORANGE, OFF) for _, rgb in inside)
    assert led_changes(events)[-1][1] == OFF or bootloader_event(events)


def test_safe_boot_release_in_window_1_current_image(pyc):
    put_file(pyc, "main.py", "print('MAIN RAN')\n")
    put_file(pyc, "boot.py", "print('BOOT RAN')\n")
    hold_p12_and_reset(pyc, 1.0)
    out = pyc.drain(0.3)
    assert b"MAIN RAN" not in out and b"BOOT RAN" not in out
    events = last_boot(pyc)
    ev = bootloader_event(events)
    assert ev["safe_boot_pin"] == "current" and ev["safe_boot"] is True and ev["image"] == "factory"
    assert 1000000 <= ev["t_us"] - events[0]["t_us"] < 3100000
    check_windows(events, 1)
    assert pyc.ctl("status")["safe_boot"] is True
    pyc.send(b"\x04")                                  # survives a soft reset
    got = pyc.expect(PROMPT, timeout=10)
    assert b"MAIN RAN" not in got and b"BOOT RAN" not in got
    assert repl(pyc, "import pycom; pycom.bootmgr()[2]").strip() in ("'SafeBoot: True'", "True", "1")
    pyc.ctl("reset")                                   # but not a hard reset
    got = pyc.expect(PROMPT, timeout=10)
    assert b"BOOT RAN" in got and b"MAIN RAN" in got
    assert pyc.ctl("status")["safe_boot"] is False


def test_safe_boot_release_in_window_2_previous_image(pyc):
    hold_p12_and_reset(pyc, 4.0)
    events = last_boot(pyc)
    ev = bootloader_event(events)
    assert ev["safe_boot_pin"] == "previous" and ev["safe_boot"] is True
    assert 4000000 <= ev["t_us"] - events[0]["t_us"] < 6200000
    check_windows(events, 2)


def test_safe_boot_held_through_window_2_factory_image(pyc):
    hold_p12_and_reset(pyc, 7.5)
    events = last_boot(pyc)
    ev = bootloader_event(events)
    assert ev["safe_boot_pin"] == "factory" and ev["image"] == "factory" and ev["safe_boot"] is True
    # window 3 runs its fixed 1500 ms whatever the pin does
    assert ev["t_us"] - events[0]["t_us"] >= 100000 + 3000000 + 3000000 + 1500000
    check_windows(events, 3)


def test_software_safe_boot_is_one_shot(pyc):
    put_file(pyc, "main.py", "print('MAIN RAN')\n")
    pyc.send(b"import pycom; pycom.bootmgr(safeboot=True, reset=True)\r")
    got = pyc.expect(PROMPT, timeout=10)                # stored as a request, then reset
    assert b"MAIN RAN" not in got
    assert pyc.ctl("status")["safe_boot"] is True
    pyc.ctl("reset")
    got = pyc.expect(PROMPT, timeout=10)
    assert b"MAIN RAN" in got
    assert pyc.ctl("status")["safe_boot"] is False


def test_ctrl_f_asks_for_a_safe_boot(pyc):
    put_file(pyc, "main.py", "print('MAIN RAN')\n")
    pyc.send(b"\x06")
    got = pyc.expect(PROMPT, timeout=10)
    assert b"MAIN RAN" not in got and pyc.ctl("status")["safe_boot"] is True
    pyc.ctl("reset")
    assert b"MAIN RAN" in pyc.expect(PROMPT, timeout=10)


def test_soft_bricked_main_recovered_by_safe_boot(pyc):
    put_file(pyc, "main.py", "while True:\n    try:\n        pass\n    except KeyboardInterrupt:\n        pass\n")
    pyc.ctl("reset")
    time.sleep(0.5)
    pyc.send(b"\x03\x03\x03")                          # Ctrl-C does not help
    with pytest.raises(AssertionError):
        pyc.expect(b">>> ", timeout=1)
    hold_p12_and_reset(pyc, 1.0)
    repl(pyc, "import os; os.remove('/flash/main.py')")
    pyc.ctl("reset")
    pyc.expect(PROMPT, timeout=10)                     # main.py is back as the default
    assert repl(pyc, "open('/flash/main.py').read()") == "'# main.py -- put your code here!\\r\\n'\r\n"


def test_heartbeat_and_rgbled(pyc):
    time.sleep(4.3)
    beats = [(t, rgb) for t, rgb in led_changes(last_boot(pyc)) if rgb in ("#000050", OFF)]
    ons = [t for t, rgb in beats if rgb == "#000050"]
    offs = [t for t, rgb in beats if rgb == OFF and ons and t > ons[0]]
    assert len(ons) >= 2 and offs[0] - ons[0] == 80000 and ons[1] - ons[0] == 4000000
    assert "OSError" in repl(pyc, "import pycom; pycom.rgbled(0xff0000)")
    repl(pyc, "pycom.heartbeat(False); pycom.rgbled(0xff0000)")
    assert pyc.ctl("led")["rgb"] == "#ff0000"
    assert repl(pyc, "pycom.heartbeat()") == "False\r\n"


def test_error_flash_after_an_exception_in_main(pyc):
    put_file(pyc, "main.py", "raise ValueError('bad')\n")
    pyc.ctl("reset")
    pyc.expect(PROMPT, timeout=10)
    reds = [t for t, rgb in led_changes(last_boot(pyc)) if rgb == "#500000"]
    assert len(reds) == 12
    assert all(50000 <= b - a <= 150000 for a, b in zip(reds, reds[1:]))


def test_factory_reset_from_the_repl(pyc):
    put_file(pyc, "main.py", "print('MINE')\n")
    put_file(pyc, "data.txt", "x")
    repl(pyc, "import os; os.fsformat('/flash')")
    pyc.ctl("reset")
    pyc.expect(PROMPT, timeout=10)
    ls = repl(pyc, "import os; sorted(os.listdir('/flash'))")
    assert "data.txt" not in ls and "main.py" in ls and "boot.py" in ls


def test_bootloader_strap_download_mode(pyc, tmp_path):
    put_file(pyc, "boot.py", "print('BOOT RAN')\n")
    pyc.ctl("pin", name="G23", drive="low")
    pyc.ctl("reset")
    got = pyc.expect(b"waiting for download\r\n", timeout=10)
    assert b"BOOT RAN" not in got
    assert pyc.ctl("status")["stage"] == "download"
    vb("image", "erase-fs", pyc.flash)                 # the board lets host tools in
    pyc.ctl("pin", name="G23", drive="float")
    pyc.ctl("reset")
    got = pyc.expect(PROMPT, timeout=10)
    assert b"BOOT RAN" not in got                      # the FS was erased: defaults again
    assert "'# boot.py -- run on boot-up\\r\\n'" in repl(pyc, "open('/flash/boot.py').read()")


def test_running_board_refuses_host_writes(pyc):
    r = run([VBOARD, "image", "erase-fs", pyc.flash])
    assert r.rc == 2 and "lock" in (r.errtext + r.text).lower() or "busy" in r.errtext.lower() or "in use" in r.errtext.lower(), r


def build_firmware(tmp_path, version, boot_src="print('BOOT2 from the image')\n"):
    d = tmp_path / ("fw-" + version)
    d.mkdir()
    (d / "_boot.py").write_text(boot_src)
    (d / "app.py").write_text("VERSION = %r\n" % version)
    out = tmp_path / ("fw-%s.bin" % version)
    vb("firmware", "build", d, "-o", out, "--version", version)
    return out


OTA_SCRIPT = """
import pycom
def install(path, flip=None):
    pycom.ota_start()
    with open(path, 'rb') as f:
        data = bytearray(f.read())
    if flip is not None:
        data[flip] ^= 0x01
    for i in range(0, len(data), 1000):
        pycom.ota_write(data[i:i + 1000])
    ok = pycom.ota_verify()
    pycom.ota_finish()
    return ok
"""


def ota_payload(tmp_path):
    """A directory for --fs-add: a 2.0.0-test image (fw2.bin) and ota.py
    to install it; (the directory, the image's host path)."""
    fw = build_firmware(tmp_path, "2.0.0-test")
    payload = tmp_path / "payload"
    payload.mkdir()
    (payload / "fw2.bin").write_bytes(fw.read_bytes())
    (payload / "ota.py").write_text(OTA_SCRIPT)
    return payload, fw


@pytest.fixture
def ota_board(tmp_path):
    payload, fw = ota_payload(tmp_path)
    tr = str(tmp_path / "trace.jsonl")
    b = Board(tmp_path, board="pycom", extra=["--trace", tr, "--fs-add", str(payload)])
    b.trace_path = tr
    b.fw = fw
    b.expect(PROMPT, timeout=10)
    yield b
    b.quit()


def test_ota_of_a_good_image_boots_the_new_version(ota_board):
    b = ota_board
    assert repl(b, "import ota; ota.install('/flash/fw2.bin')") == "True\r\n"
    assert repl(b, "import pycom; pycom.bootmgr()[3]") == "'Status: Check'\r\n"
    b.send(b"import machine; machine.reset()\r")
    got = b.expect(PROMPT, timeout=10)
    assert b"BOOT2 from the image" in got                 # its frozen _boot.py ran
    assert b"MicroPython 2.0.0-test on" in got
    ev = bootloader_event(last_boot(b))
    assert ev["image"] == "ota_0" and ev["rolled_back"] is False
    assert repl(b, "import os, app; os.uname().release, app.VERSION") == \
        "('2.0.0-test', '2.0.0-test')\r\n"
    assert repl(b, "import pycom; pycom.bootmgr()") == "('ota_0', 'FAT', 'SafeBoot: False', 'Status: Ready')\r\n"
    # safe boot, previous image: the factory one, for this boot only
    hold_p12_and_reset(b, 4.0)
    assert repl(b, "import os; os.uname().release") == "'%s'\r\n" % FACTORY_VERSION
    b.ctl("reset")
    b.expect(PROMPT, timeout=10)
    assert repl(b, "import os; os.uname().release") == "'2.0.0-test'\r\n"


def test_ota_of_a_corrupt_image_rolls_back(ota_board):
    b = ota_board
    assert repl(b, "import ota; ota.install('/flash/fw2.bin', flip=-10)") == "False\r\n"
    b.send(b"import machine; machine.reset()\r")
    got = b.expect(PROMPT, timeout=10)
    assert b"BOOT2" not in got
    ev = bootloader_event(last_boot(b))
    assert ev["rolled_back"] is True and ev["image"] == "factory"
    assert repl(b, "import os; os.uname().release") == "'%s'\r\n" % FACTORY_VERSION
    assert repl(b, "import pycom; pycom.bootmgr()") == "('Factory', 'FAT', 'SafeBoot: False', 'Status: Ready')\r\n"


def test_ota_write_after_finish_is_refused(ota_board):
    b = ota_board
    repl(b, "import ota; ota.install('/flash/fw2.bin')")
    assert "OSError" in repl(b, "import pycom; pycom.ota_write(b'x')")
    assert "OSError" not in repl(b, "pycom.ota_slot()")


def test_reflashing_keeps_a_soft_bricked_main_unless_erased(tmp_path):
    fw = build_firmware(tmp_path, "3.0.0-test", boot_src="print('BOOT v3')\n")
    b = Board(tmp_path, board="pycom")
    try:
        b.expect(PROMPT, timeout=10)
        put_file(b, "main.py", "import time\nwhile True:\n    try:\n        print('BRICK'); time.sleep(0.2)\n"
                               "    except KeyboardInterrupt:\n        pass\n")
        b.ctl("power", state="off")
        vb("image", "flash", b.flash, fw)                  # a dark board lets esptool-like tools in
        b.ctl("power", state="on")
        got = b.expect(b"BRICK", timeout=10)
        assert b"BOOT v3" in got                             # new firmware, same bricked main.py
        b.ctl("power", state="off")
        vb("image", "flash", b.flash, fw, "--erase-fs")
        b.ctl("power", state="on")
        got = b.expect(PROMPT, timeout=10)
        assert b"BRICK" not in got + b.drain(0.5)
        assert "put your code here" in repl(b, "open('/flash/main.py').read()")
    finally:
        b.quit()


def test_bad_otadata_crc_falls_back_to_factory_ready(tmp_path):
    img = tmp_path / "p.bin"
    vb("image", "create", "--board", "pycom", img)
    with open(img, "r+b") as f:                          # a record with a wrong CRC
        f.seek(0x1FF000)
        f.write(bytes.fromhex("01000000" "00000000" "00000000") + b"\xff" * 24 + b"\x12\x34\x56\x78")
    tr = str(tmp_path / "trace.jsonl")
    b = Board(tmp_path, board="pycom", flash=str(img), extra=["--trace", tr])
    try:
        b.trace_path = tr
        b.expect(PROMPT, timeout=10)
        assert bootloader_event(last_boot(b))["image"] == "factory"
        assert repl(b, "import pycom; pycom.bootmgr()") == "('Factory', 'FAT', 'SafeBoot: False', 'Status: Ready')\r\n"
    finally:
        b.quit()
    raw = open(img, "rb").read()[0x1FF000:0x1FF000 + 40]
    assert raw[:8] == bytes.fromhex("00000000 01000000")  # rewritten as the bootloader does


def test_os_mkfs_old_name_is_a_factory_reset_too(pyc):
    put_file(pyc, "gone.txt", "x")
    repl(pyc, "import os; os.mkfs('/flash')")
    pyc.ctl("reset")
    pyc.expect(PROMPT, timeout=10)
    assert "gone.txt" not in repl(pyc, "import os; os.listdir('/flash')")
