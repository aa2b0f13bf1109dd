/* The VM side of the board: engine/hal.h implemented over the shared
 * register block, the output pipe and the input doorbell. */
#ifndef VB_FIRMWARE_VM_HAL_H
#define VB_FIRMWARE_VM_HAL_H

#include "engine/hal.h"
#include "contract/firmware.h"

/* pycom.ota_*: where this VM's OTA stands. */
typedef enum vb_ota_state { VB_OTA_IDLE, VB_OTA_WRITING, VB_OTA_FINISHED } vb_ota_state;

typedef struct vb_vm_hal {
    vb_hal hal;               /* hand &hal to the engine */
    const vb_firmware_ctx *fw;
    vb_ota_state ota_state;
    uint32_t ota_offset, ota_size, ota_written;   /* the slot being written */
    uint32_t net_seq;         /* the network line's last request (vm_hal_net.c) */
    uint32_t bus_seq;         /* the I2C line's last request (vm_hal_i2c.c) */
} vb_vm_hal;

void vb_vm_hal_init(vb_vm_hal *h, const vb_firmware_ctx *fw);
/* vm_hal_net.c: the socket calls, on boards with a network line. */
void vb_vm_hal_net_init(vb_vm_hal *h);
/* The Timer, ADC and PWM calls (vm_hal_periph.c), set by vb_vm_hal_init. */
void vb_vm_hal_periph_init(vb_vm_hal *h);
/* vm_hal_i2c.c: the I2C calls, on boards with an I2C line (by periph_init). */
void vb_vm_hal_i2c_init(vb_vm_hal *h);
/* One request on that line and its answer (vm_hal_i2c.c): 0, or -EIO
 * (rep->err is the board's answer). */
int vb_vm_hal_bus_exchange(vb_vm_hal *h, vb_bus_req *req, vb_bus_rep *rep);
/* vm_hal_bitstream.c: machine.bitstream over the same line (by periph_init). */
void vb_vm_hal_bitstream_init(vb_vm_hal *h);
void vb_vm_hal_pwm_set(void *ctx, unsigned gpio, uint32_t freq_hz, uint32_t duty_u16);
/* Report a hardware event to the supervisor (trace, VCD); never blocks. */
void vb_fw_event(const vb_firmware_ctx *fw, unsigned kind, unsigned gpio, uint32_t value);

#endif
