"""Script-defined I2C devices (issue 16): `--i2c BUS:ADDR=script:FILE.py`,
a Python file run by the supervisor's helper (the host's python3, outside
the sandbox) that answers the device's reads and writes. Device code sees
it through machine.I2C like any chip. A script that raises NACKs that
transaction, one that hangs is stopped after its deadline, one that does
not load stops `vboard run` at set-up (exit 2); the board keeps running
through the first two, with its built-in devices working."""
import json
import os
import subprocess

from boardlib import Board, repl, wait_until, run_program
from conftest import VBOARD

# A made-up temperature sensor, register style: 0x00 the temperature in
# °C, 0x01 a configuration register, 0x0F WHO_AM_I (0xA5); 0xEE raises.
TMP_SENSOR = '''
regs = {0x00: 21, 0x01: 0x00, 0x0F: 0xA5}

def read_reg(reg):
    if reg == 0xEE:
        return 1 // 0
    if reg == 0xEF:
        return 300                 # not a byte: no bus carries it
    return regs.get(reg, 0)

def write_reg(reg, value):
    if reg == 0x0F:
        raise ValueError("WHO_AM_I is read-only")
    regs[reg] = value
'''

# Byte level, as a class: counts the bytes written to it, reads give the
# count; it NACKs a write of 0xFF; print() goes to stderr, never into the
# helper's protocol.
COUNTER = '''
class Device:
    def __init__(self):
        self.n = 0
    def start(self, read):
        print("counter addressed", "r" if read else "w")
        return True
    def write(self, byte):
        if byte == 0xFF:
            return False
        self.n += 1
        return True
    def read(self):
        return self.n & 0xFF
    def stop(self):
        pass
'''

# Register 0x20 answers when the test lets it (a FIFO it opens for
# reading blocks until the test writes), the first time only; writing
# register 0x10 never answers. Before either it tells the test it was
# called (a file), so the test knows the request is parked.
SLOW = '''
import threading
MARK, RELEASE = %r, %r
released = False

def read_reg(reg):
    global released
    if reg == 0x20:
        open(MARK, "w").close()
        if not released:
            with open(RELEASE) as f:
                f.read()
            released = True
        return 0x5A
    return reg

def write_reg(reg, value):
    if reg == 0x10:
        open(MARK, "w").close()
        threading.Event().wait()
'''


def slow_script(tmp_path):
    """SLOW in tmp_path: its path, its mark file and its release FIFO."""
    mark, release = tmp_path / "called", tmp_path / "release"
    os.mkfifo(release)
    return write(tmp_path, "slow.py", SLOW % (str(mark), str(release))), mark, release


