"""Fixtures and helpers for the end-to-end tests of the vboard CLI.

Environment: VBOARD = the vboard binary, VBOARD_TESTS = the directory of the
built unit-test binaries (both set by `make e2e`; without them the default
build/ paths of the work tree are used). dosfstools and mtools are the
external references (flash.md §5); MTOOLS_SKIP_CHECK=1 is exported for them.

Every assertion shows what was actually seen: command lines with their exit
status, stdout and stderr.
"""
import hashlib
import os
import re
import shutil
import struct
import subprocess
import tempfile

import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VBOARD = os.environ.get("VBOARD") or os.path.join(ROOT, "build", "vboard")

# The project's Python API (python/vboard) and its pytest plugin (the
# `board` and `make_board` fixtures, the `vboard` marker) drive the boards
# of the tests written on it; they find the binary through $VBOARD.
sys.path.insert(0, os.path.join(ROOT, "python"))
os.environ.setdefault("VBOARD", VBOARD)
pytest_plugins = ["vboard.pytest_plugin"]
VBOARD_TESTS = os.environ.get("VBOARD_TESTS") or os.path.join(ROOT, "build", "tests")

os.environ["MTOOLS_SKIP_CHECK"] = "1"

# Every board the suite starts appends each system call its sandbox refused
# to one file (VBOARD_SANDBOX_AUDIT, read by `vboard run`). The session fails
# when a board had a refusal its test did not ask for (issue 11: the suites
# run under the allow-list with zero denials); the summary lists them by
# number.
SANDBOX_AUDIT = os.environ.setdefault(
    "VBOARD_SANDBOX_AUDIT", os.path.join(tempfile.mkdtemp(prefix="vbaudit"), "denials.txt"))
_DENIAL = re.compile(r"^vboard (\d+): the sandbox refused system call (\d+)$")


def expect_refusals(pid):
    """The board with supervisor pid `pid` is refused system calls on purpose."""
    with open(SANDBOX_AUDIT, "a") as f:
        f.write("expect %d\n" % pid)


def sandbox_denials():
    """[(supervisor pid, syscall number)] of refusals no test asked for."""
    try:
        with open(SANDBOX_AUDIT) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return []
    expected = {int(ln.split()[1]) for ln in lines if ln.startswith("expect ")}
    got = [tuple(int(x) for x in m.groups()) for m in map(_DENIAL.match, lines) if m]
    return [(pid, nr) for pid, nr in got if pid not in expected]


def pytest_terminal_summary(terminalreporter):
    denials = sandbox_denials()
    terminalreporter.write_line("sandbox denials outside the tests that ask for them: %s" % (
        ", ".join("system call %d (vboard pid %d)" % (nr, pid) for pid, nr in denials) or "none"))


def pytest_sessionfinish(session, exitstatus):
    if sandbox_denials() and session.exitstatus == 0:
        session.exitstatus = 1
os.environ.setdefault("LC_ALL", "C.UTF-8")

KIB, MIB = 1024, 1024 * 1024

# flash.md §2: the two profiles as the image file sees them
PROFILES = {
    "generic": dict(flash=4 * MIB, fs_off=0x200000, fs_size=0x200000, ss=4096),
    "pycom": dict(flash=8 * MIB, fs_off=0x400000, fs_size=0x400000, ss=512, otadata=0x1FF000),
}


class Result:
    def __init__(self, args, proc):
        self.args = args
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    @property
    def text(self):
        return self.out.decode("utf-8", "replace")

    @property
    def errtext(self):
        return self.err.decode("utf-8", "replace")

    def __str__(self):
        return "$ %s\n[exit %d]\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
            " ".join(str(a) for a in self.args), self.rc, self.out[:4000].decode("utf-8", "replace"),
            self.errtext[:4000])

    __repr__ = __str__


def run(args, input=None, timeout=120, env=None):
    proc = subprocess.run([str(a) for a in args], input=input, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout, env=env)
    return Result(args, proc)


def vb(*args, rc=0, input=None):
    """Run vboard; assert its exit status (None: any)."""
    r = run([VBOARD] + list(args), input=input)
    if rc is not None:
        assert r.rc == rc, "expected exit %d\n%s" % (rc, r)
    return r


def need_tool(*names):
    for n in names:
        if not shutil.which(n):
            pytest.skip("%s not installed (apt-get install dosfstools mtools)" % n)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def read(path, off=0, n=None):
    with open(path, "rb") as f:
        f.seek(off)
        return f.read() if n is None else f.read(n)


