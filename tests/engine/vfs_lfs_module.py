# The vfs module (MicroPython v1.24) on a board whose volume is littlefs at
# "/": VfsLfs2 and VfsFat over block devices written in Python, mounted
# beside the board volume; autodetect; errors; device exceptions, hostile
# devices and device code calling back into the filesystem it sits under.
# The clock is fixed at 2024-01-02 03:04:05 (757479845 in the board epoch).
import os, vfs, gc, _weakref

def err(fn, *a, **kw):
    try:
        fn(*a, **kw)
        print('no error')
    except OSError as e:
        c = e.__cause__
        print('OSError', e.args, repr(c) if c else None)
    except Exception as e:
        print(type(e).__name__, e)

class RAM:
    # both interfaces, as MicroPython's docs write one: FAT calls
    # readblocks(n, buf) / writeblocks(n, buf), littlefs adds the offset
    def __init__(self, bs=512, n=64):
        self.bs, self.data = bs, bytearray(b'\xff' * (bs * n))

    def readblocks(self, n, buf, off=0):
        a = n * self.bs + off
        buf[:] = self.data[a:a + len(buf)]

    def writeblocks(self, n, buf, off=None):
        a = n * self.bs + (off or 0)
        self.data[a:a + len(buf)] = buf

    def ioctl(self, op, arg):
        if op == 4:
            return len(self.data) // self.bs
        if op == 5:
            return self.bs
        if op == 6:
            self.data[arg * self.bs:(arg + 1) * self.bs] = b'\xff' * self.bs
            return 0

print('import', vfs.mount is os.mount, vfs.umount is os.umount, vfs.VfsLfs2 is os.VfsLfs2,
      vfs.VfsFat is os.VfsFat)
print(vfs.mount())

# --- littlefs: mkfs, mount, files, names, statvfs
ram = RAM()
print(vfs.VfsLfs2.mkfs(ram))
fs = vfs.VfsLfs2(ram)
print(vfs.mount(fs, '/ram'), vfs.mount())
with open('/ram/a.txt', 'w') as f:
    print(f.write('hello'), type(f).__name__)
os.mkdir('/ram/d')
with open('/ram/d/b.bin', 'wb') as f:
    print(f.write(bytes(range(200))), type(f).__name__)
print(os.listdir('/ram'), list(os.ilistdir('/ram/d')), os.listdir('/'))
print(os.stat('/ram/a.txt'), os.stat('/ram/d')[0], os.stat('/ram'))
print(open('/ram/a.txt').read(), open('/ram/d/b.bin', 'rb').read() == bytes(range(200)))
os.rename('/ram/a.txt', '/ram/d/c.txt')
os.remove('/ram/d/b.bin')
print(os.listdir('/ram'), os.listdir('/ram/d'))
err(os.remove, '/ram/nope')
err(os.mkdir, '/ram/d')
err(os.rmdir, '/ram/d')
print(os.statvfs('/ram'))
# the object itself: paths against its own cwd, bytes in gives bytes out
print(fs.getcwd(), fs.chdir('d'), fs.getcwd(), list(fs.ilistdir()), list(fs.ilistdir(b'/')))
print(fs.stat('c.txt')[6], fs.open('c.txt', 'r').read())
fs.chdir('..')
err(fs.chdir, '/nope')
print(fs.getcwd(), repr(fs), str(fs), type(fs).__name__)
# os.chdir into the mount: the object follows
os.chdir('/ram/d')
print(os.getcwd(), fs.getcwd(), os.listdir())
os.chdir('/')
# mtime=False: files carry no time
tram = RAM()
vfs.VfsLfs2.mkfs(tram)
nt = vfs.VfsLfs2(tram, mtime=False)
with nt.open('/plain.txt', 'w') as f:
    f.write('no time')
print(nt.stat('/plain.txt')[8], vfs.VfsLfs2(tram).stat('/plain.txt')[8])

