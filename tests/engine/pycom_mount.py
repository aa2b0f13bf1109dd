# pycom: "/" is virtual, so a VFS object may be mounted on it; '/flash'
# and other mount points come before its own entries
import os

class Tiny:
    def __init__(self, name):
        self.name, self.cwd = name, None
    def mount(self, readonly, mkfs):
        pass
    def umount(self):
        print('umount', self.name)
    def ilistdir(self, path):
        return iter([(self.name + path.replace('/', '_'), 0x8000, 0, 1)])
    def stat(self, path):
        return (0x4000,) + (0,) * 9
    def statvfs(self, path):
        return (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
    def chdir(self, path):
        self.cwd = path
    def getcwd(self):
        return self.cwd

os.mount(Tiny('r'), '/')
os.mount(Tiny('s'), '/sd')
print(os.listdir('/'), os.listdir('/x'), os.listdir('/sd/y'), os.stat('/other')[0], os.statvfs('/'))
for p in ('/', '/flash/x', '/sd'):
    try:
        os.mount(Tiny('t'), p)
    except OSError as e:
        print('OSError', e.args)
os.chdir('/d')
print(os.getcwd())
os.chdir('/flash')
os.umount('/')
print(os.listdir('/'))
os.umount('/sd')
print(os.listdir('/'), os.getcwd())
