"""Malformed raw-paste streams (issue 4, Bad input): the board answers as a
real one would or ignores the input, stays responsive, and loses no file
that was written and closed."""
import os

import pytest

from boardlib import BANNER, RAW_BANNER, Board


@pytest.fixture
def board(tmp_path):
    b = Board(tmp_path)
    b.expect(BANNER, timeout=10)
    b.raw_enter()
    b.send(b"f = open('keep.txt', 'w'); f.write('kept'); f.close()\x04")
    b.expect(b"OK\x04\x04>")
    yield b
    b.quit()


def still_fine(b):
    b.send(b"\r\x03\r\x01")
    b.expect(RAW_BANNER)
    out, err = b.raw_exec(b"print(open('keep.txt').read())")
    assert (out, err) == (b"kept\r\n", b"")


def test_more_data_than_the_credits_allow(board):
    board.send(b"\x05A\x01")
    board.expect_exact(b"R\x01\x80\x00\x01")
    src = b"x = 0\n" + b"x += 1\n" * 2000 + b"print(x)\n"      # 14 KB at once, no waiting
    board.send(src + b"\x04")
    got = board.expect(b"\x04>", timeout=10)
    assert got.endswith(b"2000\r\n\x04\x04>"), got[-200:]
    still_fine(board)


def test_missing_end_byte_then_ctrl_c(board):
    board.send(b"\x05A\x01")
    board.expect_exact(b"R\x01\x80\x00\x01")
    board.send(b"print('never run')\n")
    assert b"never run" not in board.drain(0.3)
    board.send(b"\x03")
    board.expect_exact(b"\x04\x04KeyboardInterrupt: \r\n\x04>")
    still_fine(board)


def test_binary_garbage_in_raw_paste(board):
    board.send(b"\x05A\x01")
    board.expect_exact(b"R\x01\x80\x00\x01")
    junk = bytes(b for b in os.urandom(3000) if b not in (3, 4))
    board.send(junk + b"\x04")
    got = board.expect(b"\x04>", timeout=10)
    assert b"Error" in got, got[-300:]                    # a compile error, reported
    still_fine(board)


def test_host_vanishing_mid_exec(board, tmp_path):
    board.send(b"import time\nfor i in range(50):\n    time.sleep_ms(10)\n\x04")
    board.expect(b"OK")
    os.close(board.fd)                                      # the host goes away
    board.fd = os.open(board.link, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    board.seen = b""
    still_fine(board)
