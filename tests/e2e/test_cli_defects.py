"""Issue 10 §3, the command line: `make test` installs its packages like
`make run`; every option's help names its real value; `vboard ctl` exits
with the reply's "ok" whatever else the reply holds, says a refusal's reason
on stderr, and is never killed by SIGPIPE when the board has no free control
slot."""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import pytest

from boardlib import BANNER, Board
from conftest import ROOT, VBOARD, run


def header_int(path, name):
    """An integer #define from a C header (the fact stays written once)."""
    with open(os.path.join(ROOT, path)) as f:
        return int(re.search(r"#define %s (\d+)" % name, f.read()).group(1))


# ---- 1. every make command installs what it needs ---------------------------

def make_dry_run(goal, tmp_path):
    """`make -n GOAL` as a person types it: not inside this test's own make."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "VB_DEPS")}
    r = run(["make", "-n", "--no-print-directory", "-C", ROOT, "BUILD=%s" % (tmp_path / "build"), goal], env=env)
    assert r.rc == 0, r
    return [line for line in r.text.splitlines() if line.strip()]


def package_list(*sets):
    r = run(["sh", os.path.join(ROOT, "tools/install-deps.sh"), "--list"] + list(sets))
    assert r.rc == 0, r
    return r.text.split()


@pytest.mark.parametrize("goal,sets,work", [
    ("test", {"build", "test", "fuzz"}, ["pytest", "clang", "fuzz_json"]),
    ("e2e", {"build", "test"}, ["pytest"]),
    ("fuzz", {"fuzz"}, ["clang", "fuzz_json"]),
    ("run", {"build"}, ["tools/run.sh"]),
])
def test_make_goals_install_their_packages_first(goal, sets, work, tmp_path):
    lines = make_dry_run(goal, tmp_path)
    first = lines[0].split()
    assert first[:2] == ["sh", "tools/install-deps.sh"], "\n".join(lines[:5])
    assert set(first[2:]) >= sets, lines[0]
    for w in work:                     # ... and the work itself comes after
        assert any(w in line for line in lines[1:]), "%s not run by make %s" % (w, goal)


def test_the_package_list_is_written_once():
    pkgs = package_list()
    assert "python3-pytest" in package_list("test")     # the "No module named pytest"
    assert set(package_list("build", "test", "fuzz")) == set(pkgs)
    for path in ("Makefile", ".ci/run"):       # they name sets, never packages
        with open(os.path.join(ROOT, path)) as f:
            text = f.read()
        assert "apt-get" not in text and "python3-pytest" not in text, path
    r = run(["sh", os.path.join(ROOT, "tools/install-deps.sh"), "--list", "nonsense"])
    assert r.rc == 2 and "no package set 'nonsense'" in r.errtext, r


# ---- 2. option help names each option's value -------------------------------

RUN_METAVARS = {
    "board": "BOARD", "flash": "FILE", "pty": None, "tcp": "PORT", "rfc2217": "PORT",
    "control": "PATH", "rtc": "zero|host", "clock": "real|fast", "trace": "FILE", "vcd": "FILE", "serial-log": "FILE",
    "expect-text": "TEXT", "fail-text": "TEXT", "timeout": "MS", "send": "TEXT", "fs-add": "DIR",
    "power-cut-at": "N", "power-cut-mode": "MODE", "power-cut-seed": "SEED", "baud": "N",
    "allow-any-user": None, "log-max": "BYTES", "heap": "BYTES[K|M]", "wifi": "SSID[:KEY][,...]",
    "parts": "FILE",
    "net": "loopback|host|none", "host": "HOST=IP[,...]", "forward": "HOSTPORT:BOARDPORT[,...]", "mip-index": "DIR", "uart": "ID:LINK[,...]",
    "i2c": "BUS:ADDR=MODEL[,...]",
    "spi": "BUS:CS=MODEL[:dc=PIN][:res=PIN][,...]",
}
OPTION_LINE = re.compile(r"^  ((?:-\w, )?--([\w-]+)(?: (\S+))?)( {2,})(\S)")


def option_lines(text):
    """{long name: (metavar or None, column of its help text)}."""
    got = {}
    for line in text.splitlines():
        m = OPTION_LINE.match(line)
        if m:
            got[m.group(2)] = (m.group(3), m.start(5))
    return got


def all_commands():
    """Every command as `vboard help` lists it: ["run"], ["image", "create"], ["fs", "ls"]..."""
    r = run([VBOARD, "help"])
    assert r.rc == 0, r
    cmds = []
    for line in r.text.splitlines():
        m = re.match(r"^  vboard (fs FILE \S+|image \S+|firmware \S+|\S+)", line)
        if m:
            cmds.append(m.group(1).replace("FILE ", "").split())
    assert ["run"] in cmds and ["image", "flash"] in cmds and ["fs", "ls"] in cmds, r
    return cmds


def test_run_help_names_every_option_value():
    r = run([VBOARD, "run", "--help"])
    assert r.rc == 0, r
    assert "--timeout MS" in r.text and "--tcp PORT" in r.text, r
    assert "NAME" not in r.text, r
    opts = option_lines(r.text)
    assert {k: v[0] for k, v in opts.items()} == RUN_METAVARS, r
    assert len({col for _, col in opts.values()}) == 1, "help texts not in one column\n%s" % r
    assert run([VBOARD, "help", "run"]).out == r.out


def test_every_command_help_shares_the_metavariables():
    for cmd in all_commands():
        r = run([VBOARD, "help"] + cmd)
        assert r.rc == 0, r
        assert not re.search(r"--[\w-]+ NAME\b", r.text), r
        opts = option_lines(r.text)
        assert len({col for _, col in opts.values()}) <= 1, r
        asked = [VBOARD] + (["fs", "img.bin", cmd[1]] if cmd[0] == "fs" else cmd) + ["--help"]
        assert run(asked).out == r.out, "%s --help differs from vboard help" % " ".join(cmd)
    assert option_lines(run([VBOARD, "help", "firmware", "build"]).text) == {
        "output": ("FILE", 21), "version": ("V", 21)}
    assert option_lines(run([VBOARD, "help", "image", "flash"]).text)["slot"][0] == "factory|ota_0"
    assert option_lines(run([VBOARD, "help", "image", "create"]).text)["board"][0] == "BOARD"


def test_a_missing_value_is_named_by_its_metavariable():
    r = run([VBOARD, "run", "--timeout"])
    assert r.rc == 2 and "option --timeout needs a value: --timeout MS" in r.errtext, r
    r = run([VBOARD, "firmware", "build", "d", "-o"])
    assert r.rc == 2 and "option -o needs a value: -o FILE" in r.errtext, r


# ---- 3. ctl's exit status follows the reply's "ok" --------------------------

def ctl(board, *args):
    return run([VBOARD, "ctl", board.control] + list(args), timeout=30)


def ctl_ok(board, *args):
    r = ctl(board, *args)
    assert r.rc == 0 and r.err == b"", r
    reply = json.loads(r.out)
    assert reply["ok"] is True, r
    return reply


def ctl_refused(board, *args, why):
    """Exit 1, the reply on stdout, and the board's reason on stderr."""
    r = ctl(board, *args)
    assert r.rc == 1, r
    reply = json.loads(r.out)
    assert reply["ok"] is False and why in reply["error"], r
    assert r.errtext == 'vboard: ctl: the board refused "%s": %s\n' % (args[0], reply["error"]), r


