"""Board-library benchmarks (printed, never asserted): what `import asyncio`
costs a fresh VM -- the first VM after a cold start (it compiles the board
library itself and waits for the zygote's warm-up to serve heapq) and the
VMs after a soft reset (they run the code objects the zygote compiled in
its warm-up) -- and asyncio's task switches per second (sleep_ms(0) round
trips), all timed by the board's ticks_us on the real clock.

usage: bench_pylib.py [path/to/vboard]"""
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
os.environ.setdefault("VBOARD", os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/vboard"))
from boardlib import Board, repl  # noqa: E402

IMPORT = "import time; t = time.ticks_us(); import asyncio; time.ticks_diff(time.ticks_us(), t)"
SWITCHES = ("exec('async def spin(n):\\n for i in range(n):\\n  await asyncio.sleep_ms(0)\\n"
            "async def main(n):\\n await asyncio.gather(spin(n), spin(n))')")
RUNS = 9


def main():
    with tempfile.TemporaryDirectory() as d:
        b = Board(d)
        try:
            b.expect(b">>> ", timeout=30)
            first = int(repl(b, IMPORT, timeout=30))
            later = []
            for _ in range(RUNS):
                b.send(b"\x04")
                b.expect(b">>> ", timeout=30)
                later.append(int(repl(b, IMPORT, timeout=30)))
            repl(b, SWITCHES)
            us = int(repl(b, "t = time.ticks_us(); asyncio.run(main(5000)); time.ticks_diff(time.ticks_us(), t)",
                          timeout=60))
        finally:
            b.quit()
    print("board library: import asyncio in the first VM %.1f ms; after a soft reset %.1f ms (median of %d, "
          "precompiled by the zygote)" % (first / 1000, statistics.median(later) / 1000, RUNS))
    print("asyncio: %.0f task switches/s (2 tasks x 5000 sleep_ms(0))" % (10000 / (us / 1e6)))


if __name__ == "__main__":
    main()
