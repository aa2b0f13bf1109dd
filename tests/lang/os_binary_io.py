import os
D = 'lt_bin'
try:
    for n in os.listdir(D):
        os.remove(D + '/' + n)
    os.rmdir(D)
except OSError:
    pass
os.mkdir(D)
data = bytes(range(256)) * 4
with open(D + '/b.bin', 'wb') as f:
    print(f.write(data))
with open(D + '/b.bin', 'rb') as f:
    head = f.read(4)
    f.seek(250)
    mid = f.read(10)
    print(head, mid, f.tell())
    f.seek(0)
    buf = bytearray(16)
    print(f.readinto(buf), bytes(buf[:4]))
    print(len(f.read()))
with open(D + '/b.bin', 'rb') as f:
    print(f.read() == data)
print(os.stat(D + '/b.bin')[6])
os.remove(D + '/b.bin')
os.rmdir(D)
