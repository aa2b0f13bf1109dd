"""`vboard run --parts FILE` (issue 16): the board's wiring in one YAML or
JSON file — I2C devices (built-in models with their options, script
devices), UART links, ADC inputs — used by device code as if given with
--i2c and --uart; the command line adds to it, a part declared twice is
refused naming both places; a malformed file stops the run at set-up
(exit 2) with the file, line and column, and nothing starts."""
import json
import os
import shutil
import subprocess
import tempfile

from boardlib import Board, repl, run_program
from conftest import VBOARD
from test_periph_uart import Modem

SENSOR = '''
regs = {0x0F: 0}
def setup(who_am_i):               # the part's args
    regs[0x0F] = who_am_i
def read_reg(reg):
    return regs.get(reg, reg)
def write_reg(reg, value):
    regs[reg] = value
'''

PARTS_YAML = """\
# a weather station: its memory, its sensor, a part of ours, a GPS
i2c:
  - {bus: 0, addr: 0x50, model: eeprom}
  - bus: 0
    addr: 0x44
    model: sht3x
    temp: 21.5
    hum: 40
  - {addr: 0x48, script: devices/tmp_sensor.py, args: {who_am_i: 0xA5}}   # from this file's directory
uart:
  - {id: 1, link: %s}
adc:
  - {pin: 34, mv: 825}
"""

SHT3X_READ = """
from machine import I2C
import time
i = I2C(0)
i.writeto(0x44, b'\\x24\\x00')
time.sleep_ms(20)
d = i.readfrom(0x44, 6)
t = -45 + 175 * (d[0] << 8 | d[1]) / 65535
h = 100 * (d[3] << 8 | d[4]) / 65535
print(round(t, 1), round(h, 1))
"""


def parts_file(tmp_path, text, name="board.yaml"):
    (tmp_path / "devices").mkdir(exist_ok=True)
    (tmp_path / "devices" / "tmp_sensor.py").write_text(SENSOR)
    p = tmp_path / name
    p.write_text(text)
    return str(p)




def vboard_run(tmp_path, *args):
    """A run that must stop at set-up: (status, stderr, stdout)."""
    r = subprocess.run([VBOARD, "run", "--flash", str(tmp_path / "f.bin"), "--pty", str(tmp_path / "tty"),
                        "--control", str(tmp_path / "c.sock")] + list(args), capture_output=True, timeout=30)
    return r.returncode, r.stderr.decode(), r.stdout.decode()


def check_wired_board(b, link):
    assert repl(b, "from machine import I2C; I2C(0).scan()") == "[68, 72, 80]\r\n"
    out = run_program(b, SHT3X_READ)
    assert out == "21.5 40.0\r\n", out                     # the sensor's reading from the file
    assert repl(b, "I2C(0).readfrom_mem(0x48, 0x0F, 1)") == "b'\\xa5'\r\n"
    assert repl(b, "I2C(0).writeto_mem(0x50, 0, b'hi', addrsize=16)") == ""
    assert repl(b, "from machine import ADC, Pin; ADC(Pin(34)).read_uv()") == "825000\r\n"
    modem = Modem(link)
    try:
        repl(b, "from machine import UART; u = UART(1, 9600, timeout=2000)")
        repl(b, "u.write(b'$GPGGA\\r\\n')")
        modem.expect(b"$GPGGA\r\n")
        modem.send(b"OK\r\n")
        assert repl(b, "u.readline()") == "b'OK\\r\\n'\r\n"
    finally:
        modem.close()
    devs = b.ctl("i2c")["devices"]
    assert [(d["addr"], d["model"]) for d in devs][:3] == [(0x50, "eeprom"), (0x44, "sht3x"), (0x48, "script")]
    assert b.ctl("sensor")["temp"] == 21.5


def test_a_yaml_parts_file_wires_the_board(tmp_path):
    link = str(tmp_path / "gps")
    b = Board(tmp_path, board="esp32", extra=["--parts", parts_file(tmp_path, PARTS_YAML % link)])
    try:
        b.expect(b">>> ", timeout=20)
        check_wired_board(b, link)
    finally:
        b.quit()


def test_the_same_wiring_in_json_with_the_command_line_adding_a_display(tmp_path):
    link = str(tmp_path / "gps")
    wiring = {"i2c": [{"bus": 0, "addr": 80, "model": "eeprom"},
                      {"bus": 0, "addr": "0x44", "model": "sht3x", "temp": 21.5, "hum": 40},
                      {"addr": 72, "script": "devices/tmp_sensor.py", "args": {"who_am_i": 165}}],
              "uart": [{"id": 1, "link": link}],
              "adc": [{"pin": "34", "mv": 825}]}
    path = parts_file(tmp_path, json.dumps(wiring, indent=1), "board.json")
    b = Board(tmp_path, board="esp32", extra=["--parts", path, "--i2c", "1:0x3c=ssd1306"])
    try:
        b.expect(b">>> ", timeout=20)
        check_wired_board(b, link)
        assert repl(b, "I2C(1).scan()") == "[60]\r\n"
    finally:
        b.quit()


