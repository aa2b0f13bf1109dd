"""Wi-Fi (issue 13 §1): the radio is simulated by the supervisor, so a soft
reset keeps the connection and every hard reset and power loss drops it;
the network module of the esp32 and Pycom ports drives it through the
HAL; the host adds APs and drops the link over the control socket; the
VM's requests are hostile input, refused and counted. Boards run with
--clock fast so that connecting (1.5 s of board time) costs no wall time
where device code sleeps while it waits; every wait is for bytes or a
status, against a deadline."""
import json
import struct

import pytest

import boardlib
from boardlib import Board, repl
from test_untrusted_state import EventWriter

EV_WIFI = 8
OP_CONNECT = 2
CONNECT_LOOP = ("exec('while not w.isconnected():\\n time.sleep_ms(100)')")
BOOT_CONNECT = (b"import network, time\n"
                b"w = network.WLAN(network.STA_IF)\n"
                b"print('boot sees', w.isconnected(), w.ifconfig()[0])\n"
                b"if not w.isconnected():\n"
                b"    w.active(True)\n"
                b"    w.connect('Wokwi-GUEST', '')\n"
                b"    while not w.isconnected():\n"
                b"        time.sleep_ms(50)\n"
                b"print('boot done', w.status(), w.ifconfig()[0])\n")


def put_file(b, path, data):
    repl(b, "f = open(%r, 'wb'); f.write(%r); f.close()" % (path, data))


def wait_until(what, cond, timeout=10.0):
    return boardlib.wait_until(cond, timeout, what)


@pytest.fixture
def board(tmp_path):
    b = Board(tmp_path, extra=["--clock", "fast", "--trace", str(tmp_path / "trace.jsonl"),
                               "--wifi", "home:secret-pass"])
    b.expect(b">>> ", timeout=10)
    b.trace = tmp_path / "trace.jsonl"
    yield b
    b.quit()


def connect(b, ssid="Wokwi-GUEST", key=""):
    repl(b, "import network, time; w = network.WLAN(network.STA_IF); w.active(True)")
    assert repl(b, "w.connect(%r, %r)" % (ssid, key)) == ""


def test_boot_py_connects_and_soft_reset_keeps_it(board):
    put_file(board, "boot.py", BOOT_CONNECT)
    board.send(b"\x04")
    got = board.expect(b">>> ", timeout=20)
    assert b"boot sees False 0.0.0.0" in got
    assert b"boot done 1010 10.13.0.2" in got
    assert repl(board, "w.isconnected(), w.ifconfig()") == \
        "(True, ('10.13.0.2', '255.255.255.0', '10.13.0.1', '10.13.0.1'))\r\n"
    # soft reset: the next boot.py sees the link before it calls connect
    board.send(b"\x04")
    got = board.expect(b">>> ", timeout=20)
    assert b"boot sees True 10.13.0.2" in got, got
    assert b"boot done 1010 10.13.0.2" in got
    st = board.ctl("status")
    assert (st["wifi"], st["wifi_ip"], st["wifi_ssid"]) == ("got_ip", "10.13.0.2", "Wokwi-GUEST")
    events = [json.loads(l) for l in open(board.trace)]
    assert [e["sta"] for e in events if e["event"] == "wifi"][-1] == "got_ip"


@pytest.mark.parametrize("how", ["machine.reset", "button", "power", "deepsleep"])
def test_hard_reset_and_power_loss_drop_it(board, how):
    connect(board)
    repl(board, CONNECT_LOOP, timeout=20)
    assert board.ctl("status")["wifi"] == "got_ip"
    if how == "machine.reset":
        board.send(b"import machine; machine.reset()\r")
    elif how == "button":
        board.ctl("reset")
    elif how == "power":
        board.ctl("power", state="cycle")
    else:
        board.send(b"import machine; machine.deepsleep(1000)\r")
    board.expect(b">>> ", timeout=20)
    st = board.wait_status("wifi", "off")
    assert "wifi_ip" not in st
    assert repl(board, "import network; w = network.WLAN(); w.active(), w.isconnected(), w.status()") == \
        "(False, False, 1000)\r\n"
    assert repl(board, "w.ifconfig()[0], network.hostname()") == "('0.0.0.0', 'mpy-esp32')\r\n"


