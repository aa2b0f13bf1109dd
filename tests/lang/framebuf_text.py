# framebuf text(): 8x8 cells from (x, y), clipped, colour c (default 1); bytes
# outside 32..127 draw as 127, a NUL ends the text. Checked without relying
# on the glyphs' pixels (vboard's font is its own).
import framebuf

W, H = 24, 8


def render(s, x=0, y=0, *c, fmt=framebuf.GS8):
    b = bytearray(W * H)
    f = framebuf.FrameBuffer(b, W, H, fmt)
    r = f.text(s, x, y, *c)
    return b, f, r


def cells(b):
    return [any(b[y * W + x] for y in range(H) for x in range(cx, cx + 8)) for cx in (0, 8, 16)]


b, f, r = render("AB")
print(r, cells(b), sorted(set(b)))
b, f, r = render("A B", 0, 0, 7)
print(cells(b), sorted(set(b)))
print(render(" ")[0] == bytearray(W * H))
print(render("\xe9")[0] == render("\x7f\x7f")[0], render("\x01")[0] == render("\x7f")[0])
print(render(b"A\x80")[0] == render("A\x7f")[0])
print(render("A\x00B")[0] == render("A")[0])
print(render("XA", -8)[0] == render("A")[0], cells(render("A", 20)[0]))
a = render("A")[0]
up = render("A", 0, -3)[0]
print(up[: 5 * W] == a[3 * W:], up[5 * W:] == bytearray(3 * W))
print(render("AAA", 0, 8)[0] == bytearray(W * H))
# the same pixels in a 1-bit layout
m = render("Hi!", 0, 0, fmt=framebuf.MONO_VLSB)[1]
g = render("Hi!")[0]
print(all((g[y * W + x] != 0) == (m.pixel(x, y) == 1) for y in range(H) for x in range(W)))
