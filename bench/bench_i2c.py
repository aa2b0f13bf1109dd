"""I2C benchmarks (printed, never asserted): transactions per wall second
from the VM to the device models in the supervisor (one request each way
on the I2C line, plus the transaction's board time at the bus frequency),
under --clock real and --clock fast, with a baseline from the same run:
the same loop calling a Python function in place of the bus. Medians.

usage: bench_i2c.py [path/to/vboard]"""
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
os.environ.setdefault("VBOARD", os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/vboard"))
from boardlib import Board, repl  # noqa: E402

N = 2000            # transactions per figure
RUNS = 5

PROG = """
from machine import I2C
i = I2C(0, freq=400000)
nop = lambda a, b: 2
buf = bytearray(16)
def loop(kind, n):
    if kind == 'baseline':
        for _ in range(n): nop(0x3c, b'\\x80\\xe3')
    elif kind == 'writeto':
        for _ in range(n): i.writeto(0x3c, b'\\x80\\xe3')         # an SSD1306 NOP command
    elif kind == 'scan':
        for _ in range(n // 112): i.scan()                        # 112 address probes each
    else:
        for _ in range(n // 2): i.readfrom_mem_into(0x50, 0, buf, addrsize=16)   # 2 transactions
"""


def per_second(b, kind):
    t = time.perf_counter()
    repl(b, "loop(%r, %d)" % (kind, N), timeout=120)
    return N / (time.perf_counter() - t)


def main():
    print("bench_i2c: %d transactions per figure, medians of %d runs; baseline in the same run" % (N, RUNS))
    kinds = ("baseline", "writeto", "readfrom_mem", "scan")
    for clock in ("real", "fast"):
        got = {k: [] for k in kinds}
        with tempfile.TemporaryDirectory() as d:
            b = Board(d, board="esp32", extra=["--clock", clock, "--i2c", "0:0x50=eeprom,0:0x3c=ssd1306"])
            try:
                b.expect(b">>> ", timeout=30)
                assert repl(b, "exec(%r)" % PROG) == ""
                for _ in range(RUNS):
                    for k in kinds:
                        got[k].append(per_second(b, k))
            finally:
                b.quit()
        for k in kinds:
            print("  --clock %-4s %-12s: %8.0f transactions per wall s" % (clock, k, statistics.median(got[k])))


if __name__ == "__main__":
    main()
