"""Serial-link benchmarks (printed, never asserted).

usage: python3 bench/bench_link.py [build/vboard]

  board -> host throughput over the pty, host reading all the time
      (16 MiB from sys.stdout.buffer.write; median of 3)
      vs  the same bytes written by a Python child into a raw pty, read the
          same way in the same run (median of 3)
  an output-heavy run, run-tests style: 200 scripts over the raw REPL, each
      after a raw soft reset, each printing 2,000 lines (median of 3)
      vs  the same 200 x 2,000 lines through a raw pty from one Python child
  --baud 115200: 115,200 bytes of output to an attached host
      (10 bits a byte: 10.0 s of line time; one run, printed only)
"""
import os
import pty
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

from boardlib import BoardError               # noqa: E402
from linklib import LinkBoard                 # noqa: E402
from rawclient import ProtocolError, RawClient  # noqa: E402

MIB = 1024 * 1024
THROUGHPUT_BYTES = 16 * MIB
SCRIPTS, LINES = 200, 2000
BAUD, BAUD_BYTES = 115200, 115200
# the board writes a 64 KiB block again and again: producing it costs nothing
BLOCK_CODE = "import sys\nb = bytes(range(256)) * 256\nw = sys.stdout.buffer.write\nfor i in range(%d):\n    w(b)\n"
SCRIPT = "for i in range(%d):\n    print(i)\n" % LINES
SCRIPT_OUT = b"".join(b"%d\r\n" % i for i in range(LINES))


def read_count(read, n, timeout=120, idle=10):
    """Read until n bytes came (nothing for `idle` seconds, or `timeout`
    in all, is a failure); the last bytes read (for a check)."""
    got, tail = 0, b""
    deadline = time.monotonic() + timeout
    last = time.monotonic()
    while got < n:
        c = read(65536, 0.5)
        now = time.monotonic()
        if not c:
            if now > deadline or now - last > idle:
                raise RuntimeError("%d of %d bytes, then nothing for %.0fs" % (got, n, now - last))
            continue
        last = now
        got += len(c)
        tail = (tail + c)[-64:]
    return tail


def fd_reader(fd):
    def read(n, timeout):
        if select.select([fd], [], [], timeout)[0]:
            try:
                return os.read(fd, n)
            except BlockingIOError:
                return b""
        return b""
    return read


def pty_copy_seconds(nbytes, chunk=b"", lines=0):
    """A Python child writes nbytes (64 KiB blocks, or `lines` print()ed
    numbered lines with \\r\\n) into a raw pty once told to start; the time
    from the start byte until the parent has read them all."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    if lines:
        body = ("import sys\nout = sys.stdout\nfor k in range(%d):\n    for i in range(%d):\n"
                "        out.write('%%d\\r\\n' %% i)\nout.flush()\n" % (SCRIPTS, lines))
    else:
        body = ("import os\nb = bytes(range(256)) * 256\nleft = %d\nwhile left:\n"
                "    left -= os.write(1, b[:min(left, len(b))])\n" % nbytes)
    code = "import sys\nsys.stdin.read(1)\n" + body
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=slave,
                            close_fds=True)
    os.close(slave)
    time.sleep(0.3)                                   # let the child start (outside the timing)
    t0 = time.perf_counter()
    proc.stdin.write(b"g")
    proc.stdin.flush()
    read_count(fd_reader(master), nbytes)
    dt = time.perf_counter() - t0
    proc.stdin.close()
    proc.wait()
    os.close(master)
    return dt


def board_client(tmp, extra=()):
    # the board's output comes from MiB-sized strings: a heap to hold them
    b = LinkBoard(tmp, "pty", extra=["--heap", "64M"] + list(extra))
    b.wait_status(lambda st: st.get("stage") == "repl", "the REPL", timeout=15)
    c = RawClient(b.attach(), timeout=30)
    c.enter_raw(soft_reset=True)
    return b, c


def board_throughput(c, nbytes):
    c.send_command(BLOCK_CODE % (nbytes // 65536))
    t0 = time.perf_counter()
    pending = len(c.buf)
    c.buf = b""
    tail = read_count(c.s.read, nbytes + 3 - pending)
    dt = time.perf_counter() - t0
    if not tail.endswith(b"\x04\x04>"):
        print("  WARNING: the output did not end with the raw prompt: %r" % tail[-16:])
    return dt


def output_heavy_run(c):
    t0 = time.perf_counter()
    for i in range(SCRIPTS):
        c.soft_reset(timeout=10)
        out, err = c.exec_raw(SCRIPT, timeout=60)
        if out != SCRIPT_OUT or err:
            print("  WARNING: script %d: %d bytes of output (want %d), error %r"
                  % (i, len(out), len(SCRIPT_OUT), err[-200:]))
    return time.perf_counter() - t0


def baud_run(tmp):
    b, c = board_client(tmp, ["--baud", str(BAUD)])
    try:
        c.send_command("import sys\nsys.stdout.buffer.write(b'x' * %d)\n" % BAUD_BYTES)
        t0 = time.perf_counter()
        pending = len(c.buf)
        c.buf = b""
        read_count(c.s.read, BAUD_BYTES + 3 - pending, timeout=120)
        return time.perf_counter() - t0
    finally:
        b.quit()


def row(name, value, unit, base=None, base_name="", note=""):
    s = "  %-52s %9.2f %-5s" % (name, value, unit)
    if base is not None:
        s += " | %-34s %9.2f %-5s | %s" % (base_name, base, unit, note)
    elif note:
        s += " | " + note
    print(s)


def main():
    tmp = tempfile.mkdtemp(prefix="bench-link-")
    print("bench_link: %s (medians)" % os.environ["VBOARD"])
    base_tp = statistics.median(pty_copy_seconds(THROUGHPUT_BYTES) for _ in range(3))
    heavy_bytes = SCRIPTS * len(SCRIPT_OUT)
    base_heavy = statistics.median(pty_copy_seconds(heavy_bytes, lines=LINES) for _ in range(3))

    tp, heavy = [], []
    try:
        b, c = board_client(tmp)
        try:
            for _ in range(3):
                tp.append(board_throughput(c, THROUGHPUT_BYTES))
            for _ in range(3):
                heavy.append(output_heavy_run(c))
        finally:
            b.quit()
    except (BoardError, ProtocolError, RuntimeError, AssertionError) as e:
        print("  board run failed: %s" % str(e)[:2000])

    mb = THROUGHPUT_BYTES / 1e6
    if tp:
        t = statistics.median(tp)
        row("board -> host over the pty, 16 MiB", mb / t, "MB/s", mb / base_tp,
            "raw pty copy from a Python child", "x%.2f of the raw copy" % (base_tp / t))
    if heavy:
        t = statistics.median(heavy)
        row("%d scripts x %d lines, raw REPL + soft reset each" % (SCRIPTS, LINES), t, "s", base_heavy,
            "the same lines through a raw pty", "x%.1f; %.1f ms a script, %.1f MB/s"
            % (t / base_heavy, t / SCRIPTS * 1e3, heavy_bytes / t / 1e6))

    try:
        t = baud_run(tmp)
        row("--baud %d: %d bytes of output" % (BAUD, BAUD_BYTES), t, "s",
            note="line time %.1f s (10 bits a byte)" % (BAUD_BYTES * 10 / BAUD))
    except (BoardError, ProtocolError, RuntimeError, AssertionError) as e:
        print("  --baud %d: not measured: %s" % (BAUD, str(e).strip().splitlines()[-1][:300]))


if __name__ == "__main__":
    main()
