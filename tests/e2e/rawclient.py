"""A host-tool protocol client for the raw REPL, written from repl.md §3-§6.

It talks exactly like pyboard.py and mpremote: the `\\r\\x03` ... `\\r\\x01`
entry with an optional `\\x04` soft reset, raw-paste (`\\x05A\\x01`) with
flow-control credits, the plain-raw fallback (256-byte chunks, `\\x04`, `OK`),
the two `\\x04`-terminated replies and the `\\r\\x02` exit; plus mpremote's
file helpers (fs_put, fs_get, ls, stat, sha256) with the device-side Python
mpremote sends.

It works over any byte stream with `write(data)` and
`read(n, timeout) -> bytes` (at most n bytes; b'' when nothing arrived within
`timeout` seconds). FdStream adapts a file descriptor (the pty through the
`--pty` symlink), SocketStream a TCP connection (`--tcp`), SerialStream a
pyserial port such as `rfc2217://` (`--rfc2217`). Every wait has a deadline; a failure raises ProtocolError
showing every byte received in that wait.
"""
import ast
import os
import select
import socket
import struct
import time

RAW_BANNER = b"raw REPL; CTRL-B to exit\r\n>"
SOFT_REBOOT = b"soft reboot\r\n"
RAW_PASTE_CMD = b"\x05A\x01"
RAW_PASTE_YES = b"R\x01"
RAW_PASTE_NO = b"R\x00"
CREDIT = b"\x01"
EOT = b"\x04"
ENTER_INTERRUPT = b"\r\x03"
ENTER_RAW = b"\r\x01"
EXIT_RAW = b"\r\x02"
CHUNK = 256          # mpremote's file chunk and plain-raw chunk size


class ProtocolError(AssertionError):
    pass


class FdStream:
    """read/write over a non-blocking file descriptor (pty, socket, pipe)."""

    def __init__(self, fd):
        self.fd = fd

    @classmethod
    def open(cls, path):
        return cls(os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK))

    def write(self, data):
        view = memoryview(data)
        deadline = time.monotonic() + 10
        while view:
            try:
                n = os.write(self.fd, view)
                view = view[n:]
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ProtocolError("write blocked for 10 s with %d bytes left" % len(view))
                select.select([], [self.fd], [], 0.1)

    def read(self, n, timeout):
        if select.select([self.fd], [], [], max(timeout, 0))[0]:
            try:
                return os.read(self.fd, n)
            except BlockingIOError:
                return b""
        return b""

    def close(self):
        os.close(self.fd)


class SocketStream:
    """read/write over a connected TCP socket."""

    def __init__(self, sock):
        self.sock = sock
        sock.settimeout(10)            # bounds sendall when the board stops reading
        # As pyserial's rfc2217 client does: without it, Nagle holds the
        # command's closing \x04 until the board's delayed ACK (~40 ms a
        # command).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @classmethod
    def connect(cls, port, host="127.0.0.1"):
        return cls(socket.create_connection((host, port), timeout=10))

    def write(self, data):
        self.sock.sendall(data)

    def read(self, n, timeout):
        if select.select([self.sock], [], [], max(timeout, 0))[0]:
            c = self.sock.recv(n)
            if not c:
                raise ProtocolError("the board closed the connection")
            return c
        return b""

    def close(self):
        self.sock.close()


class SerialStream:
    """read/write over a pyserial port (e.g. serial_for_url('rfc2217://...')).

    The port keeps one short read timeout: changing it on an rfc2217 port
    renegotiates every line setting with the server."""

    POLL = 0.02

    def __init__(self, ser):
        self.ser = ser
        if ser.timeout != self.POLL:
            ser.timeout = self.POLL

    def write(self, data):
        self.ser.write(data)

    def read(self, n, timeout):
        deadline = time.monotonic() + max(timeout, 0)
        while True:
            waiting = self.ser.in_waiting
            if waiting:
                return self.ser.read(min(waiting, n))
            if time.monotonic() >= deadline:
                return b""
            c = self.ser.read(1)
            if c:
                return c + (self.ser.read(min(self.ser.in_waiting, n - 1)) if n > 1 else b"")

    def close(self):
        self.ser.close()


