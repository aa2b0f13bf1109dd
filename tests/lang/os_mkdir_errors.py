import os
import errno
D = 'lt_mk'
try:
    os.rmdir(D + '/inner')
except OSError:
    pass
try:
    os.rmdir(D)
except OSError:
    pass
os.mkdir(D)
try:
    os.mkdir(D)
except OSError as e:
    print('mkdir exists', e.errno == errno.EEXIST, e.errno)
os.mkdir(D + '/inner')
print(os.listdir(D))
try:
    os.stat(D + '/missing')
except OSError as e:
    print('stat missing', e.errno, e.args)
try:
    os.rmdir(D + '/missing')
except OSError as e:
    print('rmdir missing', e.errno)
try:
    open(D + '/nodir/file', 'w')
except OSError as e:
    print('open in missing dir', e.errno)
os.rmdir(D + '/inner')
os.rmdir(D)
print(D in os.listdir())
