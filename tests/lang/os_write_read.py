import os
D = 'lt_wr'
def rmtree(p):
    try:
        names = os.listdir(p)
    except OSError:
        return
    for n in names:
        q = p + '/' + n
        if os.stat(q)[0] & 0x4000:
            rmtree(q)
        else:
            os.remove(q)
    os.rmdir(p)
rmtree(D)
os.mkdir(D)
with open(D + '/t.txt', 'w') as f:
    print(f.write('line one\n'), f.write('line two\n'))
with open(D + '/t.txt') as f:
    print(repr(f.read()))
with open(D + '/t.txt') as f:
    print(repr(f.readline()), [l for l in f])
with open(D + '/t.txt', 'a') as f:
    f.write('three')
with open(D + '/t.txt') as f:
    print(f.read().split('\n'))
rmtree(D)
print(D in os.listdir())
