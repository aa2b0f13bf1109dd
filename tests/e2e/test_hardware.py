"""Hardware events through the control socket and the pty (issue 5): the
reset button, power, brown-out, deep sleep, the RTC across them, host-driven
pins, the trace and the VCD, and bad control input. Driven through the
project's Python API (python/vboard), but for the stop test at the end."""
import json
import os
import socket
import threading
import time

import pytest

from boardlib import BANNER, Board, ctl_request
from conftest import VBOARD, run


@pytest.fixture
def board(make_board, tmp_path):
    b = make_board("generic", extra_args=["--trace", str(tmp_path / "trace.jsonl"),
                                          "--vcd", str(tmp_path / "pins.vcd")], wait=False)
    b.wait_serial(BANNER)
    return b


@pytest.fixture
def pycom(make_board, tmp_path):
    b = make_board("pycom", extra_args=["--trace", str(tmp_path / "trace.jsonl")], wait=False)
    b.wait_serial(b">>> ", timeout=10)
    return b


def trace(tmp_path):
    with open(tmp_path / "trace.jsonl") as f:
        return [json.loads(line) for line in f]


def test_status_reports_the_board(board):
    st = board.ctl("status")
    assert st["ok"] is True
    assert st["profile"] == "generic" and st["power"] == "on"
    assert st["boot_count"] == 1 and st["reset_cause"] == "PWRON"
    assert st["stage"] == "repl" and st["repl_mode"] == "friendly"
    assert st["safe_boot"] is False and st["image"] == "factory"
    assert st["flash_ops"] > 0                    # the first boot formatted the FS
    board.write(b"\r\x01")                         # raw REPL: status follows it live
    board.wait_serial(b"raw REPL; CTRL-B to exit\r\n>")
    assert board.ctl("status")["repl_mode"] == "raw"
    board.write(b"\x02")
    board.wait_serial(b">>> ")


@pytest.mark.parametrize("profile,cause", [("generic", 1), ("pycom", 0)])
def test_reset_button_is_a_hard_reset_with_pwron(make_board, tmp_path, profile, cause):
    b = make_board(profile, flash=tmp_path / ("flash-%s.bin" % profile), wait=False)
    try:
        b.wait_serial(b">>> ", timeout=10)
        b.drain()
        b.repl("x = 5")
        assert b.ctl("reset") == {"ok": True}
        b.wait_serial(b">>> ", timeout=10)
        assert b.repl("import machine; machine.reset_cause()") == "%d\r\n" % cause
        assert "NameError" in b.repl("x")        # RAM is gone
        st = b.ctl("status")
        assert st["boot_count"] == 2 and st["reset_cause"] == "PWRON"
    finally:
        b.close()


@pytest.mark.parametrize("profile,cause", [("generic", 1), ("pycom", 5)])
def test_brownout_cause_per_profile(make_board, tmp_path, profile, cause):
    b = make_board(profile, flash=tmp_path / ("flash-%s.bin" % profile), wait=False)
    try:
        b.wait_serial(b">>> ", timeout=10)
        b.drain()
        assert b.ctl("brownout") == {"ok": True}
        b.wait_serial(b">>> ", timeout=10)
        assert b.repl("import machine; machine.reset_cause()") == "%d\r\n" % cause
        assert b.ctl("status")["reset_cause"] == "BROWNOUT"
    finally:
        b.close()


def test_rtc_survives_resets_but_not_a_power_cycle(board):
    board.repl("import machine; r = machine.RTC(); r.datetime((2031, 5, 6, 0, 7, 8, 9, 0))")
    assert board.repl("machine.RTC().datetime()[0]") == "2031\r\n"
    board.ctl("reset")
    board.wait_serial(BANNER, timeout=10)
    assert board.repl("import machine; machine.RTC().datetime()[:3]") == "(2031, 5, 6)\r\n"
    board.write(b"machine.reset()\r")              # a software hard reset keeps it too
    board.wait_serial(BANNER, timeout=10)
    assert board.repl("import machine; machine.RTC().datetime()[:3]") == "(2031, 5, 6)\r\n"
    board.ctl("power", state="cycle")
    board.wait_serial(BANNER, timeout=10)
    # power lost: back at the epoch, within the seconds since power-on
    got = board.repl("import machine; d = machine.RTC().datetime(); d[:3] + d[4:6]")
    assert got in ("(2000, 1, 1, 0, 0)\r\n", "(2000, 1, 1, 0, 1)\r\n"), got


