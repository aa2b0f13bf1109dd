/* Scenario files (src/scenario): a full file of every step kind read back
 * member by member; durations in each unit; and every refusal with its
 * exact "file:line: sentence" — missing units, unknown steps and keys,
 * wrong types, out-of-range bytes, undeclared parts, empty steps,
 * duplicate keys, YAML syntax errors, aliases, deep nesting, a second
 * document, non-UTF-8 bytes and a file over the size limit. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "scenario/scenario.h"

static int parse(const char *text, vb_scenario *s, char *err)
{
    return vb_scenario_parse("t.yaml", text, strlen(text), s, err, VB_SCENARIO_ERR_LEN);
}

/* Parse must fail with exactly `want`. */
static void refuse_at(const char *text, size_t len, const char *want, int line)
{
    vb_scenario s;
    char err[VB_SCENARIO_ERR_LEN] = "";
    int before = check_failures;
    CHECK_EQ(vb_scenario_parse("t.yaml", text, len, &s, err, sizeof err), -1);
    CHECK_STR(err, want);
    CHECK(s.mem == NULL && s.steps == NULL);
    if (check_failures != before) fprintf(stderr, "  input at line %d\n", line);
}
#define REFUSE(text, want) refuse_at(text, strlen(text), want, __LINE__)

static const char full[] =
    "name: 'Every step'\n"                                   /* 1 */
    "version: 1\n"
    "author: Ada\n"
    "timeout: 30s\n"
    "parts:\n"                                               /* 5 */
    "  btn1: {pin: P12, active: high}\n"
    "  led1:\n"
    "    pin: '2'\n"
    "steps:\n"
    "  - delay: 500ms\n"                                     /* 10 */
    "  - wait-serial: \"Ready\\r\\n\"\n"
    "  - write-serial: [3, 0x41, 255]\n"
    "  - write-serial: \"import os\\r\"\n"
    "  - name: press\n"
    "    set-control:\n"                                     /* 15 */
    "      part-id: btn1\n"
    "      control: pressed\n"
    "      value: 1\n"
    "  - set-control: {part-id: btn1, control: pressed, value: 0}\n"
    "  - expect-pin: {part-id: led1, pin: A, value: 1}\n"   /* 20 */
    "  - expect-pin: {pin: P9, value: float}\n"
    "  - set-pin: {pin: P10, value: low}\n"
    "  - reset: power-cycle\n"
    "  - power: off\n"
    "  - expect-reset-cause: WDT_RESET\n"                    /* 25 */
    "  - expect-led: '#FF8000'\n"
    "  - exec: |\n"
    "      print(1 + 1)\n"
    "    expect-output: \"2\"\n"
    "  - expect-file: {path: /main.py, contains: loop}\n"    /* 30 */
    "  - expect-file:\n"
    "      path: boot.py\n"
    "      sha256: E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\n";

