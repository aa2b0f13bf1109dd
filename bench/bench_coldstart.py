"""Cold start A/B (printed, never asserted): `vboard run` to the first
'>>> ' on a new flash image and on an existing one, and machine.reset()
to '>>> ', for one or more binaries interleaved round by round (the order
turned each round), with spawning /bin/true in the same rounds as the
floor. On a shared, noisy machine the ratios between binaries measured
in the same run are the figures to trust.

usage: bench_coldstart.py [-n ROUNDS] [--board NAME] VBOARD [VBOARD...]"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
_args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
_args.add_argument("-n", type=int, default=30, help="rounds (default 30)")
_args.add_argument("--board", default="generic")
_args.add_argument("--hard", type=int, default=5, help="machine.reset() samples per round (default 5)")
_args.add_argument("vboard", nargs="+")
ARGS = _args.parse_args()
os.environ.setdefault("VBOARD", os.path.abspath(ARGS.vboard[0]))
import boardlib  # noqa: E402
from boardlib import Board  # noqa: E402

PROMPT = b'Type "help()" for more information.\r\n>>> '


def run_board(binary, tmp, flash):
    """Seconds from spawning `vboard run` to its first prompt."""
    boardlib.VBOARD = binary
    t = time.perf_counter()
    b = Board(tmp, board=ARGS.board, flash=flash)
    b.expect(PROMPT, 15)
    dt = time.perf_counter() - t
    return b, dt


def hard_resets(b, n):
    """machine.reset() to the prompt, the zygote reused; after one untimed
    reset, which waits for the zygote's warm-up (it reports the VM's end
    once warm)."""
    out = []
    b.send(b"import machine\r")
    b.expect(b">>> ")
    b.send(b"machine.reset()\r")
    b.expect(PROMPT, 10)
    b.send(b"import machine\r")
    b.expect(b">>> ")
    for _ in range(n):
        t = time.perf_counter()
        b.send(b"machine.reset()\r")
        b.expect(PROMPT, 10)
        out.append(time.perf_counter() - t)
        b.send(b"import machine\r")
        b.expect(b">>> ")
    return out


def main():
    tmp = tempfile.mkdtemp()
    bins = [os.path.abspath(v) for v in ARGS.vboard]
    new = {v: [] for v in bins}
    old = {v: [] for v in bins}
    hard = {v: [] for v in bins}
    floor = []
    for r in range(ARGS.n):
        order = bins if r % 2 == 0 else bins[::-1]
        for i, v in enumerate(order):
            flash = os.path.join(tmp, "f%d.bin" % i)
            if os.path.exists(flash):
                os.unlink(flash)
            b, dt = run_board(v, tmp, flash)
            new[v].append(dt)
            b.quit()
            b, dt = run_board(v, tmp, flash)
            old[v].append(dt)
            if ARGS.hard:
                hard[v].extend(hard_resets(b, ARGS.hard))
            b.quit()
        t = time.perf_counter()
        subprocess.run(["/bin/true"])
        floor.append(time.perf_counter() - t)
    shutil.rmtree(tmp, ignore_errors=True)

    def med(s):
        return statistics.median(s) * 1000 if s else float("nan")
    f = med(floor)
    print("bench_coldstart: %d rounds, board %s; medians (x of spawning /bin/true, %.2f ms)" % (ARGS.n, ARGS.board, f))
    first = bins[0]
    for v in bins:
        rel = "" if v == first else "  [%.2f / %.2f / %.2f of the first]" % (
            med(new[v]) / med(new[first]), med(old[v]) / med(old[first]),
            med(hard[v]) / med(hard[first]) if hard[v] else float("nan"))
        print("  %s\n    new image %.1f ms (x%.0f), existing image %.1f ms (x%.0f), machine.reset() %.2f ms%s"
              % (v, med(new[v]), med(new[v]) / f, med(old[v]), med(old[v]) / f, med(hard[v]), rel))


if __name__ == "__main__":
    main()
