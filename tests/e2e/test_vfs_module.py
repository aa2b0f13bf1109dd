"""The `vfs` module of MicroPython v1.24 on the real board (issue 12 §3):
VfsLfs2 and VfsFat over a RAM block device written in Python, mounted
beside the board volume with vfs.mount; vfs.mount() listing every mount, the
board volume included; autodetect of a bare block device; umount by path and
by object; MicroPython's errors; `mpremote df`'s board-side code; and a soft
reset closing the files open on such a volume before the board file its
device writes to, so their data is there after a remount."""
import pytest

from boardlib import Board
from rawclient import RAW_BANNER, FdStream, RawClient

# the end of every board's banner (Pycom's and rp2's first lines differ)
PROMPT = b'Type "help()" for more information.\r\n>>> '

# A RAM block device with both interfaces, as MicroPython's docs write one:
# FAT calls readblocks(n, buf) / writeblocks(n, buf); littlefs passes the
# offset in a block and erases with ioctl(6, n).
RAM_DEV = r'''
import os, vfs

class RAM:
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

def mounts():
    return [(type(v).__name__, str(v), p) for v, p in vfs.mount()]
'''

# A block device that is a file on the board volume, so that it outlives a
# soft reset (RAM of the VM does not).
FILE_DEV = r'''
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
'''

# `mpremote df`: the code mpremote's df command runs on the board (its
# shape: import os,vfs; vfs.mount(), falling back to the directories of
# "/"; str() of each filesystem object; os.statvfs of each mount point)
MPREMOTE_DF = r'''import os,vfs
_f = "{:<10}{:>9}{:>9}{:>9}{:>5} {}"
print(_f.format("filesystem", "size", "used", "avail", "use%", "mounted on"))
try:
    _ms = vfs.mount()
except:
    _ms = []
    for _m in [""] + os.listdir("/"):
        _m = "/" + _m
        _s = os.stat(_m)
        if _s[0] & 1 << 14:
            _ms.append(("<unknown>",_m))
for _v,_p in _ms:
    _s = os.statvfs(_p)
    _sz = _s[0]*_s[2]
    if _sz:
        _av = _s[0]*_s[3]
        _us = 100*(_sz-_av)//_sz
        print(_f.format(str(_v), _sz, _sz-_av, _av, _us, _p))'''


@pytest.fixture
def board(tmp_path):
    # generic = esp32: littlefs at "/"; RAM block devices of 32-64 KiB
    # each want more than an ESP32 module's heap: a SPIRAM-sized one
    b = Board(tmp_path, extra=("--heap", "1M"))
    b.expect(PROMPT, timeout=10)
    yield b
    b.quit()


@pytest.fixture
def client(board):
    c = RawClient(FdStream(board.fd))
    c.enter_raw(soft_reset=False)
    c.exec(RAM_DEV)
    yield c
    try:
        c.exit_raw()
    except OSError:
        pass


def oserror(client, code):
    """The errno of the OSError `code` raises, as MicroPython prints it."""
    out, err = client.exec_raw(code)
    assert out == b"", out
    return err.decode().strip().splitlines()[-1]


def test_import_and_board_volume(client):
    assert client.exec("import vfs\nprint(sorted(n for n in dir(vfs) if not n.startswith('_')))") \
        == b"['VfsFat', 'VfsLfs2', 'mount', 'umount']\r\n"
    assert client.eval("vfs.mount is os.mount and vfs.umount is os.umount") is True
    # the esp32 volume is littlefs: a VfsLfs2 bound to it, at "/"
    assert client.eval("mounts()") == [("VfsLfs2", "<VfsLfs2>", "/")]
    assert client.exec("print(repr(vfs.mount()[0][0]))") == b"<VfsLfs2>\r\n"
    # its object works on the board volume itself
    client.exec("open('/seen.txt', 'w').write('board')")
    assert client.eval("[e[0] for e in vfs.mount()[0][0].ilistdir('/')]").count("seen.txt") == 1
    assert client.eval("vfs.mount()[0][0].statvfs('/') == os.statvfs('/')") is True


