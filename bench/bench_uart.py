"""UART bridge benchmarks (printed, never asserted): bytes per wall second
through `--uart ID:LINK`, board -> host and host -> board, over a pty and
over TCP, under --clock fast (so the wire's board time at the baud rate
costs a clock jump, not wall time). Baseline in the same run: the board
writing to an unbridged UART (the VM's side alone, into the void), and a
plain host pty copy of the same size. Medians.

usage: bench_uart.py [path/to/vboard]"""
import os
import select
import socket
import statistics
import sys
import tempfile
import termios
import threading
import time
import tty

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
os.environ.setdefault("VBOARD", os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/vboard"))
from boardlib import Board, repl  # noqa: E402

SIZE = 4 << 20       # bytes per figure
CHUNK = 16384
RUNS = 5

PROG = """
from machine import UART
us = {1: UART(1, 921600, timeout=2000, timeout_char=200), 2: UART(2, 921600, timeout=2000, timeout_char=200)}
chunk = bytes(%d)
def send(i, n):
    u = us[i]
    for _ in range(n // len(chunk)): u.write(chunk)
    u.flush()
def recv(i, n):
    u, got = us[i], 0
    buf = bytearray(4096)
    while got < n:
        k = u.readinto(buf)
        if not k: break
        got += k
    print('got', got)
""" % CHUNK


def drain_fd(fd, n):
    got = 0
    while got < n:
        r, _, _ = select.select([fd], [], [], 10)
        if not r:
            raise RuntimeError("stalled after %d bytes" % got)
        got += len(os.read(fd, 65536))


def host_pty_copy():
    m, s = os.openpty()
    tty.setraw(s, termios.TCSANOW)
    t = time.perf_counter()
    th = threading.Thread(target=drain_fd, args=(s, SIZE))
    th.start()
    data = bytes(CHUNK)
    for _ in range(SIZE // CHUNK):
        view = memoryview(data)
        while view:
            view = view[os.write(m, view):]
    th.join()
    dt = time.perf_counter() - t
    os.close(m)
    os.close(s)
    return SIZE / dt


def timed(fn):
    t = time.perf_counter()
    fn()
    return SIZE / (time.perf_counter() - t)


def bridged(d, got):
    """pty and TCP, both ways, on a board with UART1 on a pty and UART2 on TCP."""
    link = os.path.join(d, "uart1")
    b = Board(d, board="esp32", extra=["--clock", "fast", "--uart", "1:%s,2:tcp:0" % link])
    try:
        b.expect(b">>> ", timeout=30)
        assert repl(b, "exec(%r)" % PROG) == ""
        port = int(b.ctl("status")["uarts"][1]["host"].rsplit(":", 1)[1])
        pfd = os.open(link, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(pfd, termios.TCSANOW)
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        readers = {1: lambda: drain_fd(pfd, SIZE), 2: lambda: drain_sock(sock, SIZE)}
        writers = {1: lambda: write_fd(pfd), 2: lambda: sock.sendall(bytes(SIZE))}
        try:
            for _ in range(RUNS):
                for i, name in ((1, "pty"), (2, "tcp")):
                    th = threading.Thread(target=readers[i])
                    t = time.perf_counter()
                    th.start()
                    repl(b, "send(%d, %d)" % (i, SIZE), timeout=120)
                    th.join()
                    got[name + " board->host"].append(SIZE / (time.perf_counter() - t))
                    b.send(b"recv(%d, %d)\r" % (i, SIZE))
                    b.expect(b"\r\n")
                    th = threading.Thread(target=writers[i])
                    t = time.perf_counter()
                    th.start()
                    out = b.expect(b">>> ", timeout=120)
                    th.join()
                    got[name + " host->board"].append(SIZE / (time.perf_counter() - t))
                    assert b"got %d" % SIZE in out, out
        finally:
            os.close(pfd)
            sock.close()
    finally:
        b.quit()


def void(d, got):
    """The VM's side alone: UART1 with nothing attached."""
    b = Board(d, board="esp32", extra=["--clock", "fast"])
    try:
        b.expect(b">>> ", timeout=30)
        assert repl(b, "exec(%r)" % PROG) == ""
        for _ in range(RUNS):
            got["baseline: into the void"].append(timed(lambda: repl(b, "send(1, %d)" % SIZE, timeout=120)))
    finally:
        b.quit()


def main():
    print("bench_uart: %d MiB per figure at 921600 baud, medians of %d runs, --clock fast; baselines in the same run"
          % (SIZE >> 20, RUNS))
    got = {k: [] for k in ("pty board->host", "pty host->board", "tcp board->host", "tcp host->board",
                           "baseline: into the void", "baseline: host pty copy")}
    for _ in range(RUNS):
        got["baseline: host pty copy"].append(host_pty_copy())
    with tempfile.TemporaryDirectory() as d:
        void(d, got)
    with tempfile.TemporaryDirectory() as d:
        bridged(d, got)
    for k, v in got.items():
        print("  %-24s: %8.1f MB/s" % (k, statistics.median(v) / 1e6))


def drain_sock(sock, n):
    got = 0
    while got < n:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("closed after %d bytes" % got)
        got += len(chunk)


def write_fd(fd):
    data = bytes(CHUNK)
    for _ in range(SIZE // CHUNK):
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]


if __name__ == "__main__":
    main()
