"""The board's serial line and MicroPython's raw REPL, as host tools use
them (pyboard.py / mpremote): `\\r\\x03` then `\\r\\x01` to enter, raw-paste
(`\\x05A\\x01`) with flow-control credits and a plain-raw fallback, the two
`\\x04`-terminated replies, `\\r\\x02` to leave; mpremote's file transfer
(chunked, binary-safe through `repr`).

SerialLink reads a non-blocking file descriptor (the pty) into one buffer
of bytes not yet consumed, and keeps a transcript of everything received.
Every wait has a deadline; a failure names what was awaited and shows the
bytes received (BoardTimeout).
"""
import ast
import os
import select
import struct
import time

from .errors import BoardTimeout, MicroPythonError, VboardError

RAW_BANNER = b"raw REPL; CTRL-B to exit\r\n>"
SOFT_REBOOT = b"soft reboot\r\n"
PROMPT = b">>> "
CHUNK = 256

# what the transcript keeps (the newest bytes; older ones are dropped)
TRANSCRIPT_MAX = 4 * 1024 * 1024


class SerialLink:
    """Bytes to and from the board over a non-blocking fd."""

    def __init__(self, fd, alive=None):
        self.fd = fd
        self.buf = b""            # received, not yet consumed by a wait
        self.transcript = bytearray()
        self.dropped = 0          # transcript bytes dropped from its front
        self._alive = alive or (lambda: None)   # raises BoardExited when the board is gone

    # ---- low level ---------------------------------------------------------
    def _read_some(self, timeout):
        """Read what arrives within `timeout` into buf; the bytes read."""
        if self.fd is None:
            raise VboardError("the serial link is closed")
        r = select.select([self.fd], [], [], max(timeout, 0))[0]
        if not r:
            return b""
        try:
            c = os.read(self.fd, 65536)
        except BlockingIOError:
            return b""
        except OSError:            # EIO: the pty's other side is gone
            self._alive()
            return b""
        if not c:
            self._alive()
            return b""
        self.buf += c
        self.transcript += c
        if len(self.transcript) > TRANSCRIPT_MAX:
            cut = len(self.transcript) - TRANSCRIPT_MAX
            del self.transcript[:cut]
            self.dropped += cut
        return c

    def write(self, data, timeout=10.0):
        """Write all of `data`; a board that does not take input for
        `timeout` seconds raises BoardTimeout."""
        if isinstance(data, str):
            data = data.encode()
        view = memoryview(data)
        deadline = time.monotonic() + timeout
        while view:
            try:
                n = os.write(self.fd, view)
                view = view[n:]
                continue
            except BlockingIOError:
                pass
            left = deadline - time.monotonic()
            if left <= 0:
                raise BoardTimeout("the board to take input (%d of %d bytes left)"
                                   % (len(view), len(data)), timeout, self.buf)
            self._alive()
            # keep reading meanwhile: a board waits on its output too
            self._read_some(0)
            select.select([], [self.fd], [], min(left, 0.05))

    def poll(self):
        """Take in whatever has arrived, without waiting."""
        while self._read_some(0):
            pass

    def drain(self, quiet=0.05):
        """Read until `quiet` seconds pass with nothing; return and consume
        everything unconsumed."""
        while self._read_some(quiet):
            pass
        out, self.buf = self.buf, b""
        return out

    def discard(self):
        """Consume everything received so far (it stays in the transcript)."""
        self.poll()
        out, self.buf = self.buf, b""
        return out

    # ---- waits -------------------------------------------------------------
    def _wait(self, cond, what, timeout, note=""):
        deadline = time.monotonic() + timeout
        while True:
            r = cond()
            if r is not None:
                return r
            left = deadline - time.monotonic()
            if left <= 0:
                raise BoardTimeout(what, timeout, self.buf, note)
            if not self._read_some(min(left, 0.2)):
                self._alive()

    def find(self, token, start=0):
        i = self.buf.find(token, start)
        return None if i < 0 else i + len(token)

    def read_until(self, token, timeout=10.0, what=None, consume=True):
        """Everything up to and including `token` (consumed unless
        consume=False)."""
        end = self._wait(lambda: self.find(token), what or repr(token), timeout)
        got = self.buf[:end]
        if consume:
            self.buf = self.buf[end:]
        return got

    def read_exact(self, n, timeout=10.0, what=None):
        self._wait(lambda: True if len(self.buf) >= n else None, what or "%d bytes" % n, timeout)
        got, self.buf = self.buf[:n], self.buf[n:]
        return got

    def expect_exact(self, want, timeout=10.0, what=None):
        got = self.read_exact(len(want), timeout, what or repr(want))
        if got != want:
            raise VboardError("expected exactly %r\nreceived: %r (then %r)" % (want, got, self.buf[:200]))
        return got

    def close(self):
        if self.fd is not None:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = None


