# open() and file objects on the board volume (flash.md 4.6, repl.md 6.3)
import os

def err(fn, *a):
    try:
        fn(*a)
        print('no error')
    except OSError as e:
        print('OSError', e.args, e.errno, type(e).__name__)

# text write / read back
f = open('t.txt', 'w')
print(type(f).__name__, f.write('héllo\nworld\n'), f.write('end'))
f.close()
print(f.closed)
with open('t.txt') as f:
    print(repr(f.read()))
with open('t.txt', 'r') as f:
    print(repr(f.read(2)), repr(f.read(1)), f.tell(), repr(f.readline()), repr(f.readline()), repr(f.readline()), repr(f.readline()))
with open('t.txt') as f:
    print([l for l in f])
with open('t.txt') as f:
    print(f.readlines())

# binary
with open('b.bin', 'wb') as f:
    print(type(f).__name__, f.write(b'\x00\x01\x02abc'), f.write(bytearray(b'xyz')), f.write(memoryview(b'0123456789')[2:5]))
with open('b.bin', 'rb') as f:
    print(f.read(), f.read(), f.read(4))
with open('b.bin', 'rb') as f:
    print(f.read(3), f.tell(), f.seek(-2, 2), f.read(), f.seek(1), f.seek(2, 1), f.read(1))
    print(f.seek(100), f.read(), f.tell())

# modes
with open('m.txt', 'w') as f:
    f.write('abc')
with open('m.txt', 'a') as f:
    f.write('def')
print(open('m.txt').read())
with open('m.txt', 'r+') as f:
    print(f.read(1)); f.write('X'); f.seek(0); print(f.read())
with open('m.txt', 'w+') as f:
    print(repr(f.read())); f.write('new'); f.seek(0); print(f.read())
with open('m.txt', 'a+') as f:
    f.write('!'); f.seek(0); print(f.read())
with open('m.txt', 'a') as f:
    f.seek(0); f.write('N')
print(open('m.txt').read())
err(open, 'm.txt', 'x')
with open('x.txt', 'x') as f:
    f.write('fresh')
print(open('x.txt', 'rt').read())
err(open, 'missing.txt')
err(open, 'missing.txt', 'r+')
os.mkdir('d')
err(open, 'd')
err(open, 'd', 'w')
err(open, 'nodir/f.txt', 'w')

# seek past the end of a writable file extends it
with open('gap.bin', 'wb') as f:
    f.write(b'ab'); print(f.seek(10)); f.write(b'Z'); print(f.tell())
print(os.stat('gap.bin')[6], open('gap.bin', 'rb').read()[:2], open('gap.bin', 'rb').read()[10:])

# closed files: EBADF; close twice is fine
f = open('t.txt')
f.close(); f.close()
err(f.read)
err(f.readline)
err(f.seek, 0)
err(f.tell)
err(f.flush)
g = open('w.bin', 'wb'); g.close()
err(g.write, b'x')
# wrong direction
with open('t.txt', 'rb') as f:
    err(f.write, b'x')
with open('w.bin', 'wb') as f:
    err(f.read)
    err(f.readline)
    err(f.readinto, bytearray(2))
print(hasattr(f, 'fileno'), f.closed)
try:
    open(3)
except TypeError:
    print('TypeError for an int')

# readinto with a memoryview, 256-byte chunks (mpremote cp)
import hashlib
data = bytes(range(256)) * 3 + b'tail'
f = open('chunk.bin', 'wb')
w = f.write
for i in range(0, len(data), 256):
    w(data[i:i + 256])
f.close()
h = hashlib.sha256()
buf = memoryview(bytearray(256))
sizes = []
with open('chunk.bin', 'rb') as f:
    while True:
        n = f.readinto(buf)
        sizes.append(n)
        if not n:
            break
        h.update(buf if n == 256 else buf[:n])
print(sizes, h.digest() == hashlib.sha256(data).digest())
with open('chunk.bin', 'rb') as f:
    b = bytearray(10)
    print(f.readinto(b, 4), b[:5])

# 1 MiB file, written in 256-byte chunks, hashed back
blk = bytes((i * 7) & 255 for i in range(256))
ref = hashlib.sha256()
with open('big.bin', 'wb') as f:
    for i in range(4096):
        chunk = bytes([i & 255]) + blk[1:]
        f.write(chunk)
        ref.update(chunk)
h = hashlib.sha256()
with open('big.bin', 'rb') as f:
    while True:
        c = f.read(4000)
        if not c:
            break
        h.update(c)
print(os.stat('big.bin')[6], h.hexdigest() == ref.hexdigest())
os.remove('big.bin')

# text read(n) counts characters
with open('u.txt', 'w') as f:
    print(f.write('aé€😀b'))
with open('u.txt') as f:
    print(repr(f.read(1)), repr(f.read(2)), repr(f.read(1)), repr(f.read(5)), repr(f.read(1)))
with open('u.txt', 'rb') as f:
    print(f.read())
print(open('u.txt').read(100) == 'aé€😀b')
# flush makes the size visible
f = open('fl.txt', 'w'); f.write('12345'); f.flush()
print(os.stat('fl.txt')[6]); f.close()
open('main.py', 'w').write("print('main')")
