"""Issue 16's "done when": a typical sensor + display + modem program runs
unmodified on the esp32 board with its devices simulated. The program is
what a user writes: an SHT3x on I2C, an SSD1306 status screen driven by
an ssd1306.py in /lib (the driver API users install with mip, written
here by us), a cellular modem on UART2 spoken to with AT commands. The
test plays the modem over `--uart 2:tcp:0`, sets what the sensor reads
with `ctl sensor` while the program runs, and looks at what the display
shows with `ctl screenshot`."""
import socket
import threading

from boardlib import Board, repl, wait_until
from test_periph_i2c import decode_png

SSD1306_PY = b"""# SSD1306 OLED over I2C, the API of micropython-lib's ssd1306.py
import framebuf

class SSD1306_I2C(framebuf.FrameBuffer):
    def __init__(self, width, height, i2c, addr=0x3C, external_vcc=False):
        self.width, self.height, self.i2c, self.addr = width, height, i2c, addr
        self.pages = height // 8
        self.buffer = bytearray(self.pages * width)
        super().__init__(self.buffer, width, height, framebuf.MONO_VLSB)
        self.init_display()

    def write_cmd(self, c):
        self.i2c.writeto(self.addr, bytes((0x80, c)))

    def init_display(self):
        for c in (0xAE, 0x20, 0x00, 0x40, 0xA1, 0xA8, self.height - 1, 0xC8, 0xD3, 0x00,
                  0xDA, 0x12, 0xD5, 0x80, 0xD9, 0xF1, 0xDB, 0x30, 0x81, 0xFF, 0xA4, 0xA6,
                  0x8D, 0x14, 0xAF):
            self.write_cmd(c)
        self.fill(0)
        self.show()

    def show(self):
        for c in (0x21, 0, self.width - 1, 0x22, 0, self.pages - 1):
            self.write_cmd(c)
        self.i2c.writevto(self.addr, (b'\\x40', self.buffer))
"""

MAIN_PY = b"""# Greenhouse node: temperature and humidity on the screen and to the cloud by modem
import time
from machine import I2C, Pin, UART
import ssd1306

i2c = I2C(0, scl=Pin(22), sda=Pin(21), freq=400000)
oled = ssd1306.SSD1306_I2C(128, 64, i2c)
modem = UART(2, 115200, tx=17, rx=16, timeout=3000)

def crc8(data):
    c = 0xFF
    for b in data:
        c ^= b
        for _ in range(8):
            c = ((c << 1) ^ 0x31) & 0xFF if c & 0x80 else (c << 1) & 0xFF
    return c

def sht3x():
    i2c.writeto(0x44, b'\\x2c\\x06')
    d = i2c.readfrom(0x44, 6)
    if crc8(d[0:2]) != d[2] or crc8(d[3:5]) != d[5]:
        raise ValueError('sht3x crc')
    return -45 + 175 * (d[0] << 8 | d[1]) / 65535, 100 * (d[3] << 8 | d[4]) / 65535

def at(cmd):
    modem.write(cmd + '\\r\\n')
    while True:
        line = modem.readline()
        if line is None:
            raise OSError('modem timeout')
        line = line.strip()
        if line in (b'OK', b'ERROR'):
            return line == b'OK'

for cmd in ('AT', 'ATE0', 'AT+CGATT=1'):
    at(cmd)
n = 0
while True:
    t, h = sht3x()
    n += 1
    oled.fill(0)
    oled.text('Greenhouse', 0, 0)
    oled.text('T %.1f C' % t, 0, 24)
    oled.text('H %.1f %%' % h, 0, 40)
    oled.show()
    print('report', n, at('AT+SEND="t=%.1f h=%.1f"' % (t, h)))
    time.sleep(30)
"""


class Modem(threading.Thread):
    """A modem on the board's UART: every line it hears is kept and
    answered OK (ERROR for AT+SEND while `refuse` is set)."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.lines, self.refuse = [], False

    def run(self):
        buf = b""
        try:
            while True:
                chunk = self.sock.recv(4096)
                if not chunk:
                    return
                buf += chunk
                while b"\r\n" in buf:
                    line, buf = buf.split(b"\r\n", 1)
                    self.lines.append(line.decode())
                    bad = self.refuse and line.startswith(b"AT+SEND")
                    self.sock.sendall(b"\r\nERROR\r\n" if bad else b"\r\nOK\r\n")
        except OSError:
            return

    def reports(self):
        return [ln for ln in self.lines if ln.startswith("AT+SEND")]


def test_sensor_display_modem_program(tmp_path):
    b = Board(tmp_path, board="esp32", extra=["--clock", "fast", "--uart", "2:tcp:0",
                                              "--i2c", "0:0x44=sht3x,0:0x3c=ssd1306"])
    modem = None
    try:
        b.expect(b">>> ", timeout=20)
        port = int(b.ctl("status")["uarts"][0]["host"].rsplit(":", 1)[1])
        modem = Modem(port)
        modem.start()
        wait_until(lambda: b.ctl("status")["uarts"][0]["attached"], 10, "the modem attached")
        b.ctl("sensor", temp="21.5", hum="40")
        repl(b, "import os; os.mkdir('lib')")
        for name, data in (("lib/ssd1306.py", SSD1306_PY), ("main.py", MAIN_PY)):
            repl(b, "f = open(%r, 'wb'); f.write(%r); f.close()" % (name, data))
        b.send(b"\x04")                                   # soft reset: main.py runs
        b.expect(b"report 1 True\r\n", timeout=30)
        assert modem.lines[:3] == ["AT", "ATE0", "AT+CGATT=1"], modem.lines
        assert modem.reports()[0] == 'AT+SEND="t=21.5 h=40.0"', modem.lines
        # the room warms up; the next reports say so, 30 s of board time apart
        t0 = b.ctl("status")["board_us"]
        b.ctl("sensor", temp="30", hum="55")
        wait_until(lambda: 'AT+SEND="t=30.0 h=55.0"' in modem.reports(), 30, "a report of the new reading")
        assert b.ctl("status")["board_us"] - t0 >= 30_000_000
        # the modem refuses: the program sees it
        modem.refuse = True
        b.expect(b" False\r\n", timeout=30)
        # interrupt the program; the screen keeps what it drew last
        b.send(b"\x03")
        b.expect(b">>> ", timeout=10)
        png = tmp_path / "screen.png"
        assert b.ctl("screenshot", file=str(png))["on"]
        _, _, rows = decode_png(png.read_bytes())
        # what those strings look like in framebuf's font, drawn on the board
        out = repl(b, "import framebuf; buf = bytearray(1024); fb = framebuf.FrameBuffer(buf, 128, 64, "
                      "framebuf.MONO_VLSB); fb.text('Greenhouse', 0, 0); fb.text('T 30.0 C', 0, 24); "
                      "fb.text('H 55.0 %', 0, 40); print(buf.hex())", timeout=10)
        frame = bytes.fromhex(out.strip())
        want = [[255 if frame[(y // 8) * 128 + x] >> (y % 8) & 1 else 0 for x in range(128)] for y in range(64)]
        assert rows == want
    finally:
        if modem:
            modem.sock.close()
        b.quit()
