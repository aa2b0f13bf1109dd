"""The networking modules the esp32 firmware freezes (issue 13 §3), over
the board's sockets against real servers on this machine's loopback:
requests against CPython's http.server (plain and TLS), umqtt.simple
against a real mosquitto (Debian's) watched with mosquitto_sub and fed
with mosquitto_pub, ntptime against the board gateway's NTP service, and
the bad peers: a malformed HTTP response, a silent server, a broker that
hangs up in the middle of a packet."""
import http.server
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time

import pytest

import boardlib
from boardlib import Board, repl
from test_net_sockets import CONNECT_WIFI, WAIT_WIFI, free_port
from test_net_tls import pki  # noqa: F401  (the fixture)


def wait_until(what, cond, timeout=10.0):
    return boardlib.wait_until(cond, timeout, what)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def _reply(self, code, body, ctype="application/json"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        if self.path == "/data":
            self._reply(200, json.dumps({"temp": 21.5, "ok": True}).encode())
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:%d/data" % self.server.server_port)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/headers":
            self._reply(200, json.dumps({k: v for k, v in self.headers.items()}).encode())
        else:
            self._reply(404, b"not here", "text/plain")

    do_HEAD = do_GET

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        self._reply(201, json.dumps({"got": body.decode(), "type": self.headers.get("Content-Type")}).encode())

    do_PUT = do_POST


def serve_http(tls_ctx=None):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls_ctx:
        srv.socket = tls_ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


@pytest.fixture
def board(tmp_path):
    b = Board(tmp_path, extra=["--clock", "fast"])
    b.expect(b">>> ", timeout=10)
    repl(b, CONNECT_WIFI)
    repl(b, WAIT_WIFI, timeout=20)
    yield b
    b.quit()


def test_requests_http(board):
    srv = serve_http()
    base = "http://127.0.0.1:%d" % srv.server_port
    try:
        repl(board, "import requests")
        assert repl(board, "r = requests.get(%r); r.status_code, r.json()" % (base + "/data")) == \
            "(200, {'temp': 21.5, 'ok': True})\r\n"
        assert repl(board, "r.headers['Content-Type'], r.reason") == "('application/json', b'OK')\r\n"
        assert repl(board, "r = requests.post(%r, json={'a': 1}); r.status_code, r.json()" % (base + "/x")) == \
            "(201, {'got': '{\"a\": 1}', 'type': 'application/json'})\r\n"
        assert repl(board, "r = requests.put(%r, data=b'raw'); r.json()['got']" % (base + "/x")) == "'raw'\r\n"
        assert repl(board, "r = requests.get(%r); r.status_code, r.text" % (base + "/nope")) == \
            "(404, 'not here')\r\n"
        assert repl(board, "requests.head(%r).status_code" % (base + "/data")) == "200\r\n"
        assert repl(board, "requests.get(%r).json()['ok']" % (base + "/moved")) == "True\r\n"
        got = repl(board, "requests.get(%r, headers={'X-Board': 'vb'}, auth=('u', 'p')).json()" % (base + "/headers"))
        assert "'X-Board': 'vb'" in got and "'Authorization': 'Basic dTpw'" in got, got
        # the board's own name through the policy's table
        assert repl(board, "requests.get('http://localhost:%d/data').status_code" % srv.server_port) == "200\r\n"
        wait_until("sockets closed", lambda: board.ctl("net")["sockets"] == 0)
    finally:
        srv.shutdown()


def test_requests_https(board, pki):  # noqa: F811
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(pki / "server.pem"), str(pki / "server.key"))
    srv = serve_http(ctx)
    try:
        got = repl(board, "import requests; r = requests.get('https://localhost:%d/data'); r.status_code, r.json()"
                   % srv.server_port, timeout=20)
        assert got == "(200, {'temp': 21.5, 'ok': True})\r\n", got
    finally:
        srv.shutdown()


def http_request_done(data):
    return b"\r\n\r\n" in data


def mqtt_packet_done(data):
    return len(data) >= 2 and len(data) >= 2 + data[1]     # short packets: a one-byte length