static void test_every_step_kind(void)
{
    vb_scenario s;
    char err[VB_SCENARIO_ERR_LEN] = "";
    CHECK_EQ(parse(full, &s, err), 0);
    CHECK_STR(err, "");
    if (!s.steps) return;
    CHECK_STR(s.name, "Every step");
    CHECK_STR(s.author, "Ada");
    CHECK(s.timeout_ns == 30000000000ull);
    CHECK_EQ(s.n_parts, 2);
    CHECK_STR(s.parts[0].id, "btn1");
    CHECK_STR(s.parts[0].pin, "P12");
    CHECK(s.parts[0].button && s.parts[0].active == VB_LEVEL_HIGH);
    CHECK(!s.parts[1].button);
    CHECK_STR(s.parts[1].pin, "2");
    CHECK_EQ(s.n_steps, 16);
    const vb_step *st = s.steps;
    CHECK(st[0].kind == VB_STEP_DELAY && st[0].ns == 500000000ull && st[0].line == 10);
    CHECK(st[1].kind == VB_STEP_WAIT_SERIAL && st[1].len == 7);
    CHECK_STR(st[1].text, "Ready\r\n");
    CHECK(st[2].kind == VB_STEP_WRITE_SERIAL && st[2].len == 3);
    CHECK_MEM(st[2].text, "\x03" "A\xff", 3);
    CHECK_STR(st[3].text, "import os\r");
    CHECK(st[4].kind == VB_STEP_SET_CONTROL && st[4].line == 15);
    CHECK_STR(st[4].name, "press");
    CHECK_STR(st[4].pin, "P12");
    CHECK(st[4].level == VB_LEVEL_HIGH && st[4].part == 0);
    CHECK(st[5].level == VB_LEVEL_FLOAT);
    CHECK(st[6].kind == VB_STEP_EXPECT_PIN && st[6].part == 1 && st[6].level == VB_LEVEL_HIGH);
    CHECK_STR(st[6].pin, "2");
    CHECK(st[7].part == -1 && st[7].level == VB_LEVEL_FLOAT);
    CHECK_STR(st[7].pin, "P9");
    CHECK(st[8].kind == VB_STEP_SET_PIN && st[8].level == VB_LEVEL_LOW);
    CHECK(st[9].kind == VB_STEP_RESET && st[9].reset == VB_RESET_POWER_CYCLE);
    CHECK(st[10].kind == VB_STEP_POWER && !st[10].power_on);
    CHECK_STR(st[11].text, "WDT_RESET");
    CHECK_STR(st[12].text, "#ff8000");
    CHECK(st[13].kind == VB_STEP_EXEC && st[13].line == 27);
    CHECK_STR(st[13].text, "print(1 + 1)\n");
    CHECK_STR(st[13].expect, "2");
    CHECK(st[14].kind == VB_STEP_EXPECT_FILE && !st[14].has_sha256);
    CHECK_STR(st[14].text, "/main.py");
    CHECK_STR(st[14].expect, "loop");
    CHECK(st[15].has_sha256 && st[15].sha256[0] == 0xe3 && st[15].sha256[31] == 0x55 && !st[15].expect);
    CHECK_STR(st[15].text, "boot.py");
    vb_scenario_free(&s);
    CHECK(s.mem == NULL);
}

static void test_defaults_and_wokwi_file(void)
{
    vb_scenario s;
    char err[VB_SCENARIO_ERR_LEN] = "";
    /* Wokwi's own example, with the part declared */
    static const char wokwi[] =
        "version: 1\nparts:\n  btn1: {pin: '4', active: low}\nsteps:\n"
        "  - set-control:\n      part-id: btn1\n      control: pressed\n      value: 1\n"
        "  - delay: 500ms\n  - wait-serial: 'Button 1 pressed'\n";
    CHECK_EQ(vb_scenario_parse("dir/button.yml", wokwi, strlen(wokwi), &s, err, sizeof err), 0);
    CHECK_STR(err, "");
    CHECK_STR(s.name, "button");
    CHECK(s.author == NULL);
    CHECK(s.timeout_ns == VB_SCENARIO_DEFAULT_TIMEOUT_NS);
    CHECK_EQ(s.n_steps, 3);
    CHECK(s.steps[0].level == VB_LEVEL_LOW);
    vb_scenario_free(&s);
}

