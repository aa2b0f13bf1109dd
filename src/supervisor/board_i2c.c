/* The board's I2C buses (issue 16): the devices the host attached
 * (--i2c) live here, never in the VM; the VM's bus traffic arrives on the
 * I2C line (contract/busmsg.h), every request checked as hostile input
 * (bus/i2cbus.h), each answered at once without ever blocking. The host
 * sets what the sensor measures and saves what the display shows. */
#include "board_int.h"

#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus/i2cbus.h"

#define REQUESTS_PER_TURN 64        /* then the loop serves everything else */
/* Transactions traced per run: a polling loop must not fill the trace's
 * cap with bus traffic and push out the resets and pins. */
#define BOARD_I2C_TRACE_MAX 1000u

int board_i2c_init(board *b, char *err, size_t errlen)
{
    b->i2c = malloc(sizeof *b->i2c);
    if (!b->i2c || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, b->i2c_line) < 0) {
        snprintf(err, errlen, "cannot set up the board's I2C line: %s", strerror(errno));
        return -1;
    }
    fcntl(b->i2c_line[0], F_SETFL, fcntl(b->i2c_line[0], F_GETFL) | O_NONBLOCK);
    vb_i2c_buses_init(b->i2c, b->cfg->i2c_devs, b->cfg->n_i2c_devs);
    if (board_spi_init(b, err, errlen) < 0) return -1;   /* the SPI buses share the line */
    return board_pixels_init(b, err, errlen);           /* and so do the pixel strips */
}

void board_i2c_free(board *b)
{
    for (int i = 0; i < 2; i++)
        if (b->i2c_line[i] >= 0) close(b->i2c_line[i]);
    b->i2c_line[0] = b->i2c_line[1] = -1;
    free(b->i2c);
    b->i2c = NULL;
    board_spi_free(b);
    board_pixels_free(b);
}

void board_i2c_release(board *b)
{
    if (!b->i2c) return;
    vb_bus_req req;
    while (recv(b->i2c_line[0], &req, sizeof req, MSG_DONTWAIT) >= 0) {}
    vb_i2c_buses_release(b->i2c);
    board_spi_release(b);
    board_pixels_release(b);
    board_devscript_release(b);
}

void board_i2c_power_loss(board *b)
{
    board_spi_power_loss(b);       /* first: a transfer the cut interrupts is lost, not ended by CS rising */
    board_i2c_release(b);
    if (b->i2c) vb_i2c_buses_power_loss(b->i2c);
    board_pixels_power_loss(b);
}

/* A request that addresses a device (a START, then the address byte) in
 * the trace: the address, the direction, whether it was ACKed, the bytes
 * of this request. */
static void trace_request(board *b, const vb_bus_req *req, const vb_bus_rep *rep)
{
    if (!b->trace || rep->err || !(req->flags & VB_BUS_START) || req->nwrite == 0) return;
    if (b->i2c_traced >= BOARD_I2C_TRACE_MAX) {
        if (b->i2c_traced++ == BOARD_I2C_TRACE_MAX) {
            char f[32];
            snprintf(f, sizeof f, ",\"max\":%u", BOARD_I2C_TRACE_MAX);
            board_trace(b, "i2c_trace_capped", f);
        }
        return;
    }
    b->i2c_traced++;
    char f[128];
    uint8_t a = req->data[0];
    snprintf(f, sizeof f, ",\"bus\":%u,\"addr\":%u,\"dir\":\"%s\",\"ack\":%s,\"write\":%u,\"read\":%u%s",
             req->bus, a >> 1, a & 1 ? "r" : "w", rep->acks ? "true" : "false",
             req->nwrite > 0 ? req->nwrite - 1u : 0u, req->nread, req->flags & VB_BUS_STOP ? ",\"stop\":true" : "");
    board_trace(b, "i2c", f);
}

void board_i2c_answer(board *b, const vb_bus_req *req, const vb_bus_rep *rep)
{
    trace_request(b, req, rep);
    /* a VM that does not read its answers fills the line: it loses them */
    (void)send(b->i2c_line[0], rep, sizeof *rep, MSG_DONTWAIT | MSG_NOSIGNAL);
}

