"""A UART with nobody listening: with no host attached the board's output
is discarded (at line speed) and the firmware never waits for a host.

main.py waits for the host to drive a "go" pin, prints 2,000,000 bytes and
then drives a "done" pin, all with no host attached: the pty link never
opened, or opened and closed again; no TCP / RFC 2217 client, or one that
connected and left. It must finish (done pin high, stage `repl`), the
control status must count the bytes as discarded (`serial_discarded`) with
`serial_host` false, and the trace must show the host's arrival and
departure (`serial_host` events). A host that attaches afterwards gets a
working prompt and none of the old output. With `--baud 115200` the
discarding goes at line speed: 23,000 bytes take about 2 s.
"""
import time

import pytest

from linklib import LinkBoard, LinkError, show

GO_DONE = {"generic": ("GPIO4", "GPIO5", "4", "5"), "pycom": ("P9", "P10", "'P9'", "'P10'")}
LINE = 100                                  # 98 x + \r\n
MAIN = """import machine, time
go = machine.Pin(%(go)s, machine.Pin.IN)
done = machine.Pin(%(done)s, machine.Pin.OUT)
done.value(0)
while not go.value():
    time.sleep_ms(5)
line = 'x' * %(w)d
for i in range(%(n)d):
    print(line)
done.value(1)
"""