static void test_wait_pin_timeouts_and_screenshots(void)
{
    vb_scenario s;
    char err[VB_SCENARIO_ERR_LEN] = "";
    static const char text[] =
        "parts:\n  led1: {pin: '2'}\n"
        "steps:\n"
        "  - wait-pin: {part-id: led1, value: 1}\n"                     /* 4 */
        "  - wait-pin: {pin: '5', value: float, timeout: 250ms}\n"
        "  - name: slow LED\n    wait-pin: {pin: '2', value: low}\n    timeout: 2s\n"
        "  - wait-serial: Ready\n    timeout: 1.5s\n"
        "  - exec: print(1)\n    timeout: 3s\n    expect-output: '1'\n"
        "  - expect-file: {path: a, contains: b}\n    timeout: 1ms\n"
        "  - wait-serial: '>>> '\n"
        "  - take-screenshot: {part-id: oled1, save-to: out/a.png, compare-with: ref.png, display: '0x3c'}\n"
        "  - take-screenshot: {compare-with: ref.png}\n";
    CHECK_EQ(parse(text, &s, err), 0);
    CHECK_STR(err, "");
    if (!s.steps) return;
    CHECK_EQ(s.n_steps, 9);
    const vb_step *st = s.steps;
    CHECK(st[7].kind == VB_STEP_TAKE_SCREENSHOT && st[7].pin == NULL);
    CHECK_STR(st[7].text, "out/a.png");
    CHECK_STR(st[7].expect, "ref.png");
    CHECK_STR(st[7].display, "0x3c");
    CHECK(st[8].text == NULL && st[8].display == NULL);
    CHECK_STR(st[8].expect, "ref.png");
    CHECK(st[0].kind == VB_STEP_WAIT_PIN && st[0].part == 0 && st[0].level == VB_LEVEL_HIGH && st[0].timeout_ns == 0);
    CHECK_STR(st[0].pin, "2");
    CHECK(st[1].kind == VB_STEP_WAIT_PIN && st[1].part == -1 && st[1].level == VB_LEVEL_FLOAT);
    CHECK(st[1].timeout_ns == 250000000ull);
    CHECK_STR(st[2].name, "slow LED");
    CHECK(st[2].level == VB_LEVEL_LOW && st[2].timeout_ns == 2000000000ull && st[2].line == 7);
    CHECK(st[3].kind == VB_STEP_WAIT_SERIAL && st[3].timeout_ns == 1500000000ull);
    CHECK(st[4].kind == VB_STEP_EXEC && st[4].timeout_ns == 3000000000ull);
    CHECK_STR(st[4].expect, "1");
    CHECK(st[5].kind == VB_STEP_EXPECT_FILE && st[5].timeout_ns == 1000000ull);
    CHECK(st[6].timeout_ns == 0);
    vb_scenario_free(&s);
}

static void duration(const char *s, uint64_t want, int line)
{
    uint64_t ns = 1;
    char err[160] = "";
    int before = check_failures;
    CHECK_EQ(vb_scenario_duration(s, strlen(s), &ns, err, sizeof err), 0);
    CHECK(ns == want);
    if (check_failures != before) fprintf(stderr, "  '%s' at line %d: %llu (%s)\n", s, line, (unsigned long long)ns, err);
}

static void no_duration(const char *s, const char *want, int line)
{
    uint64_t ns;
    char err[160] = "";
    int before = check_failures;
    CHECK_EQ(vb_scenario_duration(s, strlen(s), &ns, err, sizeof err), -1);
    CHECK_STR(err, want);
    if (check_failures != before) fprintf(stderr, "  '%s' at line %d\n", s, line);
}

static void test_durations(void)
{
    duration("0ms", 0, __LINE__);
    duration("7ns", 7, __LINE__);
    duration("20us", 20000, __LINE__);
    duration("500ms", 500000000ull, __LINE__);
    duration("2s", 2000000000ull, __LINE__);
    duration("1.5s", 1500000000ull, __LINE__);
    duration("0.25ms", 250000, __LINE__);
    duration("1.5ns", 1, __LINE__);
    duration("3 s", 3000000000ull, __LINE__);
    duration("18446744073s", 18446744073000000000ull, __LINE__);
    no_duration("500", "needs a unit (ns, us, ms or s): e.g. 500ms, not a bare number", __LINE__);
    no_duration("5m", "has an unknown unit 'm' (ns, us, ms or s)", __LINE__);
    no_duration("ms", "is not a duration: write a number and a unit, e.g. 500ms or 2s", __LINE__);
    no_duration("-1s", "is not a duration: write a number and a unit, e.g. 500ms or 2s", __LINE__);
    no_duration("18446744074s", "is too long a duration", __LINE__);
    no_duration("99999999999999999999999ns", "is too long a duration", __LINE__);
}

