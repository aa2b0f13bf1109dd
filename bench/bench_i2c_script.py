"""Script-device benchmark (printed, never asserted): I2C transactions per
wall second from the VM to a script-defined device (a round trip through
the supervisor to its python3 helper and back; --clock fast, so the
modelled bus time does not bound it) against the same
transactions to a built-in model in the same run, and the loop's own cost
as a baseline (a Python call in place of the bus). Medians.

usage: bench_i2c_script.py [path/to/vboard]"""
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

DEVICE = """
regs = {}
def read_reg(reg):
    return regs.get(reg, 0)
def write_reg(reg, value):
    regs[reg] = value
"""

PROG = """
from machine import I2C
i = I2C(0, freq=400000)
nop = lambda a, b: 2
buf = bytearray(2)
def loop(kind, n):
    if kind == 'baseline':
        for _ in range(n): nop(0x48, b'\\x01\\x02')
    elif kind == 'writeto built-in':
        for _ in range(n): i.writeto(0x3c, b'\\x80\\xe3')         # an SSD1306 NOP command
    elif kind == 'writeto script':
        for _ in range(n): i.writeto(0x48, b'\\x01\\x02')         # register 1 := 2
    else:
        for _ in range(n // 2): i.readfrom_mem_into(0x48, 1, buf)  # 2 transactions
"""


def per_second(b, kind):
    t = time.perf_counter()
    repl(b, "loop(%r, %d)" % (kind, N), timeout=120)
    return N / (time.perf_counter() - t)


def main():
    print("bench_i2c_script: %d transactions per figure, medians of %d runs; built-in model and baseline "
          "in the same run" % (N, RUNS))
    kinds = ("baseline", "writeto built-in", "writeto script", "readfrom_mem script")
    got = {k: [] for k in kinds}
    with tempfile.TemporaryDirectory() as d:
        dev = os.path.join(d, "dev.py")
        with open(dev, "w") as f:
            f.write(DEVICE)
        b = Board(d, board="esp32", extra=["--clock", "fast", "--i2c", "0:0x3c=ssd1306,0:0x48=script:" + dev])
        try:
            b.expect(b">>> ", timeout=30)
            assert repl(b, "exec(%r)" % PROG) == ""
            for _ in range(RUNS):
                for k in kinds:
                    got[k].append(per_second(b, k))
        finally:
            b.quit()
    for k in kinds:
        print("  %-20s: %8.0f transactions per wall s" % (k, statistics.median(got[k])))


if __name__ == "__main__":
    main()
