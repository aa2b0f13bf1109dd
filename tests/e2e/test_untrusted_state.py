"""What the firmware side hands the supervisor is hostile input (issue 11):
device code reaches the event pipe's raw fd (io.FileIO on an inherited fd:
CPython is not a security boundary) and writes forged hardware event
records; the supervisor checks each one (src/trace/evcheck.h), clamps its
time, rate-limits the flood and counts what it drops. The trace, the VCD
and the serial log are capped by --log-max with a note at the cut, and
none of them is written through a symlink."""
import json
import os
import struct
import subprocess
import time

import pytest

from boardlib import BANNER, Board, repl
from conftest import SANDBOX_AUDIT, VBOARD, expect_refusals

LOG_MAX = 8192         # above the VCD's header (pins, LED, PWM variables)
SERIAL_NOTE = b"\n[vboard: serial log reached %d bytes; the rest is not logged]\n" % LOG_MAX
VCD_NOTE = b"$comment log full $end\n"

EV_PIN, EV_LED, EV_WDT_START, EV_WDT_FEED, EV_STAGE, EV_HEARTBEAT, EV_SANDBOX_REFUSED = range(1, 8)


def rec(kind, gpio, value, t_us):
    return struct.pack("<HHIQ", kind, gpio, value, t_us)


def trace_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


@pytest.fixture
def board(tmp_path):
    b = Board(tmp_path, extra=["--trace", str(tmp_path / "trace.jsonl"),
                               "--vcd", str(tmp_path / "pins.vcd")])
    b.expect(BANNER)
    yield b
    b.quit()


def device_event_fd(b):
    """The event pipe's fd as device code sees it: the one fd that takes a
    16-byte record silently (the serial pipe would echo "ZZZ...", the
    doorbell eventfd refuses 16 bytes, closed fds are EBADF). The probe
    record has an unknown kind, so the supervisor drops it (and counts it).
    None when device code cannot open a raw fd (the sandbox refuses it)."""
    repl(b, "import io, struct")
    repl(b, r'''exec("def w(fd, d):\n try:\n  return io.FileIO(fd, 'wb', closefd=False).write(d)\n except Exception as e:\n  return repr(e)")''')
    for fd in range(3, 32):
        if repl(b, "w(%d, b'Z' * 16)" % fd) == "16\r\n":
            return fd
    return None


def host_event_fd(b):
    """The same pipe opened from the host through the supervisor's own
    write end (/proc/PID/fd: the one write-only, non-blocking pipe end),
    for when device code cannot reach it: the supervisor reads the same
    bytes whoever wrote them."""
    sup = b.proc.pid
    found = []
    for name in os.listdir("/proc/%d/fd" % sup):
        try:
            if not os.readlink("/proc/%d/fd/%s" % (sup, name)).startswith("pipe:"):
                continue
            with open("/proc/%d/fdinfo/%s" % (sup, name)) as f:
                flags = int([l for l in f if l.startswith("flags:")][0].split()[1], 8)
        except OSError:
            continue
        if flags & os.O_ACCMODE == os.O_WRONLY and flags & os.O_NONBLOCK:
            found.append(name)
    assert len(found) == 1, found
    return os.open("/proc/%d/fd/%s" % (sup, found[0]), os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)


class EventWriter:
    """Writes raw bytes into the board's event pipe: from device code when
    it reaches the pipe (the threat), else from the host."""

    def __init__(self, b):
        self.b = b
        self.fd = device_event_fd(b)
        self.host_fd = None
        if self.fd is None:
            self.host_fd = host_event_fd(b)
            os.write(self.host_fd, b"Z" * 16)   # the same probe, dropped and counted

    def write(self, data):
        if self.host_fd is not None:
            assert os.write(self.host_fd, data) == len(data)
        else:
            assert repl(self.b, "w(%d, %r)" % (self.fd, data)) == "%d\r\n" % len(data)

    def flood(self, record, chunks):
        """chunks writes of 256 records each, as fast as the pipe takes
        them (its write end is non-blocking: a full pipe refuses, as for
        the firmware's own events); the records sent."""
        chunk = record * 256
        if self.host_fd is not None:
            sent = 0
            for _ in range(chunks):
                try:
                    sent += os.write(self.host_fd, chunk)
                except BlockingIOError:
                    pass
            return sent // 16
        repl(self.b, "chunk = %r * 256" % record)
        assert repl(self.b, "exec(\"sent = 0\\nf = io.FileIO(%d, 'wb', closefd=False)\\nfor i in range(%d):\\n"
                            " try:\\n  sent += f.write(chunk) or 0\\n except OSError:\\n  pass\\n\")"
                    % (self.fd, chunks), timeout=30) == ""
        return int(repl(self.b, "sent")) // 16

    def close(self):
        if self.host_fd is not None:
            os.close(self.host_fd)


