/* Scenario files for `vboard test` (issue 14 §2): a YAML file → one
 * validated vb_scenario, a list of steps a runner performs in order.
 *
 * The format is a superset of Wokwi CI's automation scenarios, so their
 * files run unchanged where their parts are declared:
 *
 *   name: Button lights the LED         # optional; default: the file name
 *   version: 1                          # optional; 1 if given
 *   author: Ada                         # optional
 *   timeout: 30s                        # optional, board time for the whole scenario (60s)
 *   parts:                              # optional: named pins (Wokwi's part-id)
 *     btn1: {pin: P12, active: low}     #   'active' makes it a button (control 'pressed')
 *     led1: {pin: 2}
 *   steps:                              # required, at least one
 *     - wait-serial: "Ready"
 *     - set-control: {part-id: btn1, control: pressed, value: 1}
 *     - delay: 500ms
 *     - expect-pin: {part-id: led1, value: 1}
 *
 * Every step is a mapping with exactly one command key (VB_SCENARIO_STEPS),
 * an optional 'name', for exec only 'expect-output' and, for the steps
 * that wait (wait-serial, wait-pin, exec, expect-file), 'timeout': the
 * step's own bound of board time within the scenario's. Durations need a
 * unit (ns, us, ms, s; "1.5s" too). Everything else — an unknown key, a
 * value of the wrong type, a part that is not declared — is refused with
 * "FILE:LINE: sentence", so a scenario never half-runs.
 *
 * Pin names are the board's (as the control socket knows them); the
 * library does not know boards, the runner checks the names.
 *
 * Pure: no I/O but reading the one file, no global state. */
#ifndef VB_SCENARIO_SCENARIO_H
#define VB_SCENARIO_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VB_SCENARIO_MAX_FILE (1u << 20)          /* a bigger file is refused, unread */
#define VB_SCENARIO_DEFAULT_TIMEOUT_NS (60ull * 1000000000ull)
#define VB_SCENARIO_ERR_LEN 512

/* X(id, key, help): every step command, once. */
#define VB_SCENARIO_STEPS(X)                                                                      \
    X(DELAY, "delay", "let board time pass: 500ms")                                               \
    X(WAIT_SERIAL, "wait-serial", "wait until the board prints this text")                        \
    X(WRITE_SERIAL, "write-serial", "type text, or a list of byte values (0-255)")               \
    X(SET_CONTROL, "set-control", "{part-id, control: pressed, value: 0|1} on a button part")     \
    X(EXPECT_PIN, "expect-pin", "{part-id | pin, value: 0|1|high|low|float}")                     \
    X(WAIT_PIN, "wait-pin", "{part-id | pin, value: 0|1|high|low|float}: wait until the pin is so")  \
    X(SET_PIN, "set-pin", "{pin, value: high|low|float}: drive an input")                         \
    X(RESET, "reset", "button | power-cycle | brownout")                                          \
    X(POWER, "power", "off | on")                                                                 \
    X(EXPECT_RESET_CAUSE, "expect-reset-cause", "a machine constant: WDT_RESET, ...")             \
    X(EXPECT_LED, "expect-led", "\"#rrggbb\"")                                                    \
    X(EXEC, "exec", "Python code through the raw REPL [expect-output: text]")                     \
    X(EXPECT_FILE, "expect-file", "{path, contains: text | sha256: hex}")                         \
    X(WIFI, "wifi", "drop: the radio drops the station's link")                                             \
    X(SET_ADC, "set-adc", "{pin, mv: 0-5000}: the voltage on an ADC input")                     \
    X(EXPECT_NEOPIXEL, "expect-neopixel", "{pin, pixel: N, color: \"#rrggbb\"}: what a strip shows")  \
    X(TAKE_SCREENSHOT, "take-screenshot", "{save-to: F.png, compare-with: REF.png, display}: the OLED's picture")

