"""machine.ADC and machine.PWM (issue 16): the host puts millivolts on a
pin (`ctl adc PIN MV`) and each port's ADC converts them as its chip does;
PWM outputs show on `ctl pwm`, in the trace and in the VCD as frequency and
duty changes; bad arguments raise the port's exceptions."""
import json

import pytest

from boardlib import Board, repl
from test_hardware import parse_vcd


def board(tmp_path, port="esp32", extra=()):
    b = Board(tmp_path, board=port, extra=list(extra))
    b.expect(b">>> ", timeout=20)
    return b


@pytest.fixture
def esp32(tmp_path):
    b = board(tmp_path)
    yield b
    b.quit()


def test_esp32_adc_reads_the_host_voltage_per_attenuation(esp32):
    r = esp32.ctl("adc", pin="34", mv="825")
    assert r["mv"] == 825.0 and r["gpio"] == 34
    name = r["pin"]
    assert repl(esp32, "from machine import ADC, Pin; a = ADC(Pin(34)); a.read(), a.read_u16(), a.read_uv()") \
        == "(3071, 49147, 825000)\r\n"       # 825/1100 of 4095, u16 by bit replication; 0 dB full scale 1.1 V
    assert repl(esp32, "a.atten(ADC.ATTN_11DB); a.read(), a.read_uv()") == "(866, 825000)\r\n"
    assert repl(esp32, "a.width(ADC.WIDTH_9BIT); repr(a)") == "'ADC(Pin(34), atten=3)'\r\n"
    esp32.ctl("adc", pin="34", mv="5000")               # past full scale: the maximum
    assert repl(esp32, "a.read()") == "511\r\n"
    assert esp32.ctl("adc")["adc"][name] == 5000.0
    assert "ValueError: invalid pin" in repl(esp32, "ADC(Pin(5))")


def test_rp2_and_pycom_adc(tmp_path):
    b = board(tmp_path, "rp2")
    try:
        b.ctl("adc", pin="GP26", mv="1650")
        assert repl(b, "from machine import ADC, Pin; ADC(0).read_u16(), ADC(Pin(26)).read_u16(), ADC(26).read_u16()") \
            == "(32776, 32776, 32776)\r\n"
        assert repl(b, "ADC(ADC.CORE_TEMP).read_u16(), repr(ADC(1))") == "(14019, '<ADC channel=1>')\r\n"
        assert "ValueError: Pin doesn't have ADC capabilities" in repl(b, "ADC(Pin(5))")
        assert "ValueError: Pin doesn't have ADC capabilities" in repl(b, "ADC(7)")   # a pin number
    finally:
        b.quit()
    (tmp_path / "p").mkdir()
    b = board(tmp_path / "p", "pycom")
    try:
        b.ctl("adc", pin="P16", mv="550")
        assert repl(b, "from machine import ADC; c = ADC(bits=10).channel(pin='P16', attn=ADC.ATTN_0DB); "
                       "c.value(), c(), c.voltage()") == "(512, 512, 551)\r\n"   # to the 10-bit step
    finally:
        b.quit()


def test_adc_control_errors_leave_the_board_running(esp32):
    for fields, err in [({"pin": "5", "mv": "100"}, "not an ADC input"),
                        ({"pin": "34", "mv": "-1"}, "millivolts from 0 to 5000"),
                        ({"pin": "34", "mv": "lots"}, "millivolts from 0 to 5000"),
                        ({"mv": "3"}, "takes a pin")]:
        r = esp32.ctl("adc", **fields)
        assert not r["ok"] and err in r["error"]
    assert repl(esp32, "1 + 1") == "2\r\n"


