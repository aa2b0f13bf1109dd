import os
N = 'lt_large.bin'
try:
    os.remove(N)
except OSError:
    pass
chunk = bytes((i * 7) & 0xFF for i in range(1024))
with open(N, 'wb') as f:
    for i in range(64):
        f.write(chunk)
print(os.stat(N)[6])
total = 0
ok = True
with open(N, 'rb') as f:
    while True:
        b = f.read(1000)
        if not b:
            break
        total += len(b)
print(total)
import hashlib
h = hashlib.sha256()
with open(N, 'rb') as f:
    h.update(f.read())
print(h.digest() == hashlib.sha256(chunk * 64).digest())
os.remove(N)
