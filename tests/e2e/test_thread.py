"""_thread on the board (issue 13 §4): threads run while the REPL waits for
input (the input wait releases the GIL), an exception in a thread prints as
upstream's modthread.c prints it, Ctrl-C still reaches the main thread, and
a soft reset ends every thread (the VM is a process that exits) without
waiting on them; no syscall beyond the sandbox's allow-list is needed."""
import os
import re

import pytest

from boardlib import Board, repl, wait_until


@pytest.fixture
def board(tmp_path):
    b = Board(tmp_path)
    b.expect(b">>> ", timeout=20)
    yield b
    b.quit()


def define(b, code):
    assert repl(b, "exec(%r)" % code, timeout=10) == ""


def test_threads_run_while_the_repl_waits_for_input(board):
    define(board, "import _thread, time\n"
                  "def later():\n"
                  " for i in range(3):\n"
                  "  time.sleep_ms(20)\n"
                  "  print('from thread', i)\n")
    assert repl(board, "_thread.start_new_thread(later, ())") == ""
    # nothing more is typed: the REPL sits in its input wait meanwhile
    board.expect(b"from thread 0\r\nfrom thread 1\r\nfrom thread 2\r\n", timeout=10)
    assert repl(board, "1 + 1") == "2\r\n"
    assert board.ctl("status")["sandbox_refusals"] == 0      # threads need no new syscall


def test_a_thread_computes_while_the_repl_is_idle(board):
    define(board, "import _thread\n"
                  "box = [0]\n"
                  "def count():\n"
                  " while box[0] < 10**9:\n"
                  "  box[0] += 1\n")
    repl(board, "_thread.start_new_thread(count, ())")
    seen = int(repl(board, "box[0]"))
    # each look is a REPL round trip; between them the thread counts on
    wait_until(lambda: int(repl(board, "box[0]")) > seen + 1000, 10, "the thread counting")


def test_an_exception_in_a_thread_prints_as_upstream(board):
    board.raw_enter()
    out, err = board.raw_exec(b"import _thread, time\n"
                              b"def boom(x):\n"
                              b"    raise ValueError(x)\n"
                              b"_thread.start_new_thread(boom, ('bang',))\n"
                              b"_thread.start_new_thread(_thread.exit, ())\n"
                              b"time.sleep_ms(100)\n", timeout=10)
    assert err == b""
    assert re.fullmatch(rb"Unhandled exception in thread started by <function boom at 0x[0-9a-f]+>\r\n"
                        rb"Traceback \(most recent call last\):\r\n"
                        rb'  File "<stdin>", line 3, in boom\r\n'
                        rb"ValueError: bang\r\n", out), out


def test_ctrl_c_reaches_the_main_thread_while_threads_run(board):
    define(board, "import _thread, time\n"
                  "def spin():\n"
                  " while True:\n"
                  "  pass\n")
    repl(board, "_thread.start_new_thread(spin, ()); _thread.start_new_thread(spin, ())")
    board.send(b"print('main'); time.sleep(3600)\r")
    board.expect(b"main\r\n", timeout=10)
    board.send(b"\x03")
    assert board.expect(b">>> ", timeout=10).endswith(b"KeyboardInterrupt: \r\n>>> ")


def test_a_soft_reset_ends_every_thread(board):
    define(board, "import _thread, time\n"
                  "lock = _thread.allocate_lock(); lock.acquire()\n"
                  "def spin():\n"
                  " while True:\n"
                  "  pass\n"
                  "def blocked():\n"
                  " lock.acquire()\n"
                  "def tocker():\n"
                  " while True:\n"
                  "  time.sleep_ms(10)\n"
                  "  print('tock')\n")
    repl(board, "[_thread.start_new_thread(f, ()) for f in (spin, blocked, tocker)]")
    board.expect(b"tock\r\n", timeout=10)
    old = board.vm_pid()
    board.send(b"\x04")
    board.expect(b"MPY: soft reboot\r\n", timeout=10)
    board.expect(b"Type \"help()\" for more information.\r\n>>> ", timeout=10)
    wait_until(lambda: not os.path.exists("/proc/%d" % old), 10, "the old VM to be gone")
    assert board.vm_pid() != old
    # the next boot is clean: 200 ms of its board time without a tock
    assert repl(board, "import time; time.sleep_ms(200)") == ""
    assert repl(board, "import sys; 'tock' in repr(sys.modules)") == "False\r\n"


def test_pycom_has_the_thread_module(tmp_path):
    b = Board(tmp_path, board="pycom")
    try:
        b.expect(b">>> ", timeout=20)
        assert repl(b, "import _thread; _thread.allocate_lock().acquire()") == "True\r\n"
    finally:
        b.quit()


def test_a_thread_s_sleeps_do_not_hide_the_main_thread_s_under_the_fast_clock(tmp_path):
    """Each thread's idle wait counts: when a thread's sleep ends, the main
    thread's hour still lets the fast clock jump (it would otherwise take
    an hour of wall time)."""
    b = Board(tmp_path, board="esp32", extra=["--clock", "fast"])
    try:
        b.expect(b">>> ", timeout=20)
        define(b, "import _thread, time\n"
                  "naps = []\n"
                  "def napper():\n"
                  " for i in range(5):\n"
                  "  time.sleep_ms(100)\n"
                  "  naps.append(i)\n")
        t = b.ctl("clock")["board_us"]
        assert repl(b, "_thread.start_new_thread(napper, ()); t0 = time.ticks_ms(); time.sleep(3600); "
                       "naps, time.ticks_diff(time.ticks_ms(), t0) >= 3600000", timeout=10) == \
            "([0, 1, 2, 3, 4], True)\r\n"
        assert b.ctl("clock")["board_us"] >= t + 3600 * 1000000
    finally:
        b.quit()


def test_a_thread_blocked_on_a_lock_lets_the_fast_clock_jump(tmp_path):
    """The main thread waits on a lock a worker frees after an hour of
    board time: blocked, it does not run, so the board is idle and the
    fast clock jumps the hour."""
    b = Board(tmp_path, board="esp32", extra=["--clock", "fast"])
    try:
        b.expect(b">>> ", timeout=20)
        define(b, "import _thread, time\n"
                  "lock = _thread.allocate_lock(); lock.acquire()\n"
                  "def worker():\n"
                  " time.sleep(3600)\n"
                  " lock.release()\n")
        t = b.ctl("clock")["board_us"]
        assert repl(b, "_thread.start_new_thread(worker, ()); t0 = time.ticks_ms(); _ = lock.acquire(); "
                       "time.ticks_diff(time.ticks_ms(), t0) >= 3600000", timeout=10) == "True\r\n"
        assert b.ctl("clock")["board_us"] >= t + 3600 * 1000000
        assert b.ctl("status")["sandbox_refusals"] == 0
    finally:
        b.quit()
