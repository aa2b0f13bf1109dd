import os
D = 'lt_il'
try:
    for n in os.listdir(D):
        os.remove(D + '/' + n)
    os.rmdir(D)
except OSError:
    pass
os.mkdir(D)
with open(D + '/f1', 'w') as f:
    f.write('12345')
os.mkdir(D + '/d1')
for e in sorted(os.ilistdir(D)):
    print(e[0], hex(e[1]), len(e) in (3, 4), e[3] if len(e) > 3 and e[1] == 0x8000 else '')
os.remove(D + '/f1')
os.rmdir(D + '/d1')
os.rmdir(D)
