"""Flow control on the serial link, both ways, over each transport.

A host that stops reading while a program prints forever: the board's TX
ring fills, the supervisor stops taking the VM's output and the VM's print()
blocks, as firmware waiting on a UART FIFO does. Checked while the host does
not read (5 s): the VM uses no CPU (utime+stime from /proc over 1 s), the
supervisor neither spins nor grows (VmRSS before/after, a few MiB allowed),
nothing is counted as discarded, at most the ring (64 KiB) is queued (what
the kernel's pty/socket buffers hold is not the board's); Ctrl-C, sent
while still not reading, interrupts the blocked print. Once the host reads
again, every line printed before the interrupt arrives, in order, then the
KeyboardInterrupt traceback and the `>>> ` prompt.

A host that pastes 1 MiB into a running program (sys.stdin.buffer.read in
chunks, hashed on the board) loses nothing: the sha256 values agree.
"""
import hashlib
import random
import time


from boardlib import BANNER
from linklib import link  # noqa: F401 (the fixture)
from linklib import (KIB, MIB, LinkError, Sink, cpu_seconds, describe_difference,
                     proc_state, reader_seed, rss_kib, show)
from rawclient import RawClient

STALL = 5.0                 # how long the host does not read
RING = 64 * KIB             # the supervisor's TX ring
FILL = b"x" * 60
TRACEBACK = (b'Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\n'
             b'KeyboardInterrupt: \r\n>>> ')




def cpu_over(pids, seconds):
    """CPU seconds each pid used over `seconds` of wall time."""
    before = [cpu_seconds(p) for p in pids]
    time.sleep(seconds)
    return [cpu_seconds(p) - b for p, b in zip(pids, before)]


def wait_blocked(vm, deadline):
    """Until the VM uses no CPU over two 0.25 s windows in a row (it is
    blocked, not printing); returns how long that took, or raises showing
    the VM's CPU rate."""
    t0 = time.monotonic()
    quiet = 0
    last = None
    while quiet < 2:
        if time.monotonic() > deadline:
            raise LinkError("the VM did not block while the host was not reading: it used %.2fs of CPU "
                            "in the last 0.25s (state %s)" % (last, proc_state(vm)))
        last = cpu_over([vm], 0.25)[0]
        quiet = quiet + 1 if last <= 0.01 else 0
    return time.monotonic() - t0


