"""Sockets (issue 13 §2): the supervisor opens host sockets for the board
under its policy and passes the descriptors to the VM, which never makes
socket(), connect() or bind() itself. Real peers on this machine's
loopback: a threaded echo server, a UDP echo, a peer that never answers,
host clients of a server running on the board. Every wait is for bytes or
a status, against a deadline."""
import errno
import os
import socket
import threading

import pytest

import boardlib
from boardlib import Board, repl

CONNECT_WIFI = ("import network, socket, time; w = network.WLAN(network.STA_IF); w.active(True); "
                "w.connect('Wokwi-GUEST')")
WAIT_WIFI = "exec('while not w.isconnected():\\n time.sleep_ms(50)')"


def wait_until(what, cond, timeout=10.0):
    return boardlib.wait_until(cond, timeout, what)


class Peer:
    """A TCP server on 127.0.0.1: echoes upper-cased, or stays silent; keeps
    every connection it accepted so a test can look at how it ended."""

    def __init__(self, echo=True):
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(64)
        self.port = self.srv.getsockname()[1]
        self.echo = echo
        self.conns = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            with self.lock:
                self.conns.append(c)
            if self.echo:
                threading.Thread(target=self._echo, args=(c,), daemon=True).start()

    def _echo(self, c):
        try:
            while True:
                d = c.recv(4096)
                if not d:
                    return
                c.sendall(d.upper())
        except OSError:
            return

    def conn(self, i=0, timeout=10.0):
        wait_until("connection %d at the peer" % i, lambda: len(self.conns) > i, timeout)
        return self.conns[i]

    def close(self):
        self.srv.close()
        for c in self.conns:
            c.close()


SYS_PPOLL = 271                    # x86_64


def wait_vm_in_ppoll(b):
    """Until the VM sleeps in ppoll (/proc/PID/syscall): the socket wait a
    Ctrl-C is meant to interrupt has begun, not the line before it."""
    pid = b.vm_pid()

    def blocked():
        try:
            with open("/proc/%d/syscall" % pid) as f:
                return f.read().split()[0] == str(SYS_PPOLL)
        except (OSError, IndexError):
            return False

    wait_until("the VM waiting in ppoll", blocked)


def how_it_ends(c, timeout=10.0):
    """'fin' (orderly end of stream), 'rst' (reset), or 'open' (nothing
    within the timeout), read on the peer's side."""
    c.settimeout(timeout)
    try:
        while True:
            d = c.recv(4096)
            if not d:
                return "fin"
    except ConnectionResetError:
        return "rst"
    except socket.timeout:
        return "open"


@pytest.fixture
def peer():
    p = Peer()
    yield p
    p.close()


def start(tmp_path, *extra, wifi=True):
    b = Board(tmp_path, extra=["--clock", "fast", "--trace", str(tmp_path / "trace.jsonl"), *extra])
    b.expect(b">>> ", timeout=10)
    if wifi:
        repl(b, CONNECT_WIFI)
        repl(b, WAIT_WIFI, timeout=20)
    else:
        repl(b, "import socket")
    return b


@pytest.fixture
def board(tmp_path):
    b = start(tmp_path)
    yield b
    b.quit()


def test_tcp_client_stream_methods(board, peer):
    assert repl(board, "socket.getaddrinfo('localhost', %d)" % peer.port) == \
        "[(2, 1, 0, '', ('127.0.0.1', %d))]\r\n" % peer.port
    assert repl(board, "s = socket.socket(); s.connect(('host.vboard.internal', %d)); s" % peer.port) == \
        "<socket>\r\n"
    assert repl(board, "s.write(b'hello\\nworld\\n')") == "12\r\n"
    assert repl(board, "s.readline(), s.readline()") == "(b'HELLO\\n', b'WORLD\\n')\r\n"
    assert repl(board, "s.send(b'abcdef'), s.read(6)") == "(6, b'ABCDEF')\r\n"
    assert repl(board, "s.sendall(b'xy'); b = bytearray(2); s.readinto(b), b") == \
        "(2, bytearray(b'XY'))\r\n"
    assert repl(board, "s.sendall(b'q'); s.recv(10)") == "b'Q'\r\n"
    assert repl(board, "s.write('str'); s.recv(10)") == "3\r\nb'STR'\r\n"    # a str is a buffer, as in MicroPython
    assert repl(board, "s.makefile('rwb') is s") == "True\r\n"
    # the peer closes: read() gathers to the end of stream, recv() gives b''
    c = peer.conn()
    c.sendall(b"last words")
    c.shutdown(socket.SHUT_WR)
    assert repl(board, "s.read()") == "b'last words'\r\n"
    assert repl(board, "s.recv(5)") == "b''\r\n"
    repl(board, "s.close()")
    assert how_it_ends(c) == "fin"
    assert repl(board, "s.send(b'x')").endswith("OSError: [Errno 9] EBADF\r\n")
    wait_until("the board's copy closed", lambda: board.ctl("net")["sockets"] == 0)


