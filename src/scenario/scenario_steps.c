/* One step mapping → vb_step: find its one command key, then the command's
 * own reader checks the value. The table below is the only place a step's
 * extra keys and reader are named (the keys themselves: VB_SCENARIO_STEPS). */
#include "scenario_int.h"

#include <stdio.h>
#include <string.h>

typedef int (*step_reader)(scen_ctx *c, const vb_ynode *v, vb_step *st);

static const char *const step_keys[VB_STEP_COUNT] = {
#define VB_STEP_KEY(id, key, help) key,
    VB_SCENARIO_STEPS(VB_STEP_KEY)
#undef VB_STEP_KEY
};

const char *vb_step_key(vb_step_kind k) { return k < VB_STEP_COUNT ? step_keys[k] : "?"; }

const char *vb_level_name(vb_level l)
{
    return l == VB_LEVEL_LOW ? "low" : l == VB_LEVEL_HIGH ? "high" : "float";
}

/* ---- the readers ---------------------------------------------------------- */

static int read_delay(scen_ctx *c, const vb_ynode *v, vb_step *st)
{
    return scen_duration(c, v, "'delay'", &st->ns);
}

static int read_wait_serial(scen_ctx *c, const vb_ynode *v, vb_step *st)
{
    if (scen_text(c, v, "'wait-serial'", &st->text, &st->len) < 0) return -1;
    if (st->len == 0) return scen_fail(c, v->line, "'wait-serial' needs the text to wait for");
    return 0;
}

static int read_write_serial(scen_ctx *c, const vb_ynode *v, vb_step *st)
{
    if (v->kind == VB_YNODE_SEQ) {
        if (v->n == 0) return scen_fail(c, v->line, "'write-serial' needs at least one byte value");
        char *bytes = scen_alloc(c, v->n + 1, v->line);
        if (!bytes) return -1;
        for (size_t i = 0; i < v->n; i++) {
            long long b;
            if (scen_int(c, v->item[i], "a 'write-serial' byte", 0, 255, &b) < 0) return -1;
            bytes[i] = (char)b;
        }
        st->text = bytes;
        st->len = v->n;
        return 0;
    }
    if (v->kind != VB_YNODE_SCALAR)
        return scen_fail(c, v->line, "'write-serial' must be text or a list of byte values (0-255), not %s",
                         vb_yaml_kind_name(v->kind));
    if (scen_text(c, v, "'write-serial'", &st->text, &st->len) < 0) return -1;
    if (st->len == 0) return scen_fail(c, v->line, "'write-serial' needs text or byte values to send");
    return 0;
}

static int find_part(scen_ctx *c, const vb_ynode *v, int *part)
{
    const char *id;
    if (scen_text(c, v, "'part-id'", &id, NULL) < 0) return -1;
    for (size_t i = 0; i < c->s->n_parts; i++)
        if (strcmp(c->s->parts[i].id, id) == 0) {
            *part = (int)i;
            return 0;
        }
    char q[64];
    scen_quote(v->str, v->len, q, sizeof q);
    if (c->s->n_parts == 0)
        return scen_fail(c, v->line, "no part '%s': declare it under 'parts:' at the top (e.g. %s: {pin: P12})", q, q);
    return scen_fail(c, v->line, "no part '%s' (declared under 'parts:': %s%s)", q, c->s->parts[0].id,
                     c->s->n_parts > 1 ? ", ..." : "");
}

static const char *const level_names[] = {"low", "high", "float"};

static int read_set_control(scen_ctx *c, const vb_ynode *v, vb_step *st)
{
    static const char *const keys[] = {"part-id", "control", "value", NULL};
    if (scen_mapping(c, v, "'set-control'", keys) < 0) return -1;
    const vb_ynode *id = vb_yaml_get(v, "part-id"), *ctl = vb_yaml_get(v, "control"), *val = vb_yaml_get(v, "value");
    if (!id || !ctl || !val) return scen_fail(c, v->line, "'set-control' needs part-id, control and value");
    if (find_part(c, id, &st->part) < 0) return -1;
    const vb_part *p = &c->s->parts[st->part];
    static const char *const controls[] = {"pressed"};
    int which;
    if (scen_choice(c, ctl, "'control'", controls, 1, &which) < 0) return -1;
    if (!p->button)
        return scen_fail(c, ctl->line, "part '%s' is not a button: give it 'active: low' or 'active: high' "
                         "under 'parts:' (line %u)", p->id, p->line);
    long long on;
    if (scen_int(c, val, "'value' of control 'pressed'", 0, 1, &on) < 0) return -1;
    st->pin = p->pin;
    st->level = on ? p->active : VB_LEVEL_FLOAT;
    return 0;
}