def test_rtc_host_starts_at_host_time(make_board, tmp_path):
    b = make_board("generic", extra_args=["--rtc", "host"], wait=False)
    try:
        b.wait_serial(BANNER)
        year = int(b.repl("import time; time.localtime()[0]"))
        assert year == time.gmtime().tm_year
    finally:
        b.close()


def test_power_off_board_is_dark_and_takes_no_input(board):
    assert board.ctl("power", state="off") == {"ok": True}
    st = board.ctl("status")
    assert st["power"] == "off" and st["stage"] == "off"
    board.write(b"print('lost')\r")                # a dark UART loses this
    assert board.drain(0.3) == b""
    assert ctl_request(board.control, {"cmd": "reset"})["ok"] is False      # no power, no reset
    assert board.ctl("power", state="on") == {"ok": True}
    board.wait_serial(BANNER, timeout=10)
    assert "lost" not in board.repl("1+1")


def test_deepsleep_wakes_after_its_time_with_deepsleep_reset(board, tmp_path):
    t0 = time.monotonic()
    board.write(b"import machine; machine.deepsleep(200)\r")
    board.wait_status("power", "sleeping")
    board.wait_serial(BANNER, timeout=10)
    assert time.monotonic() - t0 >= 0.2
    assert board.repl("import machine; machine.reset_cause()") == "4\r\n"
    ev = trace(tmp_path)
    sleep = next(e for e in ev if e["event"] == "deepsleep")
    wake = next(e for e in ev if e["event"] == "wake")
    reset = [e for e in ev if e["event"] == "reset"][-1]
    assert sleep["ms"] == 200 and wake["reason"] == "timer" and reset["cause"] == "DEEPSLEEP"
    assert wake["t_us"] - sleep["t_us"] >= 200000


def test_deepsleep_runs_boot_and_main_again(make_board, tmp_path):
    b = make_board("generic", wait=False)
    try:
        b.wait_serial(BANNER)
        b.write(b"f = open('main.py', 'w'); f.write('import machine\\nprint(\"main\", "
               b"machine.reset_cause())\\n'); f.close()\r")
        b.wait_serial(b">>> ")
        b.write(b"import machine; machine.deepsleep(100)\r")
        b.wait_serial(b"main 4\r\n", timeout=10)
    finally:
        b.close()


def test_wake_command_ends_deep_sleep_early_pycom(pycom):
    pycom.drain()
    pycom.write(b"import machine; machine.deepsleep(60000)\r")
    pycom.wait_status("power", "sleeping")
    assert pycom.ctl("wake", pin="P10") == {"ok": True}
    pycom.wait_serial(b">>> ", timeout=10)
    assert pycom.repl("import machine; machine.reset_cause()") == "3\r\n"
    assert ctl_request(pycom.control, {"cmd": "wake"})["ok"] is False       # awake now
    assert pycom.ctl("status")["reset_cause"] == "DEEPSLEEP"


def test_host_drives_pins_and_pin_reports_them(board):
    r = board.ctl("pin", name="GPIO4")
    assert r["ok"] and r["gpio"] == 4 and r["floating"] is True and r["driver"] == "none"
    r = board.ctl("pin", name="4", drive="high")
    assert r["level"] == 1 and r["driver"] == "host" and r["drive"] == "high"
    r = board.ctl("pin", name="4", drive="low")
    assert r["level"] == 0 and r["driver"] == "host"
    r = board.ctl("pin", name="4", drive="float")
    assert r["floating"] is True
    assert board.ctl("pin", name="35")["input_only"] is True