static void test_refusals(void)
{
    REFUSE("steps:\n  - delay: 500\n",
           "t.yaml:2: 'delay' '500' needs a unit (ns, us, ms or s): e.g. 500ms, not a bare number");
    REFUSE("timeout: 30\nsteps:\n  - delay: 1s\n",
           "t.yaml:1: 'timeout' '30' needs a unit (ns, us, ms or s): e.g. 30ms, not a bare number");
    REFUSE("timeout: 0s\nsteps:\n  - delay: 1s\n", "t.yaml:1: 'timeout' must be at least 1ms");
    REFUSE("steps:\n  - delay: 1s\n  - touch: {x: 1, y: 2}\n",
           "t.yaml:3: unknown step 'touch' (steps: delay, wait-serial, write-serial, set-control, "
           "expect-pin, wait-pin, set-pin, reset, power, expect-reset-cause, expect-led, exec, expect-file, wifi, set-adc, "
           "expect-neopixel, take-screenshot)");
    REFUSE("steps:\n  - take-screenshot: x.png\n",
           "t.yaml:2: 'take-screenshot' must be a mapping (keys: part-id, display, save-to, compare-with), not a single value");
    REFUSE("steps:\n  - take-screenshot: {part-id: oled1}\n",
           "t.yaml:2: 'take-screenshot' needs 'save-to' (a PNG to write), 'compare-with' (a PNG to match), or both");
    REFUSE("steps:\n  - take-screenshot: {save-to: ''}\n", "t.yaml:2: 'save-to' needs a file name");
    REFUSE("steps:\n  - take-screenshot: {compare-with: a.png, display: ''}\n",
           "t.yaml:2: 'display' needs an I2C address or spi:BUS:CS");
    REFUSE("steps:\n  - take-screenshot: {save-to: a.png, scale: 2}\n",
           "t.yaml:2: unknown key 'scale' in 'take-screenshot' (known: part-id, display, save-to, compare-with)");
    REFUSE("steps:\n  - set-adc: {pin: \"34\", mv: 6000}\n",
           "t.yaml:2: 'mv' of 'set-adc' 6000 is out of range (0 to 5000)");
    REFUSE("steps:\n  - set-adc: {pin: \"34\"}\n", "t.yaml:2: 'set-adc' needs 'pin' and 'mv' (millivolts, 0-5000)");
    REFUSE("steps:\n  - expect-neopixel: {pin: \"5\"}\n",
           "t.yaml:2: 'expect-neopixel' needs 'pin' and 'color' (\"#rrggbb\"; 'pixel' 0 by default)");
    REFUSE("steps:\n  - expect-neopixel: {pin: \"5\", color: red}\n",
           "t.yaml:2: 'color' of 'expect-neopixel' must be a colour \"#rrggbb\" (quoted: # starts a YAML comment), not 'red'");
    REFUSE("steps:\n  - expect-neopixel: {pin: \"5\", pixel: 2000, color: \"#000000\"}\n",
           "t.yaml:2: 'pixel' of 'expect-neopixel' 2000 is out of range (0 to 1023)");
    REFUSE("name: x\nstepz: []\n",
           "t.yaml:2: unknown key 'stepz' in the scenario (known: name, version, author, timeout, parts, steps)");
    REFUSE("steps:\n  - delay: 1s\n    timeout: 2s\n",
           "t.yaml:3: unknown key 'timeout' in a 'delay' step (it takes name)");
    REFUSE("steps:\n  - wait-serial: x\n    expect-output: y\n",
           "t.yaml:3: unknown key 'expect-output' in a 'wait-serial' step (it takes name, timeout)");
    REFUSE("steps:\n  - exec: x\n    timeot: 1s\n",
           "t.yaml:3: unknown key 'timeot' in an 'exec' step (it takes name, expect-output, timeout)");
    REFUSE("steps:\n  - expect-pin: {pin: P9, value: 1}\n    timeout: 1s\n",
           "t.yaml:3: unknown key 'timeout' in an 'expect-pin' step (it takes name)");
    REFUSE("steps:\n  - expect-pin: {pin: P9, value: 1, timeout: 1s}\n",
           "t.yaml:2: unknown key 'timeout' in 'expect-pin' (known: part-id, pin, value)");
    REFUSE("steps:\n  - wait-serial: x\n    timeout: 5\n",
           "t.yaml:3: 'timeout' '5' needs a unit (ns, us, ms or s): e.g. 5ms, not a bare number");
    REFUSE("steps:\n  - wait-serial: x\n    timeout: 10us\n", "t.yaml:3: 'timeout' must be at least 1ms");
    REFUSE("steps:\n  - wait-pin: {pin: P9, value: 1, timeout: 1s}\n    timeout: 2s\n",
           "t.yaml:2: 'timeout' is given twice: keep the step's or the mapping's");
    REFUSE("steps:\n  - wait-pin: {pin: P9}\n", "t.yaml:2: 'wait-pin' needs 'value' (0, 1, low, high or float)");
    REFUSE("steps:\n  - wait-pin: {value: 1}\n",
           "t.yaml:2: 'wait-pin' needs 'part-id' (a declared part) or 'pin' (a board pin)");
    REFUSE("steps:\n  - wait-pin: {pin: P9, value: on}\n",
           "t.yaml:2: 'value' of 'wait-pin' must be 0, 1, low, high or float, not 'on'");
    REFUSE("steps:\n  - delay: 1s\n    wait-serial: x\n",
           "t.yaml:3: one command per step: 'wait-serial' and 'delay' (line 2) are two; make them two steps");
    REFUSE("steps:\n  - name: only\n", "t.yaml:2: a step needs a command (e.g. '- delay: 500ms'), not only a name");
    REFUSE("steps:\n  - delay\n", "t.yaml:2: a step must be a mapping such as '- delay: 500ms', not a single value");
    REFUSE("steps:\n  - wait-serial: [a, b]\n", "t.yaml:2: 'wait-serial' must be a single value, not a list");
    REFUSE("steps:\n  - wait-serial: ''\n", "t.yaml:2: 'wait-serial' needs the text to wait for");
    REFUSE("steps:\n  - write-serial: [1, 256]\n",
           "t.yaml:2: a 'write-serial' byte 256 is out of range (0 to 255)");
    REFUSE("steps:\n  - write-serial: [1, -1]\n",
           "t.yaml:2: a 'write-serial' byte -1 is out of range (0 to 255)");
    REFUSE("steps:\n  - write-serial: [1, '2']\n",
           "t.yaml:2: a 'write-serial' byte must be a whole number from 0 to 255, not '2' (a quoted value is text)");
    REFUSE("steps:\n  - write-serial: []\n", "t.yaml:2: 'write-serial' needs at least one byte value");
    REFUSE("steps:\n  - write-serial: {a: 1}\n",
           "t.yaml:2: 'write-serial' must be text or a list of byte values (0-255), not a mapping");
    REFUSE("steps:\n  - set-pin: {pin: P9, value: up}\n",
           "t.yaml:2: 'value' of 'set-pin' must be low, high or float, not 'up'");
    REFUSE("steps:\n  - set-pin: {pin: P9}\n", "t.yaml:2: 'set-pin' needs 'pin' and 'value' (high, low or float)");
    REFUSE("steps:\n  - set-pin: P9\n",
           "t.yaml:2: 'set-pin' must be a mapping (keys: pin, value), not a single value");
    REFUSE("steps:\n  - set-pin: {pin: P9, value: low, drive: x}\n",
           "t.yaml:2: unknown key 'drive' in 'set-pin' (known: pin, value)");
    REFUSE("steps:\n  - expect-pin: {pin: P9, value: 2}\n",
           "t.yaml:2: 'value' of 'expect-pin' must be 0, 1, low, high or float, not '2'");
    REFUSE("steps:\n  - expect-pin: {part-id: led9, value: 1}\n",
           "t.yaml:2: no part 'led9': declare it under 'parts:' at the top (e.g. led9: {pin: P12})");
    REFUSE("parts:\n  led1: {pin: 2}\nsteps:\n  - expect-pin: {part-id: led9, value: 1}\n",
           "t.yaml:4: no part 'led9' (declared under 'parts:': led1)");
    REFUSE("parts:\n  led1: {pin: 2}\nsteps:\n  - set-control: {part-id: led1, control: pressed, value: 1}\n",
           "t.yaml:4: part 'led1' is not a button: give it 'active: low' or 'active: high' under 'parts:' (line 2)");
    REFUSE("parts:\n  b: {pin: 2, active: low}\nsteps:\n  - set-control: {part-id: b, control: position, value: 1}\n",
           "t.yaml:4: 'control' must be pressed, not 'position'");
    REFUSE("parts:\n  b: {pin: 2, active: low}\nsteps:\n  - set-control: {part-id: b, control: pressed, value: 2}\n",
           "t.yaml:4: 'value' of control 'pressed' 2 is out of range (0 to 1)");
    REFUSE("parts:\n  b: {pin: 2, active: sideways}\nsteps:\n  - delay: 1s\n",
           "t.yaml:2: 'active' must be low or high, not 'sideways'");
    REFUSE("parts:\n  b: {active: low}\nsteps:\n  - delay: 1s\n",
           "t.yaml:2: part 'b' needs 'pin' (a pin of the board, e.g. P12 or 2)");
    REFUSE("parts: [a]\nsteps:\n  - delay: 1s\n",
           "t.yaml:1: 'parts' must be a mapping of part ids, e.g. btn1: {pin: P12, active: low}");
    REFUSE("steps:\n  - reset: hard\n", "t.yaml:2: 'reset' must be button, power-cycle or brownout, not 'hard'");
    REFUSE("steps:\n  - power: cycle\n", "t.yaml:2: 'power' must be off or on, not 'cycle'");
    REFUSE("steps:\n  - expect-reset-cause: WDT\n",
           "t.yaml:2: 'expect-reset-cause' must be PWRON_RESET, HARD_RESET, WDT_RESET, DEEPSLEEP_RESET, "
           "SOFT_RESET or BROWN_OUT_RESET, not 'WDT'");
    REFUSE("steps:\n  - expect-led: ff8000\n",
           "t.yaml:2: 'expect-led' must be a colour \"#rrggbb\" (quoted: # starts a YAML comment), not 'ff8000'");
    REFUSE("steps:\n  - exec: \"print(1)\\x04\"\n",
           "t.yaml:2: 'exec' code must not hold the control byte 0x04 (the raw REPL's Ctrl-D)");
    REFUSE("steps:\n  - exec: [print(1)]\n", "t.yaml:2: 'exec' must be a single value, not a list");
    REFUSE("steps:\n  - exec: \"a\\0b\"\n", "t.yaml:2: 'exec' must not hold a NUL character");
    REFUSE("steps:\n  - expect-file: {path: a, contains: x, sha256: y}\n",
           "t.yaml:2: 'expect-file' needs one of 'contains' (text) or 'sha256' (hex)");
    REFUSE("steps:\n  - expect-file: {path: a, sha256: abc}\n", "t.yaml:2: 'sha256' must be 64 hex digits");
    REFUSE("steps:\n  - expect-file: {contains: x}\n", "t.yaml:2: 'expect-file' needs 'path' (a file on the board)");
    REFUSE("steps:\n  - delay: 1s\n  - wifi: up\n", "t.yaml:3: 'wifi' must be drop, not 'up'");
    REFUSE("version: 2\nsteps:\n  - delay: 1s\n", "t.yaml:1: 'version' 2 is out of range (1 to 1)");
    REFUSE("name: [a]\nsteps:\n  - delay: 1s\n", "t.yaml:1: 'name' must be a single value, not a list");
}

