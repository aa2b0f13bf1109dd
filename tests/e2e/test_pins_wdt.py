"""Pins driven from both sides, pin IRQs, the watchdog, lightsleep and RTC
memory on the running board (issue 5), through the pty and the control
socket; driven through the project's Python API (python/vboard)."""
import json
import time

import pytest

from boardlib import BANNER
from test_hardware import parse_vcd, trace


@pytest.fixture
def board(make_board, tmp_path):
    b = make_board("generic", extra_args=["--trace", str(tmp_path / "trace.jsonl"),
                                          "--vcd", str(tmp_path / "pins.vcd")], wait=False)
    b.wait_serial(BANNER)
    return b


@pytest.fixture
def pycom(make_board):
    b = make_board("pycom", boot_timeout=10)
    b.drain()
    return b


def vm_pid(b):
    """The running VM: the zygote's child (the supervisor's grandchild)."""
    def children(pid):
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    return children(children(b.pid)[0])[0]


def wait_for(b, expr, want, timeout=3.0):
    """Evaluate expr at the REPL until it shows want."""
    deadline = time.monotonic() + timeout
    while True:
        got = b.repl(expr)
        if got == want + "\r\n" or time.monotonic() > deadline:
            assert got == want + "\r\n"
            return
        time.sleep(0.02)


def test_pull_decides_a_floating_input_and_the_host_overrides_it(board):
    board.repl("from machine import Pin; p = Pin(4, Pin.IN, Pin.PULL_UP)")
    assert board.repl("p.value()") == "1\r\n"
    assert board.ctl("pin", name="4")["driver"] == "pull"
    board.ctl("pin", name="4", drive="low")
    assert board.repl("p.value()") == "0\r\n"
    board.ctl("pin", name="4", drive="float")
    board.repl("p.init(Pin.IN, Pin.PULL_DOWN)")
    assert board.repl("p.value()") == "0\r\n"


def test_firmware_output_is_seen_by_the_host(board, tmp_path):
    board.repl("from machine import Pin; led = Pin(2, Pin.OUT, value=1)")
    r = board.ctl("pin", name="2")
    assert r["level"] == 1 and r["mode"] == "out" and r["driver"] == "firmware"
    assert board.ctl("led") == {"ok": True, "rgb": "#0000ff", "on": True, "gpio": 2}
    board.repl("led.off()")
    assert board.ctl("pin", name="2")["level"] == 0
    assert board.ctl("led")["on"] is False
    board.repl("led.on()")
    r = board.ctl("pin", name="2", drive="low")   # host against an output
    assert r["level"] == 1 and r["contention"] is True
    board.close()
    vcd = parse_vcd(tmp_path / "pins.vcd")
    assert vcd["changes"]["GPIO2"][-3:] == ["1", "0", "1"]
    pins = [(e["pin"], e["level"], e["by"]) for e in trace(tmp_path) if e["event"] == "pin"]
    assert ("GPIO2", 0, "firmware") in pins and ("GPIO2", 1, "firmware") in pins


def test_open_drain_releases_to_the_pull(board):
    board.repl("from machine import Pin; p = Pin(5, Pin.OPEN_DRAIN, Pin.PULL_UP, value=0)")
    assert board.ctl("pin", name="5")["level"] == 0
    board.repl("p.value(1)")
    r = board.ctl("pin", name="5")
    assert r["level"] == 1 and r["driver"] == "pull"


def test_irq_handler_runs_on_a_host_edge(board):
    board.repl("from machine import Pin; hits = []; p = Pin(14, Pin.IN, Pin.PULL_UP)")
    board.repl("p.irq(handler=lambda pin: hits.append(pin.value()), trigger=Pin.IRQ_FALLING)")
    board.ctl("pin", name="14", drive="low")      # falling: handler runs
    wait_for(board, "hits", "[0]")
    board.ctl("pin", name="14", drive="high")     # rising: not armed
    board.ctl("pin", name="14", drive="low")      # (edges not yet handled coalesce,
    wait_for(board, "hits", "[0, 0]")             #  as a latched interrupt flag does)


def test_irq_handler_runs_while_main_sleeps(board):
    board.write(b"from machine import Pin; import time; n = [0]\r")
    board.wait_serial(b">>> ")
    board.write(b"def h(x):\r    n[0] += 1; print('irq', n[0])\r\r")
    board.wait_serial(b">>> ")
    board.write(b"p = Pin(15, Pin.IN, Pin.PULL_DOWN); p.irq(h, Pin.IRQ_RISING)\r")
    board.wait_serial(b">>> ")
    board.write(b"time.sleep_ms(3000); print('n =', n[0])\r")
    board.wait_serial(b"\r\n")            # the line is in: main is asleep now
    for i in range(1, 4):
        board.ctl("pin", name="15", drive="high")
        board.ctl("pin", name="15", drive="low")
        # each handler run before the next rising edge: edges not yet
        # handled coalesce, as a latched flag does
        board.wait_serial(b"irq %d\r\n" % i, timeout=5)
    board.wait_serial(b"n = 3\r\n", timeout=8)


def test_soft_reset_keeps_generic_pins_and_drops_irqs(board):
    board.repl("from machine import Pin; p = Pin(2, Pin.OUT, value=1)")
    board.repl("q = Pin(14, Pin.IN, Pin.PULL_UP); q.irq(lambda x: print('IRQ!'), Pin.IRQ_FALLING)")
    board.write(b"\x04")
    board.wait_serial(BANNER)
    r = board.ctl("pin", name="2")
    assert r["mode"] == "out" and r["level"] == 1       # kept across a soft reset
    board.ctl("pin", name="14", drive="low")
    assert "IRQ!" not in board.drain(0.3).decode()      # IRQs are de-initialised


