"""`os.mount` of a Python VFS object on the real board, as `mpremote mount`
uses it (repl.md §6.3): device code defines a RemoteFS-like class whose
methods serve a dict on the device (mpremote serves the host directory over
the serial line instead; the board-side calls are the same), mounts it at
/remote, chdirs there and puts it on sys.path. Then listing "/", imports,
mpremote's file helpers through the mount, and a soft reset dropping it."""
import hashlib
import random

import pytest

from boardlib import Board
from rawclient import RAW_BANNER, FdStream, ProtocolError, RawClient

# on Pycom the banner carries the running firmware image's version
BANNER = b'Type "help()" for more information.\r\n>>> '

SOFT_REBOOT = {"generic": b"MPY: soft reboot\r\n", "pycom": b"PYB: soft reboot\r\n"}

# Written for these tests from mpremote's call pattern: paths arrive without
# the mount prefix; chdir keeps a '/'-terminated cwd, getcwd returns it;
# relative paths are taken against it; errors are OSError(errno).
DEVICE_FS = r'''
import os, io, sys

class DevFile(io.IOBase):
    def __init__(self, store, key, mode):
        self.store, self.key, self.text, self.pos = store, key, 'b' not in mode, 0
        if 'w' in mode:
            store[key] = b''
        elif store.get(key, 0) == 0:
            raise OSError(2)
        elif store[key] is None:
            raise OSError(21)

    def _cut(self, end):
        data = self.store[self.key]
        end = min(len(data), end)
        b, self.pos = data[self.pos:end], max(self.pos, end)
        return b.decode() if self.text else b

    def read(self, n=-1):
        return self._cut(1 << 30 if n < 0 else self.pos + n)

    def readinto(self, buf):
        b = self.store[self.key][self.pos:self.pos + len(buf)]
        buf[:len(b)] = b
        self.pos += len(b)
        return len(b)

    def readline(self):
        i = self.store[self.key].find(b'\n', self.pos)
        return self._cut(1 << 30 if i < 0 else i + 1)

    def write(self, b):
        b = b.encode() if isinstance(b, str) else bytes(b)
        self.store[self.key] += b
        self.pos += len(b)
        return len(b)

    def seek(self, n, whence=0):
        self.pos = n + (0, self.pos, len(self.store[self.key]))[whence]
        return self.pos

    def close(self):
        pass

class RemoteFS:
    def __init__(self, store):
        self.store = store
        self.calls = []

    def _key(self, path):
        path = path if path.startswith('/') else self.path + path
        return path.rstrip('/') or '/'

    def mount(self, readonly, mkfs):
        self.calls.append('mount')

    def umount(self):
        self.calls.append('umount')

    def chdir(self, path):
        if not path.startswith('/'):
            path = self.path + path
        if not path.endswith('/'):
            path += '/'
        if path != '/':
            self.stat(path)
        self.path = path

    def getcwd(self):
        return self.path

    def stat(self, path):
        self.calls.append(('stat', path))
        k = self._key(path)
        if k not in self.store:
            raise OSError(2)
        v = self.store[k]
        return (0x4000 if v is None else 0x8000, 0, 0, 0, 0, 0, 0 if v is None else len(v), 0, 0, 0)

    def ilistdir(self, path):
        k = self._key(path)
        if self.store.get(k, 0) is not None:
            raise OSError(2)
        pre = k.rstrip('/') + '/'
        names = sorted(p[len(pre):] for p in self.store
                       if p != k and p.startswith(pre) and '/' not in p[len(pre):])
        def gen():
            for n in names:
                yield (n, 0x4000 if self.store[pre + n] is None else 0x8000, 0)
        return gen()

    def open(self, path, mode):
        self.calls.append(('open', path, mode))
        return DevFile(self.store, self._key(path), mode)

    def remove(self, path):
        k = self._key(path)
        if self.store.get(k, 0) == 0:
            raise OSError(2)
        del self.store[k]

    def rename(self, old, new):
        self.store[self._key(new)] = self.store.pop(self._key(old))

    def mkdir(self, path):
        k = self._key(path)
        if k in self.store:
            raise OSError(17)
        self.store[k] = None

    def rmdir(self, path):
        k = self._key(path)
        if any(p.startswith(k + '/') for p in self.store):
            raise OSError(13)
        del self.store[k]

    def statvfs(self, path):
        return (1024, 1024, 100, 50, 50, 0, 0, 0, 0, 255)

store = {'/': None, '/hello.py': b'GREETING = "hi from the mount"\n',
         '/nspkg': None, '/nspkg/inner.py': b'WHERE = "namespace package on the mount"\n',
         '/lib': None, '/lib/helper.py': b'def twice(x):\n    return 2 * x\n',
         '/data.bin': bytes(range(256)) * 5}
rfs = RemoteFS(store)

def __mount():
    os.mount(rfs, '/remote')
    os.chdir('/remote')
'''


@pytest.fixture(params=["generic", "pycom"])
def board(request, tmp_path):
    b = Board(tmp_path, board=request.param)
    b.expect(BANNER, timeout=10)
    b.profile = request.param
    yield b
    b.quit()


@pytest.fixture
def client(board):
    c = RawClient(FdStream(board.fd))
    c.enter_raw(soft_reset=True)
    yield c
    try:
        c.exit_raw()
    except OSError:
        pass


def mount(client):
    client.exec(DEVICE_FS)
    client.exec("__mount()\nsys.path.insert(0, '/remote')")


