/* The board's SPI buses (bus/spibus.h): the bytes each device sees while
 * its chip select is low. Both models take SPI modes 0 and 3, MSB first,
 * 8-bit words; LSB-first bytes reach them bit-reversed, as on the wires,
 * and bytes clocked in modes 1 and 2 or in other word sizes are noise to
 * them (counted as ignored; MISO stays high). */
#include "spibus.h"
#include "i2cdev_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HIZ 0xFFu
#define PIN_MASK ((1ull << VB_SPI_PINS) - 1u)

static const char *const names[VB_SPI_MODELS] = {"ssd1306", "eeprom25"};

int vb_spi_model_by_name(const char *name, vb_spi_model_id *id)
{
    for (unsigned i = 0; i < VB_SPI_MODELS; i++)
        if (strcmp(names[i], name) == 0) {
            *id = (vb_spi_model_id)i;
            return 0;
        }
    return -1;
}

const char *vb_spi_model_name(vb_spi_model_id id) { return id < VB_SPI_MODELS ? names[id] : "?"; }

/* ---- --spi ------------------------------------------------------------------ */

static int parse_pin(const char *s, const char *what, char *err, size_t errlen)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v >= VB_SPI_PINS) {
        snprintf(err, errlen, "%s pin '%s' is not a GPIO number 0 to %u", what, s, VB_SPI_PINS - 1);
        return -1;
    }
    return (int)v;
}

static int parse_one(const char *s, size_t len, vb_spi_attach *a, char *err, size_t errlen)
{
    char buf[96];
    if (len >= sizeof buf) len = sizeof buf - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *colon = strchr(buf, ':'), *eq = strchr(buf, '=');
    if (!colon || !eq || eq < colon) {
        snprintf(err, errlen, "'%s' is not BUS:CS=MODEL[:dc=PIN][:res=PIN]", buf);
        return -1;
    }
    *colon = *eq = '\0';
    char *end;
    unsigned long bus = strtoul(buf, &end, 10);
    if (!*buf || *end || bus >= VB_SPI_BUSES) {
        snprintf(err, errlen, "bus '%s' is not an SPI id 0 to %u", buf, VB_SPI_BUSES - 1);
        return -1;
    }
    int cs = parse_pin(colon + 1, "chip-select", err, errlen);
    if (cs < 0) return -1;
    char *opts = strchr(eq + 1, ':');
    if (opts) *opts++ = '\0';
    if (vb_spi_model_by_name(eq + 1, &a->model) < 0) {
        snprintf(err, errlen, "no SPI device model '%s' (ssd1306, eeprom25)", eq + 1);
        return -1;
    }
    a->bus = (uint8_t)bus;
    a->cs = (uint8_t)cs;
    a->dc = a->res = -1;
    while (opts && *opts) {
        char *next = strchr(opts, ':');
        if (next) *next++ = '\0';
        int8_t *slot = strncmp(opts, "dc=", 3) == 0 ? &a->dc : strncmp(opts, "res=", 4) == 0 ? &a->res : NULL;
        if (!slot || a->model != VB_SPI_SSD1306) {
            snprintf(err, errlen, "'%s' is not an option of %s%s", opts, names[a->model],
                     a->model == VB_SPI_SSD1306 ? " (dc=PIN, res=PIN)" : " (it takes none)");
            return -1;
        }
        int pin = parse_pin(strchr(opts, '=') + 1, opts[0] == 'd' ? "D/C" : "reset", err, errlen);
        if (pin < 0) return -1;
        if (pin == cs) {
            snprintf(err, errlen, "pin %d cannot be both chip select and %s", pin, opts[0] == 'd' ? "D/C" : "reset");
            return -1;
        }
        *slot = (int8_t)pin;
        opts = next;
    }
    if (a->model == VB_SPI_SSD1306 && a->dc < 0) {
        snprintf(err, errlen, "ssd1306 at CS %d needs its D/C pin (:dc=PIN)", cs);
        return -1;
    }
    return 0;
}

int vb_spi_parse_attach(const char *spec, vb_spi_attach *out, unsigned max, unsigned *n, char *err, size_t errlen)
{
    for (const char *p = spec;;) {
        size_t len = strcspn(p, ",");
        vb_spi_attach a;
        if (parse_one(p, len, &a, err, errlen) < 0) return -1;
        for (unsigned i = 0; i < *n; i++)
            if (out[i].cs == a.cs) {
                snprintf(err, errlen, "two devices with chip select %u", a.cs);
                return -1;
            }
        if (*n >= max) {
            snprintf(err, errlen, "at most %u SPI devices", max);
            return -1;
        }
        out[(*n)++] = a;
        if (!p[len]) return 0;
        p += len + 1;
    }
}

/* ---- the devices -------------------------------------------------------------- */

static void dev_power_up(vb_spi_dev *d)
{
    if (d->at.model == VB_SPI_SSD1306) vb_ssd1306_init(&d->u.oled);
    else vb_eeprom25_init(&d->u.ee);
    d->selected = false;
}

void vb_spi_buses_init(vb_spi_buses *b, const vb_spi_attach *a, unsigned n)
{
    memset(b, 0, sizeof *b);
    for (unsigned i = 0; i < n && b->n < VB_SPI_DEVS_MAX; i++) {
        if (a[i].cs >= VB_SPI_PINS || a[i].dc >= (int)VB_SPI_PINS || a[i].res >= (int)VB_SPI_PINS ||
            a[i].model >= VB_SPI_MODELS)
            continue;              /* not what vb_spi_parse_attach gives */
        b->dev[b->n].at = a[i];
        dev_power_up(&b->dev[b->n++]);
    }
}