def test_errors_and_policy(board, peer):
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    dead_port = dead.getsockname()[1]
    dead.close()
    got = repl(board, "socket.socket().connect(('127.0.0.1', %d))" % dead_port)
    assert got.endswith("OSError: [Errno 111] ECONNREFUSED\r\n"), got
    # --net loopback: nothing leaves the machine, names outside the table fail
    got = repl(board, "socket.socket().connect(('93.184.216.34', 80))")
    assert got.endswith("OSError: [Errno 118] EHOSTUNREACH\r\n"), got
    got = repl(board, "socket.getaddrinfo('example.com', 80)")
    assert got.endswith("OSError: -202\r\n"), got
    got = repl(board, "socket.socket().connect(('example.com', 80))")
    assert got.endswith("OSError: -202\r\n"), got
    got = repl(board, "socket.socket(socket.AF_INET, 99)")
    assert got.endswith("OSError: [Errno 22] EINVAL\r\n"), got
    st = board.ctl("net")
    assert (st["refused"], st["malformed"], st["net"]) == (3, 0, "loopback")


def test_no_wifi_no_network(tmp_path, peer):
    b = start(tmp_path, wifi=False)
    try:
        got = repl(b, "socket.socket().connect(('127.0.0.1', %d))" % peer.port)
        assert got.endswith("OSError: [Errno 118] EHOSTUNREACH\r\n"), got
        assert repl(b, "socket.getaddrinfo('localhost', 80)").endswith("OSError: -202\r\n")
        # a dotted quad needs no lookup
        assert repl(b, "socket.getaddrinfo('127.0.0.1', 80)") == "[(2, 1, 0, '', ('127.0.0.1', 80))]\r\n"
    finally:
        b.quit()


def test_net_none_and_hosts(tmp_path, peer):
    b = start(tmp_path, "--net", "none")
    try:
        got = repl(b, "socket.socket().connect(('127.0.0.1', %d))" % peer.port)
        assert got.endswith("OSError: [Errno 118] EHOSTUNREACH\r\n"), got
    finally:
        b.quit()
    b = start(tmp_path, "--host", "broker.example=127.0.0.1")
    try:
        assert repl(b, "s = socket.socket(); s.connect(('broker.example', %d)); s.write(b'hi'); s.read(2)"
                    % peer.port).endswith("b'HI'\r\n")
    finally:
        b.quit()


@pytest.mark.parametrize("opt,value", [("--net", "everywhere"), ("--host", "bad name=1.2.3.4"),
                                       ("--host", "x=1.2.3"), ("--forward", "80"),
                                       ("--forward", "8080:0"), ("--forward", "1:2,3:2")])
def test_bad_policy_options(tmp_path, opt, value):
    import subprocess
    r = subprocess.run([os.environ.get("VBOARD", "build/vboard"), "run", "--flash", str(tmp_path / "f.bin"),
                        opt, value], capture_output=True, timeout=10)
    assert r.returncode == 2
    assert opt.encode() in r.stderr


def test_timeouts_nonblocking_and_ctrl_c(board):
    silent = Peer(echo=False)
    try:
        repl(board, "s = socket.socket(); s.connect(('127.0.0.1', %d))" % silent.port)
        repl(board, "s.settimeout(2)")
        t0 = board.ctl("status")["board_us"]
        got = repl(board, "s.recv(10)", timeout=10)
        assert got.endswith("OSError: [Errno 116] ETIMEDOUT\r\n"), got
        # board time: two seconds of it passed (a socket wait does not jump the clock)
        assert board.ctl("status")["board_us"] - t0 >= 2000000
        repl(board, "s.setblocking(False)")
        assert repl(board, "s.recv(10)").endswith("OSError: [Errno 11] EAGAIN\r\n")
        assert repl(board, "print(s.read(10), s.readline(), s.write(b''))") == "None None 0\r\n"
        # non-blocking connect: EINPROGRESS, then writable through select.poll
        got = repl(board, "c = socket.socket(); c.setblocking(False); c.connect(('127.0.0.1', %d))" % silent.port)
        assert got.endswith("OSError: [Errno 119] EINPROGRESS\r\n"), got
        assert repl(board, "import select; p = select.poll(); p.register(c, select.POLLOUT); "
                           "[e for o, e in p.poll(5000)]") == "[4]\r\n"
        assert repl(board, "c.write(b'ok')") == "2\r\n"
        # Ctrl-C in a blocking recv (the soft-brick of the Pycom document)
        repl(board, "s.setblocking(True)")
        board.send(b"print('receiving'); s.recv(10)\r")
        board.expect(b"receiving\r\n")      # printed by the running code: Ctrl-C interrupts it
        wait_vm_in_ppoll(board)
        board.send(b"\x03")
        got = board.expect(b">>> ", timeout=10)
        assert b"KeyboardInterrupt" in got
        assert repl(board, "1 + 1") == "2\r\n"
    finally:
        silent.close()


