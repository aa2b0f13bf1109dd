"""`vboard test` (issue 14 §2): scenario files run on fresh boards.

Every step kind passing and failing, bad files refused with FILE:LINE
before any board starts (exit 2), a wait that never matches (42), a failing
expectation (1, the step named), the JUnit XML read back with xml.etree,
several files in one run, --flash copied and left unmodified, --fs-add,
interruption, and every example of examples/scenarios. Each run gets its
own TMPDIR, which must be empty afterwards (the runner's temp dir and the
child board are always cleaned up)."""
import hashlib
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, VBOARD, run, vb

EXAMPLES = os.path.join(ROOT, "examples", "scenarios")


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def vtest(tmp_path, *args, timeout=300):
    """Run `vboard test` with a private TMPDIR; assert nothing is left in it.
    (Short, under /tmp: the board's control socket lives there.)"""
    tmpdir = tempfile.mkdtemp(prefix="vbt")
    try:
        env = dict(os.environ, TMPDIR=tmpdir)
        r = run([VBOARD, "test"] + [str(a) for a in args], env=env, timeout=timeout)
        assert os.listdir(tmpdir) == [], "temp files left behind: %r\n%s" % (os.listdir(tmpdir), r)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return r


def step_lines(r):
    return [ln for ln in r.text.splitlines() if ln.startswith("  ")]


EVERY_STEP = """\
name: every step kind
version: 1
author: test
timeout: 60s
parts:
  btn1: {pin: "4", active: low}
  led1: {pin: "2"}
steps:
  - wait-serial: ">>> "
  - exec: "print(6 * 7)"
    expect-output: "42"
  - write-serial: "print('typed' + 'in')\\r"
  - wait-serial: "typedin"
  - write-serial: [112, 114, 105, 110, 116, 40, 39, 98, 121, 116, 101, 115, 39, 41, 13]
  - wait-serial: "bytes\\r\\n"
  - set-control: {part-id: btn1, control: pressed, value: 1}
  - expect-pin: {part-id: btn1, value: 0}
  - set-control: {part-id: btn1, control: pressed, value: 0}
  - expect-pin: {part-id: btn1, value: float}
  - set-pin: {pin: "5", value: high}
  - expect-pin: {pin: "5", value: high}
  - set-pin: {pin: "5", value: low}
  - expect-pin: {pin: "5", value: 0}
  - set-pin: {pin: "5", value: float}
  - exec: "from machine import Pin; Pin(2, Pin.OUT).value(1)"
  - expect-pin: {part-id: led1, pin: A, value: 1}
  - expect-led: "#0000FF"
  - delay: 50ms
  - exec: |
      with open('hello.txt', 'w') as f:
          f.write('hello, scenario')
  - expect-file: {path: hello.txt, contains: "scenario"}
  - expect-file: {path: /hello.txt, sha256: %s}
  - expect-reset-cause: PWRON_RESET
  - reset: button
  - wait-serial: ">>> "
  - reset: brownout
  - wait-serial: ">>> "
  - reset: power-cycle
  - wait-serial: ">>> "
  - power: "off"
  - power: "on"
  - wait-serial: ">>> "
  - expect-reset-cause: PWRON_RESET
  - name: the file survived
    expect-file: {path: hello.txt, contains: "hello"}
""" % hashlib.sha256(b"hello, scenario").hexdigest()


def test_every_step_kind_passes(tmp_path):
    f = write(tmp_path, "every.yaml", EVERY_STEP)
    r = vtest(tmp_path, f)
    assert r.rc == 0, r
    lines = step_lines(r)
    assert len(lines) == 34 and all(ln.split()[0] == "ok" for ln in lines), r
    assert r.text.splitlines()[0] == "scenario %s: every step kind (board esp32)" % f
    assert r.text.splitlines()[-1] == "1 passed, 0 failed"
    assert "  ok      34. the file survived" in lines


def test_wokwi_example_file_runs_unchanged_but_for_its_parts(tmp_path):
    # Wokwi's documented example, with its button declared as a part
    f = write(tmp_path, "wokwi.yaml",
              "name: 'Your scenario name'\nversion: 1\nauthor: 'Your name'\n"
              "parts:\n  btn1: {pin: '4', active: low}\n\n"
              "steps:\n  # List of steps:\n  - set-control:\n      part-id: btn1\n      control: pressed\n"
              "      value: 1\n  - delay: 500ms\n  - wait-serial: 'Type \"help()\"'\n")
    r = vtest(tmp_path, f)
    assert r.rc == 0, r