def test_lfs2_on_a_ram_device(client):
    client.exec("ram = RAM()\nvfs.VfsLfs2.mkfs(ram)\nvfs.mount(vfs.VfsLfs2(ram), '/ram')")
    assert client.eval("mounts()") == [("VfsLfs2", "<VfsLfs2>", "/ram"), ("VfsLfs2", "<VfsLfs2>", "/")]
    assert "ram" in client.eval("os.listdir('/')")
    # the board RTC stamps files (mtime=True): 2024-05-06 07:08:09
    client.exec("import machine\nmachine.RTC().datetime((2024, 5, 6, 0, 7, 8, 9, 0))")
    client.exec("with open('/ram/a.txt', 'w') as f:\n    f.write('hello ram')\n"
                "os.mkdir('/ram/d')\n"
                "with open('/ram/d/b.bin', 'wb') as f:\n    f.write(bytes(range(256)) * 4)")
    assert client.eval("os.listdir('/ram')") == ["a.txt", "d"]
    assert client.eval("list(os.ilistdir('/ram/d'))") == [("b.bin", 0x8000, 0, 1024)]
    st = client.eval("os.stat('/ram/a.txt')")
    assert st[0] == 0x8000 and st[6] == 9
    assert st[8] == 768294489, st          # seconds since 2000 of the RTC's time
    assert client.eval("open('/ram/a.txt').read()") == "hello ram"
    assert client.eval("open('/ram/d/b.bin', 'rb').read() == bytes(range(256)) * 4") is True
    client.exec("os.rename('/ram/a.txt', '/ram/d/c.txt')\nos.remove('/ram/d/b.bin')")
    assert client.eval("(os.listdir('/ram'), os.listdir('/ram/d'))") == (["d"], ["c.txt"])
    # statvfs: block size, block count, free blocks, name_max (VfsLfs2's)
    sv = client.eval("os.statvfs('/ram')")
    assert sv[:3] == (512, 512, 64) and 0 < sv[3] == sv[4] < 64 and sv[9] == 255, sv
    # chdir into the mount: relative paths, getcwd through the object
    client.exec("os.chdir('/ram/d')")
    assert client.eval("(os.getcwd(), os.listdir(), open('c.txt').read())") == ("/ram/d", ["c.txt"], "hello ram")
    client.exec("os.chdir('/')")


def test_fat_on_a_ram_device(client):
    client.exec("fram = RAM(512, 128)\nvfs.VfsFat.mkfs(fram)\nvfs.mount(vfs.VfsFat(fram), '/fat')")
    assert client.eval("mounts()") == [("VfsFat", "<VfsFat>", "/fat"), ("VfsLfs2", "<VfsLfs2>", "/")]
    client.exec("with open('/fat/x.txt', 'w') as f:\n    f.write('fat data')\nos.mkdir('/fat/sub')")
    assert client.eval("(os.listdir('/fat'), os.stat('/fat/x.txt')[6])") == (["x.txt", "sub"], 8)   # FAT: directory order
    client.exec("os.rename('/fat/x.txt', '/fat/sub/y.txt')")
    assert client.eval("(os.listdir('/fat/sub'), open('/fat/sub/y.txt').read())") == (["y.txt"], "fat data")
    client.exec("os.remove('/fat/sub/y.txt')\nos.rmdir('/fat/sub')")
    assert client.eval("os.listdir('/fat')") == []
    # FatFs's statvfs: cluster size, data clusters, free clusters, 255
    assert client.eval("os.statvfs('/fat')") == (512, 512, 94, 94, 94, 0, 0, 0, 0, 255)


