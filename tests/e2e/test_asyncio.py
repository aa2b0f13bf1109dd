"""asyncio on the board (issue 13 §4): the board library's asyncio, frozen
into the esp32/rp2 firmware as upstream's, runs on the board's clock and
waits in the board's poll, so tasks keep board time (an hour of sleep under
--clock fast costs no wall time), Ctrl-C at any await raises
KeyboardInterrupt, a soft reset leaves no task behind, streams read the
board's stdin, and a user's /asyncio.py shadows the board's as upstream's
sys.path orders it ('', '.frozen', '/lib')."""
import re

import pytest

from boardlib import Board, repl

HOUR_MS = 3600 * 1000


@pytest.fixture
def board(tmp_path):
    b = Board(tmp_path)
    b.expect(b">>> ", timeout=20)
    yield b
    b.quit()


@pytest.fixture
def fast(tmp_path):
    b = Board(tmp_path, board="esp32", extra=["--clock", "fast"])
    b.expect(b">>> ", timeout=20)
    yield b
    b.quit()


def define(b, code):
    """Run a block of code at the friendly REPL (one line: no auto-indent)."""
    assert repl(b, "exec(%r)" % code, timeout=10) == ""


def test_tasks_run_in_order_at_their_board_times(fast):
    define(fast, "import asyncio, time\n"
                 "log = []\n"
                 "async def at(name, s):\n"
                 " await asyncio.sleep(s)\n"
                 " log.append((name, time.ticks_diff(time.ticks_ms(), t0) // 1000))\n"
                 "async def main():\n"
                 " await asyncio.gather(at('c', 300), at('a', 100), at('b', 200))\n")
    t = fast.ctl("clock")["board_us"]
    assert repl(fast, "t0 = time.ticks_ms(); asyncio.run(main()); log", timeout=10) == \
        "[('a', 100), ('b', 200), ('c', 300)]\r\n"
    assert fast.ctl("clock")["board_us"] >= t + 300 * 1000000


def test_an_hour_of_asyncio_sleep_passes_at_once_under_the_fast_clock(fast):
    define(fast, "import asyncio, time\n"
                 "async def hour():\n"
                 " await asyncio.sleep(3600)\n")
    t = fast.ctl("clock")["board_us"]
    got = repl(fast, "t0 = time.ticks_ms(); asyncio.run(hour()); time.ticks_diff(time.ticks_ms(), t0)", timeout=10)
    assert HOUR_MS <= int(got) < HOUR_MS + 1000, got
    assert fast.ctl("clock")["board_us"] >= t + HOUR_MS * 1000


@pytest.mark.parametrize("wait", ["asyncio.Event().wait()", "asyncio.sleep(1)",
                                  "asyncio.StreamReader(sys.stdin).read(1)"])
def test_ctrl_c_at_an_await_raises_keyboard_interrupt(board, wait):
    define(board, "import asyncio, sys\n"
                  "async def main():\n"
                  " print('awaiting')\n"
                  " while True:\n"
                  "  await %s\n" % wait)
    board.send(b"asyncio.run(main())\r")
    board.expect(b"awaiting\r\n")       # running: Ctrl-C is armed
    board.send(b"\x03")
    got = board.expect(b">>> ", timeout=10)
    assert b"KeyboardInterrupt: \r\n" in got and b'File "asyncio/core.py", line 1, in run_until_complete' in got, got
    # the loop is usable again
    define(board, "async def again():\n await asyncio.sleep_ms(1)\n return 'again'\n")
    assert repl(board, "asyncio.run(again())") == "'again'\r\n"


def test_an_unhandled_task_exception_prints_as_upstream(board):
    board.raw_enter()
    out, err = board.raw_exec(b"import asyncio\n"
                              b"async def bad():\n"
                              b"    raise ValueError('boom')\n"
                              b"async def main():\n"
                              b"    asyncio.create_task(bad())\n"
                              b"    await asyncio.sleep_ms(10)\n"
                              b"    print('main goes on')\n"
                              b"asyncio.run(main())\n", timeout=10)
    assert err == b""
    assert re.fullmatch(rb"Task exception wasn't retrieved\r\n"
                        rb"future: <Task> coro= <generator object 'bad' at [0-9a-f]+>\r\n"
                        rb"Traceback \(most recent call last\):\r\n"
                        rb'  File "asyncio/core\.py", line 1, in run_until_complete\r\n'
                        rb'  File "<stdin>", line 3, in bad\r\n'
                        rb"ValueError: boom\r\n"
                        rb"main goes on\r\n", out), out


def test_a_stdin_stream_reads_while_other_tasks_run(board):
    define(board, "import asyncio, sys\n"
                  "async def tick():\n"
                  " for i in range(3):\n"
                  "  await asyncio.sleep_ms(10)\n"
                  "  print('tick', i)\n"
                  "async def main():\n"
                  " t = asyncio.create_task(tick())\n"
                  " r = asyncio.StreamReader(sys.stdin)\n"
                  " print(repr(await r.read(3)), repr(await r.readexactly(2)))\n"
                  " await t\n")
    board.send(b"asyncio.run(main())\r")
    board.expect(b"tick 0\r\ntick 1\r\ntick 2\r\n", timeout=10)
    board.send(b"abcde")
    assert board.expect(b">>> ", timeout=10).endswith(b"'abc' 'de'\r\n>>> ")


