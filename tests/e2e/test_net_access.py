"""Who may use `vboard run --tcp` / `--rfc2217` (issue 11, item 5): only
clients whose socket belongs to the board's uid (unless --allow-any-user),
never a connection that speaks HTTP (a web page POSTing to 127.0.0.1: a
cross-protocol attack), and the control socket and the pty slave are 0600
whatever the umask.

Every attack carries a payload that would leave a file behind; the test then
connects as the owner and asks the board whether the file exists."""
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from boardlib import BANNER, RAW_BANNER, BoardError, TcpClient, read_first_line
from conftest import VBOARD

NOBODY = 65534
REFUSED_UID = b"vboard: connection refused: the serial port belongs to uid %d (use --allow-any-user)\r\n"
REFUSED_HTTP = b"vboard: connection refused: this is a serial port, not an HTTP server\r\n"

need_root = pytest.mark.skipif(os.geteuid() != 0,
                               reason="a client of another uid needs root to setuid(65534) (nobody)")


class NetBoard:
    def __init__(self, tmpdir, kind, extra=()):
        flash = os.path.join(str(tmpdir), "flash.bin")
        self.proc = subprocess.Popen([VBOARD, "run", "--flash", flash, "--" + kind, "0"] + list(extra),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = read_first_line(self.proc.stdout.fileno())
        if line is None:
            self.proc.kill()
            raise BoardError("no address line within 10 s; stderr %r" % self.proc.stderr.read())
        assert line.startswith(kind + "://127.0.0.1:"), line
        self.port = int(line.rsplit(":", 1)[1])

    def quit(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(10)


# The client process: connect, send argv[3] (hex), then print (hex) all it
# receives until the board closes or argv[4] seconds pass, then "EOF" or
# "OPEN". Run as another uid through preexec_fn.
CLIENT = r"""
import select, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(bytes.fromhex(sys.argv[2]))
got, state, end = b"", "OPEN", time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    if select.select([s], [], [], 0.05)[0]:
        try:
            c = s.recv(65536)
        except ConnectionResetError:
            c = b""
        if not c:
            state = "EOF"
            break
        got += c
print(got.hex())
print(state)
"""


# The other uid must be able to run it: not a venv or pyenv under /root.
PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable


def client(port, data, uid=None, wait=3.0):
    """(bytes received, closed by the board?) for a client sending `data`,
    of `uid` (None: ours)."""
    pre = (lambda: os.setuid(uid)) if uid is not None else None
    p = subprocess.run([PYTHON, "-c", CLIENT, str(port), data.hex(), str(wait)],
                       preexec_fn=pre, cwd="/", capture_output=True, timeout=wait + 20)
    assert p.returncode == 0, p.stderr
    hexed, state = p.stdout.decode().split("\n")[:2]
    return bytes.fromhex(hexed), state == "EOF"


class Owner(TcpClient):
    """Our own connection, to ask the board what happened."""

    def __init__(self, port):
        super().__init__(port, timeout=10.0)

    def ask(self, expr):
        """Evaluate expr at the friendly prompt; its repr, as bytes."""
        self.send(b"\r\x02")
        self.expect(BANNER)
        self.seen = b""
        self.send(b"print('<' + repr(%s) + '>')\r" % expr)
        self.expect(b"\r\n<")
        return self.expect(b">\r\n")[:-3]

    def close(self):
        self.s.close()


def marker_exists(port, name):
    o = Owner(port)
    try:
        return o.ask(b"__import__('os').listdir().count(%r)" % name) != b"0"
    finally:
        o.close()


def payload(name):
    return b"open(%r, 'w').write('x')\r\n" % name


@pytest.fixture(params=["tcp", "rfc2217"])
def kind(request):
    return request.param


@need_root
def test_other_uid_is_refused(tmp_path, kind):
    b = NetBoard(tmp_path, kind)
    try:
        got, closed = client(b.port, b"\r\n" + payload("byuid"), uid=NOBODY)
        assert REFUSED_UID % os.geteuid() in got, got
        assert closed, got
        assert BANNER not in got and b">>>" not in got, got
        assert not marker_exists(b.port, "byuid")
    finally:
        assert b.quit() == 0


@need_root
def test_other_uid_served_with_allow_any_user(tmp_path, kind):
    b = NetBoard(tmp_path, kind, ["--allow-any-user"])
    try:
        got, closed = client(b.port, b"\r\n" + payload("anyuser") + b"print(6*7)\r\n", uid=NOBODY)
        assert b"\r\n42\r\n" in got, got
        assert not closed, got
        assert marker_exists(b.port, "anyuser")
    finally:
        assert b.quit() == 0


HTTP_POST = (b'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n\r\n'
             b'\r\n' + payload("post"))
HTTP_GET = b"GET /?" + payload("get").rstrip() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + payload("get")
HOST_FIRST = b"Host: x\r\n" + payload("host")
HOST_LATER = b"\r\n\r\nhOsT: 127.0.0.1\r\n" + payload("hostlater")


@pytest.mark.parametrize("req,name", [(HTTP_POST, "post"), (HTTP_GET, "get"), (HOST_FIRST, "host"),
                                      (HOST_LATER, "hostlater")],
                         ids=["post", "get", "host-first-line", "host-later-line"])
def test_http_is_closed_unseen(tmp_path, kind, req, name):
    b = NetBoard(tmp_path, kind)
    try:
        got, closed = client(b.port, req)
        assert closed, "the board kept an HTTP client; received %r" % got
        assert got.endswith(REFUSED_HTTP), got
        assert not marker_exists(b.port, name)
    finally:
        assert b.quit() == 0


def test_http_split_over_reads_is_closed(tmp_path):
    """The method arrives a byte at a time: the bytes are held, not given
    to the board, until the line is decided."""
    import socket
    b = NetBoard(tmp_path, "tcp")
    try:
        s = socket.create_connection(("127.0.0.1", b.port), timeout=5)
        for c in b"POST":
            s.sendall(bytes([c]))
            time.sleep(0.05)
        s.sendall(b" / HTTP/1.1\r\n\r\n" + payload("split"))
        s.settimeout(5)
        got = b""
        while True:
            c = s.recv(4096)
            if not c:
                break
            got += c
        assert got.endswith(REFUSED_HTTP), got
        s.close()
        assert not marker_exists(b.port, "split")
    finally:
        assert b.quit() == 0


def test_raw_repl_first_then_http_words_later(tmp_path, kind):
    """A raw-REPL session opening with \\r\\x01 works as before, and "GET",
    "POST" or "Host:" after the first line are only text."""
    o = None
    b = NetBoard(tmp_path, kind)
    try:
        o = Owner(b.port)
        o.send(b"\r\x01")
        o.expect(RAW_BANNER)
        o.send(b"print('GET it')\x04")
        assert o.expect(b"\x04>") == b"OKGET it\r\n\x04\x04>"
        o.send(b"\x02")
        o.expect(b">>> ")
        o.seen = b""
        o.send(b'print("GET it")\r')
        o.expect(b'GET it\r\n>>> ')
        o.send(b"POST = 5\r")
        o.expect(b">>> ")
        o.send(b"print(POST * 2)\r")
        o.expect(b"\r\n10\r\n>>> ")
    finally:
        if o:
            o.close()
        assert b.quit() == 0


def test_first_line_near_misses_reach_the_board(tmp_path):
    """A first line that starts like a method but is not one (typed a byte
    at a time: the held bytes are released) is the board's."""
    o = None
    b = NetBoard(tmp_path, "tcp")
    try:
        o = Owner(b.port)
        for c in b"GETX = 3\r":
            o.send(bytes([c]))
            time.sleep(0.02)
        o.expect(b">>> ")
        for c in b"hostname = 4\r":
            o.send(bytes([c]))
            time.sleep(0.02)
        o.expect(b">>> ")
        o.send(b"print(GETX * hostname)\r")
        o.expect(b"\r\n12\r\n>>> ")
    finally:
        if o:
            o.close()
        assert b.quit() == 0


def test_control_socket_and_pty_are_0600_under_umask_0(tmp_path):
    sockdir = tempfile.mkdtemp(prefix="vb")
    control = os.path.join(sockdir, "c.sock")
    link = os.path.join(str(tmp_path), "ttyVB")
    p = subprocess.Popen([VBOARD, "run", "--flash", os.path.join(str(tmp_path), "f.bin"), "--pty", link,
                          "--control", control],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=lambda: os.umask(0))
    try:
        line = read_first_line(p.stdout.fileno())
        assert line and line.startswith("/dev/pts/"), (line, p.stderr.read() if p.poll() is not None else b"")
        deadline = time.monotonic() + 5
        while not os.path.exists(control) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert oct(os.stat(control).st_mode & 0o7777) == oct(0o600)
        assert oct(os.stat(line).st_mode & 0o7777) == oct(0o600)
        assert os.stat(line).st_uid == os.geteuid()
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(10)
        for f in (control,):
            if os.path.exists(f):
                os.unlink(f)
        os.rmdir(sockdir)
