"""neopixel, machine.bitstream and machine.time_pulse_us (issue 16): a
strip's bytes go from the device to the board's strip model, which the host
reads with `ctl neopixel` and finds in the trace and the VCD at each latch;
the wire's time is board time; time_pulse_us times a pulse the host drives
while the device waits, in board time; bad arguments raise upstream's
exceptions, and Pycom's 1.11 machine has neither function."""
import json

import pytest

from boardlib import Board, repl
from test_hardware import parse_vcd


def board(tmp_path, port="esp32", extra=()):
    b = Board(tmp_path, board=port, extra=list(extra))
    b.expect(b">>> ", timeout=20)
    return b


@pytest.fixture
def esp32(tmp_path):
    b = board(tmp_path)
    yield b
    b.quit()


def test_a_strip_shows_what_neopixel_wrote_in_ctl_trace_and_vcd(tmp_path):
    tr, vcd = str(tmp_path / "t.jsonl"), str(tmp_path / "w.vcd")
    b = board(tmp_path, "esp32", ["--trace", tr, "--vcd", vcd])
    try:
        assert repl(b, "import neopixel, machine; np = neopixel.NeoPixel(machine.Pin(13), 3); "
                       "np[0] = (255, 16, 1); np[2] = (0, 0, 9); np.write(); np[0], np[1], len(np)") \
            == "((255, 16, 1), (0, 0, 0), 3)\r\n"
        r = b.ctl("neopixel", pin="13")
        assert r["pin"] == "GPIO13" and r["gpio"] == 13 and r["latches"] == 1
        assert r["raw"] == "10ff01" "000000" "000009"           # G R B on the wire (ORDER)
        assert r["rgb"] == ["#ff1001", "#000000", "#000009"]
        assert r["timing_ns"] == [400, 850, 800, 450]          # timing=1: 800 kHz
        repl(b, "np.fill((1, 2, 3)); np.write()")
        r = b.ctl("neopixel", pin="13")
        assert r["latches"] == 2 and r["rgb"] == ["#010203"] * 3
        # an RGBW strip at 400 kHz on another pin
        assert repl(b, "w = neopixel.NeoPixel(machine.Pin(14), 2, bpp=4, timing=0); w[1] = (1, 2, 3, 4); "
                       "w.write(); w[1]") == "(1, 2, 3, 4)\r\n"
        r = b.ctl("neopixel", pin="14")
        assert r["rgbw"] == ["#00000000", "#01020304"] and r["timing_ns"] == [400, 1000, 1000, 400]
        strips = b.ctl("neopixel")
        assert strips["neopixel"] == {"GPIO13": {"gpio": 13, "bytes": 9, "latches": 2},
                                      "GPIO14": {"gpio": 14, "bytes": 8, "latches": 1}}
        assert strips["malformed"] == 0
        assert b.ctl("neopixel", pin="12") == {"ok": True, "pin": "GPIO12", "gpio": 12, "bytes": 0, "latches": 0}
        assert "no pin" in b.ctl("neopixel", pin="99")["error"]
    finally:
        b.quit()
    latches = [json.loads(l) for l in open(tr) if '"neopixel"' in l]
    assert [(e["pin"], e["latch"], e["rgb"]) for e in latches] == [
        ("GPIO13", 1, ["#ff1001", "#000000", "#000009"]), ("GPIO13", 2, ["#010203"] * 3),
        ("GPIO14", 1, ["#000000", "#020001"])]                 # the trace reads 3 bytes a pixel
    ch = parse_vcd(vcd)["changes"]
    assert [int(v, 2) for v in ch["neopixel0_gpio"][1:]] == [13]
    assert [int(v, 2) for v in ch["neopixel0_latches"][1:]] == [1, 2]
    assert [int(v, 2) for v in ch["neopixel0_rgb0"][1:]] == [0xFF1001, 0x010203]
    assert [int(v, 2) for v in ch["neopixel1_gpio"][1:]] == [14]


