"""pytest plugin: a `board` fixture running a virtual MicroPython board.

Enable it with `-p vboard.pytest_plugin` (the `python/` directory of the
vboard repository on PYTHONPATH), or `pytest_plugins = ["vboard.pytest_plugin"]`
in a top-level conftest.py.

    @pytest.mark.vboard(board="pycom", files={"main.py": "x = 1\\n"})
    def test_x(board):
        assert board.eval("x") == 1

Marker fields (all optional): board (also the first positional argument;
default "esp32"), files, fs_add, flash, clock, args (more `vboard run`
options), wait, timeout, boot_timeout. `make_board(**same)` starts more
boards in one test. Every board a test started is stopped after it, and
when the test fails its serial transcript is shown with the report.
"""
import pytest

from .board import Board

TRANSCRIPT_SHOWN = 16384   # the last bytes of each transcript in a failure report


def pytest_addoption(parser):
    parser.addoption("--vboard-bin", default=None,
                     help="the vboard binary for the board fixture (default: $VBOARD, then PATH)")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "vboard(board='esp32', files=None, fs_add=None, flash=None, clock=None, args=(), "
                   "wait=True): how the `board` fixture starts its virtual board")


def _options(kwargs):
    kw = dict(kwargs)
    if "args" in kw:
        kw["extra_args"] = list(kw.pop("args"))
    return kw


@pytest.fixture
def make_board(request):
    """Factory: make_board(board=..., files=..., ...) -> a started Board,
    stopped at the end of the test."""
    boards = []
    request.node._vboard_boards = boards
    binary = request.config.getoption("--vboard-bin", default=None)

    def make(board="esp32", **kwargs):
        kw = _options(kwargs)
        kw.setdefault("binary", binary)
        b = Board(board, **kw)
        boards.append(b)
        return b

    yield make
    errors = []
    for b in boards:
        try:
            b.close()
        except Exception as e:          # stop every board, then report
            errors.append(e)
    if errors:
        raise errors[0]


@pytest.fixture
def board(request, make_board):
    """A board started as the test's `vboard` marker says (default esp32)."""
    m = request.node.get_closest_marker("vboard")
    args, kwargs = (m.args, dict(m.kwargs)) if m else ((), {})
    if args:
        kwargs["board"] = args[0]
    return make_board(**kwargs)


def _transcript_text(b):
    t = b.link.transcript
    shown = bytes(t[-TRANSCRIPT_SHOWN:])
    head = "" if len(t) <= TRANSCRIPT_SHOWN and not b.link.dropped else \
        "(last %d of %d bytes)\n" % (len(shown), len(t) + b.link.dropped)
    text = shown.decode("utf-8", "backslashreplace").replace("\r\n", "\n")
    # control bytes (raw REPL framing) shown as escapes
    return head + "".join(c if c >= " " or c in "\n\t" else "\\x%02x" % ord(c) for c in text)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if not rep.failed:
        return
    for i, b in enumerate(getattr(item, "_vboard_boards", ())):
        name = "vboard serial (%s%s, pid %s)" % (b.board, " #%d" % (i + 1) if i else "", b.proc and b.proc.pid)
        rep.sections.append((name, _transcript_text(b)))
