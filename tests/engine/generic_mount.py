# generic: the volume is mounted at "/", so VFS objects can go anywhere
# below it, even inside one of its directories, and come first in "/"
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
    def chdir(self, path):
        self.cwd = path
    def getcwd(self):
        return self.cwd

os.mount(Tiny('a'), '/lib/inner')
os.mount(Tiny('b'), '/zz')
print(os.listdir('/')[:2], os.listdir('/lib/inner'), os.listdir('/lib/inner/d'), 'inner' in os.listdir('/lib'))
os.chdir('/lib/inner/d')
print(os.getcwd(), os.listdir())
os.chdir('/')
print(os.getcwd())
try:
    os.mount(Tiny('c'), '/')
except OSError as e:
    print('OSError', e.args)
os.umount('/zz')
os.umount('/lib/inner')
print(os.listdir('/') == os.listdir(), 'zz' in os.listdir('/'))
