"""The serial link loses nothing while a host is attached.

Over each transport (the pty through its symlink, raw TCP, RFC 2217 with
0xFF doubled by telnet and undone by linklib.TelnetStream), a host that
reads in random pieces of 1..4096 bytes and pauses up to 5 ms on about one
read in 40 (the seed is printed; LINK_SEED=N repeats a run) must get every
byte the board writes, in order:

- `for i in range(1000000): print(i)` through the raw REPL: the 1,000,000
  numbered lines, then the raw REPL's end of output (\\x04 \\x04 >); the
  host also stops reading twice, for 0.5 s and 2.5 s (longer than the
  kernel's socket and pty buffers last at the board's speed);
- 20 MiB of seeded pseudo-random binary written with sys.stdout.buffer.write in
  random-sized chunks (the generator is the same source on both sides),
  then the board's sha256 hexdigest of what it wrote, which must be the
  sha256 of what the host received. The raw REPL does not cook
  .buffer output, and the host knows the exact length, so \\x04 bytes in
  the data are data.
- with `--baud 115200`, 23,000 bytes of numbered lines: all of them, in
  about their line time (2.0 s; between 0.8x and 4x is accepted).

Bytes are checked as they arrive: a lost byte fails at once with its offset
and the bytes around it.
"""
import hashlib
import random
import time

import pytest

from linklib import KINDS, LinkBoard, MIB, Sink, reader_seed, show
from rawclient import RawClient

LINES = 1000000
BINARY_BYTES = 20 * MIB

# the same source runs on the board and on the host (MicroPython's random
# has no Random class): a SHA-256 chain picks each chunk's size and bytes
GEN = '''
def chunks(seed, total):
    import hashlib
    d = hashlib.sha256(b'%d' % seed).digest()
    left = total
    while left:
        d = hashlib.sha256(d).digest()
        n = min(left, 1 + (d[0] << 8 | d[1]))
        left -= n
        yield (d * (n // 32 + 1))[:n]
'''


def host_chunks(seed, total):
    ns = {}
    exec(GEN, ns)
    return ns["chunks"](seed, total)


@pytest.fixture(params=KINDS)
def link(request, tmp_path):
    b = LinkBoard(tmp_path, request.param, extra=["--heap", "4M"])   # MiB-sized chunks
    yield b
    b.quit()


def raw_session(link):
    """A host attached at the idle board's raw REPL (after a soft reset).
    A TCP / RFC 2217 host takes a 16 KiB receive buffer, so the kernel does
    not hide a slow reader behind megabytes of socket buffers."""
    link.wait_status(lambda st: st.get("stage") == "repl", "the REPL", timeout=15)
    c = RawClient(link.attach(rcvbuf=16 * 1024), timeout=15)
    c.enter_raw(soft_reset=True, timeout=15)
    return c


def test_million_numbered_lines_arrive_in_order(link):
    seed = reader_seed()
    want = b"".join(b"%d\r\n" % i for i in range(LINES)) + b"\x04\x04>"
    c = raw_session(link)
    c.send_command("for i in range(%d): print(i)" % LINES)
    # and the host stops reading twice (a busy terminal), once for longer
    # than the kernel's buffers (pty, or up to 4 MiB of TCP send buffer) last
    sink = Sink(c.s, random.Random(seed), initial=c.buf,
                stops=[(len(want) // 5, 0.5), (len(want) // 4, 2.5)])
    t0 = time.monotonic()
    sink.expect_stream(want, timeout=180, idle=10,
                       what="%s: 1,000,000 numbered lines then \\x04\\x04>" % link.kind)
    dt = time.monotonic() - t0
    print("%s: %d bytes in %.2fs (%.1f MB/s), %d reads, %d pauses"
          % (link.kind, len(want), dt, len(want) / dt / 1e6, sink.reads, sink.pauses))
    rest = sink.drain(0.2)
    assert rest == b"", "bytes after the raw prompt: %s" % show(rest)
    # and the board still answers
    c.buf = b""
    assert c.exec_raw("print(6*7)") == (b"42\r\n", b"")


def test_20mib_random_binary_with_sha256_on_both_sides(link):
    seed = reader_seed()
    data_seed = 20240601
    c = raw_session(link)
    # the generator must give the board the bytes the host expects (the
    # sha256 check below would hold either way)
    probe = c.exec("%s\nprint(b''.join(chunks(%d, 200000)).hex()[:64])" % (GEN, data_seed))
    want_probe = b"".join(host_chunks(data_seed, 200000)).hex()[:64].encode() + b"\r\n"
    assert probe == want_probe, "the board's generator differs from the host's: %r vs %r" % (probe, want_probe)

    want = b"".join(host_chunks(data_seed, BINARY_BYTES))
    assert len(want) == BINARY_BYTES
    c.buf = b""
    c.send_command(GEN + "import sys, hashlib\nh = hashlib.sha256()\nw = sys.stdout.buffer.write\n"
                   "for b in chunks(%d, %d):\n    h.update(b)\n    w(b)\nprint(h.hexdigest())\n"
                   % (data_seed, BINARY_BYTES))
    sink = Sink(c.s, random.Random(seed), initial=c.buf)
    t0 = time.monotonic()
    base = sink.pos
    sink.expect_stream(want, timeout=180, idle=10, what="%s: 20 MiB of binary" % link.kind)
    dt = time.monotonic() - t0
    got_sha = hashlib.sha256(sink.data[base:base + BINARY_BYTES]).hexdigest()
    board_line = sink.read_until(b"\r\n", timeout=10)
    print("%s: %d bytes in %.2fs (%.1f MB/s), %d reads, %d pauses"
          % (link.kind, BINARY_BYTES, dt, BINARY_BYTES / dt / 1e6, sink.reads, sink.pauses))
    assert board_line == got_sha.encode() + b"\r\n", \
        "board's sha256 %r, host's sha256 of the received bytes %r" % (board_line, got_sha)
    tail = sink.read_exact(3, timeout=10)
    assert tail == b"\x04\x04>", "after the digest: %r" % tail
    rest = sink.drain(0.2)
    assert rest == b"", "bytes after the raw prompt: %s" % show(rest)
    c.buf = b""
    assert c.exec_raw("print(6*7)") == (b"42\r\n", b"")


@pytest.mark.parametrize("kind", KINDS)
def test_paced_link_delivers_everything_at_line_speed(tmp_path, kind):
    """--baud 115200 with a host attached: 23,000 bytes of numbered lines
    all arrive, in order, in about their line time (2.0 s at 10 bits a byte)."""
    seed = reader_seed()
    n = 230
    want = b"".join(b"%05d %s\r\n" % (i, b"y" * 92) for i in range(n)) + b"\x04\x04>"
    link = LinkBoard(tmp_path, kind, extra=["--baud", "115200"])
    try:
        c = raw_session(link)
        c.send_command("for i in range(%d): print('%%05d' %% i, 'y' * 92)" % n)
        t0 = time.monotonic()
        sink = Sink(c.s, random.Random(seed), initial=c.buf)
        sink.expect_stream(want, timeout=60, idle=10, what="%s at 115200 baud" % kind)
        dt = time.monotonic() - t0
        line_time = (len(want) - len(c.buf)) * 10 / 115200
        print("%s: %d bytes at 115200 baud in %.2fs (line time %.2fs)" % (kind, len(want), dt, line_time))
        assert dt >= 0.8 * line_time, "faster than the line: %.2fs for %.2fs of line time" % (dt, line_time)
        assert dt <= 4 * line_time, "far slower than the line: %.2fs for %.2fs of line time" % (dt, line_time)
    finally:
        link.quit()