def test_mount_listing_cwd_and_imports(board, client):
    mount(client)
    root = client.eval("os.listdir('/')")
    if board.profile == "generic":
        # mount points first, then the volume mounted at "/" (upstream order)
        assert root[0] == "remote" and "boot.py" in root, root
    else:
        assert root == ["flash", "remote"], root
    assert ("remote", 0x4000, 0) in client.ls("/")
    assert client.eval("os.getcwd()") == "/remote"
    assert client.eval("os.listdir()") == ["data.bin", "hello.py", "lib", "nspkg"]
    assert client.eval("os.listdir('lib')") == ["helper.py"]
    assert client.exec("import hello\nprint(hello.GREETING, hello.__file__)") \
        == b"hi from the mount /remote/hello.py\r\n"
    # '' on sys.path is the cwd, which is in the mount
    assert client.exec("os.chdir('lib')\nprint(os.getcwd())\nimport helper\nprint(helper.twice(21))") \
        == b"/remote/lib/\r\n42\r\n"
    # the object saw paths without the mount prefix, and the import read
    # through open(path, 'rb')
    calls = client.eval("rfs.calls")
    assert calls[0] == "mount", calls
    assert ("open", "/hello.py", "rb") in calls and ("open", "/lib/helper.py", "rb") in calls, calls
    assert not any(isinstance(c, tuple) and "/remote" in c[1] for c in calls), calls


def test_namespace_package_imports_from_the_mount(board, client):
    # a directory without __init__.py is a package (v1.24): no code, no
    # __file__, its modules found below it
    mount(client)
    assert client.exec("import nspkg.inner\nprint(nspkg.inner.WHERE, nspkg, "
                       "hasattr(nspkg, '__file__'), nspkg.inner.__file__)") == \
        b"namespace package on the mount <module 'nspkg'> False /remote/nspkg/inner.py\r\n"


def test_mpremote_file_helpers_through_the_mount(client):
    mount(client)
    assert client.stat("/remote/data.bin")[6] == 1280
    assert client.fs_get("/remote/data.bin") == bytes(range(256)) * 5
    data = random.Random(5).randbytes(3000)
    client.fs_put("/remote/up.bin", data)
    assert client.sha256("/remote/up.bin") == hashlib.sha256(data).digest()
    assert client.eval("len(store['/up.bin'])") == 3000
    assert [e[:2] for e in client.ls("/remote")] == [
        ("data.bin", 0x8000), ("hello.py", 0x8000), ("lib", 0x4000), ("nspkg", 0x4000), ("up.bin", 0x8000)]
    client.exec("os.mkdir('/remote/d')\nos.rename('/remote/up.bin', '/remote/d/u.bin')\n"
                "os.remove('/remote/hello.py')")
    assert client.eval("sorted(k for k in store)") == [
        "/", "/d", "/d/u.bin", "/data.bin", "/lib", "/lib/helper.py", "/nspkg", "/nspkg/inner.py"]
    out, err = client.stat_raw("/remote/no/such")
    assert out == b"" and err.endswith(b"OSError: [Errno 2] ENOENT\r\n"), err
    # mount-point errors as MicroPython raises them
    assert client.exec("try:\n os.mount(RemoteFS({}), '/remote')\nexcept OSError as e:\n print(e.errno)\n"
                       "try:\n os.umount('/nope')\nexcept OSError as e:\n print(e.errno)") == b"1\r\n22\r\n"


def test_umount_then_soft_resets_drop_the_mount(board, client):
    mount(client)
    client.exec("import hello")
    client.exec("os.umount('/remote')")
    assert client.eval("rfs.calls[-1]") == "umount"
    assert client.eval("os.getcwd()") == "/"
    assert "remote" not in client.eval("os.listdir('/')")
    mount(client)
    assert "remote" in client.eval("os.listdir('/')")

    # Ctrl-D in the raw REPL (what mpremote sends): a fresh VM, no mount
    assert client.soft_reset() == b"OK\r\n" + SOFT_REBOOT[board.profile] + RAW_BANNER
    check_gone(client, board.profile)

    # and Ctrl-D at the friendly prompt
    mount(client)
    client.exit_raw()
    board_seen = client.read_until(b">>> ", timeout=5)
    assert board_seen.endswith(b">>> "), board_seen
    client.write(b"\x04")
    client.read_until(SOFT_REBOOT[board.profile], timeout=5)
    client.read_until(BANNER, timeout=5)
    assert client.enter_raw(soft_reset=False).endswith(RAW_BANNER)
    check_gone(client, board.profile)


def check_gone(client, profile):
    home = "/" if profile == "generic" else "/flash"
    client.exec("import os")
    assert client.eval("os.getcwd()") == home
    assert "remote" not in client.eval("os.listdir('/')")
    assert client.eval("'RemoteFS' in globals()") is False
    out, err = client.exec_raw("import sys\nprint(sys.path)\nimport hello")
    assert b"/remote" not in out, out
    # (upstream: "ImportError: no module named"; the board keeps CPython's class)
    assert err.endswith(b"odule named 'hello'\r\n"), err
    out, err = client.exec_raw("import os\nos.stat('/remote/hello.py')")
    errno = b"2] ENOENT" if profile == "generic" else b"19] ENODEV"
    assert err.endswith(b"OSError: [Errno " + errno + b"\r\n"), err
    with pytest.raises(ProtocolError):
        client.exec("import os\nos.umount('/remote')")
