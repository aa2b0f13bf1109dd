/* The VM side of the board: engine/hal.h implemented over the shared
 * register block, the output pipe and the input doorbell. */
#ifndef VB_FIRMWARE_VM_HAL_H
#define VB_FIRMWARE_VM_HAL_H

#include "engine/hal.h"
#include "contract/busmsg.h"
#include "contract/firmware.h"

/* pycom.ota_*: where this VM's OTA stands. */
typedef enum vb_ota_state { VB_OTA_IDLE, VB_OTA_WRITING, VB_OTA_FINISHED } vb_ota_state;

typedef struct vb_vm_hal {
    vb_hal hal;               /* hand &hal to the engine */
    const vb_firmware_ctx *fw;
    vb_ota_state ota_state;
    uint32_t ota_offset, ota_size, ota_written;   /* the slot being written */
    uint32_t net_seq;         /* the network line's last request (vm_hal_net.c) */
    uint32_t bus_seq;         /* the bus line's last request (vm_hal_i2c.c, vm_hal_spi.c) */
    /* vm_hal_spi.c: the pin calls it wraps to see edges between transfers,
     * and the pins that rose and fell since the last SPI request */
    void (*spi_pin_write)(void *ctx, unsigned gpio, int value);
    void (*spi_pin_config)(void *ctx, unsigned gpio, vb_pin_mode mode, vb_pin_pull pull);
    uint64_t spi_rose, spi_fell, spi_rose_us;
} vb_vm_hal;

void vb_vm_hal_init(vb_vm_hal *h, const vb_firmware_ctx *fw);
/* vm_hal_net.c: the socket calls, on boards with a network line. */
void vb_vm_hal_net_init(vb_vm_hal *h);
/* The Timer, ADC and PWM calls (vm_hal_periph.c), set by vb_vm_hal_init. */
void vb_vm_hal_periph_init(vb_vm_hal *h);
/* vm_hal_i2c.c: the I2C calls, on boards with an I2C line (by periph_init). */
void vb_vm_hal_i2c_init(vb_vm_hal *h);
/* The line's exchange of one request for its answer (vm_hal_i2c.c): 0 or -EIO. */
int vb_vm_hal_bus_exchange(vb_vm_hal *h, void *req, vb_bus_rep *rep);
/* vm_hal_spi.c: the SPI calls, on boards with the line (by periph_init,
 * after the pin calls are set: it wraps them). */
void vb_vm_hal_spi_init(vb_vm_hal *h);
/* vm_hal_bitstream.c: machine.bitstream over the same line (by periph_init). */
void vb_vm_hal_bitstream_init(vb_vm_hal *h);
void vb_vm_hal_pwm_set(void *ctx, unsigned gpio, uint32_t freq_hz, uint32_t duty_u16);
/* Report a hardware event to the supervisor (trace, VCD); never blocks.
 * _at: stamped with a board time the caller read (and acted on). */
void vb_fw_event(const vb_firmware_ctx *fw, unsigned kind, unsigned gpio, uint32_t value);
void vb_fw_event_at(const vb_firmware_ctx *fw, unsigned kind, unsigned gpio, uint32_t value, uint64_t t_us);

#endif