static void test_structure_refusals(void)
{
    REFUSE("", "t.yaml:1: the file is empty: a scenario needs 'steps:'");
    REFUSE("# only a comment\n", "t.yaml:1: the file is empty: a scenario needs 'steps:'");
    REFUSE("- delay: 1s\n", "t.yaml:1: a scenario is a mapping with 'steps:' (and name, version, ...), not a list");
    REFUSE("name: x\n", "t.yaml:1: the scenario has no 'steps:'");
    REFUSE("name: x\nsteps: []\n", "t.yaml:2: 'steps' is empty: a scenario needs at least one step");
    REFUSE("name: x\nsteps:\n", "t.yaml:2: 'steps' must be a list ('- delay: 500ms' lines), not a single value");
    REFUSE("name: a\nsteps:\n  - delay: 1s\nname: b\n", "t.yaml:4: duplicate key 'name' (first at line 1)");
    REFUSE("steps:\n  - delay: 1s\n    delay: 2s\n", "t.yaml:3: duplicate key 'delay' (first at line 2)");
    REFUSE("steps:\n  - delay: 1s\n   - delay: 2s\n",
           "t.yaml:3: YAML syntax error: did not find expected '-' indicator (while parsing a block collection "
           "at line 2)");
    REFUSE("steps: [delay: 1s\n",
           "t.yaml:2: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 1)");
    REFUSE("steps:\n  - wait-serial: &a x\n  - wait-serial: *a\n",
           "t.yaml:3: YAML aliases (*a) are not supported in a scenario");
    REFUSE("steps:\n  - delay: 1s\n---\nsteps:\n  - delay: 1s\n",
           "t.yaml:3: a second YAML document ('---'): a file holds one scenario");
    REFUSE("? [a]\n: 1\nsteps:\n  - delay: 1s\n", "t.yaml:1: a mapping key must be a single value, not a list");
    /* bytes that are not UTF-8, on line 2 */
    refuse_at("name: x\nsteps: \xff\xfe\n", 17,
              "t.yaml:2: not UTF-8 text: invalid leading UTF-8 octet (byte 0xff at offset 15)", __LINE__);
    /* nesting beyond the bound is refused, not recursed into */
    char deep[200] = "steps: ";
    for (int i = 0; i < 40; i++) strcat(deep, "[");
    REFUSE(deep, "t.yaml:1: lists and mappings nested more than 32 deep");
}

