"""CI mode of `vboard run` (issue 5): --expect-text, --fail-text, --timeout,
--send, --serial-log and --fs-add, as a CI job runs them (no terminal:
stdin is /dev/null, the serial output goes to stdout)."""
import os
import subprocess

import pytest

from conftest import PROFILES, VBOARD, fsck_board, mtools_read, vb


def ci(*args, timeout=60):
    p = subprocess.run([VBOARD, "run"] + [str(a) for a in args], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode()


def project(tmp_path, main, extra=None):
    d = tmp_path / "proj"
    (d / "lib").mkdir(parents=True)
    (d / "main.py").write_text(main)
    (d / "lib" / "helper.py").write_text("def answer():\n    return 42\n")
    for name, text in (extra or {}).items():
        (d / name).write_text(text)
    return d


def test_expect_text_exits_0_when_seen(tmp_path):
    d = project(tmp_path, "import helper\nprint('answer', helper.answer())\n")
    rc, out, err = ci("--flash", tmp_path / "f.bin", "--fs-add", d, "--expect-text", "answer 42",
                      "--timeout", 20000)
    assert rc == 0, (out, err)
    assert b"answer 42" in out


def test_fail_text_exits_1(tmp_path):
    d = project(tmp_path, "raise ValueError('boom')\n")
    rc, out, err = ci("--flash", tmp_path / "f.bin", "--fs-add", d, "--expect-text", "never",
                      "--fail-text", "Traceback", "--timeout", 20000)
    assert rc == 1, (out, err)
    assert b"Traceback (most recent call last):" in out


def test_timeout_exits_42(tmp_path):
    d = project(tmp_path, "while True:\n    pass\n")
    rc, out, err = ci("--flash", tmp_path / "f.bin", "--fs-add", d, "--expect-text", "never",
                      "--timeout", 700)
    assert rc == 42, (out, err)


def test_send_types_into_the_repl_and_serial_log_keeps_everything(tmp_path):
    log = tmp_path / "serial.log"
    rc, out, err = ci("--flash", tmp_path / "f.bin", "--send", r"print(6*7, '\x41')\r",
                      "--expect-text", "42 A\r\n", "--serial-log", log, "--timeout", 20000)
    assert rc == 0, (out, err)
    data = log.read_bytes()
    assert data == out                       # the log holds exactly what the host saw
    assert b">>> print(6*7, 'A')\r\n42 A\r\n" in data


def test_bad_send_escape_is_a_usage_error(tmp_path):
    rc, out, err = ci("--flash", tmp_path / "f.bin", "--send", r"\q", "--timeout", 1000)
    assert rc == 2 and "unknown escape" in err


@pytest.mark.parametrize("profile", ["generic", "pycom"])
def test_fs_add_populates_a_fresh_image(tmp_path, profile):
    d = project(tmp_path, "print('from main')\n", {"data.txt": "payload\n"})
    img = tmp_path / ("%s.bin" % profile)
    rc, out, err = ci("--board", profile, "--flash", img, "--fs-add", d,
                      "--expect-text", "from main", "--timeout", 20000)
    assert rc == 0, (out, err)
    ls = vb("fs", img, "ls", ":/").text.split()
    assert {"main.py", "data.txt", "lib/", "boot.py"} <= set(ls)
    assert vb("fs", img, "cat", "lib/helper.py").out == b"def answer():\n    return 42\n"
    if profile == "generic":     # the esp32 port's littlefs
        assert vb("image", "check", img).text.startswith("clean: littlefs v2.1, "), img
        return
    fsck_board(str(img), profile, tmp_path)
    got = mtools_read(str(img), PROFILES[profile]["fs_off"], "lib/helper.py", tmp_path)
    assert got == b"def answer():\n    return 42\n"


def test_fs_add_into_an_image_a_board_left_erased(tmp_path):
    img = tmp_path / "f.bin"
    rc, _, _ = ci("--flash", img, "--timeout", 300)      # created: FS region erased...
    assert rc == 42
    vb("image", "erase-fs", img)                          # ...and erased again, for sure
    d = project(tmp_path, "print('after erase')\n")
    rc, out, err = ci("--flash", img, "--fs-add", d, "--expect-text", "after erase", "--timeout", 20000)
    assert rc == 0, (out, err)
