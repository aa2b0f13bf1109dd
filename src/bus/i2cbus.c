/* The board's I2C buses (bus/i2cbus.h): bytes on the wires, as each
 * device on a bus sees them. */
#include "i2cbus.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_one(const char *s, size_t len, vb_i2c_attach *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    char buf[32 + VB_I2C_SCRIPT_PATH_MAX];
    if (len >= sizeof buf) len = sizeof buf - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *colon = strchr(buf, ':'), *eq = strchr(buf, '=');
    if (!colon || !eq || eq < colon) {
        snprintf(err, errlen, "'%s' is not BUS:ADDR=MODEL", buf);
        return -1;
    }
    *colon = *eq = '\0';
    char *end;
    unsigned long bus = strtoul(buf, &end, 10);
    if (!*buf || *end || bus >= VB_I2C_BUSES) {
        snprintf(err, errlen, "bus '%s' is not 0 to %u", buf, VB_I2C_BUSES - 1);
        return -1;
    }
    unsigned long addr = strtoul(colon + 1, &end, 0);
    if (!colon[1] || *end || addr < 0x08 || addr > 0x77) {
        snprintf(err, errlen, "address '%s' is not a 7-bit device address (0x08 to 0x77)", colon + 1);
        return -1;
    }
    if (strncmp(eq + 1, "script:", 7) == 0) {
        a->model = VB_I2C_SCRIPT;
        if (!eq[8] || strlen(eq + 8) >= sizeof a->script) {
            snprintf(err, errlen, "script:PATH needs the device's Python file (a path under %u bytes)",
                     VB_I2C_SCRIPT_PATH_MAX);
            return -1;
        }
        snprintf(a->script, sizeof a->script, "%s", eq + 8);
    } else if (vb_i2c_model_by_name(eq + 1, &a->model) < 0 || a->model == VB_I2C_SCRIPT) {
        snprintf(err, errlen, "no device model '%.40s' (eeprom, sht3x, ssd1306, script:PATH.py)", eq + 1);
        return -1;
    }
    a->bus = (uint8_t)bus;
    a->addr = (uint8_t)addr;
    return 0;
}

int vb_i2c_parse_attach(const char *spec, vb_i2c_attach *out, unsigned max, unsigned *n, char *err, size_t errlen)
{
    for (const char *p = spec;;) {
        size_t len = strcspn(p, ",");
        vb_i2c_attach a;
        if (parse_one(p, len, &a, err, errlen) < 0) return -1;
        for (unsigned i = 0; i < *n; i++)
            if (out[i].bus == a.bus && out[i].addr == a.addr) {
                snprintf(err, errlen, "two devices at 0x%02x on bus %u", a.addr, a.bus);
                return -1;
            }
        if (*n >= max) {
            snprintf(err, errlen, "at most %u devices", max);
            return -1;
        }
        out[(*n)++] = a;
        if (!p[len]) return 0;
        p += len + 1;
    }
}

void vb_i2c_buses_init(vb_i2c_buses *b, const vb_i2c_attach *a, unsigned n)
{
    memset(b, 0, sizeof *b);
    for (unsigned i = 0; i < n && i < VB_I2C_DEVS_MAX; i++) {
        vb_i2c_dev *d = &b->dev[b->n++];
        vb_i2c_dev_init(d, a[i].model, a[i].bus, a[i].addr);
        if (a[i].model == VB_I2C_SHT3X && a[i].reading) vb_sht3x_set(&d->u.sht3x, a[i].temp_mc, a[i].hum_mpct);
    }
    vb_i2c_buses_release(b);
}

void vb_i2c_buses_release(vb_i2c_buses *b)
{
    for (unsigned i = 0; i < VB_I2C_BUSES; i++) {
        b->bus[i].phase = VB_I2C_IDLE;
        b->bus[i].cur = -1;
    }
}

void vb_i2c_buses_power_loss(vb_i2c_buses *b)
{
    for (unsigned i = 0; i < b->n; i++) {
        vb_i2c_dev *d = &b->dev[i];
        if (d->model == VB_I2C_EEPROM) {
            d->u.eeprom.writing = false;
            d->u.eeprom.page_dirty = 0;
            d->u.eeprom.busy_until_us = 0;
        } else if (d->model == VB_I2C_SHT3X) {
            int32_t t = d->u.sht3x.temp_mc;
            uint32_t h = d->u.sht3x.hum_mpct;
            vb_i2c_dev_init(d, d->model, d->bus, d->addr);
            vb_sht3x_set(&d->u.sht3x, t, h);
        } else {
            vb_i2c_dev_init(d, d->model, d->bus, d->addr);
        }
    }
    vb_i2c_buses_release(b);
}

vb_i2c_dev *vb_i2c_find(vb_i2c_buses *b, unsigned bus, unsigned addr)
{
    for (unsigned i = 0; i < b->n; i++)
        if (b->dev[i].bus == bus && b->dev[i].addr == addr) return &b->dev[i];
    return NULL;
}