def test_poll_sockets_with_stdin(board, peer):
    repl(board, "import select; s = socket.socket(); s.connect(('127.0.0.1', %d)); "
                "p = select.poll(); p.register(s, select.POLLIN)" % peer.port)
    assert repl(board, "p.poll(0)") == "[]\r\n"
    c = peer.conn()
    board.send(b"r = p.poll(10000); [e for o, e in r], s.recv(10)\r")
    board.expect(b"s.recv(10)\r\n")
    c.sendall(b"wake")
    got = board.expect(b">>> ", timeout=10)
    assert b"([1], b'wake')" in got, got


def test_soft_reset_closes_cleanly_hard_reset_does_not(tmp_path):
    """The peer reads on its own (no echo thread), so it alone sees how
    each connection ends."""
    peer = Peer(echo=False)
    b = start(tmp_path, "--forward", "%d:8080" % free_port())
    try:
        repl(b, "s = socket.socket(); s.connect(('127.0.0.1', %d))" % peer.port)
        c = peer.conn(0)
        c.sendall(b"hi")
        assert repl(b, "s.read(2)") == "b'hi'\r\n"
        repl(b, "l = socket.socket(); l.bind(('0.0.0.0', 8080)); l.listen(1)")
        host_port = [x for x in b.ctl("net")["socks"] if x["listening"]][0]["host_port"]
        socket.create_connection(("127.0.0.1", host_port), timeout=5).close()
        b.send(b"\x04")
        b.expect(b">>> ", timeout=20)
        assert how_it_ends(c) == "fin"
        # the listening port stopped
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", host_port), timeout=5)
        # Wi-Fi stayed up across the soft reset: connect again at once
        assert repl(b, "import socket, network; network.WLAN(network.STA_IF).isconnected()") == "True\r\n"
        repl(b, "s = socket.socket(); s.connect(('127.0.0.1', %d))" % peer.port)
        c2 = peer.conn(1)
        c2.sendall(b"yo")
        assert repl(b, "s.read(2)") == "b'yo'\r\n"
        b.send(b"import machine; machine.reset()\r")
        b.expect(b">>> ", timeout=20)
        assert how_it_ends(c2) == "rst"
        assert b.ctl("net")["sockets"] == 0
        assert repl(b, "import network; network.WLAN(network.STA_IF).isconnected()") == "False\r\n"
    finally:
        b.quit()
        peer.close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def test_board_server_through_forward(tmp_path):
    hp = free_port()
    b = start(tmp_path, "--forward", "%d:80" % hp)
    try:
        repl(b, "l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
                "l.bind(('', 80)); l.listen(2)")
        assert b.ctl("net")["socks"][0]["host_port"] == hp
        results = {}

        def client():
            with socket.create_connection(("127.0.0.1", hp), timeout=10) as c:
                c.sendall(b"GET / HTTP/1.0\r\n\r\n")
                results["reply"] = c.recv(100)

        t = threading.Thread(target=client)
        t.start()
        got = repl(b, "c, a = l.accept(); a[0], c.readline()", timeout=10)
        assert got == "('127.0.0.1', b'GET / HTTP/1.0\\r\\n')\r\n", got
        repl(b, "c.write(b'HTTP/1.0 200 OK\\r\\n\\r\\n'); c.close()")
        t.join(10)
        assert results["reply"].startswith(b"HTTP/1.0 200 OK")
        # a second server on the same board port is refused
        got = repl(b, "l2 = socket.socket(); l2.bind(('', 80)); l2.listen(1)")
        assert got.endswith("OSError: [Errno 112] EADDRINUSE\r\n"), got
        # non-blocking accept with nobody waiting
        assert repl(b, "l.setblocking(False); l.accept()").endswith("OSError: [Errno 11] EAGAIN\r\n")
    finally:
        b.quit()


