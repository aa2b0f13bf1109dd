import os
D = 'lt_ren'
try:
    for n in os.listdir(D):
        os.remove(D + '/' + n)
    os.rmdir(D)
except OSError:
    pass
os.mkdir(D)
with open(D + '/old', 'w') as f:
    f.write('payload')
os.rename(D + '/old', D + '/new')
print(sorted(os.listdir(D)))
with open(D + '/new') as f:
    print(f.read())
os.remove(D + '/new')
print(os.listdir(D))
try:
    os.remove(D + '/new')
except OSError as e:
    print('remove missing', e.errno)
os.rmdir(D)
