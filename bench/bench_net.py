"""Network benchmarks (printed, never asserted): TCP throughput through the
board's sockets, board->host and host->board, against a plain loopback copy
between two host sockets in the same run; connect latency (connect + close,
as the board sees it, board time) against a host connect; UDP round trips
through a server on the board (recvfrom + sendto, answered by the
supervisor's SENDTO) against a host echo thread; MQTT publishes per second
(umqtt.simple, QoS 0 and 1) to a real mosquitto. Medians of ROUNDS.

usage: bench_net.py [path/to/vboard]"""
import os
import shutil
import socket
import subprocess
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
os.environ.setdefault("VBOARD", os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/vboard"))
from boardlib import Board, BoardError, repl, tcp_listening, wait_until  # noqa: E402

MB = 1 << 20
SIZE = 8 * MB
ROUNDS = 5
CONNECTS = 200


def sink_server():
    """Accepts connections; reads each to its end, then replies b'done'."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)

    def serve():
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            threading.Thread(target=drain, args=(c,), daemon=True).start()

    def drain(c):
        with c:
            while c.recv(1 << 16):
                pass

    threading.Thread(target=serve, daemon=True).start()
    return srv


def source_server():
    """Sends SIZE bytes to each connection, then closes it."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    chunk = b"x" * (1 << 16)

    def serve():
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            with c:
                for _ in range(SIZE // len(chunk)):
                    c.sendall(chunk)

    threading.Thread(target=serve, daemon=True).start()
    return srv


def acceptor():
    """Accepts and closes at once, with a deep backlog: a connect partner
    that never makes anyone wait."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1024)

    def serve():
        while True:
            try:
                srv.accept()[0].close()
            except OSError:
                return

    threading.Thread(target=serve, daemon=True).start()
    return srv


def host_copy():
    """The same SIZE bytes between two host sockets: the baseline."""
    src = source_server()
    t = time.perf_counter()
    with socket.create_connection(src.getsockname()) as c:
        n = 0
        while True:
            d = c.recv(1 << 16)
            if not d:
                break
            n += len(d)
    dt = time.perf_counter() - t
    src.close()
    return SIZE / MB / dt


ECHOES = 2000


def udp_lockstep(port):
    """ECHOES request/answer round trips with a UDP server at port: per second."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as c:
        c.settimeout(10)
        t = time.perf_counter()
        for i in range(ECHOES):
            c.sendto(b"ping %d" % i, ("127.0.0.1", port))
            c.recvfrom(64)
        return ECHOES / (time.perf_counter() - t)


def host_udp_echo():
    """The baseline server: a host thread echoing ECHOES datagrams per round."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                d, a = srv.recvfrom(64)
                srv.sendto(d, a)
            except OSError:
                return

    threading.Thread(target=serve, daemon=True).start()
    return srv


def board_udp_rate(b, port):
    b.send(b"exec('for i in range(%d):\\n d, a = u.recvfrom(64)\\n u.sendto(d, a)')\r" % ECHOES)
    rate = udp_lockstep(port)
    b.expect(b">>> ", timeout=30)
    return rate


def board_us(b, expr):
    return int(repl(b, expr, timeout=120).strip())


PUBLISHES = 2000


def mosquitto():
    """A mosquitto on a free port, or None when it is not installed."""
    if not shutil.which("mosquitto"):
        return None, None
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    conf = tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False)
    conf.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n" % port)
    conf.close()
    p = subprocess.Popen(["mosquitto", "-c", conf.name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: tcp_listening(port), 10, "mosquitto listening")
        return p, port
    except BoardError:
        p.kill()
        return None, None


def mqtt_rates(b, port):
    """Publishes per second of wall time, QoS 0 then QoS 1 (each waits for its PUBACK)."""
    repl(b, "from umqtt.simple import MQTTClient; c = MQTTClient('bench', '127.0.0.1', %d); c.connect()" % port)
    rates = []
    for qos in (0, 1):
        t = time.perf_counter()
        repl(b, "exec('for i in range(%d):\\n c.publish(b\\'bench/t\\', b\\'0123456789\\', qos=%d)')"
             % (PUBLISHES, qos), timeout=120)
        rates.append(PUBLISHES / (time.perf_counter() - t))
    repl(b, "c.disconnect()")
    return rates


def main():
    sink, src, acc = sink_server(), source_server(), acceptor()
    with tempfile.TemporaryDirectory() as d:
        b = Board(d, board="esp32", extra=["--clock", "fast"])
        try:
            b.expect(b">>> ", timeout=30)
            repl(b, "import network, socket, time; w = network.WLAN(network.STA_IF); w.active(True); "
                    "w.connect('Wokwi-GUEST')")
            repl(b, "exec('while not w.isconnected():\\n time.sleep_ms(50)')", timeout=30)
            repl(b, "buf = bytearray(65536); big = b'x' * 65536")
            up, down, base, conn = [], [], [], []
            for _ in range(ROUNDS):
                base.append(host_copy())
                t = time.perf_counter()
                repl(b, "s = socket.socket(); s.connect(('127.0.0.1', %d)); "
                        "exec('for i in range(%d):\\n s.write(big)'); s.close()" % (sink.getsockname()[1],
                                                                                   SIZE // 65536), timeout=120)
                up.append(SIZE / MB / (time.perf_counter() - t))
                t = time.perf_counter()
                repl(b, "s = socket.socket(); s.connect(('127.0.0.1', %d)); "
                        "exec('while s.readinto(buf):\\n pass'); s.close()" % src.getsockname()[1], timeout=120)
                down.append(SIZE / MB / (time.perf_counter() - t))
                us = board_us(b, "t = time.ticks_us(); exec('for i in range(%d):\\n c = socket.socket()\\n"
                                 " c.connect((\"127.0.0.1\", %d))\\n c.close()'); time.ticks_diff(time.ticks_us(), t)"
                                 % (CONNECTS, acc.getsockname()[1]))
                conn.append(us / CONNECTS)
            hc = []
            for _ in range(ROUNDS):
                t = time.perf_counter()
                for _ in range(CONNECTS):
                    socket.create_connection(acc.getsockname()).close()
                hc.append((time.perf_counter() - t) / CONNECTS * 1e6)
            host_conn = statistics.median(hc)
            repl(b, "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('', 7))")
            uport = [x for x in b.ctl("net")["socks"] if x["listening"]][0]["host_port"]
            echo = host_udp_echo()
            udp, udp_base = [], []
            for _ in range(ROUNDS):
                udp.append(board_udp_rate(b, uport))
                udp_base.append(udp_lockstep(echo.getsockname()[1]))
            echo.close()
            broker, bport = mosquitto()
            q0, q1 = [], []
            if broker:
                try:
                    for _ in range(ROUNDS):
                        a, c = mqtt_rates(b, bport)
                        q0.append(a)
                        q1.append(c)
                finally:
                    broker.terminate()
                    broker.wait()
        finally:
            b.quit()
    m = statistics.median
    print("net: TCP board->host %.0f MB/s, host->board %.0f MB/s; plain loopback copy %.0f MB/s "
          "(x%.2f, x%.2f of it); %d MB each, medians of %d" % (m(up), m(down), m(base), m(up) / m(base),
                                                              m(down) / m(base), SIZE // MB, ROUNDS))
    print("net: connect+close from the board %.0f us (board time), from the host %.0f us (x%.1f)"
          % (m(conn), host_conn, m(conn) / host_conn))
    print("net: UDP round trips to a server on the board %.0f/s, to a host echo thread %.0f/s (x%.2f); "
          "%d each, medians of %d" % (m(udp), m(udp_base), m(udp) / m(udp_base), ECHOES, ROUNDS))
    if q0:
        print("net: MQTT to mosquitto, umqtt.simple: %.0f publishes/s at QoS 0, %.0f at QoS 1; %d each, medians of %d"
              % (m(q0), m(q1), PUBLISHES, ROUNDS))
    else:
        print("net: MQTT: mosquitto is not installed (tools/install-deps.sh test)")


if __name__ == "__main__":
    main()
