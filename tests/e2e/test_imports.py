"""Imports from the board volume as MicroPython v1.24 does them
(py/builtinimport.c): a directory is a package, with its __init__.py or
without one (a namespace package); a directory wins over name.py; module
reprs are MicroPython's."""
import functools

import pytest

import boardlib
from boardlib import Board

BOOTED = b'Type "help()" for more information.\r\n>>> '


# a 10 s deadline for each line (first commands after a boot)
repl = functools.partial(boardlib.repl, timeout=10)


@pytest.mark.parametrize("board", ["generic", "rp2", "pycom"])
def test_packages_namespace_packages_and_their_reprs(tmp_path, board):
    b = Board(tmp_path, board=board)
    try:
        b.expect(BOOTED, timeout=10)
        repl(b, "import os")
        repl(b, "os.mkdir('lib') if 'lib' not in os.listdir() else None")
        repl(b, "os.mkdir('ns'); open('ns/mod.py', 'w').write('X = 5')")
        repl(b, "os.mkdir('pk'); open('pk/__init__.py', 'w').write('Y = 6')")
        repl(b, "os.mkdir('lib/deep'); open('lib/deep/m.py', 'w').write('Z = 7')")
        repl(b, "open('ns.py', 'w').write('raise ValueError')")     # the directory wins
        got = repl(b, "import ns.mod, pk, deep.m; print(ns.mod.X, pk.Y, deep.m.Z, ns, "
                      "hasattr(ns, '__file__'), ns.mod)")
        assert got == ("5 6 7 <module 'ns'> False <module 'ns.mod' from 'ns/mod.py'>\r\n"), got
        lib = "/flash/lib" if board == "pycom" else "/lib"      # the port's sys.path
        assert repl(b, "print(pk, deep.m.__file__)") == \
            "<module 'pk' from 'pk/__init__.py'> %s/deep/m.py\r\n" % lib
    finally:
        b.quit()