def test_autodetect_and_umount_by_path_and_object(client):
    client.exec("lram = RAM()\nvfs.VfsLfs2.mkfs(lram)\nfram = RAM(512, 128)\nvfs.VfsFat.mkfs(fram)")
    # a bare block device: littlefs's magic in block 0 or 1, else FAT
    client.exec("vfs.mount(lram, '/x')\nvfs.mount(fram, '/y')")
    assert client.eval("mounts()") == [("VfsLfs2", "<VfsLfs2>", "/x"), ("VfsFat", "<VfsFat>", "/y"),
                                       ("VfsLfs2", "<VfsLfs2>", "/")]
    client.exec("open('/x/l', 'w').write('L')\nopen('/y/f', 'w').write('F')")
    assert client.eval("(os.listdir('/x'), os.listdir('/y'))") == (["l"], ["f"])
    # by path
    client.exec("vfs.umount('/x')")
    assert client.eval("[p for t, s, p in mounts()]") == ["/y", "/"]
    assert oserror(client, "os.listdir('/x')") == "OSError: [Errno 2] ENOENT"
    # by object: the one vfs.mount() lists
    client.exec("vfs.umount([v for v, p in vfs.mount() if p == '/y'][0])")
    assert client.eval("mounts()") == [("VfsLfs2", "<VfsLfs2>", "/")]
    # both remount with their data
    client.exec("vfs.mount(lram, '/x')\nvfs.mount(fram, '/y')")
    assert client.eval("open('/x/l').read() + open('/y/f').read()") == "LF"


def test_errors(client):
    client.exec("lram = RAM()\nvfs.VfsLfs2.mkfs(lram)\nvfs.mount(lram, '/x')")
    # a mount point in use, "/" included
    assert oserror(client, "vfs.mount(vfs.VfsLfs2(lram), '/x')") == "OSError: [Errno 1] EPERM"
    assert oserror(client, "vfs.mount(vfs.VfsLfs2(lram), '/')") == "OSError: [Errno 1] EPERM"
    # unknown point or object
    assert oserror(client, "vfs.umount('/nothere')") == "OSError: [Errno 22] EINVAL"
    assert oserror(client, "vfs.umount(RAM())") == "OSError: [Errno 22] EINVAL"
    # the board volume stays
    assert oserror(client, "vfs.umount('/')") == "OSError: [Errno 1] EPERM"
    # FAT autodetected on an erased device: no filesystem
    assert oserror(client, "vfs.mount(RAM(), '/z')") == "OSError: [Errno 19] ENODEV"
    # a device whose readblocks raises: EIO, the exception kept as its cause
    client.exec("class Failing(RAM):\n    def readblocks(self, n, buf, off=0):\n"
                "        raise ValueError('sector %d' % n)")
    assert oserror(client, "vfs.mount(Failing(), '/bad')") == "OSError: [Errno 5] EIO"
    assert client.exec("try:\n    vfs.mount(Failing(), '/bad')\nexcept OSError as e:\n"
                       "    print(e.errno, repr(e.__cause__))") == b"5 ValueError('sector 0',)\r\n"
    # read-only: mount(readonly=True)
    client.exec("vfs.umount('/x')\nvfs.mount(lram, '/x', readonly=True)")
    assert oserror(client, "open('/x/new', 'w')") == "OSError: [Errno 30] EROFS"
    assert client.eval("[p for t, s, p in mounts()]") == ["/x", "/"]


def test_ctrl_c_inside_a_block_device(client):
    # the device's readblocks never returns: Ctrl-C stops it, and the
    # KeyboardInterrupt comes out of vfs.mount as it is (not as EIO)
    client.exec("class Stuck(RAM):\n    def readblocks(self, n, buf, off=0):\n"
                "        print('stuck in readblocks')\n        while True:\n            pass")
    client.send_command("vfs.mount(Stuck(), '/s')")
    client.read_until(b"stuck in readblocks\r\n", timeout=5)
    client.write(b"\x03")
    out, err = client.follow(timeout=5)
    assert out == b"" and err.endswith(b"\r\nKeyboardInterrupt: \r\n"), err
    assert client.eval("[p for t, s, p in mounts()]") == ["/"]
    # and the next device works
    client.exec("ram = RAM()\nvfs.VfsLfs2.mkfs(ram)\nvfs.mount(ram, '/ram')")
    assert client.eval("[p for t, s, p in mounts()]") == ["/ram", "/"]


