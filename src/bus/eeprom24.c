/* The 24C32 EEPROM (bus/i2cdev.h), from the Microchip 24AA32A/24LC32A
 * datasheet: a write sends the two word-address bytes (the top four bits
 * of the first are don't-care), then data into the page buffer, the
 * address wrapping inside its 32-byte page; the STOP starts the write
 * cycle (tWR), during which the chip ignores its address. A read goes on
 * from the address counter, rolling over at the end of the array. */
#include "i2cdev_int.h"

#include <string.h>

void vb_eeprom_init(vb_eeprom *e)
{
    memset(e, 0, sizeof *e);
    memset(e->mem, 0xFF, sizeof e->mem);   /* delivered erased */
}

bool vb_eeprom_start(vb_eeprom *e, bool read, uint64_t now_us)
{
    if (now_us < e->busy_until_us) return false;   /* write cycle: no ACK */
    e->writing = !read;
    e->addr_bytes = 0;
    e->page_dirty = 0;
    return true;
}

bool vb_eeprom_write(vb_eeprom *e, uint8_t b)
{
    if (!e->writing) return false;
    if (e->addr_bytes < 2) {
        e->ptr = (uint16_t)(e->addr_bytes == 0 ? (b << 8) : (e->ptr | b)) & (VB_EEPROM_SIZE - 1);
        if (++e->addr_bytes == 2) e->page_base = e->ptr & (uint16_t)~(VB_EEPROM_PAGE - 1);
        return true;
    }
    unsigned i = e->ptr & (VB_EEPROM_PAGE - 1);
    e->page[i] = b;
    e->page_dirty |= 1u << i;
    e->ptr = (uint16_t)(e->page_base | ((i + 1) & (VB_EEPROM_PAGE - 1)));
    return true;
}

uint8_t vb_eeprom_read(vb_eeprom *e)
{
    uint8_t b = e->mem[e->ptr];
    e->ptr = (e->ptr + 1) & (VB_EEPROM_SIZE - 1);
    return b;
}

void vb_eeprom_stop(vb_eeprom *e, uint64_t now_us)
{
    if (e->writing && e->page_dirty) {
        for (unsigned i = 0; i < VB_EEPROM_PAGE; i++)
            if (e->page_dirty & (1u << i)) e->mem[e->page_base + i] = e->page[i];
        e->busy_until_us = now_us + VB_EEPROM_TWR_US;
    }
    e->writing = false;
    e->page_dirty = 0;
}
