/* Hardware events the firmware side reports to the supervisor, which puts
 * them in the trace and the VCD (issue 5 "What happened, visible").
 *
 * Fixed-size records on a pipe (VM/zygote → supervisor), each smaller than
 * PIPE_BUF so writes never interleave. The writer never blocks: when the
 * pipe is full the event is dropped and counted, as a logic analyser with
 * a full buffer would. */
#ifndef VB_CONTRACT_HWEVENT_H
#define VB_CONTRACT_HWEVENT_H

#include <assert.h>
#include <stdint.h>

typedef enum vb_hw_event_kind {
    VB_EV_PIN = 1,       /* gpio, value = level */
    VB_EV_LED,           /* value = 0xRRGGBB */
    VB_EV_WDT_START,     /* value = timeout ms */
    VB_EV_WDT_FEED,
    VB_EV_STAGE,         /* value = vb_stage */
    VB_EV_HEARTBEAT,     /* value = on/off: the board animates the LED */
    VB_EV_SANDBOX_REFUSED, /* value = the system call number the seccomp
                            * allow-list refused (the VM dies of SIGSYS) */
    VB_EV_WIFI,          /* value = VB_WIFI_EV_VALUE(op, iface, seq): a Wi-Fi
                          * request waits in the mailbox (contract/wifi.h) */
    VB_EV_PWM_FREQ,      /* gpio, value = Hz (0: the PWM output stopped) */
    VB_EV_PWM_DUTY,      /* gpio, value = duty_u16 */
    VB_EV_KIND_LAST = VB_EV_PWM_DUTY
} vb_hw_event_kind;

/* System call numbers an event may carry (x86-64 numbers stay far below). */
#define VB_EV_SYSCALL_MAX 1023u

/* Where the firmware is; status and trace show it. */
typedef enum vb_stage {
    VB_STAGE_OFF = 0,
    VB_STAGE_BOOTLOADER,  /* strap/safe-boot sampling, image choice */
    VB_STAGE_DOWNLOAD,    /* bootloader (download) mode: no firmware */
    VB_STAGE_BOOT,        /* _boot: mounting the filesystem */
    VB_STAGE_BOOT_PY,
    VB_STAGE_MAIN_PY,
    VB_STAGE_REPL,
    VB_STAGE_SLEEP,       /* deep sleep */
    VB_STAGE_COUNT
} vb_stage;

typedef struct vb_hw_event {
    uint16_t kind;       /* vb_hw_event_kind */
    uint16_t gpio;
    uint32_t value;
    uint64_t t_us;       /* host CLOCK_MONOTONIC µs */
} vb_hw_event;

static_assert(sizeof(vb_hw_event) == 16, "event record layout");

/* The stage's name in status replies and the trace. */
static inline const char *vb_stage_name(unsigned s)
{
    static const char *const names[VB_STAGE_COUNT] = {
        "off", "bootloader", "download", "_boot", "boot.py", "main.py", "repl", "deepsleep",
    };
    return s < VB_STAGE_COUNT ? names[s] : "?";
}

#endif
