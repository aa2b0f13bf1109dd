# os.mount of a Python VFS object (mpremote mount, repl.md 6.3): a
# dict-backed filesystem that logs every call with the path it was given,
# so the output shows the mount prefix stripped as MicroPython does
import os, io, sys, gc, _weakref

calls = []

def show(*what):
    print(*what, calls[:])
    calls.clear()

def err(fn, *a, **kw):
    try:
        fn(*a, **kw)
        print('no error')
    except OSError as e:
        print('OSError', e.args)

class DictFile:
    def __init__(self, fs, path, mode):
        self.fs, self.path, self.text, self.pos = fs, path, 'b' not in mode, 0
        if 'w' in mode:
            fs.files[path] = b''
        elif fs.files.get(path, 0) == 0:
            raise OSError(2)
        elif fs.files[path] is None:
            raise OSError(21)

    def _out(self, b):
        return b.decode() if self.text else b

    def read(self, n=-1):
        data = self.fs.files[self.path]
        end = len(data) if n < 0 else min(len(data), self.pos + n)
        b, self.pos = data[self.pos:end], end
        return self._out(b)

    def readinto(self, buf):
        b = self.fs.files[self.path][self.pos:self.pos + len(buf)]
        buf[:len(b)] = b
        self.pos += len(b)
        return len(b)

    def readline(self):
        data = self.fs.files[self.path]
        i = data.find(b'\n', self.pos)
        end = len(data) if i < 0 else i + 1
        b, self.pos = data[self.pos:end], end
        return self._out(b)

    def write(self, b):
        b = b.encode() if isinstance(b, str) else bytes(b)
        data = self.fs.files[self.path]
        self.fs.files[self.path] = data[:self.pos] + b + data[self.pos + len(b):]
        self.pos += len(b)
        return len(b)

    def seek(self, off, whence=0):
        self.pos = off + (0, self.pos, len(self.fs.files[self.path]))[whence]
        return self.pos

    def close(self):
        calls.append(('close', self.path))

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

class DictFS:
    def __init__(self, files):
        self.files = dict(files)       # path -> bytes, or None for a directory
        self.files['/'] = None
        self.cwd = None

    def _p(self, path):
        if isinstance(path, bytes):
            path = path.decode()
        if not path.startswith('/'):   # the board always passes '/'-rooted paths
            raise ValueError('relative path %r' % path)
        return path

    def _isdir(self, p):
        return p in self.files and self.files[p] is None

    def mount(self, readonly, mkfs):
        calls.append(('mount', readonly, mkfs))

    def umount(self):
        calls.append(('umount',))

    def chdir(self, path):
        calls.append(('chdir', path))
        if not self._isdir(self._p(path)):
            raise OSError(2)
        self.cwd = self._p(path)

    def getcwd(self):
        calls.append(('getcwd',))
        return self.cwd

    def ilistdir(self, path):
        calls.append(('ilistdir', path))
        p = self._p(path)
        if not self._isdir(p):
            raise OSError(2)
        pre = p.rstrip('/') + '/'
        out = []
        for k in sorted(self.files):
            if k != p and k.startswith(pre) and '/' not in k[len(pre):]:
                v = self.files[k]
                out.append((k[len(pre):], 0x4000 if v is None else 0x8000, 0,
                            0 if v is None else len(v)))
        return iter(out)

    def stat(self, path):
        calls.append(('stat', path))
        p = self._p(path)
        if p not in self.files:
            raise OSError(2)
        v = self.files[p]
        return (0x4000 if v is None else 0x8000, 0, 0, 0, 0, 0, 0 if v is None else len(v), 0, 0, 0)

    def statvfs(self, path):
        calls.append(('statvfs', path))
        return (512, 512, 64, 32, 32, 0, 0, 0, 0, 255)

    def open(self, path, mode):
        calls.append(('open', path, mode))
        return DictFile(self, self._p(path), mode)

    def remove(self, path):
        calls.append(('remove', path))
        p = self._p(path)
        if p not in self.files:
            raise OSError(2)
        del self.files[p]

    def rename(self, a, b):
        calls.append(('rename', a, b))
        a, b = self._p(a), self._p(b)
        if a not in self.files:
            raise OSError(2)
        self.files[b] = self.files.pop(a)

    def mkdir(self, path):
        calls.append(('mkdir', path))
        p = self._p(path)
        if p in self.files:
            raise OSError(17)
        if not self._isdir(p.rsplit('/', 1)[0] or '/'):
            raise OSError(2)
        self.files[p] = None

    def rmdir(self, path):
        calls.append(('rmdir', path))
        p = self._p(path)
        if not self._isdir(p):
            raise OSError(2)
        if any(k.startswith(p + '/') for k in self.files):
            raise OSError(39)
        del self.files[p]

