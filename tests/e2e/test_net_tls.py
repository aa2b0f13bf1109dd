"""TLS over the board's sockets (issue 13 §3): tls.SSLContext and
ssl.wrap_socket against a real TLS server on this machine's loopback
(CPython's ssl on the host side, certificates made by the openssl tool for
each run: a CA, a server certificate for 'localhost', a client
certificate), and a TLS server on the board reached through --forward."""
import os
import socket
import ssl
import subprocess
import threading

import pytest

import boardlib
from boardlib import Board, repl
from test_net_sockets import CONNECT_WIFI, WAIT_WIFI, free_port, wait_vm_in_ppoll


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "2", "-subj", "/CN=vboard test CA", cwd=d)
    for name, cn in (("server", "localhost"), ("client", "board")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=" + cn, cwd=d)
        ext = d / (name + ".ext")
        ext.write_text("subjectAltName=DNS:%s\n" % cn)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", ext.name, cwd=d)
    openssl("x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca.der", cwd=d)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.pem",
            "-days", "2", "-subj", "/CN=someone else", cwd=d)
    return d


class TlsServer:
    """Accepts TLS connections and answers each line upper-cased; records
    the client certificate's subject it saw."""

    def __init__(self, pki, require_client=False):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(pki / "server.pem"), str(pki / "server.key"))
        if require_client:
            ctx.load_verify_locations(str(pki / "ca.pem"))
            ctx.verify_mode = ssl.CERT_REQUIRED
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(8)
        self.port = self.srv.getsockname()[1]
        self.ctx = ctx
        self.peers = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                raw, _ = self.srv.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(raw,), daemon=True).start()

    def _one(self, raw):
        try:
            with self.ctx.wrap_socket(raw, server_side=True) as c:
                cert = c.getpeercert()
                self.peers.append(dict(x[0] for x in cert["subject"]) if cert else None)
                f = c.makefile("rwb")
                for line in f:
                    f.write(line.upper())
                    f.flush()
        except (OSError, ssl.SSLError):
            return

    def close(self):
        self.srv.close()


@pytest.fixture
def board(tmp_path, pki):
    b = Board(tmp_path, extra=["--clock", "fast"])
    b.expect(b">>> ", timeout=10)
    repl(b, CONNECT_WIFI)
    repl(b, WAIT_WIFI, timeout=20)
    for name in ("ca.pem", "ca.der", "client.pem", "client.key", "other.pem"):
        data = (pki / name).read_bytes()
        repl(b, "f = open(%r, 'wb'); f.write(%r); f.close()" % ("/" + name, data))
    repl(b, "import tls, ssl")
    yield b
    b.quit()


def test_tls_client_verifies_the_server(board, pki):
    srv = TlsServer(pki)
    try:
        repl(board, "ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT); ctx.verify_mode, ctx.protocol")
        assert repl(board, "ctx.verify_mode") == "2\r\n"
        repl(board, "ctx.load_verify_locations(cadata=open('/ca.der', 'rb').read())")
        repl(board, "s = socket.socket(); s.connect(('localhost', %d))" % srv.port)
        assert repl(board, "t = ctx.wrap_socket(s, server_hostname='localhost'); t") == "<SSLSocket>\r\n"
        assert repl(board, "t.write(b'hello tls\\n'), t.readline()") == "(10, b'HELLO TLS\\n')\r\n"
        assert repl(board, "t.cipher()[1]").startswith("'TLSv1.")
        repl(board, "t.close()")
        # the CA in PEM, through ssl's file form
        repl(board, "ctx2 = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx2.load_verify_locations('/ca.pem')")
        repl(board, "s = socket.socket(); s.connect(('127.0.0.1', %d))" % srv.port)
        assert repl(board, "t = ctx2.wrap_socket(s, server_hostname='localhost'); t.write(b'x\\n'); t.read(2)") \
            .endswith("b'X\\n'\r\n")
    finally:
        srv.close()