def test_pycom_pins_have_names_and_aliases(pycom):
    r = pycom.ctl("pin", name="P12")
    assert r["ok"] and r["gpio"] == 21 and r["alias"] == "G28"
    assert r["mode"] == "in" and r["pull"] == "down" and r["level"] == 0   # firmware's reset state
    r = pycom.ctl("pin", name="G23", drive="low")                        # the bootloader strap
    assert r["pin"] == "P2" and r["gpio"] == 0
    assert ctl_request(pycom.control, {"cmd": "pin", "name": "P24"})["ok"] is False


@pytest.mark.parametrize("req,why", [
    ({"cmd": "explode"}, "unknown command"),
    ({"cmd": "pin"}, "needs \"name\""),
    ({"cmd": "pin", "name": "GPIO99"}, "no pin"),
    ({"cmd": "pin", "name": "GPIO4", "drive": "sideways"}, "drive must be"),
    ({"cmd": "pin", "name": "GPIO4", "level": "high"}, "takes no field"),
    ({"cmd": "power"}, "needs \"state\""),
    ({"cmd": "power", "state": "maybe"}, "must be"),
    ({"cmd": "power", "state": 1}, "must be a string"),
    ({"cmd": "wake"}, "not in deep sleep"),
    ({"nocmd": 1}, "needs \"cmd\""),
])
def test_bad_commands_get_an_error_and_change_nothing(board, req, why):
    before = board.ctl("status")
    r = ctl_request(board.control, req)
    assert r["ok"] is False and why in r["error"], r
    after = board.ctl("status")
    assert after["boot_count"] == before["boot_count"] and after["power"] == "on"
    assert board.ctl("pin", name="GPIO4")["drive"] == "float"


def raw_lines(path, payload):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(path)
    s.sendall(payload)
    buf = b""
    try:
        while buf.count(b"\n") < payload.count(b"\n"):
            c = s.recv(65536)
            if not c:
                break
            buf += c
    finally:
        s.close()
    return [json.loads(x) for x in buf.splitlines()]


def test_malformed_json_overlong_lines_and_vanishing_clients(board):
    got = raw_lines(board.control, b'{"cmd": "status"\n{"cmd": [1]}\n\xff\xfe\n{"cmd":"led"}\n')
    assert [g["ok"] for g in got] == [False, False, False, True]
    assert all("malformed request" in g["error"] for g in got[:3])
    got = raw_lines(board.control, b"x" * 100000 + b"\n" + b'{"cmd":"led"}\n')
    assert got[0]["ok"] is False and "longer than" in got[0]["error"]
    assert got[1]["ok"] is True
    for _ in range(20):                            # half a command, then gone
        s = socket.socket(socket.AF_UNIX)
        s.connect(board.control)
        s.sendall(b'{"cmd": "res')
        s.close()
    assert board.repl("6*7") == "42\r\n"
    assert board.ctl("status")["boot_count"] == 1