def make_board(tmp_path, kind, profile, nbytes, extra=()):
    go, done, go_py, done_py = GO_DONE[profile]
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "main.py").write_text(MAIN % dict(go=go_py, done=done_py, w=LINE - 2, n=nbytes // LINE))
    b = LinkBoard(tmp_path, kind, board=profile, trace=True, extra=["--fs-add", str(src)] + list(extra))
    b.go, b.done = go, done
    return b


def pin_level(b, name):
    r = b.ctl("pin", name=name)
    if not r.get("ok"):
        raise LinkError("pin %s: %r" % (name, r))
    return r["level"]


def wait_pin(b, name, level, timeout, what):
    deadline = time.monotonic() + timeout
    while pin_level(b, name) != level:
        if time.monotonic() > deadline:
            st = b.status()
            state = ""
            try:
                vm = b.vm_pid()
                with open("/proc/%d/wchan" % vm) as f:
                    state = "; VM wchan %s" % f.read()
            except (OSError, IndexError):
                pass
            raise LinkError("waited %.0fs for %s (pin %s = %d)%s; status %r"
                            % (timeout, what, name, level, state, st))
        time.sleep(0.02)


def wait_main_waiting(b):
    """main.py runs and waits for the go pin (its done pin is an output, low)."""
    deadline = time.monotonic() + 15
    while True:
        r = b.ctl("pin", name=b.done)
        st = b.status()
        if r.get("mode") == "out" and st.get("stage") == "main.py":
            return
        if time.monotonic() > deadline:
            raise LinkError("main.py did not start waiting: pin %r, status %r" % (r, st))
        time.sleep(0.02)


CASES = [("pty", "generic", "never"), ("pty", "generic", "left"), ("tcp", "generic", "never"),
         ("tcp", "pycom", "left"), ("rfc2217", "generic", "left"), ("pty", "pycom", "never")]


@pytest.mark.parametrize("kind,profile,host", CASES, ids=["-".join(c) for c in CASES])
def test_no_host_output_is_discarded_and_never_blocks(tmp_path, kind, profile, host):
    nbytes = 2000000
    b = make_board(tmp_path, kind, profile, nbytes)
    # what the interface reports (status members, trace events) is checked
    # after the behaviour, so both show in one run
    problems = []
    missing = set()                   # "status" / "trace": not there, so not waited for again

    def soft(fn, *args, **kw):
        what = "trace" if fn == b.wait_trace else "status"
        if what in missing:
            return None
        try:
            return fn(*args, timeout=3, **kw)
        except LinkError as e:
            problems.append(str(e))
            if what == "trace" or "serial_host" not in b.status():
                missing.add(what)
            return None
    try:
        wait_main_waiting(b)
        if host == "left":
            s = b.attach()
            s.read(4096, 0.1)                 # whatever the boot printed
            b.detach()
            soft(b.wait_trace, lambda e: e.get("event") == "serial_host" and e.get("attached") is False,
                 "of the host leaving (attached: false)")
            soft(b.wait_status, lambda st: st.get("serial_host") is False, "serial_host false")
        soft(b.wait_status, lambda st: st.get("serial_queued") == 0, "an empty TX ring before go")
        st0 = b.status()
        t0 = time.monotonic()
        b.ctl("pin", name=b.go, drive="high")
        wait_pin(b, b.done, 1, 30, "main.py to print %d bytes with no host" % nbytes)
        dt = time.monotonic() - t0
        b.wait_status(lambda st: st.get("stage") == "repl", "the REPL after main.py")
        st1 = soft(b.wait_status,
                   lambda st: st.get("serial_discarded", -nbytes) - st0.get("serial_discarded", 0) >= nbytes
                   and st.get("serial_queued") == 0, "%d more bytes discarded and an empty ring" % nbytes) \
            or b.status()
        print("%s/%s/%s: %d bytes printed to nobody in %.2fs; status %r" % (kind, profile, host, nbytes, dt, st1))
        if st1.get("serial_sent") != st0.get("serial_sent") or st1.get("serial_host") is not False:
            problems.append("serial_sent changed or serial_host not false with no host: before %r, after %r"
                            % (st0, st1))

        # a host arrives: a working prompt, none of the old output
        s = b.attach()
        soft(b.wait_status, lambda st: st.get("serial_host") is True, "serial_host true after attaching")
        ev = soft(b.wait_trace, lambda e: e.get("event") == "serial_host" and e.get("attached") is True
                  and e.get("discarded", 0) >= nbytes, "of the host arriving (attached: true)")
        if ev and not all(isinstance(ev[-1].get(k), int) for k in ("sent", "discarded")):
            problems.append("serial_host event without sent/discarded counts: %r" % ev[-1])
        s.write(b"6*7\r")
        got = b""
        deadline = time.monotonic() + 10
        while not got.endswith(b"6*7\r\n42\r\n>>> "):
            if time.monotonic() > deadline:
                raise LinkError("no working prompt for the new host; received %s" % show(got))
            got += s.read(65536, 0.2)
        assert got == b"6*7\r\n42\r\n>>> ", "the new host got old output first: %s" % show(got)
        assert not problems, "\n".join(problems)
    finally:
        b.quit()


def test_no_host_discards_at_line_speed_with_baud(tmp_path):
    """--baud 115200, nobody attached: 23,000 bytes take ~2 s to go."""
    nbytes = 23000
    b = make_board(tmp_path, "tcp", "generic", nbytes, extra=["--baud", "115200"])
    try:
        wait_main_waiting(b)
        b.wait_status(lambda st: st.get("serial_queued") == 0, "an empty TX ring before go")
        st0 = b.serial_status()
        t0 = time.monotonic()
        b.ctl("pin", name=b.go, drive="high")
        b.wait_status(lambda st: st["serial_discarded"] - st0["serial_discarded"] >= nbytes,
                      "%d bytes discarded" % nbytes, timeout=30)
        dt = time.monotonic() - t0
        wait_pin(b, b.done, 1, 30, "main.py to finish")
        print("--baud 115200, no host: %d bytes discarded in %.2fs (line time %.2fs)"
              % (nbytes, dt, nbytes * 10 / 115200))
        line_time = nbytes * 10 / 115200
        assert dt >= 0.8 * line_time, "discarded faster than the line: %.2fs" % dt
        assert dt <= 4 * line_time, "discarded far slower than the line: %.2fs" % dt
    finally:
        b.quit()