def raw_server(reply, close=True, done=http_request_done):
    """Answers every connection with `reply` (bytes) once it has read the
    whole request (`done`), so the client is not cut off while it still
    writes; None: says nothing and keeps the connection open."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    held = []

    def serve():
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            held.append(c)
            data = b""
            while not done(data):
                more = c.recv(4096)
                if not more:
                    break
                data += more
            if reply is not None:
                c.sendall(reply)
                if close:
                    c.close()

    threading.Thread(target=serve, daemon=True).start()
    return srv, held


def test_requests_bad_servers(board):
    bad, _ = raw_server(b"garbage\r\n")
    silent, held = raw_server(None)
    nothing, _ = raw_server(b"")
    try:
        repl(board, "import requests")
        got = repl(board, "requests.get('http://127.0.0.1:%d/')" % bad.getsockname()[1])
        assert got.endswith("ValueError: HTTP error: BadStatusLine:\r\nb'garbage\\r\\n'\r\n"), got
        got = repl(board, "requests.get('http://127.0.0.1:%d/')" % nothing.getsockname()[1])
        assert "ValueError: HTTP error: BadStatusLine:" in got, got
        t0 = board.ctl("status")["board_us"]
        got = repl(board, "requests.get('http://127.0.0.1:%d/', timeout=2)" % silent.getsockname()[1], timeout=15)
        assert got.endswith("OSError: [Errno 116] ETIMEDOUT\r\n"), got
        assert board.ctl("status")["board_us"] - t0 >= 2000000
        got = repl(board, "requests.get('ftp://127.0.0.1/')")
        assert got.endswith("ValueError: Unsupported protocol: ftp:\r\n"), got
        wait_until("sockets closed", lambda: board.ctl("net")["sockets"] == 0)
    finally:
        for s in (bad, silent, nothing):
            s.close()
        for c in held:
            c.close()


@pytest.fixture
def broker(tmp_path):
    if not shutil.which("mosquitto"):
        pytest.fail("mosquitto is not installed (tools/install-deps.sh test)")
    port = free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n" % port)
    p = subprocess.Popen(["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    wait_until("mosquitto listening", lambda: boardlib.tcp_listening(port))
    yield port
    p.terminate()
    p.wait(10)


def test_umqtt_publish_subscribe_and_will(board, broker):
    repl(board, "from umqtt.simple import MQTTClient; got = []")
    repl(board, "c = MQTTClient('vboard-1', '127.0.0.1', %d, keepalive=30); "
                "c.set_callback(lambda t, m: got.append((t, m)))" % broker)
    assert repl(board, "c.connect()") == "0\r\n"
    repl(board, "c.subscribe(b'vb/in', qos=1)")
    # host -> board, QoS 1
    subprocess.run(["mosquitto_pub", "-p", str(broker), "-t", "vb/in", "-m", "hello board", "-q", "1"],
                   check=True, timeout=10)
    assert repl(board, "c.wait_msg(); got") == "[(b'vb/in', b'hello board')]\r\n"
    # board -> host: a retained message is there for a later subscriber
    repl(board, "c.publish(b'vb/out', b'retained reading', retain=True, qos=1)")
    out = subprocess.run(["mosquitto_sub", "-p", str(broker), "-t", "vb/out", "-C", "1", "-W", "10"],
                         capture_output=True, timeout=15)
    assert out.stdout == b"retained reading\n", out
    assert repl(board, "c.check_msg()") == ""          # nothing waiting: returns at once
    repl(board, "c.ping(); c.disconnect()")
    # a last will, published by the broker when the board dies (hard reset:
    # no DISCONNECT, the connection reset); retained, so a subscriber that
    # comes after it still gets it
    repl(board, "c = MQTTClient('vboard-2', '127.0.0.1', %d); "
                "c.set_last_will(b'vb/will', b'board lost', retain=True); c.connect()" % broker)
    board.send(b"import machine; machine.reset()\r")
    board.expect(b">>> ", timeout=20)
    out = subprocess.run(["mosquitto_sub", "-p", str(broker), "-t", "vb/will", "-C", "1", "-W", "20"],
                         capture_output=True, timeout=25)
    assert out.stdout == b"board lost\n", out


def test_umqtt_broker_hangs_up_mid_packet(board):
    half, _ = raw_server(b"\x20\x02\x00", done=mqtt_packet_done)      # a CONNACK cut short
    try:
        got = repl(board, "from umqtt.simple import MQTTClient; "
                          "MQTTClient('x', '127.0.0.1', %d).connect()" % half.getsockname()[1])
        assert got.endswith("OSError: -1\r\n"), got
        refused, _ = raw_server(b"\x20\x02\x00\x05", done=mqtt_packet_done)        # not authorised
        got = repl(board, "MQTTClient('x', '127.0.0.1', %d).connect()" % refused.getsockname()[1])
        assert got.endswith("MQTTException: 5\r\n"), got
        refused.close()
    finally:
        half.close()


def test_ntptime_sets_the_rtc_from_the_gateway(board):
    assert repl(board, "import time; time.localtime()[0]") == "2000\r\n"
    repl(board, "import ntptime; ntptime.settime()")
    board_secs = int(repl(board, "time.time()").strip())
    host_secs = int(time.time()) - 946684800                 # the board's epoch is 2000
    assert abs(board_secs - host_secs) <= 5, (board_secs, host_secs)
    assert board.ctl("net")["ntp_answers"] == 1
    # another server than the gateway is outside the loopback policy
    got = repl(board, "ntptime.host = '192.0.2.1'; ntptime.settime()")
    assert got.endswith("OSError: [Errno 118] EHOSTUNREACH\r\n"), got


def test_asyncio_streams_over_sockets(board):
    srv = serve_http()
    try:
        code = ("import asyncio\n"
                "async def fetch():\n"
                "    r, w = await asyncio.open_connection('127.0.0.1', %d)\n"
                "    w.write(b'GET /data HTTP/1.0\\r\\n\\r\\n')\n"
                "    await w.drain()\n"
                "    status = await r.readline()\n"
                "    while (await r.readline()) != b'\\r\\n':\n"
                "        pass\n"
                "    body = await r.read(-1)\n"
                "    w.close()\n"
                "    await w.wait_closed()\n"
                "    return status, body\n"
                "async def main():\n"
                "    return await asyncio.gather(fetch(), fetch())\n"
                "print(asyncio.run(main()))\n" % srv.server_port)
        out, err = run_code(board, code)
        assert out.count("(b'HTTP/1.0 200 OK\\r\\n', b'{\"temp\": 21.5, \"ok\": true}')") == 2, (out, err)
    finally:
        srv.shutdown()


def run_code(b, code):
    """Run a program in the raw REPL; (stdout, stderr) as text."""
    b.raw_enter()
    out, err = b.raw_exec(code.encode(), timeout=30)
    b.send(b"\x02")
    b.expect(b">>> ")
    return out.decode(), err.decode()


IOT_BOOT = b"""import network, time
w = network.WLAN(network.STA_IF)
if not w.isconnected():
    w.active(True)
    w.connect('Wokwi-GUEST', '')
    while not w.isconnected():
        time.sleep_ms(100)
