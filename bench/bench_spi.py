"""SPI benchmarks (printed, never asserted): transfers per wall second from
the VM to the device models in the supervisor (one request each way on the
bus line, plus the transfer's board time at the baud rate) and bytes per
wall second of 1 KiB frames into the SPI OLED, under --clock fast, with
the I2C `writeto` rate of the same run as the baseline (the same line, the
same kind of device). Medians.

usage: bench_spi.py [path/to/vboard]"""
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
os.environ.setdefault("VBOARD", os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/vboard"))
from boardlib import Board, repl  # noqa: E402

N = 2000            # transfers per figure
FRAMES = 200        # 1 KiB frames per figure
RUNS = 5

PROG = """
from machine import SPI, I2C, Pin
s = SPI(1, 10000000)
i = I2C(0, freq=400000)
cs = Pin(15, Pin.OUT, value=1)
ocs, dc = Pin(5, Pin.OUT, value=1), Pin(4, Pin.OUT, value=1)
frame = bytes(1024)
rd = bytearray(2)
def loop(kind, n):
    if kind == 'i2c writeto':
        for _ in range(n): i.writeto(0x3c, b'\\x80\\xe3')         # the baseline: an SSD1306 NOP over I2C
    elif kind == 'spi write':
        ocs(0); dc(0)
        for _ in range(n): s.write(b'\\xe3')                      # a NOP command to the SPI OLED
        ocs(1)
    elif kind == 'spi rdsr':
        cs(0)
        for _ in range(n): s.write_readinto(b'\\x05\\x00', rd)   # the EEPROM's status, full duplex
        cs(1)
    else:
        ocs(0); dc(1)
        for _ in range(n): s.write(frame)                         # a whole frame into GDDRAM
        ocs(1)
"""


def per_second(b, kind, n):
    t = time.perf_counter()
    repl(b, "loop(%r, %d)" % (kind, n), timeout=120)
    return n / (time.perf_counter() - t)


def main():
    print("bench_spi: %d transfers / %d frames per figure, medians of %d runs; the I2C writeto rate "
          "of the same run as the baseline" % (N, FRAMES, RUNS))
    kinds = ("i2c writeto", "spi write", "spi rdsr", "spi frame")
    got = {k: [] for k in kinds}
    with tempfile.TemporaryDirectory() as d:
        b = Board(d, board="esp32", extra=["--clock", "fast", "--i2c", "0:0x3c=ssd1306",
                                           "--spi", "1:5=ssd1306:dc=4,1:15=eeprom25"])
        try:
            b.expect(b">>> ", timeout=30)
            assert repl(b, "exec(%r)" % PROG) == ""
            for _ in range(RUNS):
                for k in kinds:
                    got[k].append(per_second(b, k, FRAMES if k == "spi frame" else N))
        finally:
            b.quit()
    base = statistics.median(got["i2c writeto"])
    for k in kinds:
        m = statistics.median(got[k])
        if k == "spi frame":
            print("  --clock fast %-12s: %8.0f frames per wall s = %.1f MB/s" % (k, m, m * 1024 / 1e6))
        else:
            print("  --clock fast %-12s: %8.0f transfers per wall s (x%.2f of i2c writeto)" % (k, m, m / base))


if __name__ == "__main__":
    main()
