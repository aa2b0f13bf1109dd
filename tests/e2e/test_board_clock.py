"""The board clock (issue 14): --clock fast jumps an idle board to the next
thing due, so an hour of deep sleep, a watchdog of a minute and the Pycom
safe-boot windows pass at once, with every timer at the board time it was
due; the host drives time with `advance` and holds it where it waited.
Every wait here has a wall deadline far below the board times involved:
under a real clock these tests cannot pass."""
import ctypes
import json
import os
import struct
import subprocess

import pytest

from boardlib import BANNER, Board, repl, wait_until
from conftest import VBOARD
from test_pycom_boot import PROMPT, bootloader_event, check_windows, last_boot, led_changes, trace

HOUR_US = 3600 * 1000000


def advance(b, ms, wall=20.0):
    """Wait for `ms` of board time (the clock may jump there)."""
    b.wait_board_us(b.ctl("advance", ms=str(ms))["until_us"], wall)


def define(b, code):
    """Run a block of code at the friendly REPL (one line: no auto-indent)."""
    assert repl(b, "exec(%r)" % code, timeout=10) == ""


def fast_board(tmp_path, board="esp32", extra=()):
    tr = str(tmp_path / "trace.jsonl")
    b = Board(tmp_path, board=board, extra=["--clock", "fast", "--trace", tr] + list(extra))
    b.trace_path = tr
    b.expect(b">>> ", timeout=20)
    return b


@pytest.fixture
def fast(tmp_path):
    b = fast_board(tmp_path)
    yield b
    b.quit()


def events_named(b, name):
    return [e for e in trace(b.trace_path) if e["event"] == name]


def test_an_hour_of_deep_sleep_passes_at_once(fast):
    fast.send(b"import machine; machine.deepsleep(3600000)\r")
    fast.expect(BANNER, timeout=10)
    assert repl(fast, "import machine; machine.reset_cause() == machine.DEEPSLEEP_RESET") == "True\r\n"
    assert repl(fast, "machine.wake_reason() == machine.TIMER_WAKE") == "True\r\n"
    sleep = events_named(fast, "deepsleep")[0]
    wake = events_named(fast, "wake")[0]
    assert sleep["ms"] == 3600000 and wake["reason"] == "timer"
    # the wake timer fired at its board time, not before, not much after
    assert HOUR_US <= wake["t_us"] - sleep["t_us"] < HOUR_US + 500000
    st = fast.ctl("status")
    assert st["clock"] == "fast" and st["board_us"] >= HOUR_US
    assert st["machine_reset_cause"] == "DEEPSLEEP_RESET"
    clk = fast.ctl("clock")
    assert clk["mode"] == "fast" and clk["jumps"] >= 1 and clk["skipped_us"] >= HOUR_US - 1000000


def test_timers_fire_in_order_at_their_board_times(fast):
    define(fast, "import time\n"
                 "def run():\n"
                 " t0 = time.ticks_ms(); r0 = time.time(); out = []\n"
                 " for d in (5000, 1000, 30000, 1, 600000):\n"
                 "  t = time.ticks_ms(); time.sleep_ms(d); out.append(time.ticks_diff(time.ticks_ms(), t) - d)\n"
                 " print(out, time.time() - r0)\n")
    out = repl(fast, "run()", timeout=20).strip()
    lateness, rtc = out.rsplit("]", 1)
    late = [int(x) for x in lateness.strip("[").split(",")]
    # each sleep ended at its time: never early, at most a little late
    assert all(0 <= x < 100 for x in late), out
    # the RTC (time.time) moved with the board clock: 636 s and a bit
    assert 636 <= int(rtc) <= 638, out


