# the os module (flash.md 4.6, repl.md 6.3)
import os, uos

def err(fn, *a):
    try:
        r = fn(*a)
        print('no error', r)
    except OSError as e:
        print('OSError', e.args, e.errno)

print(uos is os, os.sep, os.getcwd() == (ROOT or '/'))
os.mkdir('od')
os.mkdir(ROOT + '/od/sub')
with open('od/f.txt', 'w') as f:
    f.write('12345')
print(sorted(os.listdir('od')))
print(list(os.ilistdir('od')))
it = os.ilistdir('od')
print(type(it) is not list, next(it)[1:3])
print(os.listdir(b'od'))
print(os.stat('od'), os.stat('od/f.txt'))
print(tuple(os.stat(ROOT + '/od/f.txt'))[:7], len(os.stat('od')))
print(os.stat(ROOT or '/'))
v = os.statvfs(ROOT or '/')
print(len(v), v[0] == v[1], v[2] > 100, v[3] == v[4], v[3] < v[2], v[5:])
err(os.stat, 'nope')
err(os.stat, 'od/nope/x')
err(os.listdir, 'nope')
err(os.listdir, 'od/f.txt')
err(os.mkdir, 'od')
err(os.mkdir, 'nope/x')
err(os.rmdir, 'od')
err(os.rmdir, 'od/f.txt')
err(os.remove, 'od/sub')
err(os.remove, 'nope')
err(os.rename, 'nope', 'x')
# rename: plain, replacing a file, onto a directory, across directories
with open('a.txt', 'w') as f:
    f.write('A')
with open('b.txt', 'w') as f:
    f.write('BB')
os.rename('a.txt', 'c.txt')
print('a.txt' in os.listdir(), open('c.txt').read())
os.rename('c.txt', 'b.txt')
print('c.txt' in os.listdir(), open('b.txt').read())
err(os.rename, 'b.txt', 'od')
os.rename('b.txt', 'od/sub/b.txt')
print(os.listdir('od/sub'))
# chdir / getcwd / relative paths with . and ..
os.chdir('od')
print(os.getcwd()[len(ROOT):], sorted(os.listdir()), os.listdir('.'), os.listdir('sub'))
os.chdir('sub')
print(os.getcwd()[len(ROOT):], open('../f.txt').read(), open('./../sub/b.txt').read())
print(sorted(os.listdir('..')))
os.chdir('..')
os.chdir('..')
print(os.getcwd() == (ROOT or '/'))
err(os.chdir, 'nope')
err(os.chdir, 'od/f.txt')
os.chdir(ROOT + '/od/sub/')
print(os.getcwd()[len(ROOT):])
os.chdir(ROOT + '/od/sub/../..')
print(os.getcwd() == (ROOT or '/'))
# cleanup, then rmdir works
os.remove('od/sub/b.txt')
os.rmdir('od/sub')
os.remove('od/f.txt')
os.rmdir('od')
print('od' in os.listdir())
# mtime: the fixed clock 2024-01-02 03:04:05 -> seconds since 2000, 2 s resolution
print(os.stat('t.txt')[7:], os.stat('t.txt')[7] == 757479844)
# urandom, uname
r = os.urandom(16)
print(type(r).__name__, len(r), os.urandom(0), r != os.urandom(16))
u = os.uname()
print(u.sysname, u.machine, u[2], len(u))
os.sync()
e = OSError(2)
try:
    os.remove('nope')
except OSError as x:
    print(type(x) is OSError, x.args == (2,), x.errno == 2, str(x))
