"""Hard resets reuse the zygote (issue 14): machine.reset(), the reset
button, brown-out, the watchdog, a panic and a deep-sleep wake run the next
hard boot in the zygote that waits between boots, as a fresh VM forked
from it; a power cycle, download mode or a change of the firmware image
(OTA, another slot) start a new one. Each boot still starts from nothing."""
import os
import signal
import threading

import pytest

from boardlib import BANNER, Board, BoardError, repl, wait_until
from test_pycom_boot import PROMPT, ota_payload


def zygote_counts(b):
    st = b.ctl("status")
    return st["zygote_starts"], st["zygote_reuses"]


def children(pid):
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        return [int(x) for x in f.read().split()]


@pytest.fixture
def esp(tmp_path):
    b = Board(tmp_path, board="esp32")
    b.expect(b">>> ", timeout=20)
    yield b
    b.quit()


def test_every_kind_of_reset_reuses_the_zygote_and_boots_fresh(esp):
    zygote = children(esp.proc.pid)
    assert len(zygote) == 1
    resets = [
        (lambda: esp.send(b"import machine; machine.reset()\r"), "HARD_RESET"),
        (lambda: esp.ctl("reset"), "PWRON_RESET"),
        (lambda: esp.ctl("brownout"), "PWRON_RESET"),
        (lambda: esp.send(b"from machine import WDT; w = WDT(timeout=100)\r"), "WDT_RESET"),
        (lambda: os.kill(esp.vm_pid(), signal.SIGSEGV), "HARD_RESET"),
    ]
    repl(esp, "f = open('mine.py', 'w'); f.write('X = 1\\n'); f.close()")
    for k, (do, cause) in enumerate(resets):
        repl(esp, "left_behind = %d; import mine" % k)
        do()
        esp.expect(BANNER, timeout=20)
        assert repl(esp, "import machine; machine.reset_cause() == machine.%s" % cause) == "True\r\n", cause
        # nothing of the last boot is left: names, imports
        assert "NameError" in repl(esp, "left_behind")
        assert repl(esp, "import sys; 'mine' in sys.modules") == "False\r\n"
        assert esp.ctl("status")["soft_resets"] == 0
    assert zygote_counts(esp) == (1, len(resets))
    assert children(esp.proc.pid) == zygote          # the same process throughout


def test_deep_sleep_wake_reuses_the_zygote(tmp_path):
    b = Board(tmp_path, board="esp32", extra=["--clock", "fast"])
    try:
        b.expect(b">>> ", timeout=20)
        b.send(b"import machine; machine.deepsleep(60000)\r")
        b.expect(BANNER, timeout=20)
        assert repl(b, "import machine; machine.reset_cause() == machine.DEEPSLEEP_RESET") == "True\r\n"
        assert zygote_counts(b) == (1, 1)
    finally:
        b.quit()


def test_a_power_cycle_starts_a_new_zygote(esp):
    esp.ctl("power", state="cycle")
    esp.expect(BANNER, timeout=20)
    esp.send(b"import machine; machine.reset()\r")
    esp.expect(BANNER, timeout=20)
    assert zygote_counts(esp) == (2, 1)


def test_soft_resets_still_count_and_a_reset_amid_them_is_clean(esp):
    """The zygote starts no VM on its own: a reset that lands while a soft
    reset's next VM is due cannot leave two VMs, or one running through
    the next boot's bootloader stage."""
    for _ in range(3):
        esp.send(b"\x04")
        esp.expect(BANNER, timeout=10)
    assert esp.ctl("status")["soft_resets"] == 3
    stop = threading.Event()

    turn = threading.Lock()         # held by whoever may act on the board

    def soft_resets():
        # each Ctrl-D waits for its soft reset (or a hard one) before the next
        while not stop.is_set():
            with turn:
                before = esp.ctl("status")
                try:
                    esp.send(b"\x04")
                except OSError:
                    return
                try:
                    wait_until(lambda: stop.is_set() or (lambda st: st["soft_resets"] != before["soft_resets"] or
                                                         st["boot_count"] != before["boot_count"])(esp.ctl("status")),
                               10, "a soft or hard reset after Ctrl-D")
                except BoardError:
                    pass            # the Ctrl-D landed in a reset's boot, before the REPL reads: typed again
    t = threading.Thread(target=soft_resets)
    t.start()
    try:
        for k in range(20):
            boots = esp.ctl("status")["boot_count"]
            if k % 2 == 0:
                # every other reset finds a VM at its prompt, the soft resets held off
                with turn:
                    # a round trip, not the stage: after a soft reset the
                    # stage can still say "repl" before the next VM is up
                    # (a reset then finds no VM to name and starts a new
                    # zygote, as it must)
                    esp.send(b"print('at', 'prompt')\r")
                    esp.expect(b"at prompt\r\n>>> ", timeout=10)
                    assert esp.ctl("reset")["ok"]
                    wait_until(lambda: esp.ctl("status")["boot_count"] > boots, 10, "the reset's boot")
                continue
            assert esp.ctl("reset")["ok"]       # the others land amid the soft resets
            wait_until(lambda: esp.ctl("status")["boot_count"] > boots, 10, "the reset's boot")
    finally:
        stop.set()
        t.join()
    # whatever soft resets are still queued, the REPL answers in the end
    esp.send(b"print('MARK')\r")
    esp.expect(b"MARK\r\n>>> ", timeout=20)
    assert repl(esp, "1 + 1") == "2\r\n"
    zygotes = children(esp.proc.pid)
    assert len(zygotes) == 1 and len(children(zygotes[0])) == 1
    st = esp.ctl("status")
    # a boot cut short by the next reset starts no firmware at all
    assert st["zygote_reuses"] > 0 and st["zygote_starts"] + st["zygote_reuses"] <= st["boot_count"]


def test_a_new_image_gets_a_new_zygote_and_then_reuses_it(tmp_path):
    payload, _ = ota_payload(tmp_path)
    b = Board(tmp_path, board="pycom", extra=["--fs-add", str(payload)])
    try:
        b.expect(PROMPT, timeout=20)
        b.send(b"import machine; machine.reset()\r")
        b.expect(PROMPT, timeout=20)
        assert zygote_counts(b) == (1, 1)
        assert repl(b, "import ota; ota.install('/flash/fw2.bin')") == "True\r\n"
        b.send(b"import machine; machine.reset()\r")
        got = b.expect(PROMPT, timeout=20)
        assert b"MicroPython 2.0.0-test on" in got        # the new image, in a new zygote
        assert zygote_counts(b) == (2, 1)
        b.send(b"import machine; machine.reset()\r")
        got = b.expect(PROMPT, timeout=20)
        assert b"MicroPython 2.0.0-test on" in got
        assert zygote_counts(b) == (2, 2)
        assert repl(b, "import os; os.uname().release") == "'2.0.0-test'\r\n"
    finally:
        b.quit()