print('wifi', w.ifconfig()[0])
"""

IOT_MAIN = """import asyncio, requests, ntptime, time
from umqtt.simple import MQTTClient
ntptime.settime()
print('year', time.localtime()[0] >= 2026)
r = requests.get('http://127.0.0.1:%(http)d/data')
print('http', r.status_code, r.json()['temp'])
r = requests.get('https://localhost:%(https)d/data')
print('https', r.status_code, r.json()['ok'])
got = []
c = MQTTClient('iot', '127.0.0.1', %(mqtt)d)
c.set_callback(lambda t, m: got.append(m))
c.connect()
c.subscribe(b'iot/cmd')
c.publish(b'iot/hello', b'up', retain=True)
async def handle(r, w):
    line = await r.readline()
    c.publish(b'iot/seen', line.strip())
    w.write(b'echo ' + line)
    await w.drain()
    w.close()
async def main():
    srv = await asyncio.start_server(handle, '0.0.0.0', 80)
    print('serving')
    while not got:
        c.check_msg()
        await asyncio.sleep_ms(20)
    print('cmd', got[0])
    srv.close()
asyncio.run(main())
"""


def test_the_iot_program(tmp_path, pki, broker):  # noqa: F811
    """Issue 13's program, unmodified: boot.py connects Wi-Fi; main.py sets
    the RTC by NTP, GETs JSON over http and https, publishes and receives
    over MQTT and serves a TCP client through --forward with asyncio."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(pki / "server.pem"), str(pki / "server.key"))
    http_srv, https_srv = serve_http(), serve_http(ctx)
    hp = free_port()
    b = Board(tmp_path, extra=["--clock", "fast", "--forward", "%d:80" % hp])
    try:
        b.expect(b">>> ", timeout=10)
        main = IOT_MAIN % {"http": http_srv.server_port, "https": https_srv.server_port, "mqtt": broker}
        for name, data in (("boot.py", IOT_BOOT), ("main.py", main.encode())):
            repl(b, "f = open(%r, 'wb'); f.write(%r); f.close()" % (name, data))
        b.send(b"\x04")
        got = b.expect(b"serving\r\n", timeout=30)
        for want in (b"wifi 10.13.0.2", b"year True", b"http 200 21.5", b"https 200 True"):
            assert want in got, got
        with socket.create_connection(("127.0.0.1", hp), timeout=10) as c:
            c.sendall(b"ping\n")
            assert c.recv(100) == b"echo ping\n"
        out = subprocess.run(["mosquitto_sub", "-p", str(broker), "-t", "iot/seen", "-t", "iot/hello",
                              "-C", "1", "-W", "10", "-v"], capture_output=True, timeout=15)
        assert out.stdout.startswith(b"iot/hello up"), out
        subprocess.run(["mosquitto_pub", "-p", str(broker), "-t", "iot/cmd", "-m", "reboot"], check=True, timeout=10)
        b.expect(b"cmd b'reboot'\r\n", timeout=20)
        b.expect(b">>> ", timeout=10)
    finally:
        b.quit()
        http_srv.shutdown()
        https_srv.shutdown()


