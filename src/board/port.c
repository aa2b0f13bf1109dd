/* Port lookups, the interim switches and the port sanity check (port.h).
 * The tables themselves are port_<name>.c. */
#include "port.h"
#include "periph.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const vb_port *const ports[VB_PORT_COUNT] = {
    [VB_PORT_ESP32] = &vb_port_esp32,
    [VB_PORT_PYCOM] = &vb_port_pycom,
    [VB_PORT_RP2] = &vb_port_rp2,
};

const vb_port *vb_port_get(vb_port_id id)
{
    return (unsigned)id < VB_PORT_COUNT ? ports[id] : NULL;
}

const vb_port *vb_port_find(const char *name)
{
    for (unsigned i = 0; name && i < VB_PORT_COUNT; i++)
        if (strcmp(ports[i]->name, name) == 0)
            return ports[i];
    return NULL;
}

bool vb_port_const_value(const vb_port *p, const char *name, long *value)
{
    for (const vb_port_const *c = p->machine_consts; name && c && c->name; c++)
        if (strcmp(c->name, name) == 0) {
            *value = c->value;
            return true;
        }
    return false;
}

int vb_port_cause(const vb_port *p, vb_cause c)
{
    long v;
    if ((unsigned)c >= VB_CAUSE_COUNT || !vb_port_const_value(p, p->cause_const[c], &v))
        return -1;
    return (int)v;
}

/* "n" or "GPIOn" for the GPIO number n (decimal, no sign, no leading 0). */
static int gpio_number(const char *name)
{
    if (strncmp(name, "GPIO", 4) == 0)
        name += 4;
    if (name[0] < '0' || name[0] > '9' || (name[0] == '0' && name[1]) || strlen(name) > 3)
        return -1;
    for (const char *s = name; *s; s++)
        if (*s < '0' || *s > '9')
            return -1;
    return atoi(name);
}

const vb_pin_def *vb_port_pin(const vb_port *p, const char *name)
{
    if (!name || !*name)
        return NULL;
    for (unsigned i = 0; i < p->n_pins; i++) {
        const vb_pin_def *d = &p->pins[i];
        if (!(d->flags & VB_PIN_CPU_ONLY) && strcmp(d->name, name) == 0)
            return d;
        if (d->alias && strcmp(d->alias, name) == 0)
            return d;
    }
    int n = p->pins_by_number ? gpio_number(name) : -1;
    const vb_pin_def *d = n >= 0 ? vb_port_pin_by_gpio(p, (unsigned)n) : NULL;
    return d && !(d->flags & VB_PIN_BUTTON) ? d : NULL;
}

const vb_pin_def *vb_port_pin_by_gpio(const vb_port *p, unsigned gpio)
{
    for (unsigned i = 0; i < p->n_pins; i++)
        if (p->pins[i].gpio == gpio)
            return &p->pins[i];
    return NULL;
}

/* ---- validation --------------------------------------------------------- */

