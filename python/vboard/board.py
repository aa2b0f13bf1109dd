"""One virtual board: a `vboard run` process with its pty and control
socket, started in a private temporary directory and always stopped."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import weakref

from .errors import BoardExited, BoardRefused, BoardTimeout, VboardError
from .rawrepl import CHUNK, PROMPT, RawRepl, SerialLink


def find_binary(binary=None):
    """The vboard binary: `binary`, else $VBOARD, else `vboard` on PATH."""
    path = binary or os.environ.get("VBOARD") or shutil.which("vboard")
    if not path:
        raise VboardError("no vboard binary: pass binary=, set $VBOARD or put vboard on PATH")
    if not os.access(path, os.X_OK):
        raise VboardError("vboard binary %s is not an executable file" % path)
    return path


def ctl_request(path, request, timeout=10.0):
    """One JSON request line to a control socket; the decoded reply line."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        s.sendall(json.dumps(request).encode() + b"\n")
        buf = b""
        while b"\n" not in buf:
            c = s.recv(65536)
            if not c:
                raise VboardError("the control socket closed without a reply to %s" % json.dumps(request))
            buf += c
    finally:
        s.close()
    return json.loads(buf.split(b"\n")[0])


def poll_until(probe, timeout, what, received=b""):
    """Call probe() until it returns a true value, which is returned: the
    one polling wait of the package (and of the project's tests), for the
    conditions nothing signals (a control-socket reply, a process state).
    Backs off from 1 ms to 20 ms; BoardTimeout naming `what` after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        v = probe()
        if v:
            return v
        if time.monotonic() > deadline:
            raise BoardTimeout(what, timeout, received)
        time.sleep(pause)
        pause = min(pause * 2, 0.02)


def _parent_death_signal():
    """In the child: SIGTERM when the process that started it dies, so a
    test runner killed outright does not leave boards running (Linux)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)        # PR_SET_PDEATHSIG
    except Exception:
        pass


def _stop(proc, control, link, tmpdir, keep, timeout=10.0):
    """Stop the board (`quit` on the control socket, then SIGTERM, then
    SIGKILL, each with a deadline) and remove its temporary directory.
    Used by close() and, for a Board never closed, by its finalizer (also
    at interpreter exit). Returns the exit status."""
    try:
        if proc.poll() is None:
            try:
                ctl_request(control, {"cmd": "quit"}, timeout=2)
            except (OSError, ValueError, VboardError):
                proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while proc.poll() is None and time.monotonic() < deadline:
                # keep reading: a stopping board gives its host time to read
                if link.fd is None:
                    try:
                        proc.wait(max(deadline - time.monotonic(), 0))
                    except subprocess.TimeoutExpired:
                        pass
                    break
                try:
                    link._read_some(0.05)
                except VboardError:
                    pass
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(3)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    finally:
        link.close()
        if not keep:
            shutil.rmtree(tmpdir, ignore_errors=True)
    return proc.returncode


_MODES = ("friendly", "raw", "unknown", "off")


