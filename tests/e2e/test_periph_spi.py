"""machine.SPI and SoftSPI with devices the host controls (issue 16): the
devices live in the supervisor (`--spi BUS:CS=MODEL[:dc=PIN][:res=PIN]`),
each selected by its chip-select pin, which the program drives as on a
board. A 25LC256 EEPROM (WREN, page writes, the WIP bit, kept across
resets and power cycles) and an SSD1306 on 4-wire SPI driven as
MicroPython's SSD1306_SPI drives it, whose frame `ctl screenshot ...
spi:BUS:CS` saves as a PNG, compared here pixel by pixel with the framebuf
the program drew. Per port: esp32's and rp2's constructors, defaults,
reprs and errors."""
import json
import subprocess

import pytest

from boardlib import Board, repl, run_program
from conftest import VBOARD
from test_periph_i2c import decode_png

# esp32: on SPI(1) (SCK 14, MOSI 13, MISO 12) an OLED (CS 5, D/C 4, RES 16)
# and an EEPROM (CS 15)
DEVICES = "1:5=ssd1306:dc=4:res=16,1:15=eeprom25"


def board(tmp_path, port="esp32", devices=DEVICES, extra=()):
    b = Board(tmp_path, board=port, extra=(["--spi", devices] if devices else []) + list(extra))
    b.expect(b">>> ", timeout=20)
    return b


@pytest.fixture
def esp32(tmp_path):
    b = board(tmp_path)
    yield b
    b.quit()




def error(b, line):
    """The last line of the traceback a REPL line ends with."""
    return repl(b, line).rstrip("\r\n").split("\r\n")[-1]


def test_esp32_spi_constructors_reprs_and_errors(esp32):
    b = esp32
    assert repl(b, "from machine import SPI, SoftSPI, Pin; s = SPI(1); s") == \
        "SPI(id=1, baudrate=500000, polarity=0, phase=0, bits=8, firstbit=0, sck=14, mosi=13, miso=12)\r\n"
    assert repl(b, "SPI(2)") == \
        "SPI(id=2, baudrate=500000, polarity=0, phase=0, bits=8, firstbit=0, sck=18, mosi=23, miso=19)\r\n"
    assert repl(b, "SPI(1) is s, SPI.MSB, SPI.LSB") == "(True, 0, 1)\r\n"     # a static peripheral
    # ESP-IDF's divider: 80 MHz / (pre * n), the nearest (7 MHz: 80 / 11 = 7.27 MHz)
    assert repl(b, "SPI(1, 7000000, polarity=1, phase=1, bits=16, firstbit=SPI.LSB, sck=Pin(25), miso=None)") == \
        "SPI(id=1, baudrate=7272727, polarity=1, phase=1, bits=16, firstbit=1, sck=25, mosi=13, miso=-1)\r\n"
    assert repl(b, "s.init(baudrate=1000000, firstbit=0); s") == \
        "SPI(id=1, baudrate=1000000, polarity=1, phase=1, bits=16, firstbit=0, sck=25, mosi=13, miso=-1)\r\n"
    assert error(b, "SPI(0)") == "ValueError: SPI(0) doesn't exist"
    assert error(b, "SPI(3)") == "ValueError: SPI(3) doesn't exist"
    assert error(b, "s.write(b'x')") == "ValueError: buffer too short"          # one byte, 16-bit words
    assert error(b, "s = SPI(1); s.write(b'')") == "ValueError: buffer too short"
    assert error(b, "s.write_readinto(b'ab', bytearray(3))") == "ValueError: buffers must be the same length"
    assert error(b, "s.deinit(); s.read(1)") == "OSError: transfer on deinitialized SPI"
    assert repl(b, "SPI(1).read(2)") == "b'\\xff\\xff'\r\n"                   # revived; nobody selected
    # SoftSPI: all three pins, 8 bits MSB first; at 800 kHz (160 MHz / 200)
    # and above it bit-bangs with no delay
    assert repl(b, "SoftSPI(sck=Pin(14), mosi=Pin(13), miso=Pin(12))") == \
        "SoftSPI(baudrate=500000, polarity=0, phase=0, sck=14, mosi=13, miso=12)\r\n"
    assert repl(b, "SoftSPI(300000, sck=Pin(14), mosi=Pin(13), miso=Pin(12))") == \
        "SoftSPI(baudrate=250000, polarity=0, phase=0, sck=14, mosi=13, miso=12)\r\n"
    assert repl(b, "t = SoftSPI(2000000, polarity=1, sck=Pin(14), mosi=Pin(13), miso=Pin(12)); t") == \
        "SoftSPI(baudrate=800000, polarity=1, phase=0, sck=14, mosi=13, miso=12)\r\n"
    assert repl(b, "t.init(100000, 0, 1, sck=Pin(18)); t") == \
        "SoftSPI(baudrate=100000, polarity=0, phase=1, sck=18, mosi=13, miso=12)\r\n"
    assert error(b, "SoftSPI(sck=Pin(14), mosi=Pin(13))") == "ValueError: must specify all of sck/mosi/miso"
    assert error(b, "SoftSPI(bits=16, sck=Pin(14), mosi=Pin(13), miso=Pin(12))") == "ValueError: bits must be 8"
    assert error(b, "SoftSPI(firstbit=SPI.LSB, sck=1, mosi=2, miso=3)") == "ValueError: firstbit must be MSB"


