#!/usr/bin/env python3
"""Language-fidelity suite runner (issue 4 item 5).

Starts one vboard (boardlib.Board, in a temporary directory) and runs every
tests/lang/*.py on it exactly the way MicroPython's run-tests.py does with a
device (repl.md §6.1, §4, §7):

  * raw REPL entry with soft reset: b'\\r\\x03', b'\\r\\x01' -> raw banner,
    b'\\x04' -> b'soft reboot\\r\\n' then the raw banner and '>';
  * b"print('START TEST')" prepended (glued onto line 1 if the script starts
    with '#', else followed by a newline) and sent through raw-paste
    (b'\\x05A\\x01' -> b'R\\x01' + window + credits; never more bytes in
    flight than granted), then b'\\x04', the b'\\x04' ack, output up to
    b'\\x04', error text up to b'\\x04', then '>' (or, after SystemExit, the
    soft reset and the raw banner);
  * the output must begin with b'START TEST\\r\\n'; it is normalised
    (b'\\r\\r\\n' -> b'\\n', then b'\\r\\n' -> b'\\n') and compared with
    NAME.py.exp; an output of exactly 'SKIP\\n' counts as skipped; non-empty
    error text is a failure (CRASH).

Where a port really differs, NAME.py.exp.BOARD (e.g. .exp.pycom) holds
that board's expected output and is used instead of NAME.py.exp. Scripts
whose whole subject a port lacks are listed in tests/lang/PORT_SKIPS
(NAME BOARD[,BOARD] # reason) and are skipped on those boards without
running.

Scripts listed in tests/lang/KNOWN_FAILURES (one name per line, '#'
comments) that fail are reported as "known" and not counted as failures.

Usage: VBOARD=build/vboard [VBOARD_BOARD=generic|esp32|pycom|rp2] python3 tests/lang/run_lang.py [-v] [NAME ...]
(the board defaults to generic, the esp32 board test_lang.py runs)
Exit status: 0 if nothing failed, 1 otherwise (2 if the board cannot start).
"""
import difflib
import glob
import os
import select
import shutil
import struct
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))

from boardlib import Board, BoardError, RAW_BANNER  # noqa: E402

WAIT = 5.0        # run-tests.py: 5 s per raw-REPL entry wait
IO_TIMEOUT = 30.0  # run-tests.py: inter-byte timeout while a test runs


def read_n(b, n, timeout):
    """Exactly n bytes from the board (kept in b.seen beyond that)."""
    deadline = time.monotonic() + timeout
    while len(b.seen) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise BoardError("waited %.1fs for %d bytes; received %r" % (timeout, n, b.seen))
        if select.select([b.fd], [], [], min(left, 0.2))[0]:
            try:
                b.seen += os.read(b.fd, 65536)
            except BlockingIOError:
                pass
    got, b.seen = b.seen[:n], b.seen[n:]
    return got


def poll_in(b):
    """Pull in whatever is already waiting (like pyserial's in_waiting)."""
    while select.select([b.fd], [], [], 0)[0]:
        try:
            data = os.read(b.fd, 65536)
        except BlockingIOError:
            break
        if not data:
            break
        b.seen += data


def write_all(b, data):
    while data:
        try:
            n = os.write(b.fd, data)
        except BlockingIOError:
            select.select([], [b.fd], [], 1.0)
            continue
        data = data[n:]


def enter_raw_with_soft_reset(b):
    """repl.md §6.1 with soft reset, as pyboard.py / run-tests.py do."""
    write_all(b, b"\r\x03")
    poll_in(b)          # flush whatever is already there, without waiting
    b.seen = b""
    write_all(b, b"\r\x01")
    b.expect(RAW_BANNER, WAIT)
    write_all(b, b"\x04")
    b.expect(b"soft reboot\r\n", WAIT)
    b.expect(b"raw REPL; CTRL-B to exit\r\n", WAIT)
    b.expect(b">", WAIT)   # pyboard.py checks for the prompt before each command


def raw_paste_exec(b, src):
    """repl.md §4; returns (output, error_text, soft_reset_followed)."""
    write_all(b, b"\x05A\x01")
    hdr = read_n(b, 2, WAIT)
    if hdr != b"R\x01":
        raise BoardError("raw-paste not accepted: %r" % (hdr + b.seen))
    window = struct.unpack("<H", read_n(b, 2, WAIT))[0]
    if window != 128:
        raise BoardError("raw-paste window %d, repl.md §4 wants 128" % window)
    remain = 0      # the initial b'\x01' after the window grants the first window
    i = 0
    aborted = False
    while i < len(src):
        poll_in(b)
        while remain == 0 or b.seen:
            c = read_n(b, 1, IO_TIMEOUT)
            if c == b"\x01":
                remain += window
            elif c == b"\x04":      # board-side abort: answer it and stop sending
                write_all(b, b"\x04")
                aborted = True
                break
            else:
                raise BoardError("unexpected read during raw paste: %r" % (c + b.seen))
            poll_in(b)
        if aborted:
            break
        chunk = src[i:i + remain]
        write_all(b, chunk)
        remain -= len(chunk)
        i += len(chunk)
    if not aborted:
        write_all(b, b"\x04")
        # the end-of-data ack; only credit bytes may come before it
        while True:
            c = read_n(b, 1, IO_TIMEOUT)
            if c == b"\x04":
                break
            if c != b"\x01":
                raise BoardError("unexpected read before the raw-paste ack: %r" % (c + b.seen))
    out = b.expect(b"\x04", IO_TIMEOUT)[:-1]
    err = b.expect(b"\x04", IO_TIMEOUT)[:-1]
    nxt = read_n(b, 1, IO_TIMEOUT)
    if nxt == b">":
        return out, err, False
    # SystemExit: soft reset follows, board comes back raw
    b.seen = nxt + b.seen
    b.expect(b"soft reboot\r\n", WAIT)
    b.expect(RAW_BANNER, WAIT)
    return out, err, True


