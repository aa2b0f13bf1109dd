"""NeoPixel benchmark (printed, never asserted): 60-LED strip updates per
wall second from the VM to the board's strip model (np.write(): one
bitstream request on the bus line, answered at once, plus the wire's board
time, 1.85 ms for 60 pixels at 800 kHz with the latch), and pixels per
wall second, under --clock real and --clock fast. Baseline from the same
run: the same loop with a PWM duty change (duty_u16, a register write and
an event record) in place of the write. Medians.

usage: bench_neopixel.py [path/to/vboard]"""
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
os.environ.setdefault("VBOARD", os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/vboard"))
from boardlib import Board, repl  # noqa: E402

N = 500             # updates per figure
RUNS = 5
LEDS = 60

PROG = """
import neopixel
from machine import Pin, PWM
np = neopixel.NeoPixel(Pin(13), %d)
pwm = PWM(Pin(4), freq=1000)
def loop(kind, n):
    if kind == 'pwm duty':
        for k in range(n): pwm.duty_u16(k & 0xFFFF)
    else:
        for k in range(n):
            np[k %% %d] = (k & 255, 0, 0)
            np.write()
""" % (LEDS, LEDS)


def per_second(b, kind):
    t = time.perf_counter()
    repl(b, "loop(%r, %d)" % (kind, N), timeout=120)
    return N / (time.perf_counter() - t)


def main():
    print("bench_neopixel: %d updates of a %d-LED strip per figure, medians of %d runs; "
          "baseline (PWM duty changes) in the same run" % (N, LEDS, RUNS))
    kinds = ("pwm duty", "np.write")
    for clock in ("real", "fast"):
        got = {k: [] for k in kinds}
        with tempfile.TemporaryDirectory() as d:
            b = Board(d, board="esp32", extra=["--clock", clock])
            try:
                b.expect(b">>> ", timeout=30)
                assert repl(b, "exec(%r)" % PROG) == ""
                for _ in range(RUNS):
                    for k in kinds:
                        got[k].append(per_second(b, k))
                assert b.ctl("neopixel", pin="13")["latches"] == RUNS * N
            finally:
                b.quit()
        for k in kinds:
            m = statistics.median(got[k])
            extra = "  (%8.0f pixels/s)" % (m * LEDS) if k == "np.write" else ""
            print("  --clock %-4s %-9s: %8.0f updates per wall s%s" % (clock, k, m, extra))


if __name__ == "__main__":
    main()