def test_rp2_spi_constructors_reprs_and_errors(tmp_path):
    b = board(tmp_path, "rp2", "0:17=eeprom25")
    try:
        # pico-sdk's divider: 125 MHz / (2 * 63) for 1 MHz
        assert repl(b, "from machine import SPI, SoftSPI, Pin; s = SPI(0); s") == \
            "SPI(0, baudrate=992063, polarity=0, phase=0, bits=8, sck=18, mosi=19, miso=16)\r\n"
        assert repl(b, "SPI(1, 2000000, phase=1)") == \
            "SPI(1, baudrate=1953125, polarity=0, phase=1, bits=8, sck=10, mosi=11, miso=8)\r\n"
        assert repl(b, "SPI(1)") == \
            "SPI(1, baudrate=1953125, polarity=0, phase=1, bits=8, sck=10, mosi=11, miso=8)\r\n"   # kept
        assert repl(b, "SPI(1, sck=Pin(14))") == \
            "SPI(1, baudrate=992063, polarity=0, phase=0, bits=8, sck=14, mosi=11, miso=8)\r\n"    # all reset
        assert repl(b, "SPI.MSB, SPI.LSB") == "(1, 0)\r\n"                     # pico-sdk's order
        assert error(b, "SPI(2)") == "ValueError: SPI(2) doesn't exist"
        assert error(b, "SPI(0, sck=Pin(10))") == "ValueError: bad SCK pin"
        assert error(b, "SPI(0, mosi=Pin(18))") == "ValueError: bad MOSI pin"
        assert error(b, "SPI(0, miso=Pin(17))") == "ValueError: bad MISO pin"
        assert error(b, "SPI(0, firstbit=SPI.LSB)") == "NotImplementedError: LSB"
        assert error(b, "s.init(500000)").startswith("TypeError")           # keywords only
        assert repl(b, "s.init(baudrate=500000); s.write(b''); s") == \
            "SPI(0, baudrate=500000, polarity=0, phase=0, bits=8, sck=18, mosi=19, miso=16)\r\n"
        assert repl(b, "SoftSPI(2000000, sck=Pin(18), mosi=Pin(19), miso=Pin(16))") == \
            "SoftSPI(baudrate=500000, polarity=0, phase=0, sck=18, mosi=19, miso=16)\r\n"
        # the EEPROM on SPI0: WREN, then its status through SPI and SoftSPI
        assert repl(b, "cs = Pin(17, Pin.OUT, value=1); cs(0); s.write(b'\\x06'); cs(1); "
                       "cs(0); r = s.read(2, 5); cs(1); r") == "b'\\xff\\x02'\r\n"
        assert repl(b, "t = SoftSPI(sck=Pin(18), mosi=Pin(19), miso=Pin(16)); b = bytearray(2); "
                       "cs(0); t.write_readinto(b'\\x05\\x00', b); cs(1); b") == "bytearray(b'\\xff\\x02')\r\n"
    finally:
        b.quit()


