"""The language-fidelity suite (issue 4 item 5): tests/lang/run_lang.py runs
every tests/lang/*.py on one board the way run-tests.py does and compares
with the .exp files; this test runs it as a subprocess and wants exit 0."""
import os
import subprocess
import sys
import time

from conftest import ROOT, VBOARD

RUNNER = os.path.join(ROOT, "tests", "lang", "run_lang.py")


def test_language_suite():
    env = dict(os.environ, VBOARD=VBOARD)
    t0 = time.monotonic()
    try:
        p = subprocess.run([sys.executable, RUNNER], env=env, capture_output=True,
                           timeout=55)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("run_lang.py did not finish within 55 s; output so far:\n%s\n%s"
                             % ((e.stdout or b"").decode(errors="replace"),
                                (e.stderr or b"").decode(errors="replace")))
    wall = time.monotonic() - t0
    out = p.stdout.decode(errors="replace")
    err = p.stderr.decode(errors="replace")
    assert p.returncode == 0, "run_lang.py exit %d after %.1f s\nstdout:\n%s\nstderr:\n%s" % (
        p.returncode, wall, out, err)
    last = out.strip().splitlines()[-1]
    assert " passed, 0 failed, " in last, out
    assert int(last.split()[0]) >= 150, out
    print(last)