@pytest.fixture
def events(board):
    w = EventWriter(board)
    yield w
    w.close()


def test_forged_records_are_checked_counted_and_clamped(board, events, tmp_path):
    deadline = time.monotonic() + 5
    while board.ctl("status")["events_dropped"] < 1:  # the probe record
        assert time.monotonic() < deadline
        time.sleep(0.02)
    dropped0 = board.ctl("status")["events_dropped"]
    bad = [rec(0, 0, 0, 0), rec(99, 0, 0, 0), rec(EV_PIN, 40, 1, 0), rec(EV_PIN, 0xFFFF, 1, 0),
           rec(EV_PIN, 2, 3, 0), rec(EV_LED, 0, 0x1000000, 0), rec(EV_STAGE, 0, 99, 0),
           rec(EV_HEARTBEAT, 0, 2, 0), rec(EV_WDT_START, 0, 0, 0), rec(EV_LED, 7, 0x10, 0)]
    events.write(b"".join(bad))
    deadline = time.monotonic() + 5
    while board.ctl("status")["events_dropped"] < dropped0 + len(bad):
        assert time.monotonic() < deadline, board.ctl("status")
        time.sleep(0.02)
    assert board.ctl("status")["events_dropped"] == dropped0 + len(bad)
    # a torn record (a forged short write) is dropped too, and the stream
    # goes on at a record boundary
    events.write(b"\x01\x00\x07")
    deadline = time.monotonic() + 5
    while board.ctl("status")["events_dropped"] < dropped0 + len(bad) + 1:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    # well-formed forgeries: times in the past and in the far future are clamped
    events.write(rec(EV_PIN, 2, 1, 0) + rec(EV_PIN, 2, 0, 2**64 - 1) + rec(EV_LED, 0, 0x123456, 5))
    deadline = time.monotonic() + 5
    while not any(e["event"] == "led" and e.get("rgb") == "#123456" for e in trace_lines(tmp_path / "trace.jsonl")):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert repl(board, "1 + 1") == "2\r\n"
    board.quit()
    lines = trace_lines(tmp_path / "trace.jsonl")
    times = [e["t_us"] for e in lines]
    stop = [e for e in lines if e["event"] == "stop"][0]["t_us"]
    # every event of the firmware lies in the run, in order
    fw = [e for e in lines if e.get("by") == "firmware" or e["event"] in ("led", "stage", "wdt_start")]
    assert fw and all(0 < e["t_us"] <= stop for e in fw)
    assert all(e.get("rgb") != "#1000000" and e.get("stage") != "?" for e in lines)
    assert not any(e["event"] == "pin" and e.get("pin") not in (None, "GPIO2") and e.get("by") == "firmware"
                   for e in lines)
    forged = [i for i, e in enumerate(lines) if e["event"] == "led" and e.get("rgb") == "#123456"][0]
    assert times[forged] >= times[forged - 1]
    vcd = open(tmp_path / "pins.vcd").read()
    stamps = [int(l[1:]) for l in vcd.split("$enddefinitions $end", 1)[1].split("\n") if l.startswith("#")]
    assert stamps == sorted(stamps) and stamps[-1] <= stop + 10**6


def test_a_flood_is_rate_limited_and_the_board_keeps_answering(board, events, tmp_path):
    dropped0 = board.ctl("status")["events_dropped"]
    n_feed = sum(1 for e in trace_lines(tmp_path / "trace.jsonl") if e["event"] == "wdt_feed")
    t0 = time.monotonic()
    sent = events.flood(rec(EV_WDT_FEED, 0, 5, 0), 400)      # 102 400 valid records
    # the board answers while the supervisor works through the pipe
    assert repl(board, "1 + 1") == "2\r\n"
    assert board.ctl("status")["power"] == "on"
    # the gate has seen every record sent once its count stops moving
    deadline = time.monotonic() + 10
    last = None
    while True:
        st = board.ctl("status")
        if st["events_dropped"] == last:
            break
        last = st["events_dropped"]
        assert time.monotonic() < deadline
        time.sleep(0.2)
    elapsed = time.monotonic() - t0
    feeds = sum(1 for e in trace_lines(tmp_path / "trace.jsonl") if e["event"] == "wdt_feed") - n_feed
    dropped = st["events_dropped"] - dropped0
    # at most the burst plus the rate over the time the flood lasted; the
    # rest of what was sent was dropped and counted
    assert feeds <= 2000 + 10000 * elapsed, (feeds, elapsed)
    assert feeds + dropped == sent, (feeds, dropped, sent)
    assert dropped > 0


