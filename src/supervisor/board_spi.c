/* The board's SPI buses (issue 16): the devices the host attached (--spi)
 * live here, never in the VM. Their requests come on the bus line that
 * board_i2c.c serves (kind VB_BUS_KIND_SPI); each is checked as hostile input
 * (bus/spibus.h) and answered at once. The pin levels in a request are the
 * VM's claims: they decide what the devices see, nothing else. */
#include "board_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/spibus.h"

/* Transfers traced per run: a display refresh loop must not fill the
 * trace's cap with bus traffic and push out the resets and pins. */
#define BOARD_SPI_TRACE_MAX 1000u

int board_spi_init(board *b, char *err, size_t errlen)
{
    b->spi = malloc(sizeof *b->spi);
    if (!b->spi) {
        snprintf(err, errlen, "cannot set up the board's SPI buses: %s", strerror(errno));
        return -1;
    }
    vb_spi_buses_init(b->spi, b->cfg->spi_devs, b->cfg->n_spi_devs);
    return 0;
}

void board_spi_free(board *b)
{
    free(b->spi);
    b->spi = NULL;
}

void board_spi_release(board *b)
{
    if (b->spi) vb_spi_buses_release(b->spi, board_now_us(b));
}

void board_spi_power_loss(board *b)
{
    if (b->spi) vb_spi_buses_power_loss(b->spi);
}

/* A transfer in the trace: the bus, the devices it reached (their chip
 * selects), the bytes, the mode. */
static void trace_transfer(board *b, const vb_spi_req *req, const vb_bus_rep *rep)
{
    if (!b->trace || rep->err) return;
    if (b->spi_traced >= BOARD_SPI_TRACE_MAX) {
        if (b->spi_traced++ == BOARD_SPI_TRACE_MAX) {
            char f[32];
            snprintf(f, sizeof f, ",\"max\":%u", BOARD_SPI_TRACE_MAX);
            board_trace(b, "spi_trace_capped", f);
        }
        return;
    }
    b->spi_traced++;
    char cs[VB_SPI_DEVS_MAX * 4 + 3];
    size_t k = 0;
    cs[k++] = '[';
    for (unsigned i = 0; i < b->spi->n; i++) {
        const vb_spi_dev *d = &b->spi->dev[i];
        if (d->selected && d->at.bus == req->bus)
            k += (size_t)snprintf(cs + k, sizeof cs - k, "%s%u", k > 1 ? "," : "", d->at.cs);
    }
    snprintf(cs + k, sizeof cs - k, "]");
    char f[160];
    snprintf(f, sizeof f, ",\"bus\":%u,\"cs\":%s,\"bytes\":%u,\"mode\":%u", req->bus, cs, req->n,
             req->mode & (VB_SPI_CPOL | VB_SPI_CPHA));
    board_trace(b, "spi", f);
}

void board_spi_serve(board *b, const vb_bus_req *req, size_t n, vb_bus_rep *rep)
{
    /* the same record read as its kind lays it out (contract/busmsg.h) */
    vb_spi_req sreq;
    memcpy(&sreq, req, sizeof sreq);
    vb_spi_serve(b->spi, &sreq, n, board_now_us(b), rep);
    trace_transfer(b, &sreq, rep);
}

/* ---- control: spi, the SPI display --------------------------------------------- */

const char *board_spi_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    (void)req, (void)err, (void)errlen;
    char arr[VB_SPI_DEVS_MAX * 96 + 3];
    size_t k = 0;
    arr[k++] = '[';
    for (unsigned i = 0; i < b->spi->n; i++) {
        const vb_spi_dev *d = &b->spi->dev[i];
        char pins[32] = "";
        if (d->at.dc >= 0) snprintf(pins, sizeof pins, ",\"dc\":%d", d->at.dc);
        if (d->at.res >= 0) snprintf(pins + strlen(pins), sizeof pins - strlen(pins), ",\"res\":%d", d->at.res);
        k += (size_t)snprintf(arr + k, sizeof arr - k, "%s{\"bus\":%u,\"cs\":%u,\"model\":\"%s\"%s,\"selected\":%s}",
                              i ? "," : "", d->at.bus, d->at.cs, vb_spi_model_name(d->at.model), pins,
                              d->selected ? "true" : "false");
    }
    snprintf(arr + k, sizeof arr - k, "]");
    vb_json_raw(out, "devices", arr);
    vb_json_uint(out, "requests", b->spi->requests);
    vb_json_uint(out, "malformed", b->spi->malformed);
    vb_json_uint(out, "bytes", b->spi->bytes);
    vb_json_uint(out, "ignored", b->spi->ignored);
    return NULL;
}

const vb_ssd1306 *board_spi_oled(board *b, const char *which, unsigned *bus, unsigned *cs, char *err, size_t errlen)
{
    unsigned long wb = 0, wc = 0;
    if (which) {
        char *end;
        const char *p = strncmp(which, "spi:", 4) == 0 ? which + 4 : "";
        wb = strtoul(p, &end, 10);
        if (!*p || *end != ':' || !end[1] || (wc = strtoul(end + 1, &end, 10), *end)) {
            snprintf(err, errlen, "'%.20s' is not an SPI display (spi:BUS:CS, e.g. spi:1:5)", which);
            return NULL;
        }
    }
    for (unsigned i = 0; i < b->spi->n; i++) {
        const vb_spi_dev *d = &b->spi->dev[i];
        if (d->at.model == VB_SPI_SSD1306 && (!which || (d->at.bus == wb && d->at.cs == wc))) {
            *bus = d->at.bus;
            *cs = d->at.cs;
            return &d->u.oled;
        }
    }
    if (which) snprintf(err, errlen, "no ssd1306 on SPI bus %lu with chip select %lu", wb, wc);
    else snprintf(err, errlen, "no ssd1306 on the board's I2C or SPI buses (attach one with --i2c BUS:ADDR=ssd1306 "
                               "or --spi BUS:CS=ssd1306:dc=PIN)");
    return NULL;
}