# --- FAT
fram = RAM(512, 128)
print(vfs.VfsFat.mkfs(fram))
ffs = vfs.VfsFat(fram)
vfs.mount(ffs, '/fat')
with open('/fat/x.txt', 'w') as f:
    f.write('fat data')
os.mkdir('/fat/sub')
os.rename('/fat/x.txt', '/fat/sub/y.txt')
print(os.listdir('/fat'), list(os.ilistdir('/fat/sub')), open('/fat/sub/y.txt').read())
print(os.stat('/fat/sub/y.txt'), os.statvfs('/fat'))
os.remove('/fat/sub/y.txt')
os.rmdir('/fat/sub')
print(os.listdir('/fat'), vfs.mount())

# --- autodetect: a block device (no mount method) holding littlefs or FAT
vfs.umount('/ram')
vfs.umount(ffs)
vfs.mount(ram, '/x')
vfs.mount(fram, '/y')
print(vfs.mount(), os.listdir('/x'), os.listdir('/y'))
blank = RAM(512, 128)
err(vfs.mount, blank, '/z')                 # FAT's, no filesystem: ENODEV
print(vfs.mount(blank, '/z', mkfs=True), os.listdir('/z'), os.statvfs('/z')[2])
vfs.umount('/z')

# --- errors
err(vfs.mount, vfs.VfsLfs2(ram), '/x')      # point in use
err(vfs.mount, vfs.VfsLfs2(ram), '/')
err(vfs.umount, '/nothere')
err(vfs.umount, RAM())
err(vfs.umount, '/')                        # the board volume
err(vfs.umount, vfs.mount()[-1][0])         # ... named by its object
err(vfs.VfsLfs2, blank)                     # FAT there now: not littlefs
err(vfs.VfsLfs2, RAM())                     # erased
err(vfs.VfsLfs2, ram, readsize=0)
err(vfs.VfsLfs2, ram, progsize=3)
err(vfs.VfsFat, object())
err(vfs.VfsFat, ram, 1)

# --- read-only: mount(readonly=True), a device without writeblocks
with open('/x/keep.txt', 'w') as f:
    f.write('kept')
vfs.umount('/x')
vfs.mount(ram, '/x', readonly=True)
err(open, '/x/new.txt', 'w')
err(os.mkdir, '/x/dd')
err(os.remove, '/x/keep.txt')
print(open('/x/keep.txt').read())
vfs.umount('/x')

