"""The Python API (python/vboard) and its pytest plugin, against the real
binary: every Board method, the `board` fixture with its marker on esp32
and pycom, and boards stopped after a test whatever happens to it."""
import os
import random
import subprocess
import sys
import time

import pytest

import vboard
from vboard import Board, BoardRefused, BoardTimeout, MicroPythonError
from vboard.board import poll_until
from conftest import ROOT, VBOARD

PYTHON_DIR = os.path.join(ROOT, "python")


def gone(pid, timeout=15.0):
    """Wait (against a deadline) until no process `pid` exists (a zombie
    counts as gone: it runs nothing)."""
    def gone_now():
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] == "Z"
        except FileNotFoundError:
            return True
    try:
        return poll_until(gone_now, timeout, "process %d to end" % pid)
    except BoardTimeout:
        return False


# ---- the raw REPL --------------------------------------------------------------

def test_exec_returns_the_output_bytes_exactly(board):
    assert board.exec("print('a'); print(1+1)") == "a\r\n2\r\n"
    assert board.exec("x = 6") == ""
    assert board.exec("print(x * 7, end='')") == "42"
    assert board.exec_raw("print('o')\n1/0")[0] == b"o\r\n"
    out = board.exec("for i in range(3):\n    print(i)\n")
    assert out == "0\r\n1\r\n2\r\n"


def test_eval_round_trips_literals_and_falls_back_to_text(board):
    assert board.eval("1+1") == 2
    assert board.eval("[1, 'a', b'\\x00\\xff', None, (True, 2.5)]") == [1, "a", b"\x00\xff", None, (True, 2.5)]
    assert board.eval("{'k': {1, 2}}") == {"k": {1, 2}}
    got = board.eval("object()")
    assert isinstance(got, str) and got.startswith("<object object at ")


def test_tracebacks_raise_micropython_error_with_the_name(board):
    with pytest.raises(MicroPythonError) as ei:
        board.exec("print('before')\n1/0")
    e = ei.value
    assert e.name == "ZeroDivisionError" and e.message == "divide by zero"
    assert e.output == "before\r\n"
    assert e.traceback == ('Traceback (most recent call last):\r\n'
                           '  File "<stdin>", line 2, in <module>\r\n'
                           'ZeroDivisionError: divide by zero\r\n')
    assert "ZeroDivisionError: divide by zero" in str(e)
    with pytest.raises(MicroPythonError) as ei:
        board.exec("open('/nope')")
    assert ei.value.name == "OSError" and ei.value.message == "[Errno 2] ENOENT"
    with pytest.raises(MicroPythonError) as ei:
        board.eval("undefined_name")
    assert ei.value.name == "NameError"
    with pytest.raises(MicroPythonError) as ei:
        board.exec("def f(:\n pass")
    assert ei.value.name == "SyntaxError"
    assert board.exec("print('still here')") == "still here\r\n"   # the REPL went on


def test_exec_timeout_names_the_wait_and_the_board_recovers(board):
    with pytest.raises(BoardTimeout) as ei:
        board.exec("import time\nprint('started')\ntime.sleep(30)", timeout=0.5)
    assert "the end of the output" in str(ei.value) and "started" in str(ei.value)
    # the next command interrupts the program, as mpremote does
    assert board.eval("6*7") == 42


# ---- the friendly REPL and the serial line ---------------------------------------

def test_friendly_repl_lines_between_raw_commands(board):
    assert board.repl("1+1") == "2\r\n"
    assert board.repl("x = 5") == ""
    assert board.eval("x") == 5                    # the raw REPL shares the globals
    assert board.repl("x * 2") == "10\r\n"
    assert board.repl("1/0").endswith("ZeroDivisionError: divide by zero\r\n")
    board.write(b"print('typed')\r")
    assert board.wait_serial("typed\r\n>>> ").endswith("typed\r\n>>> ")


