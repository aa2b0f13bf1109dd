"""`vboard run --tcp PORT` and `--rfc2217 PORT` end to end: one client at a
time, refusal of a second, replacement after a disconnect, pyserial's
rfc2217:// client, binary bytes, and a host that stops reading."""
import os
import select
import signal
import socket
import subprocess
import time

import pytest

from boardlib import BANNER, RAW_BANNER, BoardError
from conftest import VBOARD

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


class Client:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.seen = b""

    def send(self, data):
        self.s.sendall(data)

    def expect(self, want, timeout=5.0):
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
