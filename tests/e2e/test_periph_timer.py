"""machine.Timer (issue 16): callbacks run between bytecodes in board time,
under both clocks, on every port's API (esp32 Timer(id), rp2 Timer(-1),
Pycom Timer.Alarm); a busy loop gets them; soft reset stops them. Every
assertion is on counts and board timestamps (ticks_us), never wall time."""
import pytest

from boardlib import Board, repl

HOUR_US = 3600 * 1000000

# A 10 Hz periodic timer per port, recording board time at each call.
PERIODIC = {
    "esp32": "from machine import Timer\nt = Timer(0, mode=Timer.PERIODIC, period=100, callback=cb)\n",
    "rp2": "from machine import Timer\nt = Timer(period=100, callback=cb)\n",
    "pycom": "from machine import Timer\nt = Timer.Alarm(cb, ms=100, periodic=True)\n",
}
STOP = {"esp32": "t.deinit()", "rp2": "t.deinit()", "pycom": "t.cancel()"}


def define(b, code):
    assert repl(b, "exec(%r)" % code, timeout=10) == ""


def board(tmp_path, port="esp32", clock="real"):
    b = Board(tmp_path, board=port, extra=["--clock", clock])
    b.expect(b">>> ", timeout=20)
    return b


@pytest.mark.parametrize("clock", ["real", "fast"])
@pytest.mark.parametrize("port", ["esp32", "rp2", "pycom"])
def test_periodic_10hz_over_a_second_of_board_time(tmp_path, port, clock):
    b = board(tmp_path, port, clock)
    try:
        define(b, "import time\nts = []\ndef cb(t): ts.append(time.ticks_us())\n"
                  "t0 = time.ticks_us()\n" + PERIODIC[port] + "time.sleep_ms(1050)\n" + STOP[port] + "\n")
        got = eval(repl(b, "print([time.ticks_diff(x, t0) for x in ts])"))
        assert len(got) == 10, got
        for k, at in enumerate(got, 1):        # each at its deadline, in board time
            assert k * 100000 <= at < k * 100000 + 30000, got
        # stopped: another second passes without a call
        assert repl(b, "time.sleep(1); len(ts)") == "10\r\n"
    finally:
        b.quit()


def test_one_shot_fires_once_and_init_rearms(tmp_path):
    b = board(tmp_path)
    try:
        define(b, "import time\nfrom machine import Timer\nn = []\n"
                  "t = Timer(1, mode=Timer.ONE_SHOT, period=50, callback=lambda t: n.append(t))\n"
                  "time.sleep_ms(300)\n")
        assert repl(b, "len(n), n[0] is t") == "(1, True)\r\n"
        assert repl(b, "t.init(mode=Timer.ONE_SHOT, freq=20, callback=lambda t: n.append(2)); time.sleep_ms(200); n[1:]") \
            == "[2]\r\n"
        assert repl(b, "Timer(1) is t, repr(Timer(1))") == "(True, 'Timer(1, mode=ONE_SHOT, period=50)')\r\n"
    finally:
        b.quit()


