"""uctypes reads and writes the VM's own memory (issue 15): an address the
VM has not mapped kills the VM with SIGSEGV, and the board handles that as
it handles any crash of its firmware (the panic line, a hard reset, the
REPL back); the supervisor and the flash are untouched."""
import pytest

from boardlib import BANNER, Board


@pytest.fixture
def board(tmp_path):
    b = Board(tmp_path)
    b.expect(BANNER, timeout=10)
    yield b
    b.quit()


@pytest.mark.parametrize("line", [b"uctypes.bytes_at(8, 4)",
                                  b"uctypes.struct(16, {'a': uctypes.UINT32 | 0}).a",
                                  b"uctypes.bytearray_at(16, 4)[0] = 1"])
def test_a_wild_address_is_a_firmware_crash(board, line):
    board.send(b"import uctypes; x = 1\r")
    board.expect(b">>> ")
    board.send(line + b"\r")
    got = board.expect(BANNER, timeout=10)
    assert b"Guru Meditation Error: the firmware panicked" in got, got
    board.send(b"import machine; machine.reset_cause()\r")
    board.expect(b"\r\n2\r\n>>> ")               # HARD_RESET after the panic
    board.send(b"import uctypes; b = bytearray(b'ok'); uctypes.bytes_at(uctypes.addressof(b), 2)\r")
    board.expect(b"\r\nb'ok'\r\n>>> ")
