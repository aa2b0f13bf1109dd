"""Thonny's own MicroPython back-end (Debian's thonny 4.0), unmodified,
driven the way Thonny's window drives it: the back-end process is started
with the arguments Thonny gives it, and talks to us in Thonny's message
format over its stdin and stdout while it drives the board's serial port
(raw REPL, raw-paste, Ctrl-C, its helper, soft reboots) itself.

Only the window is left out (it needs a display); every byte on the serial
line is the back-end's."""
import os
import queue
import subprocess
import sys
import threading
import time

THONNY_ROOT = "/usr/lib/python3/dist-packages"
ESP_BACKEND = os.path.join(THONNY_ROOT, "thonny", "plugins", "esp", "esp_back.py")

sys.path.insert(0, THONNY_ROOT)
from thonny.common import (  # noqa: E402  (Debian's thonny package)
    ImmediateCommand, InlineCommand, InputSubmission, ToplevelCommand, parse_message,
    read_one_incoming_message_str, serialize_message)

__all__ = ["Thonny", "ImmediateCommand", "InlineCommand", "InputSubmission", "ToplevelCommand"]


class ThonnyError(AssertionError):
    pass


class Thonny:
    """One back-end connected to the serial port at `port` (the board's pty
    link), as Thonny's "MicroPython (ESP32)" interpreter starts it."""

    def __init__(self, port, user_dir):
        os.makedirs(user_dir, exist_ok=True)
        self.user_dir = user_dir
        args = {"clean": False, "port": port, "dtr": None, "rts": None, "submit_mode": None,
                "interrupt_on_connect": True, "write_block_size": None, "write_block_delay": None,
                "proxy_class": "ESP32Proxy", "sync_time": True, "local_rtc": True,
                "validate_time": False, "utc_clock": False}
        env = dict(os.environ, THONNY_USER_DIR=user_dir)
        self.proc = subprocess.Popen([sys.executable, ESP_BACKEND, repr(args)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.inbox = queue.Queue()
        self.seen = []           # every message, for failure reports
        self.last_id = 0
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        while True:
            s = read_one_incoming_message_str(self.proc.stdout.readline)
            if not s:
                self.inbox.put(None)
                return
            self.inbox.put(parse_message(s) if s.startswith("\x02") else s)

    def send(self, msg):
        if not isinstance(msg, InputSubmission) and not hasattr(msg, "id"):
            self.last_id += 1      # Thonny's window numbers its commands
            msg.id = "cmd_%d" % self.last_id
        self.proc.stdin.write(serialize_message(msg) + "\n")
        self.proc.stdin.flush()

    def _report(self, what):
        log = os.path.join(self.user_dir, "backend.log")
        tail = open(log, encoding="utf-8", errors="replace").read()[-3000:] if os.path.exists(log) else ""
        return "%s\nmessages: %s\nbackend.log tail:\n%s" % (what, "\n".join(repr(m)[:300] for m in self.seen[-20:]), tail)

    def until(self, done, timeout=30.0):
        """Messages until done(msg) is true: (that message, the program
        output that came before it, stdout and stderr together)."""
        out = []
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            try:
                m = self.inbox.get(timeout=max(left, 0.001))
            except queue.Empty:
                raise ThonnyError(self._report("no such message within %.0f s; output %r" % (timeout, "".join(out))))
            if m is None:
                raise ThonnyError(self._report("the back-end ended (exit %r); output %r"
                                               % (self.proc.wait(), "".join(out))))
            self.seen.append(m)
            if getattr(m, "event_type", "") == "ProgramOutput":
                out.append(m.data)
            if done(m):
                return m, "".join(out)

    def until_output(self, text, timeout=30.0):
        """Program output until it holds text (it may come in pieces)."""
        seen = []

        def holds(m):
            if getattr(m, "event_type", "") == "ProgramOutput":
                seen.append(m.data)
            return text in "".join(seen)
        return self.until(holds, timeout)[1]

    def toplevel(self, cmd, timeout=30.0):
        """A toplevel command, up to Thonny's next prompt."""
        self.send(cmd)
        return self.until(lambda m: getattr(m, "event_type", "") == "ToplevelResponse", timeout)

    def inline(self, cmd, timeout=30.0):
        """An inline command and its response."""
        self.send(cmd)
        return self.until(lambda m: getattr(m, "event_type", "") == cmd.name + "_response", timeout)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            f.close()