BAD_FILES = [
    ("steps:\n  - delay: 500\n", 2, "'delay' '500' needs a unit (ns, us, ms or s)"),
    ("steps:\n  - delay: 1s\n  - wait-for-it: x\n", 3, "unknown step 'wait-for-it' (steps: delay, wait-serial,"),
    ("name: x\nstep: []\n", 2, "unknown key 'step' in the scenario (known: name, version, author, timeout, parts, steps)"),
    ("steps:\n  - delay: 1s\n    timeout: 5s\n", 3, "unknown key 'timeout' in a 'delay' step"),
    ("steps:\n  - wait-serial:\n      - a\n", 3, "'wait-serial' must be a single value, not a list"),
    ("steps:\n  - set-pin: {pin: '4', value: on}\n", 2, "'value' of 'set-pin' must be low, high or float, not 'on'"),
    ("steps:\n  - write-serial: [1, 2, 300]\n", 2, "a 'write-serial' byte 300 is out of range (0 to 255)"),
    ("steps:\n  - expect-pin: {part-id: led, value: 1}\n", 2, "no part 'led': declare it under 'parts:'"),
    ("steps: []\n", 1, "'steps' is empty: a scenario needs at least one step"),
    ("name: a\nname: b\nsteps:\n  - delay: 1s\n", 2, "duplicate key 'name' (first at line 1)"),
    ("steps:\n  - delay: 1s\n  - wifi: up\n", 3, "'wifi' must be drop, not 'up'"),
    ("steps:\n  - delay: 1s\n - delay: 2s\n", 3, "YAML syntax error:"),
    ("steps:\n  - expect-pin: {pin: P99, value: 1}\n", 2, "no pin 'P99' on the esp32 board (pins GPIO0..GPIO39)"),
    ("parts:\n  b: {pin: GPIO99}\nsteps:\n  - delay: 1s\n", 2, "part 'b': no pin 'GPIO99' on the esp32 board"),
]


@pytest.mark.parametrize("text,line,sentence", BAD_FILES, ids=[s[2][:30] for s in BAD_FILES])
def test_bad_file_exits_2_with_file_line_before_any_board(tmp_path, text, line, sentence):
    good = write(tmp_path, "good.yaml", "steps:\n  - delay: 1ms\n")
    bad = write(tmp_path, "bad.yaml", text)
    r = vtest(tmp_path, good, bad)
    assert r.rc == 2, r
    assert r.errtext.startswith("%s:%d: %s" % (bad, line, sentence)), r
    assert r.errtext.count("\n") == 1, r
    assert r.out == b"", r                     # no board started, not even for the good file


def test_non_utf8_and_huge_files_are_refused(tmp_path):
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"name: caf\xe9\nsteps:\n  - delay: 1s\n")
    r = vtest(tmp_path, bad)
    assert r.rc == 2 and r.errtext.startswith("%s:1: not UTF-8 text:" % bad), r
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"# " + b"x" * (1 << 20) + b"\nsteps:\n  - delay: 1s\n")
    r = vtest(tmp_path, huge)
    assert r.rc == 2 and "a scenario may have at most 1048576" in r.errtext, r
    r = vtest(tmp_path, tmp_path / "missing.yaml")
    assert r.rc == 2 and "cannot open the scenario: No such file or directory" in r.errtext, r


def test_usage_errors(tmp_path):
    f = write(tmp_path, "ok.yaml", "steps:\n  - delay: 1ms\n")
    for args, text in [((), "expects SCENARIO.yaml..."),
                       ((f, "--clock", "slow"), "--clock takes 'real' or 'fast', not 'slow'"),
                       ((f, "--board", "uno"), "no board profile 'uno'"),
                       ((f, "--flash", tmp_path / "none.bin"), "--flash"),
                       ((f, "--fs-add", tmp_path / "nodir"), "not a directory")]:
        r = vtest(tmp_path, *args)
        assert r.rc == 2 and text in r.errtext, r