@pytest.mark.parametrize("clock", ["real", "fast"])
def test_callbacks_reach_a_busy_loop_on_time(tmp_path, clock):
    """Nothing waits in a busy loop: the board's signal brings each callback,
    near its deadline in board time (the median lateness stays far below
    the period; a board that only noticed the deadline late was 30 ms off)."""
    b = board(tmp_path, "rp2", clock)
    try:
        define(b, "import time\nfrom machine import Timer\nts = []\n"
                  "def cb(t): ts.append(time.ticks_us())\n"
                  "t0 = time.ticks_us()\nt = Timer(period=20, callback=cb)\n"
                  "while len(ts) < 20: pass\nt.deinit()\n")
        got = eval(repl(b, "print([time.ticks_diff(x, t0) for x in ts])"))
        late = sorted(at - k * 20000 for k, at in enumerate(got, 1))
        assert late[0] >= 0 and late[len(late) // 2] < 10000, got
    finally:
        b.quit()


def test_an_hour_of_periodic_timers_under_the_fast_clock_in_order(tmp_path):
    b = board(tmp_path, "esp32", "fast")
    try:
        define(b, "import time\nfrom machine import Timer\nlog = []\nt0 = time.ticks_ms()\n"
                  "def mk(i): return lambda t: log.append((i, time.ticks_diff(time.ticks_ms(), t0)))\n"
                  "a = Timer(0, period=60000, callback=mk(0))\nc = Timer(2, period=420000, callback=mk(1))\n"
                  "time.sleep(3600)\na.deinit()\nc.deinit()\n")
        log = eval(repl(b, "print(log)", timeout=60))
        assert [at for _, at in log] == sorted(at for _, at in log)
        mins = [at for i, at in log if i == 0]
        sevens = [at for i, at in log if i == 1]
        assert len(mins) == 60 and len(sevens) == 8
        for k, at in enumerate(mins, 1):
            assert k * 60000 <= at <= k * 60000 + 20
        for k, at in enumerate(sevens, 1):
            assert k * 420000 <= at <= k * 420000 + 20
    finally:
        b.quit()


@pytest.mark.parametrize("clock,ms,slack", [("real", 300, 50), ("fast", 600000, 20)])
def test_timer_at_the_idle_repl_fires_in_board_time(tmp_path, clock, ms, slack):
    """The REPL waits for input with a timer due: its wait ends there (the
    fast clock jumps there, not past it, ten minutes at once) and the
    callback runs at its board time."""
    b = board(tmp_path, "esp32", clock)
    try:
        b.send(b"import time; from machine import Timer; at = []; t0 = time.ticks_ms(); "
               b"t = Timer(3, mode=Timer.ONE_SHOT, period=%d, "
               b"callback=lambda t: (at.append(time.ticks_diff(time.ticks_ms(), t0)), print('FIRED')))\r" % ms)
        b.expect(b">>> ")
        b.expect(b"FIRED", timeout=10)
        b.expect(b"\r\n")
        at = int(repl(b, "at[0]"))
        assert ms <= at <= ms + slack          # a real clock runs on while the VM wakes
    finally:
        b.quit()


def test_soft_reset_stops_timers_and_a_raising_callback_keeps_its_timer(tmp_path):
    b = board(tmp_path, "esp32")
    try:
        out = repl(b, "exec(%r)" % ("import time\nfrom machine import Timer\nn = [0]\n"
                                   "def cb(t):\n    n[0] += 1\n    if n[0] == 2: raise ValueError('boom')\n"
                                   "t = Timer(0, period=30, callback=cb)\ntime.sleep_ms(200)\n"))
        assert "ValueError: boom" in out and out.count("Traceback") == 1
        assert repl(b, "n[0] > 3") == "True\r\n"
        b.send(b"\x04")
        b.expect(b"soft reboot", timeout=10)
        b.expect(b">>> ", timeout=10)
        b.drain(0.5)
        assert repl(b, "import time; time.sleep_ms(300)") == ""      # no callback, no traceback
        assert repl(b, "'Timer' in dir(__import__('machine'))") == "True\r\n"
    finally:
        b.quit()


def test_raising_callback_is_printed(tmp_path):
    b = board(tmp_path, "rp2")
    try:
        b.send(b"from machine import Timer; import time; t = Timer(mode=Timer.ONE_SHOT, period=10, "
               b"callback=lambda t: 1/0); time.sleep_ms(50)\r")
        got = b.expect(b">>> ")
        assert b"ZeroDivisionError" in got and b"Traceback (most recent call last):" in got
    finally:
        b.quit()


@pytest.mark.parametrize("port,code,err", [
    ("rp2", "Timer(1)", "ValueError: Timer doesn't exist"),
    ("rp2", "repr(Timer(period=5, mode=Timer.ONE_SHOT, callback=None))", "'Timer(mode=ONE_SHOT, tick_hz=1000000, period=5000)'"),
    ("pycom", "Timer.Alarm(None)", "ValueError: please provide one of s, ms or us"),
])
def test_timer_arguments(tmp_path, port, code, err):
    b = board(tmp_path, port)
    try:
        assert err in repl(b, "from machine import Timer; " + code)
    finally:
        b.quit()


def test_pycom_chrono_counts_board_time(tmp_path):
    b = board(tmp_path, "pycom", "fast")
    try:
        assert repl(b, "from machine import Timer; import time; c = Timer.Chrono(); c.start(); "
                       "time.sleep(100); c.stop(); time.sleep(5); 100000000 <= c.read_us() < 100050000") == "True\r\n"
    finally:
        b.quit()


def test_esp32_value_counts_ms_since_the_last_reload(tmp_path):
    b = board(tmp_path, "esp32", "fast")
    try:
        define(b, "import time\nfrom machine import Timer\nt = Timer(2, period=1000, callback=None)\n"
                  "time.sleep_ms(2500)\nv = t.value()\nt.deinit()\ntime.sleep(3)\n")
        v, after = eval(repl(b, "print((v, t.value()))"))
        assert 500 <= v < 520 and after == v            # stands still from deinit() on
    finally:
        b.quit()


@pytest.mark.parametrize("clock", ["real", "fast"])
def test_a_timer_runs_during_select_poll(tmp_path, clock):
    b = board(tmp_path, "esp32", clock)
    try:
        define(b, "import select, sys, time\nfrom machine import Timer\np = select.poll()\n"
                  "p.register(sys.stdin, select.POLLIN)\nts = []\nt0 = time.ticks_us()\n"
                  "t = Timer(0, mode=Timer.ONE_SHOT, period=100, callback=lambda t: ts.append(time.ticks_us()))\n"
                  "r = p.poll(300)\nt1 = time.ticks_us()\n")
        at, end = eval(repl(b, "print((time.ticks_diff(ts[0], t0), time.ticks_diff(t1, t0)))"))
        assert 100000 <= at < 130000 and end >= 300000     # the poll went on to its own timeout
    finally:
        b.quit()
