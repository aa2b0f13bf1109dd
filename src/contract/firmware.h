/* What runs after the bootloader stage, in the processes the supervisor
 * forks: the zygote (CPython set up once per hard boot) and, from it, one VM
 * per soft-reset cycle. The supervisor passes everything they may touch. */
#ifndef VB_CONTRACT_FIRMWARE_H
#define VB_CONTRACT_FIRMWARE_H

#include "flash/flash.h"
#include "board/profile.h"
#include "contract/regs.h"

typedef struct vb_firmware_ctx {
    const vb_profile *profile;
    vb_flash *flash;           /* the chip, mapped shared */
    vb_regs *regs;             /* shared register block */
    int tx_fd;                 /* serial output pipe (write end) */
    int rx_efd;                /* eventfd: the supervisor rings it on new input */
    int ev_fd;                 /* hardware event pipe (contract/hwevent.h), write end, non-blocking */
    int idle_efd;              /* eventfd: the VM rings it when it goes idle under --clock fast */
    bool no_audit_hook;        /* tests of the kernel layers only (board.h) */
} vb_firmware_ctx;

/* The zygote process body: initialise the engine, then fork VMs until one
 * asks for something other than a soft reset. Returns the zygote's exit
 * status: a vb_vm_exit value, or VB_VM_EXIT_FATAL. */
int vb_zygote_main(const vb_firmware_ctx *fw);

#endif
