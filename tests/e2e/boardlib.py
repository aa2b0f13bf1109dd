"""Drive a real `vboard run --pty LINK` over its pseudo-terminal, byte for
byte, the way host tools do (repl.md §6): every wait is for exact bytes
against a deadline, and a failure shows every byte received so far."""
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from conftest import VBOARD
from vboard.board import ctl_request as vboard_ctl_request, poll_until
from vboard.errors import VboardError

BANNER = (b'MicroPython v1.24.1 on 2024-11-29; Generic ESP32 module with ESP32\r\n'
          b'Type "help()" for more information.\r\n>>> ')
RAW_BANNER = b'raw REPL; CTRL-B to exit\r\n>'
# What a board prints once, before its first banner, when it formats an
# erased flash (esp32 inisetup.py); rp2 and Pycom format silently.
SETUP_LINE = {"generic": b"Performing initial setup\r\n", "esp32": b"Performing initial setup\r\n"}


class BoardError(AssertionError):
    pass


def wait_until(probe, timeout, what):
    """probe() until it is true (its value returned): the Python API's one
    polling wait (for conditions nothing signals); BoardError naming `what`
    after `timeout` seconds."""
    try:
        return poll_until(probe, timeout, what)
    except VboardError as e:
        raise BoardError(str(e)) from None


def tcp_listening(port, host="127.0.0.1"):
    """Whether something accepts TCP connections at host:port (a probe for
    wait_until: a server started in the background)."""
    import socket
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def repl(b, line, timeout=5):
    """Type a line at the friendly REPL; its output (without echo/prompt)."""
    b.send(line.encode() + b"\r")
    got = b.expect(b">>> ", timeout)
    return got.split(b"\r\n", 1)[1][:-len(b">>> ")].decode()


def run_program(b, code, timeout=10):
    """A program through the raw REPL, then back to the friendly one: its
    output (str); a traceback fails the test."""
    b.raw_enter()
    out, err = b.raw_exec(code.encode(), timeout)
    b.send(b"\x02")
    b.expect(b">>> ")
    assert not err, err.decode()
    return out.decode()


def read_first_line(fd, timeout=10.0):
    """vboard run's first line (the pty path or the URL), read from the raw
    stdout fd (no Python buffering, so select() sees exactly what is
    pending); None when it did not come in time or vboard exited first."""
    deadline = time.monotonic() + timeout
    buf = b""
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        c = os.read(fd, 256)
        if not c:
            return None
        buf += c
    return buf.split(b"\n")[0].strip().decode()