def test_wait_serial_that_never_matches_exits_42_naming_the_step(tmp_path):
    f = write(tmp_path, "never.yaml", "timeout: 1s\nsteps:\n  - wait-serial: '>>> '\n"
                                      "  - name: the impossible line\n    wait-serial: 'never printed'\n"
                                      "  - delay: 1ms\n")
    r = vtest(tmp_path, f)
    assert r.rc == 42, r
    lines = step_lines(r)
    assert lines[0].startswith("  ok ")
    assert lines[1].startswith("  TIMEOUT  2. the impossible line: %s:5: not seen: the scenario's 1 s of "
                               "board time ran out" % f), r
    assert lines[2] == "  skip     3. delay 1ms"
    assert r.text.splitlines()[-1] == "0 passed, 1 failed"


def test_failing_expect_pin_exits_1_naming_the_step(tmp_path):
    f = write(tmp_path, "pin.yaml", "parts:\n  led1: {pin: '2'}\nsteps:\n  - wait-serial: '>>> '\n"
                                    "  - name: LED is on\n    expect-pin: {part-id: led1, value: 1}\n"
                                    "  - delay: 1ms\n")
    r = vtest(tmp_path, f)
    assert r.rc == 1, r
    assert "  FAIL     2. LED is on: %s:6: pin 2 is low (floating), expected high" % f in step_lines(r), r
    assert "  skip     3. delay 1ms" in step_lines(r)


@pytest.mark.parametrize("step,why", [
    ("exec: \"raise ValueError('no good')\"", "the code raised an exception:\n"
     "          Traceback (most recent call last):\n"
     "            File \"<stdin>\", line 1, in <module>\n"
     "          ValueError: no good"),
    ("exec: \"print('abc')\"\n    expect-output: xyz", "the output does not contain \"xyz\"; it was:\n          abc"),
    ("expect-file: {path: /boot.py, contains: 'not in there'}", "/boot.py ("),
    ("expect-file: {path: /boot.py, sha256: %s}" % ("0" * 64), "/boot.py ("),
    ("expect-file: {path: /nope.txt, contains: x}", "cannot read /nope.txt on the board:"),
    ("expect-led: '#ff0000'", "the LED is #000000, expected #ff0000"),
    ("expect-reset-cause: WDT_RESET", "the reset cause is PWRON_RESET, expected WDT_RESET"),
])
def test_failing_step_kinds_exit_1(tmp_path, step, why):
    f = write(tmp_path, "f.yaml", "steps:\n  - wait-serial: '>>> '\n  - %s\n" % step)
    r = vtest(tmp_path, f)
    assert r.rc == 1, r
    assert ("  FAIL     2. " in r.text) and (": %s:3: %s" % (f, why)) in r.text, r


def test_exec_output_is_consumed_by_the_exec(tmp_path):
    f = write(tmp_path, "order.yaml",
              "timeout: 2s\nsteps:\n  - wait-serial: '>>> '\n"
              "  - exec: \"print('dur' + 'ing')\"\n"
              "  - write-serial: \"print('af' + 'ter')\\r\"\n"
              "  - wait-serial: after\n"
              "  - name: the exec's output is not there\n    wait-serial: during\n")
    r = vtest(tmp_path, f)
    assert r.rc == 42, r
    assert [ln.split()[0] for ln in step_lines(r)] == ["ok", "ok", "ok", "ok", "TIMEOUT"], r


def test_junit_xml_of_several_files(tmp_path):
    ok = write(tmp_path, "ok.yaml", "name: passes\nsteps:\n  - wait-serial: '>>> '\n  - delay: 10ms\n")
    bad = write(tmp_path, "bad.yaml",
                "name: 'fails <&> \"quoted\" \u00e9'\nsteps:\n  - wait-serial: '>>> '\n"
                "  - name: 'raise <&>'\n    exec: \"raise ValueError('<&> \u00e9 \\\\x07')\"\n"
                "  - delay: 1ms\n")
    slow = write(tmp_path, "slow.yaml", "timeout: 1s\nsteps:\n  - wait-serial: 'not ever'\n")
    junit = tmp_path / "report.xml"
    r = vtest(tmp_path, ok, bad, slow, "--junit", junit)
    assert r.rc == 1, r                         # a failure outranks a timeout
    assert r.text.splitlines()[-1] == "1 passed, 2 failed"
    assert [ln for ln in r.text.splitlines() if ln.startswith("scenario ")] == [
        "scenario %s: passes (board esp32)" % ok,
        "scenario %s: fails <&> \"quoted\" \u00e9 (board esp32)" % bad,
        "scenario %s: slow (board esp32)" % slow]
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("6", "2", "0", "1")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["passes", "fails <&> \"quoted\" \u00e9", "slow"]
    assert [s.get("file") for s in suites] == [ok, bad, slow]
    assert [(s.get("tests"), s.get("failures"), s.get("skipped")) for s in suites] == \
        [("2", "0", "0"), ("3", "1", "1"), ("1", "1", "0")]
    cases = suites[1].findall("testcase")
    assert [c.get("name") for c in cases] == ["1: wait-serial \">>> \"", "2: raise <&>", "3: delay 1ms"]
    assert [c.get("line") for c in cases] == ["3", "5", "6"]
    assert all(c.get("classname") == suites[1].get("name") for c in cases)
    fail = cases[1].find("failure")
    assert fail.get("type") == "failure"
    assert "ValueError: <&> \u00e9 \\x07" in fail.get("message")       # BEL cannot be in XML: escaped
    assert fail.text.startswith("%s:5: the code raised an exception:\nTraceback" % bad)
    assert cases[2].find("skipped") is not None
    assert suites[0].find("testcase").find("failure") is None
    timeout = suites[2].find("testcase").find("failure")
    assert timeout.get("type") == "timeout" and "board time ran out" in timeout.get("message")
    assert suites[0].find("properties/property").get("value") == "esp32"