def test_forged_refusals_cannot_fill_the_audit_file(board, events):
    """Refusal records are the VM's word: forged by the thousand, they are
    counted, but the audit file takes at most 1000 lines a run."""
    expect_refusals(board.proc.pid)
    sent = events.flood(rec(EV_SANDBOX_REFUSED, 0, 319, 0), 12)
    assert sent > 1000, sent
    deadline = time.monotonic() + 10
    while board.ctl("status")["sandbox_refusals"] <= 1000:
        assert time.monotonic() < deadline, board.ctl("status")
        time.sleep(0.02)
    with open(SANDBOX_AUDIT) as f:
        mine = [ln for ln in f if ln.startswith("vboard %d:" % board.proc.pid)]
    assert len(mine) == 1000, len(mine)
    assert repl(board, "1+1") == "2\r\n"


def test_logs_stop_at_their_cap_with_a_note(tmp_path):
    b = Board(tmp_path, extra=["--trace", str(tmp_path / "trace.jsonl"), "--vcd", str(tmp_path / "pins.vcd"),
                               "--serial-log", str(tmp_path / "serial.log"), "--log-max", str(LOG_MAX)])
    try:
        b.expect(BANNER)
        repl(b, "exec(\"for i in range(100):\\n print('%04d' % i + 'x' * 95)\\n\")", timeout=20)
        repl(b, "from machine import Pin; p = Pin(2, Pin.OUT)")
        repl(b, "exec(\"for i in range(1000):\\n p.value(i & 1)\\n\")", timeout=20)
        # the supervisor writes the logs as it takes the events: wait until
        # each has its closing note (a loaded machine lags behind the REPL)
        def full(n, note):
            with open(tmp_path / n, "rb") as f:
                return f.read().rstrip(b"\n").endswith(note.rstrip(b"\n"))
        deadline = time.monotonic() + 20
        while not (full("serial.log", SERIAL_NOTE) and full("pins.vcd", VCD_NOTE)
                   and full("trace.jsonl", b'"max":%d}' % LOG_MAX)):
            assert time.monotonic() < deadline, "the logs never reached their cap"
            b.ctl("status")                 # one more turn of the supervisor's loop
        sizes = {n: os.path.getsize(tmp_path / n) for n in ("trace.jsonl", "pins.vcd", "serial.log")}
        # the board runs on, and the files no longer grow
        repl(b, "exec(\"for i in range(50):\\n print('y' * 99)\\n p.value(i & 1)\\n\")", timeout=20)
        assert repl(b, "1 + 1") == "2\r\n"
        b.ctl("reset")
        b.expect(BANNER, timeout=10)
        assert {n: os.path.getsize(tmp_path / n) for n in sizes} == sizes
    finally:
        b.quit()
    log = open(tmp_path / "serial.log", "rb").read()
    assert len(log) == LOG_MAX + len(SERIAL_NOTE) and log.endswith(SERIAL_NOTE)
    assert b"0000" + b"x" * 95 in log
    trace = open(tmp_path / "trace.jsonl", "rb").read()
    lines = trace.splitlines()
    assert len(trace) <= LOG_MAX + 100
    last = json.loads(lines[-1])
    assert last["event"] == "log_full" and last["max"] == LOG_MAX and set(last) == {"t_us", "event", "max"}
    assert all(json.loads(l)["event"] != "log_full" for l in lines[:-1])
    assert len(trace) - len(lines[-1]) - 1 <= LOG_MAX
    vcd = open(tmp_path / "pins.vcd", "rb").read()
    assert vcd.endswith(VCD_NOTE) and vcd.count(b"$comment") == 1
    assert len(vcd) <= LOG_MAX + len(VCD_NOTE)


@pytest.mark.parametrize("opt,what", [("--trace", "trace"), ("--serial-log", "serial log"),
                                      ("--vcd", "VCD file")])
def test_a_log_through_a_symlink_is_refused(tmp_path, opt, what):
    target = tmp_path / "precious"
    target.write_bytes(b"keep me\n")
    link = tmp_path / "log"
    os.symlink(target, link)
    r = subprocess.run([VBOARD, "run", "--flash", str(tmp_path / "f.bin"), "--pty", str(tmp_path / "tty"),
                        "--control", str(tmp_path / "c.sock"), opt, str(link)],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    err = r.stderr.decode()
    assert r.returncode == 2, (r.returncode, err)
    assert "refusing to write the %s through a symlink: %s" % (what, link) in err
    assert target.read_bytes() == b"keep me\n"


def test_an_existing_regular_log_is_truncated(tmp_path):
    for n in ("trace.jsonl", "serial.log", "pins.vcd"):
        (tmp_path / n).write_bytes(b"old\n" * 10000)
    b = Board(tmp_path, extra=["--trace", str(tmp_path / "trace.jsonl"), "--vcd", str(tmp_path / "pins.vcd"),
                               "--serial-log", str(tmp_path / "serial.log")])
    b.expect(BANNER)
    b.quit()
    for n in ("trace.jsonl", "serial.log", "pins.vcd"):
        assert b"old\n" not in open(tmp_path / n, "rb").read()
