"""machine.UART (issue 16): a UART bridged to its own pty with --uart
ID:LINK, where a host program plays the modem, byte for byte both ways and
nothing lost under load; an unbridged UART sends into the void and hears
nothing; the console's UART is the REPL's line; timeouts in board time."""
import hashlib
import os
import select
import socket
import termios
import threading
import tty

import pytest

import boardlib
from boardlib import Board, repl


def wait_until(what, cond, timeout=10.0):
    return boardlib.wait_until(cond, timeout, what)


class Modem:
    """The host end of a bridged UART: the pty's slave, raw."""

    def __init__(self, link):
        self.fd = os.open(link, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd, termios.TCSANOW)
        self.buf = b""

    def send(self, data):
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]

    def expect(self, want, timeout=10.0):
        def arrived():
            r, _, _ = select.select([self.fd], [], [], 0.05)
            if r:
                self.buf += os.read(self.fd, 65536)
            return want in self.buf

        wait_until("%r from the board's UART" % want, arrived, timeout)
        head, _, self.buf = self.buf.partition(want)
        return head + want

    def close(self):
        os.close(self.fd)


@pytest.fixture
def board(tmp_path):
    link = str(tmp_path / "uart1")
    b = Board(tmp_path, extra=["--clock", "fast", "--uart", "1:" + link])
    b.expect(b">>> ", timeout=10)
    b.link = link
    yield b
    b.quit()


def test_at_commands_both_ways(board):
    m = Modem(board.link)
    try:
        repl(board, "from machine import UART; u = UART(1, 9600, timeout=2000)")
        assert repl(board, "u") == ("UART(1, baudrate=9600, bits=8, parity=None, stop=1, txbuf=256, rxbuf=256, "
                                    "timeout=2000, timeout_char=0)\r\n")
        assert repl(board, "u.write(b'AT\\r\\n')") == "4\r\n"
        m.expect(b"AT\r\n")
        assert repl(board, "u.write('ATI\\r\\n')") == "5\r\n"     # a str is a buffer, as in MicroPython
        m.expect(b"ATI\r\n")
        m.send(b"OK\r\n+CSQ: 23,0\r\n")
        assert repl(board, "u.readline(), u.readline()") == "(b'OK\\r\\n', b'+CSQ: 23,0\\r\\n')\r\n"
        assert repl(board, "u.any()") == "0\r\n"
        m.send(b"xyz")
        wait_until("the board sees bytes waiting", lambda: repl(board, "u.any()") != "0\r\n")
        assert repl(board, "b = bytearray(8); u.readinto(b, 3), b[:3]") == "(3, bytearray(b'xyz'))\r\n"
        # nothing more: read waits `timeout` of board time, then None
        t0 = board.ctl("status")["board_us"]
        assert repl(board, "print(u.read(5))") == "None\r\n"
        assert board.ctl("status")["board_us"] - t0 >= 2000000
        # select.poll wakes for the UART
        board.send(b"import select; p = select.poll(); p.register(u, select.POLLIN); print(p.poll(10000)); "
                   b"u.read(2)\r")
        board.expect(b"u.read(2)\r\n")
        m.send(b"hi")
        got = board.expect(b">>> ", timeout=10)
        assert b"(<UART" not in got and b"b'hi'" in got, got
        # a soft reset: the line stays, the bridge too
        board.send(b"\x04")
        board.expect(b">>> ", timeout=20)
        repl(board, "from machine import UART; u = UART(1, timeout=1000)")
        m.send(b"again\n")
        assert repl(board, "u.readline()") == "b'again\\n'\r\n"
    finally:
        m.close()