def volume_bytes(img, off, limit):
    """The FAT volume at `off`: as many bytes as its BPB says (at most `limit`)."""
    head = read(img, off, 512)
    ss = struct.unpack_from("<H", head, 11)[0]
    total = struct.unpack_from("<H", head, 19)[0] or struct.unpack_from("<I", head, 32)[0]
    size = ss * total if ss and total else limit
    return read(img, off, min(size, limit))


def fsck_clean(img, off, size, tmp_path, label="fs"):
    """dd the volume out (flash.md §5) and require `fsck.fat -n` exit 0."""
    need_tool("fsck.fat")
    vol = tmp_path / ("%s-fsck.img" % label)
    vol.write_bytes(volume_bytes(img, off, size))
    r = run(["fsck.fat", "-n", "-v", vol])
    assert r.rc == 0, "fsck.fat -n is not clean on %s@0x%x\n%s" % (img, off, r)
    return r


def fsck_board(img, board, tmp_path):
    p = PROFILES[board]
    return fsck_clean(img, p["fs_off"], p["fs_size"], tmp_path, board)


def mimg(img, off):
    return "%s@@0x%x" % (img, off)


def mtools(tool, *args, rc=0):
    need_tool(tool)
    r = run([tool] + list(args))
    if rc is not None:
        assert r.rc == rc, "%s failed\n%s" % (tool, r)
    return r


def mtools_tree(img, off):
    """Every path on the volume as `mdir -b -/` lists it (long names), without '::'."""
    r = mtools("mdir", "-b", "-/", "-i", mimg(img, off), "::/")
    paths = set()
    for line in r.text.splitlines():
        line = line.strip()
        if line.startswith("::/"):
            paths.add(line[3:])
    return paths


def mtools_read(img, off, path, tmp_path):
    out = tmp_path / "mtools-out.bin"
    if out.exists():
        out.unlink()
    mtools("mcopy", "-n", "-i", mimg(img, off), "::/" + path, out)
    return out.read_bytes()


def mkfs_fat(path, kib, ss, spc, fats=1, bits=12):
    """mkfs.fat with the fields of flash.md §3 (`$F`)."""
    need_tool("mkfs.fat")
    r = run(["mkfs.fat", "-C", "-a", "-f", fats, "-r", "512", "-R", "1", "-M", "0xF8", "-g", "255/63",
             "-D", "0x80", "-i", "12345678", "-F", bits, "-S", ss, "-s", spc, "-h", "0", path, kib])
    assert r.rc == 0, "mkfs.fat failed\n%s" % r


def embed(img, volume, board):
    """Put a FAT volume into a board image's FS region (rest of the region erased)."""
    p = PROFILES[board]
    assert len(volume) <= p["fs_size"]
    with open(img, "r+b") as f:
        f.seek(p["fs_off"])
        f.write(volume + b"\xFF" * (p["fs_size"] - len(volume)))


def fatfs_geometry(S, ss):
    """FatFs f_mkfs geometry (flash.md §3): spc, FAT bits, FAT sectors, root sectors, data start, clusters."""
    k = S // 4096
    spc = 1 if k == 0 else 2 if k < 4 else 4 if k < 16 else 8 if k < 64 else 16 if k < 256 else 32 if k < 512 else 64
    while True:
        n = S // spc
        if n <= 4085:
            bits, nbytes = 12, (3 * n + 1) // 2 + 3
        else:
            bits, nbytes = 16, 2 * n + 4
        fat = -(-nbytes // ss)
        root = 512 * 32 // ss
        data = 1 + fat + root
        clusters = (S - data) // spc
        if bits == 16 and clusters <= 4085:
            spc *= 2
            continue
        return dict(spc=spc, bits=bits, fat=fat, root=root, data=data, clusters=clusters)


@pytest.fixture(scope="session")
def vboard_bin():
    if not os.access(VBOARD, os.X_OK):
        pytest.fail("vboard binary not found at %s (set VBOARD or run make)" % VBOARD)
    return VBOARD


@pytest.fixture
def image(tmp_path, vboard_bin):
    """Factory: a fresh board image made by `vboard image create`."""
    def make(board="generic", name=None):
        path = tmp_path / (name or ("%s.bin" % board))
        vb("image", "create", "--board", board, path)
        return path
    return make


@pytest.fixture
def host_files(tmp_path):
    """Factory: a host file with random (seeded) content."""
    import random
    rng = random.Random(1234)

    def make(name, size):
        p = tmp_path / "host" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(rng.randbytes(size))
        return p
    return make
