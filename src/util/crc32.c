/* CRC-32, reflected polynomial 0xEDB88320, four bits per table step: a
 * 16-entry table keeps the code small and is fast enough for 4 MiB images. */
#include "crc32.h"

/* Entry i = the register after shifting nibble i through it (reflected). */
static const uint32_t nibble_table[16] = {
    0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu,
    0x76dc4190u, 0x6b6b51f4u, 0x4db26158u, 0x5005713cu,
    0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
    0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu,
};

uint32_t vb_crc32_raw(uint32_t reg, const void *data, size_t n)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < n; i++) {
        reg ^= p[i];
        reg = (reg >> 4) ^ nibble_table[reg & 0xF];
        reg = (reg >> 4) ^ nibble_table[reg & 0xF];
    }
    return reg;
}

uint32_t vb_crc32(const void *data, size_t n, uint32_t preset, uint32_t xorout)
{
    return vb_crc32_raw(preset, data, n) ^ xorout;
}
