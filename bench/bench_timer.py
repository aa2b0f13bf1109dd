"""machine.Timer benchmarks (printed, never asserted): callback latency in
board time (how late after its deadline a callback runs, while the VM
sleeps and while it spins in a busy loop) and the callback rate of a 1 kHz
periodic timer in wall time, under --clock real and --clock fast in the
same run. Medians.

usage: bench_timer.py [path/to/vboard]"""
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
os.environ.setdefault("VBOARD", os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/vboard"))
from boardlib import Board, repl  # noqa: E402

SHOTS = 50          # one-shot timers per latency figure
RATE_BOARD_S = 2    # board seconds of a 1 kHz timer per rate figure
RUNS = 3

# One-shot timers of 20 ms, one after the other; each callback notes how
# late it ran (board µs after its deadline). `wait` is how the VM passes
# the time: sleeping, or spinning.
LATENCY = """
import time
from machine import Timer
late = []
def shot(wait):
    due = time.ticks_add(time.ticks_us(), 20000)
    done = []
    t = Timer(0, mode=Timer.ONE_SHOT, period=20, callback=lambda t: done.append(time.ticks_us()))
    if wait == 'sleep':
        time.sleep_ms(40)
    else:
        while not done: pass
    late.append(time.ticks_diff(done[0], due))
"""

RATE = """
import time
from machine import Timer
n = [0]
def cb(t): n[0] += 1
def run(s, wait):
    n[0] = 0
    t = Timer(1, period=1, callback=cb)
    if wait == 'sleep':
        time.sleep(s)
    else:
        end = time.ticks_add(time.ticks_ms(), s * 1000)
        while time.ticks_diff(end, time.ticks_ms()) > 0: pass
    t.deinit()
    return n[0]
"""


def board(d, clock):
    b = Board(d, board="esp32", extra=["--clock", clock])
    b.expect(b">>> ", timeout=30)
    assert repl(b, "exec(%r)" % LATENCY) == "" and repl(b, "exec(%r)" % RATE) == ""
    return b


def latency(b, wait):
    repl(b, "late = []")
    for _ in range(SHOTS):
        repl(b, "shot(%r)" % wait, timeout=10)
    return statistics.median(eval(repl(b, "print(late)")))


def rate(b, wait):
    t = time.perf_counter()
    n = int(repl(b, "run(%d, %r)" % (RATE_BOARD_S, wait), timeout=60))
    return n, n / (time.perf_counter() - t)


def main():
    print("bench_timer: medians of %d runs; real and fast measured in the same run" % RUNS)
    for clock in ("real", "fast"):
        lat = {"sleep": [], "busy": []}
        rates = {"sleep": [], "busy": []}
        counts = {"sleep": [], "busy": []}
        for _ in range(RUNS):
            with tempfile.TemporaryDirectory() as d:
                b = board(d, clock)
                try:
                    for wait in ("sleep", "busy"):
                        lat[wait].append(latency(b, wait))
                        n, r = rate(b, wait)
                        counts[wait].append(n)
                        rates[wait].append(r)
                finally:
                    b.quit()
        for wait in ("sleep", "busy"):
            print("  --clock %-4s VM %-5s: callback latency %7.0f us board time (n=%d); "
                  "1 kHz timer: %5.0f callbacks per wall s (%d in %d board s)"
                  % (clock, wait, statistics.median(lat[wait]), SHOTS, statistics.median(rates[wait]),
                     statistics.median(counts[wait]), RATE_BOARD_S))


if __name__ == "__main__":
    main()