def test_a_soft_reset_leaves_no_task_behind(board):
    define(board, "import asyncio\n"
                  "async def ticker():\n"
                  " while True:\n"
                  "  await asyncio.sleep_ms(20)\n"
                  "  print('tock')\n"
                  "async def main():\n"
                  " asyncio.create_task(ticker())\n"
                  " await asyncio.Event().wait()\n")
    board.send(b"asyncio.run(main())\r")
    board.expect(b"tock\r\n", timeout=10)
    board.send(b"\x03")
    board.expect(b"KeyboardInterrupt: \r\n>>> ", timeout=10)
    board.send(b"\x04")
    board.expect(b"MPY: soft reboot\r\n", timeout=10)
    board.expect(b">>> ", timeout=10)
    assert repl(board, "import sys; 'asyncio' in sys.modules") == "False\r\n"
    define(board, "import asyncio\nasync def nap():\n await asyncio.sleep_ms(100)\n")
    # a new loop: the old VM's ticker is gone with it
    assert repl(board, "asyncio.run(nap())") == ""


def test_a_user_asyncio_py_shadows_the_board_s_one_in_lib_does_not(board):
    assert repl(board, "import sys; sys.path") == "['', '.frozen', '/lib']\r\n"
    assert repl(board, "import asyncio; asyncio.__file__, asyncio.core.__file__") == \
        "('asyncio/__init__.py', 'asyncio/core.py')\r\n"
    repl(board, "import os; os.mkdir('/lib')")
    repl(board, "f = open('/lib/asyncio.py', 'w'); f.write('WHO = \"lib\"\\n'); f.close()")
    board.send(b"\x04")
    board.expect(b">>> ", timeout=10)
    assert repl(board, "import asyncio; getattr(asyncio, 'WHO', 'board')") == "'board'\r\n"
    repl(board, "f = open('/asyncio.py', 'w'); f.write('WHO = \"root\"\\n'); f.close()")
    board.send(b"\x04")
    board.expect(b">>> ", timeout=10)
    assert repl(board, "import asyncio; asyncio.WHO, asyncio.__file__") == "('root', 'asyncio.py')\r\n"
    # and the board's is still reachable once the cwd is off the path
    assert repl(board, "import sys; del sys.modules['asyncio']; sys.path.remove(''); import asyncio; "
                       "getattr(asyncio, 'WHO', 'board')") == "'board'\r\n"


def test_uasyncio_is_upstream_s_small_module(board):
    assert repl(board, "import uasyncio, asyncio; uasyncio is asyncio, uasyncio.sleep is asyncio.sleep") == \
        "(False, True)\r\n"


def test_help_modules_and_tab_list_the_board_library(board):
    got = repl(board, "help('modules')")
    for name in ("asyncio", "uasyncio", "_thread"):
        assert re.search(r"(^|\s)%s(\s|$)" % name, got), got


def test_pycom_s_firmware_has_no_asyncio(tmp_path):
    b = Board(tmp_path, board="pycom")
    try:
        b.expect(b">>> ", timeout=20)
        assert repl(b, "import asyncio").endswith("ImportError: no module named 'asyncio'\r\n")
    finally:
        b.quit()


def test_a_thread_wakes_a_task_through_a_thread_safe_flag(board):
    define(board, "import asyncio, _thread, time\n"
                  "flag = asyncio.ThreadSafeFlag()\n"
                  "def setter():\n"
                  " time.sleep_ms(50)\n"
                  " flag.set()\n"
                  "async def main():\n"
                  " _thread.start_new_thread(setter, ())\n"
                  " await flag.wait()\n"
                  " return 'flagged'\n")
    assert repl(board, "asyncio.run(main())", timeout=10) == "'flagged'\r\n"


def test_a_soft_reset_from_a_task_with_a_thread_running_boots_clean(board):
    define(board, "import asyncio, _thread, time, machine\n"
                  "def tocker():\n"
                  " while True:\n"
                  "  time.sleep_ms(10)\n"
                  "  print('tock')\n"
                  "async def resetter():\n"
                  " await asyncio.sleep_ms(50)\n"
                  " machine.soft_reset()\n"
                  "async def main():\n"
                  " _thread.start_new_thread(tocker, ())\n"
                  " asyncio.create_task(resetter())\n"
                  " await asyncio.Event().wait()\n")
    board.send(b"asyncio.run(main())\r")
    board.expect(b"MPY: soft reboot\r\n", timeout=10)
    board.expect(b">>> ", timeout=10)
    assert repl(board, "import time; time.sleep_ms(100)") == ""      # no tock any more
    assert repl(board, "import sys; 'asyncio' in sys.modules") == "False\r\n"
