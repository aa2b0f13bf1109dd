try:
    import deflate
except ImportError:  # not on this port (Pycom's fork has no deflate)
    print('SKIP')
    raise SystemExit
import io

print(deflate.AUTO, deflate.RAW, deflate.ZLIB, deflate.GZIP)
print(hasattr(deflate.DeflateIO, 'write'))
ZLIB = b"x\x9c\xf3\xcdL.\xca\x0f\xa8,\xc9\xc8\xcfSHIM\xcbI,I\xe5\xf2%R,'\xb1\xb8D!'3/\x15\x00\x91\x9f\x19\xee"
RAW = b"\xf3\xcdL.\xca\x0f\xa8,\xc9\xc8\xcfSHIM\xcbI,I\xe5\xf2%R,'\xb1\xb8D!'3/\x15\x00"
GZIP = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xf3\xcdL.\xca\x0f\xa8,\xc9\xc8\xcfSHIM\xcbI,I\xe5\xf2%R,'\xb1\xb8D!'3/\x15\x00\xf5\x96D\xe7E\x00\x00\x00"
ZLIB9 = b"\x18\x95\xf3\xcdL.\xca\x0f\xa8,\xc9\xc8\xcfSHIM\xcbI,I\xe5\xf2%R,'\xb1\xb8D!'3/\x15\x00\x91\x9f\x19\xee"

# each format, and AUTO on zlib and gzip
print(deflate.DeflateIO(io.BytesIO(ZLIB)).read())
print(deflate.DeflateIO(io.BytesIO(GZIP)).read() == deflate.DeflateIO(io.BytesIO(ZLIB)).read())
print(deflate.DeflateIO(io.BytesIO(ZLIB), deflate.ZLIB).read(5))
print(deflate.DeflateIO(io.BytesIO(GZIP), deflate.GZIP).read(7))
print(deflate.DeflateIO(io.BytesIO(RAW), deflate.RAW, 9).read()[-9:])
print(deflate.DeflateIO(io.BytesIO(ZLIB9), deflate.ZLIB, 9).read()[:12])

# readline, readinto, read after the end
d = deflate.DeflateIO(io.BytesIO(ZLIB))
print(d.readline())
print(d.readline(5))
buf = bytearray(8)
print(d.readinto(buf), buf)
print(d.read())
print(d.read(), d.read(3))

# nothing past the compressed data is read from the source
s = io.BytesIO(ZLIB + b'TAIL')
deflate.DeflateIO(s).read()
print(s.read())

# the wrong format for the data, a bad checksum: OSError EINVAL
for data, fmt in ((ZLIB, deflate.GZIP), (GZIP, deflate.ZLIB), (b'junk-junk', deflate.AUTO)):
    try:
        deflate.DeflateIO(io.BytesIO(data), fmt).read()
    except OSError as e:
        print('OSError', e.errno)
try:
    deflate.DeflateIO(io.BytesIO(b"x\x9c\xf3\xcdL.\xca\x0f\xa8,\xc9\xc8\xcfSHIM\xcbI,I\xe5\xf2%R,'\xb1\xb8D!'3/\x15\x00\x91\x9f\x19\xef")).read()
except OSError as e:
    print('OSError', e)

# data that ends early
try:
    deflate.DeflateIO(io.BytesIO(ZLIB[:20])).read()
except EOFError as e:
    print('EOFError', repr(e.args))

# argument checks
for args in ((4,), (-1,), (0, 4), (0, 16)):
    try:
        deflate.DeflateIO(io.BytesIO(ZLIB), *args)
    except ValueError as e:
        print('ValueError', e)
print(type(deflate.DeflateIO(io.BytesIO(ZLIB), 0, 0)).__name__)

# close: the source stays open unless asked; reads after close are EINVAL
s = io.BytesIO(ZLIB)
d = deflate.DeflateIO(s)
d.close()
d.close()
print(s.closed)
try:
    d.read()
except OSError as e:
    print('OSError', e.errno)
s = io.BytesIO(ZLIB)
with deflate.DeflateIO(s, deflate.AUTO, 0, True) as d:
    print(d.read(10))
print(s.closed)

# a MicroPython-style stream (readinto only); None from it is EAGAIN
class Src(io.IOBase):
    def __init__(self, data):
        self.data = data

    def readinto(self, buf):
        if self.data is None:
            return None
        n = min(len(buf), len(self.data))
        buf[:n] = self.data[:n]
        self.data = self.data[n:]
        return n


print(deflate.DeflateIO(Src(ZLIB)).read(11))
try:
    deflate.DeflateIO(Src(None)).read()
except OSError as e:
    print('OSError', e.errno)
try:
    deflate.DeflateIO(1).read()
except OSError as e:
    print('OSError', e)