def test_a_watchdog_fires_after_its_board_time_and_chains(fast):
    repl(fast, "f = open('main.py', 'w'); f.write('from machine import WDT\\nimport time\\n"
               "w = WDT(timeout=60000)\\nprint(\"armed\")\\ntime.sleep(3600)\\n'); f.close()")
    fast.send(b"import machine; machine.reset()\r")
    # three watchdog resets, each a minute of board time after its start
    for _ in range(3):
        fast.expect(b"armed\r\n", timeout=10)
    wait_until(lambda: len([e for e in events_named(fast, "reset") if e["cause"] == "WDT"]) >= 3, 10,
               "three watchdog resets in the trace")
    ev = trace(fast.trace_path)
    starts = [e["t_us"] for e in ev if e["event"] == "wdt_start" and e["timeout_ms"] == 60000]
    fired = [e["t_us"] for e in ev if e["event"] == "watchdog" and e.get("expired") is True]
    assert len(fired) >= 3 and len(starts) >= 3, ev
    for s, f in zip(starts, fired):
        assert 60000000 <= f - s < 60500000, (s, f)


def test_ctrl_c_stops_a_sleeping_loop_under_the_fast_clock(fast):
    fast.send(b"import time\r")
    fast.expect(b">>> ")
    fast.send(b"while True: time.sleep(1)\r\r")
    fast.wait_board_us(100 * 1000000)                   # a hundred seconds went by
    fast.send(b"\x03")
    got = fast.expect(b">>> ", timeout=10)
    assert b"KeyboardInterrupt" in got


def test_advance_moves_an_idle_board_and_then_holds_it(fast):
    t0 = fast.ctl("clock")["board_us"]
    advance(fast, 90000)                                # the REPL waits: it jumps
    t1 = fast.ctl("clock")["board_us"]
    assert t1 >= t0 + 90000000
    assert fast.ctl("clock")["hold_us"] >= t1 - 1000000
    # held: the board's own sleep runs at the host's pace now
    fast.send(b"import time; time.sleep_ms(300); print('slept')\r")
    fast.expect(b"slept\r\n>>> ", timeout=10)
    # a hold at or before now keeps the board from skipping past it
    assert fast.ctl("clock")["board_us"] < t1 + 10 * 1000000
    fast.ctl("clock", action="free")
    assert "hold_us" not in fast.ctl("clock")
    repl(fast, "time.sleep(1000)", timeout=10)          # skipped again
    assert fast.ctl("clock")["board_us"] >= t1 + 1000 * 1000000


def test_bad_clock_requests_are_refused(fast, tmp_path):
    for bad in ("-1", "abc", "1.5", "10000000000000", ""):
        r = fast.ctl("advance", ms=bad)
        assert r["ok"] is False and "whole number of milliseconds" in r["error"], (bad, r)
    r = fast.ctl("clock", action="stop")
    assert r["ok"] is False and "free" in r["error"]
    r = fast.ctl("advance")
    assert r["ok"] is False
    # numbers are taken as JSON numbers too
    from boardlib import ctl_request
    assert ctl_request(fast.control, {"cmd": "advance", "ms": 5})["ok"] is True
    assert ctl_request(fast.control, {"cmd": "advance", "ms": -5})["ok"] is False
    p = subprocess.run([VBOARD, "ctl", fast.control, "advance", "20"], capture_output=True, timeout=10)
    assert p.returncode == 0 and json.loads(p.stdout)["ok"] is True
    p = subprocess.run([VBOARD, "ctl", fast.control, "clock", "free"], capture_output=True, timeout=10)
    assert p.returncode == 0
    assert repl(fast, "1 + 1") == "2\r\n"


def test_run_refuses_an_unknown_clock(tmp_path):
    p = subprocess.run([VBOARD, "run", "--clock", "slow", "--flash", str(tmp_path / "f.bin")],
                       capture_output=True, timeout=10)
    assert p.returncode == 2 and b"--clock takes 'real' or 'fast', not 'slow'" in p.stderr


def test_the_real_clock_never_jumps(tmp_path):
    b = Board(tmp_path, board="esp32")
    try:
        b.expect(b">>> ", timeout=20)
        repl(b, "import time; time.sleep_ms(200)")
        c = b.ctl("clock")
        assert c["mode"] == "real" and c["jumps"] == 0 and c["skipped_us"] == 0
        assert b.ctl("status")["clock"] == "real"
    finally:
        b.quit()