bool vb_i2c_req_ok(const vb_bus_req *r, size_t n)
{
    return n == sizeof *r && r->magic == VB_BUS_MAGIC && r->kind == VB_BUS_KIND_I2C && r->bus < VB_I2C_BUSES &&
           !(r->flags & ~VB_BUS_FLAGS) && r->nwrite <= VB_BUS_DATA_MAX && r->nread <= VB_BUS_DATA_MAX;
}

/* One byte the master writes: ACKed or not. */
static bool write_byte(vb_i2c_buses *b, unsigned bus, uint8_t byte, uint64_t now_us, uint32_t *stretch_us)
{
    switch (b->bus[bus].phase) {
    case VB_I2C_ADDRESS: {
        vb_i2c_dev *d = vb_i2c_find(b, bus, byte >> 1);
        bool read = byte & 1;
        if (!d || !vb_i2c_dev_start(d, read, now_us, stretch_us)) {
            b->bus[bus].phase = VB_I2C_IGNORED;
            b->bus[bus].cur = -1;
            return false;
        }
        b->bus[bus].cur = (int)(d - b->dev);
        b->bus[bus].phase = read ? VB_I2C_READING : VB_I2C_WRITING;
        return true;
    }
    case VB_I2C_WRITING: return vb_i2c_dev_write(&b->dev[b->bus[bus].cur], byte, now_us);
    default: return false;         /* a reading device or nobody: SDA stays high */
    }
}

void vb_i2c_serve(vb_i2c_buses *b, const vb_bus_req *req, size_t n, uint64_t now_us, vb_bus_rep *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->magic = VB_BUS_MAGIC;
    rep->seq = n >= 8 ? req->seq : 0;
    b->requests++;
    if (!vb_i2c_req_ok(req, n)) {
        b->malformed++;
        rep->err = EINVAL;
        return;
    }
    unsigned bus = req->bus;
    if (req->flags & VB_BUS_START) b->bus[bus].phase = VB_I2C_ADDRESS;
    for (unsigned i = 0; i < req->nwrite; i++) {
        uint32_t stretch = 0;
        bool ack = write_byte(b, bus, req->data[i], now_us, &stretch);
        rep->stretch_us += stretch;
        now_us += stretch;         /* the bus waited: later bytes come then */
        if (!ack) {
            b->nacks++;
            break;
        }
        rep->acks++;
    }
    bool reading = b->bus[bus].phase == VB_I2C_READING;
    for (unsigned i = 0; i < req->nread; i++)
        rep->data[i] = reading ? vb_i2c_dev_read(&b->dev[b->bus[bus].cur], now_us) : 0xFF;
    rep->nread = req->nread;
    if (req->flags & VB_BUS_STOP) {
        int cur = b->bus[bus].cur;
        if (cur >= 0) vb_i2c_dev_stop(&b->dev[cur], now_us);
        b->bus[bus].phase = VB_I2C_IDLE;
        b->bus[bus].cur = -1;
    }
}

/* Is this request's first byte an address (a START in it, or one before
 * it with nothing written since, as SoftI2C's start() then write() do)? */
bool vb_i2c_addressing(const vb_i2c_buses *b, const vb_bus_req *req)
{
    return req->nwrite > 0 && ((req->flags & VB_BUS_START) || b->bus[req->bus].phase == VB_I2C_ADDRESS);
}

int vb_i2c_script_target(const vb_i2c_buses *b, const vb_bus_req *req, size_t n, bool *read)
{
    if (!vb_i2c_req_ok(req, n)) return -1;
    unsigned bus = req->bus;
    int dev = -1;
    if (vb_i2c_addressing(b, req)) {
        for (unsigned i = 0; i < b->n; i++)
            if (b->dev[i].bus == bus && b->dev[i].addr == req->data[0] >> 1) dev = (int)i;
        *read = req->data[0] & 1;
    } else if (!(req->flags & VB_BUS_START) &&
               (b->bus[bus].phase == VB_I2C_WRITING || b->bus[bus].phase == VB_I2C_READING)) {
        dev = b->bus[bus].cur;
        *read = b->bus[bus].phase == VB_I2C_READING;
    }
    return dev >= 0 && b->dev[dev].model == VB_I2C_SCRIPT ? dev : -1;
}

void vb_i2c_script_finish(vb_i2c_buses *b, const vb_bus_req *req, unsigned dev, unsigned acks,
                          const uint8_t *rd, vb_bus_rep *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->magic = VB_BUS_MAGIC;
    rep->seq = req->seq;
    b->requests++;
    unsigned bus = req->bus;
    if (acks > req->nwrite) acks = req->nwrite;
    if (vb_i2c_addressing(b, req)) {
        bool read = req->data[0] & 1;
        b->bus[bus].phase = acks == 0 ? VB_I2C_IGNORED : read ? VB_I2C_READING : VB_I2C_WRITING;
        b->bus[bus].cur = acks == 0 ? -1 : (int)dev;
    }
    if (acks < req->nwrite) b->nacks++;
    rep->acks = (uint16_t)acks;
    rep->nread = req->nread;
    if (rd) memcpy(rep->data, rd, req->nread);
    else memset(rep->data, 0xFF, req->nread);
    if (req->flags & VB_BUS_STOP) {
        b->bus[bus].phase = VB_I2C_IDLE;
        b->bus[bus].cur = -1;
    }
}
