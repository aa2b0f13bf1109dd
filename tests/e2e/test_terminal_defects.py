"""Terminal mode (`vboard run` with no --pty/--tcp/--rfc2217; `make run`)
must leave the caller's terminal as it found it and print its lines at
column 0.

(a) The terminal is one open file description shared by the caller and
vboard (stdin, stdout and stderr are all the test's pty slave, as a shell
gives them). vboard may make its own copies non-blocking, but O_NONBLOCK on
the shared description is visible to the caller (F_GETFL on its own fd)
and breaks the shell's next read; after vboard exits — by the escape menu
(Ctrl-] q), the control socket's `quit`, or SIGTERM — the flags and the
termios settings must be what they were.

(b) The terminal is raw while the board runs, so every line vboard prints
itself ("vboard: control socket ...") must end in \\r\\n: in the bytes the
terminal receives up to the first `>>> `, no \\n without a \\r before it
(a bare \\n leaves the next line — the banner — at the old column).
tools/run.sh (what `make run` runs) is run as it is, under the pty.
"""
import fcntl
import os
import select
import shutil
import signal
import subprocess
import tempfile
import termios
import time

import pytest

from boardlib import ctl_request
from conftest import ROOT, VBOARD

PROMPT = b">>> "


class Terminal:
    """A pty pair: the test holds the master (the terminal emulator) and
    one fd of the slave's open file description, which it also gives to
    the child as stdin, stdout and stderr."""

    def __init__(self):
        self.master, self.slave = os.openpty()
        self.seen = b""
        self.flags0 = fcntl.fcntl(self.slave, fcntl.F_GETFL)
        self.attrs0 = termios.tcgetattr(self.slave)

    def spawn(self, args, env=None):
        self.proc = subprocess.Popen(args, stdin=self.slave, stdout=self.slave, stderr=self.slave,
                                     env=env, start_new_session=True, close_fds=True)
        return self.proc

    def expect(self, want, timeout=10.0):
        deadline = time.monotonic() + timeout
        while want not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("waited %.0fs for %r; the terminal received %r"
                                     % (timeout, want, self.seen[-3000:]))
            if select.select([self.master], [], [], min(left, 0.2))[0]:
                try:
                    self.seen += os.read(self.master, 65536)
                except OSError:          # EIO: no slave open any more
                    time.sleep(0.02)
        return self.seen

    def wait_exit(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("vboard did not exit; the terminal received %r" % self.seen[-2000:])
            if select.select([self.master], [], [], 0.05)[0]:
                try:
                    self.seen += os.read(self.master, 65536)
                except OSError:
                    pass
        return self.proc.returncode

    def close(self):
        if getattr(self, "proc", None) and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
        os.close(self.slave)


def flag_names(fl):
    return "|".join(n for n in ("O_NONBLOCK", "O_APPEND", "O_ASYNC") if fl & getattr(os, n)) or "none"


@pytest.mark.parametrize("how", ["escape-menu", "ctl-quit", "sigterm"])
def test_terminal_flags_and_modes_restored_after_exit(tmp_path, how):
    t = Terminal()
    sockdir = tempfile.mkdtemp(prefix="vbt")
    control = os.path.join(sockdir, "c.sock")
    try:
        assert not t.flags0 & os.O_NONBLOCK
        t.spawn([VBOARD, "run", "--flash", str(tmp_path / "t.bin"), "--control", control])
        t.expect(PROMPT)
        during = fcntl.fcntl(t.slave, fcntl.F_GETFL)
        if how == "escape-menu":
            os.write(t.master, b"\x1d")
            t.expect(b"[vboard] r: reset button")
            os.write(t.master, b"q")
        elif how == "ctl-quit":
            assert ctl_request(control, {"cmd": "quit"}).get("ok")
        else:
            t.proc.send_signal(signal.SIGTERM)
        rc = t.wait_exit()
        flags = fcntl.fcntl(t.slave, fcntl.F_GETFL)
        attrs = termios.tcgetattr(t.slave)
        print("flags before %s, while running %s, after %s" % (flag_names(t.flags0), flag_names(during),
                                                              flag_names(flags)))
        assert rc == 0, "exit %r; the terminal received %r" % (rc, t.seen[-2000:])
        assert flags == t.flags0, ("the terminal's file status flags changed: before %s (0x%x), after %s (0x%x)"
                                   % (flag_names(t.flags0), t.flags0, flag_names(flags), flags))
        assert attrs == t.attrs0, "termios not restored:\nbefore %r\nafter  %r" % (t.attrs0, attrs)
    finally:
        t.close()
        shutil.rmtree(sockdir, ignore_errors=True)


def bare_newlines(data):
    """Offsets of \\n bytes with no \\r right before them."""
    return [i for i in range(len(data)) if data[i] == 0x0A and (i == 0 or data[i - 1] != 0x0D)]


@pytest.mark.parametrize("board", ["generic", "pycom"])
def test_make_run_startup_lines_start_at_column_0(tmp_path, board):
    t = Terminal()
    env = dict(os.environ, BOARD=board, FLASH=str(tmp_path / ("%s.bin" % board)))
    env.pop("PTY", None)
    try:
        t.spawn(["sh", os.path.join(ROOT, "tools", "run.sh"), VBOARD], env=env)
        seen = t.expect(PROMPT, timeout=15)
        head = seen[:seen.index(PROMPT) + len(PROMPT)]
        os.write(t.master, b"\x1dq")
        t.wait_exit()
        bad = bare_newlines(head)
        where = ["...%r" % head[max(0, i - 60):i + 20] for i in bad]
        assert b"vboard: control socket " in head, head
        assert not bad, ("%d bare \\n (no \\r before) before the first prompt, so the next line starts "
                         "mid-row:\n  %s\nall bytes: %r" % (len(bad), "\n  ".join(where), head))
        # and, as printed, both lines begin at column 0
        for line in (b"vboard: control socket ", b"MicroPython "):
            i = head.index(line)
            assert i == 0 or head[i - 2:i] == b"\r\n", "%r does not start a row: %r" % (line, head[max(0, i - 60):i + 30])
    finally:
        t.close()