def index_dir(root):
    """A package index as micropython.org lays it out: package 'hello'
    (one file, one dependency 'dep'), its files by short hash."""
    import hashlib
    files = {"hello": b"from dep import X\ndef greet():\n    return 'hello ' + X\n", "dep": b"X = 'from the index'\n"}
    for name, src in files.items():
        h = hashlib.sha256(src).hexdigest()[:8]
        (root / "file" / h[:2]).mkdir(parents=True, exist_ok=True)
        (root / "file" / h[:2] / h).write_bytes(src)
        pkg = root / "package" / "py" / name
        pkg.mkdir(parents=True)
        deps = [["dep", "latest"]] if name == "hello" else []
        (pkg / "latest.json").write_text(json.dumps({"hashes": [[name + ".py", h]], "deps": deps, "version": "1.0"}))
    (root.parent / "secret.txt").write_text("outside the index")
    return root


def test_mip_installs_from_a_local_index(tmp_path):
    idx = index_dir(tmp_path / "index")
    b = Board(tmp_path, extra=["--clock", "fast", "--mip-index", str(idx)])
    try:
        b.expect(b">>> ", timeout=10)
        repl(b, CONNECT_WIFI)
        repl(b, WAIT_WIFI, timeout=20)
        got = repl(b, "import mip; mip.install('hello')", timeout=30)
        assert "Installing hello (latest) from http://mip.vboard.internal to /lib" in got, got
        assert "Copying: /lib/hello.py" in got and "Copying: /lib/dep.py" in got and got.endswith("Done\r\n"), got
        assert repl(b, "import hello; hello.greet()") == "'hello from the index'\r\n"
        got = repl(b, "mip.install('hello')", timeout=30)           # already there: checked by hash
        assert "Exists: /lib/hello.py" in got and got.endswith("Done\r\n"), got
        got = repl(b, "mip.install('nope')", timeout=30)
        assert "Package not found: http://mip.vboard.internal/package/py/nope/latest.json" in got, got
        assert got.endswith("Package may be partially installed\r\n"), got
        # the index serves files beneath its directory only
        for path in ("/../secret.txt", "/package/../../secret.txt", "/%2e%2e/secret.txt"):
            got = repl(b, "s = socket.socket(); s.connect(('mip.vboard.internal', 80)); "
                          "s.write(b'GET %s HTTP/1.0\\r\\n\\r\\n'); s.read()" % path)
            assert "HTTP/1.0 404 Not Found" in got and "outside" not in got, (path, got)
        got = repl(b, "s = socket.socket(); s.connect(('mip.vboard.internal', 80)); "
                      "s.write(b'DELETE /file HTTP/1.0\\r\\n\\r\\n'); s.read()")
        assert "HTTP/1.0 400 Bad Request" in got, got
    finally:
        b.quit()
    # without --mip-index the name is unknown and mip goes to micropython.org (refused by the policy)
    b = Board(tmp_path, extra=["--clock", "fast"])
    try:
        b.expect(b">>> ", timeout=10)
        repl(b, CONNECT_WIFI)
        repl(b, WAIT_WIFI, timeout=20)
        got = repl(b, "import mip; mip.install('hello')", timeout=30)
        assert "from https://micropython.org/pi/v2 to /lib" in got and got.endswith("OSError: -202\r\n"), got
    finally:
        b.quit()
