"""REPL extras over a real pty, byte for byte: Tab completion (repl.md §2.9),
input() with the line editor and Ctrl-C (§1.1, §2.10), select.poll on
sys.stdin.buffer (§1.1, §6.3 mpremote mount)."""
import ast
import time

import pytest

import modtable
from boardlib import BANNER, Board

# The modules the board offers to `import ` + Tab (engine_complete.c): the
# module table's names and u-aliases for the port (modtable.py), plus
# CPython's built-in modules minus private and host-only ones.
BOARD_MODULES = modtable.modules("esp32") + list(modtable.aliases("esp32"))
HIDDEN_BUILTINS = {"atexit", "faulthandler", "fcntl", "grp", "marshal", "posix", "pwd", "pyexpat",
                   "spwd", "syslog", "xxsubtype"}


listing = modtable.listing


@pytest.fixture
def board(tmp_path):
    b = Board(tmp_path)
    b.expect_exact(BANNER, timeout=10)
    yield b
    b.quit()


def test_tab_lists_import_names(board):
    board.send(b"import sys; sys.builtin_module_names\r")
    got = board.expect(b">>> ")
    builtin = ast.literal_eval(got.split(b"\r\n")[1].decode())
    names = set(BOARD_MODULES) | {n for n in builtin
                                  if not n.startswith("_") and n not in HIDDEN_BUILTINS}
    s_names = [n for n in names if n.startswith("s")]
    assert len(s_names) > 1
    board.send(b"import s\t")
    board.expect_exact(b"import s" + listing(s_names) + b">>> import s")
    board.send(b"\x03")
    board.expect_exact(b"\r\n>>> ")


def test_tab_completes_an_attribute(board):
    board.send(b"import os\r")
    board.expect_exact(b"import os\r\n>>> ")
    board.send(b"os.li\t")
    board.expect_exact(b"os.listdir")
    board.send(b"()\r")
    board.expect_exact(b"()\r\n['boot.py']\r\n>>> ")
    board.send(b"pri\t")           # builtins are not searched: nothing happens
    time.sleep(0.2)
    board.send(b"\x03")
    board.expect_exact(b"pri\r\n>>> ")


def test_input_edits_a_line(board):
    board.send(b"x = input('name? ')\r")
    board.expect_exact(b"x = input('name? ')\r\nname? ")
    board.send(b"bob\r")
    board.expect_exact(b"bob\r\n>>> ")
    board.send(b"x\r")
    board.expect_exact(b"x\r\n'bob'\r\n>>> ")
    # the line editor's keys work inside input(): backspace, cursor left
    board.send(b"y = input()\r")
    board.expect_exact(b"y = input()\r\n")
    board.send(b"ac\x7fb\x1b[Dz\r")
    board.expect_exact(b"ac\x08\x1b[Kb\x08zb\x08\r\n>>> ")
    board.send(b"y\r")
    board.expect_exact(b"y\r\n'azb'\r\n>>> ")


def test_ctrl_c_during_input(board):
    board.send(b"input('q> ')\r")
    board.expect_exact(b"input('q> ')\r\nq> ")
    board.send(b"ab")
    board.expect_exact(b"ab")
    t0 = time.monotonic()
    board.send(b"\x03")
    board.expect_exact(b"Traceback (most recent call last):\r\n"
                       b"  File \"<stdin>\", line 1, in <module>\r\n"
                       b"KeyboardInterrupt: \r\n>>> ", timeout=3)
    assert time.monotonic() - t0 < 1
    board.send(b"input('again: ')\r")
    board.expect_exact(b"input('again: ')\r\nagain: ")
    board.send(b"ok\r")
    board.expect_exact(b"ok\r\n'ok'\r\n>>> ")


def test_poll_sees_host_byte(board):
    board.send(b"import select, sys; p = select.poll(); p.register(sys.stdin.buffer, select.POLLIN)\r")
    board.expect(b">>> ")
    board.send(b"p.poll(0)\r")
    board.expect_exact(b"p.poll(0)\r\n[]\r\n>>> ")
    board.send(b"r = p.poll(5000); print(len(r), r[0][1], sys.stdin.buffer.read(1))\r")
    board.expect_exact(b"r = p.poll(5000); print(len(r), r[0][1], sys.stdin.buffer.read(1))\r\n")
    time.sleep(0.3)
    board.send(b"Z")
    board.expect_exact(b"1 1 b'Z'\r\n>>> ", timeout=2)
    # Ctrl-C wakes a poll waiting forever
    board.send(b"p.poll()\r")
    board.expect_exact(b"p.poll()\r\n")
    time.sleep(0.2)
    board.send(b"\x03")
    board.expect_exact(b"Traceback (most recent call last):\r\n"
                       b"  File \"<stdin>\", line 1, in <module>\r\n"
                       b"KeyboardInterrupt: \r\n>>> ", timeout=3)