def board_eventfds(b):
    """Duplicates of the supervisor's eventfds (the VM's input doorbell and
    the idle doorbell), taken with pidfd_getfd as anything of the board's
    could write them (an eventfd cannot be reopened through /proc)."""
    libc = ctypes.CDLL(None, use_errno=True)
    SYS_pidfd_open, SYS_pidfd_getfd = 434, 438
    pidfd = libc.syscall(SYS_pidfd_open, b.proc.pid, 0)
    assert pidfd >= 0, os.strerror(ctypes.get_errno())
    fds = []
    try:
        for name in os.listdir("/proc/%d/fd" % b.proc.pid):
            try:
                if os.readlink("/proc/%d/fd/%s" % (b.proc.pid, name)) != "anon_inode:[eventfd]":
                    continue
            except OSError:
                continue
            fd = libc.syscall(SYS_pidfd_getfd, pidfd, int(name), 0)
            assert fd >= 0, os.strerror(ctypes.get_errno())
            fds.append(fd)
    finally:
        os.close(pidfd)
    return fds


def test_a_flood_on_the_doorbells_changes_nothing(fast):
    """Device code may write to the doorbells it holds (CPython is no
    boundary): the supervisor only looks again, and the clock follows the
    VM's published waits, not the rings."""
    fds = board_eventfds(fast)
    assert len(fds) == 2
    rings = 0
    try:
        for _ in range(5000):
            for fd in fds:
                try:
                    os.write(fd, struct.pack("<Q", 1 << 40))
                    rings += 1
                except BlockingIOError:
                    pass
    finally:
        for fd in fds:
            os.close(fd)
    assert rings > 0
    assert fast.ctl("status")["power"] == "on"
    t = fast.ctl("clock")["board_us"]
    assert repl(fast, "1 + 1") == "2\r\n"
    assert fast.ctl("clock")["board_us"] < t + 5 * 1000000      # no jump for a ring alone
    repl(fast, "import time; time.sleep(50)", timeout=10)
    assert fast.ctl("clock")["board_us"] >= t + 50 * 1000000
    assert repl(fast, "1 + 1") == "2\r\n"


# ---- the Pycom safe-boot windows: the same LED trace on either clock ---------

def held_through_reset(b, fast):
    """Hold P12 through a reset until the board decides (window 3's end
    picks the factory image whatever the pin does), then release it."""
    if fast:
        b.ctl("advance", ms="0")                        # the host holds the clock
    b.ctl("pin", name="P12", drive="high")
    b.ctl("reset")
    if fast:
        advance(b, 10000)
    b.expect(PROMPT, timeout=20)
    b.ctl("pin", name="P12", drive="float")


def relative_leds(events):
    """The LED from the first window on (the debounce starts once the old
    firmware is gone: host time), relative to it, and the decision's time."""
    t0 = next(e["t_us"] for e in events if e["event"] == "safe_boot_window")
    end = bootloader_event(events)["t_us"]
    return [(t - t0, rgb) for t, rgb in led_changes(events) if t0 <= t <= end], end - t0


def test_pycom_windows_give_the_real_clock_s_led_trace(tmp_path):
    traces = {}
    for mode in ("real", "fast"):
        d = tmp_path / mode
        d.mkdir()
        tr = str(d / "trace.jsonl")
        b = Board(d, board="pycom", extra=["--clock", mode, "--trace", tr])
        b.trace_path = tr
        try:
            b.expect(PROMPT, timeout=20)
            held_through_reset(b, mode == "fast")
            events = last_boot(b)
            ev = bootloader_event(events)
            assert ev["safe_boot_pin"] == "factory" and ev["safe_boot"] is True
            check_windows(events, 3)
            traces[mode] = relative_leds(events)
        finally:
            b.quit()
    assert traces["fast"] == traces["real"]


def test_pycom_release_in_window_1_lands_at_the_board_time_waited_for(tmp_path):
    b = fast_board(tmp_path, board="pycom")
    try:
        b.ctl("advance", ms="0")
        b.ctl("pin", name="P12", drive="high")
        b.ctl("reset")
        advance(b, 1000)
        b.ctl("pin", name="P12", drive="float")
        b.expect(PROMPT, timeout=20)
        events = last_boot(b)
        ev = bootloader_event(events)
        assert ev["safe_boot_pin"] == "current" and ev["safe_boot"] is True
        assert 1000000 <= ev["t_us"] - events[0]["t_us"] < 1100000
        check_windows(events, 1)
    finally:
        b.quit()