def test_pwm_visible_to_the_host_in_ctl_trace_and_vcd(tmp_path):
    tr, vcd = str(tmp_path / "t.jsonl"), str(tmp_path / "w.vcd")
    b = board(tmp_path, "esp32", ["--trace", tr, "--vcd", vcd])
    try:
        assert repl(b, "from machine import PWM, Pin; p = PWM(Pin(4), freq=1000, duty=256); repr(p)") \
            == "'PWM(Pin(4), freq=1000, duty=256)'\r\n"
        assert b.ctl("pwm", pin="4")["freq"] == 1000 and b.ctl("pwm", pin="4")["duty_u16"] == 16384
        assert repl(b, "p.duty_u16(49152); p.freq(2000); p.duty(), p.duty_ns()") == "(768, 375006)\r\n"
        assert b.ctl("pwm")["pwm"] == {"GPIO4": {"freq": 2000, "duty_u16": 49152}}
        assert repl(b, "p.deinit()") == ""
        assert b.ctl("pwm")["pwm"] == {}
    finally:
        b.quit()
    pwm = [json.loads(l) for l in open(tr) if '"pwm"' in l]
    assert [(e.get("freq"), e.get("duty_u16")) for e in pwm] == [
        (None, 16384), (1000, None), (None, 49152), (2000, None), (0, None)]
    ch = parse_vcd(vcd)["changes"]
    assert [int(v, 2) for v in ch["GPIO4_pwm_hz"][1:]] == [1000, 2000, 0]
    assert [int(v, 2) for v in ch["GPIO4_pwm_duty"][1:]] == [16384, 49152]


def test_pwm_stops_at_soft_reset_and_when_the_pin_is_a_gpio_again(esp32):
    assert repl(esp32, "from machine import PWM, Pin; p = PWM(Pin(4)); p.freq(), p.duty()") == "(5000, 512)\r\n"
    assert esp32.ctl("pwm", pin="4")["active"]
    repl(esp32, "Pin(4, Pin.OUT)")
    assert not esp32.ctl("pwm", pin="4")["active"]
    assert repl(esp32, "p.duty(100); p.duty()") == "100\r\n"     # the object changes, the pin does not
    assert not esp32.ctl("pwm", pin="4")["active"]
    repl(esp32, "p.init(freq=300)")                              # init routes it to the pin again
    assert esp32.ctl("pwm", pin="4")["freq"] == 300 and esp32.ctl("pwm", pin="4")["duty_u16"] == 100 << 6
    repl(esp32, "p = PWM(Pin(5), freq=50, duty_u16=3000)")
    assert esp32.ctl("pwm", pin="5")["active"]
    esp32.send(b"\x04")
    esp32.expect(b"soft reboot", timeout=10)
    esp32.expect(b">>> ", timeout=10)
    assert esp32.ctl("pwm")["pwm"] == {}
    repl(esp32, "from machine import PWM, Pin; p = PWM(Pin(5), freq=50)")
    esp32.ctl("reset")                                          # a hard reset stops it too
    esp32.expect(b">>> ", timeout=10)
    assert esp32.ctl("pwm")["pwm"] == {}


@pytest.mark.parametrize("port,code,err", [
    ("esp32", "PWM(Pin(4), freq=0)", "ValueError: frequency must be from 1Hz to 40MHz"),
    ("esp32", "PWM(Pin(4), duty=1024)", "ValueError: duty must be from 0 to 1023"),
    ("esp32", "PWM(Pin(4), duty_u16=70000)", "ValueError: duty_u16 must be from 0 to 65535"),
    ("esp32", "PWM(Pin(4), duty=5, duty_u16=7)",
     "ValueError: only one of parameters 'duty', 'duty_u16' or 'duty_ns' is allowed"),
    ("esp32", "p = PWM(Pin(4)); p.deinit(); p.freq()", "RuntimeError: PWM inactive"),
    ("esp32", "ADC(Pin(34), atten=7)", "ValueError: invalid atten"),
    ("esp32", "ADC(Pin(34)).width(8)", "ValueError: invalid bits"),
    ("esp32", "a = ADC(Pin(34), atten=ADC.ATTN_6DB); ADC(Pin(34)) is a, repr(ADC(Pin(34)))",
     "(True, 'ADC(Pin(34), atten=2)')"),
    ("rp2", "PWM(Pin(4), freq=7)", "ValueError: freq too small"),
    ("rp2", "PWM(Pin(4), freq=100, duty_ns=5000000); repr(PWM(Pin(4)).duty_u16())", "'32768'"),
    ("pycom", "PWM(0, frequency=5000).channel(0, pin='P12', duty_cycle=0.25).duty_cycle()", "0.2500"),
])
def test_pwm_arguments(tmp_path, port, code, err):
    b = board(tmp_path, port)
    try:
        assert err in repl(b, "from machine import ADC, PWM, Pin; " + code)
    finally:
        b.quit()


