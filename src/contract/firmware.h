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
    /* The zygote's line to the supervisor, never the VM's (the sandbox
     * closes them): a report for each VM that ends, then one command byte
     * back: VB_ZYGOTE_SOFT goes on after a soft reset, VB_ZYGOTE_FORK
     * starts the next hard boot in this same zygote; end of file, or any
     * other byte, ends it. The zygote never starts a VM on its own, so a
     * reset cannot race a soft reset's next VM. -1, -1: no line (soft
     * resets go on by themselves, the zygote ends with the hard boot). */
    int report_fd;             /* write end, vb_zygote_report records */
    int cmd_fd;                /* read end */
    /* The first VM only: its line to the zygote for the modules the zygote
     * warms up after forking it (engine/engine.h vb_engine_warm_*); -1
     * otherwise. Set by the zygote. */
    int import_fd;
    bool no_audit_hook;        /* tests of the kernel layers only (board.h) */
    int net_fd;                /* the network line (contract/netmsg.h), the VM's end; -1 = none */
    /* Started ahead of its hard boot (the board's first, issue 14): it
     * starts CPython, then waits for a first command, VB_ZYGOTE_FORK, before
     * it reads anything of the flash or the registers' boot state, which
     * the supervisor sets up and the bootloader stage decides meanwhile. */
    bool ahead;
    int bus_fd;                /* the I2C line (contract/busmsg.h), the VM's end; -1 = none */
} vb_firmware_ctx;

/* A VM ended (not by a soft reset): the zygote's pid, the VM's, and how
 * it ended (its exit status, or 128 + the signal that killed it). */
typedef struct vb_zygote_report {
    int32_t zygote, vm, status;
    uint32_t magic;            /* VB_ZYGOTE_REPORT_MAGIC */
} vb_zygote_report;
#define VB_ZYGOTE_REPORT_MAGIC 0x5A594752u   /* "ZYGR" */
#define VB_ZYGOTE_FORK 'F'       /* a new hard boot in this zygote */
#define VB_ZYGOTE_SOFT 'S'       /* after a soft reset: the next VM of the cycle */

/* The zygote process body: initialise the engine, then fork VMs until one
 * asks for something other than a soft reset. Returns the zygote's exit
 * status: a vb_vm_exit value, or VB_VM_EXIT_FATAL. */
int vb_zygote_main(const vb_firmware_ctx *fw);

#endif