home = os.getcwd()
fs = DictFS({'/hello.txt': b'hi there\nline2\n', '/sub': None,
             '/mod1.py': b'V = 41 + 1\nprint("mod1 runs")\n',
             '/mod2.py': b'W = "two"\n', '/mod3.py': b'Z = 3\n', '/rpkg': None,
             '/rpkg/__init__.py': b'P = "rpkg"\n', '/rpkg/sub.py': b'from . import P\nS = P + ".sub"\n',
             '/bad.py': b'raise OSError(5)\n'})
wfs = _weakref.ref(fs)

# mount: the object's mount(readonly, mkfs) is called
show('mount', os.mount(fs, '/remote'))
# "/" lists the mount point as a directory: first on a volume mounted at
# "/", after 'flash' where the volume is at /flash
ls = os.listdir('/')
print(ls.index('remote') == (1 if ROOT else 0), ('flash' in ls) == bool(ROOT))
print([e for e in os.ilistdir('/') if e[0] == 'remote'], [e for e in os.ilistdir(b'/') if e[0] == b'remote'])
calls.clear()

# open / read / write: path without the prefix, mode as given
f = open('/remote/hello.txt')
show(type(f).__name__, repr(f.readline()), repr(f.read()))
f.close()
with io.open('/remote/hello.txt', 'rb') as f:
    show(f.read(5))
with open('/remote/new.bin', 'wb') as f:
    show('write', f.write(b'\x00\x01\x02'))
show(fs.files['/new.bin'])
buf = bytearray(8)
with open('/remote/new.bin', 'rb') as f:
    show('readinto', f.readinto(buf), buf)
err(open, '/remote/nope.txt')
show('open missing')

# listing, stat, statvfs
show(os.listdir('/remote'))
show(list(os.ilistdir('/remote/sub')))
show(os.listdir(b'/remote'))
show(os.stat('/remote'), os.stat('/remote/hello.txt'))
err(os.stat, '/remote/nope')
show('stat missing')
show(os.statvfs('/remote/sub'))

# chdir / getcwd, relative paths resolved against the cwd
os.chdir('/remote')
show(os.getcwd())
os.chdir('sub')
show(os.getcwd())
with open('x.txt', 'w') as f:
    f.write('in sub')
show(os.listdir(), fs.files['/sub/x.txt'])
show(os.stat('../hello.txt')[6], os.stat('./x.txt')[6])
err(os.chdir, '/remote/nope')
show('chdir missing', os.getcwd())
os.chdir('..')
show(os.getcwd())
os.chdir('..')                          # out of the mount: the root again
show(os.getcwd())
os.chdir(home)

