"""The MicroPython-style modules a board offers, over the real pty, and the
boot-sequence cases boot.md §3 lists (main.py looping, sys.exit)."""
import time

import pytest

from boardlib import BANNER, Board


@pytest.fixture
def board(tmp_path):
    b = Board(tmp_path)
    b.expect(BANNER, timeout=10)
    yield b
    b.quit()


def ask(b, line, want):
    b.send(line + b"\r")
    b.expect_exact(line + b"\r\n" + want + b"\r\n>>> ")


def test_stdlib_modules(board):
    board.send(b"import errno, binascii, hashlib, struct, json, random, re, collections, io, gc, sys, os, time\r")
    board.expect_exact(b"import errno, binascii, hashlib, struct, json, random, re, collections, io, gc, sys, os, time\r\n>>> ")
    ask(board, b"errno.ENOENT, binascii.hexlify(b'ab')", b"(2, b'6162')")
    ask(board, b"hashlib.sha256(b'abc').hexdigest()[:16]", b"'ba7816bf8f01cfea'")
    ask(board, b"struct.unpack('<HI', struct.pack('<HI', 1, 2))", b"(1, 2)")
    ask(board, b"json.loads(json.dumps({'a': [1, None]}))", b"{'a': [1, None]}")
    ask(board, b"re.match(r'a(b+)', 'abbc').group(1)", b"'bb'")
    ask(board, b"collections.deque([1, 2]).pop(), io.BytesIO(b'xy').read(), io.StringIO('s').read()",
        b"(2, b'xy', 's')")
    ask(board, b"sys.platform, sys.implementation.name, sys.path", b"('esp32', 'micropython', ['', '.frozen', '/lib'])")
    ask(board, b"time.localtime(0), time.ticks_diff(time.ticks_add(0, 5), 0)", b"((2000, 1, 1, 0, 0, 0, 5, 1), 5)")
    ask(board, b"gc.mem_free() > 0 and gc.mem_alloc() > 0", b"True")
    ask(board, b"os.uname().sysname, len(os.urandom(8))", b"('esp32', 8)")


def test_help(board):
    board.send(b"help('modules')\r")
    got = board.expect(b">>> ")
    for name in (b"machine", b"micropython", b"os", b"time", b"json"):
        assert name in got, got
    assert b"Plus any modules on the filesystem\r\n" in got
    board.send(b"help()\r")
    got = board.expect(b">>> ")
    assert b"Ctrl-D  soft reset" in got, got


def test_imports_from_lib_and_root(board):
    board.send(b"import os; os.mkdir('lib')\r")
    board.expect(b">>> ")
    board.send(b"open('lib/helper.py', 'w').write('def hi(): return \"from lib\"\\n')\r")
    board.expect(b">>> ")
    board.send(b"open('top.py', 'w').write('X = 7\\n')\r")
    board.expect(b">>> ")
    ask(board, b"import helper, top; helper.hi(), top.X", b"('from lib', 7)")


def test_main_py_loop_interrupted_then_repl(board):
    board.send(b"open('main.py', 'w').write('import time\\nwhile True:\\n    time.sleep_ms(10)\\n')\r")
    board.expect(b">>> ")
    board.send(b"\x04")
    board.expect(b"MPY: soft reboot\r\n")
    # a Ctrl-C that arrives before main.py runs is an ordinary byte
    # (repl.md §2.10): give main.py time to start, as a user would
    time.sleep(0.5)
    board.send(b"\x03")
    got = board.expect(BANNER, timeout=5)
    assert b'File "main.py", line 3, in <module>\r\nKeyboardInterrupt: \r\n' in got, got


def test_sys_exit_in_main_py_soft_resets(board):
    board.send(b"open('boot.py', 'w').write('import machine\\nif machine.reset_cause() != 5:\\n    print(\"first\")\\n')\r")
    board.expect(b">>> ")
    board.send(b"open('main.py', 'w').write('import sys, os\\nif \"flag\" not in os.listdir():\\n"
               b"    open(\"flag\", \"w\").close()\\n    sys.exit()\\nprint(\"second pass\")\\n')\r")
    board.expect(b">>> ")
    board.send(b"\x04")
    got = board.expect(BANNER, timeout=5)
    # first boot: main.py exits -> soft reboot again -> main.py prints
    assert got.count(b"MPY: soft reboot\r\n") == 2, got
    assert b"second pass\r\n" in got, got


def test_random_is_seeded_afresh_at_each_boot(board):
    """The VMs are forks of one zygote, yet each boot draws its own numbers
    (upstream seeds random from the hardware RNG on import)."""
    seen = set()
    for _ in range(3):
        board.send(b"import random; random.getrandbits(32)\r")
        got = board.expect(b">>> ")
        seen.add(got.split(b"\r\n")[1])
        board.send(b"\x04")
        board.expect(BANNER, timeout=10)
    assert len(seen) == 3, seen
