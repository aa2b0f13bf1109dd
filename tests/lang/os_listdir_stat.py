import os
D = 'lt_ls'
try:
    for n in os.listdir(D):
        try:
            os.remove(D + '/' + n)
        except OSError:
            os.rmdir(D + '/' + n)
    os.rmdir(D)
except OSError:
    pass
os.mkdir(D)
for name, size in [('b.txt', 3), ('a.txt', 10), ('c.dat', 0)]:
    with open(D + '/' + name, 'w') as f:
        f.write('x' * size)
os.mkdir(D + '/sub')
print(sorted(os.listdir(D)))
for n in sorted(os.listdir(D)):
    st = os.stat(D + '/' + n)
    print(n, 'dir' if st[0] & 0xF000 == 0x4000 else 'file', st[6] if st[0] & 0x8000 else '-', len(st))
for n in sorted(os.listdir(D)):
    try:
        os.remove(D + '/' + n)
    except OSError:
        os.rmdir(D + '/' + n)
os.rmdir(D)
print(D in os.listdir())
