/* CRC-32 with the reflected polynomial 0xEDB88320 (the IEEE/zlib one), with
 * the register preset and the final XOR chosen by the caller, because the
 * formats vboard writes disagree on both:
 *   zlib crc32(data)              = vb_crc32(data, n, 0xFFFFFFFF, 0xFFFFFFFF)
 *   zlib crc32(data, 0xFFFFFFFF)  = vb_crc32(data, n, 0x00000000, 0xFFFFFFFF)
 *                                   (Pycom otadata, flash.md §2.1)
 *   littlefs lfs_crc(0xFFFFFFFF)  = vb_crc32(data, n, 0xFFFFFFFF, 0x00000000)
 *                                   (commit CRCs, flash.md §6)
 * Pure functions, no state. */
#ifndef VB_UTIL_CRC32_H
#define VB_UTIL_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Shift `n` bytes through the register `reg` (no inversion on entry or exit).
 * Chains: raw(raw(r, a), b) == raw(r, a ++ b). */
uint32_t vb_crc32_raw(uint32_t reg, const void *data, size_t n);

/* CRC of `n` bytes: register preset to `preset`, result XORed with `xorout`. */
uint32_t vb_crc32(const void *data, size_t n, uint32_t preset, uint32_t xorout);

#endif
