"""Engine guards (issue 11): deep C recursion raises MicroPython's
RuntimeError instead of crashing the VM, and the audit hook refuses the
routes into CPython's internals and the host; the board keeps answering
in the same VM each time."""
import pytest

from boardlib import BANNER, Board

DEEP = "maximum recursion depth exceeded"

NEST_LIST = "l = []; x = l\nfor i in range(100000): x.append([]); x = x[0]\n"
NEST_DICT = "d = {}; x = d\nfor i in range(100000): x[1] = {}; x = x[1]\n"

RECURSION_BOMBS = {
    "repr": NEST_LIST + "repr(l)\n",
    "str_dict": NEST_DICT + "str(d)\n",
    "json_dumps": "import json\n" + NEST_LIST + "json.dumps(l)\n",
    "json_loads": "import json\njson.loads('[' * 100000 + ']' * 100000)\n",
    "compare": NEST_LIST + "a = l\n" + NEST_LIST + "a == l\n",
    "python_calls": "def f(): f()\nf()\n",
    "dunder_repr": "class A:\n def __repr__(s): return repr(A())\nrepr(A())\n",
    "getattr": "class A:\n def __getattr__(s, n): return getattr(s, n)\nA().x\n",
    "compile_binop": "eval('1' + '+1' * 100000)\n",
    "compile_attr": "eval('a' + '.a' * 100000)\n",
    "isinstance": "t = int\nfor i in range(100000): t = (t,)\nisinstance(1, t)\n",
    # C recursions CPython itself leaves unchecked (engine_guard_depth.c)
    "map_chain": "x = iter([1])\nfor i in range(200000): x = map(abs, x)\nnext(x)\n",
    "filter_chain": "x = iter([1])\nfor i in range(200000): x = filter(None, x)\nnext(x)\n",
    "zip_chain": "x = iter([1])\nfor i in range(200000): x = zip(x)\nnext(x)\n",
    "enumerate_chain": "x = iter([1])\nfor i in range(200000): x = enumerate(x)\nnext(x)\n",
    "itertools_chain": "import itertools\nx = iter([1])\n"
                       "for i in range(200000): x = itertools.islice(x, 1)\nnext(x)\n",
    "tuple_hash": "t = ()\nfor i in range(1000000): t = (t,)\nhash(t)\n",
}

# Freeing such chains must work, however long (MicroPython's GC frees
# without recursion); each would overflow the stack without the trashcan.
FREED_CHAINS = {
    "enumerate": "x = iter([1])\nfor i in range(1000000): x = enumerate(x)\n",
    "cycle": "import itertools\nx = iter([1])\nfor i in range(1000000): x = itertools.cycle(x)\n",
}

# (label, code, last line of the report)
REFUSED = [
    ("getframe", "import sys\nsys._getframe()\n",
     "AttributeError: 'module' object has no attribute '_getframe'"),
    ("settrace", "import sys\nsys.settrace(None)\n",
     "AttributeError: 'module' object has no attribute 'settrace'"),
    ("setprofile", "import sys\nsys.setprofile(None)\n",
     "AttributeError: 'module' object has no attribute 'setprofile'"),
    ("current_frames", "import sys\nsys._current_frames()\n",
     "AttributeError: 'module' object has no attribute '_current_frames'"),
    ("gc_objects", "import gc\ngc.get_objects()\n",
     "AttributeError: 'module' object has no attribute 'get_objects'"),
    ("gc_referrers", "import gc\ngc.get_referrers([])\n",
     "AttributeError: 'module' object has no attribute 'get_referrers'"),
    ("gc_referents", "import gc\ngc.get_referents([])\n",
     "AttributeError: 'module' object has no attribute 'get_referents'"),
    ("tb_frame", "try:\n 1/0\nexcept Exception as e:\n e.__traceback__.tb_frame\n",
     "AttributeError: 'traceback' object has no attribute 'tb_frame'"),
    ("gi_frame", "def g(): yield 1\ng().gi_frame\n",
     "AttributeError: 'generator' object has no attribute 'gi_frame'"),
    ("code_replace", "compile('1', 's', 'eval').replace(co_name='g')\n",
     "TypeError: cannot create 'code' instances"),
    ("code_new", "c = compile('1', 's', 'eval')\ntype(c)(*[getattr(c, 'co_' + n) for n in "
     "'argcount posonlyargcount kwonlyargcount nlocals stacksize flags code consts names "
     "varnames filename name qualname firstlineno linetable exceptiontable freevars "
     "cellvars'.split()])\n",
     "TypeError: cannot create 'code' instances"),
    ("fileio", "import io\nio.FileIO('/etc/passwd')\n", "OSError: [Errno 1] EPERM"),
]


