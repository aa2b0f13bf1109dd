"""The board's heap (issue 15 "Memory"): gc.mem_alloc() and gc.mem_free()
are the engine's accounting of device code's live blocks priced as a
MicroPython heap's (board/heap.h), they add up to the profile's heap size,
a request beyond it raises upstream's MemoryError and the board goes on;
`--heap` gives a board another heap."""
import subprocess

import pytest

from boardlib import Board, repl, run_program
from conftest import VBOARD

HEAPS = {"esp32": 111168, "rp2": 216 * 1024, "pycom": 2560 * 1024}


def start(tmp_path, board="esp32", extra=()):
    b = Board(tmp_path, board=board, extra=extra)
    b.expect(b">>> ", timeout=10)
    return b


@pytest.fixture
def board(tmp_path):
    b = start(tmp_path)
    yield b
    b.quit()


def numbers(out):
    return [int(w) for w in out.split()]


@pytest.mark.parametrize("name", sorted(HEAPS))
def test_alloc_and_free_add_up_to_the_boards_heap(tmp_path, name):
    b = start(tmp_path, name)
    try:
        alloc, free = numbers(run_program(b, "import gc\nprint(gc.mem_alloc(), gc.mem_free())\n"))
        assert alloc + free == HEAPS[name]
        assert 0 < alloc < 16 * 1024, alloc      # what boot and the REPL hold
        info = repl(b, "import micropython; micropython.mem_info()")
        assert "GC: total: %d, used: " % HEAPS[name] in info, info
    finally:
        b.quit()


def test_a_buffer_is_charged_its_size_and_given_back(board):
    out = run_program(board, (
        "import gc\n"
        "a0 = gc.mem_alloc()\n"
        "buf = bytearray(50000)\n"
        "a1 = gc.mem_alloc()\n"
        "del buf\n"
        "a2 = gc.mem_alloc()\n"
        "print(a1 - a0, a2 - a0, gc.mem_alloc() + gc.mem_free())\n"))
    grew, left, total = numbers(out)
    assert 50000 <= grew <= 50100, grew
    assert abs(left) <= 512, left        # the globals dict grew by three names
    assert total == HEAPS["esp32"]


def test_objects_cost_what_a_32_bit_heap_holds(board):
    # A list's table costs its host size, ints of up to 30 bits nothing (a
    # MicroPython small int), a float one 16-byte block, like upstream's.
    out = run_program(board, (
        "import gc\n"
        "a0 = gc.mem_alloc()\n"
        "ints = list(range(1000, 6000))\n"
        "a1 = gc.mem_alloc()\n"
        "floats = [i * 0.5 for i in range(1000)]\n"
        "a2 = gc.mem_alloc()\n"
        "print(a1 - a0, a2 - a1)\n"))
    ints, floats = numbers(out)
    assert 40000 <= ints <= 41000, ints          # 5000 host pointers, no int objects
    assert 16000 + 8000 <= floats <= 16000 + 9000, floats  # 1000 blocks + the table


def test_beyond_the_heap_is_upstreams_memory_error_and_the_board_goes_on(board):
    got = repl(board, "b = bytearray(200000)")
    assert got.endswith("MemoryError: memory allocation failed, allocating 200001 bytes\r\n"), got
    assert repl(board, "1 + 1") == "2\r\n"
    # a leak that fills the heap: caught, let go, and the program runs on
    # (in a function: a new global in a full heap fails on a board too)
    out = run_program(board, (
        "import gc\n"
        "def fill():\n"
        "    held = []\n"
        "    try:\n"
        "        while True:\n"
        "            held.append(bytes(1000))\n"
        "    except MemoryError as e:\n"
        "        n = len(held)\n"
        "        held = None\n"
        "        return n, e\n"
        "n, e = fill()\n"
        "print(n, e)\n"
        "gc.collect()\n"
        "print(gc.mem_free() > 100000)\n"))
    first, rest = out.split(" ", 1)
    assert 95 <= int(first) <= 110, out     # 1 KiB blocks in 108 KiB
    assert rest.startswith("memory allocation failed, allocating "), out
    assert out.endswith("True\r\n"), out


def test_cycles_are_collected_before_the_heap_runs_out(board):
    # Upstream collects when the heap is full; CPython's collector counts
    # objects, not bytes, so the board schedules one as the heap fills.
    out = run_program(board, (
        "class Node:\n"
        "    def __init__(self):\n"
        "        self.me = self\n"
        "        self.buf = bytearray(2000)\n"
        "for i in range(2000):\n"
        "    Node()\n"
        "print('done')\n"))
    assert out == "done\r\n"


def test_heap_lock_text(board):
    out = run_program(board, (
        "import micropython\n"
        "def f():\n"
        "    micropython.heap_lock()\n"
        "    try:\n"
        "        bytearray(10)\n"
        "    except MemoryError as e:\n"
        "        micropython.heap_unlock()\n"
        "        return e.args\n"
        "print(f())\n"))
    assert out == "('memory allocation failed, heap is locked',)\r\n"


