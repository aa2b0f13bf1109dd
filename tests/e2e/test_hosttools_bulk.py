"""Bulk transfers as host tools make them, with rawclient.RawClient (the
bytes of pyboard.py / mpremote), over each transport, in raw-paste mode
and in plain raw mode (RawClient.use_raw_paste = False: the 256-byte
chunks with a 10 ms pause, \\x04, then `OK`):

- `exec` of a program that prints 10 MB (seeded pseudo-random hex lines, the same
  generator on both sides), every byte compared;
- mpremote's `fs cat` read (RawClient.fs_get: `print(r(N))` per chunk) of a
  2 MB file the board wrote from a seed, every byte compared. Raw-paste
  reads 256-byte chunks as mpremote does; plain raw reads 4096-byte chunks,
  since with 256 it would pay pyboard.py's 10 ms pause 7,800 times.

RFC 2217 goes through linklib.TelnetStream (pyserial's rfc2217:// client
moves about 0.3 MB/s through its per-byte reader thread, too slow for 10 MB).
"""
import hashlib
import time

import pytest

from linklib import link  # noqa: F401 (the fixture)
from linklib import describe_difference
from rawclient import RawClient

OUT_BYTES = 10 * 1000 * 1000
FILE_BYTES = 2 * 1000 * 1000          # the generic board's 2 MiB FAT holds it

# Runs the same on the host and on the board (MicroPython's random has no
# Random class): a SHA-256 chain is the seeded generator.
GEN = '''
def chain(seed):
    import hashlib
    d = hashlib.sha256(b'%d' % seed).digest()
    while True:
        d = hashlib.sha256(d).digest()
        yield d


def hexlines(seed, total):
    n = i = 0
    for d in chain(seed):
        if n >= total:
            return
        s = '%d:%s' % (i, (d * 4)[:d[0] % 121].hex())
        n += len(s) + 2
        i += 1
        yield s


def randbytes(seed, size):
    out = bytearray()
    for d in chain(seed):
        if len(out) >= size:
            return bytes(out[:size])
        out += d
'''


def host_lines(seed, total):
    ns = {}
    exec(GEN, ns)
    return ns["hexlines"](seed, total)


MODES = ["raw-paste", "plain-raw"]




def client(link, mode):
    link.wait_status(lambda st: st.get("stage") == "repl", "the REPL", timeout=15)
    c = RawClient(link.attach(), timeout=15)
    c.enter_raw(soft_reset=True, timeout=15)
    c.use_raw_paste = mode == "raw-paste"
    return c


def check_mode(c, mode):
    """The mode really used: raw-paste leaves its credit statistics."""
    if mode == "raw-paste":
        assert c.last_paste is not None, "the board refused raw-paste"
    else:
        assert c.last_paste is None and not c.use_raw_paste


@pytest.mark.parametrize("mode", MODES)
def test_exec_with_10mb_of_output(link, mode):
    seed = 7
    want = "".join(s + "\r\n" for s in host_lines(seed, OUT_BYTES)).encode()
    c = client(link, mode)
    t0 = time.monotonic()
    out, err = c.exec_raw(GEN + "for s in hexlines(%d, %d):\n    print(s)\n" % (seed, OUT_BYTES), timeout=60)
    dt = time.monotonic() - t0
    check_mode(c, mode)
    print("%s %s: %d bytes of output in %.2fs" % (link.kind, mode, len(out), dt))
    assert err == b"", err[-2000:]
    if out != want:
        raise AssertionError(describe_difference(out, want, "%s %s exec output" % (link.kind, mode)))
    assert c.exec_raw("print(6*7)") == (b"42\r\n", b"")


@pytest.mark.parametrize("mode", MODES)
def test_fs_cat_of_a_2mb_file(link, mode):
    seed = 11
    ns = {}
    exec(GEN, ns)
    data = ns["randbytes"](seed, FILE_BYTES)
    c = client(link, mode)
    c.exec(GEN + "\nf = open('/big.bin', 'wb')\nf.write(randbytes(%d, %d))\nf.close()" % (seed, FILE_BYTES))
    assert c.sha256("/big.bin") == hashlib.sha256(data).digest(), "the board wrote other bytes"
    t0 = time.monotonic()
    got = c.fs_get("/big.bin", chunk_size=256 if mode == "raw-paste" else 4096)
    dt = time.monotonic() - t0
    check_mode(c, mode)
    print("%s %s: fs_get of %d bytes in %.2fs" % (link.kind, mode, len(got), dt))
    if got != data:
        raise AssertionError(describe_difference(got, data, "%s %s fs_get" % (link.kind, mode)))