void board_i2c_service(board *b)
{
    /* a request parked for a script device is answered first, in order */
    for (int i = 0; i < REQUESTS_PER_TURN && !board_devscript_parked(b); i++) {
        vb_bus_req req;
        vb_bus_rep rep;
        memset(&req, 0, sizeof req);
        /* MSG_TRUNC: the real length, so an oversized datagram is refused */
        ssize_t n = recv(b->i2c_line[0], &req, sizeof req, MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0) return;
        if (!board_firmware_runs(b)) continue;   /* the VM that sent it is gone */
        if (req.kind == VB_BUS_KIND_SPI || req.kind == VB_BUS_KIND_BITSTREAM) {
            if (req.kind == VB_BUS_KIND_SPI) board_spi_serve(b, &req, (size_t)n, &rep);
            else board_pixels_serve(b, &req, (size_t)n, &rep);
            /* a VM that does not read its answers fills the line: it loses them */
            (void)send(b->i2c_line[0], &rep, sizeof rep, MSG_DONTWAIT | MSG_NOSIGNAL);
            continue;
        }
        bool read;
        int dev = vb_i2c_script_target(b->i2c, &req, (size_t)n, &read);
        if (dev >= 0) {
            board_devscript_call(b, &req, (unsigned)dev, read);
            continue;
        }
        vb_i2c_serve(b->i2c, &req, (size_t)n, board_now_us(b), &rep);
        board_i2c_answer(b, &req, &rep);
    }
}

/* ---- control: i2c, sensor, screenshot --------------------------------------- */

static const char *str_field(const vb_json_obj *req, const char *key)
{
    const vb_json_field *f = vb_json_get(req, key);
    return f && f->type == VB_JSON_STRING ? f->str : NULL;
}

const char *board_i2c_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    (void)req, (void)err, (void)errlen;
    char arr[VB_I2C_DEVS_MAX * 1600 + 3], script[1500];
    size_t k = 0;
    arr[k++] = '[';
    for (unsigned i = 0; i < b->i2c->n; i++) {
        const vb_i2c_dev *d = &b->i2c->dev[i];
        script[0] = '\0';
        if (d->model == VB_I2C_SCRIPT) board_devscript_describe(b, i, script, sizeof script);
        k += (size_t)snprintf(arr + k, sizeof arr - k, "%s{\"bus\":%u,\"addr\":%u,\"model\":\"%s\"%s}",
                              i ? "," : "", d->bus, d->addr, vb_i2c_model_name(d->model), script);
    }
    snprintf(arr + k, sizeof arr - k, "]");
    vb_json_raw(out, "devices", arr);
    vb_json_uint(out, "requests", b->i2c->requests);
    vb_json_uint(out, "malformed", b->i2c->malformed);
    vb_json_uint(out, "nacks", b->i2c->nacks);
    return NULL;
}

/* The device of model `model` at the request's "addr" (any bus), or the
 * only one of that model when no address is given; NULL with err. */
static vb_i2c_dev *device(board *b, const vb_json_obj *req, vb_i2c_model_id model, char *err, size_t errlen)
{
    const char *a = str_field(req, "addr");
    vb_i2c_dev *found = NULL;
    unsigned long addr = 0;
    if (a) {
        char *end;
        addr = strtoul(a, &end, 0);
        if (!*a || *end || addr > 0x7F) {
            snprintf(err, errlen, "'%.20s' is not a device address (e.g. 0x44)", a);
            return NULL;
        }
    }
    for (unsigned i = 0; i < b->i2c->n; i++) {
        vb_i2c_dev *d = &b->i2c->dev[i];
        if (d->model == model && (!a || d->addr == addr)) {
            found = d;
            break;
        }
    }
    if (!found)
        snprintf(err, errlen, "no %s %s%.20s on the board's I2C buses (attach one with --i2c BUS:ADDR=%s)",
                 vb_i2c_model_name(model), a ? "at " : "", a ? a : "", vb_i2c_model_name(model));
    return found;
}

/* A decimal number of milli-units in [lo, hi] (e.g. "21.5" → 21500). */
static bool parse_milli(const char *s, double lo, double hi, int32_t *v)
{
    char *end;
    double x = s ? strtod(s, &end) : 0;
    if (!s || end == s || *end || !(x >= lo && x <= hi)) return false;
    *v = (int32_t)(x * 1000.0 + (x < 0 ? -0.5 : 0.5));
    return true;
}

