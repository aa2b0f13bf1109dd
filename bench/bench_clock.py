"""Board-clock benchmarks (printed, never asserted): the wall time of the
Pycom safe-boot sequences (held through all three windows; released in
window 1 and 2) and of a deep sleep, under --clock fast and --clock real in
the same run. A real-clock hour is not waited for: the real deep sleep is
REAL_SLEEP_S long, and the figure is board seconds per wall second.

usage: bench_clock.py [path/to/vboard]"""
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
os.environ.setdefault("VBOARD", os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/vboard"))
from boardlib import BANNER, Board  # noqa: E402

PROMPT = b'Type "help()" for more information.\r\n>>> '
REAL_SLEEP_S = 3


def advance(b, ms):
    """Let ms of board time pass (a real clock takes them in real time)."""
    b.wait_board_us(b.ctl("advance", ms=str(ms))["until_us"], ms / 1000 + 30)


def safe_boot(b, fast, release_ms):
    """Hold P12 through a reset; release it after release_ms of board time
    (None: hold until the board decides). Wall seconds to the prompt."""
    t = time.perf_counter()
    b.ctl("advance", ms="0")       # the host holds the clock (a real one runs on)
    b.ctl("pin", name="P12", drive="high")
    b.ctl("reset")
    if release_ms is not None:
        advance(b, release_ms)
        b.ctl("pin", name="P12", drive="float")
    elif fast:
        advance(b, 10000)
    b.expect(PROMPT, timeout=30)
    b.ctl("pin", name="P12", drive="float")
    b.ctl("clock", action="free")
    return time.perf_counter() - t


def safe_boot_suite(mode):
    with tempfile.TemporaryDirectory() as d:
        b = Board(d, board="pycom", extra=["--clock", mode])
        try:
            b.expect(PROMPT, timeout=30)
            return sum(safe_boot(b, mode == "fast", r) for r in (1000, 4000, None))
        finally:
            b.quit()


def deep_sleep(mode, ms):
    with tempfile.TemporaryDirectory() as d:
        b = Board(d, board="esp32", extra=["--clock", mode])
        try:
            b.expect(b">>> ", timeout=30)
            t = time.perf_counter()
            b.send(b"import machine; machine.deepsleep(%d)\r" % ms)
            b.expect(BANNER, timeout=ms / 1000 + 30)
            return time.perf_counter() - t
        finally:
            b.quit()


def main():
    runs = 3
    real_suite = [safe_boot_suite("real") for _ in range(runs)]
    fast_suite = [safe_boot_suite("fast") for _ in range(runs)]
    hour_fast = [deep_sleep("fast", 3600 * 1000) for _ in range(5)]
    real_sleep = [deep_sleep("real", REAL_SLEEP_S * 1000) for _ in range(runs)]
    rs, fs = statistics.median(real_suite), statistics.median(fast_suite)
    hf, rr = statistics.median(hour_fast), statistics.median(real_sleep)
    print("bench_clock: medians; fast and real measured in the same run")
    print("  Pycom safe boot: release in window 1, window 2, held through (3 resets)")
    print("    --clock real %8.3f s   --clock fast %8.3f s   (x%.0f faster, n=%d)" % (rs, fs, rs / fs, runs))
    print("  deep sleep of an hour, --clock fast        %8.1f ms wall (%.0f board s per wall s, n=5)"
          % (hf * 1000, 3600 / hf))
    print("  deep sleep of %d s, --clock real             %8.1f ms wall (%.2f board s per wall s, n=%d)"
          % (REAL_SLEEP_S, rr * 1000, REAL_SLEEP_S / rr, runs))
    print("  an hour of deep sleep: fast is x%.0f of real" % ((3600 / hf) / (REAL_SLEEP_S / rr)))


if __name__ == "__main__":
    main()
