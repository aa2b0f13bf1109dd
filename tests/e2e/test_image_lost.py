"""A flash image truncated or replaced under a running board (issue 11):
the supervisor never dies of SIGBUS nor crash-loops; at the next boot it
stops the board with one sentence, removes its socket and pty link, and
exits with the set-up status."""
import os
import shutil

import pytest

from boardlib import Board, BoardError

BOOTED = b'Type "help()" for more information.\r\n>>> '


@pytest.mark.parametrize("how", ["truncated", "replaced"])
def test_a_lost_image_stops_the_board_with_a_sentence(tmp_path, how):
    b = Board(tmp_path)
    try:
        b.expect(BOOTED, timeout=10)
        if how == "truncated":
            os.truncate(b.flash, 4096)
        else:
            shutil.copyfile(b.flash, b.flash + ".new")
            os.rename(b.flash + ".new", b.flash)
        # device code touching the flash now (truncated: a SIGBUS in the
        # VM), then a reset: the next boot finds the image gone
        b.send(b"import os; os.listdir()\r")
        try:
            # the VM's SIGBUS is a panic, and its reboot may already have
            # found the image gone and stopped the board: no reset needed
            assert b.ctl("reset")["ok"]
        except (OSError, BoardError):
            pass
        rc = b.proc.wait(15)
        err = b.proc.stderr.read().decode()
        assert rc == 2, (rc, err)
        want = "was truncated" if how == "truncated" else "was removed or replaced"
        assert "the flash image %s %s while the board ran; board stopped" % (b.flash, want) in err, err
        assert not os.path.exists(b.control)
        assert not os.path.lexists(b.link)
    finally:
        b.quit()


def test_an_idle_board_notices_a_truncated_image(tmp_path):
    """Nothing touches the flash and nothing resets: the supervisor's own
    periodic look at the image stops the board."""
    b = Board(tmp_path)
    try:
        b.expect(BOOTED, timeout=10)
        os.truncate(b.flash, 4096)
        rc = b.proc.wait(15)
        err = b.proc.stderr.read().decode()
        assert rc == 2, (rc, err)
        assert "the flash image %s was truncated while the board ran; board stopped" % b.flash in err, err
        assert not os.path.exists(b.control)
    finally:
        b.quit()