static void dev_select(vb_spi_dev *d)
{
    d->selected = true;
    if (d->at.model == VB_SPI_EEPROM25) vb_eeprom25_select(&d->u.ee);
}

static void dev_deselect(vb_spi_dev *d, uint64_t now_us)
{
    d->selected = false;
    if (d->at.model == VB_SPI_EEPROM25) vb_eeprom25_deselect(&d->u.ee, now_us);
}

static uint8_t dev_byte(vb_spi_dev *d, uint8_t mosi, uint64_t levels, uint64_t now_us)
{
    if (d->at.model == VB_SPI_EEPROM25) return vb_eeprom25_byte(&d->u.ee, mosi, now_us);
    if (d->at.dc >= 0 && (levels >> d->at.dc & 1)) vb_ssd1306_data(&d->u.oled, mosi);   /* D/C# high: data */
    else vb_ssd1306_command(&d->u.oled, mosi);
    return HIZ;                    /* the SSD1306 has no MISO over SPI */
}

void vb_spi_buses_release(vb_spi_buses *b, uint64_t now_us)
{
    for (unsigned i = 0; i < b->n; i++)
        if (b->dev[i].selected) dev_deselect(&b->dev[i], now_us);
    if (now_us > b->last_us) b->last_us = now_us;
}

void vb_spi_buses_power_loss(vb_spi_buses *b)
{
    for (unsigned i = 0; i < b->n; i++) {
        vb_spi_dev *d = &b->dev[i];
        d->selected = false;
        if (d->at.model == VB_SPI_EEPROM25) {
            vb_eeprom25 *e = &d->u.ee;
            e->status &= VB_EE25_BP | VB_EE25_WPEN;   /* WEL resets at power-up */
            e->busy_until_us = 0;  /* a torn write cycle: the page is as the model left it */
            vb_eeprom25_select(e);
        } else {
            dev_power_up(d);
        }
    }
}

vb_spi_dev *vb_spi_find(vb_spi_buses *b, unsigned bus, unsigned cs)
{
    for (unsigned i = 0; i < b->n; i++)
        if (b->dev[i].at.bus == bus && b->dev[i].at.cs == cs) return &b->dev[i];
    return NULL;
}

/* ---- requests ------------------------------------------------------------------ */

bool vb_spi_req_ok(const vb_spi_req *r, size_t n)
{
    return n == sizeof *r && r->magic == VB_BUS_MAGIC && r->kind == VB_BUS_KIND_SPI && r->bus < VB_SPI_BUSES &&
           !(r->mode & ~VB_SPI_MODE_BITS) && r->bits >= 1 && r->bits <= 32 && r->n <= VB_SPI_DATA_MAX;
}

static uint8_t reverse(uint8_t v)
{
    v = (uint8_t)((v & 0xF0) >> 4 | (v & 0x0F) << 4);
    v = (uint8_t)((v & 0xCC) >> 2 | (v & 0x33) << 2);
    return (uint8_t)((v & 0xAA) >> 1 | (v & 0x55) << 1);
}

/* Each CS and RES as the pins say: a rise since the last request ends a
 * transaction even when CS is low again; a RES low resets the display. A
 * pin nobody drives is high (the modules' pull-ups on CS and RES). */
static void apply_pins(vb_spi_buses *b, const vb_spi_req *req, uint64_t now_us)
{
    uint64_t levels = (req->levels | req->floating) & PIN_MASK, rose = req->rose & PIN_MASK, fell = req->fell & PIN_MASK;
    uint64_t rose_us = req->rose_us >= b->last_us && req->rose_us <= now_us ? req->rose_us : now_us;
    for (unsigned i = 0; i < b->n; i++) {
        vb_spi_dev *d = &b->dev[i];
        uint64_t cs = 1ull << d->at.cs;
        if (d->selected && (rose & cs)) dev_deselect(d, rose_us);
        if (d->at.model == VB_SPI_SSD1306 && d->at.res >= 0 && ((fell | ~levels) & (1ull << d->at.res))) {
            vb_ssd1306_init(&d->u.oled);
            d->selected = false;
        }
        if (!(levels & cs) && !d->selected) dev_select(d);
        else if ((levels & cs) && d->selected) dev_deselect(d, now_us);
    }
}

void vb_spi_serve(vb_spi_buses *b, const vb_spi_req *req, size_t n, uint64_t now_us, vb_bus_rep *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->magic = VB_BUS_MAGIC;
    rep->seq = n >= 8 ? req->seq : 0;
    b->requests++;
    if (!vb_spi_req_ok(req, n)) {
        b->malformed++;
        rep->err = EINVAL;
        return;
    }
    apply_pins(b, req, now_us);
    b->last_us = now_us;
    /* modes 0 and 3 (CPOL == CPHA), 8-bit words: what both parts take */
    bool understood = ((req->mode & VB_SPI_CPOL) != 0) == ((req->mode & VB_SPI_CPHA) != 0) && req->bits == 8;
    bool lsb = req->mode & VB_SPI_LSB_FIRST;
    uint64_t levels = req->levels & PIN_MASK;
    for (unsigned k = 0; k < req->n; k++) {
        uint8_t miso = HIZ, mosi = lsb ? reverse(req->data[k]) : req->data[k];
        for (unsigned i = 0; i < b->n; i++) {
            vb_spi_dev *d = &b->dev[i];
            if (!d->selected || d->at.bus != req->bus) continue;
            if (!understood) {
                b->ignored++;
                continue;
            }
            miso &= dev_byte(d, mosi, levels, now_us);   /* two drivers: the lows win */
        }
        rep->data[k] = lsb ? reverse(miso) : miso;
    }
    rep->nread = req->n;
    rep->acks = req->n;
    b->bytes += req->n;
}