class Board:
    def __init__(self, tmpdir, board="generic", flash=None, extra=()):
        self.flash = flash or os.path.join(str(tmpdir), "flash-%s.bin" % board)
        # a new flash file is erased: the first output is then the setup line
        self.setup_line = b"" if os.path.exists(self.flash) else SETUP_LINE.get(board, b"")
        self.link = os.path.join(str(tmpdir), "ttyVB")
        # Unix socket paths are short (108 bytes): not under pytest's tmpdir
        self.sockdir = tempfile.mkdtemp(prefix="vb")
        self.control = os.path.join(self.sockdir, "c.sock")
        self.proc = subprocess.Popen(
            [VBOARD, "run", "--board", board, "--flash", self.flash, "--pty", self.link,
             "--control", self.control] + list(extra),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self._read_first_line()
        if not line.startswith(b"/dev/pts/"):
            raise BoardError("first line is not a pty path: %r" % line)
        self.pty_path = line.decode()
        self.fd = os.open(self.link, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        self.seen = b""

    def _read_first_line(self):
        line = read_first_line(self.proc.stdout.fileno())
        if line is None:
            self.proc.kill()
            raise BoardError("no pty line from vboard within 10 s; stderr: %r" % self.proc.stderr.read())
        return line.encode()

    def send(self, data, timeout=10.0):
        """Write all of `data` (the fd is non-blocking: a full pty takes it
        in pieces, as the board consumes)."""
        deadline = time.monotonic() + timeout
        view = memoryview(data)
        while view:
            try:
                n = os.write(self.fd, view)
                view = view[n:]
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BoardError("board did not take input for %.1fs; %d bytes left"
                                     % (timeout, len(view)))
                select.select([], [self.fd], [], 0.05)

    def expect(self, want, timeout=5.0):
        """Wait until `want` (bytes) has arrived; return everything up to and
        including it, and keep what followed for the next wait."""
        deadline = time.monotonic() + timeout
        while want not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                tail = self.seen[-3000:]
                raise BoardError("waited %.1fs for %r\nreceived (%d bytes%s): %r"
                                 % (timeout, want, len(self.seen),
                                    ", last 3000 shown" if len(self.seen) > 3000 else "", tail))
            r, _, _ = select.select([self.fd], [], [], min(left, 0.2))
            if r:
                try:
                    self.seen += os.read(self.fd, 65536)
                except BlockingIOError:
                    pass
        i = self.seen.index(want) + len(want)
        got, self.seen = self.seen[:i], self.seen[i:]
        return got

    def expect_exact(self, want, timeout=5.0):
        """The next bytes must be exactly `want`; on a first boot the setup
        line may come first (exactly once, as the very first output)."""
        got = self.expect(want, timeout)
        if self.setup_line and got == self.setup_line + want:
            got = want
        self.setup_line = b""
        if got != want:
            raise BoardError("expected exactly %r\nreceived: %r" % (want, got))
        return got

    def drain(self, quiet=0.2):
        """Read whatever arrives until `quiet` seconds pass with nothing."""
        while select.select([self.fd], [], [], quiet)[0]:
            try:
                self.seen += os.read(self.fd, 65536)
            except BlockingIOError:
                break
        out, self.seen = self.seen, b""
        return out

    def raw_enter(self):
        """pyboard.py's entry: \\r\\x03, then \\r\\x01 and the raw banner."""
        self.send(b"\r\x03")
        time.sleep(0.05)
        self.drain(0.05)
        self.send(b"\r\x01")
        self.expect(RAW_BANNER)

    def raw_exec(self, code, timeout=5.0):
        """Plain raw REPL: send code + \\x04; return (output, error)."""
        self.send(code + b"\x04")
        self.expect(b"OK", timeout)
        out = self.expect(b"\x04", timeout)[:-1]
        err = self.expect(b"\x04", timeout)[:-1]
        self.expect(b">", timeout)
        return out, err

    def ctl(self, cmd, **fields):
        """One control-socket request; the decoded reply."""
        return ctl_request(self.control, dict(cmd=cmd, **fields))

    def wait_status(self, key, want, timeout=5.0):
        """Poll `status` until status[key] == want; the last status."""
        st = {}

        def reached():
            st.update(self.ctl("status"))
            return st.get(key) == want
        try:
            wait_until(reached, timeout, "status %s == %r" % (key, want))
        except BoardError:
            raise BoardError("status %s stayed %r, wanted %r" % (key, st.get(key), want)) from None
        return st

    def wait_board_us(self, at_least, timeout=10.0):
        """Wait until the board clock (`clock`'s board_us) reaches at_least."""
        return wait_until(lambda: (lambda t: t if t >= at_least else None)(self.ctl("clock")["board_us"]),
                          timeout, "board time %d us" % at_least)

    def vm_pid(self):
        """The running VM: the zygote's child (the supervisor's grandchild).
        The supervisor's other children (a script device's python3, the
        DNS helper) run no vboard image."""
        def children(pid):
            with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
                return [int(x) for x in f.read().split()]

        def is_vboard(pid):
            try:
                return os.path.realpath("/proc/%d/exe" % pid) == os.path.realpath(VBOARD)
            except OSError:
                return False
        zygote = [c for c in children(self.proc.pid) if is_vboard(c)][0]
        return children(zygote)[0]

    def close_sockdir(self):
        shutil.rmtree(self.sockdir, ignore_errors=True)

    def quit(self, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise BoardError("vboard did not exit on SIGTERM")
        try:
            os.close(self.fd)
        except OSError:
            pass
        self.close_sockdir()
        return self.proc.returncode


def ctl_request(path, req, timeout=10.0):
    """Send one JSON request line to a control socket; return the reply
    (the Python API's own request, its errors as BoardError here)."""
    try:
        return vboard_ctl_request(path, req, timeout)
    except VboardError as e:
        raise BoardError(str(e)) from e


class TcpClient:
    """A host on the board's raw TCP port: bytes in, exact bytes awaited."""

    def __init__(self, port, timeout=5.0):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.timeout = timeout
        self.seen = b""

    def send(self, data):
        self.s.sendall(data)

    def expect(self, want, timeout=None):
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while want not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BoardError("waited %.1fs for %r; received %r" % (timeout, want, self.seen[-2000:]))
            if select.select([self.s], [], [], min(left, 0.2))[0]:
                c = self.s.recv(65536)
                if not c:
                    raise BoardError("closed while waiting for %r; received %r" % (want, self.seen))
                self.seen += c
        i = self.seen.index(want) + len(want)
        got, self.seen = self.seen[:i], self.seen[i:]
        return got