def test_host_stops_reading_vm_blocks_and_ctrl_c_still_interrupts(link):
    seed = reader_seed()
    link.wait_status(lambda st: st.get("stage") == "repl", "the REPL", timeout=15)
    stream = link.attach(rcvbuf=4096)
    sink = Sink(stream, random.Random(seed))
    stream.write(b"\r\x02")
    sink.read_until(BANNER, timeout=10)
    sink.drain(0.2)
    stream.write(b"i=0; s='x'*60\r")
    got = sink.read_until(b">>> ")
    assert got.endswith(b"i=0; s='x'*60\r\n>>> "), got
    sup = link.proc.pid
    vm = link.vm_pid()
    rss0 = rss_kib(sup)

    stream.write(b"while 1: print(i, s); i+=1\r\r")
    sink.read_until(b"while 1: print(i, s); i+=1\r\n... \r\n")
    start = sink.pos
    sink.read_until(b"\r\n2000 x", timeout=30)           # it runs; then the host stops reading
    t_stop = time.monotonic()

    # the kernel's buffers fill first (a TCP send buffer takes up to 4 MiB)
    took = wait_blocked(vm, t_stop + 10)
    st1 = link.serial_status()
    vm_cpu, sup_cpu = cpu_over([vm, sup], 1.0)
    st2 = link.serial_status()
    state = proc_state(vm)
    left = t_stop + STALL - time.monotonic()
    if left > 0:
        time.sleep(left)                                   # the rest of the host's 5 s pause
    rss1 = rss_kib(sup)
    print("%s: VM blocked %.2fs after the host stopped; over 1 s: VM %.3fs CPU (%s), supervisor %.3fs; "
          "status %r; RSS %d -> %d KiB" % (link.kind, took, vm_cpu, state, sup_cpu, st2, rss0, rss1))
    assert vm_cpu <= 0.05, "the VM used %.3fs of CPU in 1 s while its output was blocked" % vm_cpu
    assert sup_cpu <= 0.1, "the supervisor used %.3fs of CPU in 1 s with nothing to do" % sup_cpu
    assert rss1 - rss0 <= 4 * 1024, "supervisor VmRSS grew from %d to %d KiB" % (rss0, rss1)
    # (serial_sent may still creep: the kernel's socket buffers take a
    # little more now and then; what the host has not read is not lost)
    assert st2["serial_host"] is True, st2
    assert st2["serial_discarded"] == st1["serial_discarded"], ("output discarded with a host attached",
                                                                 st1, st2)
    assert st2["serial_queued"] <= RING, ("the TX ring is bounded", st2)

    # Ctrl-C while the host still does not read
    stream.write(b"\x03")
    st3 = link.serial_status()
    assert st3["serial_discarded"] == st1["serial_discarded"], st3

    out = sink.read_until(TRACEBACK, timeout=60, idle=10)
    body = bytes(sink.data[start:sink.pos - len(TRACEBACK)])
    lines = body.split(b"\r\n")
    partial = lines.pop()
    want = b"".join(b"%d %s\r\n" % (k, FILL) for k in range(len(lines)))
    if body[:len(want)] != want:
        raise LinkError(describe_difference(body, want, "the output before the interrupt"))
    assert (b"%d %s" % (len(lines), FILL)).startswith(partial), \
        "the interrupted line is not a prefix of line %d: %r" % (len(lines), partial)
    assert len(body) > RING, "only %d bytes came before the interrupt: the stall did not fill the ring" % len(body)
    print("%s: %d lines (%d bytes) before the interrupt, then the traceback" % (link.kind, len(lines), len(body)))
    assert out.endswith(TRACEBACK)
    rest = sink.drain(0.2)
    assert rest == b"", "after the prompt: %s" % show(rest)
    stream.write(b"6*7\r")
    assert sink.read_until(b">>> ") == b"6*7\r\n42\r\n>>> "
    link.wait_status(lambda st: st.get("serial_queued") == 0, "an empty TX ring")


def test_pasted_megabyte_reaches_a_running_program_whole(link):
    seed = reader_seed()
    rng = random.Random(seed)
    data = rng.randbytes(MIB)              # every byte value, \x03 and 0xFF included
    link.wait_status(lambda st: st.get("stage") == "repl", "the REPL", timeout=15)
    c = RawClient(link.attach(), timeout=15)
    c.enter_raw(soft_reset=True, timeout=15)
    c.send_command(
        "import sys, hashlib, micropython\n"
        "micropython.kbd_intr(-1)\n"
        "h = hashlib.sha256()\nn = 0\nrd = sys.stdin.buffer.read\n"
        "print('READY')\n"
        "while n < %d:\n    b = rd(min(4096, %d - n))\n    h.update(b)\n    n += len(b)\n"
        "micropython.kbd_intr(3)\n"
        "print(n, h.hexdigest())\n" % (len(data), len(data)))
    c.read_until(b"READY\r\n", timeout=10)
    t0 = time.monotonic()
    i = 0
    while i < len(data):                   # a paste: as fast as the link takes it, in uneven writes
        n = rng.randint(1, 65536)
        c.write(data[i:i + n])
        i += n
    out, err = c.follow(timeout=60)
    dt = time.monotonic() - t0
    print("%s: 1 MiB pasted in %.2fs" % (link.kind, dt))
    assert err == b"", err
    assert out == b"%d %s\r\n" % (len(data), hashlib.sha256(data).hexdigest().encode()), \
        "board got: %r (host sent %d bytes, sha256 %s)" % (out, len(data), hashlib.sha256(data).hexdigest())
    assert c.exec_raw("print(6*7)") == (b"42\r\n", b"")