def test_uart_irq(board):
    """esp32's UART.irq(): IRQ_RX when data arrives (also in a busy loop),
    IRQ_RXIDLE once the line is quiet, the port's constants and errors."""
    m = Modem(board.link)
    try:
        repl(board, "from machine import UART; u = UART(1, 9600); got = []")
        assert repl(board, "UART.IRQ_RX, UART.IRQ_RXIDLE, UART.IRQ_BREAK") == "(1, 4096, 2)\r\n"
        assert repl(board, "u.irq(print, 0x8000)").endswith("ValueError: trigger 0x8000 unsupported\r\n")
        board.send(b"def h(x): got.append((x.irq().flags(), x.read()))\r")
        board.expect(b"... ")
        board.send(b"\r")
        board.expect(b">>> ")
        repl(board, "irq = u.irq(h, UART.IRQ_RX)")
        assert repl(board, "irq.trigger(), irq.flags()") == "(1, 0)\r\n"
        m.send(b"hello")
        wait_until("the RX handler ran", lambda: repl(board, "len(got)") != "0\r\n")
        assert repl(board, "got") == "[(1, b'hello')]\r\n"
        # a busy loop gets it between bytecodes
        board.send(b"got.clear()\r")
        board.expect(b">>> ")
        board.send(b"while not got: pass\r")
        board.expect(b"... ")
        board.send(b"\r")
        board.expect(b"\r\n")
        m.send(b"spin")
        board.expect(b">>> ", timeout=10)
        assert repl(board, "got") == "[(1, b'spin')]\r\n"
        # RXIDLE: one call after the burst, in board time
        repl(board, "got.clear(); u.irq(h, UART.IRQ_RXIDLE)")
        m.send(b"burst of bytes")
        wait_until("the RXIDLE handler ran", lambda: repl(board, "len(got)") != "0\r\n")
        assert repl(board, "got") == "[(4096, b'burst of bytes')]\r\n"
        # disarmed: data stays for the program to read
        repl(board, "got.clear(); u.irq(None)")
        m.send(b"quiet")
        wait_until("the data waits", lambda: repl(board, "u.any()") != "0\r\n")
        assert repl(board, "got, u.read()") == "([], b'quiet')\r\n"
        # a soft reset drops the handler; data after it reaches nobody's handler
        repl(board, "u.irq(h, UART.IRQ_RX)")
        board.send(b"\x04")
        board.expect(b">>> ", timeout=20)
        m.send(b"after")
        repl(board, "from machine import UART; u = UART(1, timeout=1000)")
        assert repl(board, "u.read(5)") == "b'after'\r\n"
    finally:
        m.close()


def test_writes_take_the_wire_time(board):
    """At 9600 baud 8N1 a byte is 1.0417 ms of board time: a write returns
    once the rest fits the 256-byte buffer and the 128-byte FIFO, flush()
    waits for the wire, txdone() says whether it is idle."""
    m = Modem(board.link)
    try:
        repl(board, "from machine import UART; import time; u = UART(1, 9600)")
        out = repl(board, "t = time.ticks_us(); u.write(b'x' * 1000); a = time.ticks_diff(time.ticks_us(), t); "
                          "d0 = u.txdone(); u.flush(); b = time.ticks_diff(time.ticks_us(), t); "
                          "print(a // 1000, b // 1000, d0, u.txdone())")
        a, b, d0, d1 = out.split("\r\n")[-2].split()
        # lower bounds exact (the wire's time); upper ones loose (a loaded host may resume late)
        assert 641 <= int(a) < 800 and 1041 <= int(b) < 1200 and (d0, d1) == ("False", "True"), out
        m.expect(b"x" * 1000)
        # a short write at 115200 returns at once; flush waits its 87 us a byte
        assert repl(board, "u.init(115200); t = time.ticks_us(); u.write(b'y' * 100); "
                           "a = time.ticks_diff(time.ticks_us(), t); u.flush(); "
                           "a < 5000, 8680 <= time.ticks_diff(time.ticks_us(), t) < 30000") \
            == "100\r\n(True, True)\r\n"
    finally:
        m.close()