const char *board_sensor_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    vb_i2c_dev *d = device(b, req, VB_I2C_SHT3X, err, errlen);
    if (!d) return err;
    vb_sht3x *s = &d->u.sht3x;
    const char *t = str_field(req, "temp"), *h = str_field(req, "hum");
    int32_t tm = s->temp_mc, hm = (int32_t)s->hum_mpct;
    if (t && !parse_milli(t, -45, 130, &tm)) return "sensor takes a temperature from -45 to 130 (°C)";
    if (h && !parse_milli(h, 0, 100, &hm)) return "sensor takes a relative humidity from 0 to 100 (%)";
    vb_sht3x_set(s, tm, (uint32_t)hm);
    if (t || h) {
        char f[96];
        snprintf(f, sizeof f, ",\"addr\":%u,\"temp_mc\":%d,\"hum_mpct\":%u", d->addr, (int)s->temp_mc, s->hum_mpct);
        board_trace(b, "sensor", f);
    }
    char v[32];
    vb_json_uint(out, "addr", d->addr);
    snprintf(v, sizeof v, "%.3f", s->temp_mc / 1000.0);
    vb_json_raw(out, "temp", v);
    snprintf(v, sizeof v, "%.3f", s->hum_mpct / 1000.0);
    vb_json_raw(out, "hum", v);
    return NULL;
}

/* What the display shows as an 8-bit greyscale PNG (lit 255, dark 0),
 * with Debian's libpng. 0, or -1 with err. */
static int write_png(const char *path, const uint8_t px[VB_SSD1306_H][VB_SSD1306_W], char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "cannot write %.200s: %s", path, strerror(errno));
        return -1;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    /* volatile: the row buffer must survive libpng's longjmp on error */
    uint8_t (*volatile rows)[VB_SSD1306_W] = malloc(VB_SSD1306_H * VB_SSD1306_W);
    if (!png || !info || !rows || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(rows);
        fclose(f);
        snprintf(err, errlen, "cannot write %.200s as a PNG", path);
        return -1;
    }
    for (unsigned y = 0; y < VB_SSD1306_H; y++)
        for (unsigned x = 0; x < VB_SSD1306_W; x++) rows[y][x] = px[y][x] ? 255 : 0;
    png_init_io(png, f);
    png_set_IHDR(png, info, VB_SSD1306_W, VB_SSD1306_H, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (unsigned y = 0; y < VB_SSD1306_H; y++) png_write_row(png, rows[y]);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    if (fclose(f) != 0) {
        snprintf(err, errlen, "cannot write %.200s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

const char *board_screenshot_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    const char *path = str_field(req, "file");
    if (!path || !*path) return "screenshot takes a file to write (screenshot FILE.png [ADDR|spi:BUS:CS])";
    const char *a = str_field(req, "addr");
    const vb_ssd1306 *oled;
    unsigned addr = 0, bus = 0, cs = 0;
    bool spi = a ? strncmp(a, "spi", 3) == 0 : !device(b, req, VB_I2C_SSD1306, err, errlen);
    if (spi) {                     /* named, or no display on I2C */
        if (!(oled = board_spi_oled(b, a, &bus, &cs, err, errlen))) return err;
    } else {
        vb_i2c_dev *d = device(b, req, VB_I2C_SSD1306, err, errlen);
        if (!d) return err;
        oled = &d->u.oled;
        addr = d->addr;
    }
    uint8_t px[VB_SSD1306_H][VB_SSD1306_W];
    vb_ssd1306_render(oled, px);
    if (write_png(path, (const uint8_t(*)[VB_SSD1306_W])px, err, errlen) < 0) return err;
    unsigned lit = 0;
    for (unsigned y = 0; y < VB_SSD1306_H; y++)
        for (unsigned x = 0; x < VB_SSD1306_W; x++) lit += px[y][x];
    vb_json_str(out, "file", path);
    if (spi) {
        vb_json_uint(out, "bus", bus);
        vb_json_uint(out, "cs", cs);
    } else {
        vb_json_uint(out, "addr", addr);
    }
    vb_json_bool(out, "on", oled->on);
    vb_json_uint(out, "lit", lit);
    return NULL;
}
