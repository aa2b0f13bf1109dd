# The vfs module on a board whose volume is FAT at /flash (Pycom's layout):
# vfs.mount() shows it as a VfsFat, whose own calls reach the volume; it
# cannot be unmounted; a VfsLfs2 mounts beside it.
import os, vfs

def err(fn, *a):
    try:
        fn(*a)
        print('no error')
    except OSError as e:
        print('OSError', e.args)

class RAM:
    def __init__(self, bs=512, n=32):
        self.bs, self.data = bs, bytearray(b'\xff' * (bs * n))

    def readblocks(self, n, buf, off=0):
        buf[:] = self.data[n * self.bs + off:n * self.bs + off + len(buf)]

    def writeblocks(self, n, buf, off=0):
        self.data[n * self.bs + off:n * self.bs + off + len(buf)] = buf

    def ioctl(self, op, arg):
        return {4: len(self.data) // self.bs, 5: self.bs, 6: 0}.get(op)

ms = vfs.mount()
board = ms[0][0]
print(ms, type(board).__name__, board is vfs.mount()[0][0])
with open('/flash/via_os.txt', 'w') as f:
    f.write('board file')
print(board.getcwd(), sorted(board.ilistdir('/'))[-1], board.open('/via_os.txt').read())
print(board.statvfs('/') == os.statvfs('/flash'), board.mount(False, False), board.umount())
err(vfs.umount, board)
err(vfs.umount, '/flash')
ram = RAM()
vfs.VfsLfs2.mkfs(ram)
vfs.mount(ram, '/ram')
with open('/ram/f', 'w') as f:
    f.write('lfs beside FAT')
print(vfs.mount(), os.listdir('/'), open('/ram/f').read())
vfs.umount('/ram')
os.remove('/flash/via_os.txt')