def let_go(release):
    """Let SLOW's parked read answer: once the script has the FIFO open."""
    def opened():
        try:
            fd = os.open(release, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:          # ENXIO: no reader yet
            return False
        os.close(fd)             # the reader sees the end of the file
        return True
    wait_until(opened, 10, "the script waiting on its release")


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def start(tmp_path, i2c, extra=()):
    b = Board(tmp_path, board="esp32", extra=["--i2c", i2c] + list(extra))
    b.expect(b">>> ", timeout=20)
    return b




def stderr_after_quit(b):
    b.quit()
    return b.proc.stderr.read().decode()


def test_a_script_device_answers_register_reads_and_writes(tmp_path):
    tmp = write(tmp_path, "tmp_sensor.py", TMP_SENSOR)
    cnt = write(tmp_path, "counter.py", COUNTER)
    b = start(tmp_path, "0:0x48=script:%s,0:0x50=eeprom,1:0x30=script:%s" % (tmp, cnt))
    try:
        assert repl(b, "from machine import I2C, SoftI2C, Pin; i = I2C(0); i.scan(), I2C(1).scan()") \
            == "([72, 80], [48])\r\n"
        out = run_program(b, """
from machine import I2C, SoftI2C, Pin
i = I2C(0)
print(i.readfrom_mem(0x48, 0x0F, 1), i.readfrom_mem(0x48, 0x00, 1)[0])
i.writeto_mem(0x48, 0x00, bytes([30, 0x81]))       # auto-increment: 0x00 then 0x01
print(list(i.readfrom_mem(0x48, 0x00, 2)))
s = SoftI2C(scl=Pin(18), sda=Pin(19))
print(s.readfrom_mem(0x48, 0x01, 1))
b = bytearray(1)                                     # SoftI2C's wire primitives
s.start(); n = s.write(bytes([0x48 << 1, 0x0F])); s.start(); n += s.write(bytes([0x48 << 1 | 1]))
s.readinto(b); s.stop()
print(n, b)
j = I2C(1)
print(j.writeto(0x30, b'abc'), j.readfrom(0x30, 2))
try:
    j.writeto(0x30, b'\\xff')
except OSError as e:
    print('nack', e.errno)
""")
        assert out == ("b'\\xa5' 21\r\n[30, 129]\r\nb'\\x81'\r\n3 bytearray(b'\\xa5')\r\n"
                       "3 b'\\x03\\x03'\r\nnack 19\r\n"), out
        devs = b.ctl("i2c")["devices"]
        assert devs[0] == {"bus": 0, "addr": 0x48, "model": "script", "script": tmp, "state": "ok"}
        assert devs[2]["state"] == "ok" and devs[2]["bus"] == 1
        # a chip on the host: its state outlives a soft reset
        b.send(b"\x04")
        b.expect(b">>> ", timeout=10)
        assert repl(b, "from machine import I2C; I2C(0).readfrom_mem(0x48, 0, 1)") == "b'\\x1e'\r\n"
    finally:
        err = stderr_after_quit(b)
    assert "counter addressed w" in err       # the script's print(), on the run's stderr


def test_a_script_that_raises_nacks_that_transaction_and_the_board_goes_on(tmp_path):
    tmp = write(tmp_path, "tmp_sensor.py", TMP_SENSOR)
    trace = tmp_path / "trace.jsonl"
    b = start(tmp_path, "0:0x48=script:%s" % tmp, ["--trace", str(trace)])
    try:
        repl(b, "from machine import I2C; i = I2C(0)")
        assert repl(b, "i.readfrom_mem(0x48, 0xEE, 1)").endswith("OSError: [Errno 19] ENODEV\r\n")
        assert repl(b, "i.writeto_mem(0x48, 0x0F, b'x')").endswith("OSError: [Errno 19] ENODEV\r\n")
        assert repl(b, "i.readfrom_mem(0x48, 0xEF, 1)").endswith("OSError: [Errno 19] ENODEV\r\n")
        assert repl(b, "i.readfrom_mem(0x48, 0x0F, 1)") == "b'\\xa5'\r\n"     # still there
        dev = b.ctl("i2c")["devices"][0]
        assert dev["state"] == "ok" and dev["last_error"] == "DeviceError: read() returned 300, not a byte (0-255)"
    finally:
        err = stderr_after_quit(b)
    assert "I2C device 0x48 on bus 0 (script %s) raised: ZeroDivisionError: integer division or modulo by zero " \
           "(tmp_sensor.py, line 6)" % tmp in err, err
    assert "raised: ValueError: WHO_AM_I is read-only (tmp_sensor.py, line 13)" in err
    events = [json.loads(l) for l in trace.read_text().splitlines()]
    errors = [e for e in events if e["event"] == "i2c_script_error"]
    assert [e["error"] for e in errors] == ["ZeroDivisionError: integer division or modulo by zero "
                                            "(tmp_sensor.py, line 6)",
                                            "ValueError: WHO_AM_I is read-only (tmp_sensor.py, line 13)",
                                            "DeviceError: read() returned 300, not a byte (0-255)"]


def test_a_script_that_ends_its_helper(tmp_path):
    """A file may end the helper's process itself (os._exit): its devices
    fail with the reason, the board and its built-in devices go on."""
    quitter = write(tmp_path, "quitter.py", "import os\ndef read_reg(reg):\n    os._exit(3)\n")
    b = start(tmp_path, "0:0x48=script:%s,0:0x44=sht3x" % quitter)
    try:
        repl(b, "from machine import I2C; i = I2C(0)")
        assert repl(b, "i.readfrom_mem(0x48, 0, 1)").endswith("OSError: [Errno 19] ENODEV\r\n")
        assert repl(b, "i.scan()") == "[68]\r\n"
        dev = b.ctl("i2c")["devices"][0]
        assert dev["state"] == "failed" and dev["why"] == "its process ended"
    finally:
        err = stderr_after_quit(b)
    assert "the I2C device scripts' helper stopped: its process ended" in err, err


def test_a_script_that_hangs_is_stopped_and_the_board_goes_on(tmp_path):
    slow, _, _ = slow_script(tmp_path)
    b = start(tmp_path, "0:0x49=script:%s,0:0x50=eeprom" % slow)
    try:
        out = run_program(b, """
from machine import I2C
import time
i = I2C(0)
try:
    i.writeto_mem(0x49, 0x10, b'x')
except OSError as e:
    print('nack', e.errno)
print(i.scan())
i.writeto_mem(0x50, 0, b'ok', addrsize=16)
time.sleep_ms(10)
print(i.readfrom_mem(0x50, 0, 2, addrsize=16))
""", timeout=15)
        assert out == "nack 19\r\n[80]\r\nb'ok'\r\n", out      # the script device NACKs from then on
        dev = b.ctl("i2c")["devices"][0]
        assert dev["state"] == "failed"
        assert dev["why"] == "the script of the device at 0x49 on bus 0 did not answer within 2 s"
    finally:
        err = stderr_after_quit(b)
    assert "the I2C device scripts' helper stopped: the script of the device at 0x49 on bus 0 did not answer " \
           "within 2 s; script devices NACK from now on" in err


def test_a_reset_while_a_request_is_parked(tmp_path):
    """The VM ends while its request waits for the script: the late answer
    goes nowhere, and the next VM's requests are answered in order."""
    slow, mark, release = slow_script(tmp_path)
    b = start(tmp_path, "0:0x49=script:%s" % slow)
    try:
        b.send(b"from machine import I2C; I2C(0).readfrom_mem(0x49, 0x20, 1)\r")
        wait_until(mark.exists, 10, "the script called")
        b.ctl("reset")
        b.expect(b">>> ", timeout=20)
        let_go(release)                                      # the late answer, for a VM that is gone
        b.drain(0.1)
        assert repl(b, "from machine import I2C; I2C(0).readfrom_mem(0x49, 0x33, 1)", timeout=10) == "b'3'\r\n"
        assert repl(b, "I2C(0).readfrom_mem(0x49, 0x20, 1)", timeout=10) == "b'Z'\r\n"
        assert b.ctl("i2c")["devices"][0]["state"] == "ok"
    finally:
        b.quit()


def test_the_fast_clock_does_not_jump_while_a_script_answers(tmp_path):
    """The VM waiting on the I2C line is not idle: with a timer due in a
    minute, a parked request does not move the clock there."""
    slow, mark, release = slow_script(tmp_path)
    b = start(tmp_path, "0:0x49=script:%s" % slow, ["--clock", "fast"])
    try:
        repl(b, "from machine import I2C, Timer; import time; fired = []")
        # one line: an idle REPL with the timer armed would let the clock jump to it
        b.send(b"t = Timer(0, mode=Timer.ONE_SHOT, period=60000, callback=lambda t: fired.append(1)); "
               b"t0 = time.ticks_ms(); v = I2C(0).readfrom_mem(0x49, 0x20, 1); "
               b"print(v, time.ticks_diff(time.ticks_ms(), t0) < 30000, fired); t.deinit()\r")
        wait_until(mark.exists, 10, "the script called")
        # parked for 300 ms of board time (a jump would pass that at once, to the timer)
        t_mark = b.ctl("status")["board_us"]
        wait_until(lambda: b.ctl("status")["board_us"] >= t_mark + 300000, 10, "board time passing while parked")
        let_go(release)
        b.expect(b"b'Z' True []\r\n", timeout=10)
    finally:
        b.quit()


def test_a_script_that_does_not_load_stops_the_run(tmp_path):
    cases = [("broken.py", "def read_reg(reg:\n    return 1\n", "SyntaxError: '(' was never closed (broken.py, line 1)"),
             ("empty.py", "X = 1\n", "defines none of read, write, read_reg, write_reg"),
             ("raises.py", "import no_such_module_here\n", "ModuleNotFoundError: No module named 'no_such_module_here' (raises.py, line 1)")]
    for name, text, want in cases:
        path = write(tmp_path, name, text)
        r = subprocess.run([VBOARD, "run", "--flash", str(tmp_path / "f.bin"), "--pty", str(tmp_path / "tty"),
                            "--control", str(tmp_path / "c.sock"), "--i2c", "0:0x48=script:" + path],
                           capture_output=True, timeout=30)
        err = r.stderr.decode()
        assert r.returncode == 2, (r.returncode, err)
        assert "an I2C device script did not load: %s: " % path in err and want in err, err
        assert b"/dev/pts" not in r.stdout                # nothing started
    missing = str(tmp_path / "missing.py")
    r = subprocess.run([VBOARD, "run", "--flash", str(tmp_path / "f.bin"), "--pty", str(tmp_path / "tty"),
                        "--i2c", "0:0x48=script:" + missing], capture_output=True, timeout=30)
    assert r.returncode == 2 and "%s: FileNotFoundError" % missing in r.stderr.decode(), r.stderr