/* 0/1 (Wokwi) or high/low/float. */
static int read_expected_level(scen_ctx *c, const vb_ynode *v, const char *what, vb_level *level)
{
    if (v->kind == VB_YNODE_SCALAR && v->plain && v->len == 1 && (v->str[0] == '0' || v->str[0] == '1')) {
        *level = v->str[0] == '1' ? VB_LEVEL_HIGH : VB_LEVEL_LOW;
        return 0;
    }
    static const char *const names[] = {"0", "1", "low", "high", "float"};
    int i;
    char of[48];
    snprintf(of, sizeof of, "'value' of %s", what);
    if (scen_choice(c, v, of, names, 5, &i) < 0) return -1;
    *level = i == 0 || i == 2 ? VB_LEVEL_LOW : i == 1 || i == 3 ? VB_LEVEL_HIGH : VB_LEVEL_FLOAT;
    return 0;
}

/* expect-pin and wait-pin: a part or a board pin, and a level. wait-pin
 * also takes 'timeout' inside its mapping, as other runners' wait-pin
 * does (the same as the step's own 'timeout' key). */
static int read_pin_level(scen_ctx *c, const vb_ynode *v, vb_step *st)
{
    bool waits = st->kind == VB_STEP_WAIT_PIN;
    const char *what = waits ? "'wait-pin'" : "'expect-pin'";
    static const char *const expect_keys[] = {"part-id", "pin", "value", NULL};
    static const char *const wait_keys[] = {"part-id", "pin", "value", "timeout", NULL};
    if (scen_mapping(c, v, what, waits ? wait_keys : expect_keys) < 0) return -1;
    const vb_ynode *id = vb_yaml_get(v, "part-id"), *pin = vb_yaml_get(v, "pin"), *val = vb_yaml_get(v, "value");
    const vb_ynode *tmo = waits ? vb_yaml_get(v, "timeout") : NULL;
    if (!val) return scen_fail(c, v->line, "%s needs 'value' (0, 1, low, high or float)", what);
    if (id) {
        /* Wokwi's 'pin' then names the part's own pin ("A", "OUT"): the
         * part is one board pin here, so it is read and not used. */
        if (find_part(c, id, &st->part) < 0) return -1;
        if (pin && scen_text(c, pin, "'pin'", &st->pin, NULL) < 0) return -1;
        st->pin = c->s->parts[st->part].pin;
    } else {
        if (!pin) return scen_fail(c, v->line, "%s needs 'part-id' (a declared part) or 'pin' (a board pin)", what);
        if (scen_text(c, pin, "'pin'", &st->pin, NULL) < 0) return -1;
        if (!st->pin[0]) return scen_fail(c, pin->line, "'pin' needs a pin name");
    }
    if (tmo) {
        if (st->timeout_ns)
            return scen_fail(c, tmo->line, "'timeout' is given twice: keep the step's or the mapping's");
        if (scen_timeout(c, tmo, &st->timeout_ns) < 0) return -1;
    }
    return read_expected_level(c, val, what, &st->level);
}

static int read_set_pin(scen_ctx *c, const vb_ynode *v, vb_step *st)
{
    static const char *const keys[] = {"pin", "value", NULL};
    if (scen_mapping(c, v, "'set-pin'", keys) < 0) return -1;
    const vb_ynode *pin = vb_yaml_get(v, "pin"), *val = vb_yaml_get(v, "value");
    if (!pin || !val) return scen_fail(c, v->line, "'set-pin' needs 'pin' and 'value' (high, low or float)");
    if (scen_text(c, pin, "'pin'", &st->pin, NULL) < 0) return -1;
    if (!st->pin[0]) return scen_fail(c, pin->line, "'pin' needs a pin name");
    int l;
    if (scen_choice(c, val, "'value' of 'set-pin'", level_names, 3, &l) < 0) return -1;
    st->level = (vb_level)l;
    return 0;
}

static int read_reset(scen_ctx *c, const vb_ynode *v, vb_step *st)
{
    static const char *const kinds[] = {"button", "power-cycle", "brownout"};
    int k;
    if (scen_choice(c, v, "'reset'", kinds, 3, &k) < 0) return -1;
    st->reset = (vb_reset_kind)k;
    return 0;
}

