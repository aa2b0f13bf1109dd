"""The board's module table (issue 15) on the real binary, for a board of
each port: help('modules') lists exactly the port's table entries, every
u-alias the port offers is the very module object and the others do not
import, `import u` + Tab offers the aliases, and the additions of issue 15
(heapq, errno.errorcode) behave as MicroPython v1.24's. The expected
values come from the table itself (modtable.py)."""
import ast

import pytest

import modtable
from boardlib import Board

HIDDEN_BUILTINS = {"atexit", "faulthandler", "fcntl", "grp", "marshal", "posix", "pwd", "pyexpat",
                   "spwd", "syslog", "xxsubtype"}
PROMPT = b"\r\n>>> "


@pytest.fixture(params=["esp32", "pycom", "rp2"])
def board(request, tmp_path):
    b = Board(tmp_path, board=request.param)
    b.expect(b">>> ", timeout=10)
    b.port = modtable.BOARD_PORT[request.param]
    yield b
    b.quit()


def run(b, line):
    """The output of one REPL line, between its echo and the next prompt."""
    b.send(line + b"\r")
    b.expect_exact(line + b"\r\n")
    return b.expect(b">>> ")[:-len(b">>> ")]


def test_help_modules_is_the_table(board):
    assert run(board, b"help('modules')") == modtable.help_modules(board.port)


def test_u_aliases_are_the_same_objects(board):
    board.send(b"exec('def imp(n):\\n try:\\n  return __import__(n)\\n except ImportError:\\n"
               b"  return None')\r")
    board.expect(b">>> ")
    for alias, name in sorted(modtable.aliases(board.port).items()):
        line = b"imp('%s') is imp('%s') is not None" % (alias.encode(), name.encode())
        assert run(board, line) == b"True\r\n", alias
    for alias in modtable.absent_aliases(board.port):
        assert run(board, b"imp('%s') is None" % alias.encode()) == b"True\r\n", alias
    # ...and an import statement binds it
    assert run(board, b"import ujson, json; ujson is json, ujson.dumps([1])") == b"(True, '[1]')\r\n"


def test_tab_after_import_u_offers_the_aliases(board):
    builtin = ast.literal_eval(run(board, b"import sys; sys.builtin_module_names").decode())
    names = set(modtable.aliases(board.port)) | {n for n in modtable.modules(board.port)}
    names |= {n for n in builtin if not n.startswith("_") and n not in HIDDEN_BUILTINS}
    u_names = sorted(n for n in names if n.startswith("u"))
    assert len(u_names) > 1
    board.send(b"import u\t")
    board.expect_exact(b"import u" + modtable.listing(u_names) + b">>> import u")
    board.send(b"\x03")
    board.expect_exact(PROMPT)


def test_heapq_and_errorcode(board):
    assert run(board, b"import heapq; h = [5, 1, 3]; heapq.heapify(h); heapq.heappop(h), h") == \
        b"(1, [3, 5])\r\n"
    assert run(board, b"import errno; errno.errorcode[errno.ENOENT], len(errno.errorcode)") == \
        b"('ENOENT', 22)\r\n"
    assert run(board, b"errno.EINPROGRESS in errno.errorcode, errno.errorcode.get(errno.ESRCH)") == \
        b"(True, None)\r\n"


def test_modules_of_other_ports_do_not_import(board):
    """A module of the table the port lacks (deflate, cryptolib, platform on
    Pycom; network on the Pico; another port's own module) raises v1.24's
    ImportError text, as on the real board."""
    absent = sorted({e["name"] for e in modtable.ENTRIES} - set(modtable.modules(board.port)))
    assert absent
    for name in absent:
        board.send(b"import %s\r" % name.encode())
        board.expect_exact(b"import %s\r\nTraceback (most recent call last):\r\n"
                           b"  File \"<stdin>\", line 1, in <module>\r\n"
                           b"ImportError: no module named '%s'\r\n>>> " % (name.encode(), name.encode()))