@pytest.fixture
def board(tmp_path):
    # The bombs build structures a million deep: a heap the size of a
    # board's would refuse them first (MemoryError), before any recursion.
    b = Board(tmp_path, extra=("--heap", "256M"))
    b.expect_exact(BANNER, timeout=10)
    yield b
    b.quit()


def alive(b):
    b.send(b"\x02")
    b.expect(b">>> ")
    b.send(b"print(6*7)\r")
    b.expect_exact(b"print(6*7)\r\n42\r\n>>> ")
    assert b"Guru Meditation" not in b.seen


def run(b, code, timeout=30):
    b.raw_enter()
    out, err = b.raw_exec(code.encode(), timeout=timeout)
    alive(b)
    return out.decode(), err.decode()


def test_recursion_bombs_raise_runtime_error(board):
    pid = board.vm_pid()
    for name, code in RECURSION_BOMBS.items():
        out, err = run(board, code)
        assert err.endswith("RuntimeError: %s\r\n" % DEEP), (name, err[-300:])
    assert board.vm_pid() == pid          # the same VM throughout


def test_long_iterator_chains_are_freed(board):
    pid = board.vm_pid()
    for name, code in FREED_CHAINS.items():
        out, err = run(board, code + "del x\nprint('freed')\n")
        assert (out, err) == ("freed\r\n", ""), (name, out, err[-300:])
    assert board.vm_pid() == pid


def test_recursion_error_is_runtime_error(board):
    out, err = run(board, """def f(): f()
try:
    f()
except RuntimeError as e:
    print('caught', type(e).__name__, repr(e.args[0]))
import sys
print(hasattr(sys, 'setrecursionlimit'), sys.getrecursionlimit())
""")
    assert err == "", err
    assert out == "caught RuntimeError '%s'\r\nFalse 1000\r\n" % DEEP, out


def test_friendly_repl_deep_repr(board):
    board.send(b"l = []; x = l\r")
    board.expect(b">>> ")
    board.send(b"for i in range(100000): x.append([]); x = x[0]\r")
    board.expect(b"... ")
    board.send(b"\r")
    board.expect(b">>> ", timeout=20)
    board.send(b"l\r")
    got = board.expect(b">>> ", timeout=20)
    assert got.endswith(b"RuntimeError: " + DEEP.encode() + b"\r\n>>> "), got[-300:]
    board.send(b"print(6*7)\r")
    board.expect_exact(b"print(6*7)\r\n42\r\n>>> ")


def test_compile_nesting_is_a_clean_error(board):
    # CPython's parser stops at 200 nested brackets (SyntaxError) and at
    # 6000 nested unary operators (MemoryError); neither may crash.
    for code, tail in (("eval('(' * 100000 + ')' * 100000)\n", "SyntaxError: too many nested parentheses"),
                       ("eval('-' * 100000 + '1')\n", "MemoryError: "),
                       ("eval('lambda:' * 100000 + '1')\n", "MemoryError: ")):
        out, err = run(board, code)
        assert err.rstrip("\r\n").endswith(tail), (code, err[-300:])


def test_audited_routes_are_refused(board):
    pid = board.vm_pid()
    for label, code, want in REFUSED:
        out, err = run(board, code)
        assert err.endswith(want + "\r\n"), (label, err[-300:])
    assert board.vm_pid() == pid


def test_stdlib_that_peeks_at_frames_still_works(board):
    # namedtuple asks sys._getframe for its module and copes with AttributeError
    out, err = run(board, """from collections import namedtuple
P = namedtuple('P', 'x y')
print(P(1, 2), P.__module__)
""")
    assert err == "", err
    assert out.startswith("P(x=1, y=2)"), out