@pytest.mark.vboard(files={"main.py": "print('main says hi')\n"})
def test_wait_serial_sees_boot_output_and_a_timeout_shows_the_bytes(board):
    assert "main says hi" in board.transcript.decode()
    assert board.wait_serial(b"main says hi\r\n").endswith(b"main says hi\r\n")
    board.write("print('abc')\r")
    with pytest.raises(BoardTimeout) as ei:
        board.wait_serial("never printed", timeout=0.3)
    msg = str(ei.value)
    assert "'never printed'" in msg and "abc" in msg, msg
    assert ei.value.waited_for == "'never printed'" and b"abc\r\n" in ei.value.received


def test_interrupt_and_soft_reset(board):
    board.write(b"import time; print('sleeping'); time.sleep(30)\r")
    # printed by the running code, so a Ctrl-C now interrupts it (after the
    # echo alone it could come before the line runs, an ordinary byte then)
    board.wait_serial("sleeping\r\n")
    got = board.interrupt()
    assert "KeyboardInterrupt" in got, got
    board.exec("open('main.py', 'w').write('print(\"main ran\")\\n')")
    got = board.soft_reset()
    assert "MPY: soft reboot\r\nmain ran\r\n" in got, got
    assert board.eval("__import__('machine').reset_cause()") == 5     # SOFT_RESET


# ---- files --------------------------------------------------------------------------

def test_put_get_binary_round_trip_ls_rm_mkdir(board):
    rng = random.Random(14)
    small = bytes(range(32)) + b"\r\n\x04\x03\x01'\"\\" + bytes(range(256))
    big = rng.randbytes(100 * 1024)
    board.mkdir("data")
    board.put("data/small.bin", small)
    board.put("/data/big.bin", big, chunk=1024)
    board.put("text.txt", "héllo\n")
    assert board.get("data/small.bin") == small
    assert board.get("/data/big.bin") == big
    assert board.get("text.txt") == "héllo\n".encode()
    assert board.ls() == ["boot.py", "data", "text.txt"]
    assert board.ls("/data", long=True) == [("big.bin", False, len(big)), ("small.bin", False, len(small))]
    assert ("data", True, 0) in board.ls(long=True)
    board.rm("data/small.bin")
    assert board.ls("data") == ["big.bin"]
    with pytest.raises(MicroPythonError) as ei:
        board.get("data/small.bin")
    assert ei.value.name == "OSError" and "ENOENT" in ei.value.message
    with pytest.raises(MicroPythonError):
        board.rmdir("data")                       # not empty
    board.rm("data/big.bin")
    board.rmdir("data")
    assert board.ls() == ["boot.py", "text.txt"]


# ---- the control socket -----------------------------------------------------------

def test_pins_from_both_sides_and_the_led(board):
    assert board.pin(4) == 0
    assert board.pin_info("GPIO4")["floating"] is True
    assert board.pin(4, "high") == 1
    assert board.exec("from machine import Pin") or board.eval("Pin(4, Pin.IN).value()") == 1
    assert board.pin("4", drive=False) == 0
    assert board.eval("Pin(4).value()") == 0
    assert board.pin_info(4, "float")["driver"] == "none"
    assert board.led() == "#000000"
    board.exec("led = Pin(2, Pin.OUT, value=1)")
    assert board.pin(2) == 1 and board.led() == "#0000ff"
    board.exec("led.off()")
    assert board.led() == "#000000"
    with pytest.raises(BoardRefused) as ei:
        board.pin("GPIO99")
    assert "no pin" in ei.value.error


def test_wait_pin_sees_a_level_and_a_pulse(board):
    board.exec("from machine import Pin, Timer\n"
               "led = Pin(2, Pin.OUT, value=0)\n"
               "blip = Pin(4, Pin.OUT, value=0)\n"
               "def later(t):\n"
               "    led.value(1)\n"
               "    blip.value(1)\n"
               "    blip.value(0)\n"
               "Timer(0).init(mode=Timer.ONE_SHOT, period=300, callback=later)")
    assert board.wait_pin("GPIO4", 1, timeout=20)["level"] == 0    # the pulse, gone again
    assert board.wait_pin(2, "high")["level"] == 1                  # already so: at once
    with pytest.raises(BoardTimeout):
        board.wait_pin(2, "low", timeout=0.3)
    with pytest.raises(ValueError):
        board.wait_pin(2, "up")


