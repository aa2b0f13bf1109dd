"""What issue 15's modules do differently per port, on a board of each:
platform prints what the real v1.24.1 firmware of the port was built with
(extmod/modplatform.h's string; Pycom's fork has no platform), and Pycom's
binascii is its fork's (no crc32, b2a_base64 takes the data alone)."""
import pytest

from boardlib import Board

PLATFORM = {
    "esp32": b"('MicroPython-1.24.1-xtensa-IDFv5.2.2-with-newlib4.3.0', 'GCC 13.2.0', ('newlib', '4.3.0'))",
    "rp2": b"('MicroPython-1.24.1-arm--with-newlib4.3.0', 'GCC 13.2.1', ('newlib', '4.3.0'))",
}


def ask(b, line, want):
    b.send(line + b"\r")
    b.expect(b"\r\n" + want + b"\r\n>>> ")


@pytest.fixture
def board(tmp_path, request):
    b = Board(tmp_path, board=request.param)
    b.expect(b">>> ", timeout=10)
    b.port = request.param
    yield b
    b.quit()


@pytest.mark.parametrize("board", sorted(PLATFORM), indirect=True)
def test_platform_strings(board):
    ask(board, b"import platform; platform.platform(), platform.python_compiler(), platform.libc_ver()",
        PLATFORM[board.port])


@pytest.mark.parametrize("board", ["pycom"], indirect=True)
def test_pycom_binascii(board):
    ask(board, b"import binascii; sorted(n for n in dir(binascii) if n[0] != '_')",
        b"['a2b_base64', 'b2a_base64', 'hexlify', 'unhexlify']")
    ask(board, b"binascii.b2a_base64(b'abc'), binascii.hexlify(b'ab', ':')", b"(b'YWJj\\n', b'61:62')")
    board.send(b"binascii.b2a_base64(b'abc', newline=False)\r")
    board.expect(b"TypeError: function doesn't take keyword arguments\r\n>>> ")
