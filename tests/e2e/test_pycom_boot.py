"""The Pycom profile's bootloader and firmware (issue 6): safe boot by P12
with its LED windows, software safe boot, the G23 strap, firmware images,
OTA with rollback, the heartbeat and the error flash, factory reset and
soft-bricked recovery, through the pty and the control socket."""
import json
import os
import time

import pytest

from boardlib import Board
from conftest import VBOARD, run, vb

PROMPT = b'Type "help()" for more information.\r\n>>> '
FACTORY_VERSION = "1.20.2.r4-vboard"
ORANGE, OFF = "#2c1200", "#000000"


def trace(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def repl(b, line, timeout=5):
    b.send(line.encode() + b"\r")
    got = b.expect(b">>> ", timeout)
    return got.split(b"\r\n", 1)[1][:-len(b">>> ")].decode()


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