def test_wrong_key_and_unknown_ssid(board):
    connect(board, "home", "not-the-key")
    repl(board, "exec('while w.status() == network.STAT_CONNECTING:\\n time.sleep_ms(100)')", timeout=20)
    assert repl(board, "w.status(), w.status() == network.STAT_WRONG_PASSWORD, w.isconnected()") == \
        "(202, True, False)\r\n"
    # a new attempt with the right key (the failing one is retried meanwhile)
    assert repl(board, "w.connect('home', 'secret-pass')") == ""
    repl(board, CONNECT_LOOP, timeout=20)
    assert repl(board, "w.status(), w.config('ssid')") == "(1010, 'home')\r\n"
    assert repl(board, "w.disconnect(); w.status(), w.isconnected()") == "(1000, False)\r\n"
    assert repl(board, "w.connect('nowhere', '')") == ""
    repl(board, "exec('while w.status() == network.STAT_CONNECTING:\\n time.sleep_ms(100)')", timeout=20)
    assert repl(board, "w.status() == network.STAT_NO_AP_FOUND == 201") == "True\r\n"


def test_errors_as_the_port_raises_them(board):
    repl(board, "import network; w = network.WLAN(network.STA_IF)")
    assert "OSError: Wifi Not Started" in repl(board, "w.connect('Wokwi-GUEST', '')")
    assert "OSError: STA must be active" in repl(board, "w.scan()")
    repl(board, "w.active(True)")
    assert repl(board, "w.connect('Wokwi-GUEST', '')") == ""
    assert "OSError: Wifi Internal Error" in repl(board, "w.connect('Wokwi-GUEST', '')")
    assert "OSError: Wifi Not Connected" in repl(board, "w.status('rssi')")
    assert "ValueError: invalid WLAN interface identifier" in repl(board, "network.WLAN(2)")
    assert "ValueError: unknown status param" in repl(board, "w.status('x')")
    assert repl(board, "network.WLAN(0) is w, network.WLAN(1) is network.WLAN(network.AP_IF)") == \
        "(True, True)\r\n"


def test_drop_and_a_reconnect_loop_recovers(board):
    connect(board)
    repl(board, CONNECT_LOOP, timeout=20)
    # no automatic retries: the drop stays visible as BEACON_TIMEOUT
    repl(board, "w.config(reconnects=0)")
    r = board.ctl("wifi", action="drop")
    assert r["ok"] and r["sta_connected"] is False
    assert repl(board, "w.isconnected(), w.status()") == "(False, 200)\r\n"
    # the device's own reconnect loop
    repl(board, "exec('n = 0\\nwhile not w.isconnected():\\n if w.status() != network.STAT_CONNECTING:\\n"
                "  w.connect(); n += 1\\n time.sleep_ms(100)')", timeout=20)
    assert repl(board, "w.isconnected(), w.status(), n") == "(True, 1010, 1)\r\n"
    # with the default (retry forever) the board reconnects on its own
    repl(board, "w.config(reconnects=-1)")
    board.ctl("wifi", action="drop")
    assert repl(board, "w.isconnected()") == "False\r\n"
    repl(board, CONNECT_LOOP, timeout=20)
    assert board.ctl("status")["wifi"] == "got_ip"
    # nothing to drop once the station is down: a refusal, said as a sentence
    repl(board, "w.disconnect()")
    assert board.ctl("wifi", action="drop") == \
        {"ok": False, "error": "the station is not connected: there is no link to drop"}
    events = [json.loads(l) for l in open(board.trace)]
    assert sum(e["event"] == "wifi_drop" for e in events) == 2


def test_ctl_ap_add_remove_and_scan(board):
    repl(board, "import network; w = network.WLAN(); w.active(True)")
    r = board.ctl("wifi", action="ap", op="add", ssid="Lab", key="lab-pass-123", rssi="-30")
    assert r["ok"], r
    scan = repl(board, "[(s, ch, rssi, sec, hidden) for s, b, ch, rssi, sec, hidden in w.scan()]")
    assert scan.startswith("[(b'Lab', ")
    assert ", -30, 3, False)" in scan and "(b'Wokwi-GUEST', 6, -50, 0, False)" in scan
    assert repl(board, "len(w.scan()[0][1])") == "6\r\n"
    bad = board.ctl("wifi", action="ap", op="add", ssid="Lab")
    assert bad == {"ok": False, "error": "an access point named 'Lab' is there already (remove it first)"}
    assert board.ctl("wifi", action="ap", op="add", ssid="x" * 33)["ok"] is False
    assert board.ctl("wifi", action="ap", op="add", ssid="y", key="short")["ok"] is False
    assert board.ctl("wifi", action="ap", op="remove", ssid="Lab")["ok"]
    assert "Lab" not in repl(board, "w.scan()")
    assert board.ctl("wifi", action="ap", op="remove", ssid="Lab") == \
        {"ok": False, "error": "no access point named 'Lab'"}
    events = [json.loads(l)["event"] for l in open(board.trace)]
    assert "wifi_ap_add" in events and "wifi_ap_remove" in events