def test_malformed_parts_files_stop_the_run_with_line_and_column(tmp_path):
    cases = [
        ("i2c:\n  - {addr: 0x50, model: eeprom\nuart: []\n", ":3:5: YAML syntax error: did not find expected ',' or '}'"),
        ("i2c:\n  - {addr: 0x50, model: eeprom}\nlcd:\n  - {cs: 5}\n",
         ":3:1: unknown part kind 'lcd' (kinds: i2c, uart, adc, spi)"),
        ("i2c:\n  - {addr: 0x90, model: eeprom}\n",
         ":2:12: 'addr' must be a number from 8 to 119 (0x08 to 0x77), not '0x90'"),
        ("i2c:\n  - {addr: 0x50, model: eeprom}\n  - {addr: 80, model: sht3x}\n",
         ":3:12: a second device at 0x50 on bus 0 (the first at line 2)"),
        ("adc:\n  - {pin: 5, mv: 100}\n", ":2: '5' is not an ADC input of the esp32 board"),
    ]
    for text, want in cases:
        path = parts_file(tmp_path, text)
        status, err, out = vboard_run(tmp_path, "--parts", path)
        assert status == 2 and "vboard: run: " + path + want in err, (status, err)
        assert "/dev/pts" not in out                         # nothing started
    status, err, _ = vboard_run(tmp_path, "--parts", str(tmp_path / "none.yaml"))
    assert status == 2 and "cannot read the parts file %s" % (tmp_path / "none.yaml") in err, err


def test_args_a_script_cannot_take_stop_the_run(tmp_path):
    path = parts_file(tmp_path, "i2c:\n  - {addr: 0x48, script: devices/tmp_sensor.py, args: {colour: red}}\n")
    status, err, out = vboard_run(tmp_path, "--parts", path)
    assert status == 2 and "an I2C device script did not load: " in err \
        and "TypeError: setup() got an unexpected keyword argument 'colour'" in err, err
    assert "/dev/pts" not in out


def test_a_part_declared_in_the_file_and_on_the_command_line(tmp_path):
    link = str(tmp_path / "gps")
    path = parts_file(tmp_path, PARTS_YAML % link)
    status, err, _ = vboard_run(tmp_path, "--parts", path, "--i2c", "0:0x50=eeprom")
    assert status == 2 and "--i2c 0:0x50 is declared in %s at line 3 already" % path in err, err
    status, err, _ = vboard_run(tmp_path, "--parts", path, "--uart", "1:" + str(tmp_path / "other"))
    assert status == 2 and "--uart 1 is bridged in %s at line 11 already" % path in err, err
    spi = parts_file(tmp_path, "spi:\n  - {bus: 1, cs: 15, model: eeprom25}\n", "spi.yaml")
    status, err, _ = vboard_run(tmp_path, "--parts", spi, "--spi", "1:15=eeprom25")
    assert status == 2 and "--spi 1:15 is declared in %s at line 2 already" % spi in err, err


def test_spi_devices_in_a_parts_file(tmp_path):
    """The file's SPI EEPROM and the command line's together on esp32's SPI(1)."""
    path = parts_file(tmp_path, "spi:\n  - {bus: 1, cs: 15, model: eeprom25}\n")
    b = Board(tmp_path, board="esp32", extra=["--parts", path, "--spi", "1:5=eeprom25"])
    try:
        b.expect(b">>> ", timeout=20)
        assert [(d["bus"], d["cs"], d["model"]) for d in b.ctl("spi")["devices"]] == \
            [(1, 15, "eeprom25"), (1, 5, "eeprom25")]
        repl(b, "from machine import SPI, Pin; s = SPI(1); cs = Pin(15, Pin.OUT, value=1)")
        # RDSR through the file's chip: its status register answers (0: idle, not write-enabled)
        assert repl(b, "cs(0); r = s.read(2, 0x05); cs(1); r") == "b'\\xff\\x00'\r\n"
    finally:
        b.quit()


SCENARIO = """\
name: a weather station's wiring
timeout: 30s
steps:
  - wait-serial: ">>> "
  - exec: "from machine import I2C; print(I2C(0).scan(), I2C(0).readfrom_mem(0x48, 0x0F, 1)[0])"
    expect-output: "[68, 72, 80] 165"
"""


def vboard_test(*args):
    """`vboard test` with a private TMPDIR (its board's control socket)."""
    tmpdir = tempfile.mkdtemp(prefix="vbt")
    try:
        return subprocess.run([VBOARD, "test"] + list(args), capture_output=True, timeout=120,
                              env=dict(os.environ, TMPDIR=tmpdir))
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def test_a_scenario_runs_on_the_wiring_of_a_parts_file(tmp_path):
    """`vboard test --parts FILE`: the scenario's board has the file's parts."""
    path = parts_file(tmp_path, PARTS_YAML % (tmp_path / "gps"))
    scen = tmp_path / "station.yaml"
    scen.write_text(SCENARIO)
    r = vboard_test(str(scen), "--parts", path)
    assert r.returncode == 0, (r.stdout.decode(), r.stderr.decode())
    r = vboard_test(str(scen))                               # without it: nothing on the bus
    assert r.returncode == 1, (r.stdout.decode(), r.stderr.decode())
    bad = parts_file(tmp_path, "i2c:\n  - {addr: 0x90, model: eeprom}\n", "bad.yaml")
    r = vboard_test(str(scen), "--parts", bad)
    assert r.returncode == 2 and bad + ":2:12: 'addr' must be" in r.stderr.decode(), r.stderr
