"""The supervisor's loop never blocks (issue 10 §2): waiting for a host tool
to release the image, for a VM that will not stop, and for a killed
firmware to die are states with timers, so the control socket answers
throughout; and a stop that cannot sync says so."""
import fcntl
import json
import os
import time

from boardlib import Board, BoardError, wait_until

BOOTED = b'Type "help()" for more information.\r\n>>> '


def timed_status(b):
    t0 = time.monotonic()
    st = b.ctl("status")
    return st, time.monotonic() - t0


def test_boot_waits_for_a_host_tool_holding_the_image_without_blocking(tmp_path):
    b = Board(tmp_path)
    try:
        b.expect(BOOTED, timeout=10)
        assert b.ctl("power", state="off")["ok"]
        # a host tool (vboard image flash, say) takes the unlocked image
        fd = os.open(b.flash, os.O_RDWR)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            assert b.ctl("power", state="on")["ok"]
            # the board waits for the image, and keeps answering meanwhile
            for _ in range(10):
                st, dt = timed_status(b)
                assert st["stage"] == "bootloader", st
                assert dt < 1.0, dt
                time.sleep(0.05)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        b.expect(BOOTED, timeout=10)       # released: the firmware starts
        assert b.wait_status("stage", "repl")["power"] == "on"
    finally:
        b.quit()


def cpu_seconds(pid):
    """The CPU time a process has used (/proc/PID/stat utime + stime)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_vm_that_will_not_stop_is_killed_after_the_grace_time(tmp_path):
    trace = tmp_path / "trace.jsonl"
    b = Board(tmp_path, extra=["--trace", str(trace)])
    try:
        b.expect(BOOTED, timeout=10)
        # device code stuck in C, where no KeyboardInterrupt is checked
        # (the echo comes before the line runs: wait for its first output)
        b.send(b"print('go'); sum(range(10**13))\r")
        b.expect(b"\r\ngo\r\n")
        # in sum() once the VM has spent CPU after 'go' (a loaded host may not
        # have run it past the bytecode between them yet, where a stop is clean)
        pid = b.vm_pid()
        c0 = cpu_seconds(pid)
        wait_until(lambda: cpu_seconds(pid) - c0 >= 0.1, 20, "the VM busy in sum()")
        t0 = time.monotonic()
        assert b.ctl("quit")["ok"]
        # the loop still serves the control socket during the grace time
        st, dt = timed_status(b)
        assert dt < 1.0 and st["power"] == "on", (st, dt)
        assert b.proc.wait(10) == 0
        assert time.monotonic() - t0 >= 1.5            # the 2 s grace, then a kill
    finally:
        b.quit()
    stops = [json.loads(l) for l in open(trace) if '"stop"' in l]
    assert [s.get("synced") for s in stops] == [False], stops


def test_stop_of_an_idle_board_syncs(tmp_path):
    trace = tmp_path / "trace.jsonl"
    b = Board(tmp_path, extra=["--trace", str(trace)])
    b.expect(BOOTED, timeout=10)
    assert b.quit() == 0
    stops = [json.loads(l) for l in open(trace) if '"stop"' in l]
    assert [s.get("synced") for s in stops] == [True], stops


def test_reset_storm_keeps_the_board_answering(tmp_path):
    """Resets, power cycles and brown-outs back to back: each kill is
    waited for by the loop, never by a sleep; the board ends up booted."""
    b = Board(tmp_path)
    try:
        b.expect(BOOTED, timeout=10)
        for i in range(30):
            cmd = ("reset", "brownout", "power")[i % 3]
            r = b.ctl(cmd, state="cycle") if cmd == "power" else b.ctl(cmd)
            assert r["ok"], r
        st = b.wait_status("stage", "repl", timeout=10)
        assert st["boot_count"] >= 1
        b.drain()
        b.send(b"\r")
        b.expect(b">>> ", timeout=10)
    finally:
        b.quit()