def prepare(src):
    if src.startswith(b"#"):
        return b"print('START TEST')" + src
    return b"print('START TEST')\n" + src


def normalise(out):
    return out.replace(b"\r\r\n", b"\n").replace(b"\r\n", b"\n")


def load_known():
    known = set()
    path = os.path.join(HERE, "KNOWN_FAILURES")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line:
                    known.add(line[:-3] if line.endswith(".py") else line)
    return known


def load_port_skips(board):
    """The scripts PORT_SKIPS lists for this board."""
    skips = set()
    path = os.path.join(HERE, "PORT_SKIPS")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                words = line.split("#", 1)[0].split()
                if len(words) == 2 and board in words[1].split(","):
                    skips.add(words[0])
    return skips


def expected_path(path, board):
    """NAME.py.exp.BOARD where the board differs, else NAME.py.exp."""
    own = path + ".exp." + board
    return own if os.path.exists(own) else path + ".exp"


def udiff(exp, got, name):
    lines = difflib.unified_diff(
        exp.decode("utf-8", "replace").splitlines(True),
        got.decode("utf-8", "replace").splitlines(True),
        name + ".exp", name + ".out", lineterm="")
    return "".join(l if l.endswith("\n") else l + "\n" for l in lines)


def run_script(b, src, exp, name):
    """One script the way run-tests.py runs it on a device: raw REPL with
    soft reset, raw-paste, compare with exp. Returns (result, detail), result
    one of PASS, FAIL, SKIP, CRASH; detail is a diff or the crash text."""
    try:
        enter_raw_with_soft_reset(b)
        out, err, _ = raw_paste_exec(b, prepare(src))
    except BoardError as e:
        b.drain(0.3)    # recover for the next script
        return "CRASH", "protocol: %s" % e
    if err:
        return "CRASH", "error text: %r\noutput: %r" % (err, out)
    if not out.startswith(b"START TEST\r\n"):
        return "CRASH", "output does not start with START TEST: %r" % out
    got = normalise(out[len(b"START TEST\r\n"):])
    if got == b"SKIP\n":
        return "SKIP", ""
    if got == exp:
        return "PASS", ""
    return "FAIL", udiff(exp, got, name)


def main(argv):
    verbose = "-v" in argv
    names = [a for a in argv if not a.startswith("-")]
    scripts = sorted(glob.glob(os.path.join(HERE, "*.py")))
    scripts = [s for s in scripts if not os.path.basename(s).startswith("run_")]  # the runners
    if names:
        scripts = [s for s in scripts if os.path.basename(s)[:-3] in names
                   or os.path.basename(s) in names]
    known = load_known()
    board = os.environ.get("VBOARD_BOARD", "generic")
    port_skips = load_port_skips(board)
    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="vboard-lang-")
    passed, failed, skipped, known_hit, known_fixed = [], [], [], [], []
    times = []  # per script: soft reset + raw paste + run
    try:
        try:
            b = Board(tmp, board=board)
            b.expect(b">>> ", 10)
        except BoardError as e:
            print("could not start the board: %s" % e)
            return 2
        try:
            for path in scripts:
                name = os.path.basename(path)[:-3]
                if name in port_skips:
                    skipped.append(name)
                    print("skip %s (PORT_SKIPS)" % name)
                    continue
                with open(path, "rb") as f:
                    src = f.read()
                with open(expected_path(path, board), "rb") as f:
                    exp = f.read()
                t1 = time.monotonic()
                result, detail = run_script(b, src, exp, name)
                dt = time.monotonic() - t1
                times.append(dt)
                if result == "SKIP":
                    skipped.append(name)
                    print("skip %s" % name)
                elif result == "PASS":
                    passed.append(name)
                    if name in known:
                        known_fixed.append(name)
                        print("pass %s (listed in KNOWN_FAILURES but passes now)" % name)
                    elif verbose:
                        print("pass %s (%.2fs)" % (name, dt))
                elif name in known:
                    known_hit.append(name)
                    print("known %s (%s)" % (name, result))
                    if verbose:
                        print(detail.rstrip("\n"))
                else:
                    failed.append(name)
                    print("FAIL %s (%s)" % (name, result))
                    print(detail.rstrip("\n"))
        finally:
            b.quit()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    wall = time.monotonic() - t0
    extra = ""
    if known_hit:
        extra += ", %d known" % len(known_hit)
    times.sort()
    median = 1000 * times[len(times) // 2] if times else 0.0
    print("%d passed, %d failed, %d skipped%s (%d scripts, %.1f s, median %.1f ms a script)"
          % (len(passed), len(failed), len(skipped), extra, len(scripts), wall, median))
    if failed:
        print("failed: " + " ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
