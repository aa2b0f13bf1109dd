/* The Python engine: Debian's CPython 3.11 embedded and dressed as a
 * MicroPython board (repl.md §1, §2.4, §7; architecture.md "Flows").
 *
 * Lifecycle, in the firmware zygote (one per hard boot):
 *
 *   vb_engine_init(&cfg, err, sizeof err);   // CPython up, modules, stdio
 *   vb_pyfs_install(...);                     // (pyfs.h) board FS, sys.path
 *   vb_engine_zygote_ready();                 // gc.freeze()
 *   for (;;) {
 *       pid_t pid = vb_engine_fork();         // one VM per soft-reset cycle
 *       if (pid == 0) { boot.py, main.py, REPL: vb_engine_exec() ... }
 *       ...
 *   }
 *
 * All calls are made from the one thread that called vb_engine_init, with
 * the GIL held (the normal state between calls). Board access goes through
 * the vb_hal given at init, and nowhere else. */
#ifndef VB_ENGINE_ENGINE_H
#define VB_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/hal.h"
#include "board/port.h"
#include "flash/parttable.h"

/* The MicroPython version the board claims: banner "MicroPython v1.24.1 ..."
 * (repl.md §2.1) and sys.implementation.version == (1, 24, 1, ''). */
#define VB_ENGINE_VERSION_MAJOR 1
#define VB_ENGINE_VERSION_MINOR 24
#define VB_ENGINE_VERSION_MICRO 1
#define VB_ENGINE_VERSION "v1.24.1"

#define VB_ENGINE_HEAP_DEFAULT (110u * 1024u)

typedef struct vb_engine_config {
    const vb_hal *hal;                     /* required; must outlive the engine */
    /* The port the board runs (board/port.h; must outlive the engine;
     * NULL = vb_port_esp32): its machine constants (the one table),
     * pins (machine.Pin ids; every HAL pin call takes their
     * vb_pin_def.gpio), its flavour of machine (Pin constants, names and
     * repr, IRQs, WDT, sleep and wake functions, Signal), its own module
     * (esp32, pycom, rp2), where frozen modules are found, sys.platform and
     * sys.implementation._machine. */
    const vb_port *port;
    const uint8_t *unique_id;              /* machine.unique_id(); copied */
    size_t unique_id_len;
    uint32_t cpu_freq_hz;                  /* machine.freq(); 0 = the port's */
    /* The board's MicroPython heap in bytes (board/heap.h): what
     * gc.mem_alloc() + gc.mem_free() add up to and where MemoryError
     * begins; 0 = VB_ENGINE_HEAP_DEFAULT. */
    size_t heap_size;
    /* Address-space cap applied in each forked VM on top of its size at
     * fork (RLIMIT_AS), so huge allocations fail at once with MemoryError
     * (repl.md §7). 0 = no cap (needed under AddressSanitizer). */
    size_t vm_as_limit;
    /* Leave the audit hook (engine_guard.c) unarmed: only so tests can show
     * the kernel layers hold where the hook would have refused first. */
    bool no_audit_hook;
    /* The firmware image's frozen modules (boot.md §3.1, §6): importable by
     * name (at the port's frozen_entry of sys.path: '.frozen', which
     * vb_engine_zygote_ready adds after '', or '' itself on Pycom, first)
     * and runnable with vb_engine_run_frozen. Not copied: names and sources
     * must outlive the engine. NULL/0 = none. */
    const vb_frozen_module *frozen;
    size_t n_frozen;
    /* The board's flash as the port's block devices show it (issue 12 §3),
     * read and written through hal->flash_*: the partition table
     * (esp32.Partition; NULL/0: none) and the filesystem region (rp2.Flash),
     * inside the chip (vb_profile_validate). Not copied: must outlive the
     * engine. */
    const vb_partition *parts;
    unsigned n_parts;
    uint32_t fs_offset, fs_size;
} vb_engine_config;

/* Starts CPython (isolated, no site, no bytecode writing, SyntaxWarning and
 * DeprecationWarning ignored), pre-imports the board's allowed stdlib,
 * installs sys/time/utime/machine/micropython and the HAL-backed
 * sys.stdin/stdout/stderr, the SIGINT handler, and the SIGUSR1 handler
 * that runs pin IRQ handlers (installed here, before any VM exists, as the
 * default action of SIGUSR1 kills; forked VMs inherit it). Once per process.
 * 0, or -1 with a sentence in err. */
