"""The exceptions of the vboard package."""


class VboardError(Exception):
    """Base class of everything this package raises."""


class BoardTimeout(VboardError, TimeoutError):
    """A wait on the serial line ran out. `waited_for` names what was
    awaited, `received` holds every byte seen in that wait."""

    def __init__(self, waited_for, timeout, received, note=""):
        self.waited_for = waited_for
        self.timeout = timeout
        self.received = received
        tail = received[-3000:]
        super().__init__("waited %.1f s for %s%s\nreceived (%d bytes%s): %r"
                         % (timeout, waited_for, note, len(received),
                            ", last 3000 shown" if len(received) > 3000 else "", tail))


class BoardExited(VboardError):
    """The vboard process ended while the board was in use."""


class BoardRefused(VboardError):
    """The control socket answered {"ok": false, "error": ...}."""

    def __init__(self, request, error):
        self.request = request
        self.error = error
        super().__init__("the board refused %s: %s" % (request, error))


class MicroPythonError(VboardError):
    """Device code raised: `name` is the exception's name (e.g. "OSError"),
    `message` the text after it, `traceback` the whole traceback the board
    printed, `output` what the code printed before it."""

    def __init__(self, traceback, output="", code=None):
        self.traceback = traceback
        self.output = output
        self.code = code
        self.name, self.message = parse_exception_line(traceback)
        super().__init__(traceback.rstrip("\r\n") or "(empty error text)")


def parse_exception_line(traceback):
    """(name, message) of the last line of a MicroPython traceback:
    "ZeroDivisionError: divide by zero" -> ("ZeroDivisionError",
    "divide by zero"); "KeyboardInterrupt: " -> ("KeyboardInterrupt", "")."""
    lines = [ln for ln in traceback.replace("\r\n", "\n").split("\n") if ln.strip()]
    if not lines:
        return "", ""
    last = lines[-1]
    name, sep, msg = last.partition(":")
    name = name.strip()
    if not name or " " in name:
        return last.strip(), ""
    return name, msg.strip() if sep else ""