static int read_power(scen_ctx *c, const vb_ynode *v, vb_step *st)
{
    static const char *const states[] = {"off", "on"};
    int k;
    if (scen_choice(c, v, "'power'", states, 2, &k) < 0) return -1;
    st->power_on = k == 1;
    return 0;
}

static int read_expect_reset_cause(scen_ctx *c, const vb_ynode *v, vb_step *st)
{
    /* every name a port's machine module has for machine.reset_cause() */
    static const char *const causes[] = {"PWRON_RESET", "HARD_RESET", "WDT_RESET", "DEEPSLEEP_RESET",
                                         "SOFT_RESET", "BROWN_OUT_RESET"};
    int k;
    if (scen_choice(c, v, "'expect-reset-cause'", causes, 6, &k) < 0) return -1;
    st->text = causes[k];
    st->len = strlen(causes[k]);
    return 0;
}

static int hexdigit(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
         : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* A colour "#rrggbb" into st->text, lower case. */
static int read_colour(scen_ctx *c, const vb_ynode *v, const char *what, vb_step *st)
{
    const char *s;
    if (scen_text(c, v, what, &s, NULL) < 0) return -1;
    bool ok = v->len == 7 && s[0] == '#';
    for (size_t i = 1; ok && i < 7; i++) ok = hexdigit(s[i]) >= 0;
    char q[64];
    scen_quote(v->str, v->len, q, sizeof q);
    if (!ok)
        return scen_fail(c, v->line, "%s must be a colour \"#rrggbb\" (quoted: # starts a YAML comment), "
                         "not '%s'", what, q);
    char *lower = scen_alloc(c, 8, v->line);
    if (!lower) return -1;
    for (size_t i = 0; i < 7; i++) lower[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i]);
    st->text = lower;
    st->len = 7;
    return 0;
}

static int read_expect_led(scen_ctx *c, const vb_ynode *v, vb_step *st)
{
    return read_colour(c, v, "'expect-led'", st);
}

/* The colour of one pixel of the strip on a pin (neopixel's GRB bytes). */
static int read_expect_neopixel(scen_ctx *c, const vb_ynode *v, vb_step *st)
{
    static const char *const keys[] = {"pin", "pixel", "color", NULL};
    if (scen_mapping(c, v, "'expect-neopixel'", keys) < 0) return -1;
    const vb_ynode *pin = vb_yaml_get(v, "pin"), *px = vb_yaml_get(v, "pixel"), *col = vb_yaml_get(v, "color");
    if (!pin || !col) return scen_fail(c, v->line, "'expect-neopixel' needs 'pin' and 'color' (\"#rrggbb\"; 'pixel' 0 by default)");
    if (scen_text(c, pin, "'pin'", &st->pin, NULL) < 0) return -1;
    if (!st->pin[0]) return scen_fail(c, pin->line, "'pin' needs a pin name");
    long long n = 0;
    if (px && scen_int(c, px, "'pixel' of 'expect-neopixel'", 0, 1023, &n) < 0) return -1;
    st->pixel = (unsigned)n;
    return read_colour(c, col, "'color' of 'expect-neopixel'", st);
}

static int read_exec(scen_ctx *c, const vb_ynode *v, vb_step *st)
{
    if (scen_text(c, v, "'exec'", &st->text, NULL) < 0) return -1;
    st->len = v->len;
    if (st->len == 0) return scen_fail(c, v->line, "'exec' needs Python code");
    /* the raw REPL takes every byte but these as code */
    for (size_t i = 0; i < st->len; i++)
        if (st->text[i] >= 1 && st->text[i] <= 4)
            return scen_fail(c, v->line, "'exec' code must not hold the control byte 0x%02x (the raw REPL's "
                             "Ctrl-%c)", st->text[i], 'A' + st->text[i] - 1);
    return 0;
}

static int read_expect_file(scen_ctx *c, const vb_ynode *v, vb_step *st)
{
    static const char *const keys[] = {"path", "contains", "sha256", NULL};
    if (scen_mapping(c, v, "'expect-file'", keys) < 0) return -1;
    const vb_ynode *path = vb_yaml_get(v, "path"), *has = vb_yaml_get(v, "contains"), *sha = vb_yaml_get(v, "sha256");
    if (!path) return scen_fail(c, v->line, "'expect-file' needs 'path' (a file on the board)");
    if (scen_text(c, path, "'path'", &st->text, NULL) < 0) return -1;
    st->len = path->len;
    if (!st->len) return scen_fail(c, path->line, "'path' needs a file name");
    if (!has == !sha) return scen_fail(c, v->line, "'expect-file' needs one of 'contains' (text) or 'sha256' (hex)");
    if (has) return scen_text(c, has, "'contains'", &st->expect, &st->expect_len);
    const char *h;
    if (scen_text(c, sha, "'sha256'", &h, NULL) < 0) return -1;
    bool ok = sha->len == 64;
    for (size_t i = 0; ok && i < 32; i++) {
        int hi = hexdigit(h[2 * i]), lo = hexdigit(h[2 * i + 1]);
        ok = hi >= 0 && lo >= 0;
        st->sha256[i] = (uint8_t)(hi * 16 + lo);
    }
    if (!ok) return scen_fail(c, sha->line, "'sha256' must be 64 hex digits");
    st->has_sha256 = true;
    return 0;
}

