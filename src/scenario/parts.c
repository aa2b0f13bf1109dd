/* The parts file (scenario/parts.h): a table of part kinds, each with the
 * reader of its entries. */
#include "parts.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/json.h"
#include "yaml_tree.h"

typedef struct ctx {
    const char *path;
    vb_parts *p;
    char *err;
    size_t errlen;
} ctx;

static int fail(const ctx *c, const vb_ynode *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(const ctx *c, const vb_ynode *at, const char *fmt, ...)
{
    int k = snprintf(c->err, c->errlen, "%s:%u:%u: ", c->path, at ? at->line : 1, at ? at->col : 1);
    if (k < 0 || (size_t)k >= c->errlen) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- values ---------------------------------------------------------------------- */

static bool is_text(const vb_ynode *v) { return v->kind == VB_YNODE_SCALAR && v->len == strlen(v->str); }

/* A whole number in [lo, hi], decimal or 0x-hex, plain or quoted. */
static int whole(const ctx *c, const vb_ynode *v, const char *what, unsigned long lo, unsigned long hi,
                 unsigned long *out)
{
    char *end = NULL, range[48] = "";
    errno = 0;
    unsigned long n = is_text(v) && v->len && v->str[0] != '-' ? strtoul(v->str, &end, 0) : 0;
    if (hi > 9) snprintf(range, sizeof range, " (0x%02lx to 0x%02lx)", lo, hi);
    if (!end || *end || errno || n < lo || n > hi)
        return fail(c, v, "%s must be a number from %lu to %lu%s%s%.40s%s", what, lo, hi, range,
                    is_text(v) ? ", not '" : "", is_text(v) ? v->str : "", is_text(v) ? "'" : "");
    *out = n;
    return 0;
}

static int decimal(const ctx *c, const vb_ynode *v, const char *what, double lo, double hi, double *out)
{
    char *end;
    double x = is_text(v) && v->len ? strtod(v->str, &end) : NAN;
    if (!is_text(v) || !v->len || *end || !(x >= lo && x <= hi))
        return fail(c, v, "%s must be a number from %g to %g", what, lo, hi);
    *out = x;
    return 0;
}

static int text(const ctx *c, const vb_ynode *v, const char *what, size_t cap, char *out)
{
    if (!is_text(v) || !v->len) return fail(c, v, "%s must be a non-empty text", what);
    if (v->len >= cap) return fail(c, v, "%s is longer than %zu bytes", what, cap - 1);
    memcpy(out, v->str, v->len + 1);
    return 0;
}

/* An entry: a mapping whose keys are all among `keys`, with `need` present. */
static int entry(const ctx *c, const vb_ynode *e, const char *kind, const char *const *keys, const char *need)
{
    if (e->kind != VB_YNODE_MAP) return fail(c, e, "a part in '%s' is a mapping (e.g. {%s: ...}), not %s", kind, need,
                                             vb_yaml_kind_name(e->kind));
    for (size_t i = 0; i < e->n; i += 2) {
        const vb_ynode *k = e->item[i];
        bool known = false;
        for (const char *const *q = keys; *q; q++) known |= strcmp(k->str, *q) == 0;
        if (!known) {
            char list[160] = "";
            for (const char *const *q = keys; *q; q++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", q == keys ? "" : ", ", *q);
            return fail(c, k, "unknown key '%.40s' in a part in '%s' (keys: %s)", k->str, kind, list);
        }
    }
    if (!vb_yaml_get(e, need)) return fail(c, e, "a part in '%s' needs '%s'", kind, need);
    return 0;
}

/* ---- the kinds ------------------------------------------------------------------- */

/* A relative script path is the parts file's directory's. */
static int script_path(const ctx *c, const vb_ynode *v, char *out, size_t cap)
{
    char rel[VB_I2C_SCRIPT_PATH_MAX];
    if (text(c, v, "'script'", sizeof rel, rel) < 0) return -1;
    const char *slash = strrchr(c->path, '/');
    int dir = rel[0] == '/' || !slash ? 0 : (int)(slash - c->path + 1);
    if ((size_t)snprintf(out, cap, "%.*s%s", dir, c->path, rel) >= cap)
        return fail(c, v, "'script' with the parts file's directory is longer than %zu bytes", cap - 1);
    return 0;
}

/* Is s a number as JSON writes one? */
static bool json_number(const char *s)
{
    const char *p = s + (*s == '-');
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (*p >= '0' && *p <= '9') p++;
    else return false;
    if (*p == '.') {
        if (!(*++p >= '0' && *p <= '9')) return false;
        while (*p >= '0' && *p <= '9') p++;
    }
    if (*p == 'e' || *p == 'E') {
        p += p[1] == '+' || p[1] == '-' ? 2 : 1;
        if (!(*p >= '0' && *p <= '9')) return false;
        while (*p >= '0' && *p <= '9') p++;
    }
    return *p == '\0';
}

/* A script device's args: a mapping of single values, as a JSON object
 * for the driver (plain numbers and true/false as such, 0x-hex as a
 * number, the rest as strings). */
static int script_args(const ctx *c, const vb_ynode *v, char *out, size_t cap)
{
    if (v->kind != VB_YNODE_MAP) return fail(c, v, "'args' must be a mapping (e.g. {celsius: 21})");
    /* each piece written while it fits; k counts what the whole needs */
#define ROOM(k) ((k) < cap ? out + (k) : NULL), ((k) < cap ? cap - (k) : 0)
    size_t k = (size_t)snprintf(ROOM(0), "{");
    for (size_t i = 0; i < v->n; i += 2) {
        const vb_ynode *key = v->item[i], *val = v->item[i + 1];
        if (!is_text(key) || !key->len || !is_text(val))
            return fail(c, val, "'args' holds single values under names (e.g. celsius: 21)");
        char num[32] = "";
        char *end;
        if (val->plain && (strncmp(val->str, "0x", 2) == 0 || strncmp(val->str, "0X", 2) == 0)) {
            unsigned long x = strtoul(val->str, &end, 16);
            if (val->str[2] && !*end) snprintf(num, sizeof num, "%lu", x);
        }
        bool raw = val->plain && (num[0] || json_number(val->str) || strcmp(val->str, "true") == 0 ||
                                  strcmp(val->str, "false") == 0);
        if (i) k += (size_t)snprintf(ROOM(k), ",");
        k += vb_json_escape(ROOM(k), key->str, key->len);
        k += (size_t)snprintf(ROOM(k), ":");
        if (raw) k += (size_t)snprintf(ROOM(k), "%s", num[0] ? num : val->str);
        else k += vb_json_escape(ROOM(k), val->str, val->len);
    }
    k += (size_t)snprintf(ROOM(k), "}");
#undef ROOM
    if (k >= cap) return fail(c, v, "'args' take more than %zu bytes as JSON", cap - 1);
    return 0;
}

static int read_i2c(const ctx *c, const vb_ynode *e)
{
    static const char *const keys[] = {"bus", "addr", "model", "script", "args", "temp", "hum", NULL};
    if (entry(c, e, "i2c", keys, "addr") < 0) return -1;
    vb_parts *p = c->p;
    vb_i2c_attach a;
    memset(&a, 0, sizeof a);
    unsigned long bus = 0, addr;
    const vb_ynode *v, *model = vb_yaml_get(e, "model"), *script = vb_yaml_get(e, "script");
    if ((v = vb_yaml_get(e, "bus")) && whole(c, v, "'bus'", 0, VB_I2C_BUSES - 1, &bus) < 0) return -1;
    if (whole(c, vb_yaml_get(e, "addr"), "'addr'", 0x08, 0x77, &addr) < 0) return -1;
    a.bus = (uint8_t)bus;
    a.addr = (uint8_t)addr;
    if (!model == !script) return fail(c, e, "a part in 'i2c' needs 'model' (eeprom, sht3x, ssd1306) or 'script', one of them");
    if (model) {
        if (!is_text(model) || vb_i2c_model_by_name(model->str, &a.model) < 0 || a.model == VB_I2C_SCRIPT)
            return fail(c, model, "no device model '%.40s' (eeprom, sht3x, ssd1306; or 'script: FILE.py')",
                        is_text(model) ? model->str : "");
    } else {
        a.model = VB_I2C_SCRIPT;
        if (script_path(c, script, a.script, sizeof a.script) < 0) return -1;
    }
    const vb_ynode *args = vb_yaml_get(e, "args");
    if (args && !script) return fail(c, args, "'args' are a script device's (its Device(...) or setup(...))");
    if (args && script_args(c, args, a.script_args, sizeof a.script_args) < 0) return -1;
    const vb_ynode *temp = vb_yaml_get(e, "temp"), *hum = vb_yaml_get(e, "hum");
    if ((temp || hum) && a.model != VB_I2C_SHT3X)
        return fail(c, temp ? temp : hum, "'temp' and 'hum' are an sht3x's (what it measures at power-on)");
    double t = 25, h = 50;
    if (temp && decimal(c, temp, "'temp' (°C)", -45, 130, &t) < 0) return -1;
    if (hum && decimal(c, hum, "'hum' (%RH)", 0, 100, &h) < 0) return -1;
    if (temp || hum) {
        a.reading = true;
        a.temp_mc = (int32_t)lround(t * 1000);
        a.hum_mpct = (uint32_t)lround(h * 1000);
    }
    for (unsigned i = 0; i < p->n_i2c; i++)
        if (p->i2c[i].bus == a.bus && p->i2c[i].addr == a.addr)
            return fail(c, vb_yaml_get(e, "addr"), "a second device at 0x%02x on bus %u (the first at line %u)",
                        a.addr, a.bus, p->i2c_line[i]);
    if (p->n_i2c >= VB_I2C_DEVS_MAX) return fail(c, e, "at most %u I2C devices", VB_I2C_DEVS_MAX);
    p->i2c_line[p->n_i2c] = e->line;
    p->i2c[p->n_i2c++] = a;
    return 0;
}

static int read_uart(const ctx *c, const vb_ynode *e)
{
    static const char *const keys[] = {"id", "link", NULL};
    if (entry(c, e, "uart", keys, "id") < 0) return -1;
    vb_parts *p = c->p;
    unsigned long id;
    const vb_ynode *link = vb_yaml_get(e, "link");
    if (whole(c, vb_yaml_get(e, "id"), "'id'", 0, VB_UARTS_MAX - 1, &id) < 0) return -1;
    if (!link) return fail(c, e, "a part in 'uart' needs 'link' (the path of a symlink to its pty)");
    if (p->uart_link[id][0])
        return fail(c, vb_yaml_get(e, "id"), "UART %lu is bridged twice (first at line %u)", id, p->uart_line[id]);
    if (text(c, link, "'link'", sizeof p->uart_link[id], p->uart_link[id]) < 0) return -1;
    p->uart_line[id] = e->line;
    return 0;
}

static int read_adc(const ctx *c, const vb_ynode *e)
{
    static const char *const keys[] = {"pin", "mv", NULL};
    if (entry(c, e, "adc", keys, "pin") < 0) return -1;
    vb_parts *p = c->p;
    vb_parts_adc a = {.line = e->line};
    double mv;
    const vb_ynode *v = vb_yaml_get(e, "mv");
    if (text(c, vb_yaml_get(e, "pin"), "'pin'", sizeof a.pin, a.pin) < 0) return -1;
    if (!v) return fail(c, e, "a part in 'adc' needs 'mv' (millivolts on the pin, 0 to 5000)");
    if (decimal(c, v, "'mv'", 0, 5000, &mv) < 0) return -1;
    a.uv = (uint32_t)lround(mv * 1000);
    for (unsigned i = 0; i < p->n_adc; i++)
        if (strcmp(p->adc[i].pin, a.pin) == 0)
            return fail(c, vb_yaml_get(e, "pin"), "pin %s is given twice (first at line %u)", a.pin, p->adc[i].line);
    if (p->n_adc >= VB_PARTS_ADC_MAX) return fail(c, e, "at most %u adc parts", VB_PARTS_ADC_MAX);
    p->adc[p->n_adc++] = a;
    return 0;
}

/* An SPI device: its bus (machine.SPI's id), chip-select pin and model,
 * the D/C and reset pins a display may have. */
static int read_spi(const ctx *c, const vb_ynode *e)
{
    static const char *const keys[] = {"bus", "cs", "model", "dc", "res", NULL};
    if (entry(c, e, "spi", keys, "cs") < 0) return -1;
    vb_parts *p = c->p;
    vb_spi_attach a = {.dc = -1, .res = -1};
    unsigned long bus = 0, cs, pin;
    const vb_ynode *v, *model = vb_yaml_get(e, "model");
    if ((v = vb_yaml_get(e, "bus")) && whole(c, v, "'bus'", 0, VB_SPI_BUSES - 1, &bus) < 0) return -1;
    if (whole(c, vb_yaml_get(e, "cs"), "'cs'", 0, VB_PERIPH_PINS - 1, &cs) < 0) return -1;
    a.bus = (uint8_t)bus, a.cs = (uint8_t)cs;
    if (!model || !is_text(model) || vb_spi_model_by_name(model->str, &a.model) < 0)
        return fail(c, model ? model : e, "a part in 'spi' needs 'model' (ssd1306, eeprom25)");
    if ((v = vb_yaml_get(e, "dc"))) {
        if (whole(c, v, "'dc'", 0, VB_PERIPH_PINS - 1, &pin) < 0) return -1;
        a.dc = (int8_t)pin;
    }
    if ((v = vb_yaml_get(e, "res"))) {
        if (whole(c, v, "'res'", 0, VB_PERIPH_PINS - 1, &pin) < 0) return -1;
        a.res = (int8_t)pin;
    }
    if (a.model == VB_SPI_SSD1306 && a.dc < 0) return fail(c, e, "an ssd1306 on SPI needs 'dc' (its data/command pin)");
    for (unsigned i = 0; i < p->n_spi; i++)
        if (p->spi[i].bus == a.bus && p->spi[i].cs == a.cs)
            return fail(c, vb_yaml_get(e, "cs"), "a second device on chip select %u of bus %u (the first at line %u)",
                        a.cs, a.bus, p->spi_line[i]);
    if (p->n_spi >= VB_SPI_DEVS_MAX) return fail(c, e, "at most %u SPI devices", VB_SPI_DEVS_MAX);
    p->spi_line[p->n_spi] = e->line;
    p->spi[p->n_spi++] = a;
    return 0;
}

/* The part kinds: a top-level key each, with the reader of one entry. */
static const struct kind {
    const char *name;
    int (*read)(const ctx *c, const vb_ynode *entry);
} kinds[] = {
    {"i2c", read_i2c},
    {"uart", read_uart},
    {"adc", read_adc},
    {"spi", read_spi},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

/* ---- the file -------------------------------------------------------------------- */

void vb_parts_init(vb_parts *p) { memset(p, 0, sizeof *p); }

int vb_parts_parse(const char *txt, size_t len, const char *path, vb_parts *p, char *err, size_t errlen)
{
    ctx c = {path, p, err, errlen};
    vb_ynode *root;
    unsigned line, col;
    char why[300];
    if (vb_yaml_load_at(txt, len, &root, &line, &col, why, sizeof why) < 0) {
        snprintf(err, errlen, "%s:%u:%u: %s", path, line, col ? col : 1, why);
        return -1;
    }
    p->path = path;
    int rc = 0;
    if (root && root->kind != VB_YNODE_MAP && !(root->kind == VB_YNODE_SCALAR && root->len == 0))
        rc = fail(&c, root, "a parts file is a mapping of part kinds (i2c, uart, adc, spi) to lists of parts");
    for (size_t i = 0; rc == 0 && root && root->kind == VB_YNODE_MAP && i < root->n; i += 2) {
        const vb_ynode *k = root->item[i], *list = root->item[i + 1];
        const struct kind *kd = NULL;
        for (size_t j = 0; j < N_KINDS; j++)
            if (strcmp(k->str, kinds[j].name) == 0) kd = &kinds[j];
        if (!kd) {
            rc = fail(&c, k, "unknown part kind '%.40s' (kinds: i2c, uart, adc, spi)", k->str);
        } else if (list->kind != VB_YNODE_SEQ) {
            rc = fail(&c, list, "'%s' must be a list of parts ('- {...}' lines), not %s", kd->name,
                      vb_yaml_kind_name(list->kind));
        } else {
            for (size_t j = 0; rc == 0 && j < list->n; j++) rc = kd->read(&c, list->item[j]);
        }
    }
    vb_yaml_free(root);
    return rc;
}

int vb_parts_load(const char *path, vb_parts *p, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot read the parts file %s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(VB_PARTS_FILE_MAX + 1);
    size_t len = 0;
    ssize_t n = 0;
    while (buf && len <= VB_PARTS_FILE_MAX && (n = read(fd, buf + len, VB_PARTS_FILE_MAX + 1 - len)) > 0)
        len += (size_t)n;
    close(fd);
    int rc = -1;
    if (!buf || n < 0)
        snprintf(err, errlen, "cannot read the parts file %s: %s", path, buf ? strerror(errno) : "out of memory");
    else if (len > VB_PARTS_FILE_MAX)
        snprintf(err, errlen, "%s: a parts file is at most %u bytes", path, VB_PARTS_FILE_MAX);
    else
        rc = vb_parts_parse(buf, len, path, p, err, errlen);
    free(buf);
    return rc;
}

int vb_parts_add_i2c(vb_parts *p, const vb_i2c_attach *a, char *err, size_t errlen)
{
    for (unsigned i = 0; i < p->n_i2c; i++)
        if (p->i2c[i].bus == a->bus && p->i2c[i].addr == a->addr) {
            snprintf(err, errlen, "--i2c %u:0x%02x is declared in %s at line %u already", a->bus, a->addr,
                     p->path ? p->path : "the parts file", p->i2c_line[i]);
            return -1;
        }
    if (p->n_i2c >= VB_I2C_DEVS_MAX) {
        snprintf(err, errlen, "at most %u I2C devices, the parts file's and --i2c's together", VB_I2C_DEVS_MAX);
        return -1;
    }
    p->i2c_line[p->n_i2c] = 0;
    p->i2c[p->n_i2c++] = *a;
    return 0;
}

int vb_parts_add_uart(vb_parts *p, unsigned id, const char *link, char *err, size_t errlen)
{
    if (id >= VB_UARTS_MAX || !link[0] || strlen(link) >= sizeof p->uart_link[0]) {
        snprintf(err, errlen, "--uart %u: not a UART id with a link path", id);
        return -1;
    }
    if (p->uart_link[id][0]) {
        snprintf(err, errlen, "--uart %u is bridged in %s at line %u already", id, p->path ? p->path : "the parts file",
                 p->uart_line[id]);
        return -1;
    }
    snprintf(p->uart_link[id], sizeof p->uart_link[id], "%s", link);
    return 0;
}

int vb_parts_add_spi(vb_parts *p, const vb_spi_attach *a, char *err, size_t errlen)
{
    for (unsigned i = 0; i < p->n_spi; i++)
        if (p->spi[i].bus == a->bus && p->spi[i].cs == a->cs) {
            snprintf(err, errlen, "--spi %u:%u is declared in %s at line %u already", a->bus, a->cs,
                     p->path ? p->path : "the parts file", p->spi_line[i]);
            return -1;
        }
    if (p->n_spi >= VB_SPI_DEVS_MAX) {
        snprintf(err, errlen, "at most %u SPI devices, the parts file's and --spi's together", VB_SPI_DEVS_MAX);
        return -1;
    }
    p->spi_line[p->n_spi] = 0;
    p->spi[p->n_spi++] = *a;
    return 0;
}