class RawRepl:
    """MicroPython's raw REPL over a SerialLink."""

    def __init__(self, link, timeout=10.0):
        self.link = link
        self.timeout = timeout
        self.use_raw_paste = True

    def enter(self, soft_reset=False, timeout=None):
        """pyboard.py's entry: interrupt whatever runs, flush, `\\r\\x01`,
        the raw banner; with soft_reset a `\\x04` and the banner again."""
        t = timeout or self.timeout
        link = self.link
        link.write(b"\r\x03")
        link.drain(0.05)
        link.write(b"\r\x01")
        link.read_until(RAW_BANNER, t, "the raw REPL banner after \\r\\x01")
        if soft_reset:
            link.write(b"\x04")
            link.read_until(SOFT_REBOOT, t, "'soft reboot' after \\x04 in the raw REPL")
            link.read_until(RAW_BANNER, t, "the raw REPL banner after the soft reboot")

    def exit(self, timeout=None):
        """`\\r\\x02`: back to the friendly REPL, up to its prompt."""
        self.link.write(b"\r\x02")
        return self.link.read_until(PROMPT, timeout or self.timeout, "the friendly prompt after \\r\\x02")

    # ---- sending code --------------------------------------------------------
    def _paste(self, data, timeout):
        link = self.link
        window = struct.unpack("<H", link.read_exact(2, timeout, "the raw-paste window size"))[0]
        remaining = window
        i = 0
        deadline = time.monotonic() + max(timeout, len(data) / 20000)
        while i < len(data):
            link.poll()
            while remaining == 0 or link.buf:
                if not link.buf:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise BoardTimeout("a raw-paste credit (sent %d of %d bytes)" % (i, len(data)),
                                           timeout, link.buf)
                    link._read_some(min(left, 0.2))
                    continue
                b, link.buf = link.buf[:1], link.buf[1:]
                if b == b"\x01":
                    remaining += window
                elif b == b"\x04":
                    # the board ended the paste (an error compiling?): ack it
                    link.write(b"\x04")
                    return
                else:
                    raise VboardError("unexpected byte during raw-paste: %r (then %r)" % (b, link.buf[:200]))
            n = min(remaining, len(data) - i)
            link.write(data[i:i + n])
            i += n
            remaining -= n
        link.write(b"\x04")
        while True:
            b = link.read_exact(1, timeout, "the raw-paste end-of-data ack")
            if b == b"\x04":
                return
            if b != b"\x01":
                raise VboardError("expected the raw-paste end-of-data ack, got %r (then %r)" % (b, link.buf[:200]))

    def _plain(self, data, timeout):
        for i in range(0, len(data), CHUNK):
            self.link.write(data[i:i + CHUNK])
        self.link.write(b"\x04")
        self.link.expect_exact(b"OK", timeout, "OK after the code and \\x04")

    def send(self, code, timeout=None):
        """Send `code` at the raw prompt; returns once the board took it."""
        t = timeout or self.timeout
        if isinstance(code, str):
            code = code.encode()
        if self.use_raw_paste:
            self.link.write(b"\x05A\x01")
            r = self.link.read_exact(2, t, "the raw-paste answer to \\x05A\\x01")
            if r == b"R\x01":
                return self._paste(code, t)
            self.use_raw_paste = False
            if r != b"R\x00":
                # a board without raw-paste takes \x05 as text: the raw prompt follows
                self.link.buf = r + self.link.buf
                self.link.read_until(b">", t)
        self._plain(code, t)

    def follow(self, timeout=None):
        """(output, error text) up to the two \\x04, then the `>` prompt."""
        t = timeout or self.timeout
        out = self.link.read_until(b"\x04", t, "the end of the output (\\x04)")[:-1]
        err = self.link.read_until(b"\x04", t, "the end of the error text (\\x04)")[:-1]
        self.link.expect_exact(b">", t, "the raw prompt '>'")
        return out, err

    def exec_raw(self, code, timeout=None):
        self.send(code, timeout)
        return self.follow(timeout)

    def exec(self, code, timeout=None):
        """Output of `code` (str); a traceback raises MicroPythonError."""
        __tracebackhide__ = True
        out, err = self.exec_raw(code, timeout)
        out = out.decode("utf-8", "replace")
        if err:
            raise MicroPythonError(err.decode("utf-8", "replace"), out,
                                   code if isinstance(code, str) else code.decode("utf-8", "replace"))
        return out

    def eval(self, expr, timeout=None):
        text = self.exec("print(repr(%s))" % expr, timeout).strip()
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text

    # ---- files, as mpremote does them ---------------------------------------
    def put(self, path, data, chunk=CHUNK, timeout=None):
        if isinstance(data, str):
            data = data.encode()
        self.exec("f=open(%r,'wb')\nw=f.write" % path, timeout)
        try:
            for i in range(0, len(data), chunk):
                self.exec("w(" + repr(data[i:i + chunk]) + ")", timeout)
        finally:
            self.exec("f.close()", timeout)

    def get(self, path, chunk=CHUNK, timeout=None):
        self.exec("f=open(%r,'rb')\nr=f.read" % path, timeout)
        parts = []
        try:
            while True:
                line = self.exec("print(r(%u))" % chunk, timeout)
                data = ast.literal_eval(line.strip())
                if not data:
                    break
                parts.append(data)
        finally:
            self.exec("f.close()", timeout)
        return b"".join(parts)

    def ilistdir(self, path, timeout=None):
        out = self.exec("import os\nfor f in os.ilistdir(%r):\n print(repr(f),end=',')" % path, timeout)
        return ast.literal_eval("[" + out + "]")
