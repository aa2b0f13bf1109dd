# str() of an OSError built from an errno, as MicroPython prints it
import errno
try:
    open('/no_such_file_here.txt')
except OSError as e:
    print(str(e))
print(str(OSError(errno.EEXIST)))
print(str(OSError(99999)))
