# asyncio for vboard's board library: MicroPython v1.24's API (docs:
# library/asyncio.html), written for this board. It runs on the board's
# clock (time.ticks_ms) and waits in the board's select.poll, so sleeps
# follow --clock fast and Ctrl-C at any await raises KeyboardInterrupt.
from .core import *
from .funcs import wait_for, wait_for_ms, gather
from .event import Event, ThreadSafeFlag
from .lock import Lock
from .stream import Stream, StreamReader, StreamWriter, open_connection, start_server

__version__ = (3, 0, 0)
