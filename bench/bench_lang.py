"""Language benchmarks (printed, never asserted), issue 15:

1. the language suite's wall time per script (soft reset + raw-paste + run,
   as run-tests.py drives a device), median, against the same protocol
   running an empty script in the same run;
2. small programs in the style of MicroPython's performance benchmarks
   (calls, recursion, floats, strings, dicts, allocation, exceptions,
   objects), each timed inside the program on the board (ticks_us, real
   clock) and, in the same run, on the board's own engine without the
   MicroPython dressing: the same libpython3.11 embedded with nothing of
   ours (bench/engine/plain_engine.c, built next to vboard): the ratio is
   what the dressing costs. Debian's /usr/bin/python3 (the same CPython,
   linked statically) is shown too. Medians.

usage: bench_lang.py [path/to/vboard]  (path/to/bench/plain_engine next to it)"""
import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lang"))
os.environ.setdefault("VBOARD", os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/vboard"))
from boardlib import Board, run_program  # noqa: E402
import run_lang  # noqa: E402

RUNS = 7

# Written for this benchmark; runs unchanged on the board and on CPython.
PROGRAMS = r"""
try:
    from time import ticks_us, ticks_diff
except ImportError:
    import time as _t
    def ticks_us():
        return _t.perf_counter_ns() // 1000
    def ticks_diff(a, b):
        return a - b

def calls(n):
    def add(a, b):
        return a + b
    x = 0
    for i in range(n):
        x = add(x, i) & 0xFFFF
    return x

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def floats(n):
    inside = 0
    for k in range(n):
        c = complex(-2 + 3 * (k % 60) / 60, -1.2 + 2.4 * (k // 60 % 40) / 40)
        z = 0j
        for _ in range(30):
            z = z * z + c
            if abs(z) > 2:
                break
        else:
            inside += 1
    return inside

def strings(n):
    words = []
    for i in range(n):
        words.append('w%d:%s' % (i, hex(i)))
    text = ' '.join(words)
    return len(text.split(' ')) + text.count(':') + len(text.upper())

def dicts(n):
    d = {}
    for i in range(n):
        d['k%d' % (i % 500)] = d.get('k%d' % (i % 500), 0) + i
    return sum(d.values())

def alloc(n):
    keep = []
    for i in range(n):
        keep.append(bytearray(64))
        keep.append([i, i + 1, i + 2])
        if len(keep) > 200:
            keep = []
    return len(keep)

def exceptions(n):
    caught = 0
    for i in range(n):
        try:
            if i % 2:
                raise ValueError(i)
            raise KeyError(i)
        except (ValueError, KeyError):
            caught += 1
    return caught

class Record:
    def __init__(self, ident, value):
        self.ident = ident
        self.value = value
        self.next = None
    def step(self, other):
        self.value = (self.value * 3 + other.value) % 1000
        return self.value

def objects(n):
    a, b = Record(1, 2), Record(2, 3)
    a.next, b.next = b, a
    total = 0
    for _ in range(n):
        total += a.step(b) + b.step(a)
        a = a.next
    return total

for name, fn, n in (('calls', calls, 300000), ('fib', fib, 24), ('floats', floats, 7200),
                    ('strings', strings, 60000), ('dicts', dicts, 150000), ('alloc', alloc, 120000),
                    ('exceptions', exceptions, 120000), ('objects', objects, 150000)):
    t = ticks_us()
    fn(n)
    print(name, ticks_diff(ticks_us(), t))
"""


def parse(out):
    got = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            got[parts[0]] = int(parts[1])
    return got


def suite_times(b):
    """Per-script wall time of the language suite, and of an empty script."""
    per, empty = [], []
    for path in sorted(glob.glob(os.path.join(HERE, "..", "tests", "lang", "*.py"))):
        name = os.path.basename(path)[:-3]
        if name.startswith("run_"):
            continue
        with open(path, "rb") as f:
            src = f.read()
        with open(run_lang.expected_path(path, "generic"), "rb") as f:
            exp = f.read()
        t = time.perf_counter()
        run_lang.run_script(b, src, exp, name)
        per.append(time.perf_counter() - t)
        t = time.perf_counter()
        run_lang.run_script(b, b"pass\n", b"", "empty")
        empty.append(time.perf_counter() - t)
    return per, empty


def run_host(cmd, out):
    r = subprocess.run(cmd, input=PROGRAMS, capture_output=True, text=True, timeout=300, check=True)
    for k, v in parse(r.stdout).items():
        out.setdefault(k, []).append(v)


def main():
    print("bench_lang: medians; the baselines are measured in the same run")
    plain = os.path.join(os.path.dirname(os.environ["VBOARD"]), "bench", "plain_engine")
    board, embedded, static = {}, {}, {}
    with tempfile.TemporaryDirectory() as d:
        b = Board(d, extra=["--heap", "64M"])   # the programs are sized for speed, not a 110 KiB heap
        try:
            b.expect(b">>> ", timeout=30)
            per, empty = suite_times(b)
            for _ in range(RUNS):
                for k, v in parse(run_program(b, PROGRAMS, timeout=300)).items():
                    board.setdefault(k, []).append(v)
                run_host([plain], embedded)
                run_host(["/usr/bin/python3", "-I", "-"], static)
        finally:
            b.quit()
    print("  language suite: %d scripts, %.1f ms a script (soft reset + raw-paste + run); "
          "an empty script %.1f ms" % (len(per), statistics.median(per) * 1000, statistics.median(empty) * 1000))
    ratios, statics = [], []
    for k in board:
        bm, em, sm = (statistics.median(x[k]) / 1000 for x in (board, embedded, static))
        ratios.append(bm / em)
        statics.append(em / sm)
        print("  %-10s: board %7.1f ms; the same libpython alone %7.1f ms (board x%.2f); "
              "/usr/bin/python3 %7.1f ms" % (k, bm, em, bm / em, sm))
    print("  geometric means: board / libpython alone x%.2f; libpython alone / /usr/bin/python3 x%.2f"
          % (statistics.geometric_mean(ratios), statistics.geometric_mean(statics)))


if __name__ == "__main__":
    main()
