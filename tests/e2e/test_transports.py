"""`vboard run --tcp PORT` and `--rfc2217 PORT` end to end: one client at a
time, refusal of a second, replacement after a disconnect, pyserial's
rfc2217:// client, binary bytes, a host that stops reading, and telnet
options and COM-PORT requests the board does not know. (The full host-tool
list runs over these transports too, in test_hosttools.py.)"""
import os
import select
import signal
import socket
import subprocess
import time

import pytest

from boardlib import BANNER, RAW_BANNER, BoardError, TcpClient
from conftest import VBOARD

# Debian's pyserial 3.5 calls Thread.setDaemon/setName
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:serial.rfc2217")

BUSY = b"vboard: serial port busy (another client is connected)\r\n"


class NetBoard:
    def __init__(self, tmpdir, kind):
        flash = os.path.join(str(tmpdir), "flash.bin")
        self.proc = subprocess.Popen([VBOARD, "run", "--flash", flash, "--" + kind, "0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        fd = self.proc.stdout.fileno()
        if not select.select([fd], [], [], 10)[0]:
            self.proc.kill()
            raise BoardError("no address line within 10 s")
        self.url = os.read(fd, 256).split(b"\n")[0].decode()
        assert self.url.startswith(kind + "://127.0.0.1:"), self.url
        self.port = int(self.url.rsplit(":", 1)[1])

    def quit(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(10)


class Client(TcpClient):
    """A raw TCP host with the REPL steps these tests take."""

    def banner(self):
        """\\r\\x02 until the friendly banner, then whatever else the boot
        printed (a client may connect before or after it) until quiet."""
        self.send(b"\r\x02")
        self.expect(BANNER, timeout=10)
        while select.select([self.s], [], [], 0.3)[0]:
            if not self.s.recv(65536):
                break
        self.seen = b""

    def raw_enter(self):
        self.send(b"\r\x03")
        time.sleep(0.05)
        self.send(b"\r\x01")
        self.expect(RAW_BANNER)
        self.seen = b""

    def raw_exec(self, code):
        self.send(code + b"\x04")
        self.expect(b"OK")
        out = self.expect(b"\x04")[:-1]
        err = self.expect(b"\x04")[:-1]
        self.expect(b">")
        return out, err

    def close(self):
        self.s.close()


@pytest.fixture
def tcp(tmp_path):
    b = NetBoard(tmp_path, "tcp")
    yield b
    assert b.quit() == 0


@pytest.fixture
def rfc(tmp_path):
    b = NetBoard(tmp_path, "rfc2217")
    yield b
    assert b.quit() == 0


def test_tcp_banner_repl_and_raw(tcp):
    c = Client(tcp.port)
    c.banner()
    c.send(b"1+1\r")
    assert c.expect(b">>> ") == b"1+1\r\n2\r\n>>> "
    c.raw_enter()
    assert c.raw_exec(b"print('hi')") == (b"hi\r\n", b"")
    out, err = c.raw_exec(b"1/0")
    assert out == b"" and b"\r\nZeroDivisionError: " in err, err
    c.close()


def test_tcp_second_client_refused(tcp):
    a = Client(tcp.port)
    a.banner()
    b = Client(tcp.port)
    assert b.expect(BUSY) == BUSY
    assert b.s.recv(100) == b""           # then closed
    b.close()
    a.send(b"2+2\r")
    assert a.expect(b">>> ") == b"2+2\r\n4\r\n>>> "
    a.close()


def test_tcp_disconnect_mid_transfer_then_clean_raw_repl(tcp):
    a = Client(tcp.port)
    a.banner()
    a.raw_enter()
    a.send(b"f = open('x.bin', 'wb')\nfor i in range(100):\n  f.write(b'")   # unfinished
    a.close()
    deadline = time.monotonic() + 5
    while True:                           # the board notices the hang-up
        c = Client(tcp.port)
        try:
            c.s.settimeout(0.3)
            if c.s.recv(100, socket.MSG_PEEK).startswith(b"vboard: serial port busy"):
                c.close()
                assert time.monotonic() < deadline, "old client never let go"
                time.sleep(0.1)
                continue
        except socket.timeout:
            pass
        c.s.settimeout(5)
        break
    c.raw_enter()
    assert c.raw_exec(b"print(3*7)") == (b"21\r\n", b"")
    c.close()


def test_host_that_stops_reading_never_wedges(tcp):
    a = Client(tcp.port)
    a.banner()
    a.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    a.send(b"for i in range(20000): print('x' * 100)\r")
    time.sleep(3)                         # nobody reads 2 MB of output
    a.close()
    c = Client(tcp.port)
    c.send(b"\x03")
    time.sleep(0.2)
    c.send(b"\r\x02")
    c.expect(BANNER, timeout=20)
    c.send(b"5*5\r")
    c.expect(b"5*5\r\n25\r\n>>> ")
    c.close()


def _pyserial(port):
    import serial
    return serial.serial_for_url("rfc2217://127.0.0.1:%d" % port, baudrate=115200, timeout=5)


def _read_until(ser, want, timeout=10):
    deadline = time.monotonic() + timeout
    got = b""
    while want not in got:
        if time.monotonic() > deadline:
            raise BoardError("waited for %r; received %r" % (want, got))
        got += ser.read(1) or b""
    return got


def test_rfc2217_pyserial(rfc):
    ser = _pyserial(rfc.port)
    ser.write(b"\r\x02")
    _read_until(ser, BANNER)
    time.sleep(0.3)
    ser.reset_input_buffer()
    ser.write(b"1+1\r")
    assert _read_until(ser, b">>> ") == b"1+1\r\n2\r\n>>> "
    t = time.monotonic()
    ser.baudrate = 9600                   # answered, so it does not hang
    ser.baudrate = 115200
    assert time.monotonic() - t < 3
    ser.reset_input_buffer()
    ser.write(b"\r\x03")
    time.sleep(0.05)
    ser.write(b"\r\x01")
    _read_until(ser, RAW_BANNER)
    ser.write(b"import sys; sys.stdout.buffer.write(bytes(range(256)))\x04")
    got = _read_until(ser, b"\x04\x04>")
    assert got == b"OK" + bytes(range(256)) + b"\x04\x04>", got
    # and 0xFF on the way in: a bytes literal with every value but the framing ones
    data = bytes(b for b in range(256) if b not in (1, 2, 3, 4))
    ser.write(b"b = " + repr(data).encode() + b"\nprint(len(b), b[-1])\x04")
    assert _read_until(ser, b"\x04\x04>") == b"OK%d 255\r\n\x04\x04>" % len(data)
    ser.close()


def test_rfc2217_second_client_refused_and_replaced(rfc):
    ser = _pyserial(rfc.port)
    ser.write(b"\r\x02")
    _read_until(ser, BANNER)
    c = Client(rfc.port)
    assert c.expect(BUSY) == BUSY
    c.close()
    ser.close()
    ser = _pyserial(rfc.port)
    ser.write(b"7*6\r")
    assert _read_until(ser, b">>> ").endswith(b"7*6\r\n42\r\n>>> ")
    ser.close()


# --- RFC 2217: telnet options and COM-PORT requests the board does not know --
IAC, SB, SE, WILL, WONT, DO, DONT, NOP, AYT = 255, 250, 240, 251, 252, 253, 254, 241, 246
BINARY, ECHO, SGA, COM_PORT, TTYPE, NAWS = 0, 1, 3, 44, 24, 31


def iac(*b):
    return bytes((IAC,) + b)


class TelnetClient(Client):
    """A bare telnet client: the board's bytes are split into data (IAC
    undoubled) and commands, each command a tuple (verb, option[, value])."""

    def __init__(self, port):
        super().__init__(port)
        self.raw = b""
        self.commands = []
        self.state = "data"

    def _parse(self, chunk):
        data = b""
        for c in chunk:
            if self.state == "data":
                if c == IAC:
                    self.state = "iac"
                else:
                    data += bytes([c])
            elif self.state == "iac":
                if c == IAC:
                    data += b"\xff"
                    self.state = "data"
                elif c in (WILL, WONT, DO, DONT):
                    self.verb, self.state = c, "opt"
                elif c == SB:
                    self.sb, self.state = b"", "sb"
                else:
                    self.commands.append((c,))
                    self.state = "data"
            elif self.state == "opt":
                self.commands.append((self.verb, c))
                self.state = "data"
            elif self.state == "sb":
                if c == IAC:
                    self.state = "sb_iac"
                else:
                    self.sb += bytes([c])
            else:  # sb_iac
                if c == SE:
                    self.commands.append((SB, self.sb[0], self.sb[1:]))
                    self.state = "data"
                else:
                    self.sb += bytes([c])
                    self.state = "sb"
        return data

    def expect(self, want, timeout=5.0):
        deadline = time.monotonic() + timeout
        while want not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BoardError("waited %.1fs for %r; data %r; commands %r"
                                 % (timeout, want, self.seen[-2000:], self.commands))
            if select.select([self.s], [], [], min(left, 0.2))[0]:
                c = self.s.recv(65536)
                if not c:
                    raise BoardError("closed while waiting for %r; received %r" % (want, self.seen))
                self.raw += c
                self.seen += self._parse(c)
        i = self.seen.index(want) + len(want)
        got, self.seen = self.seen[:i], self.seen[i:]
        return got

    def quiet(self, t=0.3):
        """Read until nothing arrives for t seconds; returns the data."""
        while select.select([self.s], [], [], t)[0]:
            c = self.s.recv(65536)
            if not c:
                break
            self.raw += c
            self.seen += self._parse(c)
        got, self.seen = self.seen, b""
        return got


def test_rfc2217_unknown_options_refused_and_ignored_mid_session(rfc):
    t = TelnetClient(rfc.port)
    t.quiet(0.3)
    # the board's offers, then the client agrees (no answer is owed for that)
    assert t.commands == [(WILL, BINARY), (WILL, SGA), (WILL, ECHO), (WILL, COM_PORT),
                          (DO, BINARY), (DO, SGA), (DO, COM_PORT)], t.commands
    t.send(iac(DO, BINARY) + iac(DO, SGA) + iac(DO, ECHO) + iac(DO, COM_PORT)
           + iac(WILL, BINARY) + iac(WILL, SGA) + iac(WILL, COM_PORT))
    t.send(b"\r\x02")
    t.expect(BANNER, timeout=10)
    t.quiet(0.3)
    # agreeing to what is already on is not answered (no negotiation loop)
    assert t.commands[7:] == [], t.commands
    t.commands = []
    # an expression with unknown options, unknown subnegotiations (COM-PORT
    # with an unknown code, one of another option, one too long for the
    # board's buffer, one with a doubled IAC) and plain commands inside it;
    # a signature request last shows the filter is still in step
    t.send(b"1+" + iac(DO, TTYPE) + iac(WILL, NAWS) + b"1"
           + iac(SB, COM_PORT, 99, 1, 2, 3) + iac(SE)
           + iac(SB, TTYPE, 1) + iac(SE) + iac(NOP) + iac(AYT)
           + iac(SB, COM_PORT, 98) + bytes(range(100)) + iac(SE)
           + iac(SB, NAWS, 0, 80, 0) + iac(IAC) + iac(SE)
           + iac(DO, 200) + iac(WONT, TTYPE) + iac(DONT, 200) + iac(DONT, NAWS))
    # and a subnegotiation split across writes
    t.send(iac(SB, COM_PORT))
    time.sleep(0.05)
    t.send(bytes([97, 5]))
    time.sleep(0.05)
    t.send(iac(SE) + iac(SB, COM_PORT, 0) + iac(SE) + b"\r")
    assert t.expect(b">>> ") == b"1+1\r\n2\r\n>>> "
    t.quiet(0.3)
    # refusals for what was asked to be enabled; nothing for what is off
    # already (RFC 1143) or for unknown subnegotiations; the signature reply
    assert t.commands == [(WONT, TTYPE), (DONT, NAWS), (WONT, 200),
                          (SB, COM_PORT, bytes([100]) + b"vboard")], t.commands
    # the session keeps working, 0xFF both ways included
    t.send(b"\r\x01")
    t.expect(RAW_BANNER)
    t.send(b"import sys\nsys.stdout.buffer.write(bytes([255, 1, 255]))\n"
           b"print(list(sys.stdin.buffer.read(3)))\x04")
    t.expect(b"OK")
    t.send(iac(IAC) + b"A" + iac(IAC))    # 0xFF 'A' 0xFF as data
    assert t.expect(b"\x04>") == b"\xff\x01\xff[255, 65, 255]\r\n\x04\x04>"
    # a COM-PORT request still gets its answer
    t.commands = []
    t.send(iac(SB, COM_PORT, 1, 0, 0, 0, 0) + iac(SE))
    t.quiet(0.3)
    assert t.commands == [(SB, COM_PORT, bytes([101, 0, 1, 0xC2, 0]))], t.commands
    t.close()


def test_rfc2217_pyserial_survives_unknown_options(rfc):
    ser = _pyserial(rfc.port)
    ser.write(b"\r\x02")
    _read_until(ser, BANNER)
    # what another client might send mid-session, written past pyserial's
    # IAC escaping
    ser._internal_raw_write(iac(DO, TTYPE) + iac(SB, COM_PORT, 99, 1) + iac(SE) + iac(WILL, NAWS)
                            + iac(SB, TTYPE, 1) + iac(SE) + iac(DO, 200) + iac(NOP))
    ser.write(b"6*7\r")
    assert _read_until(ser, b">>> ").endswith(b"6*7\r\n42\r\n>>> ")
    ser.baudrate = 9600                   # negotiation still answered (pyserial waits for it)
    ser.baudrate = 115200
    from rawclient import RawClient, SerialStream
    c = RawClient(SerialStream(ser))
    c.enter_raw(soft_reset=True)
    assert c.exec_raw("print('still here')") == (b"still here\r\n", b"")
    c.exit_raw()
    ser.close()
