"""Host-tool benchmarks over the pty (issue 4 item 7). Prints, never asserts.

usage: python3 bench/bench_hosttools.py [build/vboard]

Each figure comes with a baseline measured in the same run on the same kind
of pty, with `cat` on the far side instead of the board, and the ratio:
  raw-paste round trip of `pass` (median of 100)   vs  1-byte pty echo round trip through cat
  raw-REPL soft reset, \\x04 to the raw banner (median of 50)  vs  the same echo
  1 MiB upload, mpremote-style 256-byte chunks (median of 3)  vs  raw pty into `head -c N > /dev/null`
  1 MiB download, 256-byte reads (median of 3)      vs  raw pty from `cat FILE`
"""
import hashlib
import os
import pty
import random
import select
import statistics
import subprocess
import sys
import tempfile
import time
import tty

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ["VBOARD"] = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                                       os.path.join(ROOT, "build", "vboard"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from boardlib import BANNER, Board            # noqa: E402
from rawclient import FdStream, RawClient      # noqa: E402

MIB = 1024 * 1024


def cat_pty(args, stdin=True, stdout=True):
    """A raw-mode pty whose slave side runs `args`; returns (master fd, proc)."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    proc = subprocess.Popen(args, stdin=slave if stdin else subprocess.DEVNULL,
                            stdout=slave if stdout else subprocess.DEVNULL)
    os.close(slave)
    return master, proc


def read_n(fd, n, timeout=30):
    got, deadline = 0, time.monotonic() + timeout
    while got < n:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise RuntimeError("pty read: %d of %d bytes after %ds" % (got, n, timeout))
        got += len(os.read(fd, 65536))


def baseline_echo(count=100):
    master, proc = cat_pty(["cat"])
    try:
        times = []
        for _ in range(count):
            t0 = time.perf_counter()
            os.write(master, b"x")
            read_n(master, 1)
            times.append(time.perf_counter() - t0)
        return statistics.median(times)
    finally:
        proc.kill()
        proc.wait()
        os.close(master)


def baseline_sink(data):
    """Raw pty throughput into a reader that discards (`cat > /dev/null`,
    as `head -c N`, which then writes one byte back as the completion mark)."""
    master, proc = cat_pty(["sh", "-c", "head -c %d > /dev/null && printf x" % len(data)])
    try:
        t0 = time.perf_counter()
        view = memoryview(data)
        while view:
            select.select([], [master], [], 10)
            view = view[os.write(master, view[:4096]):]
        read_n(master, 1)
        return time.perf_counter() - t0
    finally:
        proc.wait()
        os.close(master)


def baseline_source(path, n):
    t0 = time.perf_counter()
    master, proc = cat_pty(["cat", path], stdin=False)
    read_n(master, n)
    dt = time.perf_counter() - t0
    proc.wait()
    os.close(master)
    return dt


def line(name, value, unit, base, base_name, ratio_word):
    print("%-44s %10.3f %-5s | baseline %-32s %10.3f %-5s | ratio %.1fx %s"
          % (name, value, unit, base_name, base, unit, value / base if base else float("nan"),
             ratio_word))


def main():
    tmp = tempfile.mkdtemp(prefix="bench-hosttools-")
    data = random.Random(7).randbytes(MIB)
    src = os.path.join(tmp, "1mib.bin")
    with open(src, "wb") as f:
        f.write(data)

    echo = baseline_echo(100)
    sink = statistics.median(baseline_sink(data) for _ in range(3))
    source = statistics.median(baseline_source(src, MIB) for _ in range(3))

    b = Board(tmp)
    try:
        b.expect_exact(BANNER, timeout=10)
        c = RawClient(FdStream(b.fd))
        c.enter_raw(soft_reset=True)

        c.exec("pass")
        rt = []
        for _ in range(100):
            t0 = time.perf_counter()
            c.exec("pass")
            rt.append(time.perf_counter() - t0)
        paste = statistics.median(rt)

        sr = []
        for _ in range(50):
            t0 = time.perf_counter()
            c.soft_reset()
            sr.append(time.perf_counter() - t0)
        reset = statistics.median(sr)

        up, down = [], []
        for i in range(3):
            # littlefs is copy-on-write: rewriting a 1 MiB file in place would
            # need the old and the new copy at once (ENOSPC on the esp32's
            # 2 MiB volume, as on a real board), so each upload starts clean
            c.exec("import os\ntry:\n os.remove('/bench.bin')\nexcept OSError:\n pass")
            t0 = time.perf_counter()
            c.fs_put("/bench.bin", data)
            up.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            got = c.fs_get("/bench.bin")
            down.append(time.perf_counter() - t0)
            if hashlib.sha256(got).digest() != hashlib.sha256(data).digest():
                print("WARNING: download %d differs from the upload" % i)
        c.exit_raw()
    finally:
        b.quit()

    print("vboard host-tool benchmarks (%s)" % os.environ["VBOARD"])
    line("raw-paste round trip of `pass` (med 100)", paste * 1e3, "ms", echo * 1e3,
         "pty echo via cat (med 100)", "slower")
    line("raw soft reset \\x04 -> raw banner (med 50)", reset * 1e3, "ms", echo * 1e3,
         "pty echo via cat (med 100)", "slower")
    up_t, down_t = statistics.median(up), statistics.median(down)
    print("%-44s %10.3f MiB/s | baseline %-32s %10.3f MiB/s | ratio %.1fx slower"
          % ("1 MiB upload, 256-byte chunks (med 3)", 1 / up_t, "pty into head -c N >/dev/null",
             1 / sink, up_t / sink))
    print("%-44s %10.3f MiB/s | baseline %-32s %10.3f MiB/s | ratio %.1fx slower"
          % ("1 MiB download, 256-byte reads (med 3)", 1 / down_t, "pty from `cat FILE`",
             1 / source, down_t / source))


if __name__ == "__main__":
    main()
