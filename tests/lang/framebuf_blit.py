# framebuf blit (clipping, key, palette between formats), scroll, subclasses
import framebuf


def show(b):
    print(" ".join("%02x" % x for x in b))


def rows(b, w):
    print(" ".join("".join("%x" % v for v in b[i:i + w]) for i in range(0, len(b), w)))


d = bytearray(12)
fd = framebuf.FrameBuffer(d, 4, 3, framebuf.GS8)
fs = framebuf.FrameBuffer(bytearray([1, 2, 3, 0]), 2, 2, framebuf.GS8)
for args in ((1, 1), (1, 1, 0), (-1, -1), (3, 2), (4, 0), (-2, 0), (0, 3), (1, 1, -1, None)):
    fd.fill(9)
    fd.blit(fs, *args)
    rows(d, 4)

# a 1-bit icon onto RGB565 through a 2-colour palette; the key is a palette colour
icon = framebuf.FrameBuffer(bytearray([0xA0, 0x40]), 3, 2, framebuf.MONO_HLSB)
pal = framebuf.FrameBuffer(bytearray(4), 2, 1, framebuf.RGB565)
pal.pixel(0, 0, 0x1234)
pal.pixel(1, 0, 0xF800)
c = bytearray(12)
fc = framebuf.FrameBuffer(c, 3, 2, framebuf.RGB565)
fc.blit(icon, 0, 0, -1, pal)
show(c)
fc.fill(0)
fc.blit(icon, 0, 0, 0x1234, pal)
show(c)
# GS2 through a 4-entry GS8 palette
g = bytearray(4)
fg = framebuf.FrameBuffer(g, 4, 1, framebuf.GS8)
src = framebuf.FrameBuffer(bytearray([0xE4]), 4, 1, framebuf.GS2_HMSB)
fg.blit(src, 0, 0, -1, framebuf.FrameBuffer(bytearray([0x10, 0x20, 0x30, 0x40]), 4, 1, framebuf.GS8))
show(g)
# without a palette the colours go across as they are
fg.fill(0)
fg.blit(framebuf.FrameBuffer(bytearray([1, 0]), 2, 1, framebuf.MONO_VLSB), 1, 0)
show(g)

# scroll moves the pixels; what it leaves behind keeps its colours
s = bytearray(range(1, 13))
f = framebuf.FrameBuffer(s, 4, 3, framebuf.GS8)
for step in ((1, 0), (0, -1), (-2, 1), (4, 0), (0, -3), (-9, 9)):
    f.scroll(*step)
    print(list(s))


# a display driver's way: a subclass that is its own FrameBuffer
class Disp(framebuf.FrameBuffer):
    def __init__(self, w, h):
        self.width = w
        self.buffer = bytearray(w * h // 8)
        super().__init__(self.buffer, w, h, framebuf.MONO_VLSB)

    def show(self):
        return bytes(self.buffer)


disp = Disp(4, 8)
disp.fill(0)
disp.pixel(1, 1, 1)
disp.hline(0, 7, 4, 1)
print(disp.show(), disp.width, isinstance(disp, framebuf.FrameBuffer))
fd.fill(0)
fd.blit(disp, 0, 0)
rows(d, 4)
