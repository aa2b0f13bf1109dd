# framebuf's three 1-bit layouts, byte for byte (what SSD1306-style drivers send)
import framebuf


def show(b):
    print(" ".join("%02x" % x for x in b))


print(framebuf.MVLSB, framebuf.MONO_VLSB, framebuf.RGB565, framebuf.GS2_HMSB,
      framebuf.GS4_HMSB, framebuf.GS8, framebuf.MONO_HLSB, framebuf.MONO_HMSB)

# MONO_VLSB: a byte is 8 rows of one column, bit 0 at the top; 8 wide x 16 high
b = bytearray(16)
f = framebuf.FrameBuffer(b, 8, 16, framebuf.MONO_VLSB)
f.pixel(0, 0, 1)
f.pixel(1, 7, 1)
f.pixel(2, 8, 1)
f.pixel(7, 15, 5)
show(b)
print(f.pixel(0, 0), f.pixel(7, 15), f.pixel(1, 1), f.pixel(8, 0), f.pixel(-1, 0), f.pixel(0, 16))
f.pixel(0, 0, 0)
f.pixel(8, 0, 1)
f.pixel(0, -1, 1)
show(b)
f.fill(1)
show(b)
f.fill(0)
f.hline(1, 3, 4, 1)
f.vline(6, 5, 6, 1)
show(b)
f.fill(0)
f.rect(0, 0, 8, 16, 1)
show(b)
f.fill(0)
f.rect(2, 6, 3, 4, 1, True)
show(b)
f.fill(0)
f.fill_rect(-2, 14, 4, 10, 1)
show(b)

# a height that is not whole pages, and a stride: the bytes beyond width stay
b = bytearray(12)
f = framebuf.FrameBuffer(b, 5, 10, framebuf.MONO_VLSB, 6)
f.fill(1)
show(b)

# MONO_HLSB: a byte is 8 columns of one row, bit 7 leftmost; rows of whole bytes
b = bytearray(6)
f = framebuf.FrameBuffer(b, 10, 3, framebuf.MONO_HLSB)
f.pixel(0, 0, 1)
f.pixel(9, 0, 1)
f.pixel(3, 1, 1)
f.hline(2, 2, 8, 1)
show(b)
print(f.pixel(9, 0), f.pixel(8, 0))

# MONO_HMSB: the same with bit 0 leftmost
b = bytearray(6)
f = framebuf.FrameBuffer(b, 10, 3, framebuf.MONO_HMSB)
f.pixel(0, 0, 1)
f.pixel(9, 0, 1)
f.pixel(3, 1, 1)
f.hline(2, 2, 8, 1)
show(b)
print(f.pixel(9, 0), f.pixel(8, 0))

# the legacy constructor: MONO_VLSB
b = bytearray(8)
f = framebuf.FrameBuffer1(b, 8, 8)
f.pixel(3, 2, 1)
show(b)

# any writable buffer, written in place
import array

a = array.array("B", [0] * 4)
f = framebuf.FrameBuffer(a, 4, 8, framebuf.MONO_VLSB)
f.vline(2, 0, 8, 1)
print(a)
m = memoryview(bytearray(16))[8:]
f = framebuf.FrameBuffer(m, 8, 8, framebuf.MONO_VLSB)
f.hline(0, 1, 8, 1)
print(bytes(m))
print(bytes(f) == bytes(m))
