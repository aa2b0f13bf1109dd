# framebuf's lines, ellipses (quadrant masks) and polygons, pixel for pixel
import framebuf
from array import array

W, H = 9, 7
buf = bytearray(W * H)
fb = framebuf.FrameBuffer(buf, W, H, framebuf.GS8)


def show():
    for y in range(H):
        print("".join("%x" % buf[y * W + x] if buf[y * W + x] else "." for x in range(W)))
    print("--")


# Bresenham from the first point: the direction picks the pixels
fb.fill(0)
fb.line(0, 0, 4, 1, 1)
fb.line(4, 3, 0, 2, 2)
show()
# steep, clipped, a single point
fb.fill(0)
fb.line(1, 0, 2, 5, 3)
fb.line(-2, -2, 9, 9, 4)
fb.line(6, 4, 6, 4, 5)
show()

# ellipse outline, filled, quadrants (Q1 top right, counterclockwise)
fb.fill(0)
fb.ellipse(4, 3, 3, 2, 1)
show()
fb.fill(0)
fb.ellipse(4, 3, 3, 2, 2, True)
show()
fb.fill(0)
fb.ellipse(4, 3, 3, 2, 1, False, 0b0001)
show()
fb.fill(0)
fb.ellipse(4, 3, 3, 2, 3, True, 0b1010)
show()
fb.fill(0)
fb.ellipse(4, 3, 3, 2, 3, True, 0)
fb.ellipse(4, 3, 3, 2, 3, False, 0)
fb.ellipse(2, 2, 0, 0, 5, False, 0)
print(sum(buf))
fb.ellipse(2, 2, 0, 0, 5)
fb.ellipse(8, 6, 3, 2, 4)
show()

# polygons: the outline walks vertex 0, the last, ..., 1, 0; the fill is by
# scan lines and leaves out some edge pixels the outline has
tri = array("h", [1, 0, 6, 3, 1, 5])
fb.fill(0)
fb.poly(0, 0, tri, 1)
show()
fb.fill(0)
fb.poly(0, 0, tri, 2, True)
show()
saved = bytes(buf)
fb.fill(0)
fb.poly(0, 0, bytes([1, 0, 6, 3, 1, 5]), 2, True)
print(bytes(buf) == saved)
# offset; a two-point polygon is a line; degenerate ones
fb.fill(0)
fb.poly(2, 1, array("h", [0, 0, 3, 0]), 6)
fb.poly(0, 0, array("h"), 7)
fb.poly(0, 0, array("h", [4, 4]), 8)
fb.poly(0, 0, array("h", [1, 3, 7]), 9)
fb.poly(-1, 4, array("h", [7, 1]), 10, True)
show()