def test_a_thousand_commands_a_second_keep_the_board_running(board):
    board.repl("f = open('keep.txt', 'w'); f.write('kept'); f.close()")
    s = socket.socket(socket.AF_UNIX)
    s.connect(board.control)
    n = 4000                                       # a burst, pipelined (rate: make bench)
    burst = b'{"cmd":"pin","name":"GPIO5","drive":"high"}\n{"cmd":"status"}\n' * (n // 2)
    threading.Thread(target=s.sendall, args=(burst,), daemon=True).start()
    buf = b""
    while buf.count(b"\n") < n:
        buf += s.recv(1 << 20)
    s.close()
    assert all(json.loads(x)["ok"] for x in buf.splitlines())
    assert board.repl("open('keep.txt').read()") == "'kept'\r\n"


def test_trace_and_vcd_record_what_happened(board, tmp_path):
    board.ctl("pin", name="GPIO13", drive="high")
    board.ctl("pin", name="GPIO13", drive="low")
    board.ctl("reset")
    board.wait_serial(BANNER, timeout=10)
    board.close()
    ev = trace(tmp_path)
    kinds = [e["event"] for e in ev]
    assert kinds[0] == "power" and ev[0]["state"] == "on"
    resets = [e["cause"] for e in ev if e["event"] == "reset"]
    assert resets == ["PWRON", "PWRON"]
    stages = [e["stage"] for e in ev if e["event"] == "stage"]
    assert stages[:5] == ["bootloader", "_boot", "boot.py", "main.py", "repl"]
    pins = [(e["pin"], e["level"]) for e in ev if e["event"] == "pin"]
    assert ("GPIO13", 1) in pins and ("GPIO13", 0) in pins
    ts = [e["t_us"] for e in ev]
    assert ts == sorted(ts)
    vcd = parse_vcd(tmp_path / "pins.vcd")
    assert vcd["timescale"] == "1us"
    assert vcd["changes"]["GPIO13"][-2:] == ["1", "0"] or vcd["changes"]["GPIO13"][-3:-1] == ["1", "0"]
    assert vcd["changes"]["GPIO4"][:2] == ["x", "z"]   # dumpvars, then floating at power-on


def parse_vcd(path):
    """A strict little VCD reader: declarations, then #time and value lines."""
    text = open(path).read()
    head, body = text.split("$enddefinitions $end", 1)
    timescale = head.split("$timescale", 1)[1].split("$end", 1)[0].strip()
    ids = {}
    for line in head.splitlines():
        w = line.split()
        if w[:1] == ["$var"]:
            assert w[-1] == "$end" and w[3] not in ids
            ids[w[3]] = (w[4], int(w[2]))
    changes = {name: [] for name, _ in ids.values()}
    t = -1
    for tok in body.split("\n"):
        tok = tok.strip()
        if not tok or tok in ("$dumpvars", "$end"):
            continue
        if tok.startswith("#"):
            nt = int(tok[1:])
            assert nt >= t, "time went backwards"
            t = nt
        elif tok[0] in "01xzXZ":
            changes[ids[tok[1:]][0]].append(tok[0].lower())
        elif tok[0] in "bB":
            val, ident = tok[1:].split()
            changes[ids[ident][0]].append(val)
        else:
            raise AssertionError("bad VCD line %r" % tok)
    return {"timescale": timescale, "changes": changes}


def test_control_socket_in_use_is_refused(board, tmp_path):
    r = run([VBOARD, "run", "--pty", "--flash", str(tmp_path / "other.bin"),
             "--control", board.control], timeout=20)
    assert r.rc == 2 and "in use by another board" in r.errtext
    assert board.ctl("status")["ok"]


def test_ctl_command_line(board):
    r = run([VBOARD, "ctl", board.control, "pin", "GPIO4", "high"])
    assert r.rc == 0 and json.loads(r.text)["level"] == 1
    r = run([VBOARD, "ctl", board.control, "pin", "GPIO99"])
    assert r.rc == 1 and json.loads(r.text)["ok"] is False
    r = run([VBOARD, "ctl", board.control + ".nope", "status"])
    assert r.rc == 2 and "no board at" in r.errtext
    r = run([VBOARD, "ctl", board.control, "status", "extra"])
    assert r.rc == 2


# rewrites a 500 KiB file in place until the power goes (paste mode shows
# the value of a bare expression, so write()'s count is assigned: the test
# does not read the output, and a board whose host does not read waits).
# The file is made first, in a directory of its own: the churn then
# writes its data blocks and that directory's, never the root directory's
# or the FAT's, which a cut amid the erase and program of their 4 KiB
# block would take with it on Pycom, as on the real board (flash.md §7).
MAKE_BIG = ("import os; os.mkdir('d'); f = open('d/big.bin', 'wb'); "
            "[f.write(bytes(1024)) for _ in range(500)]; f.close()")
WRITE_BIG = (b"\x05i = 0\r"                   # paste mode: no auto-indent
             b"while True:\r"
             b"    f = open('d/big.bin', 'r+b')\r"
             b"    for _ in range(500): n = f.write(bytes([i & 255]) * 1024)\r"
             b"    f.close(); i += 1\r\x04")
BOOTED = b'Type "help()" for more information.\r\n>>> '


@pytest.mark.parametrize("profile", ["generic", "pycom"])
def test_brownout_in_a_large_write_keeps_closed_files(make_board, tmp_path, profile):
    b = make_board(profile, flash=tmp_path / ("flash-%s.bin" % profile), wait=False)
    try:
        b.wait_serial(b">>> ", timeout=10)
        b.drain()
        b.repl(MAKE_BIG, timeout=30)
        b.repl("f = open('keep.txt', 'w'); f.write('synced data'); f.close()")
        b.write(WRITE_BIG)
        time.sleep(0.3)
        before = b.ctl("status")["flash_ops"]
        time.sleep(0.1)
        assert b.ctl("status")["flash_ops"] > before   # in the middle of the writes
        assert b.ctl("brownout") == {"ok": True}
        b.wait_serial(BOOTED, timeout=10)               # the profile's firmware boots again
        assert b.repl("open('keep.txt').read()") == "'synced data'\r\n"
        assert "Error" not in b.repl("import os; os.listdir()")
    finally:
        b.close()
    r = run([VBOARD, "image", "check", b.flash])  # readable by an independent checker
    assert "no filesystem" not in r.text + r.errtext, r


def test_power_cut_at_the_nth_flash_op_is_repeatable(make_board, tmp_path):
    # measure where the write starts, then cut power there in a fresh run
    def session(extra, flash):
        b = make_board("generic", flash=flash, extra_args=extra, wait=False)
        b.wait_serial(BANNER, timeout=10)
        ops = b.ctl("status")["flash_ops"]
        b.write(b"f = open('a.txt', 'w'); f.write('x' * 20000); f.close()\r")
        return b, ops

    b, ops = session([], str(tmp_path / "ref.bin"))
    b.wait_serial(b">>> ")
    b.close()
    cut = ops + 3
    b, ops2 = session(["--power-cut-at", str(cut), "--trace", str(tmp_path / "trace.jsonl")],
                      str(tmp_path / "cut.bin"))
    try:
        assert ops2 == ops                         # the same ops in the same order
        b.wait_serial(BANNER, timeout=10)               # power came back: a fresh boot
        st = b.ctl("status")
        assert st["boot_count"] == 2 and st["reset_cause"] == "PWRON"
        assert "Error" not in b.repl("import os; os.listdir()")
    finally:
        b.close()
    ev = trace(tmp_path)
    cuts = [e for e in ev if e["event"] == "power_cut"]
    assert len(cuts) == 1
    off = next(e for e in ev if e["event"] == "power" and e["state"] == "off")
    assert off["flash_ops"] == cut


def test_stopping_right_after_leaving_raw_mode_syncs(tmp_path):
    # a stop must reach a VM that is between input waits: the VM checks
    # power_off before every wait and the supervisor rings the input
    # doorbell after its SIGINT (a signal landing just before a wait began
    # was otherwise slept through until the 2 s grace ran out)
    for i in range(10):
        tr = tmp_path / ("stop%d.jsonl" % i)
        b = Board(tmp_path, flash=str(tmp_path / "s.bin"), extra=["--trace", str(tr)])
        b.expect(BANNER)
        b.send(b"\r\x01")
        b.expect(b"raw REPL; CTRL-B to exit\r\n>")
        b.send(b"\r\x02" + b"\x01\x02" * 300)       # keep the VM busy between waits
        assert b.quit() == 0
        stops = [json.loads(line) for line in open(tr) if '"stop"' in line]
        assert stops and stops[-1]["synced"] is True, stops