def test_ctl_and_status(board):
    st = board.status()
    assert st["ok"] is True and st["profile"] == "esp32" and st["power"] == "on"
    assert st["boot_count"] == 1 and st["reset_cause"] == "PWRON"
    assert board.ctl("led")["on"] is False
    with pytest.raises(BoardRefused) as ei:
        board.ctl("explode")
    assert "unknown command" in str(ei.value)


def test_reset_power_brownout_and_their_causes(board):
    board.exec("x = 1")
    out = board.reset()
    assert out.endswith(">>> ")
    st = board.status()
    assert st["boot_count"] == 2 and st["reset_cause"] == "PWRON"
    with pytest.raises(MicroPythonError) as ei:
        board.eval("x")                            # RAM is gone
    assert ei.value.name == "NameError"
    assert board.eval("__import__('machine').reset_cause()") == 1     # PWRON_RESET
    board.brownout()
    assert board.status()["reset_cause"] == "BROWNOUT"
    assert board.repl("import machine; machine.reset_cause()") == "1\r\n"
    board.power("off")
    assert board.status()["power"] == "off"
    with pytest.raises(vboard.VboardError):
        board.exec("1")                            # no power, no REPL
    board.power("on")
    assert board.status()["power"] == "on" and board.eval("1+1") == 2
    board.power("cycle")
    st = board.status()
    assert st["boot_count"] == 5 and st["reset_cause"] == "PWRON"
    assert st["machine_reset_cause"] == "PWRON_RESET"
    board.exec("import machine, time; machine.RTC().memory(b'kept')")
    board.exec("machine.deepsleep(60000)", follow=False)
    board.wait_status("power", "sleeping")
    board.wake()
    assert board.status()["reset_cause"] == "DEEPSLEEP"
    assert board.eval("__import__('machine').RTC().memory()") == b"kept"


def test_delay_lets_board_time_pass(board):
    board.exec("import time")
    t0 = board.eval("time.ticks_ms()")
    us0 = board.board_time_us()
    reached = board.delay(300)
    assert reached >= us0 + 300000 and board.board_time_us() >= reached
    assert board.eval("time.ticks_diff(time.ticks_ms(), %d)" % t0) >= 300


@pytest.mark.vboard(clock="fast")
def test_fast_clock_skips_an_hour_of_deep_sleep(board):
    assert board.clock()["mode"] == "fast" and board.status()["clock"] == "fast"
    board.exec("import machine, time")
    t0 = board.eval("time.ticks_ms()")
    board.delay(3600 * 1000)                       # an idle hour of board time
    assert board.eval("time.ticks_diff(time.ticks_ms(), %d)" % t0) >= 3600 * 1000
    before = board.board_time_us()
    # the delay left the host holding the clock; let go of it, and a day of
    # deep sleep (nothing else is due) jumps straight to its wake
    board.free_clock()
    board.exec("machine.deepsleep(24 * 3600 * 1000)", follow=False)
    board.wait_serial(">>> ", timeout=20)
    st = board.status()
    assert st["reset_cause"] == "DEEPSLEEP" and st["machine_reset_cause"] == "DEEPSLEEP_RESET"
    assert st["board_us"] >= before + 24 * 3600 * 10**6
    with pytest.raises(ValueError):
        board.delay(1.5)


# ---- the fixture, its marker and the plugin ----------------------------------------

@pytest.mark.vboard(board="pycom", files={"main.py": "x = 7\n", "/flash/lib/util.py": b"Y = b'\\x00'\n"})
def test_fixture_marker_starts_pycom_with_files(board):
    assert board.board == "pycom" and board.status()["profile"] == "pycom"
    assert board.eval("x") == 7
    assert board.eval("__import__('util').Y") == b"\x00"
    assert board.eval("__import__('os').getcwd()") == "/flash"
    assert board.ls("/flash") == ["boot.py", "cert", "lib", "main.py", "sys"]
    board.exec("import pycom; pycom.heartbeat(False); pycom.rgbled(0x102030)")
    assert board.led() == "#102030"
    board.brownout()
    assert board.eval("__import__('machine').reset_cause()") == 5     # Pycom BROWN_OUT