def test_python_api_set_adc_and_pwm():
    from vboard import Board as ApiBoard, BoardRefused
    with ApiBoard("esp32", timeout=10) as b:
        assert b.set_adc(36, 550) == 550.0
        b.exec("from machine import ADC, PWM, Pin")
        assert b.eval("ADC(Pin(36)).read()") == 2048
        b.exec("p = PWM(Pin(13), freq=50, duty_u16=4915)")       # a servo's 1.5 ms
        assert b.pwm() == {"GPIO13": {"freq": 50, "duty_u16": 4915}}
        assert b.pwm(13)["active"] is True
        with pytest.raises(BoardRefused):
            b.set_adc(5, 100)                                    # GPIO5 has no ADC
        assert b.eval("1 + 1") == 2


def test_rp2_outputs_of_one_slice_share_their_frequency(tmp_path):
    b = board(tmp_path, "rp2")
    try:
        repl(b, "from machine import PWM, Pin; a = PWM(Pin(0), freq=1000, duty_u16=1000); "
                "c = PWM(Pin(1), duty_u16=2000); d = PWM(Pin(2), freq=50)")
        assert repl(b, "c.freq()") == "1000\r\n"            # GP0 and GP1 are slice 0's A and B
        repl(b, "c.freq(2000)")
        assert repl(b, "a.freq(), d.freq()") == "(2000, 50)\r\n"
        pwm = b.ctl("pwm")["pwm"]
        assert [pwm[k]["freq"] for k in sorted(pwm)] == [2000, 2000, 50]
        assert sorted(v["duty_u16"] for v in pwm.values()) == [1000, 2000, 32768]
    finally:
        b.quit()


def test_scenario_set_adc_step(tmp_path):
    from test_scenarios import step_lines, vtest, write
    f = write(tmp_path, "adc.yaml", "name: battery\nsteps:\n  - wait-serial: \">>> \"\n"
              "  - set-adc: {pin: \"34\", mv: 825}\n"
              "  - exec: \"from machine import ADC, Pin; print(ADC(Pin(34)).read())\"\n"
              "    expect-output: \"3071\"\n"
              "  - set-adc: {pin: \"5\", mv: 1}\n")
    r = vtest(tmp_path, f)
    lines = step_lines(r)
    assert r.rc == 1, r
    assert lines[1].split()[0] == "ok" and "set-adc 34=825mV" in lines[1], r
    assert lines[2].split()[0] == "ok", r
    assert "not an ADC input" in r.text, r


def test_vboard_ctl_adc_and_pwm_from_the_command_line(esp32):
    from conftest import VBOARD, run
    r = run([VBOARD, "ctl", esp32.control, "adc", "34", "1650.5"])
    assert r.rc == 0 and json.loads(r.out)["mv"] == 1650.5, r
    assert repl(esp32, "from machine import ADC, Pin; ADC(Pin(34), atten=ADC.ATTN_11DB).read_uv()") == "1650000\r\n"
    r = run([VBOARD, "ctl", esp32.control, "adc", "34", "9999"])
    assert r.rc == 1 and "millivolts from 0 to 5000" in r.errtext, r
    repl(esp32, "from machine import PWM; p = PWM(Pin(15), freq=440)")
    r = run([VBOARD, "ctl", esp32.control, "pwm"])
    assert r.rc == 0 and json.loads(r.out)["pwm"] == {"GPIO15": {"freq": 440, "duty_u16": 32768}}, r
