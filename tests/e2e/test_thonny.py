"""Thonny (Debian's 4.0) on the board: its own MicroPython back-end, as the
"MicroPython (ESP32)" interpreter starts it, drives the board's pty while
the test plays Thonny's window (thonnylib.py). What a Thonny user does: the
shell (statements, expressions, input()), the Stop button on a running
loop, Run of the editor's program (a soft reboot first), the file browser
(list, upload, download, mkdir, delete, the disk's size)."""
import os

import pytest

from boardlib import BANNER, Board
from thonnylib import ImmediateCommand, InlineCommand, InputSubmission, Thonny, ToplevelCommand


@pytest.fixture
def thonny(tmp_path):
    b = Board(tmp_path, board="esp32")
    b.expect(b.setup_line + BANNER, timeout=20)
    os.close(b.fd)                # the back-end is the host on the line now
    b.fd = -1
    t = Thonny(b.link, str(tmp_path / "thonny-user"))
    try:
        hello, _ = t.until(lambda m: getattr(m, "event_type", "") == "ToplevelResponse")
        t.hello = hello
        t.board = b
        yield t
    finally:
        t.close()
        b.quit()


def test_connects_and_runs_the_shell(thonny):
    assert thonny.hello.welcome_text.startswith("MicroPython v1.24.1 on 2024-11-29; Generic ESP32 module with ESP32\n")
    assert thonny.hello.cwd == "/" and thonny.hello.sys_path == ["", ".frozen", "/lib"]
    _, out = thonny.toplevel(ToplevelCommand("execute_source", source="print(6 * 7)\n"))
    assert out == "42\r\n"
    _, out = thonny.toplevel(ToplevelCommand("execute_source", source="import sys; sys.platform\n"))
    assert out.endswith("'esp32'[/object_link_for_thonny]\r\n"), out   # a value, as Thonny's shell links it
    _, out = thonny.toplevel(ToplevelCommand("execute_source", source="1 / 0\n"))
    assert "ZeroDivisionError: divide by zero" in out
    # Thonny set the board's clock from the host's when it connected
    _, out = thonny.toplevel(ToplevelCommand("execute_source", source="import time; print(time.localtime()[0] >= 2024)\n"))
    assert out == "True\r\n"


def test_input_reaches_the_program(thonny):
    thonny.send(ToplevelCommand("execute_source", source="name = input('name? ')\nprint('hi', name)\n"))
    thonny.until_output("name? ")
    thonny.send(InputSubmission(data="vboard\n"))
    _, out = thonny.until(lambda m: getattr(m, "event_type", "") == "ToplevelResponse")
    assert "hi vboard\r\n" in out


def test_stop_interrupts_a_running_loop(thonny):
    thonny.send(ToplevelCommand("execute_source", source="n = 0\nprint('looping')\nwhile True:\n    n += 1\n"))
    # the Stop button once the program runs (before, Thonny sends Ctrl-C to an idle board)
    thonny.until_output("looping")
    with pytest.raises(AssertionError):            # nothing comes back while the loop runs
        thonny.until(lambda m: getattr(m, "event_type", "") == "ToplevelResponse", timeout=0.5)
    thonny.send(ImmediateCommand("interrupt"))
    _, out = thonny.until(lambda m: getattr(m, "event_type", "") == "ToplevelResponse")
    assert "KeyboardInterrupt" in out
    _, out = thonny.toplevel(ToplevelCommand("execute_source", source="print(n > 0)\n"))
    assert out == "True\r\n"


def test_run_soft_reboots_then_runs_the_program(thonny):
    thonny.toplevel(ToplevelCommand("execute_source", source="leftover = 1\n"))
    resets = thonny.board.ctl("status")["soft_resets"]
    _, out = thonny.toplevel(ToplevelCommand("Run", args=["-c", "$EDITOR_CONTENT"],
                                             source="print('leftover' in globals())\n"))
    assert out.endswith("False\r\n"), out
    assert thonny.board.ctl("status")["soft_resets"] == resets + 1


def test_file_browser(thonny):
    _, _ = thonny.inline(InlineCommand("mkdir", path="/lib"))
    code = b"X = 'from thonny'\n"
    thonny.inline(InlineCommand("write_file", path="/lib/tmod.py", content_bytes=code,
                                make_shebang_scripts_executable=False))
    r, _ = thonny.inline(InlineCommand("get_dirs_children_info", node_id="n", paths=["/", "/lib"],
                                       include_hidden=True))
    assert "boot.py" in r.data["/"] and r.data["/"]["lib"]["kind"] == "dir"
    assert r.data["/lib"]["tmod.py"]["size"] == len(code)
    r, _ = thonny.inline(InlineCommand("read_file", path="/lib/tmod.py"))
    assert r.content_bytes == code
    _, out = thonny.toplevel(ToplevelCommand("execute_source", source="import tmod; print(tmod.X)\n"))
    assert out == "from thonny\r\n"
    r, _ = thonny.inline(InlineCommand("get_fs_info", path="/"))
    assert r.total > 1000000 and 0 < r.used < r.total and r.free == r.total - r.used
    thonny.inline(InlineCommand("delete", paths=["/lib"]))
    r, _ = thonny.inline(InlineCommand("get_dirs_children_info", node_id="n", paths=["/"], include_hidden=True))
    assert "lib" not in r.data["/"]