class ROM:
    def __init__(self, data):
        self.data = bytes(data)

    def readblocks(self, n, buf, off=0):
        buf[:] = self.data[n * 512 + off:n * 512 + off + len(buf)]

    def ioctl(self, op, arg):
        return {4: len(self.data) // 512, 5: 512}.get(op)

vfs.mount(ROM(ram.data), '/rom')
err(os.rename, '/rom/keep.txt', '/rom/k2.txt')
print(os.listdir('/rom'), open('/rom/keep.txt').read())
vfs.umount('/rom')

# --- a device that raises: EIO with the exception as cause; Ctrl-C stops
class Failing(RAM):
    def readblocks(self, n, buf, off=0):
        raise ValueError('bad sector %d' % n)

err(vfs.mount, Failing(), '/bad')
err(vfs.VfsLfs2, Failing())
err(vfs.VfsFat.mkfs, Failing())
err(vfs.VfsFat.mkfs, RAM(512, 32))              # too small (flash.md 3)

class Flaky(RAM):
    def __init__(self, data):
        super().__init__()
        self.data, self.fail = data, None

    def readblocks(self, n, buf, off=0):
        if self.fail:
            raise self.fail
        super().readblocks(n, buf, off)

fl = Flaky(ram.data)
flfs = vfs.VfsLfs2(fl)
vfs.mount(flfs, '/fl')
fl.fail = KeyboardInterrupt()
try:
    open('/fl/keep.txt').read()
except KeyboardInterrupt:
    print('KeyboardInterrupt')
fl.fail = OSError(28)
err(open, '/fl/keep.txt')
fl.fail = None
print(open('/fl/keep.txt').read())
vfs.umount('/fl')

# --- hostile devices: never a crash, an error
class Resizing(RAM):
    def readblocks(self, n, buf, off=0):
        buf.extend(b'xx')

class Answers(RAM):
    def __init__(self, answers, result=None):
        super().__init__()
        self.answers, self.result = answers, result

    def readblocks(self, n, buf, off=0):
        super().readblocks(n, buf, off)
        return self.result

    def ioctl(self, op, arg):
        if op in self.answers:
            return self.answers[op]
        return super().ioctl(op, arg)

err(vfs.VfsLfs2, Resizing())
err(vfs.VfsLfs2, Answers({5: 'big'}))
err(vfs.VfsLfs2, Answers({5: None}))
err(vfs.VfsLfs2, Answers({5: -512}))
err(vfs.VfsLfs2, Answers({4: 1 << 40}))
err(vfs.VfsLfs2, Answers({5: 1 << 30}))
err(vfs.VfsFat, Answers({5: 1000}))
err(vfs.VfsFat, Answers({4: None}))
err(vfs.VfsLfs2.mkfs, Answers({6: None}))
err(vfs.VfsLfs2.mkfs, Answers({}, 7))
err(vfs.VfsFat, Answers({}, False))
err(vfs.mount, Answers({}, 'odd'), '/odd')
print('no crash', vfs.mount())

# --- device code calling back into the filesystem it is under: EBUSY
class Hooked(RAM):
    hook = None

    def writeblocks(self, n, buf, off=None):
        h, self.hook = self.hook, None
        if h:
            h()
        super().writeblocks(n, buf, off)

hk = Hooked()
vfs.VfsLfs2.mkfs(hk)
hfs = vfs.VfsLfs2(hk)
vfs.mount(hfs, '/hk')
hk.hook = lambda: os.listdir('/hk')
err(open, '/hk/one.txt', 'w')
hk.hook = lambda: hfs.umount()
err(open, '/hk/two.txt', 'w')
print(sorted(os.listdir('/hk')))
# the last reference to another file of the volume goes inside a device
# call: that file is closed (and written) when the call ends
g = open('/hk/g.txt', 'w')
g.write('deferred')
def drop():
    global g
    g = None
hk.hook = drop
with open('/hk/h.txt', 'w') as f:
    f.write('h')
print(g, sorted(os.listdir('/hk')), open('/hk/g.txt').read())

# --- umount closes the files still open on it; they refuse I/O after
f = open('/hk/open.txt', 'w')
f.write('written before umount')
vfs.umount('/hk')
print(f.closed)
err(f.write, 'more')
vfs.mount(hk, '/hk')
print(open('/hk/open.txt').read())
vfs.umount('/hk')

# --- the objects go when nothing holds them, cycles included
cy = RAM()
vfs.VfsLfs2.mkfs(cy)
cy.fs = vfs.VfsLfs2(cy)
w = _weakref.ref(cy)
del cy, fs, ffs, nt, flfs, hfs
gc.collect()
print('released', w() is None)

# --- left open for the soft reset (the harness closes every file): a
# littlefs on a device that is a board file
class FileDev:
    def __init__(self, path, bs=512, n=32, create=False):
        self.bs, self.n = bs, n
        if create:
            with open(path, 'wb') as f:
                f.write(b'\xff' * (bs * n))
        self.f = open(path, 'r+b')

    def readblocks(self, n, buf, off=0):
        self.f.seek(n * self.bs + off)
        self.f.readinto(buf)

    def writeblocks(self, n, buf, off=0):
        self.f.seek(n * self.bs + (off or 0))
        self.f.write(buf)

    def ioctl(self, op, arg):
        if op == 4:
            return self.n
        if op == 5:
            return self.bs
        if op == 6:
            self.f.seek(arg * self.bs)
            self.f.write(b'\xff' * self.bs)
            return 0

fd = FileDev('/bdev.img', create=True)
vfs.VfsLfs2.mkfs(fd)
vfs.mount(fd, '/fd')
left = open('/fd/left.txt', 'w')
left.write('written before the soft reset')
print(vfs.mount())