@pytest.fixture
def board(tmp_path):
    b = Board(tmp_path)
    b.expect(BANNER)
    yield b
    b.quit()


def test_ctl_exit_status_of_every_verb(board):
    st = ctl_ok(board, "status")
    assert st["profile"] == "generic" and st["power"] == "on"
    assert len(st) > 16                # more members than a request may have
    assert ctl_ok(board, "led")["on"] is False
    assert ctl_ok(board, "pin", "GPIO4")["floating"] is True
    assert ctl_ok(board, "pin", "GPIO4", "high")["level"] == 1
    assert ctl_ok(board, "pin", "GPIO4", "low")["level"] == 0
    assert ctl_ok(board, "pin", "GPIO4", "float")["floating"] is True
    ctl_refused(board, "pin", "GPIO99", why="no pin 'GPIO99'")
    ctl_refused(board, "pin", "GPIO4", "sideways", why="drive must be")
    ctl_refused(board, "wake", why="not in deep sleep")
    ctl_refused(board, "wake", "GPIO4", why="not in deep sleep")
    ctl_refused(board, "frobnicate", why="unknown command")
    ctl_refused(board, "power", "sideways", why="power state must be")
    r = ctl(board, "status", "extra")
    assert r.rc == 2 and "takes no arguments" in r.errtext, r

    ctl_ok(board, "reset")
    board.expect(BANNER, timeout=10)
    ctl_ok(board, "brownout")
    board.expect(BANNER, timeout=10)
    ctl_ok(board, "power", "off")
    assert ctl_ok(board, "status")["power"] == "off"
    ctl_refused(board, "reset", why="no power")
    ctl_refused(board, "brownout", why="no power")
    ctl_ok(board, "power", "on")
    board.expect(BANNER, timeout=10)
    ctl_ok(board, "power", "cycle")
    board.expect(BANNER, timeout=10)
    assert ctl_ok(board, "status")["boot_count"] >= 1

    for wake in (["wake"], ["wake", "GPIO4"]):
        board.send(b"import machine; machine.deepsleep(60000)\r")
        board.wait_status("power", "sleeping")
        ctl_refused(board, "wake", "GPIO99", why="no such pin")
        ctl_ok(board, *wake)
        board.expect(BANNER, timeout=10)

    ctl_ok(board, "quit")
    assert board.proc.wait(timeout=10) == 0