typedef enum vb_step_kind {
#define VB_STEP_ENUM(id, key, help) VB_STEP_##id,
    VB_SCENARIO_STEPS(VB_STEP_ENUM)
#undef VB_STEP_ENUM
    VB_STEP_COUNT
} vb_step_kind;

typedef enum vb_level { VB_LEVEL_LOW, VB_LEVEL_HIGH, VB_LEVEL_FLOAT } vb_level;
typedef enum vb_reset_kind { VB_RESET_BUTTON, VB_RESET_POWER_CYCLE, VB_RESET_BROWNOUT } vb_reset_kind;

/* A declared part: a name for one board pin. */
typedef struct vb_part {
    const char *id;
    const char *pin;        /* the board's pin name */
    bool button;            /* 'active' was given: control 'pressed' drives the pin */
    vb_level active;        /* BUTTON: the level a press drives (LOW or HIGH) */
    unsigned line;
} vb_part;

/* One step. Which members mean something depends on kind (see each). */
typedef struct vb_step {
    vb_step_kind kind;
    unsigned line;          /* the line of the command key */
    const char *name;       /* 'name', or NULL */
    uint64_t ns;            /* DELAY */
    uint64_t timeout_ns;    /* a waiting step's own bound of board time; 0: the scenario's only */
    /* WAIT_SERIAL, WRITE_SERIAL: the bytes; EXEC: the code; EXPECT_FILE:
     * the path; EXPECT_LED, EXPECT_NEOPIXEL: "#rrggbb" (lower case); EXPECT_RESET_CAUSE:
     * the constant's name. NUL-terminated; len excludes the NUL. */
    const char *text;
    size_t len;
    /* EXEC: 'expect-output'; EXPECT_FILE: 'contains'; TAKE_SCREENSHOT:
     * 'compare-with' (a PNG; text is 'save-to'). NULL when absent. */
    const char *expect;
    size_t expect_len;
    bool has_sha256;        /* EXPECT_FILE: 'sha256' given */
    uint8_t sha256[32];
    /* SET_PIN, EXPECT_PIN, WAIT_PIN, SET_CONTROL: the board pin (a part's own pin
     * when part >= 0) and the level to drive or expect. */
    const char *pin;
    int part;               /* index into parts, or -1 */
    vb_level level;
    vb_reset_kind reset;    /* RESET */
    bool power_on;          /* POWER */
    uint32_t mv;            /* SET_ADC: millivolts on `pin` */
    unsigned pixel;         /* EXPECT_NEOPIXEL: the pixel on `pin`'s strip; text is its "#rrggbb" */
    const char *display;    /* TAKE_SCREENSHOT: 'display' (an I2C address or spi:BUS:CS), or NULL */
} vb_step;

typedef struct vb_scenario {
    const char *path;       /* as given to vb_scenario_load */
    const char *name;       /* 'name', else the file's base name */
    const char *author;     /* or NULL */
    uint64_t timeout_ns;    /* board time for the whole scenario */
    vb_part *parts;
    size_t n_parts;
    vb_step *steps;
    size_t n_steps;
    void *mem;              /* what the strings point into; private */
} vb_scenario;

/* Read and validate the scenario file at path. Returns 0, or -1 with
 * "PATH:LINE: sentence" (or "PATH: sentence" when no line applies) in err.
 * On -1 *s holds nothing to free. */
int vb_scenario_load(const char *path, vb_scenario *s, char *err, size_t errlen);

/* The same from memory; path names the text in messages. */
int vb_scenario_parse(const char *path, const char *text, size_t len, vb_scenario *s, char *err,
                      size_t errlen);

void vb_scenario_free(vb_scenario *s);

/* "wait-serial", ...: the step's command key. */
const char *vb_step_key(vb_step_kind k);

/* "high", "low", "float". */
const char *vb_level_name(vb_level l);

/* A duration with its unit ("500ms", "1.5s", "20 us") → ns. 0, or -1 with
 * a sentence in err. Exposed for the unit test. */
int vb_scenario_duration(const char *s, size_t len, uint64_t *ns, char *err, size_t errlen);

#endif
