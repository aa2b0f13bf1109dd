# OSError as MicroPython makes and prints it: one class, names from the errno table
import errno
e = OSError(errno.ENOENT, 'no file')
print(type(e) is OSError, e.errno, e.args)
print(str(OSError(5)))
print(str(OSError(5, 'x')))
print(repr(OSError(5)))
print(str(OSError('just text')))
try:
    open('/no_such_file')
except OSError as e:
    print(type(e) is OSError, e.errno == errno.ENOENT, e.args == (errno.ENOENT,))
try:
    import os
    os.mkdir('/')
except OSError as e:
    print(type(e) is OSError, e.args == (errno.EEXIST,), e)