EEPROM = """
from machine import SPI, Pin
spi = SPI(1, 5000000)
cs = Pin(15, Pin.OUT, value=1)
def tx(data, n=0):
    cs(0)
    spi.write(data)
    r = spi.read(n) if n else b''
    cs(1)
    return r
def status():
    return tx(b'\\x05', 1)[0]
def wait():
    n = 0
    while status() & 1:
        n += 1
    return n
def write(addr, data):
    tx(b'\\x06')
    tx(bytes((0x02, addr >> 8, addr & 0xFF)) + data)
def read(addr, n):
    return tx(bytes((0x03, addr >> 8, addr & 0xFF)), n)
"""


def test_pycom_spi_wipy_api_with_an_eeprom(tmp_path):
    # Pycom's machspi.c: SPI(0, SPI.MASTER, *, ...), byte counts returned,
    # an int written as one byte, read's `write` keyword-only, its texts
    b = board(tmp_path, "pycom", "0:12=eeprom25")      # CS on P9 (GPIO12)
    try:
        assert repl(b, "from machine import SPI, Pin; s = SPI(0, SPI.MASTER, baudrate=2000000); s") == \
            "SPI(0, SPI.MASTER, baudrate=2000000, bits=8, polarity=0, phase=0, firstbit=SPI.MSB)\r\n"
        assert repl(b, "SPI.MASTER, SPI.MSB, SPI.LSB, SPI(0) is s") == "(0, 0, 1, True)\r\n"
        assert repl(b, "SPI(0)") == \
            "SPI(0, SPI.MASTER, baudrate=1000000, bits=8, polarity=0, phase=0, firstbit=SPI.MSB)\r\n"
        out = run_program(b, """
from machine import SPI, Pin
s = SPI(0, SPI.MASTER, baudrate=5000000, pins=('P10', 'P11', 'P14'))
cs = Pin('P9', mode=Pin.OUT)
cs(1)
def tx(data, n=0):
    cs(0)
    w = s.write(data)
    r = s.read(n, write=0xFF) if n else b''
    cs(1)
    return w, r
print(tx(6))                                        # WREN as an int
print(tx(bytes((0x02, 0, 0x40)) + b'pycom'))        # WRITE
while tx(5, 1)[1][0] & 1:                           # RDSR until WIP clears: the write cycle's end
    pass
print(tx(bytes((0x03, 0, 0x40)), 5))
buf = bytearray(8)
cs(0)
print(s.write_readinto(bytes((0x03, 0, 0x40)) + bytes(5), buf), buf[3:])
cs(1)
print(s.readinto(bytearray(2)))
""")
        assert out == "(1, b'')\r\n(8, b'')\r\n(3, b'pycom')\r\n8 bytearray(b'pycom')\r\n2\r\n", out
        assert error(b, "SPI(1)") == "OSError: resource not available"
        for bad in ("SPI(0, mode=1)", "SPI(0, bits=12)", "SPI(0, polarity=2)", "SPI(0, baudrate=0)",
                    "s.write_readinto(b'ab', bytearray(3))"):
            assert error(b, bad) == "ValueError: invalid argument(s) value", bad
        assert error(b, "SPI(0, pins=('P10',))") == "ValueError: requested length 3 but object has length 1"
        assert error(b, "s.read(1, 0)").startswith("TypeError: ")
        assert repl(b, "s.deinit(); s") == "SPI(0)\r\n"
        assert error(b, "s.write(b'x')") == "OSError: the requested operation is not possible"
        assert repl(b, "s.init(baudrate=500000, bits=16); s") == \
            "SPI(0, SPI.MASTER, baudrate=500000, bits=16, polarity=0, phase=0, firstbit=SPI.MSB)\r\n"
    finally:
        b.quit()


