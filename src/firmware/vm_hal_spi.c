/* The VM's side of SPI (contract/busmsg.h kind VB_BUS_KIND_SPI, engine/hal.h
 * spi_xfer): transfers cut into requests on the bus line, each carrying
 * the pins' levels and the edges since the previous request.
 *
 * Chip selects are ordinary pins the program toggles between transfers;
 * a CS pulse between two transfers (WREN, then WRITE) is never on the
 * line by itself. So the pin calls are wrapped here to note which pins
 * rose and fell: the next request says so, and the device sees the pulse. */
#include "vm_hal.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "contract/pins.h"
#include "contract/regs.h"

static void pins_now(const vb_firmware_ctx *fw, uint64_t *levels, uint64_t *floating)
{
    *levels = *floating = 0;
    for (unsigned g = 0; g < VB_REG_PINS; g++) {
        const vb_pin_reg *p = &fw->regs->pins[g];
        if (vb_pin_level(p)) *levels |= 1ull << g;
        if (vb_pin_driver_of(p) == VB_DRIVER_NONE) *floating |= 1ull << g;
    }
}

/* The level for edges: a floating pin counts high (busmsg.h). */
static int level_of(vb_vm_hal *h, unsigned gpio)
{
    return gpio < VB_REG_PINS ? vb_pin_shown(&h->fw->regs->pins[gpio]) != 0 : 0;
}

/* Note gpio's edge, if the call made one. */
static void note_edge(vb_vm_hal *h, unsigned gpio, int before)
{
    if (gpio >= VB_REG_PINS) return;
    int after = level_of(h, gpio);
    if (!before && after && !h->spi_rose) h->spi_rose_us = (uint64_t)vb_regs_board_us(h->fw->regs);
    if (!before && after) h->spi_rose |= 1ull << gpio;
    if (before && !after) h->spi_fell |= 1ull << gpio;
}

static void pin_write_noting(void *ctx, unsigned gpio, int value)
{
    vb_vm_hal *h = ctx;
    int before = level_of(h, gpio);
    h->spi_pin_write(ctx, gpio, value);
    note_edge(h, gpio, before);
}

static void pin_config_noting(void *ctx, unsigned gpio, vb_pin_mode mode, vb_pin_pull pull)
{
    vb_vm_hal *h = ctx;
    int before = level_of(h, gpio);
    h->spi_pin_config(ctx, gpio, mode, pull);
    note_edge(h, gpio, before);
}

static int hal_spi_xfer(void *ctx, unsigned bus, unsigned mode, unsigned bits, const uint8_t *w, uint8_t *r, size_t n)
{
    vb_vm_hal *h = ctx;
    vb_spi_req req;
    vb_bus_rep rep;
    do {
        size_t k = n > VB_SPI_DATA_MAX ? VB_SPI_DATA_MAX : n;
        memset(&req, 0, offsetof(vb_spi_req, data));
        req.kind = VB_BUS_KIND_SPI;
        req.bus = (uint8_t)bus;
        req.mode = (uint8_t)(mode & VB_SPI_MODE_BITS);
        req.bits = (uint8_t)bits;
        req.n = (uint16_t)k;
        pins_now(h->fw, &req.levels, &req.floating);
        req.rose = h->spi_rose;
        req.fell = h->spi_fell;
        req.rose_us = h->spi_rose_us;
        memcpy(req.data, w, k);
        int rc = vb_vm_hal_bus_exchange(h, &req, &rep);
        if (rc < 0) return rc;
        h->spi_rose = h->spi_fell = 0;   /* the board has seen them */
        if (r) {
            memcpy(r, rep.data, k);
            r += k;
        }
        w += k;
        n -= k;
    } while (n);
    return 0;
}

void vb_vm_hal_spi_init(vb_vm_hal *h)
{
    if (h->fw->bus_fd < 0) return;
    h->hal.spi_xfer = hal_spi_xfer;
    h->spi_pin_write = h->hal.pin_write;
    h->spi_pin_config = h->hal.pin_config;
    h->hal.pin_write = pin_write_noting;
    h->hal.pin_config = pin_config_noting;
}
