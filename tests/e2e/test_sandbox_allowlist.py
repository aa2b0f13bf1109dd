"""The VM's environment and capabilities (issue 11 items 2 and 3): device
code sees nothing of the host's environment, and the VM holds no
capability, even when vboard runs as root. The seccomp allow-list itself is
tested with raw syscalls in tests/unit/test_sandbox_filter.c."""
import json
import os

import pytest

from boardlib import BANNER, Board
from conftest import SANDBOX_AUDIT, expect_refusals

from test_sandbox import PRELUDE  # the escape helpers, written once

SYS_MEMFD_CREATE = 319   # x86-64


@pytest.fixture
def secret_board(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET", "xyz-sandbox-secret")
    b = Board(tmp_path)
    b.expect_exact(BANNER, timeout=10)
    yield b
    b.quit()


def test_host_environment_is_not_visible(secret_board):
    b = secret_board
    b.raw_enter()
    out, err = b.raw_exec(PRELUDE + b"""
g = real_os()
print('ENV', dict(g['environ']))
print('GETENV', g['getenv']('SECRET'), g['getenv']('PATH'))
import os
print('BOARDENV', getattr(os, 'environ', None), getattr(os, 'getenv', lambda k: None)('SECRET'))
print('FLAGS', sys.flags.ignore_environment, sys.flags.isolated)
""")
    out = out.decode()
    assert "ENV {}" in out, (out, err)
    assert "GETENV None None" in out, (out, err)
    assert "xyz-sandbox-secret" not in out, (out, err)
    # the VM's initial stack (what /proc/PID/environ shows) was zeroed too
    with open("/proc/%d/environ" % b.vm_pid(), "rb") as f:
        assert b"xyz-sandbox-secret" not in f.read()
    # the supervisor, which is not sandboxed, keeps its own
    with open("/proc/%d/environ" % b.proc.pid, "rb") as f:
        assert b"SECRET=xyz-sandbox-secret" in f.read()


def caps(pid):
    got = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k.startswith("Cap"):
                got[k] = int(v.strip(), 16)
    return got


def test_vm_holds_no_capabilities(tmp_path):
    b = Board(tmp_path)
    try:
        b.expect_exact(BANNER, timeout=10)
        got = caps(b.vm_pid())
        assert got["CapEff"] == got["CapPrm"] == got["CapInh"] == got["CapAmb"] == 0, got
        if os.geteuid() == 0:
            # dropping the bounding set needs CAP_SETPCAP, which root has
            assert got["CapBnd"] == 0, got
            assert caps(b.proc.pid)["CapEff"] != 0   # the supervisor keeps its own
        # after soft resets, the next VM is as bare
        b.send(b"\x04")
        b.expect_exact(b"\r\nMPY: soft reboot\r\n" + BANNER, timeout=10)
        got = caps(b.vm_pid())
        assert got["CapEff"] == got["CapPrm"] == got["CapInh"] == got["CapAmb"] == 0, got
    finally:
        b.quit()


def test_refused_system_calls_are_counted_by_number(tmp_path, monkeypatch):
    """A call off the allow-list (memfd_create, reached through CPython's
    real os with the audit hook unarmed) is named by number on the serial
    line, in the trace, in `status`, and in the suite's audit file; the
    board reboots and answers."""
    monkeypatch.setenv("VBOARD_UNSAFE_NO_AUDIT_HOOK", "1")
    trace = tmp_path / "trace.jsonl"
    b = Board(tmp_path, extra=["--trace", str(trace)])
    try:
        expect_refusals(b.proc.pid)
        b.expect_exact(BANNER, timeout=10)
        b.raw_enter()
        b.send(PRELUDE + b"real_os()['memfd_create']('x')\x04")
        line = b"vboard: the sandbox refused system call %d\r\n" % SYS_MEMFD_CREATE
        b.expect(line, timeout=10)
        b.expect(BANNER, timeout=10)              # the panic reboots the board
        assert b.ctl("status")["sandbox_refusals"] == 1
        events = [json.loads(ln) for ln in trace.read_text().splitlines()]
        assert [e["syscall"] for e in events if e["event"] == "sandbox_refused"] == [SYS_MEMFD_CREATE]
        with open(SANDBOX_AUDIT) as f:
            mine = [ln for ln in f.read().splitlines() if ln.startswith("vboard %d:" % b.proc.pid)]
        assert mine == ["vboard %d: the sandbox refused system call %d" % (b.proc.pid, SYS_MEMFD_CREATE)]
    finally:
        b.quit()
