import errno
try:
    open('/no_such_file_here.txt')
except OSError as e:
    print('errno', e.errno, e.errno == errno.ENOENT, errno.errorcode[e.errno], e.args[0])
e = OSError(errno.EEXIST)
print(e.errno, e.args)
print(errno.ENOENT, errno.EEXIST, errno.EINVAL, errno.EACCES, errno.EBADF, errno.ENODEV, errno.EISDIR, errno.ENOTDIR)