def test_flash_is_copied_and_left_unmodified(tmp_path):
    img = tmp_path / "ci.bin"
    vb("image", "create", "--board", "esp32", img)
    src = tmp_path / "note.txt"
    src.write_text("from the image")
    vb("fs", img, "cp", src, ":/note.txt")
    before = hashlib.sha256(img.read_bytes()).hexdigest()
    mtime = os.stat(img).st_mtime_ns
    f = write(tmp_path, "img.yaml",
              "steps:\n  - expect-file: {path: note.txt, contains: 'from the image'}\n"
              "  - exec: \"f = open('note.txt', 'w'); f.write('changed'); f.close()\"\n"
              "  - expect-file: {path: note.txt, contains: changed}\n")
    r = vtest(tmp_path, "--flash", img, f, f)       # twice: the second run sees the original again
    assert r.rc == 0, r
    assert r.text.splitlines()[-1] == "2 passed, 0 failed"
    assert hashlib.sha256(img.read_bytes()).hexdigest() == before
    assert os.stat(img).st_mtime_ns == mtime


def test_flash_of_the_wrong_board_is_a_usage_error(tmp_path):
    img = tmp_path / "esp.bin"
    vb("image", "create", "--board", "esp32", img)
    f = write(tmp_path, "p.yaml", "steps:\n  - delay: 1ms\n")
    r = vtest(tmp_path, "--board", "pycom", "--flash", img, f)
    assert r.rc == 2 and "ERROR" in r.text and "the board did not start" in r.text, r


def test_fs_add_puts_files_on_the_board(tmp_path):
    d = tmp_path / "app"
    d.mkdir()
    (d / "main.py").write_text("print('main from fs-add')\n")
    f = write(tmp_path, "fsadd.yaml", "steps:\n  - wait-serial: 'main from fs-add'\n")
    r = vtest(tmp_path, "--fs-add", d, f)
    assert r.rc == 0, r


def test_other_boards(tmp_path):
    f = write(tmp_path, "pyc.yaml", "steps:\n  - wait-serial: '>>> '\n"
                                    "  - exec: \"import os; print(os.uname().release)\"\n"
                                    "    expect-output: '1.20.2.r4-vboard'\n"
                                    "  - set-pin: {pin: P10, value: high}\n  - expect-pin: {pin: G17, value: 1}\n")
    r = vtest(tmp_path, "--board", "pycom", f)
    assert r.rc == 0, r
    assert "(board pycom)" in r.text


def test_sigterm_stops_the_run_and_cleans_up(tmp_path):
    f = write(tmp_path, "long.yaml", "steps:\n  - wait-serial: '>>> '\n  - wait-serial: 'never'\n")
    tmpdir = tempfile.mkdtemp(prefix="vbt")
    p = subprocess.Popen([VBOARD, "test", f], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=dict(os.environ, TMPDIR=tmpdir))
    seen = b""
    deadline = time.monotonic() + 30
    while b"1. wait-serial" not in seen:              # the board is up, the second wait runs
        left = deadline - time.monotonic()
        assert left > 0, seen
        if select.select([p.stdout], [], [], left)[0]:
            seen += os.read(p.stdout.fileno(), 4096)
    board_dir = [os.path.join(tmpdir, d) for d in os.listdir(tmpdir)]
    assert len(board_dir) == 1
    p.send_signal(signal.SIGTERM)
    p.wait(30)
    assert p.returncode == -signal.SIGTERM
    assert os.listdir(tmpdir) == []
    os.rmdir(tmpdir)
    for pid in filter(str.isdigit, os.listdir("/proc")):      # the child board is gone too
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as c:
                assert board_dir[0].encode() not in c.read()
        except (FileNotFoundError, ProcessLookupError):
            pass