class Board:
    """A running virtual board.

    Board(board="esp32", flash=None, files=None, fs_add=None, clock=None,
          extra_args=(), binary=None, wait=True, timeout=10.0, boot_timeout=20.0)

    - flash: the flash image file (default: a new one in the temporary
      directory, removed by close()).
    - files: {path: bytes or str} copied into the filesystem before the
      first boot (`--fs-add` of a temporary directory); paths are relative
      to the filesystem root (`/` on esp32 and rp2, `/flash` on pycom).
    - fs_add: a host directory whose contents are added the same way.
    - clock: "real" or "fast" (`--clock`); None leaves vboard's default.
    - extra_args: more `vboard run` options (e.g. ["--trace", path]).
    - wait: wait for the first `>>> ` (pass False for a main.py that never
      returns; the first command then interrupts it, as mpremote does).

    Output texts keep the board's bytes ("\\r\\n" line ends). Everything
    received is in `transcript`; `wait_serial` looks at what no command has
    consumed yet, and every command (exec, repl, put, ...) first consumes
    what was received before it.
    """

    def __init__(self, board="esp32", flash=None, files=None, fs_add=None, clock=None,
                 extra_args=(), binary=None, wait=True, timeout=10.0, boot_timeout=20.0):
        self.board = board
        self.binary = find_binary(binary)
        self.timeout = timeout
        self.boot_timeout = boot_timeout
        self.tmpdir = tempfile.mkdtemp(prefix="vb")      # short: Unix socket paths are <108 bytes
        self.flash = os.path.abspath(str(flash)) if flash else os.path.join(self.tmpdir, "flash.bin")
        self.link_path = os.path.join(self.tmpdir, "tty")
        self.control = os.path.join(self.tmpdir, "ctl.sock")
        self._stdout_path = os.path.join(self.tmpdir, "stdout")
        self._stderr_path = os.path.join(self.tmpdir, "stderr")
        self.proc = None
        self.link = SerialLink(None, self._check_alive)
        self._mode = "unknown"
        self._finalizer = None
        self._keep_tmpdir = False
        try:
            args = [self.binary, "run", "--board", board, "--flash", self.flash,
                    "--pty", self.link_path, "--control", self.control]
            add = self._stage_files(files, fs_add)
            if add:
                args += ["--fs-add", add]
            if clock is not None:
                args += ["--clock", clock]
            args += [str(a) for a in extra_args]
            self.args = args
            with open(self._stdout_path, "wb") as out, open(self._stderr_path, "wb") as err:
                self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                             preexec_fn=_parent_death_signal)
            self._finalizer = weakref.finalize(self, _stop, self.proc, self.control, self.link,
                                               self.tmpdir, False)
            self.pty_path = self._first_line()
            self.link.fd = os.open(self.link_path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
            self.raw = RawRepl(self.link, timeout)
            if wait:
                self._wait_boot("the first >>> prompt")
        except BaseException:
            self.close()
            raise

    # ---- process -------------------------------------------------------------
    @property
    def pid(self):
        return self.proc.pid

    def _stderr(self):
        try:
            with open(self._stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _check_alive(self):
        if self.proc is not None and self.proc.poll() is not None:
            raise BoardExited("vboard exited with status %d\n$ %s\nstderr: %s\nserial (last 2000 bytes): %r"
                              % (self.proc.returncode, " ".join(self.args), self._stderr()[-4000:],
                                 bytes(self.link.transcript[-2000:])))

    def _first_line(self, timeout=10.0):
        """vboard's first stdout line, the pty path (a condition polled
        against a deadline)."""
        data = [b""]

        def first_line():
            with open(self._stdout_path, "rb") as f:
                data[0] = f.read()
            if b"\n" not in data[0]:
                self._check_alive()
                return None
            line = data[0].split(b"\n")[0].strip().decode()
            if not line.startswith("/dev/"):
                raise VboardError("vboard's first line is not a pty path: %r; stderr: %s"
                                  % (line, self._stderr()))
            return line
        try:
            return poll_until(first_line, timeout, "the pty path on vboard's stdout")
        except BoardTimeout:
            raise BoardTimeout("the pty path on vboard's stdout", timeout, data[0],
                               "; stderr: %s" % self._stderr()) from None

    def _stage_files(self, files, fs_add):
        if not files and not fs_add:
            return None
        if files is None:
            return os.path.abspath(str(fs_add))
        stage = os.path.join(self.tmpdir, "fs")
        if fs_add:
            shutil.copytree(str(fs_add), stage)
        else:
            os.mkdir(stage)
        for path, data in files.items():
            rel = path.lstrip("/")
            if self.board == "pycom" and rel.startswith("flash/"):
                rel = rel[len("flash/"):]
            if not rel or ".." in rel.split("/"):
                raise VboardError("bad file name %r for files=" % path)
            dest = os.path.join(stage, rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "wb") as f:
                f.write(data.encode() if isinstance(data, str) else bytes(data))
        return stage

    def close(self, timeout=10.0):
        """Stop the board (`quit`: files closed, volume synced; killed when
        it has not stopped by `timeout`) and remove its temporary files.
        Returns vboard's exit status. Safe to call more than once."""
        if self._finalizer is not None and self._finalizer.alive:
            self._finalizer.detach()
            _stop(self.proc, self.control, self.link, self.tmpdir, self._keep_tmpdir, timeout)
        elif self.proc is None or self._finalizer is None:
            self.link.close()
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        self._mode = "off"
        return self.proc.returncode if self.proc is not None else None

    quit = close

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<vboard.Board %s pid %s %s>" % (self.board, self.proc and self.proc.pid,
                                               "running" if self.running else "stopped")

    # ---- the serial line -----------------------------------------------------
    @property
    def transcript(self):
        """Every byte the board sent (the last 4 MiB)."""
        return bytes(self.link.transcript)

    def write(self, data):
        """Send bytes (or text) to the serial line as they are. A control
        character in them leaves the REPL state to be found again by the
        next command."""
        if isinstance(data, str):
            data = data.encode()
        if any(c in data for c in b"\x01\x02\x03\x04\x05"):
            self._mode = "unknown"
        self.link.write(data, self.timeout)

    def wait_serial(self, text, timeout=10.0):
        """Wait until `text` (str or bytes) has arrived; return everything
        not yet consumed up to and including it (same type as `text`). A
        time-out raises BoardTimeout with every byte seen meanwhile."""
        __tracebackhide__ = True
        want = text.encode() if isinstance(text, str) else text
        got = self.link.read_until(want, timeout, repr(text))
        if got.endswith(PROMPT) and not self.link.buf and self._mode != "off":
            self._mode = "friendly"        # idle at the friendly prompt
        return got.decode("utf-8", "replace") if isinstance(text, str) else got

    def drain(self, quiet=0.2):
        """Read until `quiet` seconds pass with nothing arriving; return
        (and consume) every byte not yet consumed."""
        return self.link.drain(quiet)

    def _wait_boot(self, what):
        got = self.link.read_until(PROMPT, self.boot_timeout,
                                   "%s (a main.py that never returns: pass wait=False)" % what,
                                   consume=False)
        self._mode = "friendly"
        return got.decode("utf-8", "replace")

    def _ensure_raw(self):
        if self._mode == "off":
            raise VboardError("the board has no power (power('on') first)")
        if self._mode != "raw":
            self.raw.enter()
            self._mode = "raw"

    def _ensure_friendly(self):
        if self._mode == "off":
            raise VboardError("the board has no power (power('on') first)")
        if self._mode == "unknown":
            self.raw.enter()
            self._mode = "raw"
        if self._mode == "raw":
            self.raw.exit()
            self._mode = "friendly"
        self.link.drain(0)

    def _raw_call(self, fn, *args):
        __tracebackhide__ = True
        self._ensure_raw()
        try:
            return fn(*args)
        except (BoardTimeout, BoardExited):
            self._mode = "unknown"
            raise

    # ---- REPLs -----------------------------------------------------------------
    def exec(self, code, timeout=None, follow=True):
        """Run `code` through the raw REPL; its output (str). A traceback
        raises MicroPythonError (name, message, traceback, output).
        follow=False returns as soon as the board has taken the code (for
        code that resets or sleeps the board, or runs on): its output is
        left for wait_serial and the next command interrupts it if it
        still runs."""
        __tracebackhide__ = True
        if not follow:
            self._raw_call(self.raw.send, code, timeout or self.timeout)
            self._mode = "unknown"
            return None
        return self._raw_call(self.raw.exec, code, timeout or self.timeout)

    def exec_raw(self, code, timeout=None):
        """(output bytes, error bytes) of `code`, nothing raised for a traceback."""
        return self._raw_call(self.raw.exec_raw, code, timeout or self.timeout)

    def eval(self, expr, timeout=None):
        """The value of `expr` (round trip through repr and
        ast.literal_eval; the repr text when it is not a literal)."""
        __tracebackhide__ = True
        return self._raw_call(self.raw.eval, expr, timeout or self.timeout)

    def repl(self, line, timeout=None):
        """Type one line at the friendly REPL; what it printed, without the
        echo and the next prompt, as the board sent it (e.g. "2\\r\\n")."""
        __tracebackhide__ = True
        self._ensure_friendly()
        self.link.write(line.encode() + b"\r", self.timeout)
        got = self.link.read_until(PROMPT, timeout or self.timeout,
                                   "the >>> prompt after %r" % line[:80])
        return got.split(b"\r\n", 1)[-1][:-len(PROMPT)].decode("utf-8", "replace")

    def interrupt(self, timeout=None):
        """Ctrl-C. At the friendly REPL, consumes what was received before,
        waits for the prompt and returns what came before it (e.g. the
        KeyboardInterrupt traceback)."""
        if self._mode == "raw":
            self.link.write(b"\x03")
            return ""
        self.link.discard()
        self.link.write(b"\x03")
        got = self.link.read_until(PROMPT, timeout or self.timeout, "the >>> prompt after Ctrl-C")
        self._mode = "friendly"
        return got.decode("utf-8", "replace")

    def soft_reset(self, wait=True):
        """Ctrl-D at the friendly REPL; with wait, returns the output up to
        the new prompt (left unconsumed for wait_serial)."""
        self._ensure_friendly()
        self.link.write(b"\x04")
        self._mode = "unknown"
        return self._wait_boot("the >>> prompt after the soft reset (Ctrl-D)") if wait else ""

    # ---- files ---------------------------------------------------------------
    def put(self, path, data, chunk=CHUNK):
        """Write a board file (bytes or str), mpremote's way."""
        __tracebackhide__ = True
        self._raw_call(self.raw.put, path, data, chunk, self.timeout)

    def get(self, path, chunk=CHUNK):
        """A board file's bytes."""
        __tracebackhide__ = True
        return self._raw_call(self.raw.get, path, chunk, self.timeout)

    def ls(self, path="/", long=False):
        """Sorted names in a board directory; long=True: (name, is_dir, size)."""
        entries = self._raw_call(self.raw.ilistdir, path, self.timeout)
        if long:
            return sorted((e[0], e[1] == 0x4000, e[3] if len(e) > 3 else 0) for e in entries)
        return sorted(e[0] for e in entries)

    def rm(self, path):
        self.exec("import os\nos.remove(%r)" % path)

    def mkdir(self, path):
        self.exec("import os\nos.mkdir(%r)" % path)

    def rmdir(self, path):
        self.exec("import os\nos.rmdir(%r)" % path)

    # ---- the control socket -------------------------------------------------
    def ctl(self, cmd, **fields):
        """One control-socket request ({"cmd": cmd, **fields}); the reply
        dict. {"ok": false} raises BoardRefused."""
        __tracebackhide__ = True
        req = dict(cmd=cmd, **fields)
        try:
            r = ctl_request(self.control, req, self.timeout)
        except OSError:
            self._check_alive()
            raise
        if not r.get("ok"):
            raise BoardRefused(json.dumps(req), r.get("error", r))
        return r

    def status(self):
        return self.ctl("status")

    def wait_status(self, key, want, timeout=10.0):
        """Poll status until status[key] == want; the last status."""
        st = {}

        def reached():
            st.update(self.status())
            return st.get(key) == want
        try:
            poll_until(reached, timeout, "status %s == %r" % (key, want), self.link.buf)
        except BoardTimeout:
            raise BoardTimeout("status %s == %r (it is %r)" % (key, want, st.get(key)), timeout,
                               self.link.buf) from None
        return st

    def pin(self, name, drive=None):
        """A pin's level (0/1); drive: "high"/1/True, "low"/0/False or
        "float" drives it from the host first."""
        return self.pin_info(name, drive)["level"]

    def pin_info(self, name, drive=None):
        """The control socket's whole `pin` reply (mode, pull, driver, ...)."""
        fields = {"name": str(name)}
        if drive is not None:
            if drive is True or drive == 1:
                drive = "high"
            elif drive is False or drive == 0:
                drive = "low"
            fields["drive"] = drive
        return self.ctl("pin", **fields)

    def wait_pin(self, name, level, timeout=10.0):
        """Wait (wall time, as wait_serial) until pin `name` reads `level`
        (1/"high", 0/"low" — a floating pin reads low — or "float"), or has
        since the call began: the board counts each change (became_low,
        became_high, became_float), so a pulse between two looks counts.
        Returns the pin's reply."""
        __tracebackhide__ = True
        want = {1: "high", True: "high", 0: "low", False: "low"}.get(level, level)
        if want not in ("high", "low", "float"):
            raise ValueError("wait_pin takes 0, 1, 'low', 'high' or 'float', not %r" % (level,))

        def became(p):
            if want == "high":
                return p["became_high"]
            return p["became_float"] + (p["became_low"] if want == "low" else 0)

        def reads(p):
            return p["floating"] if want == "float" else p["level"] == (want == "high")
        first = self.pin_info(name)
        if reads(first):
            return first
        last = {}

        def reached():
            last.update(self.pin_info(name))
            return last if reads(last) or became(last) > became(first) else None
        return poll_until(reached, timeout, "pin %s %s" % (name, want), self.link.buf)

    def set_adc(self, pin, mv):
        """Put `mv` millivolts (0..5000, decimals allowed) on an ADC pin;
        the firmware's ADC converts them per its attenuation and width."""
        return self.ctl("adc", pin=str(pin), mv=str(mv))["mv"]

    def pwm(self, pin=None):
        """The PWM outputs running: {pin: {"freq": Hz, "duty_u16": d}}; with
        a pin, that pin's {"active", "freq", "duty_u16", ...}."""
        if pin is not None:
            return self.ctl("pwm", pin=str(pin))
        return self.ctl("pwm")["pwm"]

    def neopixel(self, pin=None):
        """The pixel strips machine.bitstream wrote: {pin: {"gpio", "bytes",
        "latches"}}; with a pin, what its strip shows: {"latches", "raw"
        (hex), "rgb"/"rgbw" (["#rrggbb", ...] read as neopixel's ORDER),
        "timing_ns", ...}."""
        if pin is not None:
            return self.ctl("neopixel", pin=str(pin))
        return self.ctl("neopixel")["neopixel"]

    def set_sensor(self, temp=None, hum=None, addr=None):
        """What the SHT3x (--i2c BUS:ADDR=sht3x) measures next: `temp` °C
        (-45..130), `hum` %RH (0..100); either may be left as it is.
        Returns {"addr", "temp", "hum"} as the sensor now stands."""
        fields = {}
        if addr is not None:
            fields["addr"] = hex(addr) if isinstance(addr, int) else str(addr)
        if temp is not None:
            fields["temp"] = str(temp)
        if hum is not None:
            fields["hum"] = str(hum)
        return self.ctl("sensor", **fields)

    def screenshot(self, path, addr=None):
        """Save what the SSD1306 (--i2c BUS:ADDR=ssd1306) shows as a 128x64
        greyscale PNG at `path` (lit pixels 255); returns the reply
        ({"file", "addr", "on", "lit"}: lit = pixels lit)."""
        import os
        fields = {"file": os.path.abspath(str(path))}
        if addr is not None:
            fields["addr"] = hex(addr) if isinstance(addr, int) else str(addr)
        return self.ctl("screenshot", **fields)

    def led(self):
        """The LED colour, '#rrggbb' ('#000000' when dark)."""
        return self.ctl("led")["rgb"]

    def _hard(self, what, wait, cmd, **fields):
        self.link.discard()
        self.ctl(cmd, **fields)
        self._mode = "unknown"
        return self._wait_boot("the >>> prompt after %s" % what) if wait else ""

    def reset(self, wait=True):
        """The reset button; with wait, the boot output up to the prompt."""
        return self._hard("the reset button", wait, "reset")

    def brownout(self, wait=True):
        return self._hard("the brown-out", wait, "brownout")

    def power(self, state, wait=True):
        """"on", "off" or "cycle"; with wait (on, cycle) the boot output."""
        if state == "off":
            self.ctl("power", state="off")
            self._mode = "off"
            return ""
        return self._hard("power %s" % state, wait, "power", state=state)

    def wake(self, pin=None, wait=True):
        """End a deep sleep early (as pin `pin`); with wait, the boot output."""
        fields = {} if pin is None else {"pin": str(pin)}
        return self._hard("the wake", wait, "wake", **fields)

    # ---- board time ----------------------------------------------------------
    def board_time_us(self):
        """The board's clock: µs since `vboard run` started, as the trace
        counts them."""
        return self.ctl("clock")["board_us"]

    def clock(self):
        """The control socket's `clock` reply (mode, board_us, jumps, ...)."""
        return self.ctl("clock")

    def free_clock(self):
        """Let a fast clock jump over idle time on its own again (drops the
        hold the last `delay` left)."""
        self.ctl("clock", action="free")

    def delay(self, ms, timeout=None):
        """Let `ms` of board time pass: `advance` tells the board the host
        waits until then (under --clock fast an idle board jumps there),
        then `clock` is polled until it is reached (bounded in wall time by
        `timeout`, default 10 s + twice `ms`). Returns the board time (µs).

        From then on the host drives time: the clock does not jump past the
        last delay's target on its own (so a pin moved right after a delay
        lands at that board time), until `free_clock()`."""
        if ms != int(ms) or ms < 0:
            raise ValueError("delay takes a whole number of milliseconds >= 0, not %r" % (ms,))
        until = self.ctl("advance", ms=int(ms))["until_us"]
        bound = timeout if timeout is not None else 10.0 + 2 * ms / 1000.0

        def reached():
            now = self.ctl("clock")["board_us"]
            return now if now >= until else None
        return poll_until(reached, bound, "board time %d us" % until, self.link.buf)
