"""platform (issue 15) prints what the real v1.24.1 firmware of each port
was built with (extmod/modplatform.h's string); Pycom's fork has none."""
import pytest

from boardlib import Board

WANT = {
    "esp32": b"('MicroPython-1.24.1-xtensa-IDFv5.2.2-with-newlib4.3.0', 'GCC 13.2.0', ('newlib', '4.3.0'))",
    "rp2": b"('MicroPython-1.24.1-arm--with-newlib4.3.0', 'GCC 13.2.1', ('newlib', '4.3.0'))",
}


@pytest.mark.parametrize("port", sorted(WANT))
def test_platform_strings(tmp_path, port):
    b = Board(tmp_path, board=port)
    try:
        b.expect(b">>> ", timeout=10)
        b.send(b"import platform; platform.platform(), platform.python_compiler(), platform.libc_ver()\r")
        b.expect(b"\r\n" + WANT[port] + b"\r\n>>> ")
    finally:
        b.quit()
