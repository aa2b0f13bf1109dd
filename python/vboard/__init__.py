"""vboard: drive a virtual MicroPython board from Python tests.

    from vboard import Board
    with Board("esp32", files={"main.py": "x = 42\\n"}) as b:
        assert b.eval("x") == 42

Stdlib only. The `vboard` binary comes from Board(binary=...), $VBOARD or
PATH. A pytest plugin (vboard.pytest_plugin) gives a `board` fixture.
"""
from .board import Board, ctl_request, find_binary
from .errors import BoardExited, BoardRefused, BoardTimeout, MicroPythonError, VboardError
from .rawrepl import RawRepl, SerialLink

__all__ = ["Board", "BoardExited", "BoardRefused", "BoardTimeout", "MicroPythonError",
           "RawRepl", "SerialLink", "VboardError", "ctl_request", "find_binary"]
__version__ = "0.1"
