import os
f = open('keep.txt', 'w')
os.chdir('lib')
os.fsformat('/flash')
print(f.closed, os.getcwd(), os.listdir(), os.listdir('/'))
open('new.txt', 'w').write('n')
print(os.listdir())
os.mkfs('/flash')
print(os.listdir())
try:
    os.fsformat('/flash/lib')
except OSError as e:
    print('OSError', e.args)
