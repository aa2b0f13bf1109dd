# framebuf's grey and colour layouts, byte for byte
import framebuf


def show(b):
    print(" ".join("%02x" % x for x in b))


# GS2_HMSB: 4 pixels a byte, the leftmost in the lowest 2 bits; rows of whole bytes
b = bytearray(4)
f = framebuf.FrameBuffer(b, 6, 2, framebuf.GS2_HMSB)
f.pixel(0, 0, 1)
f.pixel(1, 0, 2)
f.pixel(3, 0, 3)
f.pixel(5, 0, 7)
f.pixel(0, 1, 2)
show(b)
print(f.pixel(3, 0), f.pixel(5, 0), f.pixel(0, 1), f.pixel(2, 0))
f.fill(2)
show(b)

# GS4_HMSB: 2 pixels a byte, the even x in the high nibble
b = bytearray(4)
f = framebuf.FrameBuffer(b, 3, 2, framebuf.GS4_HMSB)
f.pixel(0, 0, 0x1)
f.pixel(1, 0, 0x2)
f.pixel(2, 0, 0xF3)
f.pixel(1, 1, 0xA)
show(b)
print(f.pixel(0, 0), f.pixel(2, 0), f.pixel(1, 1))
f.fill_rect(1, 0, 2, 2, 5)
show(b)

# GS8: a byte a pixel; the stride's extra bytes untouched
b = bytearray(6)
f = framebuf.FrameBuffer(b, 2, 2, framebuf.GS8, 3)
f.fill(0x11)
f.pixel(1, 1, 0x1FF)
show(b)

# RGB565: 16 bits a pixel, little-endian as the boards store it
b = bytearray(8)
f = framebuf.FrameBuffer(b, 2, 2, framebuf.RGB565)
f.pixel(0, 0, 0xF800)
f.pixel(1, 0, 0x07E0)
f.pixel(0, 1, 0x12345)
f.pixel(1, 1, -1)
show(b)
print(hex(f.pixel(0, 1)), f.pixel(1, 1))
f.hline(0, 0, 2, 0x001F)
show(b)
