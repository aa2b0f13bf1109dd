#!/usr/bin/env python3
"""Run MicroPython's own tests (a checkout's tests/basics, tests/micropython,
tests/float, ... or any directory of such scripts) on a vboard, the way
MicroPython's tests/run-tests.py runs them on a device (issue 15).

For each DIR/NAME.py: the expected output is DIR/NAME.py.exp if there is
one, else the output of the script under the host's CPython
(/usr/bin/python3 -Wignore -BS, run in DIR, as run-tests.py does; a CPython that fails
gives 'CPYTHON3 CRASH', which no board output matches). The board side is
run_lang.run_script: raw REPL with soft reset, raw-paste, output up to the
end markers. A lone 'SKIP' is skipped.

Upstream's tests are third-party code: keep them outside this repository and
point this runner at them.

Usage: VBOARD=build/vboard [VBOARD_BOARD=esp32|pycom|rp2|generic]
       python3 tests/lang/run_upstream.py [-v] [--exclude FILE] DIR [DIR ...]
--exclude FILE: names (one a line, '#' comments, text after the name is a
reason) not to run, e.g. tests whose stored version is not v1.24's.
Prints one line per failing test (and its diff with -v), then
'N passed, N failed, N skipped' and the failing names.
Exit status: 0 if nothing failed, 1 otherwise, 2 if the board cannot start.
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run_lang  # noqa: E402
from run_lang import Board, BoardError  # noqa: E402

CPYTHON3 = "/usr/bin/python3"
CPYTHON_TIMEOUT = 60


def expected_output(path):
    """run-tests.py's rule: the .exp file, else CPython's output."""
    if os.path.exists(path + ".exp"):
        with open(path + ".exp", "rb") as f:
            return f.read().replace(b"\r\n", b"\n")
    try:
        out = subprocess.run([CPYTHON3, "-Wignore", "-BS", os.path.basename(path)],
                             cwd=os.path.dirname(path), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=CPYTHON_TIMEOUT,
                             check=True).stdout
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return b"CPYTHON3 CRASH"
    return out.replace(b"\r\n", b"\n")


def load_names(path):
    names = set()
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.add(line.split()[0].rstrip(":").removesuffix(".py"))
    return names


def main(argv):
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    exclude = set()
    if "--exclude" in args:
        i = args.index("--exclude")
        exclude = load_names(args[i + 1])
        del args[i:i + 2]
    if not args:
        print(__doc__)
        return 2
    tests = []
    for d in args:
        tests += sorted(glob.glob(os.path.join(os.path.abspath(d), "*.py")))
    tests = [t for t in tests if os.path.basename(t)[:-3] not in exclude]
    board = os.environ.get("VBOARD_BOARD", "generic")
    passed, failed, skipped = [], [], []
    times = []
    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="vboard-upstream-")
    try:
        try:
            b = Board(tmp, board=board)
            b.expect(b">>> ", 10)
        except BoardError as e:
            print("could not start the board: %s" % e)
            return 2
        try:
            for path in tests:
                name = os.path.relpath(path, os.path.dirname(os.path.dirname(path)))[:-3]
                with open(path, "rb") as f:
                    src = f.read()
                exp = expected_output(path)
                t1 = time.monotonic()
                result, detail = run_lang.run_script(b, src, exp, name)
                times.append(time.monotonic() - t1)
                if result == "SKIP":
                    skipped.append(name)
                elif result == "PASS":
                    passed.append(name)
                else:
                    failed.append(name)
                    print("FAIL %s (%s)" % (name, result))
                    if verbose:
                        print(detail.rstrip("\n"))
        finally:
            b.quit()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    performed = len(passed) + len(failed)
    times.sort()
    print("board %s: %d tests performed, %.1f%% passed; median %.0f ms a test, %.1f s in all"
          % (board, performed, 100.0 * len(passed) / max(performed, 1),
             1000 * times[len(times) // 2] if times else 0, time.monotonic() - t0))
    if failed:
        print("failed: " + " ".join(failed))
    if skipped:
        print("skipped: " + " ".join(skipped))
    print("%d passed, %d failed, %d skipped" % (len(passed), len(failed), len(skipped)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