def test_verification_failures(board, pki):
    srv = TlsServer(pki)
    verify_failed = "OSError: (-9984, 'X509 - Certificate verification failed, e.g. CRL, CA or signature check failed')"
    try:
        # no CA at all: a board has no bundle
        got = repl(board, "ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT); s = socket.socket(); "
                          "s.connect(('127.0.0.1', %d)); ctx.wrap_socket(s, server_hostname='localhost')" % srv.port)
        assert got.endswith(verify_failed + "\r\n"), got
        # another CA
        got = repl(board, "ctx.load_verify_locations(cadata=open('/other.pem', 'rb').read()); s = socket.socket(); "
                          "s.connect(('127.0.0.1', %d)); ctx.wrap_socket(s, server_hostname='localhost')" % srv.port)
        assert got.endswith(verify_failed + "\r\n"), got
        # the right CA, the wrong name
        got = repl(board, "ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT); "
                          "ctx.load_verify_locations(cadata=open('/ca.pem', 'rb').read()); s = socket.socket(); "
                          "s.connect(('127.0.0.1', %d)); ctx.wrap_socket(s, server_hostname='example.com')" % srv.port)
        assert got.endswith(verify_failed + "\r\n"), got
        # CERT_NONE: anything goes (ssl.wrap_socket's default)
        assert repl(board, "s = socket.socket(); s.connect(('127.0.0.1', %d)); t = ssl.wrap_socket(s); "
                           "t.write(b'ok\\n'); t.readline()" % srv.port).endswith("b'OK\\n'\r\n")
        # garbage certificates
        got = repl(board, "ctx.load_verify_locations(cadata=b'not a certificate')")
        assert got.endswith("OSError: (-8576, 'X509 - The CRT/CRL/CSR format is invalid, e.g. different type "
                            "expected')\r\n"), got
    finally:
        srv.close()


def test_client_certificate(board, pki):
    srv = TlsServer(pki, require_client=True)
    try:
        got = repl(board, "s = socket.socket(); s.connect(('127.0.0.1', %d)); "
                          "t = ssl.wrap_socket(s, key='/client.key', cert='/client.pem', cert_reqs=ssl.CERT_REQUIRED, "
                          "cadata=open('/ca.der', 'rb').read(), server_hostname='localhost'); "
                          "t.write(b'me\\n'); t.readline()" % srv.port)
        assert got.endswith("b'ME\\n'\r\n"), got
        boardlib.wait_until(lambda: srv.peers, 10, "the server saw the client")
        assert srv.peers[0] == {"commonName": "board"}
        # Pycom's documented form: the CA as a file, ca_certs=
        got = repl(board, "s = socket.socket(); s.connect(('127.0.0.1', %d)); "
                          "t = ssl.wrap_socket(s, keyfile='/client.key', certfile='/client.pem', "
                          "cert_reqs=ssl.CERT_REQUIRED, ca_certs='/ca.pem', timeout=10); "
                          "t.write(b'pycom\\n'); t.readline()" % srv.port)
        assert got.endswith("b'PYCOM\\n'\r\n"), got
    finally:
        srv.close()


def test_tls_server_on_the_board(tmp_path, pki):
    hp = free_port()
    b = Board(tmp_path, extra=["--clock", "fast", "--forward", "%d:443" % hp])
    try:
        b.expect(b">>> ", timeout=10)
        repl(b, CONNECT_WIFI)
        repl(b, WAIT_WIFI, timeout=20)
        for name in ("server.pem", "server.key"):
            repl(b, "f = open(%r, 'wb'); f.write(%r); f.close()" % ("/" + name, (pki / name).read_bytes()))
        repl(b, "import tls; ctx = tls.SSLContext(tls.PROTOCOL_TLS_SERVER); "
                "ctx.load_cert_chain(open('/server.pem', 'rb').read(), open('/server.key', 'rb').read()); "
                "l = socket.socket(); l.bind(('', 443)); l.listen(1)")
        got = {}

        def client():
            cctx = ssl.create_default_context(cafile=str(pki / "ca.pem"))
            with socket.create_connection(("127.0.0.1", hp), timeout=10) as raw:
                with cctx.wrap_socket(raw, server_hostname="localhost") as c:
                    c.sendall(b"ping\n")
                    got["reply"] = c.recv(100)

        t = threading.Thread(target=client)
        t.start()
        out = repl(b, "c, a = l.accept(); t = ctx.wrap_socket(c, server_side=True); "
                      "t.write(t.readline().replace(b'i', b'o')); t.close()", timeout=20)
        t.join(10)
        assert got.get("reply") == b"pong\n", (got, out)
    finally:
        b.quit()


def test_ctrl_c_in_a_tls_read(board, pki):
    srv = TlsServer(pki)
    try:
        repl(board, "s = socket.socket(); s.connect(('127.0.0.1', %d)); t = ssl.wrap_socket(s)" % srv.port)
        board.send(b"print('reading'); t.read(1)\r")
        board.expect(b"reading\r\n")        # printed by the running code: Ctrl-C interrupts it
        wait_vm_in_ppoll(board)
        board.send(b"\x03")
        assert b"KeyboardInterrupt" in board.expect(b">>> ", timeout=10)
        assert repl(board, "t.write(b'still\\n'); t.readline()").endswith("b'STILL\\n'\r\n")
    finally:
        srv.close()