def test_mpremote_df(client):
    client.exec("ram = RAM()\nvfs.VfsLfs2.mkfs(ram)\nvfs.mount(ram, '/ram')\n"
                "fram = RAM(512, 128)\nvfs.VfsFat.mkfs(fram)\nvfs.mount(fram, '/fat')")
    out = client.exec(MPREMOTE_DF).decode()
    lines = out.split("\r\n")
    assert lines[-1] == "" and lines[0].split() == ["filesystem", "size", "used", "avail", "use%",
                                                    "mounted", "on"], out
    rows = [line.split() for line in lines[1:-1]]
    assert [(r[0], r[-1]) for r in rows] == [("<VfsLfs2>", "/ram"), ("<VfsFat>", "/fat"),
                                             ("<VfsLfs2>", "/")], out
    for r in rows:                     # size = used + avail, from os.statvfs
        sv = client.eval("os.statvfs(%r)" % r[-1])
        assert int(r[1]) == sv[0] * sv[2] and int(r[3]) == sv[0] * sv[3], (r, sv)
        assert int(r[1]) == int(r[2]) + int(r[3])
    assert [r[1] for r in rows] == ["32768", "48128", "2097152"], out


def test_soft_reset_closes_files_on_a_vfs_mount(board, client):
    client.exec(FILE_DEV)
    client.exec("fd = FileDev('/bdev.img', create=True)\nvfs.VfsLfs2.mkfs(fd)\nvfs.mount(fd, '/fd')\n"
                "left = open('/fd/left.txt', 'w')\nleft.write('written before the soft reset')\n"
                "w = left.write")
    assert client.eval("[p for t, s, p in mounts()]") == ["/fd", "/"]
    # Ctrl-D in the raw REPL, what mpremote sends: a fresh VM
    assert client.soft_reset() == b"OK\r\nMPY: soft reboot\r\n" + RAW_BANNER
    client.drain()
    client.exec(RAM_DEV)
    assert client.eval("mounts()") == [("VfsLfs2", "<VfsLfs2>", "/")]
    client.exec(FILE_DEV)
    client.exec("vfs.mount(FileDev('/bdev.img'), '/fd')")
    assert client.eval("mounts()") == [("VfsLfs2", "<VfsLfs2>", "/fd"), ("VfsLfs2", "<VfsLfs2>", "/")]
    assert client.eval("(os.listdir('/fd'), open('/fd/left.txt').read())") == \
        (["left.txt"], "written before the soft reset")


@pytest.mark.parametrize("profile,want", [
    ("pycom", [("VfsFat", "<VfsFat>", "/flash")]),
    ("rp2", [("VfsLfs2", "<VfsLfs2>", "/")]),
])
def test_other_boards_list_their_volume(tmp_path, profile, want):
    b = Board(tmp_path, board=profile)
    try:
        b.expect(PROMPT, timeout=10)
        c = RawClient(FdStream(b.fd))
        c.enter_raw(soft_reset=False)
        c.exec(RAM_DEV)
        assert c.eval("mounts()") == want
        c.exec("ram = RAM()\nvfs.VfsLfs2.mkfs(ram)\nvfs.mount(ram, '/ram')\n"
               "open('/ram/t', 'w').write('t')")
        # appended, unless a mount at "/" (kept last) is there
        ram = [("VfsLfs2", "<VfsLfs2>", "/ram")]
        assert c.eval("mounts()") == (want + ram if want[0][2] != "/" else ram + want)
        assert c.eval("open('/ram/t').read()") == "t"
    finally:
        b.quit()