def test_nothing_lost_under_load(board):
    """The board writes 2 MiB as fast as it can while the host reads in
    small bites; then the host sends 1 MiB for the board to hash."""
    m = Modem(board.link)
    try:
        size = 2 << 20
        repl(board, "from machine import UART; import hashlib; u = UART(1, 115200, timeout=5000, timeout_char=500)")
        board.send(b"d = bytes(range(256)) * 64; exec('for i in range(%d):\\n u.write(d)'); print('sent')\r"
                   % (size // len(bytes(range(256)) * 64)))
        want = hashlib.sha256((bytes(range(256)) * 64) * (size // 16384)).hexdigest()
        h, n = hashlib.sha256(), 0
        while n < size:
            r, _, _ = select.select([m.fd], [], [], 10)
            assert r, "the board's UART output stalled after %d bytes" % n
            chunk = os.read(m.fd, 1000)
            h.update(chunk)
            n += len(chunk)
        board.expect(b"sent\r\n>>> ", timeout=30)
        assert (n, h.hexdigest()) == (size, want)
        # host -> board
        data = os.urandom(1 << 20)
        board.send(b"h = hashlib.sha256(); n = 0\r")
        board.expect(b">>> ")
        board.send(b"exec('while n < %d:\\n b = u.read(4096)\\n if b is None: break\\n h.update(b)\\n n += len(b)'); "
                   b"print(n, h.digest().hex())\r" % len(data))
        board.expect(b"\r\n")
        t = threading.Thread(target=m.send, args=(data,))
        t.start()
        got = board.expect(b">>> ", timeout=60)
        t.join(10)
        assert ("%d %s" % (len(data), hashlib.sha256(data).hexdigest())).encode() in got, got
        st = board.ctl("status")
        assert st["uarts"][0]["tx"] == size and st["uarts"][0]["rx"] == len(data)
    finally:
        m.close()


def test_unbridged_and_console_uarts(tmp_path):
    b = Board(tmp_path, extra=["--clock", "fast"])
    try:
        b.expect(b">>> ", timeout=10)
        repl(b, "from machine import UART; u = UART(2, 115200)")
        # nothing on the pins: writes go into the void (never blocking), reads hear nothing
        assert repl(b, "exec('for i in range(200):\\n u.write(b\"x\" * 4096)'); print(u.read(10))") == "None\r\n"
        wait_until("the void counted", lambda: b.ctl("status")["uarts"][0]["tx_void"] == 200 * 4096)
        # UART0 is the REPL's line
        assert repl(b, "UART(0).write(b'on the console\\r\\n')") == "on the console\r\n16\r\n"
        for bad, err in (("UART(3)", "ValueError: UART(3) does not exist"),
                         ("UART(1, bits=9)", "ValueError: invalid data bits"),
                         ("UART(1, stop=3)", "ValueError: invalid stop bits"),
                         ("UART(1, parity=2)", "ValueError: invalid parity")):
            assert repl(b, bad).endswith(err + "\r\n"), bad
    finally:
        b.quit()


def test_uart_over_tcp(tmp_path):
    """--uart 2:tcp:0: the modem is a TCP client of 127.0.0.1; the port is
    in the status. Both ways, byte for byte; a client that leaves and a
    new one that comes."""
    b = Board(tmp_path, extra=["--clock", "fast", "--uart", "2:tcp:0"])
    try:
        b.expect(b">>> ", timeout=10)
        url = b.ctl("status")["uarts"][0]["host"]
        assert url.startswith("tcp://127.0.0.1:"), url
        port = int(url.rsplit(":", 1)[1])
        repl(b, "from machine import UART; u = UART(2, 115200, timeout=5000)")
        for round_ in range(2):
            c = socket.create_connection(("127.0.0.1", port), timeout=10)
            wait_until("the client counted as attached", lambda: b.ctl("status")["uarts"][0]["attached"])
            assert repl(b, "u.write(b'AT+CGATT?\\r\\n')") == "11\r\n"
            got = b""
            while not got.endswith(b"\r\n"):
                got += c.recv(100)
            assert got == b"AT+CGATT?\r\n"
            c.sendall(b"+CGATT: %d\r\nOK\r\n" % round_)
            assert repl(b, "u.readline(), u.readline()") == "(b'+CGATT: %d\\r\\n', b'OK\\r\\n')\r\n" % round_
            c.close()
            wait_until("the client counted as gone", lambda: not b.ctl("status")["uarts"][0]["attached"])
        # nobody connected: what the board sends goes nowhere, counted
        assert repl(b, "u.write(b'void')") == "4\r\n"
        wait_until("the void counted", lambda: b.ctl("status")["uarts"][0]["tx_void"] == 4)
    finally:
        b.quit()


@pytest.mark.parametrize("arg", ["0:/tmp/x", "3:/tmp/x", "1", "x:/tmp/y", "1:/tmp/a,1:/tmp/b", "1:tcp:x",
                                 "1:tcp:70000", "1:tcp:"])
def test_bad_uart_options(tmp_path, arg):
    import subprocess
    r = subprocess.run([os.environ.get("VBOARD", "build/vboard"), "run", "--pty", "--flash", str(tmp_path / "f.bin"),
                        "--uart", arg], capture_output=True, timeout=10)
    assert r.returncode == 2 and b"--uart" in r.stderr, r