static int invalid(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int invalid(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

static bool filled(const char *s) { return s && *s; }

static int validate_ident(const vb_port *p, const vb_port_ident *id, char *err, size_t errlen)
{
    if (!filled(id->platform) || !filled(id->board) || !filled(id->mcu) || !filled(id->build_date) ||
        strlen(id->build_date) != 10)
        return invalid(err, errlen, "port %s: identity needs platform, board, mcu and a YYYY-MM-DD "
                       "build date", p->name);
    return 0;
}

static int validate_consts(const vb_port *p, char *err, size_t errlen)
{
    if (!p->machine_consts)
        return invalid(err, errlen, "port %s: no machine constants", p->name);
    for (const vb_port_const *c = p->machine_consts; c->name; c++) {
        if (!*c->name)
            return invalid(err, errlen, "port %s: a machine constant has an empty name", p->name);
        for (const vb_port_const *d = p->machine_consts; d < c; d++)
            if (strcmp(c->name, d->name) == 0)
                return invalid(err, errlen, "port %s: machine constant %s given twice", p->name, c->name);
    }
    /* every cause a port reports is one of its constants, and the causes
     * are exactly the *_RESET constants */
    long v;
    for (unsigned c = 0; c < VB_CAUSE_COUNT; c++) {
        const char *n = p->cause_const[c];
        if (!n) {
            if (c != VB_CAUSE_SOFT)
                return invalid(err, errlen, "port %s: cause %u names no constant (only a soft reset "
                               "may keep the hard reset's cause)", p->name, c);
            continue;
        }
        size_t len = strlen(n);
        if (!vb_port_const_value(p, n, &v) || len < 6 || strcmp(n + len - 6, "_RESET") != 0)
            return invalid(err, errlen, "port %s: cause %u names \"%s\", not a *_RESET constant of "
                           "its machine module", p->name, c, n);
    }
    for (const vb_port_const *k = p->machine_consts; k->name; k++) {
        size_t len = strlen(k->name);
        if (len < 6 || strcmp(k->name + len - 6, "_RESET") != 0)
            continue;
        bool used = false;
        for (unsigned c = 0; c < VB_CAUSE_COUNT; c++)
            used = used || (p->cause_const[c] && strcmp(p->cause_const[c], k->name) == 0);
        if (!used)
            return invalid(err, errlen, "port %s: %s is reported for no cause", p->name, k->name);
    }
    return 0;
}

static int validate_pins(const vb_port *p, char *err, size_t errlen)
{
    if (!p->n_pins || !p->pins)
        return invalid(err, errlen, "port %s: no pins", p->name);
    for (unsigned i = 0; i < p->n_pins; i++) {
        const vb_pin_def *a = &p->pins[i];
        if (!filled(a->name) || a->gpio >= VB_PINS_MAX)
            return invalid(err, errlen, "port %s: pin %u needs a name and a register below %u",
                           p->name, i, VB_PINS_MAX);
        if ((a->flags & VB_PIN_BUTTON) && (a->flags & (VB_PIN_CPU_ONLY | VB_PIN_INPUT_ONLY)))
            return invalid(err, errlen, "port %s: button %s has pin-only flags", p->name, a->name);
        for (unsigned j = 0; j < i; j++) {
            const vb_pin_def *b = &p->pins[j];
            if (a->gpio == b->gpio)
                return invalid(err, errlen, "port %s: pins %s and %s share register %u", p->name,
                               b->name, a->name, a->gpio);
            const char *an[2] = {a->name, a->alias}, *bn[2] = {b->name, b->alias};
            for (unsigned x = 0; x < 2; x++)
                for (unsigned y = 0; y < 2; y++)
                    if (an[x] && bn[y] && strcmp(an[x], bn[y]) == 0)
                        return invalid(err, errlen, "port %s: two pins are called %s", p->name, an[x]);
        }
        /* each name finds its own pin */
        if (vb_port_pin(p, a->name) != a && !(a->flags & VB_PIN_CPU_ONLY))
            return invalid(err, errlen, "port %s: the name %s does not find its pin", p->name, a->name);
        if (a->alias && vb_port_pin(p, a->alias) != a)
            return invalid(err, errlen, "port %s: the name %s does not find its pin", p->name, a->alias);
    }
    if (p->led_kind == VB_LED_GPIO) {
        const vb_pin_def *led = p->led_gpio >= 0 ? vb_port_pin_by_gpio(p, (unsigned)p->led_gpio) : NULL;
        if (!led || (led->flags & (VB_PIN_INPUT_ONLY | VB_PIN_BUTTON)) || !p->led_rgb || p->n_leds != 1)
            return invalid(err, errlen, "port %s: its GPIO LED needs an output pin, a colour and "
                           "a count of 1", p->name);
    } else if (p->led_gpio != -1 || (p->led_kind == VB_LED_NONE) != (p->n_leds == 0)) {
        return invalid(err, errlen, "port %s: LED kind, count and GPIO disagree", p->name);
    }
    if (p->strap_pin && !vb_port_pin(p, p->strap_pin))
        return invalid(err, errlen, "port %s: strap pin %s is not one of its pins", p->name, p->strap_pin);
    if (p->safe_boot_pin && !vb_port_pin(p, p->safe_boot_pin))
        return invalid(err, errlen, "port %s: safe-boot pin %s is not one of its pins", p->name,
                       p->safe_boot_pin);
    if (!p->download_text)
        return invalid(err, errlen, "port %s: no download-mode text (\"\" for none)", p->name);
    return 0;
}

static int validate_fs(const vb_port *p, char *err, size_t errlen)
{
    if (!p->mount_point || p->mount_point[0] != '/')
        return invalid(err, errlen, "port %s: mount point must be an absolute path", p->name);
    if (p->fs_type == VB_FS_LFS2 &&
        (!p->lfs2_read_size || !p->lfs2_prog_size || p->lfs2_prog_size % p->lfs2_read_size ||
         4096 % p->lfs2_prog_size))
        return invalid(err, errlen, "port %s: LFS2 read/prog sizes must divide each other and 4096",
                       p->name);
    if (p->first_boot == VB_FIRST_BOOT_FORMAT_IF_ERASED && !filled(p->corrupt_notice))
        return invalid(err, errlen, "port %s: a port that never formats damage needs its notice",
                       p->name);
    if (p->n_default_files && !p->default_files)
        return invalid(err, errlen, "port %s: default files missing", p->name);
    for (unsigned i = 0; i < p->n_default_files; i++) {
        const vb_default_file *df = &p->default_files[i];
        if (!filled(df->path) || df->path[0] == '/' || !df->content)
            return invalid(err, errlen, "port %s: default file %u needs a relative path and content",
                           p->name, i);
    }
    if (p->n_default_dirs && !p->default_dirs)
        return invalid(err, errlen, "port %s: default dirs missing", p->name);
    for (unsigned i = 0; i < p->n_default_dirs; i++)
        if (!filled(p->default_dirs[i]) || p->default_dirs[i][0] == '/')
            return invalid(err, errlen, "port %s: default dir %u needs a relative path", p->name, i);
    if (!p->frozen_entry || !p->sys_path || !p->sys_path[0])
        return invalid(err, errlen, "port %s: frozen entry and sys.path needed", p->name);
    return 0;
}

/* Timer, ADC and PWM (periph.h): a table, ADC inputs on pins of the
 * board, widths the conversions take, a PWM range that holds its default. */
static int validate_periph(const vb_port *p, char *err, size_t errlen)
{
    const vb_port_periph *pp = p->periph;
    if (!pp) return invalid(err, errlen, "port %s: no Timer/ADC/PWM table", p->name);
    for (unsigned i = 0; i < pp->n_adc_inputs; i++)
        if (!vb_port_pin_by_gpio(p, pp->adc_inputs[i].gpio))
            return invalid(err, errlen, "port %s: ADC input on GPIO%u, which is no pin of the board", p->name,
                           pp->adc_inputs[i].gpio);
    if (pp->adc_min_bits < 8 || pp->adc_min_bits > pp->adc_bits || pp->adc_bits > 16)
        return invalid(err, errlen, "port %s: ADC widths must be 8..16 bits", p->name);
    if (!pp->pwm_channels || pp->pwm_channels > VB_PINS_MAX || !pp->pwm_freq_min ||
        pp->pwm_freq_min > pp->pwm_freq_max ||
        (pp->pwm_freq_default && (pp->pwm_freq_default < pp->pwm_freq_min || pp->pwm_freq_default > pp->pwm_freq_max)))
        return invalid(err, errlen, "port %s: PWM channels or frequency range out of order", p->name);
    return 0;
}

int vb_port_validate(const vb_port *p, char *err, size_t errlen)
{
    if (!p || !filled(p->name) || !filled(p->module))
        return invalid(err, errlen, "port has no name or module");
    if ((unsigned)p->id >= VB_PORT_COUNT)
        return invalid(err, errlen, "port %s: id %d is no known port's (the engine has no flavour "
                       "for it)", p->name, (int)p->id);
    if (!p->cpu_freq_hz || !p->unique_id_len || p->unique_id_len > 32)
        return invalid(err, errlen, "port %s: needs a CPU frequency and a unique id of 1..32 bytes",
                       p->name);
    if (!filled(p->soft_reboot_line))
        return invalid(err, errlen, "port %s: no soft reboot line", p->name);
    size_t n = strlen(p->soft_reboot_line);
    if (n < 13 || strcmp(p->soft_reboot_line + n - 13, "soft reboot\r\n") != 0)
        return invalid(err, errlen, "port %s: the soft reboot line must end in \"soft reboot\\r\\n\" "
                       "(repl.md §2.1)", p->name);
    int rc = validate_ident(p, &p->ident, err, errlen);
    if (rc == 0)
        rc = validate_consts(p, err, errlen);
    if (rc == 0)
        rc = validate_pins(p, err, errlen);
    if (rc == 0)
        rc = validate_fs(p, err, errlen);
    if (rc == 0)
        rc = validate_periph(p, err, errlen);
    return rc;
}
