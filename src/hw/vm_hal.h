/* The VM side of the board: engine/hal.h implemented over the shared
 * register block, the output pipe and the input doorbell. */
#ifndef VB_HW_VM_HAL_H
#define VB_HW_VM_HAL_H

#include "engine/hal.h"
#include "hw/firmware.h"

/* pycom.ota_*: where this VM's OTA stands. */
typedef enum vb_ota_state { VB_OTA_IDLE, VB_OTA_WRITING, VB_OTA_FINISHED } vb_ota_state;

typedef struct vb_vm_hal {
    vb_hal hal;               /* hand &hal to the engine */
    const vb_firmware_ctx *fw;
    vb_ota_state ota_state;
    uint32_t ota_offset, ota_size, ota_written;   /* the slot being written */
} vb_vm_hal;

void vb_vm_hal_init(vb_vm_hal *h, const vb_firmware_ctx *fw);
/* Host CLOCK_MONOTONIC in microseconds (the RTC's time base). */
int64_t vb_monotonic_us(void);

#endif