def test_eeprom25_pages_wip_and_persistence(esp32):
    out = run_program(esp32, EEPROM + """
print(status())
write(0x0010, b'written')
wait()
tx(b'\\x06')
tx(b'\\x04')                               # WREN, then WRDI
tx(bytes((0x02, 0, 0x30)) + b'nope')      # WRITE without WEL: ignored
print(status(), read(0x30, 4))
import time
write(0x7FFC, b'ABCDEFGH')                # wraps inside its 64-byte page
t0 = time.ticks_us()
busy = status() & 3 == 3 and wait() > 0   # WIP and WEL during the cycle, polled until it ends...
print(busy or time.ticks_diff(time.ticks_us(), t0) >= 5000, status())   # ...unless the host stalled that long
print(read(0x7FFC, 4), read(0x7FC0, 4), read(0x0010, 7))
write(0x0100, b'slept')
time.sleep_ms(6)                          # the cycle (5 ms) ran from CS rising: no need to poll WIP
print(read(0x0100, 5))
""")
    assert out == "0\r\n0 b'\\xff\\xff\\xff\\xff'\r\nTrue 0\r\nb'ABCD' b'EFGH' b'written'\r\nb'slept'\r\n", out
    # a chip on the board: kept across a soft reset and a power cycle
    esp32.send(b"\x04")
    esp32.expect(b">>> ", timeout=10)
    check = EEPROM + "print(status(), read(0x7FC0, 4))"
    assert run_program(esp32, check) == "0 b'EFGH'\r\n"
    run_program(esp32, EEPROM + "tx(b'\\x06')")                      # WEL set: volatile
    esp32.ctl("power", state="cycle")
    esp32.expect(b">>> ", timeout=20)
    assert run_program(esp32, check) == "0 b'EFGH'\r\n"


def test_soft_reset_releases_chip_select(esp32):
    # a WRITE whose CS is still low when the program ends: the soft reset
    # lets go of the pins, the part sees CS rise and writes the page
    run_program(esp32, EEPROM + """
write(0x0200, b'')
wait()
tx(b'\\x06')
cs(0)
spi.write(b'\\x02\\x02\\x00Q')
""")
    devs = {d["cs"]: d for d in esp32.ctl("spi")["devices"]}
    assert devs[15]["selected"] is True and devs[5]["selected"] is False, devs
    esp32.send(b"\x04")
    esp32.expect(b">>> ", timeout=10)
    devs = {d["cs"]: d for d in esp32.ctl("spi")["devices"]}
    assert devs[15]["selected"] is False, devs
    assert run_program(esp32, EEPROM + "wait(); print(read(0x0200, 1))") == "b'Q'\r\n"


# MicroPython's SSD1306_SPI, as its ssd1306.py drives the part: a RES
# pulse, then each command under its own CS with D/C low, the frame with
# D/C high, the bus re-initialised before each.
DRIVER = """
import framebuf, time
from machine import SPI, Pin
class OLED:
    def __init__(self, spi, dc, res, cs):
        self.rate = 10 * 1024 * 1024
        dc.init(dc.OUT, value=0)
        res.init(res.OUT, value=0)
        cs.init(cs.OUT, value=1)
        self.spi, self.dc, self.res, self.cs = spi, dc, res, cs
        self.res(1)
        time.sleep_ms(1)
        self.res(0)
        time.sleep_ms(10)
        self.res(1)
        self.buf = bytearray(128 * 64 // 8)
        self.fb = framebuf.FrameBuffer(self.buf, 128, 64, framebuf.MONO_VLSB)
        for c in (0xAE, 0x20, 0x00, 0x40, 0xA1, 0xA8, 63, 0xC8, 0xD3, 0x00, 0xDA, 0x12,
                  0xD5, 0x80, 0xD9, 0xF1, 0xDB, 0x30, 0x81, 0xFF, 0xA4, 0xA6, 0x8D, 0x14, 0xAF):
            self.write_cmd(c)
    def write_cmd(self, cmd):
        self.spi.init(baudrate=self.rate, polarity=0, phase=0)
        self.cs(1)
        self.dc(0)
        self.cs(0)
        self.spi.write(bytearray([cmd]))
        self.cs(1)
    def write_data(self, buf):
        self.spi.init(baudrate=self.rate, polarity=0, phase=0)
        self.cs(1)
        self.dc(1)
        self.cs(0)
        self.spi.write(buf)
        self.cs(1)
    def show(self):
        for c in (0x21, 0, 127, 0x22, 0, 7):
            self.write_cmd(c)
        self.write_data(self.buf)
oled = OLED(SPI(1), Pin(4), Pin(16), Pin(5))
"""