# remove / rename / mkdir / rmdir
show(os.rename('/remote/sub/x.txt', '/remote/y.txt'), '/y.txt' in fs.files)
err(os.rename, '/remote/y.txt', (ROOT or '') + '/y.txt')   # across mounts
err(os.rename, (ROOT or '') + '/y.txt', '/remote/y.txt')
show('rename across')
show(os.remove('/remote/y.txt'), '/y.txt' in fs.files)
err(os.remove, '/remote/y.txt')
show('remove missing')
show(os.mkdir('/remote/d2'), os.listdir('/remote/sub/../d2'))
err(os.mkdir, '/remote/d2')
err(os.mkdir, '/remote')               # a mount point exists: no call
show('mkdir errors')
with open('/remote/d2/f', 'w') as f:
    pass
err(os.rmdir, '/remote/d2')
os.remove('/remote/d2/f')
calls.clear()
show(os.rmdir('/remote/d2'), '/d2' in fs.files)

# imports: '/remote' on sys.path, then '' with the cwd in the mount
sys.path.insert(0, '/remote')
import mod1
show(mod1.V, mod1.__file__)
import rpkg.sub
print(rpkg.sub.S, rpkg.__file__, rpkg.__path__)
calls.clear()
try:
    import bad
except OSError as e:
    print('OSError', e.args)
try:
    import nothere
except ImportError as e:
    print(type(e).__name__, e.name)
calls.clear()
sys.path.remove('/remote')
os.chdir('/remote')
import mod2
print(mod2.W, mod2.__file__)
os.chdir(home)

# a VFS whose stat fails in a non-OSError way is "not there" for imports
class Broken(DictFS):
    def stat(self, path):
        raise RuntimeError('broken')
os.mount(Broken({}), '/broken')
sys.path[:0] = ['/broken', '/remote']
import mod3
print(mod3.Z, mod3.__file__)
del sys.path[:2]
# ... but a Ctrl-C during that stat still stops the import
class Interrupted(DictFS):
    def stat(self, path):
        raise KeyboardInterrupt
os.mount(Interrupted({}), '/intr')
sys.path.insert(0, '/intr')
try:
    import mod4
except KeyboardInterrupt:
    print('KeyboardInterrupt')
sys.path.remove('/intr')
os.umount('/intr')
err(os.mount, fs, '/elsewhere', readonly=True, mkfs=False)
print([c for c in calls if c[0] == 'mount'])
os.umount('/elsewhere')
calls.clear()

# errors: mount point in use (the object's mount() runs first, upstream
# order), a point below a VFS mount, the volume's own point, no mount()
# and no readblocks either
fs2 = DictFS({})
err(os.mount, fs2, '/remote')
err(os.mount, fs2, '/remote/inner')
err(os.mount, fs2, ROOT or '/')
show('in use')
try:                        # no mount(): a block device to autodetect (upstream)
    os.mount(object(), '/obj')
except AttributeError as e:
    print('AttributeError', 'readblocks' in str(e))
err(os.umount, '/nope')
err(os.umount, ROOT or '/')
err(os.umount, fs2)
class NoMount(DictFS):
    def mount(self, readonly, mkfs):
        raise OSError(5)
err(os.mount, NoMount({}), '/nm')
print('nm' in os.listdir('/'), 'broken' in os.listdir('/'))
# readonly keyword, umount by object, umount by path
os.mount(fs2, '/ro/', readonly=True)
show('ro' in os.listdir('/'))
os.umount(fs2)
os.umount('/broken')
show('ro' in os.listdir('/'), 'broken' in os.listdir('/'))

# umount with the cwd inside: back to "/"
os.chdir('/remote/sub')
os.umount('/remote')
show(os.getcwd(), 'remote' in os.listdir('/'))
try:
    os.stat('/remote/hello.txt')
except OSError as e:
    print('gone', e.args == ((19,) if ROOT else (2,)))
err(os.umount, '/remote')
os.chdir(home)
# the table let go of the object
del fs, f, mod1, mod2, mod3, rpkg
sys.modules.pop('mod1'); sys.modules.pop('mod2'); sys.modules.pop('mod3')
sys.modules.pop('rpkg'); sys.modules.pop('rpkg.sub')
gc.collect()
print('released', wfs() is None)