int vb_engine_init(const vb_engine_config *cfg, char *err, size_t errlen);

/* The frozen modules of an image chosen after vb_engine_init (the board's
 * first zygote starts CPython while the bootloader stage runs, issue 14),
 * as the config's frozen/n_frozen would have given them; once, before
 * vb_pyfs_install, and only when the config had none. 0, or -1 with a
 * sentence in err. */
int vb_engine_add_frozen(const vb_frozen_module *frozen, size_t n, char *err, size_t errlen);

/* End of zygote set-up (after vb_pyfs_install, which sets sys.path): with
 * frozen modules (the image's, or the board library's: engine/pylib.h) on
 * a port that finds them at '.frozen', puts that entry on sys.path after
 * '' as MicroPython 1.24 has it; then gc.freeze()s what is loaded, so
 * forked VMs share those pages (uncollected: a full collection would cost
 * the cold start some 1 ms for a few dozen objects). */
void vb_engine_zygote_ready(void);

/* Off the cold start (engine_warm.c, issue 14): the dear stdlib modules of
 * the table (VB_MOD_WARM) are imported by the zygote after it forked its
 * first VM, which gets them from the zygote over a socket (fd) meanwhile.
 *   zygote: fork the first VM; vb_engine_warm_up(); vb_engine_warm_serve(fd)
 *           (returns when the VM hangs up; closes fd); later VMs as usual
 *   first VM, before its sandbox: vb_engine_warm_first_vm(fd) */
int vb_engine_warm_up(void);
void vb_engine_warm_serve(int fd);
int vb_engine_warm_first_vm(int fd);

/* fork() wrapped for CPython (PyOS_BeforeFork / AfterFork_Parent /
 * AfterFork_Child: random is reseeded per VM). In the child also installs
 * the SIGINT handler, the address-space cap and the gc.mem_* baseline.
 * Returns what fork() returns. */
pid_t vb_engine_fork(void);

/* Makes SIGINT raise KeyboardInterrupt (CPython's handler), whatever the
 * inherited disposition was: an inherited SIG_IGN would otherwise leave
 * CPython without a handler. 0, or -1 (signal module failure). */
int vb_engine_install_sigint(void);

/* ---- execution ---------------------------------------------------------- */

typedef enum vb_exec_mode {
    VB_EXEC_SINGLE,         /* friendly line: one interactive statement,
                               non-None expression values shown as repr */
    VB_EXEC_MODULE_DISPLAY, /* paste mode: a module whose top-level
                               expression statements are shown as SINGLE */
    VB_EXEC_MODULE,         /* raw REPL, boot.py, main.py: nothing shown */
} vb_exec_mode;

typedef enum vb_exec_outcome {
    VB_EXEC_OK,          /* ran to the end */
    VB_EXEC_EXCEPTION,   /* uncaught exception or compile error (kept for
                            vb_engine_print_exception) */
    VB_EXEC_SYSTEM_EXIT, /* SystemExit (sys.exit, machine.soft_reset):
                            soft reset; nothing to print */
} vb_exec_outcome;
/* machine.reset()/deepsleep()/bootloader() never return here: they leave
 * through hal->exit_vm. */

/* Compiles len bytes of src (UTF-8; need not be NUL-terminated) as coming
 * from `filename` ("<stdin>", "boot.py", "main.py") and runs it in the
 * __main__ globals, with hal->set_executing armed around the code only.
 * At the end the interrupt character is back to Ctrl-C (micropython.kbd_intr
 * lasts one unit) and a Ctrl-C that arrived after the code finished is
 * dropped. On EXCEPTION the exception is kept until the next exec or
 * vb_engine_print_exception / vb_engine_clear_exception. */
vb_exec_outcome vb_engine_exec(const char *src, size_t len, const char *filename,
                               vb_exec_mode mode);

