"""Shared helpers of the serial-link tests (test_link_*.py,
test_hosttools_bulk.py) and bench/bench_link.py.

- LinkBoard: `vboard run` on one transport (pty, tcp, rfc2217) with its own
  control socket; the host attaches and detaches on demand, and the board's
  processes and control `status` are at hand.
- TelnetStream: an RFC 2217 client at the byte level (data 0xFF doubled on
  the way out and undone on the way in; telnet commands taken out of the
  data). It reads only when asked, so a test can stop reading and the
  board really sees a host that does not take its output (pyserial reads the
  socket from a thread into an unbounded queue, and is slow in bulk).
- Sink: a host that reads like an irregular one: each read asks for a
  random number of bytes, and now and then it pauses a few milliseconds.
  Every wait is for bytes, against a deadline and an idle limit; a failure
  shows what arrived (and where it first differs from what was expected).

Each stream has write(data), read(n, timeout) -> bytes (b'' when nothing
came within timeout) and close(), as rawclient.py's streams do, so a
rawclient.RawClient runs over any of them.
"""
import json
import os
import random
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from boardlib import BoardError, ctl_request, read_first_line
from conftest import VBOARD
from rawclient import FdStream, ProtocolError, SocketStream

KINDS = ("pty", "tcp", "rfc2217")
BUSY = b"vboard: serial port busy"
KIB, MIB = 1024, 1024 * 1024


class LinkError(AssertionError):
    pass


def reader_seed():
    """A random seed for the irregular readers, printed (pytest shows it
    with a failure); LINK_SEED=N repeats a run."""
    s = os.environ.get("LINK_SEED")
    seed = int(s) if s else random.SystemRandom().randrange(1 << 32)
    print("reader seed %d (repeat with LINK_SEED=%d)" % (seed, seed))
    return seed


# ---- telnet (RFC 854 / RFC 2217) at the byte level ---------------------------
IAC, SB, SE, WILL, WONT, DO, DONT = 255, 250, 240, 251, 252, 253, 254
BINARY, ECHO, SGA, COM_PORT = 0, 1, 3, 44
_DATA, _IAC, _OPT, _SB, _SB_IAC = range(5)


def iac(*b):
    return bytes((IAC,) + b)


