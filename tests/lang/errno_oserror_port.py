# An OSError a module raises carries the board's errno number (esp32:
# newlib's, e.g. EHOSTUNREACH 118 with no network up, ETIMEDOUT 116; rp2:
# MicroPython's own, Linux's 113 and 110), the one the errno module names;
# str() prints that number and its name.
import errno
import socket

s = socket.socket()
s.setblocking(False)
try:
    s.connect(("127.0.0.1", 9))
    print("connected")
except OSError as e:
    print(e.errno, e.errno == errno.EHOSTUNREACH, errno.errorcode[e.errno], str(e))
s.close()
print(errno.ETIMEDOUT, errno.EINPROGRESS, errno.ENOTCONN, str(OSError(errno.ETIMEDOUT)))