static void test_file_limits(void)
{
    char dir[] = "/tmp/vbscenXXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    char path[64], err[VB_SCENARIO_ERR_LEN];
    vb_scenario s;
    snprintf(path, sizeof path, "%s/missing.yaml", dir);
    CHECK_EQ(vb_scenario_load(path, &s, err, sizeof err), -1);
    char want[200];
    snprintf(want, sizeof want, "%s: cannot open the scenario: No such file or directory", path);
    CHECK_STR(err, want);
    CHECK_EQ(vb_scenario_load(dir, &s, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: not a regular file", dir);
    CHECK_STR(err, want);
    /* one byte over the limit: refused unread */
    snprintf(path, sizeof path, "%s/huge.yaml", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        for (unsigned i = 0; i < VB_SCENARIO_MAX_FILE + 1; i++) fputc(i % 64 == 63 ? '\n' : '#', f);
        fclose(f);
    }
    CHECK_EQ(vb_scenario_load(path, &s, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: the file is 1048577 bytes; a scenario may have at most 1048576", path);
    CHECK_STR(err, want);
    unlink(path);
    /* a good file on disk */
    snprintf(path, sizeof path, "%s/ok.yaml", dir);
    f = fopen(path, "w");
    if (f) {
        fputs(full, f);
        fclose(f);
    }
    CHECK_EQ(vb_scenario_load(path, &s, err, sizeof err), 0);
    CHECK_EQ(s.n_steps, 16);
    CHECK_STR(s.path, path);
    vb_scenario_free(&s);
    unlink(path);
    rmdir(dir);
}

/* Every prefix of a good file either parses or is refused with a
 * sentence that starts with the file name: never a crash (the sanitizer
 * build runs this too). */
static void test_every_prefix(void)
{
    size_t n = strlen(full);
    for (size_t i = 0; i <= n; i++) {
        vb_scenario s;
        char err[VB_SCENARIO_ERR_LEN] = "";
        if (vb_scenario_parse("t.yaml", full, i, &s, err, sizeof err) == 0)
            vb_scenario_free(&s);
        else
            CHECK(strncmp(err, "t.yaml:", 7) == 0);
    }
}

int main(void)
{
    RUN(test_every_step_kind);
    RUN(test_defaults_and_wokwi_file);
    RUN(test_wait_pin_timeouts_and_screenshots);
    RUN(test_durations);
    RUN(test_refusals);
    RUN(test_structure_refusals);
    RUN(test_file_limits);
    RUN(test_every_prefix);
    return CHECK_DONE();
}
