"""The cold start's warm-up (issue 14, src/engine/engine_warm.c): the
zygote imports the dear stdlib modules (json, re, collections, random,
heapq, array) only after it has forked the first VM, which gets them from
the zygote over a socket meanwhile. The first VM must not tell the
difference: its boot.py can import them at once, with their u-aliases and
C accelerators, and get what every later VM gets. A first VM that breaks
the line only loses its own imports."""
import ctypes
import os
import socket

import pytest

from boardlib import BANNER, Board, repl

PROBE = ("import json, re, random, heapq, collections, array, ujson, ure, sys\n"
         "print('WARM', json.dumps({'a': [1, 2.5, None]}), re.sub('b+', '-', 'abbbc'),\n"
         "      ujson is json, ure is re, json.scanner.c_make_scanner is not None,\n"
         "      collections.OrderedDict(a=1), heapq.nsmallest(2, [5, 1, 3]), array.array('h', [1, 2]),\n"
         "      type(random.getrandbits(8)).__name__, json.__file__, repr(collections.deque([1])))\n")


def warm_line(b):
    got = b.expect(b"\r\n", timeout=20)
    while b"WARM" not in got:
        got = b.expect(b"\r\n", timeout=20)
    return got[got.index(b"WARM"):]


def test_boot_py_of_the_first_vm_imports_the_warm_modules(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "boot.py").write_text(PROBE)
    b = Board(tmp_path, board="esp32", extra=["--fs-add", str(src)])
    try:
        first = warm_line(b)                       # boot.py of the first VM
        b.expect(b">>> ", timeout=20)
        b.send(b"\x04")
        again = warm_line(b)                       # boot.py of a VM of the warmed zygote
        b.expect(BANNER, timeout=20)
        assert first == again, (first, again)
        assert b"True True True" in first, first
        assert b.ctl("status")["zygote_starts"] == 1
    finally:
        b.quit()


def test_what_the_zygote_serves_is_only_its_warm_modules(tmp_path):
    b = Board(tmp_path, board="esp32")
    try:
        b.expect(b">>> ", timeout=20)
        for name in ("subprocess", "_socket", "os.path.x", "ctypes"):
            assert "ImportError" in repl(b, "import %s" % name), name
        assert repl(b, "import heapq; heapq.heappop([3])") == "3\r\n"
    finally:
        b.quit()


def vm_socket(b):
    """A duplicate of the first VM's line to the zygote (its one stream
    socket: the network line is a SOCK_SEQPACKET), taken with pidfd_getfd
    as device code with a raw fd could write it."""
    libc = ctypes.CDLL(None, use_errno=True)
    pid = b.vm_pid()
    pidfd = libc.syscall(434, pid, 0)
    assert pidfd >= 0, os.strerror(ctypes.get_errno())
    try:
        for name in os.listdir("/proc/%d/fd" % pid):
            if os.readlink("/proc/%d/fd/%s" % (pid, name)).startswith("socket:"):
                fd = libc.syscall(438, pidfd, int(name), 0)
                assert fd >= 0, os.strerror(ctypes.get_errno())
                kind = socket.socket(fileno=os.dup(fd))
                stream = kind.type == socket.SOCK_STREAM
                kind.close()
                if stream:
                    return fd
                os.close(fd)
    finally:
        os.close(pidfd)
    pytest.fail("the first VM has no socket")


@pytest.mark.parametrize("garbage", [b"\xff../../etc/passwd", b"\x05../..", b"\x00", b"\x03a;b"])
def test_a_broken_line_costs_the_first_vm_its_imports_only(tmp_path, garbage):
    b = Board(tmp_path, board="esp32")
    try:
        b.expect(b">>> ", timeout=20)
        fd = vm_socket(b)
        os.write(fd, garbage)
        os.close(fd)
        assert "ImportError" in repl(b, "import json", timeout=20)
        assert repl(b, "1 + 1") == "2\r\n"
        b.send(b"\x04")                             # the next VM has them all
        b.expect(BANNER, timeout=20)
        assert repl(b, "import json; json.dumps([1])") == "'[1]'\r\n"
        st = b.ctl("status")
        assert st["zygote_starts"] == 1 and st["power"] == "on"
    finally:
        b.quit()
