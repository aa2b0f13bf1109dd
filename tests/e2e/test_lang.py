"""The language-fidelity suite (issue 4 item 5, issue 15): tests/lang/run_lang.py
runs every tests/lang/*.py on one board the way run-tests.py does and compares
with the .exp files (a board's own NAME.py.exp.BOARD where its port differs);
these tests run it as a subprocess on the esp32 and the pycom board and want
exit 0. tests/lang/run_upstream.py, the runner for MicroPython's own tests, is
checked on a few scripts of ours."""
import os
import subprocess
import sys
import time

import pytest

from conftest import ROOT, VBOARD

RUNNER = os.path.join(ROOT, "tests", "lang", "run_lang.py")
UPSTREAM_RUNNER = os.path.join(ROOT, "tests", "lang", "run_upstream.py")


def run(args, board, timeout=55):
    env = dict(os.environ, VBOARD=VBOARD, VBOARD_BOARD=board)
    t0 = time.monotonic()
    try:
        p = subprocess.run([sys.executable] + args, env=env, capture_output=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("%s did not finish within %d s; output so far:\n%s\n%s"
                             % (args[0], timeout, (e.stdout or b"").decode(errors="replace"),
                                (e.stderr or b"").decode(errors="replace")))
    return p, time.monotonic() - t0


@pytest.mark.parametrize("board", ["esp32", "pycom"])
def test_language_suite(board):
    p, wall = run([RUNNER], board)
    out = p.stdout.decode(errors="replace")
    err = p.stderr.decode(errors="replace")
    assert p.returncode == 0, "run_lang.py on %s: exit %d after %.1f s\nstdout:\n%s\nstderr:\n%s" % (
        board, p.returncode, wall, out, err)
    last = out.strip().splitlines()[-1]
    assert " passed, 0 failed, " in last, out
    assert int(last.split()[0]) >= 150, out
    print(board, last)


def test_upstream_runner(tmp_path):
    """.exp when there is one, else CPython's output; SKIP counted apart;
    a failing test named with its diff."""
    d = tmp_path / "basics"
    d.mkdir()
    (d / "with_exp.py").write_text("print(repr(IndexError('x')))\n")
    (d / "with_exp.py.exp").write_text("IndexError('x',)\n")      # MicroPython's repr
    (d / "from_cpython.py").write_text("print(sorted({3, 1, 2}), 2 ** 70)\n")
    (d / "skipped.py").write_text("print('SKIP')\nraise SystemExit\n")
    (d / "differs.py").write_text("print(str(OSError(5)))\n")    # CPython: 5, board: [Errno 5] EIO
    (d / "left_out.py").write_text("print(1/0)\n")
    (tmp_path / "EXCLUDED").write_text("left_out  # not run\n")
    p, _ = run([UPSTREAM_RUNNER, "-v", "--exclude", str(tmp_path / "EXCLUDED"), str(d)], "esp32",
               timeout=30)
    out = p.stdout.decode(errors="replace")
    assert p.returncode == 1, out
    lines = out.strip().splitlines()
    assert lines[-1] == "2 passed, 1 failed, 1 skipped", out
    assert "failed: basics/differs" in out, out
    assert "+[Errno 5] EIO" in out and "-5" in out, out
    assert "left_out" not in out, out