@pytest.mark.vboard("esp32", args=["--rtc", "host"])
def test_fixture_marker_positional_board_and_args(board):
    assert board.status()["profile"] == "esp32"
    assert "--rtc" in board.args
    assert board.eval("__import__('time').localtime()[0]") == time.gmtime().tm_year


def test_make_board_starts_several(make_board, tmp_path):
    a = make_board("esp32", flash=tmp_path / "a.bin")
    b = make_board("rp2")
    a.put("f.txt", b"one")
    assert a.get("f.txt") == b"one" and b.status()["profile"] == "rp2"
    assert a.close() == 0 and not a.running
    assert b.running
    c = make_board("esp32", flash=tmp_path / "a.bin")       # the image kept its file
    assert c.get("f.txt") == b"one"


def test_context_manager_stops_the_board_and_removes_its_files():
    with Board("esp32", timeout=10) as b:
        pid, tmpdir = b.pid, b.tmpdir
        assert b.eval("1") == 1 and os.path.exists(b.control)
    assert gone(pid) and not os.path.exists(tmpdir)
    assert b.close() == 0                          # twice is fine


def test_a_board_that_cannot_start_says_why(tmp_path):
    with pytest.raises(vboard.VboardError) as ei:
        Board("nosuchboard")
    assert "nosuchboard" in str(ei.value)
    with pytest.raises(vboard.VboardError) as ei:
        Board("esp32", binary=str(tmp_path / "missing"))
    assert "missing" in str(ei.value)


INNER_TESTS = '''
import os, pytest

@pytest.mark.vboard(board="esp32", files={"main.py": "print('inner main ran')\\n"})
def test_fails(board):
    open(os.environ["PIDFILE"], "w").write("%d %s" % (board.pid, board.tmpdir))
    board.exec("print('inner exec output')")
    assert board.eval("1+1") == 3

def test_error_in_setup_leaves_nothing(make_board):
    b = make_board("esp32")
    open(os.environ["PIDFILE"] + "2", "w").write("%d %s" % (b.pid, b.tmpdir))
    b.exec("1/0")
'''


def test_boards_are_stopped_after_failing_tests_and_the_report_has_the_serial(tmp_path):
    (tmp_path / "test_inner.py").write_text(INNER_TESTS)
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR, VBOARD=VBOARD, PIDFILE=str(tmp_path / "pid"))
    r = subprocess.run([sys.executable, "-m", "pytest", "-p", "vboard.pytest_plugin", "-q",
                        "-p", "no:cacheprovider", str(tmp_path / "test_inner.py")],
                       cwd=str(tmp_path), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=120)
    out = r.stdout.decode()
    assert r.returncode == 1 and "2 failed" in out, out
    assert "vboard serial (esp32, pid" in out and "inner main ran" in out, out
    assert "ZeroDivisionError: divide by zero" in out, out
    for name in ("pid", "pid2"):
        pid, tmpdir = (tmp_path / name).read_text().split()
        assert gone(int(pid)), "board %s still running after its test failed" % pid
        assert not os.path.exists(tmpdir)


CRASH_SCRIPT = '''
import os, signal, sys
from vboard import Board
b = Board("esp32")
print(b.pid, b.tmpdir, flush=True)
if sys.argv[1] == "kill":
    os.kill(os.getpid(), signal.SIGKILL)    # the test runner dies outright
# else: exit without close(): the finalizer stops it
'''


@pytest.mark.parametrize("how", ["exit", "kill"])
def test_a_runner_that_never_closes_or_dies_leaves_no_board(tmp_path, how):
    script = tmp_path / "crash.py"
    script.write_text(CRASH_SCRIPT)
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR, VBOARD=VBOARD)
    r = subprocess.run([sys.executable, str(script), how], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    pid, tmpdir = r.stdout.decode().split()
    assert gone(int(pid)), "board %s left running (%s)" % (pid, how)
    if how == "exit":
        assert r.returncode == 0, r.stderr
        assert not os.path.exists(tmpdir)