class FakeBoard:
    """A control socket that answers one request with `reply` (bytes)."""

    def __init__(self, reply):
        self.dir = tempfile.mkdtemp(prefix="vb")
        self.path = os.path.join(self.dir, "fake.sock")
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(self.path)
        self.srv.listen(1)
        self.srv.settimeout(20)
        self.thread = threading.Thread(target=self._serve, args=(reply,), daemon=True)
        self.thread.start()

    def _serve(self, reply):
        c, _ = self.srv.accept()
        c.settimeout(20)
        buf = b""
        while b"\n" not in buf:
            chunk = c.recv(4096)
            if not chunk:
                break
            buf += chunk
        c.sendall(reply)
        c.close()

    def close(self):
        self.thread.join(20)
        self.srv.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def ctl_fake(reply, *args):
    fake = FakeBoard(reply)
    try:
        return run([VBOARD, "ctl", fake.path] + (list(args) or ["status"]), timeout=30)
    finally:
        fake.close()


def test_ctl_reads_replies_of_any_size_and_nesting():
    grown = {"ok": True}
    grown.update(("member_%d" % i, i) for i in range(120))
    grown["serial"] = {"rx_bytes": 10, "queues": [1, 2, {"tx": None, "names": ["a", "\u00e9"]}]}
    line = json.dumps(grown, separators=(",", ":")).encode() + b"\n"
    assert len(line) <= header_int("src/supervisor/transport/control.h", "VB_CONTROL_REPLY")
    r = ctl_fake(line)
    assert r.rc == 0 and r.out == line and r.err == b"", r
    refused = dict(grown, ok=False, error="boom")
    r = ctl_fake(json.dumps(refused).encode() + b"\n")
    assert r.rc == 1 and r.errtext == 'vboard: ctl: the board refused "status": boom\n', r


@pytest.mark.parametrize("reply,says", [
    (b"hello\n", "cannot read the reply from %s: expected '{' at byte 0"),
    (b'{"ok":true,"x":[1,}\n', "cannot read the reply from %s: expected a value"),
    (b'{"ok":"yes"}\n', 'the reply from %s has no "ok" (true or false)'),
    (b'{"error":"x"}\n', 'the reply from %s has no "ok" (true or false)'),
    (b'{"ok":true}', "the board at %s closed the connection without a reply"),
    (b"", "the board at %s closed the connection without a reply"),
])
def test_ctl_says_why_a_reply_cannot_be_read(reply, says):
    fake = FakeBoard(reply)
    try:
        r = run([VBOARD, "ctl", fake.path, "status"], timeout=30)
    finally:
        fake.close()
    assert r.rc == 2, r
    assert r.errtext.startswith("vboard: ctl: " + says % fake.path), r


# ---- 4. no free control slot: an answer, never SIGPIPE ------------------------

def recv_line(s):
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf


def test_ctl_with_no_free_control_slot_says_so(board):
    slots = header_int("src/supervisor/transport/control.h", "VB_CONTROL_CLIENTS")
    held = []
    try:
        for _ in range(slots):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(10)
            s.connect(board.control)
            s.sendall(b'{"cmd":"led"}\n')
            assert json.loads(recv_line(s))["ok"] is True     # served: it holds a slot
            held.append(s)
        for _ in range(5):
            r = ctl(board, "status")
            assert r.rc == 1, r        # negative: killed by a signal (SIGPIPE was -13)
            assert r.errtext == ("vboard: ctl: the board refused the connection: "
                                 "too many control clients\n"), r
            assert json.loads(r.out)["closed"] is True, r
        # what the board says to one more client: its error line, then the end
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(board.control)
        assert json.loads(recv_line(s)) == {"ok": False, "error": "too many control clients",
                                            "closed": True}
        assert s.recv(4096) == b""
        s.close()
    finally:
        for s in held:
            s.close()
    # a slot is free once the board has seen a client go
    deadline = time.monotonic() + 10
    while True:
        r = ctl(board, "status")
        if r.rc == 0:
            break
        assert r.rc == 1 and "too many control clients" in r.errtext, r
        assert time.monotonic() < deadline, "no control slot freed within 10 s\n%s" % r
        time.sleep(0.05)