class TelnetStream:
    """Data over an RFC 2217 (telnet) connection: what pyserial's rfc2217://
    client puts on the wire for data, without its reader thread."""

    # the board offers WILL BINARY/SGA/ECHO/COM-PORT and DO BINARY/SGA/COM-PORT;
    # a client agrees (as test_transports.py's does)
    AGREE = (iac(DO, BINARY) + iac(DO, SGA) + iac(DO, ECHO) + iac(DO, COM_PORT)
             + iac(WILL, BINARY) + iac(WILL, SGA) + iac(WILL, COM_PORT))

    def __init__(self, sock):
        self.sock = sock
        sock.settimeout(10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.state = _DATA
        self.verb = 0
        self.sb = bytearray()
        self.commands = []
        self.sock.sendall(self.AGREE)

    def fileno(self):
        return self.sock.fileno()

    def write(self, data):
        self.sock.sendall(bytes(data).replace(b"\xff", b"\xff\xff"))

    def read(self, n, timeout):
        deadline = time.monotonic() + max(timeout, 0)
        while True:
            left = deadline - time.monotonic()
            if select.select([self.sock], [], [], max(left, 0))[0]:
                c = self.sock.recv(n)
                if not c:
                    raise ProtocolError("the board closed the connection")
                d = self._decode(c)
                if d:
                    return d
            if time.monotonic() >= deadline:
                return b""

    def _decode(self, chunk):
        if self.state == _DATA and IAC not in chunk:
            return chunk
        out = bytearray()
        i, n = 0, len(chunk)
        while i < n:
            st = self.state
            if st == _DATA:
                j = chunk.find(b"\xff", i)
                if j < 0:
                    out += chunk[i:]
                    break
                out += chunk[i:j]
                i = j + 1
                self.state = _IAC
                continue
            c = chunk[i]
            i += 1
            if st == _IAC:
                if c == IAC:
                    out.append(IAC)
                    self.state = _DATA
                elif c in (WILL, WONT, DO, DONT):
                    self.verb, self.state = c, _OPT
                elif c == SB:
                    self.sb, self.state = bytearray(), _SB
                else:
                    self.commands.append((c,))
                    self.state = _DATA
            elif st == _OPT:
                self.commands.append((self.verb, c))
                self.state = _DATA
            elif st == _SB:
                if c == IAC:
                    self.state = _SB_IAC
                else:
                    self.sb.append(c)
            else:
                if c == SE:
                    self.commands.append((SB, bytes(self.sb)))
                    self.state = _DATA
                else:                      # IAC IAC inside a subnegotiation
                    self.sb.append(c)
                    self.state = _SB
        return bytes(out)

    def close(self):
        self.sock.close()


# ---- the board ---------------------------------------------------------------
def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise LinkError("no VmRSS for pid %d" % pid)


def cpu_seconds(pid):
    """utime + stime of a process, in seconds (clock-tick resolution)."""
    with open("/proc/%d/stat" % pid) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    # after ')': state(0) ppid(1) ... utime is field 14 of the line, index 11 here
    return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")


def proc_state(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def children(pid):
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        return [int(x) for x in f.read().split()]


class LinkBoard:
    """`vboard run` on `kind` ("pty", "tcp", "rfc2217"), with a control
    socket and (optionally) a trace. No host is attached until attach()."""

    def __init__(self, tmpdir, kind, board="generic", extra=(), flash=None, trace=False):
        self.kind = kind
        tmpdir = str(tmpdir)
        self.flash = flash or os.path.join(tmpdir, "flash-%s.bin" % board)
        self.sockdir = tempfile.mkdtemp(prefix="vbl")   # Unix socket paths are short
        self.control = os.path.join(self.sockdir, "c.sock")
        self.trace = os.path.join(tmpdir, "trace-%s.jsonl" % kind) if trace else None
        args = [VBOARD, "run", "--board", board, "--flash", self.flash, "--control", self.control]
        if kind == "pty":
            self.link = os.path.join(tmpdir, "ttyVB")
            args += ["--pty", self.link]
        elif kind in ("tcp", "rfc2217"):
            args += ["--" + kind, "0"]
        else:
            raise ValueError(kind)
        if trace:
            args += ["--trace", self.trace]
        args += [str(a) for a in extra]
        self.args = args
        self.stderr_path = os.path.join(tmpdir, "vboard-%s.stderr" % kind)
        self._err = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._err)
        self.stream = None
        line = self._first_line()
        if kind == "pty":
            if not line.startswith("/dev/pts/"):
                self._fail_start("first line is not a pty path: %r" % line)
            self.pty_path = line
        else:
            if not line.startswith(kind + "://127.0.0.1:"):
                self._fail_start("first line is not the %s address: %r" % (kind, line))
            self.port = int(line.rsplit(":", 1)[1])

    def _fail_start(self, why):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        raise BoardError("%s\n$ %s\n[exit %r] stderr: %s"
                         % (why, " ".join(self.args), self.proc.returncode, self.stderr_text()))

    def _first_line(self):
        line = read_first_line(self.proc.stdout.fileno())
        if line is None:
            self._fail_start("no first line from vboard within 10 s (or it exited)")
        return line

    def stderr_text(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read()[-3000:].decode("utf-8", "replace")
        except OSError:
            return ""

    # ---- the host side -----------------------------------------------------
    def attach(self, rcvbuf=None, timeout=10.0):
        """A host opens the port: the pty symlink, or a TCP / RFC 2217
        client (tried again while the board still answers BUSY for the
        previous one). rcvbuf: a small socket receive buffer, so a host
        that stops reading is felt sooner."""
        assert self.stream is None, "a host is attached already"
        if self.kind == "pty":
            self.stream = FdStream.open(self.link)
            return self.stream
        deadline = time.monotonic() + timeout
        while True:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            if rcvbuf:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            try:
                s.settimeout(10)
                s.connect(("127.0.0.1", self.port))
                if self._busy(s):
                    raise ConnectionRefusedError("busy")
                self.stream = SocketStream(s) if self.kind == "tcp" else TelnetStream(s)
                return self.stream
            except (ConnectionError, socket.timeout):
                s.close()
            if time.monotonic() > deadline:
                raise BoardError("could not attach a %s client within %.0f s" % (self.kind, timeout))
            time.sleep(0.05)

    @staticmethod
    def _busy(s):
        """Did the board answer BUSY (and hang up)? An accepted client gets
        nothing (TCP) or the telnet offers (RFC 2217) first."""
        deadline = time.monotonic() + 0.2
        while time.monotonic() < deadline:
            if not select.select([s], [], [], max(0, deadline - time.monotonic()))[0]:
                return False
            peek = s.recv(len(BUSY), socket.MSG_PEEK)
            if not peek:
                return True                # closed at once
            if not BUSY.startswith(peek):
                return False
            if len(peek) == len(BUSY):
                return True
            time.sleep(0.005)
        return False

    def detach(self):
        """The host hangs up (closes the pty / the connection)."""
        if self.stream is not None:
            try:
                self.stream.close()
            except OSError:
                pass
            self.stream = None

    # ---- the board's side ------------------------------------------------------
    def ctl(self, cmd, **fields):
        return ctl_request(self.control, dict(cmd=cmd, **fields))

    def status(self):
        st = self.ctl("status")
        if not st.get("ok"):
            raise LinkError("status failed: %r" % st)
        return st

    def serial_status(self, keys=("serial_sent", "serial_discarded", "serial_host", "serial_queued")):
        """The link members of `status` (each must be there)."""
        st = self.status()
        missing = [k for k in keys if k not in st]
        if missing:
            raise LinkError("control status has no %s (the link counters): %r" % (", ".join(missing), st))
        return st

    def wait_status(self, pred, what, timeout=10.0, interval=0.02):
        """Poll `status` until pred(status) is true; the status."""
        deadline = time.monotonic() + timeout
        while True:
            st = self.status()
            if pred(st):
                return st
            if time.monotonic() > deadline:
                raise LinkError("waited %.1fs for %s; last status: %r" % (timeout, what, st))
            time.sleep(interval)

    def vm_pid(self):
        zygote = children(self.proc.pid)[0]
        return children(zygote)[0]

    def trace_events(self, event=None):
        out = []
        with open(self.trace) as f:
            for line in f:
                if line.strip():
                    ev = json.loads(line)
                    if event is None or ev.get("event") == event:
                        out.append(ev)
        return out

    def wait_trace(self, pred, what, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            evs = self.trace_events()
            hit = [e for e in evs if pred(e)]
            if hit:
                return hit
            if time.monotonic() > deadline:
                raise LinkError("waited %.1fs for a trace event %s; trace has %d events, the last: %r"
                                % (timeout, what, len(evs), evs[-15:]))
            time.sleep(0.05)

    def quit(self, timeout=15):
        self.detach()
        rc = self.proc.poll()
        if rc is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                rc = None
        self._err.close()
        self.proc.stdout.close()
        shutil.rmtree(self.sockdir, ignore_errors=True)
        if rc is None:
            raise BoardError("vboard did not exit within %d s of SIGTERM" % timeout)
        return rc


# ---- the irregular reader ---------------------------------------------------------
def show(b, n=400):
    b = bytes(b)
    return repr(b) if len(b) <= n else "%r ... (%d bytes) ... %r" % (b[:n // 4], len(b), b[-3 * n // 4:])


def first_difference(got, want):
    """Offset of the first byte where got differs from want (or the end of the shorter)."""
    n = min(len(got), len(want))
    lo, hi = 0, n                  # binary search on equal prefixes (fast on MBs)
    while lo < hi:
        mid = (lo + hi) // 2
        if got[lo:mid + 1] == want[lo:mid + 1]:
            lo = mid + 1
        else:
            hi = mid
    return lo


def describe_difference(got, want, what="output"):
    got, want = bytes(got), bytes(want)
    i = first_difference(got, want)
    line = bytes(want[:i]).count(b"\n") + 1
    return ("%s differs at byte %d (line %d) of %d expected, %d received:\n"
            "  expected there: %r\n  received there: %r\n  (before it: %r)"
            % (what, i, line, len(want), len(got), bytes(want[i:i + 120]), bytes(got[i:i + 120]),
               bytes(want[max(0, i - 80):i])))


class Sink:
    """Reads the board's output in random pieces of 1..max_piece bytes and
    pauses 0..pause_max seconds on about one read in pause_every."""

    def __init__(self, stream, rng, initial=b"", max_piece=4096, pause_every=40, pause_max=0.005,
                 stops=()):
        """stops: (n, seconds) pairs: once n bytes have arrived, stop
        reading for that long (a host busy elsewhere)."""
        self.s = stream
        self.stops = sorted(stops)
        self.rng = rng
        self.max_piece = max_piece
        self.pause_every = pause_every
        self.pause_max = pause_max
        self.data = bytearray(initial)
        self.pos = 0                  # bytes handed out already
        self.reads = 0
        self.pauses = 0

    @property
    def pending(self):
        return len(self.data) - self.pos

    def pump(self, wait):
        n = self.rng.randint(1, self.max_piece)
        c = self.s.read(n, wait)
        if c:
            self.data += c
            self.reads += 1
            if self.pause_every and self.rng.randrange(self.pause_every) == 0:
                self.pauses += 1
                time.sleep(self.rng.uniform(0, self.pause_max))
            while self.stops and len(self.data) >= self.stops[0][0]:
                time.sleep(self.stops.pop(0)[1])
        return len(c)

    def _stalled(self, what, t0, timeout, idle, extra=""):
        now = time.monotonic()
        why = ("nothing arrived for %.1fs" % idle) if now - t0 < timeout else ("deadline of %.0fs passed" % timeout)
        return LinkError("%s while waiting for %s; %d bytes pending, %d received in all%s\n"
                         "last bytes: %s" % (why, what, self.pending, len(self.data), extra,
                                             show(self.data[-600:], 600)))

    def _fill(self, enough, what, timeout, idle, extra=lambda: ""):
        t0 = last = time.monotonic()
        while not enough():
            now = time.monotonic()
            if now - t0 > timeout or now - last > idle:
                raise self._stalled(what, t0, timeout, idle, extra())
            if self.pump(0.2):
                last = time.monotonic()

    def read_exact(self, n, timeout=30.0, idle=10.0):
        self._fill(lambda: self.pending >= n, "%d bytes" % n, timeout, idle)
        got = bytes(self.data[self.pos:self.pos + n])
        self.pos += n
        return got

    def read_until(self, token, timeout=30.0, idle=10.0):
        """Everything up to and including token (searching only new bytes)."""
        start = [self.pos]

        def found():
            i = self.data.find(token, start[0])
            if i >= 0:
                start.append(i)
                return True
            start[0] = max(self.pos, len(self.data) - len(token) + 1)
            return False
        self._fill(found, repr(token), timeout, idle)
        end = start[-1] + len(token)
        got = bytes(self.data[self.pos:end])
        self.pos = end
        return got

    def expect_stream(self, want, timeout=120.0, idle=10.0, what="output"):
        """The next len(want) bytes must be exactly want; checked as they
        arrive, so a lost or changed byte fails at once, with its place."""
        want = memoryview(want)
        base = self.pos
        checked = [0]

        def enough():
            avail = min(len(self.data) - base, len(want))
            if avail > checked[0]:
                if self.data[base + checked[0]:base + avail] != want[checked[0]:avail]:
                    got = self.data[base:base + avail]
                    raise LinkError(describe_difference(got, want[:avail], what)
                                    + "\n(%d reads, %d pauses so far)" % (self.reads, self.pauses))
                checked[0] = avail
            return checked[0] == len(want)
        self._fill(enough, "%s: %d bytes" % (what, len(want)), timeout, idle,
                   lambda: "; %d of %d expected bytes arrived and matched" % (checked[0], len(want)))
        self.pos = base + len(want)

    def drain(self, quiet=0.2):
        while self.pump(quiet):
            pass
        got = bytes(self.data[self.pos:])
        self.pos = len(self.data)
        return got


@pytest.fixture(params=KINDS)
def link(request, tmp_path):
    """A board on each transport in turn, stopped after the test. Its
    programs make MiB of output from chunks bigger than an ESP32 module's
    heap (a 2 MB file is made in one piece): the board gets a bigger one."""
    b = LinkBoard(tmp_path, request.param, extra=["--heap", "16M"])
    yield b
    b.quit()
