/* The 25LC256 SPI EEPROM (bus/spibus.h), from the Microchip 25AA256/
 * 25LC256 datasheet: a transaction is CS low, an instruction byte, its
 * address or data, CS high. MISO is high impedance (reads 0xFF here) but
 * while the part shifts out array data or the status register. During
 * the write cycle only RDSR is obeyed. */
#include "spibus.h"

#include <string.h>

#define HIZ 0xFFu

void vb_eeprom25_init(vb_eeprom25 *e)
{
    memset(e, 0, sizeof *e);
    memset(e->mem, 0xFF, sizeof e->mem);   /* delivered erased */
}

static bool busy(const vb_eeprom25 *e, uint64_t now_us) { return now_us < e->busy_until_us; }

/* The lowest address BP1:BP0 protect (none: past the array). */
static unsigned protected_from(const vb_eeprom25 *e)
{
    static const unsigned from[4] = {VB_EEPROM25_SIZE, VB_EEPROM25_SIZE * 3 / 4, VB_EEPROM25_SIZE / 2, 0};
    return from[(e->status & VB_EE25_BP) >> 2];
}

void vb_eeprom25_select(vb_eeprom25 *e)
{
    e->op = 0;
    e->addr_bytes = 0;
    e->page_dirty = 0;
    e->wrsr_done = false;
}

uint8_t vb_eeprom25_byte(vb_eeprom25 *e, uint8_t mosi, uint64_t now_us)
{
    if (e->op == 0) {
        /* 0 is no instruction: the transaction is then ignored like any unknown one */
        e->op = busy(e, now_us) && mosi != VB_EE25_RDSR ? 0xFF : (mosi ? mosi : 0xFF);
        return HIZ;
    }
    switch (e->op) {
    case VB_EE25_RDSR: return (uint8_t)(e->status | (busy(e, now_us) ? VB_EE25_WIP | VB_EE25_WEL : 0));
    case VB_EE25_WRSR:
        if (!e->wrsr_done) {
            e->new_status = mosi;
            e->wrsr_done = true;
        }
        return HIZ;
    case VB_EE25_READ:
    case VB_EE25_WRITE:
        if (e->addr_bytes < 2) {
            e->ptr = (uint16_t)(e->addr_bytes == 0 ? mosi << 8 : (e->ptr | mosi)) & (VB_EEPROM25_SIZE - 1);
            if (++e->addr_bytes == 2) e->page_base = e->ptr & (uint16_t)~(VB_EEPROM25_PAGE - 1);
            return HIZ;
        }
        if (e->op == VB_EE25_READ) {
            uint8_t b = e->mem[e->ptr];
            e->ptr = (e->ptr + 1) & (VB_EEPROM25_SIZE - 1);   /* rolls over at the end of the array */
            return b;
        } else {
            unsigned i = e->ptr & (VB_EEPROM25_PAGE - 1);
            e->page[i] = mosi;
            e->page_dirty |= 1ull << i;
            e->ptr = (uint16_t)(e->page_base | ((i + 1) & (VB_EEPROM25_PAGE - 1)));
            return HIZ;
        }
    default: return HIZ;           /* WREN, WRDI (done at CS high), unknown */
    }
}

void vb_eeprom25_deselect(vb_eeprom25 *e, uint64_t now_us)
{
    bool wel = e->status & VB_EE25_WEL;
    switch (e->op) {
    case VB_EE25_WREN: e->status |= VB_EE25_WEL; break;
    case VB_EE25_WRDI: e->status &= (uint8_t)~VB_EE25_WEL; break;
    case VB_EE25_WRSR:
        if (wel && e->wrsr_done) {
            e->status = (uint8_t)(e->new_status & (VB_EE25_BP | VB_EE25_WPEN));   /* WEL cleared */
            e->busy_until_us = now_us + VB_EEPROM25_TWC_US;
        }
        break;
    case VB_EE25_WRITE:
        if (wel && e->addr_bytes == 2 && e->page_dirty) {
            if (e->page_base < protected_from(e)) {
                for (unsigned i = 0; i < VB_EEPROM25_PAGE; i++)
                    if (e->page_dirty & (1ull << i)) e->mem[e->page_base + i] = e->page[i];
                e->busy_until_us = now_us + VB_EEPROM25_TWC_US;
            }
            e->status &= (uint8_t)~VB_EE25_WEL;
        }
        break;
    default: break;
    }
    vb_eeprom25_select(e);         /* nothing under way */
}