def test_soft_reset_reinitialises_pycom_pins(pycom):
    pycom.repl("from machine import Pin; p = Pin('P9', Pin.OUT); p.value(1)")
    assert pycom.ctl("pin", name="P9")["level"] == 1
    pycom.write(b"\x04")
    pycom.wait_serial(b">>> ", timeout=10)
    r = pycom.ctl("pin", name="P9")
    assert r["mode"] == "in" and r["pull"] == "down" and r["level"] == 0


def test_signal_inverts(board):
    board.repl("from machine import Pin, Signal; s = Signal(Pin(2, Pin.OUT), invert=True)")
    board.repl("s.on()")
    assert board.ctl("pin", name="2")["level"] == 0
    board.repl("s.off()")
    assert board.ctl("pin", name="2")["level"] == 1


def test_watchdog_not_fed_resets_the_board_and_main_runs_again(make_board, tmp_path):
    b = make_board("generic", extra_args=["--trace", str(tmp_path / "trace.jsonl")], wait=False)
    try:
        b.wait_serial(BANNER)
        b.write(b"f = open('main.py', 'w'); f.write('import machine\\nprint(\"cause\", "
               b"machine.reset_cause())\\n'); f.close()\r")
        b.wait_serial(b">>> ")
        b.write(b"from machine import WDT; w = WDT(timeout=300); w.feed()\r")
        b.wait_serial(b">>> ")
        b.wait_serial(b"cause 3\r\n", timeout=5)             # WDT_RESET, main.py ran again
        b.wait_serial(b">>> ")
        assert b.ctl("status")["reset_cause"] == "WDT"
        assert b.ctl("status")["wdt_timeout_ms"] == 0   # a hard reset stops it
        ev = trace(tmp_path)
        start = next(e for e in ev if e["event"] == "wdt_start")
        expired = next(e for e in ev if e["event"] == "watchdog")
        assert start["timeout_ms"] == 300
        assert any(e["event"] == "wdt_feed" for e in ev)
        assert expired["t_us"] - start["t_us"] >= 300000
    finally:
        b.close()


def test_watchdog_fed_keeps_the_board_and_survives_a_soft_reset(board):
    board.write(b"from machine import WDT; import time; w = WDT(timeout=400)\r")
    board.wait_serial(b">>> ")
    board.write(b"for i in range(8):\r w.feed(); time.sleep_ms(100)\r\r")
    board.wait_serial(b">>> ", timeout=5)
    assert board.ctl("status")["boot_count"] == 1       # fed: no reset
    board.write(b"\x04")                                  # soft reset: the WDT keeps running
    board.wait_serial(BANNER)
    board.wait_serial(BANNER, timeout=5)                      # ... and resets the board
    st = board.ctl("status")
    assert st["reset_cause"] == "WDT" and st["boot_count"] == 2


def test_lightsleep_returns_after_its_time(board):
    got = board.repl("import machine, time; t = time.ticks_ms(); machine.lightsleep(150); "
                      "time.ticks_diff(time.ticks_ms(), t) >= 150")
    assert got == "True\r\n"
    assert board.ctl("status")["boot_count"] == 1


def test_rtc_memory_survives_deepsleep_but_not_power(board):
    board.repl("import machine; machine.RTC().memory(b'\\x00state\\xff')")
    board.write(b"machine.deepsleep(50)\r")
    board.wait_serial(BANNER, timeout=10)
    assert board.repl("import machine; machine.RTC().memory()") == "b'\\x00state\\xff'\r\n"
    board.ctl("power", state="cycle")
    board.wait_serial(BANNER, timeout=10)
    assert board.repl("import machine; machine.RTC().memory()") == "b''\r\n"


def test_pycom_wake_reason_and_remaining_sleep_time(pycom):
    assert pycom.repl("import machine; machine.wake_reason()") == "(0, None)\r\n"
    pycom.write(b"machine.deepsleep(30000)\r")
    pycom.wait_status("power", "sleeping")
    time.sleep(0.1)
    pycom.ctl("wake", pin="P10")
    pycom.wait_serial(b">>> ", timeout=10)
    got = pycom.repl("import machine; machine.wake_reason()[0], machine.remaining_sleep_time() > 20000")
    assert got == "(1, True)\r\n"


def test_pycom_pin_sleep_wakeup_by_host_drive(pycom):
    pycom.repl("import machine; machine.pin_sleep_wakeup(['P10'], machine.WAKEUP_ANY_HIGH)")
    pycom.write(b"machine.deepsleep()\r")
    pycom.wait_status("power", "sleeping")
    pycom.ctl("pin", name="P10", drive="high")
    pycom.wait_serial(b">>> ", timeout=10)
    assert pycom.repl("import machine; machine.reset_cause(), machine.wake_reason()[0]") == "(3, 1)\r\n"


def test_vm_segfault_panics_resets_and_the_supervisor_lives(board, tmp_path):
    board.write(b"import ctypes\r")      # not importable: crash from outside instead
    board.wait_serial(b">>> ")
    import os
    import signal
    os.kill(vm_pid(board), signal.SIGSEGV)
    got = board.wait_serial(BANNER, timeout=10)
    assert b"Guru Meditation Error" in got
    assert board.ctl("status")["reset_cause"] == "HARD"
    board.close()
    assert any(e["event"] == "panic" for e in trace(tmp_path))