def test_a_soft_reset_gives_the_heap_back(board):
    run_program(board, "keep = bytearray(60000)\n")
    board.send(b"\x04")
    board.expect(b">>> ", timeout=10)
    alloc = numbers(run_program(board, "import gc\nprint(gc.mem_alloc())\n"))[0]
    assert alloc < 16 * 1024, alloc


def test_imported_code_is_charged_as_bytecode(board):
    # 100 small functions: upstream's bytecode for them is some KiB, not the
    # ~100 KiB CPython's code objects and its compiler's trees take.
    src = "".join("def f%d(x):\n    return x * %d + len(str(x))\n" % (i, i) for i in range(100))
    out = run_program(board, (
        "import gc\n"
        "with open('many.py', 'w') as f:\n"
        "    f.write(%r)\n"
        "gc.collect()\n"
        "a0 = gc.mem_alloc()\n"
        "import many\n"
        "print(gc.mem_alloc() - a0, many.f7(3))\n") % src)
    cost, value = numbers(out)
    assert value == 3 * 7 + 1
    assert 3000 <= cost <= 30000, cost


def test_heap_option_sizes_the_board(tmp_path):
    b = start(tmp_path, extra=("--heap", "4M"))
    try:
        alloc, free = numbers(run_program(b, "import gc\nprint(gc.mem_alloc(), gc.mem_free())\n"))
        assert alloc + free == 4 << 20
        assert repl(b, "len(bytearray(1000000))") == "1000000\r\n"   # SPIRAM-sized
    finally:
        b.quit()


@pytest.mark.parametrize("value", ["1K", "12", "300M", "4G", "-1", "4X", "111161"])
def test_heap_option_refuses_bad_sizes(tmp_path, value):
    r = subprocess.run([VBOARD, "run", "--heap", value, "--flash", str(tmp_path / "f.bin")],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    assert r.returncode == 2, r
    assert b"--heap" in r.stderr, r.stderr
    assert not (tmp_path / "f.bin").exists()


HEAP_SCENARIO = """\
name: the heap a scenario's board gets
version: 1
steps:
  - wait-serial: ">>> "
  - exec: "import gc; print(gc.mem_alloc() + gc.mem_free())"
    expect-output: "1048576"
"""


def test_scenarios_take_the_heap_option(tmp_path):
    sc = tmp_path / "heap.yaml"
    sc.write_text(HEAP_SCENARIO)
    r = subprocess.run([VBOARD, "test", str(sc), "--heap", "1M"], capture_output=True, timeout=120)
    assert r.returncode == 0, r
    r = subprocess.run([VBOARD, "test", str(sc), "--heap", "2K"], capture_output=True, timeout=120)
    assert r.returncode == 2 and b"--heap" in r.stderr, r


def test_exec_and_eval_compile_off_the_heap(board):
    # exec/eval compile first (the trees uncharged, the code charged), then
    # run as CPython's would: eval's leading blanks are no indent.
    src = "".join("def g%d(x):\\n    return x + %d\\n" % (i, i) for i in range(200))
    out = run_program(board, (
        "import gc\n"
        "ns = {}\n"
        "a0 = gc.mem_alloc()\n"
        "exec('%s', ns)\n"
        "print(gc.mem_alloc() - a0, ns['g5'](1), eval('  1 + 2'), eval(b'\\t3 * 3'))\n") % src)
    cost, g5, three, nine = numbers(out)
    assert (g5, three, nine) == (6, 3, 9)
    assert 5000 <= cost <= 60000, cost


@pytest.mark.parametrize("threshold, collected", [(-1, False), (4096, True)])
def test_threshold_collects_after_so_many_bytes(board, threshold, collected):
    # 20 cycles of 1 KB each: far from a full heap and from CPython's own
    # 700-object trigger, so only gc.threshold() collects them on the way
    out = run_program(board, (
        "import gc\n"
        "gc.collect()\n"
        "gc.threshold(%d)\n"
        "freed = [0]\n"
        "class Node:\n"
        "    def __init__(self):\n"
        "        self.me = self\n"
        "        self.buf = bytearray(1000)\n"
        "    def __del__(self):\n"
        "        freed[0] += 1\n"
        "for i in range(20):\n"
        "    Node()\n"
        "print(freed[0])\n") % threshold)
    assert (int(out) > 0) == collected, out


def test_a_class_costs_about_what_upstream_s_does(board):
    # CPython's type object (~960 bytes) and its instances' shared key table
    # (~770) would make a class cost 2 KB here; upstream's takes ~150 bytes
    out = run_program(board, (
        "import gc\n"
        "a0 = gc.mem_alloc()\n"
        "class A:\n"
        "    pass\n"
        "a1 = gc.mem_alloc()\n"
        "import asyncio\n"
        "print(a1 - a0, gc.mem_alloc() - a1)\n"))
    cls, aio = numbers(out)
    assert 0 < cls <= 512, cls
    assert 5000 < aio < 25000, aio       # asyncio's 20-odd classes and its functions
