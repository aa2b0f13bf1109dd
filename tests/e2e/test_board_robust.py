"""The board survives what device code and the host throw at it: heap
exhaustion, crashes, garbage on the serial line, a corrupt flash image,
many soft resets; and the terminal mode restores the terminal."""
import os
import pty
import select
import signal
import subprocess
import time

import pytest

from boardlib import BANNER, Board
from conftest import VBOARD, PROFILES


@pytest.fixture
def board(tmp_path):
    b = Board(tmp_path)
    b.expect(BANNER, timeout=10)
    yield b
    b.quit()


def alive(b):
    b.send(b"\x03\x02")
    b.expect(BANNER, timeout=5)
    b.send(b"1+1\r")
    b.expect_exact(b"1+1\r\n2\r\n>>> ")


def test_heap_cap_gives_memory_error(board):
    # Both exceed the VM's address-space cap, so the allocation itself
    # fails (no wall-clock assertion: the expect deadline bounds it).
    for expr in (b"bytes(10**10)", b"[0]*10**9"):
        board.send(expr + b"\r")
        got = board.expect(b">>> ", timeout=10)
        assert b"MemoryError: " in got, got
    alive(board)


@pytest.mark.parametrize("sig", [signal.SIGSEGV, signal.SIGABRT, signal.SIGKILL])
def test_vm_crash_becomes_a_hard_reset_with_a_panic_line(board, sig):
    board.send(b"x = 1\r")
    board.expect(b">>> ")
    os.kill(board.vm_pid(), sig)                          # what a native crash does
    got = board.expect(BANNER, timeout=10)
    assert b"Guru Meditation Error: the firmware panicked" in got, got
    board.send(b"import machine; machine.reset_cause()\r")
    board.expect(b"\r\n2\r\n>>> ")                         # HARD_RESET after a panic
    board.send(b"x\r")                                     # RAM state is gone
    board.expect(b"NameError")
    alive(board)


def test_garbage_on_the_serial_line(board):
    junk = bytes(range(256)) * 64 + b"\x1b[" + b"\x1b" + b"\x1bO"
    board.send(junk)
    board.drain(0.3)
    alive(board)
    board.send(b"x" * (1024 * 1024))                       # a 1 MB line
    board.drain(0.5)
    alive(board)
    board.send(b"\x05" + os.urandom(20000) + b"\x03")     # binary in paste mode
    board.drain(0.3)
    alive(board)


CORRUPT_NOTICE = (
    b"The filesystem appears to be corrupted. If you had important data there, you\r\n"
    b"may want to make a flash snapshot to try to recover it. Otherwise, perform\r\n"
    b"factory reprogramming of MicroPython firmware (completely erase flash, followed\r\n"
    b"by firmware programming).\r\n\r\n")


def test_corrupt_filesystem_notice_then_ctrl_c(tmp_path):
    flash = str(tmp_path / "c.bin")
    b = Board(tmp_path, flash=flash)
    b.expect(BANNER, timeout=10)
    b.quit()
    p = PROFILES["generic"]
    with open(flash, "r+b") as f:          # zero littlefs's superblock pair (blocks 0, 1)
        f.seek(p["fs_off"])
        f.write(bytes(8192))
    b = Board(tmp_path, flash=flash)
    try:
        # inisetup.py's fs_corrupted() text, byte for byte
        b.expect_exact(CORRUPT_NOTICE, timeout=10)
        b.expect_exact(CORRUPT_NOTICE, timeout=10)         # again 3 s later
        b.send(b"\x03")
        b.expect(BANNER, timeout=5)
        b.send(b"1+1\r")
        b.expect(b"\r\n2\r\n>>> ")
    finally:
        b.quit()
    with open(flash, "rb") as f:                           # the board did not "repair" it
        f.seek(p["fs_off"])
        assert f.read(8192) == bytes(8192)


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])


def test_1000_soft_resets_do_not_grow_the_supervisor(board):
    pid = board.proc.pid
    for _ in range(50):
        board.send(b"\x04")
        board.expect(BANNER)
    fds, mem = fd_count(pid), rss(pid)
    for _ in range(1000):
        board.send(b"\x04")
        board.expect(BANNER)
    assert fd_count(pid) == fds
    assert rss(pid) <= mem + 256, (mem, rss(pid))           # KiB
    alive(board)


def test_terminal_mode_escape_menu_resets_quits_and_restores_the_terminal(tmp_path):
    flash = str(tmp_path / "t.bin")
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(VBOARD, [VBOARD, "run", "--flash", flash])
    seen = b""
    deadline = time.monotonic() + 10
    while BANNER not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            seen += os.read(fd, 4096)
    assert BANNER in seen, seen
    os.write(fd, b"6*7\r")
    while b"42\r\n>>> " not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            seen += os.read(fd, 4096)
    assert b"6*7\r\n42\r\n>>> " in seen, seen
    import termios
    raw_attrs = termios.tcgetattr(fd)

    def wait_for(want):
        nonlocal seen
        while want not in seen and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.2)[0]:
                seen += os.read(fd, 4096)
        assert want in seen, seen
        seen = seen[seen.index(want) + len(want):]

    seen = b""
    os.write(fd, b"\x1d")                                  # Ctrl-]: the menu
    wait_for(b"[vboard] r: reset button")
    os.write(fd, b"r")                                     # the reset button
    wait_for(BANNER)
    os.write(fd, b"import machine; machine.reset_cause()\r")
    wait_for(b"\r\n1\r\n>>> ")                           # PWRON, as the EN button
    os.write(fd, b"\x1dx")                                 # menu, then back
    wait_for(b"[vboard]")
    os.write(fd, b"6*7\r")
    wait_for(b"42\r\n>>> ")
    os.write(fd, b"\x1dq")                                 # menu, quit
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert raw_attrs[3] & termios.ECHO == 0                 # raw while running