def test_oled_over_spi_screenshot_is_pixel_exact(esp32, tmp_path):
    out = run_program(esp32, DRIVER + """
oled.fb.fill(0)
oled.fb.text('vboard SPI', 0, 0, 1)
oled.fb.rect(0, 40, 128, 24, 1)
oled.fb.line(0, 63, 127, 40, 1)
oled.fb.fill_rect(100, 10, 20, 20, 1)
oled.show()
print(oled.buf.hex())
""", timeout=20)
    frame = bytes.fromhex(out.strip())
    assert len(frame) == 1024
    want = [[255 if frame[(y // 8) * 128 + x] >> (y % 8) & 1 else 0 for x in range(128)] for y in range(64)]
    png = tmp_path / "shot.png"
    r = esp32.ctl("screenshot", file=str(png), addr="spi:1:5")
    assert r["ok"] and r["on"] and (r["bus"], r["cs"]) == (1, 5), r
    assert decode_png(png.read_bytes()) == (128, 64, want)
    assert r["lit"] == sum(v == 255 for row in want for v in row) > 100
    # `vboard ctl`, the display named; the only SPI display when no I2C one is attached
    subprocess.run([VBOARD, "ctl", esp32.control, "screenshot", "a.png", "spi:1:5"], cwd=tmp_path, check=True,
                   capture_output=True)
    assert decode_png((tmp_path / "a.png").read_bytes())[2] == want
    assert esp32.ctl("screenshot", file=str(png))["lit"] == r["lit"]
    # inverse, as the display shows it
    repl(esp32, "oled.write_cmd(0xA7)")
    esp32.ctl("screenshot", file=str(png), addr="spi:1:5")
    assert decode_png(png.read_bytes())[2] == [[255 - v for v in row] for row in want]
    # the EEPROM on the same bus saw none of it
    assert run_program(esp32, EEPROM + "print(status(), read(0, 2))") == "0 b'\\xff\\xff'\r\n"
    # a soft reset leaves the display as it was (it kept its power)...
    esp32.send(b"\x04")
    esp32.expect(b">>> ", timeout=10)
    assert esp32.ctl("screenshot", file=str(png))["on"] is True
    # ...a power cycle starts it afresh (off, its RAM cleared here)
    esp32.ctl("power", state="cycle")
    esp32.expect(b">>> ", timeout=20)
    r = esp32.ctl("screenshot", file=str(png))
    assert r["on"] is False and r["lit"] == 0, r


def test_ctl_spi_and_bad_requests_and_options(esp32, tmp_path):
    st = esp32.ctl("spi")
    assert st["devices"] == [{"bus": 1, "cs": 5, "model": "ssd1306", "dc": 4, "res": 16, "selected": False},
                             {"bus": 1, "cs": 15, "model": "eeprom25", "selected": False}], st
    repl(esp32, "from machine import SPI; SPI(1).write(b'abc')")
    st2 = esp32.ctl("spi")
    assert st2["bytes"] - st["bytes"] == 3 and st2["malformed"] == 0, st2
    for fields, err in [({"cmd": "screenshot", "file": "x.png", "addr": "spi:1:15"}, "no ssd1306 on SPI bus 1"),
                        ({"cmd": "screenshot", "file": "x.png", "addr": "spi:1"}, "not an SPI display"),
                        ({"cmd": "screenshot", "file": "x.png", "addr": "spix"}, "not an SPI display"),
                        ({"cmd": "spi", "bus": "1"}, "takes no field")]:
        r = esp32.ctl(**fields)
        assert not r["ok"] and err in r["error"], (fields, r)
    for spec, err in [("1:5", "not BUS:CS=MODEL"), ("1:5=lcd", "no SPI device model 'lcd'"),
                      ("3:5=eeprom25", "bus '3'"), ("1:40=eeprom25", "chip-select pin '40'"),
                      ("1:5=ssd1306", "needs its D/C pin"), ("1:5=ssd1306:dc=5", "both chip select and D/C"),
                      ("1:5=eeprom25:dc=4", "not an option of eeprom25"),
                      ("1:5=eeprom25,2:5=eeprom25", "two devices with chip select 5")]:
        p = subprocess.run([VBOARD, "run", "--spi", spec], capture_output=True, text=True, timeout=10)
        assert p.returncode == 2 and "--spi: " in p.stderr and err in p.stderr, (spec, p.stderr)


def test_no_spi_devices(tmp_path):
    b = board(tmp_path, devices=None)
    try:
        assert repl(b, "from machine import SPI; SPI(1).read(3, 0x55)") == "b'\\xff\\xff\\xff'\r\n"
        r = b.ctl("screenshot", file=str(tmp_path / "x.png"))
        assert not r["ok"] and "no ssd1306 on the board's I2C or SPI buses" in r["error"], r
        assert b.ctl("spi")["devices"] == []
    finally:
        b.quit()


def test_transfers_in_the_trace_capped(tmp_path):
    tr = tmp_path / "t.jsonl"
    b = board(tmp_path, extra=["--trace", str(tr)])
    try:
        repl(b, "from machine import SPI, Pin; s = SPI(1); cs = Pin(15, Pin.OUT, value=1); "
                "cs(0); s.write(b'\\x05\\x00'); cs(1)")
        repl(b, "n = [s.write(b'x') for _ in range(1005)]")
    finally:
        b.quit()
    lines = [json.loads(ln) for ln in tr.read_text().splitlines()]
    spi = [ln for ln in lines if ln["event"] == "spi"]
    assert spi[0] == {**spi[0], "bus": 1, "cs": [15], "bytes": 2, "mode": 0}, spi[0]
    assert spi[1]["cs"] == [] and len(spi) == 1000
    assert [ln["max"] for ln in lines if ln["event"] == "spi_trace_capped"] == [1000]


def test_hostile_spi_records_leave_the_bus_working(tmp_path, monkeypatch):
    # Device code reaching the real os (the audit hook unarmed, as in
    # test_sandbox) writes SPI records of its own to every socket it holds:
    # a bad bus, a bad word size, pins past the board's, a full record. The
    # board answers EINVAL or serves them, never blocks, and SPI still works.
    monkeypatch.setenv("VBOARD_UNSAFE_NO_AUDIT_HOOK", "1")
    b = board(tmp_path)
    try:
        b.send(b"\x04")                                 # not the first VM: no import line
        b.expect(b">>> ", timeout=10)
        out = run_program(b, """
import stat, struct
def real_os():
    todo, seen = [object], set()
    while todo:
        for s in type.__subclasses__(todo.pop()):
            if id(s) not in seen:
                seen.add(id(s)); todo.append(s)
                if s.__name__ == '_wrap_close':
                    return s.__init__.__globals__
g = real_os()
def rec(bus, bits, n, levels, rose=0, fell=0):
    return struct.pack('<IIBBHBBHQQQQQ', 0x56493243, 1, bus, 0, n, bits, 0, 1, levels, 0, rose, fell, 2**64 - 1) + \\
        bytes([0x06]) * 472
sent = 0
for fd in range(32):
    try:
        if not stat.S_ISSOCK(g['fstat'](fd).st_mode):
            continue
    except OSError:
        continue
    for r in (rec(9, 8, 1, 0), rec(1, 0, 1, 0), rec(1, 8, 473, 0), rec(1, 8, 472, 0, 2**64 - 1, 2**64 - 1),
              rec(1, 8, 472, 2**64 - 1)):
        try:
            sent += g['write'](fd, r)
        except OSError:
            pass
print(sent > 0)
""")
        assert out == "True\r\n", out
        st = b.ctl("spi")
        assert st["malformed"] >= 3, st
        assert run_program(b, EEPROM + "tx(b'\\x06'); print(status())") == "2\r\n"
    finally:
        b.quit()