def test_forged_wifi_records_are_refused_and_counted(board):
    connect(board)
    repl(board, CONNECT_LOOP, timeout=20)
    refused0 = board.ctl("status")["wifi_refused"]
    dropped0 = board.ctl("status")["events_dropped"]
    w = EventWriter(board)
    try:
        # the gate drops unknown ops and interfaces; the rest disagree with
        # the mailbox (its seq, op or interface) and are refused by the radio
        bad_gate = [struct.pack("<HHIQ", EV_WIFI, 0, 0xFF, 0), struct.pack("<HHIQ", EV_WIFI, 0, 1 | 5 << 8, 0),
                    struct.pack("<HHIQ", EV_WIFI, 3, 1, 0)]
        bad_box = [struct.pack("<HHIQ", EV_WIFI, 0, OP_CONNECT | s << 16, 0) for s in (0x1234, 0x4321)]
        w.write(b"".join(bad_gate + bad_box))
        wait_until("the forgeries counted", lambda: board.ctl("status")["wifi_refused"] >= refused0 + 2
                   and board.ctl("status")["events_dropped"] >= dropped0 + 3)
    finally:
        w.close()
    st = board.ctl("status")
    assert st["wifi"] == "got_ip"                     # nothing changed
    # (EventWriter's helper took the name w in device code)
    assert repl(board, "network.WLAN().isconnected(), 1 + 1") == "(True, 2)\r\n"
    events = [json.loads(l) for l in open(board.trace)]
    assert any(e["event"] == "wifi_refused" for e in events)


def test_over_long_hostname_and_country_from_device_code(board):
    repl(board, "import network")
    assert "ValueError: hostname too long" in repl(board, "network.hostname('h' * 40)")
    assert repl(board, "network.hostname('node-7'); network.hostname()") == "'node-7'\r\n"
    assert repl(board, "network.country('DE'); network.country()") == "'DE'\r\n"
    # kept across a soft reset, as the port's static buffer is
    board.send(b"\x04")
    board.expect(b">>> ", timeout=10)
    assert repl(board, "import network; network.hostname()") == "'node-7'\r\n"


def test_rp2_has_no_network(tmp_path):
    b = Board(tmp_path, board="rp2")
    try:
        b.expect(b">>> ", timeout=10)
        assert "ImportError" in repl(b, "import network")
        assert "wifi" in b.ctl("status")        # the board's radio model is there, unused
    finally:
        b.quit()


def test_pycom_core(tmp_path):
    b = Board(tmp_path, board="pycom", extra=["--clock", "fast"])
    try:
        b.expect(b">>> ", timeout=20)
        repl(b, "from network import WLAN")
        assert repl(b, "w = WLAN(mode=WLAN.STA); w.mode() == WLAN.STA, w.isconnected()") == "(True, False)\r\n"
        assert repl(b, "w.connect('Wokwi-GUEST', timeout=5000); w.isconnected()", timeout=20) == "True\r\n"
        assert repl(b, "w.ifconfig()") == "('10.13.0.2', '255.255.255.0', '10.13.0.1', '10.13.0.1')\r\n"
        assert repl(b, "n = w.scan()[0]; n.ssid, n.channel, n.sec") == "('Wokwi-GUEST', 6, 0)\r\n"
        assert repl(b, "len(w.mac().sta_mac), WLAN() is w") == "(6, True)\r\n"
        assert "OSError: Connection to AP Timeout!" in repl(
            b, "w.connect('nowhere', auth=(WLAN.WPA2, 'abcdefgh'), timeout=1000)", timeout=20)
    finally:
        b.quit()
