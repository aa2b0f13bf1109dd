"""Board benchmarks (printed, never asserted): cold start to the first
prompt, soft reset, machine.reset(), the friendly REPL round trip, raw-paste
of `pass`, and process memory. Medians of repeated runs, each with a
baseline measured in the same run so a noisy machine still gives ratios.

usage: bench_board.py [path/to/vboard]"""
import os
import pty
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tty

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
os.environ.setdefault("VBOARD", os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/vboard"))
from boardlib import BANNER, RAW_BANNER, Board  # noqa: E402


def median_ms(samples):
    return statistics.median(samples) * 1000


def spawn_baseline(n=15):
    """fork+exec+wait of /bin/true: the floor of any cold start."""
    out = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(["/bin/true"])
        out.append(time.perf_counter() - t)
    return out


def pty_echo_baseline(n=200):
    """One byte through a raw pty to `cat` and back: the floor of a round trip."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    cat = subprocess.Popen(["cat"], stdin=slave, stdout=slave, close_fds=True)
    os.close(slave)
    out = []
    for _ in range(n):
        t = time.perf_counter()
        os.write(master, b"x")
        got = b""
        deadline = time.monotonic() + 5
        while not got and time.monotonic() < deadline:
            if select.select([master], [], [], 1)[0]:
                got = os.read(master, 64)
        out.append(time.perf_counter() - t)
    cat.kill()
    cat.wait()
    os.close(master)
    return out


def unix_echo_baseline(n=300):
    """One line over a Unix socket to an echo thread and back: the floor of
    a control-socket round trip."""
    a, b = socket.socketpair()

    def echo():
        while True:
            d = b.recv(4096)
            if not d:
                return
            b.sendall(d)
    threading.Thread(target=echo, daemon=True).start()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        a.sendall(b'{"cmd":"status"}\n')
        a.recv(4096)
        out.append(time.perf_counter() - t)
    a.close()
    return out


def control_rate(path, n=4000):
    """Pipelined control commands per second (a sender thread, one reader)."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    burst = b'{"cmd":"pin","name":"GPIO5","drive":"high"}\n' * n
    t = time.perf_counter()
    threading.Thread(target=s.sendall, args=(burst,), daemon=True).start()
    got = 0
    while got < n:
        got += s.recv(1 << 20).count(b"\n")
    dt = time.perf_counter() - t
    s.close()
    return n / dt


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def main():
    tmp = tempfile.mkdtemp()
    cold = []
    for i in range(7):
        t = time.perf_counter()
        b = Board(tmp, flash=os.path.join(tmp, "cold%d.bin" % (i % 2)))
        b.expect(BANNER, 15)
        cold.append(time.perf_counter() - t)
        b.quit()
    base_spawn = spawn_baseline()
    # Pycom: the bootloader stage reads otadata and verifies the image (SHA-256)
    cold_pycom = []
    for i in range(7):
        t = time.perf_counter()
        b = Board(tmp, board="pycom", flash=os.path.join(tmp, "pycom%d.bin" % (i % 2)))
        b.expect(b'Type "help()" for more information.\r\n>>> ', 15)
        cold_pycom.append(time.perf_counter() - t)
        b.quit()

    b = Board(tmp, flash=os.path.join(tmp, "warm.bin"))
    b.expect(BANNER, 15)
    soft = []
    for _ in range(50):
        t = time.perf_counter()
        b.send(b"\x04")
        b.expect(BANNER)
        soft.append(time.perf_counter() - t)
    trip = []
    for _ in range(300):
        t = time.perf_counter()
        b.send(b"1+1\r")
        b.expect(b"2\r\n>>> ")
        trip.append(time.perf_counter() - t)
    hard = []
    b.send(b"import machine\r")
    b.expect(b">>> ")
    for _ in range(10):
        t = time.perf_counter()
        b.send(b"machine.reset()\r")
        b.expect(BANNER, 10)
        hard.append(time.perf_counter() - t)
        b.send(b"import machine\r")
        b.expect(b">>> ")
    ctl = []
    for _ in range(300):
        t = time.perf_counter()
        b.ctl("status")
        ctl.append(time.perf_counter() - t)
    rates = [control_rate(b.control) for _ in range(5)]
    button = []
    cycle = []
    for samples, req in ((button, {"cmd": "reset"}), (cycle, {"cmd": "power", "state": "cycle"})):
        for _ in range(10):
            b.drain(0.02)
            t = time.perf_counter()
            b.ctl(**req)
            b.expect(BANNER, 10)
            samples.append(time.perf_counter() - t)
    b.raw_enter()
    paste = []
    for _ in range(100):
        t = time.perf_counter()
        b.send(b"\x05A\x01")
        b.expect(b"R\x01\x80\x00\x01")
        b.send(b"pass\x04")
        b.expect(b"\x04\x04\x04>")
        paste.append(time.perf_counter() - t)
    sup = b.proc.pid
    zyg = (children(sup) or [0])[0]
    vm = (children(zyg) or [0])[0] if zyg else 0
    mem = (rss_kib(sup), rss_kib(zyg), rss_kib(vm))
    b.send(b"\r\x02")
    b.quit()
    base_echo = pty_echo_baseline()
    base_unix = unix_echo_baseline()

    bs, be, bu = median_ms(base_spawn), median_ms(base_echo), median_ms(base_unix)
    print("bench_board: medians; baselines: spawn of /bin/true %.2f ms, pty echo through cat %.3f ms" % (bs, be))
    for name, samples, base, bname in [
        ("cold start to first '>>> '", cold, bs, "spawn"),
        ("cold start, pycom (bootloader + image)", cold_pycom, bs, "spawn"),
        ("soft reset (Ctrl-D to '>>> ')", soft, bs, "spawn"),
        ("machine.reset() to '>>> '", hard, bs, "spawn"),
        ("friendly round trip ('1+1\\r' to '>>> ')", trip, be, "pty echo"),
        ("raw-paste round trip of 'pass'", paste, be, "pty echo"),
        ("control 'status' round trip", ctl, bu, "unix echo"),
        ("reset button (control) to '>>> '", button, bs, "spawn"),
        ("power cycle (control) to '>>> '", cycle, bs, "spawn"),
    ]:
        print("  %-42s %8.3f ms  (x%.1f of %s, n=%d)" % (name, median_ms(samples), median_ms(samples) / base,
                                                         bname, len(samples)))
    print("  %-42s %8.0f /s  (n=%d runs of 4000)" % ("control commands, pipelined", statistics.median(rates),
                                                      len(rates)))
    print("  memory (VmRSS): supervisor %d KiB, zygote %d KiB, VM %d KiB" % mem)


if __name__ == "__main__":
    main()
