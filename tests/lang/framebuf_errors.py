# framebuf's errors as MicroPython v1.24 raises them
import framebuf

FB = framebuf.FrameBuffer


def err(f, *a):
    try:
        f(*a)
        print("no error")
    except Exception as e:
        print(type(e).__name__, e.args)


err(FB, bytearray(8), 8, 8, 99)
err(FB, bytes(8), 8, 8, 99)
err(FB, bytearray(8), 0, 8, 99)
err(FB, bytearray(8), 8, 0, framebuf.MONO_VLSB)
err(FB, bytearray(8), 8, 8, framebuf.MONO_VLSB, 4)
err(FB, bytearray(8), 65536, 1, framebuf.GS8)
err(FB, bytearray(7), 8, 8, framebuf.MONO_VLSB)
err(FB, bytearray(8), 8, 8, framebuf.MONO_VLSB)
err(FB, bytearray(10), 5, 10, framebuf.MONO_VLSB, 6)
err(FB, bytearray(11), 5, 10, framebuf.MONO_VLSB, 6)
err(FB, bytearray(31), 8, 2, framebuf.RGB565)
err(FB, bytearray(5), 9, 4, framebuf.MONO_HLSB)
err(FB, bytearray(3), 5, 2, framebuf.GS4_HMSB)
err(FB, bytes(8), 8, 8, framebuf.MONO_VLSB)
err(FB, [0] * 8, 8, 8, framebuf.MONO_VLSB)
err(FB, bytearray(8), 8, 8)
err(FB, bytearray(8), 8, 8, 0, 8, 1)
err(FB, bytearray(8), 8.0, 8, 0)
err(framebuf.FrameBuffer1, bytearray(8), 8)

f = FB(bytearray(8), 8, 8, framebuf.MONO_VLSB)
err(f.pixel, 1)
err(f.pixel, 1, 2, 3, 4)
err(f.fill)
err(f.scroll, 1)
err(f.hline, 0, 0, 1)
err(f.rect, 0, 0, 1, 1, 1, 1, 1)
err(f.text, 5, 0, 0)
err(f.pixel, "a", 0)
err(f.fill, 2**40)
err(f.blit, None, 0, 0)
err(f.blit, bytearray(8), 0, 0)
err(f.poly, 0, 0, [0, 0, 1, 1], 1)
try:
    f.fill(c=1)
except TypeError as e:
    print(e.args)

print(sorted(n for n in dir(framebuf) if not n.startswith("_")))
print(sorted(n for n in dir(FB) if not n.startswith("_")))
try:
    import uframebuf
except ImportError:
    print("no uframebuf")