def test_a_long_strip_crosses_several_requests_and_takes_the_wire_s_board_time(esp32):
    # 300 RGB pixels (900 bytes, two requests on the line); every bit takes
    # 1.25 us at 800 kHz, then the 50 us latch: 9050 us of board time at least
    assert repl(esp32, "import machine, time; buf = bytes(range(256)) * 3 + bytes(132); "
                       "t = time.ticks_us(); machine.bitstream(machine.Pin(13), 0, (400, 850, 800, 450), buf); "
                       "time.ticks_diff(time.ticks_us(), t) >= 9050") == "True\r\n"
    r = esp32.ctl("neopixel", pin="13")
    assert r["bytes"] == 900 and r["latches"] == 1
    assert r["raw"] == (bytes(range(256)) + bytes(range(32))).hex()   # raw shows the first 288 bytes
    assert r["truncated"] is True and len(r["rgb"]) == 96
    assert r["rgb"][1] == "#040305"                            # bytes 3, 4, 5 as G R B
    # a shorter frame sets the first pixels; the others keep their colours
    repl(esp32, "machine.bitstream(machine.Pin(13), 0, (400, 850, 800, 450), b'\\x09\\x08\\x07')")
    r = esp32.ctl("neopixel", pin="13")
    assert (r["bytes"], r["last_frame_bytes"], r["latches"]) == (900, 3, 2)
    assert r["rgb"][:2] == ["#080907", "#040305"]


@pytest.mark.parametrize("code,err", [
    ("bitstream(Pin(13), 1, (1, 2, 3, 4), b'x')", "ValueError: encoding"),
    ("bitstream(Pin(13), 0, (1, 2, 3), b'x')", "ValueError: requested length 4 but object has length 3"),
    ("bitstream(Pin(13), 0, 5, b'x')", "TypeError: object 'int' isn't a tuple or list"),
    ("bitstream(Pin(13), 0, (1, 2, 3, 4), 5)", "TypeError: object with buffer protocol required"),
    ("bitstream(Pin(13), 0, (1, 2, 3, 'a'), b'x')", "TypeError: can't convert str to int"),
    ("bitstream(Pin(13), 0, (1, 2, 3, 4))", "TypeError: function missing 1 required positional arguments"),
    ("bitstream(Pin(13), 0, (1, 2, 3, 4), b'x', 1)", "TypeError: function expected at most 4 arguments, got 5"),
    ("bitstream(99, 0, (1, 2, 3, 4), b'x')", "ValueError: invalid pin"),
    ("bitstream(Pin(34), 0, (1, 2, 3, 4), b'x')", "OSError: [Errno 22] EINVAL"),   # input only: no strip
    ("time_pulse_us(Pin(13))", "TypeError: function missing 1 required positional arguments"),
    ("time_pulse_us(Pin(13), 1, timeout_us=5)", "TypeError: function doesn't take keyword arguments"),
])
def test_bad_arguments_raise_upstream_s_errors(esp32, code, err):
    assert err in repl(esp32, "from machine import Pin, bitstream, time_pulse_us; " + code)
    assert esp32.ctl("neopixel")["neopixel"] == {}


def test_pycom_has_neither_and_rp2_has_both(tmp_path):
    b = board(tmp_path, "pycom")
    try:
        assert repl(b, "import machine; hasattr(machine, 'bitstream'), hasattr(machine, 'time_pulse_us')") \
            == "(False, False)\r\n"
        assert "ImportError: no module named 'neopixel'" in repl(b, "import neopixel")
    finally:
        b.quit()
    (tmp_path / "r").mkdir()
    b = board(tmp_path / "r", "rp2")
    try:
        repl(b, "import neopixel, machine; np = neopixel.NeoPixel(machine.Pin(16), 1); np[0] = (7, 8, 9); np.write()")
        assert b.ctl("neopixel", pin="GP16")["rgb"] == ["#070809"]
        assert repl(b, "machine.time_pulse_us(machine.Pin(2, machine.Pin.IN, machine.Pin.PULL_DOWN), 1, 100)") \
            == "-2\r\n"
    finally:
        b.quit()


def fast_board(tmp_path):
    b = Board(tmp_path, board="esp32", extra=["--clock", "fast"])
    b.expect(b">>> ", timeout=20)
    return b


def clock(b):
    return b.ctl("clock")["board_us"]


def advance(b, ms):
    b.wait_board_us(b.ctl("advance", ms=str(ms))["until_us"], 20.0)