class PasteStats:
    """Credit accounting of one raw-paste transfer (repl.md §4)."""

    def __init__(self, window):
        self.window = window
        self.credits = 0          # lone \x01 bytes received before the ack
        self.sent = 0             # source bytes written
        self.max_in_flight = 0    # worst sent - granted seen (must stay <= 0)
        self.early_credit = False  # a credit arrived before its 128 bytes were sent

    @property
    def granted(self):
        return self.window * (1 + self.credits)


class RawClient:
    def __init__(self, stream, timeout=10.0):
        self.s = stream
        self.timeout = timeout
        self.buf = b""
        self.use_raw_paste = True
        self.last_paste = None

    # ---- byte-level reads, each against a deadline ------------------------
    def _fill(self, deadline, want_desc):
        left = deadline - time.monotonic()
        if left <= 0:
            raise ProtocolError("waited %.1fs for %s\nreceived (%d bytes): %r"
                                % (self.timeout_used, want_desc, len(self.buf), self.buf[-3000:]))
        c = self.s.read(65536, min(left, 0.2))
        self.buf += c
        return c

    def read_until(self, token, timeout=None):
        """Everything up to and including `token`."""
        self.timeout_used = timeout or self.timeout
        deadline = time.monotonic() + self.timeout_used
        while token not in self.buf:
            self._fill(deadline, repr(token))
        i = self.buf.index(token) + len(token)
        got, self.buf = self.buf[:i], self.buf[i:]
        return got

    def read_exact(self, n, timeout=None):
        self.timeout_used = timeout or self.timeout
        deadline = time.monotonic() + self.timeout_used
        while len(self.buf) < n:
            self._fill(deadline, "%d bytes" % n)
        got, self.buf = self.buf[:n], self.buf[n:]
        return got

    def expect_exact(self, want, timeout=None):
        got = self.read_exact(len(want), timeout)
        if got != want:
            raise ProtocolError("expected exactly %r\nreceived: %r (then %r)" % (want, got, self.buf[:200]))
        return got

    def drain(self, quiet=0.05):
        """pyboard.py's flush: read and discard what is already available."""
        while True:
            c = self.s.read(65536, quiet)
            if not c:
                break
            self.buf += c
        out, self.buf = self.buf, b""
        return out

    def write(self, data):
        self.s.write(data)

    # ---- §6.1 entry / exit --------------------------------------------------
    def enter_raw(self, soft_reset=True, timeout=None):
        """Returns the bytes seen between the entry and the final raw prompt."""
        self.write(ENTER_INTERRUPT)
        seen = self.drain()
        self.write(ENTER_RAW)
        seen += self.read_until(RAW_BANNER[:-1], timeout)
        if soft_reset:
            self.write(EOT)
            seen += self.read_until(SOFT_REBOOT, timeout)
            seen += self.read_until(RAW_BANNER[:-1], timeout)
        seen += self.expect_exact(b">", timeout)
        return seen

    def soft_reset(self, timeout=5.0):
        """`\\x04` at the raw prompt; returns the exact reply up to the raw banner."""
        self.write(EOT)
        return self.read_until(RAW_BANNER, timeout)

    def exit_raw(self):
        self.write(EXIT_RAW)

    # ---- sending a command ---------------------------------------------------
    def _raw_paste_write(self, data):
        """After R\\x01: window, credits, data, \\x04, ack."""
        window = struct.unpack("<H", self.read_exact(2))[0]
        st = PasteStats(window)
        self.last_paste = st
        remaining = window
        i = 0
        deadline = time.monotonic() + max(self.timeout, len(data) / 20000)
        self.timeout_used = deadline - time.monotonic()
        while i < len(data):
            # pyboard.py: take every control byte already available, and block
            # for one while no credit is left
            self._poll_credits()
            while remaining == 0 or self.buf:
                if not self.buf:
                    self._fill(deadline, "a raw-paste credit (sent %d/%d, credits %d)"
                               % (i, len(data), st.credits))
                    continue
                b, self.buf = self.buf[:1], self.buf[1:]
                if b == CREDIT:
                    st.credits += 1
                    remaining += window
                    if st.credits > 1 + st.sent // window:
                        st.early_credit = True
                elif b == EOT:
                    # board-side abort: answer with \x04 and let the caller read the error
                    self.write(EOT)
                    raise ProtocolError("board aborted raw-paste after %d bytes" % i)
                else:
                    raise ProtocolError("unexpected read during raw paste: %r (then %r)"
                                        % (b, self.buf[:200]))
            n = min(remaining, len(data) - i)
            if n == 0:
                continue
            self.write(data[i:i + n])
            i += n
            remaining -= n
            st.sent = i
            st.max_in_flight = max(st.max_in_flight, st.sent - st.granted)
        self.write(EOT)
        # the ack; credits may still arrive before it
        while True:
            b = self.read_exact(1)
            if b == CREDIT:
                st.credits += 1
                if st.credits > 1 + st.sent // window:
                    st.early_credit = True
                continue
            if b != EOT:
                raise ProtocolError("expected the end-of-data ack, got %r (then %r)" % (b, self.buf[:200]))
            return st

    def _poll_credits(self):
        """Move any bytes already available into the buffer (non-blocking)."""
        c = self.s.read(65536, 0)
        self.buf += c

    def _plain_raw_write(self, data):
        for i in range(0, len(data), CHUNK):
            self.write(data[i:i + CHUNK])
            time.sleep(0.01)
        self.write(EOT)
        self.expect_exact(b"OK")

    def send_command(self, code):
        """Send `code` (at the raw prompt, which has been read). Returns once the
        board has acknowledged the end of data."""
        if isinstance(code, str):
            code = code.encode()
        if self.use_raw_paste:
            self.write(RAW_PASTE_CMD)
            r = self.read_exact(2)
            if r == RAW_PASTE_YES:
                return self._raw_paste_write(code)
            if r == RAW_PASTE_NO:
                self.use_raw_paste = False
            else:
                self.buf = r + self.buf
                self.read_until(b"w REPL; CTRL-B to exit\r\n>")
                self.use_raw_paste = False
        self._plain_raw_write(code)
        return None

    def follow(self, timeout=None):
        """Output up to \\x04, error text up to \\x04, then the `>` prompt."""
        out = self.read_until(EOT, timeout)[:-1]
        err = self.read_until(EOT, timeout)[:-1]
        self.expect_exact(b">", timeout)
        return out, err

    def exec_raw(self, code, timeout=None):
        """(output, error text) of `code`."""
        self.send_command(code)
        return self.follow(timeout)

    def exec(self, code, timeout=None):
        """Output of `code`; non-empty error text raises ProtocolError."""
        out, err = self.exec_raw(code, timeout)
        if err:
            raise ProtocolError("exec failed: %r\noutput: %r\nerror: %r" % (code[:200], out, err))
        return out

    def eval(self, expr):
        return ast.literal_eval(self.exec("print(repr(%s))" % expr).decode().strip())

    # ---- mpremote's file helpers (repl.md §6.3) ---------------------------
    def fs_put(self, path, data, chunk_size=CHUNK, on_chunk=None):
        self.exec("f=open(%r,'wb')\nw=f.write" % path)
        for i in range(0, len(data), chunk_size):
            if on_chunk:
                on_chunk(i)
            self.exec("w(" + repr(data[i:i + chunk_size]) + ")")
        self.exec("f.close()")

    def fs_get(self, path, chunk_size=CHUNK):
        self.exec("f=open(%r,'rb')\nr=f.read" % path)
        parts = []
        while True:
            line = self.exec("print(r(%u))" % chunk_size)
            if not line.endswith(b"\r\n"):
                raise ProtocolError("read reply not cooked: %r" % line[-100:])
            chunk = ast.literal_eval(line.decode().strip())
            if not chunk:
                break
            parts.append(chunk)
        self.exec("f.close()")
        return b"".join(parts)

    def ls(self, path="/"):
        out = self.exec("import os\nfor f in os.ilistdir(%r):\n print(repr(f),end=',')" % path)
        return ast.literal_eval("[" + out.decode() + "]")

    def stat_raw(self, path):
        return self.exec_raw("import os\nprint(repr(tuple(os.stat(%r))))" % path)

    def stat(self, path):
        return ast.literal_eval(self.exec("import os\nprint(repr(tuple(os.stat(%r))))" % path).decode())

    def sha256(self, path):
        out = self.exec(
            "from hashlib import sha256\nh=sha256()\nbuf=memoryview(bytearray(%d))\n"
            "f=open(%r,'rb')\nwhile 1:\n n=f.readinto(buf)\n if n==0:break\n"
            " h.update(buf if n==%d else buf[:n])\nf.close()\nprint(repr(h.digest()))"
            % (CHUNK, path, CHUNK))
        return ast.literal_eval(out.decode().strip())