/* As vb_engine_exec, for a unit the caller armed (hal->set_executing(true))
 * before the REPL acknowledged it to the host: a Ctrl-C the host sends
 * right after the ack interrupts the unit instead of being dropped as a
 * stale one, however late the VM gets to run it. */
vb_exec_outcome vb_engine_exec_armed(const char *src, size_t len, const char *filename,
                                     vb_exec_mode mode);

/* The caller armed Ctrl-C for a unit that did not come: disarm, and drop
 * an interrupt caught meanwhile. */
void vb_engine_disarm(void);

/* Runs the frozen module `name` ("_boot") as a script in the __main__
 * globals, as coming from "<name>.py", with Ctrl-C not armed (upstream
 * runs _boot.py so). Returns a vb_exec_outcome as vb_engine_exec does (an
 * exception is kept the same way), or -1 if the image has no such module. */
int vb_engine_run_frozen(const char *name);

/* Writes the kept exception's report (repl.md §1.2/§1.3, cooked) straight
 * to the serial line and drops it. Nothing if none is kept. */
void vb_engine_print_exception(void);
void vb_engine_clear_exception(void);

/* Serial output with every "\n" sent as "\r\n" (the one cooking function
 * of the engine; sys.stdout/stderr and reports use it). */
void vb_engine_write_cooked(const char *buf, size_t len);

/* ---- REPL services ------------------------------------------------------ */

struct vb_repl; /* repl/repl.h */

/* Tab completion for the REPL (repl.md §2.9), a vb_repl_complete_fn: ctx is
 * unused (NULL). Offers the attribute names of the object the dotted path
 * `obj` names, resolved from the __main__ globals (builtins not searched;
 * "" = the globals' keys), or with import_ctx the module names device code
 * may import. Never raises; false when obj does not resolve. */
bool vb_engine_complete(void *ctx, const char *obj, bool import_ctx, struct vb_repl *r);

/* input() (repl.md §1.1). The engine writes the prompt (cooked), then asks
 * the line editor for a line. */
typedef enum vb_engine_input_result {
    VB_ENGINE_INPUT_LINE = 0,   /* *line and *len: the text without terminator,
                                   valid until the next call into the editor */
    VB_ENGINE_INPUT_EOF,        /* Ctrl-D at an empty line: EOFError */
    VB_ENGINE_INPUT_INTERRUPT,  /* the editor saw Ctrl-C: KeyboardInterrupt */
    VB_ENGINE_INPUT_RAISED,     /* vb_engine_check_signals() raised: keep it */
    VB_ENGINE_INPUT_UNAVAILABLE,/* editor not usable now: engine's own editor */
} vb_engine_input_result;

/* prompt/prompt_len: the prompt's last line (after its last "\n"), for
 * redraws; already on the line. Returns a vb_engine_input_result. */
typedef int (*vb_engine_input_fn)(void *ctx, const char *prompt, size_t prompt_len,
                                  const char **line, size_t *len);

/* Installs the editor input() uses in this VM (NULL = the engine's own
 * minimal one: echo, backspace, Enter, Ctrl-C, Ctrl-D; used before the REPL
 * exists, i.e. by boot.py and main.py). */
void vb_engine_set_input_hook(vb_engine_input_fn fn, void *ctx);

/* Serial input as hal->rx, with the GIL released while it waits, so the
 * VM's other threads (_thread) run meanwhile, also at the idle REPL. */
int vb_engine_rx(void *buf, size_t n, int timeout_ms);

/* Runs pending signal handlers (a Ctrl-C's SIGINT): 0, or -1 with the
 * exception (KeyboardInterrupt) set for the running code. For editors that
 * wait on hal->rx and get -EINTR. */
int vb_engine_check_signals(void);

/* Runs what is due while no code runs (the idle REPL, whose input wait
 * returns -EINTR when the board signals a pin edge): signal handlers
 * (pin IRQ handlers: the board's SIGUSR1) and micropython.schedule calls.
 * An exception from them is printed as MicroPython prints one from a
 * scheduled callback and dropped. Returns 0, or -1 when the result was a
 * KeyboardInterrupt (a Ctrl-C that came in meanwhile), which is dropped
 * too: the REPL decides what a stray Ctrl-C means. Nothing is left set. */
int vb_engine_service_events(void);

#endif
