/* Values that cross the process boundary between the firmware (zygote,
 * VM) and the supervisor, besides the register block (regs.h) and event
 * records (hwevent.h): the VM's exit status, which is the reset-reason
 * protocol, and the pin, wake and RTC-memory vocabulary both sides use.
 * Header only; no process owns it. */
#ifndef VB_CONTRACT_HW_TYPES_H
#define VB_CONTRACT_HW_TYPES_H

/* Why the VM ends: the exit status of the VM process, shared with the
 * supervisor, which decides the next stage. */
typedef enum vb_vm_exit {
    VB_VM_EXIT_SOFT_RESET = 40,   /* Ctrl-D, machine.soft_reset(), SystemExit */
    VB_VM_EXIT_HARD_RESET = 41,   /* machine.reset() */
    VB_VM_EXIT_DEEPSLEEP = 42,    /* machine.deepsleep(ms): supervisor sleeps then resets */
    VB_VM_EXIT_BOOTLOADER = 43,   /* machine.bootloader() */
    VB_VM_EXIT_FATAL = 44,        /* the engine itself failed: a panic, hard reset */
    VB_VM_EXIT_POWER_OFF = 45,    /* the board was told to stop: files closed, volume synced */
    VB_VM_EXIT_POWER_CUT = 46,    /* the flash model cut power at an armed op: nothing synced */
} vb_vm_exit;

/* Pin configuration (machine.Pin), board-independent; the engine maps
 * MicroPython's constants onto these. */
typedef enum vb_pin_mode {
    VB_PIN_MODE_UNSET = 0,        /* after a hard reset: input, no pull */
    VB_PIN_MODE_IN,
    VB_PIN_MODE_OUT,
    VB_PIN_MODE_OPEN_DRAIN,       /* drives low, releases for 1 */
} vb_pin_mode;

typedef enum vb_pin_pull {
    VB_PIN_PULL_NONE = 0,
    VB_PIN_PULL_UP,
    VB_PIN_PULL_DOWN,
} vb_pin_pull;

/* Edge triggers of pin_irq_arm, and the pending bits of pin_irq_take. */
#define VB_PIN_IRQ_RISING 1u
#define VB_PIN_IRQ_FALLING 2u

/* Why the board last woke (Pycom machine.wake_reason()). */
typedef enum vb_wake_reason {
    VB_WAKE_PWRON = 0,            /* not from deep sleep */
    VB_WAKE_PIN = 1,
    VB_WAKE_RTC = 2,              /* the deep-sleep timer ran out */
} vb_wake_reason;

#define VB_RTC_MEMORY_MAX 2048u   /* machine.RTC().memory() bytes (esp32) */

#endif