def test_help_lists_test():
    assert "vboard test SCENARIO.yaml..." in vb("help").text
    h = vb("help", "test").text
    assert "--junit FILE" in h and "--clock real|fast" in h


EXAMPLE_BOARDS = {
    "button_led.yaml": "esp32", "ctrl_c_recovery.yaml": "esp32", "watchdog.yaml": "esp32",
    "deepsleep_wake_pin.yaml": "esp32", "deepsleep_timer.yaml": "esp32",
    "pycom_safe_boot.yaml": "pycom", "factory_reset.yaml": "pycom", "ota_rollback.yaml": "pycom",
}


def test_every_example_is_tested():
    assert sorted(os.listdir(EXAMPLES)) == sorted(EXAMPLE_BOARDS)


@pytest.mark.parametrize("name", sorted(EXAMPLE_BOARDS))
def test_example(tmp_path, name):
    r = vtest(tmp_path, "--board", EXAMPLE_BOARDS[name], os.path.join(EXAMPLES, name))
    assert r.rc == 0, r
    assert r.text.splitlines()[-1] == "1 passed, 0 failed"


WIFI_DROP = """\
name: the link drops under a connected program
steps:
  - wait-serial: ">>> "
  - exec: "import network; w = network.WLAN(network.STA_IF); w.active(True); w.connect('Wokwi-GUEST')"
  - delay: 2s
  - exec: "print(w.isconnected())"
    expect-output: "True"
  - wifi: drop
  - exec: "print(w.isconnected())"
    expect-output: "False"
  - name: a second drop finds no link
    wifi: drop
"""


def test_the_wifi_step_drops_the_link(tmp_path):
    r = vtest(tmp_path, write(tmp_path, "wifi.yaml", WIFI_DROP))
    assert r.rc == 1, r
    lines = step_lines(r)
    assert [ln.split()[0] for ln in lines] == ["ok"] * 6 + ["FAIL"], r
    assert "the station is not connected" in r.text, r


WAIT_PIN = """\
name: pins the firmware drives later
timeout: 600s
steps:
  - wait-serial: ">>> "
  - exec: |
      from machine import Pin, Timer
      led = Pin(2, Pin.OUT, value=0)
      blip = Pin(4, Pin.OUT, value=0)
      def later(t):
          led.value(1)
          blip.value(1)
          blip.value(0)
      Timer(0).init(mode=Timer.ONE_SHOT, period=300000, callback=later)
  - name: a pulse after 300 s of board time, which no look could catch, counts
    wait-pin: {pin: "4", value: high, timeout: 400s}
  - name: the LED came on with it
    wait-pin: {pin: "2", value: 1}
  - exec: "import time; print(time.ticks_ms() >= 300000)"
    expect-output: "True"
  - name: already low
    wait-pin: {pin: "4", value: 0}
  - name: a level that never comes
    wait-pin: {pin: "2", value: low}
    timeout: 2s
  - delay: 1ms
"""


def test_wait_pin_and_a_step_timeout(tmp_path):
    # --clock fast: 300 s of board time in well under the wall-time bound
    r = vtest(tmp_path, write(tmp_path, "waitpin.yaml", WAIT_PIN))
    assert r.rc == 42, r
    lines = step_lines(r)
    assert [ln.split()[0] for ln in lines] == ["ok"] * 6 + ["TIMEOUT", "skip"], r
    assert ("7. a level that never comes: %s:23: pin 2 never became low: the step's timeout of 2 s of board "
            "time ran out" % os.path.join(str(tmp_path), "waitpin.yaml")) in r.text, r