def test_time_pulse_us_times_the_host_s_pulse_in_board_time(tmp_path):
    b = fast_board(tmp_path)
    try:
        repl(b, "from machine import Pin, time_pulse_us; p = Pin(4, Pin.IN, Pin.PULL_DOWN)")
        b.ctl("advance", ms="0")                               # the host drives time from here
        b.send(b"print('go'); print('pulse', time_pulse_us(p, 1, 5000000))\r")
        b.expect(b"go\r\n", timeout=10)
        advance(b, 30)                                         # the device waits for the level
        rise = (clock(b), b.ctl("pin", name="4", drive="high"), clock(b))
        advance(b, 120)                                        # the pulse lasts 120 ms of board time
        fall = (clock(b), b.ctl("pin", name="4", drive="low"), clock(b))
        got = b.expect(b">>> ", timeout=10)
        pulse = int(got.split(b"pulse ")[1].split(b"\r\n")[0])
        # within the board times the host saw around its two edges (and the
        # VM's wake after each)
        assert fall[0] - rise[2] - 5000 <= pulse <= fall[2] - rise[0] + 5000
        assert pulse >= 120000 - 5000
        # a 10-second pulse the host never ends, and a level never reached:
        # the timeouts pass in board time (the fast clock jumps the waits)
        b.ctl("clock", action="free")
        b.ctl("pin", name="4", drive="high")
        t0 = clock(b)
        assert repl(b, "time_pulse_us(p, 1, 10000000), time_pulse_us(p, 0, 10000000)", timeout=10) == "(-1, -2)\r\n"
        assert clock(b) - t0 >= 20000000
        # the pin's own IRQ still runs for its trigger only, once per edge
        repl(b, "n = []; p.irq(lambda q: n.append(q.value()), Pin.IRQ_FALLING)")
        b.ctl("advance", ms="0")
        b.send(b"print('go'); print('pulse', time_pulse_us(p, 0, 5000000))\r")
        b.expect(b"go\r\n", timeout=10)
        b.ctl("pin", name="4", drive="low")
        advance(b, 10)
        b.ctl("pin", name="4", drive="high")
        b.expect(b"pulse ", timeout=10)
        b.expect(b">>> ", timeout=10)
        assert repl(b, "n") == "[0]\r\n"
    finally:
        b.quit()


def test_the_python_api_reads_the_strips():
    import vboard
    with vboard.Board(board="rp2") as b:
        b.exec("import neopixel, machine; np = neopixel.NeoPixel(machine.Pin(3), 2); np.fill((9, 8, 7)); np.write()")
        assert b.neopixel("GP3")["rgb"] == ["#090807"] * 2
        assert b.neopixel() == {"GP3": {"gpio": 3, "bytes": 6, "latches": 1}}


PULSE_SCENARIO = """\
name: a pulse the scenario drives
steps:
  - wait-serial: ">>> "
  - write-serial: "from machine import Pin, time_pulse_us; p = Pin(4, Pin.IN, Pin.PULL_DOWN); print('go'); \
print('pulse', 240000 <= time_pulse_us(p, 1, 5000000) < 300000)\\r"
  - wait-serial: "go\\r\\n"
  - set-pin: {pin: "4", value: high}
  - delay: 250ms
  - set-pin: {pin: "4", value: low}
  - wait-serial: "pulse True"
"""


def test_time_pulse_us_under_a_scenario_s_set_pin(tmp_path):
    from test_scenarios import vtest, write
    r = vtest(tmp_path, write(tmp_path, "pulse.yaml", PULSE_SCENARIO))
    assert r.rc == 0, r


STRIP_SCENARIO = """\
name: a status LED strip
steps:
  - wait-serial: ">>> "
  - exec: "import neopixel, machine; np = neopixel.NeoPixel(machine.Pin(5), 3); np[0] = (255, 0, 0); np[2] = (1, 2, 3); np.write()"
  - expect-neopixel: {pin: "5", color: "#ff0000"}
  - expect-neopixel: {pin: "5", pixel: 1, color: "#000000"}
  - expect-neopixel: {pin: "5", pixel: 2, color: "#010203"}
"""


def test_expect_neopixel_steps(tmp_path):
    """A scenario checks what a strip shows, pixel by pixel (GRB on the
    wire, #rrggbb in the step); a wrong colour and a pixel past the strip
    fail the scenario with a sentence."""
    from test_scenarios import vtest, write
    r = vtest(tmp_path, write(tmp_path, "strip.yaml", STRIP_SCENARIO))
    assert r.rc == 0, r
    bad = STRIP_SCENARIO.replace('pixel: 2, color: "#010203"', 'pixel: 2, color: "#030201"')
    r = vtest(tmp_path, write(tmp_path, "bad.yaml", bad))
    assert r.rc == 1 and "pixel 2 on 5 is #010203, expected #030201" in r.text + r.errtext, r
    past = STRIP_SCENARIO.replace('pixel: 1, color: "#000000"', 'pixel: 7, color: "#000000"')
    r = vtest(tmp_path, write(tmp_path, "past.yaml", past))
    assert r.rc == 1 and "the strip on 5 shows no pixel 7" in r.text + r.errtext, r