def test_udp_round_trip(board):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]

    def echo():
        d, a = u.recvfrom(100)
        u.sendto(d[::-1], a)

    t = threading.Thread(target=echo, daemon=True)
    t.start()
    got = repl(board, "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                      "u.sendto(b'abc', ('127.0.0.1', %d)); d, a = u.recvfrom(10); d, a[1]" % port)
    assert got.endswith("(b'cba', %d)\r\n" % port), got
    u.close()


def test_udp_server_answers_several_peers_from_one_socket(board):
    """A bound UDP socket answers each peer with sendto and still hears
    the others (sendto must not point the socket at one of them)."""
    repl(board, "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('', 5683))")
    host_port = [x for x in board.ctl("net")["socks"] if x["listening"]][0]["host_port"]
    peers = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3)]
    try:
        for p in peers:
            p.settimeout(10)
        board.send(b"exec('for i in range(6):\\n d, a = u.recvfrom(64)\\n u.sendto(d.upper(), a)')\r")
        for rnd in range(2):
            for k, p in enumerate(peers):
                p.sendto(b"peer %d round %d" % (k, rnd), ("127.0.0.1", host_port))
                assert p.recvfrom(64)[0] == b"PEER %d ROUND %d" % (k, rnd)
        board.expect(b">>> ", timeout=10)
        # an empty datagram is one too
        assert repl(board, "u.sendto(b'', ('127.0.0.1', %d))" % peers[0].getsockname()[1]) == "0\r\n"
        assert peers[0].recvfrom(64)[0] == b""
        # a datagram too large for UDP (lwIP's ERR_MEM), and the largest
        assert repl(board, "u.sendto(bytes(65508), ('127.0.0.1', 9))").endswith("OSError: [Errno 12] ENOMEM\r\n")
        assert repl(board, "u.sendto(b'x' * 65507, ('127.0.0.1', %d))" % host_port) == "65507\r\n"
    finally:
        for p in peers:
            p.close()


def test_many_sockets_no_leak(board, peer):
    sup = board.proc.pid

    def nfds():
        return len(os.listdir("/proc/%d/fd" % sup))

    before = nfds()
    code = ("exec('for i in range(1000):\\n s = socket.socket()\\n s.connect((\"127.0.0.1\", %d))\\n"
            " s.close()\\nprint(\"done\", i)')" % peer.port)
    assert repl(board, code, timeout=60) == "done 999\r\n"
    # sockets are a board resource: a VM cannot hold more than lwIP's 16;
    # ENFILE is not in MicroPython's errno list, so it prints as a number
    got = repl(board, "k = [socket.socket() for i in range(20)]; "
                      "exec('for s in k:\\n s.connect((\"127.0.0.1\", %d))')" % peer.port)
    assert got.endswith("OSError: 23\r\n"), got
    repl(board, "exec('for s in k:\\n s.close()')")
    wait_until("the supervisor's descriptors back", lambda: nfds() <= before)
    assert board.ctl("net")["sockets"] == 0


def test_net_host_uses_the_host_resolver(tmp_path, peer):
    """--net host: names outside the board's table go to the host's
    resolver (in a child of the supervisor); its answer still passes the
    policy. The machine's own name resolves through /etc/hosts."""
    name = socket.gethostname()
    try:
        want = socket.gethostbyname(name)
    except OSError:
        pytest.skip("this machine cannot resolve its own name")
    b = start(tmp_path, "--net", "host")
    try:
        assert repl(b, "socket.getaddrinfo(%r, %d)[0][-1]" % (name, peer.port)) == \
            "('%s', %d)\r\n" % (want, peer.port)
        if want.startswith("127."):
            assert repl(b, "s = socket.socket(); s.connect((%r, %d)); s.write(b'dns'); s.read(3)"
                        % (name, peer.port)).endswith("b'DNS'\r\n")
        assert repl(b, "socket.getaddrinfo('no-such-host.invalid', 80)").endswith("OSError: -202\r\n")
    finally:
        b.quit()
    # without --net host the same name is not looked up
    b = start(tmp_path)
    try:
        if name not in ("localhost",):
            assert repl(b, "socket.getaddrinfo(%r, 80)" % name).endswith("OSError: -202\r\n")
    finally:
        b.quit()


def test_main_py_blocked_in_recv_is_recovered_by_ctrl_c(tmp_path):
    """The Pycom document's soft-brick: main.py blocks forever in a recv
    that never gets data. Ctrl-C ends it with KeyboardInterrupt inside the
    recv, the REPL comes, and the peer then sees the socket end cleanly at
    the soft reset that follows."""
    silent = Peer(echo=False)
    b = start(tmp_path)
    try:
        main = ("import network, socket, time\n"
                "w = network.WLAN(network.STA_IF)\n"
                "s = socket.socket()\n"
                "s.connect(('127.0.0.1', %d))\n"
                "print('main waits')\n"
                "s.recv(10)\n" % silent.port)
        repl(b, "f = open('main.py', 'w'); f.write(%r); f.close()" % main)
        b.send(b"\x04")
        b.expect(b"main waits\r\n", timeout=20)
        wait_vm_in_ppoll(b)
        b.send(b"\x03")
        got = b.expect(b">>> ", timeout=10)
        assert b"KeyboardInterrupt" in got and b'File "main.py", line 6' in got, got
        c = silent.conn(0)
        repl(b, "import os; os.remove('main.py')")
        b.send(b"\x04")
        b.expect(b">>> ", timeout=20)
        assert how_it_ends(c) == "fin"
    finally:
        b.quit()
        silent.close()