def test_wait_serial_step_timeout_leaves_the_scenario_its_time(tmp_path):
    f = write(tmp_path, "serial.yaml", "timeout: 600s\nsteps:\n  - wait-serial: '>>> '\n"
                                       "  - wait-serial: 'never printed'\n    timeout: 500ms\n")
    r = vtest(tmp_path, f)
    assert r.rc == 42, r
    assert ("2. wait-serial \"never printed\": %s:4: not seen: the step's timeout of 0.5 s of board time ran out"
            % f) in r.text, r


def test_exec_step_timeout(tmp_path):
    f = write(tmp_path, "exec.yaml", "steps:\n  - wait-serial: '>>> '\n"
                                     "  - exec: 'import time; time.sleep(10)'\n    timeout: 1s\n")
    r = vtest(tmp_path, f)
    assert r.rc == 42, r
    assert "the step's timeout of 1 s of board time ran out" in r.text, r


def png(path, rows, rgb=False):
    """An 8-bit PNG of rows of grey values (RGB triples when rgb), zlib only."""
    import struct
    import zlib

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    raw = b"".join(b"\0" + bytes(v for x in r for v in ((x, x, x) if rgb else (x,))) for r in rows)
    ihdr = struct.pack(">IIBBBBB", len(rows[0]), len(rows), 8, 2 if rgb else 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw))
                     + chunk(b"IEND", b""))


OLED_PARTS = "i2c:\n  - {addr: 0x3c, model: ssd1306}\n"

OLED_SHOT = """\
steps:
  - wait-serial: ">>> "
  - exec: |
      import framebuf
      from machine import I2C
      i2c = I2C(0)
      for c in (0xAE, 0x20, 0x00, 0xA1, 0xC8, 0x8D, 0x14, 0xAF):
          i2c.writeto(0x3c, bytes((0x80, c)))
      buf = bytearray(1024)
      fb = framebuf.FrameBuffer(buf, 128, 64, framebuf.MONO_VLSB)
      fb.fill_rect(0, 0, 16, 8, 1)
      for c in (0x21, 0, 127, 0x22, 0, 7):
          i2c.writeto(0x3c, bytes((0x80, c)))
      i2c.writevto(0x3c, (b'\\x40', buf))
  - take-screenshot: {part-id: oled1, %s}
"""


def test_take_screenshot_saves_and_compares(tmp_path):
    parts = write(tmp_path, "parts.yaml", OLED_PARTS)
    lit = [[255 if x < 16 and y < 8 else 0 for x in range(128)] for y in range(64)]
    shot = tmp_path / "shot.png"
    r = vtest(tmp_path, "--parts", parts, write(tmp_path, "save.yaml", OLED_SHOT % ("save-to: %s" % shot)))
    assert r.rc == 0, r
    assert shot.exists()
    # the picture as another tool drew it (RGB): the same pixels, so it matches
    png(tmp_path / "ref.png", lit, rgb=True)
    r = vtest(tmp_path, "--parts", parts,
              write(tmp_path, "same.yaml", OLED_SHOT % ("compare-with: %s" % (tmp_path / "ref.png"))))
    assert r.rc == 0, r
    # one pixel off
    lit[63][127] = 255
    png(tmp_path / "off.png", lit)
    f = write(tmp_path, "off.yaml", OLED_SHOT % ("compare-with: %s, display: '0x3c'" % (tmp_path / "off.png")))
    r = vtest(tmp_path, "--parts", parts, f)
    assert r.rc == 1, r
    assert ("the display differs from %s in 1 of 8192 pixels, the first at x 127, y 63 (grey 0, expected 255)"
            % (tmp_path / "off.png")) in r.text, r
    # not a PNG, the wrong size
    (tmp_path / "bad.png").write_bytes(b"not a png")
    r = vtest(tmp_path, "--parts", parts,
              write(tmp_path, "bad.yaml", OLED_SHOT % ("compare-with: %s" % (tmp_path / "bad.png"))))
    assert r.rc == 1 and "is not a PNG it can read" in r.text, r
    png(tmp_path / "small.png", [[0] * 8] * 8)
    r = vtest(tmp_path, "--parts", parts,
              write(tmp_path, "small.yaml", OLED_SHOT % ("compare-with: %s" % (tmp_path / "small.png"))))
    assert r.rc == 1 and "the display shows 128x64 pixels, %s has 8x8" % (tmp_path / "small.png") in r.text, r
    # a board without a display says so
    r = vtest(tmp_path, write(tmp_path, "none.yaml", "steps:\n  - take-screenshot: {save-to: x.png}\n"))
    assert r.rc == 1 and "the board refused" in r.text, r
