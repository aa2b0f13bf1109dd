# neopixel: WS2812-style LED strips, with the API of MicroPython's
# neopixel module (v1.24 docs): NeoPixel(pin, n, bpp=3, timing=1),
# len(), np[i] = (r, g, b[, w]), np[i], fill(), write(). The pixels live in
# a bytearray in the strip's wire order (ORDER: G R B W) and write() sends
# it with machine.bitstream. On vboard the strip is the board's: `vboard
# ctl SOCK neopixel PIN` shows what it latched (README "Peripherals").

from machine import bitstream

# high and low ns of a 0 bit, then of a 1 bit: timing=1 is the 800 kHz
# WS2812, timing=0 the 400 kHz WS2811
_TIMING_800K = (400, 850, 800, 450)
_TIMING_400K = (400, 1000, 1000, 400)


class NeoPixel:
    # where R, G, B, W of a pixel go in its bytes
    ORDER = (1, 0, 2, 3)

    def __init__(self, pin, n, bpp=3, timing=1):
        self.pin = pin
        self.n = n
        self.bpp = bpp
        self.buf = bytearray(n * bpp)
        self.pin.init(pin.OUT)
        if isinstance(timing, int):
            timing = _TIMING_800K if timing else _TIMING_400K
        self.timing = timing

    def __len__(self):
        return self.n

    def __setitem__(self, i, v):
        at = i * self.bpp
        for k in range(self.bpp):
            self.buf[at + self.ORDER[k]] = v[k]

    def __getitem__(self, i):
        at = i * self.bpp
        return tuple(self.buf[at + self.ORDER[k]] for k in range(self.bpp))

    def fill(self, v):
        buf = self.buf
        step = self.bpp
        end = len(buf)
        for k in range(step):
            c = v[k]
            j = self.ORDER[k]
            while j < end:
                buf[j] = c
                j += step

    def write(self):
        bitstream(self.pin, 0, self.timing, self.buf)