/* The radio drops the station's link (the access points stay: a program
 * that reconnects finds them again). */
static int read_wifi(scen_ctx *c, const vb_ynode *v, vb_step *st)
{
    (void)st;
    static const char *const names[] = {"drop"};
    int i;
    return scen_choice(c, v, "'wifi'", names, 1, &i);
}

static int read_set_adc(scen_ctx *c, const vb_ynode *v, vb_step *st)
{
    static const char *const keys[] = {"pin", "mv", NULL};
    if (scen_mapping(c, v, "'set-adc'", keys) < 0) return -1;
    const vb_ynode *pin = vb_yaml_get(v, "pin"), *mv = vb_yaml_get(v, "mv");
    if (!pin || !mv) return scen_fail(c, v->line, "'set-adc' needs 'pin' and 'mv' (millivolts, 0-5000)");
    if (scen_text(c, pin, "'pin'", &st->pin, NULL) < 0) return -1;
    if (!st->pin[0]) return scen_fail(c, pin->line, "'pin' needs a pin name");
    long long n;
    if (scen_int(c, mv, "'mv' of 'set-adc'", 0, 5000, &n) < 0) return -1;
    st->mv = (uint32_t)n;
    return 0;
}

/* A display's picture as a PNG (Wokwi's take-screenshot): written to
 * 'save-to', compared pixel by pixel with 'compare-with', or both. Wokwi's
 * 'part-id' names the display in its diagram: read, and not needed while
 * the board has one display; 'display' picks one as `ctl screenshot`
 * does (an I2C address, or spi:BUS:CS). */
static int read_take_screenshot(scen_ctx *c, const vb_ynode *v, vb_step *st)
{
    static const char *const keys[] = {"part-id", "display", "save-to", "compare-with", NULL};
    if (scen_mapping(c, v, "'take-screenshot'", keys) < 0) return -1;
    const vb_ynode *id = vb_yaml_get(v, "part-id"), *disp = vb_yaml_get(v, "display");
    const vb_ynode *save = vb_yaml_get(v, "save-to"), *cmp = vb_yaml_get(v, "compare-with");
    const char *ignored;
    if (id && scen_text(c, id, "'part-id'", &ignored, NULL) < 0) return -1;
    if (!save && !cmp)
        return scen_fail(c, v->line, "'take-screenshot' needs 'save-to' (a PNG to write), 'compare-with' (a PNG "
                         "to match), or both");
    if (save && (scen_text(c, save, "'save-to'", &st->text, &st->len) < 0 || !st->len))
        return st->text ? scen_fail(c, save->line, "'save-to' needs a file name") : -1;
    if (cmp && (scen_text(c, cmp, "'compare-with'", &st->expect, &st->expect_len) < 0 || !st->expect_len))
        return st->expect ? scen_fail(c, cmp->line, "'compare-with' needs a file name") : -1;
    if (disp && (scen_text(c, disp, "'display'", &st->display, NULL) < 0 || !st->display[0]))
        return st->display ? scen_fail(c, disp->line, "'display' needs an I2C address or spi:BUS:CS") : -1;
    return 0;
}

/* The keys a step takes beside its command and 'name'. */
enum { TAKES_EXPECT_OUTPUT = 1, TAKES_TIMEOUT = 2 };

