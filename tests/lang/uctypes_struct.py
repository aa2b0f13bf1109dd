import uctypes

print(uctypes.UINT8, uctypes.INT8, uctypes.UINT16, uctypes.INT16)
print(uctypes.UINT32, uctypes.INT32, uctypes.UINT64, uctypes.INT64)
print(uctypes.FLOAT32, uctypes.FLOAT64, uctypes.PTR, uctypes.ARRAY, uctypes.VOID)
print(uctypes.BFUINT8, uctypes.BFUINT16, uctypes.BFUINT32, uctypes.BF_POS, uctypes.BF_LEN)
print(uctypes.NATIVE, uctypes.LITTLE_ENDIAN, uctypes.BIG_ENDIAN)

DESC = {
    "a": uctypes.UINT8 | 0,
    "b": uctypes.INT16 | 2,
    "c": uctypes.UINT32 | 4,
    "d": uctypes.INT64 | 8,
    "f": uctypes.FLOAT32 | 16,
    "arr": (uctypes.ARRAY | 20, 4 | uctypes.UINT8),
    "warr": (uctypes.ARRAY | 24, 2 | uctypes.UINT16),
    "sub": (28, {"x": uctypes.UINT8 | 0, "y": uctypes.UINT8 | 1}),
    "bf": uctypes.BFUINT16 | 30 | 3 << uctypes.BF_POS | 5 << uctypes.BF_LEN,
}
buf = bytearray(32)
s = uctypes.struct(uctypes.addressof(buf), DESC, uctypes.LITTLE_ENDIAN)
print(uctypes.sizeof(s), uctypes.sizeof(DESC, uctypes.LITTLE_ENDIAN), uctypes.addressof(s) == uctypes.addressof(buf))
s.a = 200
s.b = -2
s.c = 0xdeadbeef
s.d = -5
s.f = 1.5
s.arr[0] = 1
s.warr[1] = 0x1234
s.sub.y = 7
s.bf = 0x1f
print(s.a, s.b, hex(s.c), s.d, s.f, s.bf, s.sub.x, s.sub.y)
print(bytes(buf))
print(s.arr, isinstance(s.arr, bytearray), s.warr[1], s.warr[0])
s.arr[1] = 9
print(buf[21])
print(repr(s)[:15], repr(s.warr)[:14], repr(s.sub)[:15])
s.bf = 0x23  # only the field's 5 bits change
print(s.bf, buf[30], buf[31])

# the layouts
t = uctypes.struct(uctypes.addressof(buf), {"c": uctypes.UINT32 | 4}, uctypes.BIG_ENDIAN)
n = uctypes.struct(uctypes.addressof(buf), {"c": uctypes.UINT32 | 4})
print(hex(t.c), hex(n.c))
PLAIN = {"a": uctypes.UINT8 | 0, "b": uctypes.UINT32 | 4, "c": uctypes.UINT8 | 8}
print(uctypes.sizeof(PLAIN), uctypes.sizeof(PLAIN, uctypes.LITTLE_ENDIAN), uctypes.sizeof(bytearray(7)))
print(uctypes.sizeof((uctypes.ARRAY | 0, 3 | uctypes.UINT32)), uctypes.sizeof({"z": (uctypes.ARRAY | 2, 5, PLAIN)}))

# pointers and arrays of structs
data = bytearray(b'\x10\x20\x30\x40')
PT = {"x": uctypes.UINT8 | 0, "y": uctypes.UINT8 | 1}
pbuf = bytearray(16)
ps = uctypes.struct(uctypes.addressof(pbuf), {"p": (uctypes.PTR | 0, uctypes.UINT8), "q": (uctypes.PTR | 0, PT)})
# the pointer's bytes: little-endian, so the board's 4-byte pointer is the low half
uctypes.struct(uctypes.addressof(pbuf), {"v": uctypes.UINT64 | 0}).v = uctypes.addressof(data)
print(int(ps.p) == uctypes.addressof(data), ps.p[0], ps.p[3], ps.q[0].y, ps.q[1].x, repr(ps.p)[:12])
a = uctypes.struct(uctypes.addressof(data), {"pts": (uctypes.ARRAY | 0, 2, PT)})
print(a.pts[1].x, a.pts[0].y)
print(uctypes.bytes_at(uctypes.addressof(data), 2))
ba = uctypes.bytearray_at(uctypes.addressof(data), 4)
ba[0] = 0x55
print(data, ba, len(ba))


def err(f, *args):
    try:
        f(*args)
    except Exception as e:
        print(type(e).__name__, e)


err(uctypes.sizeof, 1)
err(uctypes.sizeof, "x")
err(uctypes.addressof, 1)
err(lambda: s.warr[2])
err(lambda: s[0])
err(lambda: s.warr.x)
err(setattr, s, 'sub', 1)
err(setattr, ps, 'p', 0)