/* Per step: its reader and the keys it takes beside its command and 'name'. */
static const struct {
    step_reader read;
    unsigned takes;
} steps[VB_STEP_COUNT] = {
    [VB_STEP_DELAY] = {read_delay, 0},
    [VB_STEP_WAIT_SERIAL] = {read_wait_serial, TAKES_TIMEOUT},
    [VB_STEP_WRITE_SERIAL] = {read_write_serial, 0},
    [VB_STEP_SET_CONTROL] = {read_set_control, 0},
    [VB_STEP_EXPECT_PIN] = {read_pin_level, 0},
    [VB_STEP_WAIT_PIN] = {read_pin_level, TAKES_TIMEOUT},
    [VB_STEP_SET_PIN] = {read_set_pin, 0},
    [VB_STEP_RESET] = {read_reset, 0},
    [VB_STEP_POWER] = {read_power, 0},
    [VB_STEP_EXPECT_RESET_CAUSE] = {read_expect_reset_cause, 0},
    [VB_STEP_EXPECT_LED] = {read_expect_led, 0},
    [VB_STEP_EXEC] = {read_exec, TAKES_EXPECT_OUTPUT | TAKES_TIMEOUT},
    [VB_STEP_EXPECT_FILE] = {read_expect_file, TAKES_TIMEOUT},
    [VB_STEP_WIFI] = {read_wifi, 0},
    [VB_STEP_SET_ADC] = {read_set_adc, 0},
    [VB_STEP_EXPECT_NEOPIXEL] = {read_expect_neopixel, 0},
    [VB_STEP_TAKE_SCREENSHOT] = {read_take_screenshot, 0},
};

static bool key_is(const vb_ynode *key, const char *name)
{
    return strlen(name) == key->len && memcmp(name, key->str, key->len) == 0;
}

static int step_of(const vb_ynode *key)
{
    for (int k = 0; k < VB_STEP_COUNT; k++)
        if (key_is(key, step_keys[k])) return k;
    return -1;
}

static int unknown_step(scen_ctx *c, const vb_ynode *key)
{
    char q[64], list[400];
    size_t o = 0;
    for (int k = 0; k < VB_STEP_COUNT && o < sizeof list; k++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", k ? ", " : "", step_keys[k]);
    scen_quote(key->str, key->len, q, sizeof q);
    return scen_fail(c, key->line, "unknown step '%s' (steps: %s)", q, list);
}

int scen_step(scen_ctx *c, const vb_ynode *v, vb_step *st)
{
    memset(st, 0, sizeof *st);
    st->part = -1;
    st->line = v->line;
    if (v->kind != VB_YNODE_MAP)
        return scen_fail(c, v->line, "a step must be a mapping such as '- delay: 500ms', not %s",
                         vb_yaml_kind_name(v->kind));
    const vb_ynode *cmd = NULL;
    for (size_t i = 0; i < v->n; i += 2) {
        const vb_ynode *key = v->item[i];
        if (key_is(key, "name")) continue;
        int k = step_of(key);
        if (k >= 0) {
            if (cmd)
                return scen_fail(c, key->line, "one command per step: '%s' and '%s' (line %u) are two; "
                                 "make them two steps", key->str, cmd->str, cmd->line);
            cmd = key;
            st->kind = (vb_step_kind)k;
        }
    }
    if (!cmd) {
        for (size_t i = 0; i < v->n; i += 2)
            if (!key_is(v->item[i], "name")) return unknown_step(c, v->item[i]);
        return scen_fail(c, v->line, "a step needs a command (e.g. '- delay: 500ms'), not only a name");
    }
    st->line = cmd->line;
    unsigned takes = steps[st->kind].takes;
    for (size_t i = 0; i < v->n; i += 2) {
        const vb_ynode *key = v->item[i], *val = v->item[i + 1];
        if (key == cmd) continue;
        if (key_is(key, "name")) {
            if (scen_text(c, val, "a step's 'name'", &st->name, NULL) < 0) return -1;
        } else if ((takes & TAKES_EXPECT_OUTPUT) && key_is(key, "expect-output")) {
            if (scen_text(c, val, "'expect-output'", &st->expect, &st->expect_len) < 0) return -1;
        } else if ((takes & TAKES_TIMEOUT) && key_is(key, "timeout")) {
            if (scen_timeout(c, val, &st->timeout_ns) < 0) return -1;
        } else if (step_of(key) < 0) {
            char q[64];
            scen_quote(key->str, key->len, q, sizeof q);
            return scen_fail(c, key->line, "unknown key '%s' in %s '%s' step (it takes name%s%s)", q,
                             strchr("aeiou", cmd->str[0]) ? "an" : "a", cmd->str,
                             takes & TAKES_EXPECT_OUTPUT ? ", expect-output" : "",
                             takes & TAKES_TIMEOUT ? ", timeout" : "");
        }
    }
    const vb_ynode *val = vb_yaml_get(v, cmd->str);
    return steps[st->kind].read(c, val, st);
}
