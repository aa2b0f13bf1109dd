/* Shared between the engine's files only (not for the REPL or pyfs). */
#ifndef VB_ENGINE_ENGINE_INT_H
#define VB_ENGINE_ENGINE_INT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "engine/engine.h"
#include "engine/mptext.h"
#include "util/civil.h"

/* One named integer of a class or module the engine builds (Pin constants). */
typedef struct vb_engine_const {
    const char *name;
    long value;
} vb_engine_const;

/* The one process-wide engine record. Why global: there is exactly one
 * interpreter per VM process (architecture.md), and the callbacks CPython
 * makes into us (module functions of C modules shared by every import,
 * pending calls, the display hook) carry no user pointer to reach the HAL.
 * Written by vb_engine_init / vb_engine_fork only, except last_exc, the
 * input hook (set by the firmware once per VM, when its REPL exists), the
 * pin IRQ bookkeeping (engine_mod_pin_irq.c) and the esp32 wake sources. */
typedef struct vb_engine_state {
    const vb_hal *hal;
    const vb_port *port;   /* the board's port (config): data and flavour */
    uint8_t unique_id[32];
    size_t unique_id_len;
    uint32_t cpu_freq_hz;
    size_t heap_size;
    size_t vm_as_limit;
    bool no_audit_hook;    /* engine.h */
    PyObject *compile_fn;  /* builtins.compile as it was at init */
    char stdlib_dir[256];  /* "/usr/lib/python3.11/": frames hidden */
    PyObject *last_exc;    /* exception kept by vb_engine_exec */
    vb_engine_input_fn input_fn; /* input()'s line editor; NULL = built-in */
    void *input_ctx;
    bool initialised;

    const vb_pin_def *pins; /* the port's pin table */
    unsigned n_pins;
    /* machine.Pin singletons by GPIO, built at init (NULL: no such pin);
     * the SIGUSR1 handler finds a latched edge's pin here. */
    PyObject *pin_by_gpio[VB_PINS_MAX];
    PyObject *pin_type, *pin_irq_type;
    unsigned irq_armed;     /* pins with a handler armed at the board */
    unsigned irq_soft;      /* pins whose IRQ object was called (irq()()) */
    unsigned long irq_runs; /* IRQ handler calls so far (lightsleep waits) */
    bool in_irq;            /* handlers running: a nested signal only notes */
    bool irq_again;         /*   that another round is due */
    /* esp32 deep-sleep wake sources (esp32.wake_on_ext0/ext1, Pin.irq
     * wake=): GPIO masks and levels, merged into hal->wake_pins_set. */
    uint64_t ext0_mask, ext1_mask;
    int ext0_level, ext1_level;
    const vb_frozen_module *frozen; /* the image's frozen modules (config) */
    size_t n_frozen;
    const vb_partition *parts;      /* the flash layout (config) */
    unsigned n_parts;
    uint32_t fs_offset, fs_size;
} vb_engine_state;

extern vb_engine_state vb_engine_g;

/* Board time, µs (hal.h now_us): the base of every engine deadline. */
int64_t vb_engine_now_us(void);
/* One idle wait towards board time `deadline` (hal.h idle): returns 0 when
 * the caller should look again (the deadline may not have come), or -1
 * with the exception (KeyboardInterrupt, an IRQ handler's) set. */
int vb_engine_wait_until(int64_t deadline, bool wake_on_input);
/* Sleep us microseconds of board time, waking for signals: 0, or -1 with
 * the exception (KeyboardInterrupt) set. */
int vb_engine_sleep_us(int64_t us);

/* Seconds since 2000 from fields idx[0..5] (year, month, mday, hour,
 * minute, second) of a sequence of at least min_len items; out-of-range
 * fields roll over as upstream's mktime does (civil.h). -1 with an
 * exception on bad input, OverflowError for a field beyond 32 bits (check
 * PyErr_Occurred). */
int64_t vb_time_tuple_seconds(PyObject *seq, int min_len, const int idx[6]);

/* engine_exec.c: src[0..len) (no NUL needed) compiled as from `filename`
 * in `mode`, nothing inherited from the host (new reference, NULL with the
 * exception); for imports too, so device code compiles one way. */
PyObject *vb_engine_compile(const char *src, size_t len, const char *filename, vb_exec_mode mode);
/* The one run of a unit of device code in __main__ (vb_engine_exec,
 * vb_engine_run_frozen): as vb_engine_exec documents, with Ctrl-C armed
 * around it only when `interruptible`. */
vb_exec_outcome vb_engine_run_unit(const char *src, size_t len, const char *filename,
                                   vb_exec_mode mode, bool interruptible);

/* engine_mpcompile.c (vb_mpcompile: mptext.h). Init (zygote, after the
 * builtins exist): builtins.const and the port's decorator set; 0 / -1.
 * Warm: CPython's AST types and the stripper over them, built by each VM
 * at its first need (a paste, a micropython decorator: some 2-3 ms, off
 * the cold start and off the zygote's warm-up, which a reset soon after
 * the first prompt waits for), not counted as device heap, as the warm
 * modules are not; 0, or -1 with an exception. Whether src may use a
 * built-in decorator; the AST tree without them (new reference; NULL with
 * SyntaxError "invalid micropython decorator", frameless, for one the
 * port's compiler lacks). */
int vb_mpcompile_init(void);
int vb_mpcompile_warm(void);
bool vb_mpcompile_needed(const char *src);
PyObject *vb_mpcompile_strip(PyObject *tree, const char *filename);

#include "engine/engine_heap.h"
/* engine_mptext.c: in t and every subclass, the slot at offset becomes now
 * where it was one of was (NULL-ended), and the slot wrapper name in a
 * class's dict follows (name NULL: a slot without one). 0 / -1. */
int vb_replace_slot(PyTypeObject *t, size_t offset, const char *name, void *const *was, void *now);
/* engine_mptypes.c: MicroPython's behaviours of built-in types (zygote init). */
int vb_mptypes_install(void);

/* engine_guard.c (issue 11): the recursion limit fitted to the stack,
 * RecursionError named RuntimeError, no sys.setrecursionlimit, and the
 * audit hook, installed unarmed (zygote); vb_guard_arm arms it in a VM
 * (unless the engine config says no_audit_hook). 0, or -1 with an
 * exception set. */
int vb_guard_init(void);
/* engine_guard_depth.c: count the C recursions CPython leaves unchecked. */
int vb_guard_depth_init(void);
void vb_guard_arm(void);
bool vb_guard_armed(void);
/* The engine's own trusted work while armed (engine_warm.c: unmarshalling
 * the zygote's code, which device code never reaches): the hook stands
 * aside for one C call, then is as it was. */
bool vb_guard_suspend(void);
void vb_guard_resume(bool was);

/* engine_exc.c: the §1.2 report of exc as str with "\n" line ends (new
 * reference, NULL with an exception set on failure). */
PyObject *vb_exc_format(PyObject *exc);
/* The same written to a Python stream (file.write). 0 / -1. */
int vb_exc_print_to(PyObject *exc, PyObject *file);

/* engine_stdio.c: install sys.stdin/stdout/stderr (+ __std*__). 0 / -1. */
int vb_stdio_install(void);

/* engine_input.c: replace builtins.input. 0 / -1. */
/* Install a C function as builtins.<def->ml_name> (engine_input.c). */
int vb_engine_set_builtin(PyMethodDef *def);
int vb_input_install(void);
/* builtins.help (engine_help.c). */
int vb_help_install(void);
/* The modules a board offers: one table (engine_modules.c, issue 15) that
 * the pre-imports, sys.modules, the u-aliases, Tab completion and
 * help('modules') all come from. */
#define VB_PORT_BIT(p) (1u << (p))
#define VB_PORTS_ALL ((1u << VB_PORT_COUNT) - 1u)
typedef enum vb_mod_how {
    VB_MOD_STDLIB,   /* CPython's stdlib module, pre-imported by the zygote */
    VB_MOD_WARM,     /* CPython's, imported by the zygote once its first VM runs
                        (engine_warm.c): the dear ones, off the cold start */
    VB_MOD_BUILT,    /* built here by create(), put in sys.modules */
    VB_MOD_REPLACES, /* CPython's pre-imported, then replaced by create()'s */
    VB_MOD_PYFS,     /* built by vb_pyfs_install (os, vfs) */
    VB_MOD_CORE,     /* CPython's, always loaded (sys) */
    VB_MOD_PYLIB,    /* Python source of the board library (src/pylib, pylib.h):
                        name.py or the package name/, served as a frozen module */
} vb_mod_how;
typedef struct vb_module_def {
    const char *name;
    const char *alias;         /* "u" + name, the same object; or NULL */
    unsigned ports;            /* VB_PORT_BIT()s of the ports offering it */
    unsigned alias_ports;      /* those of them where the alias exists */
    vb_mod_how how;
    PyObject *(*create)(void); /* BUILT, REPLACES: a new module (new ref) */
    int (*extend)(void);       /* MicroPython's additions, or NULL; 0 / -1 */
} vb_module_def;
extern const vb_module_def vb_engine_modules[]; /* ends with a NULL name */
/* Offered on the running board's port; its alias there, or NULL. */
bool vb_module_offered(const vb_module_def *m);
const char *vb_module_alias(const vb_module_def *m);
/* The steps of vb_engine_init, in this order, for the board's port; 0 / -1.
 * vb_modules_alias adds the alias of every module already in sys.modules
 * (again from vb_engine_zygote_ready, for os and vfs). */
int vb_modules_preimport(void);
int vb_modules_build(void);
int vb_modules_extend(void);
int vb_modules_alias(void);
/* The table's consistency (ports, aliases, constructors, one entry per
 * port's own module): NULL, or the first offending name. */
const char *vb_modules_check(void);
/* Frozen modules (engine_frozen.c): the one named so, or NULL; the
 * meta-path finder (nothing without frozen modules), 0 / -1; and the
 * port's '.frozen' sys.path entry where it has one (vb_engine_zygote_ready). */
const vb_frozen_module *vb_frozen_find(const char *name);
int vb_frozen_init(void);
void vb_frozen_complete_path(void);
/* The board library (engine_pylib.c; pylib.h holds the files). A module of
 * it the port offers, by module name ("asyncio.core"): its file, and in
 * *pkg whether it is a package's __init__.py; NULL if none. Whether the
 * port offers any; a file by path (NULL: none). The code object of a file
 * (new reference; the zygote's precompiled one when there is one; NULL
 * with an exception). vb_pylib_precompile compiles the port's files once,
 * in the zygote (engine_warm.c); 0 / -1. */
struct vb_pylib_file;
const struct vb_pylib_file *vb_pylib_module(const char *fullname, bool *pkg);
bool vb_pylib_any_offered(void);
const struct vb_pylib_file *vb_pylib_file_named(const char *path);
PyObject *vb_pylib_code(const struct vb_pylib_file *f);
int vb_pylib_precompile(void);
/* select.poll event bits (upstream's values, which are Linux's). */
#define VB_POLLIN 0x0001
#define VB_POLLOUT 0x0004
#define VB_POLLERR 0x0008
#define VB_POLLHUP 0x0010

/* engine_stdio.c: the ready events (POLLIN/POLLOUT bits of mask) of a board
 * stdio stream, or -1 if obj is not one (select.poll). */
int vb_stdio_poll(PyObject *obj, int mask);

/* mp_get_buffer_raise (engine_buffer.c): a buffer to read into
 * (writable), or any buffer to write from, a str giving its UTF-8 bytes;
 * else TypeError "object with buffer protocol required". 0 / -1. */
typedef struct vb_buf {
    Py_buffer view;
    PyObject *keep;                /* what view points into */
} vb_buf;
int vb_buf_get(PyObject *o, bool writable, vb_buf *b);
void vb_buf_release(vb_buf *b);
/* mp_obj_get_array_fixed_n: o a tuple or list of exactly n items (read
 * them with PySequence_Fast_GET_ITEM), else upstream's TypeError or
 * ValueError; isnt is the firmware's wording ("isn't" v1.24, "is not"
 * 1.11 on Pycom). 0 / -1. */
int vb_fixed_items(PyObject *o, Py_ssize_t n, const char *isnt);

/* Module builders (new references, NULL with an exception). */
PyObject *vb_mod_time_create(void);
PyObject *vb_mod_machine_create(void);
PyObject *vb_mod_esp32_create(void);   /* engine_mod_esp32.c (esp32 port) */
PyObject *vb_mod_pycom_create(void);   /* engine_mod_pycom.c (Pycom port) */
PyObject *vb_mod_rp2_create(void);     /* engine_mod_rp2.c (rp2 port) */
PyObject *vb_mod_micropython_create(void);
PyObject *vb_mod_select_create(void);
PyObject *vb_mod_hashlib_create(void);  /* engine_mod_hashlib.c */
/* engine_warm.c: keep the host's import path (and load the C extensions
 * the warm modules need from files) before the board's finders take over. */
int vb_warm_keep_host_imports(void);
/* gc.collect() then gc.freeze(): what the zygote holds stays out of every
 * VM's collections, so its pages stay shared. */
void vb_engine_freeze_heap(void);
PyObject *vb_mod_framebuf_create(void); /* engine_mod_framebuf.c */
PyObject *vb_mod_deflate_create(void);  /* engine_mod_deflate.c (esp32, rp2) */
PyObject *vb_mod_cryptolib_create(void); /* engine_mod_cryptolib.c (esp32, rp2) */
PyObject *vb_mod_uctypes_create(void);  /* engine_mod_uctypes.c */
PyObject *vb_mod_random_create(void);   /* engine_mod_random.c */
PyObject *vb_mod_binascii_create(void); /* engine_mod_binascii.c */
PyObject *vb_mod_platform_create(void); /* engine_mod_platform.c (esp32, rp2) */
PyObject *vb_mod_network_create(void);  /* engine_mod_network.c (esp32, Pycom) */
PyObject *vb_mod_socket_create(void);   /* engine_mod_socket.c (the ports with a radio) */
/* The descriptor of a board socket (select.poll waits on it), or -1 when
 * obj is not one or has none. */
int vb_socket_fd(PyObject *obj);
/* For TLS over a board socket (engine_mod_tls.c): whether obj is one; one
 * receive as recv() makes it (the count, 0 at the end of stream, -2 when a
 * non-blocking socket has nothing, -1 with the exception); every byte
 * sent, waiting even on a non-blocking socket (n, or -1). */
bool vb_socket_check(PyObject *obj);
Py_ssize_t vb_socket_recv(PyObject *obj, char *buf, size_t n);
Py_ssize_t vb_socket_send_all(PyObject *obj, const char *buf, size_t n);
/* engine_stream.c: MicroPython's stream reads (py/stream.c) over a
 * read-once function (the count, 0 at the end, -2 when a non-blocking
 * stream has nothing yet, -1 with the exception): read([n]) gathers n
 * bytes or up to the end, readinto(buf[, n]) likewise; a non-blocking
 * stream with nothing gives None, with some, what it has; `one` stops
 * after one read (a datagram). */
typedef Py_ssize_t (*vb_read_once)(void *obj, char *buf, size_t n);
PyObject *vb_stream_read(vb_read_once once, void *obj, bool one, PyObject *const *args, Py_ssize_t nargs);
PyObject *vb_stream_readinto(vb_read_once once, void *obj, bool one, PyObject *const *args, Py_ssize_t nargs);
/* readline([limit]) a byte at a time, through b'\n' (None as read's). */
PyObject *vb_stream_readline(vb_read_once once, void *obj, Py_ssize_t limit);
/* Wait for a board line (a socket's, a UART's) to have one of `events` (or
 * an error or hang-up) until board time `deadline` (INT64_MAX: none), the
 * clock not told the VM is idle: 1 ready, 0 not by then, -1 with the
 * exception (KeyboardInterrupt on Ctrl-C). */
int vb_stream_wait(int fd, short events, int64_t deadline);
PyObject *vb_mod_tls_create(void);      /* engine_mod_tls.c: tls (v1.24) */
PyObject *vb_mod_ssl_create(void);      /* engine_mod_tls.c: ssl over it */
PyObject *vb_mod_thread_create(void);   /* engine_mod_thread.c */
/* Adds the sys attributes (platform, implementation, print_exception,
 * displayhook). 0 / -1. */
int vb_mod_sys_extend(void);
/* Adds gc.mem_free / gc.mem_alloc. 0 / -1. */
/* engine_mod_gc.c: MicroPython's gc module; CPython's, kept for the engine */
PyObject *vb_mod_gc_create(void);
PyObject *vb_gc_cpython(void);

/* ---- machine: pins, signals, watchdog, sleep ------------------------------ */

/* The value of the machine constant `name` in the port's table, or dflt. */
long vb_machine_const(const char *name, long dflt);
/* OSError(ENODEV) when a HAL member this call needs is missing: -1, else 0. */
int vb_hal_need(const void *member);

/* One machine.Pin: a singleton per board pin (engine_mod_pin.c). */
typedef struct vb_pin_obj {
    PyObject_HEAD
    const vb_pin_def *def;
    PyObject *handler;   /* IRQ handler, or NULL */
    PyObject *arg;       /* Pycom callback arg; NULL = the pin itself */
    PyObject *irq;       /* esp32: its IRQ object, made by the first irq() */
    long trigger;        /* the trigger as the port numbers it (0 = none) */
    unsigned hal_trig;   /* VB_PIN_IRQ_* armed at the board */
    bool soft_pending;   /* its IRQ object was called: run the handler */
    bool hold;           /* Pycom hold() */
    int alt;             /* Pycom alt= (kept and printed only) */
} vb_pin_obj;

/* The Pin type with its constants, and every board pin object in
 * vb_engine_g.pin_by_gpio (new reference, NULL with an exception). */
PyObject *vb_pin_type_create(void);
/* The pin an id names (a Pin, a GPIO number, or a Pycom name), borrowed;
 * NULL with the port's ValueError. */
vb_pin_obj *vb_pin_find(PyObject *id);
/* The pin's value as Pin.value() reads it, and a write of its latch. */
int vb_pin_value(vb_pin_obj *p);
void vb_pin_write(vb_pin_obj *p, int v);
/* The RTC-domain GPIOs of an ESP32 (the only deep-sleep wake pins). */
bool vb_pin_rtc_gpio(unsigned gpio);

/* Pin IRQs (engine_mod_pin_irq.c). Pin methods irq() (esp32, rp2) and
 * callback() (Pycom), for the Pin type's method tables. */
PyObject *vb_pin_irq_method(PyObject *self, PyObject *args, PyObject *kw);
PyObject *vb_pin_irq_method_rp2(PyObject *self, PyObject *args, PyObject *kw);
PyObject *vb_pin_callback_method(PyObject *self, PyObject *args, PyObject *kw);
/* Drops the pin's handler and disarms it at the board. */
void vb_pin_irq_disarm(vb_pin_obj *p);
/* After the VM changed a pin: edges its write caused are latched like any
 * other, so have the handlers run at the next bytecode (no-op if none). */
void vb_pin_irq_poke(void);
/* Builds the IRQ object type; installs the SIGUSR1 handler. 0 / -1. */
int vb_pin_irq_init(void);
/* In a new VM: nothing armed, stale edges of the last VM dropped. */
void vb_pin_irq_after_fork(void);

/* The timer service (engine_timer.c) under machine.Timer and Pycom's
 * Timer.Alarm. vb_timer_start arms `owner` (any previous timer of it is
 * stopped): callback(arg, or owner when arg is NULL) first after first_us
 * µs of board time, then every period_us (0: once); 0, or -1 with
 * OSError(ENOMEM) when VB_SOFTTIMER_MAX are armed. */
int vb_timer_start(PyObject *owner, PyObject *callback, PyObject *arg, int64_t first_us, int64_t period_us);
void vb_timer_stop(PyObject *owner);
/* Is owner armed? *deadline (may be NULL): its next board time. */
bool vb_timer_armed(PyObject *owner, int64_t *deadline);
/* The earliest deadline (INT64_MAX: none): idle waits end there. */
int64_t vb_timer_next(void);
/* Trip the SIGUSR1 handler when a timer is due (async-safe, no syscall). */
void vb_timer_poke_due(void);
/* Run the due callbacks (the SIGUSR1 handler): 0, or -1 with
 * KeyboardInterrupt set. */
int vb_timer_run_due(void);
void vb_timer_after_fork(void);

/* UART.irq() (engine_mod_uart_irq.c): the port has it; irq(handler,
 * trigger, hard) on UART `uart` numbered id; its RXIDLE quiet time from
 * one character's time; deinit drops it; the SIGUSR1 handler's part (0,
 * or -1 with KeyboardInterrupt set); a new VM starts with none; the
 * port's IRQ_* constants and the irq method on the UART type. */
/* Call a scheduled handler (a Pin's, a UART's) with arg, as upstream's
 * mp_call_function_1_protected: an exception is printed and dropped; 0,
 * or -1 with KeyboardInterrupt set, which reaches the running code. */
int vb_engine_run_irq_handler(PyObject *handler, PyObject *arg);
bool vb_uart_irq_supported(void);
PyObject *vb_uart_irq(PyObject *uart, int id, PyObject *args, PyObject *kw);
void vb_uart_irq_set_char_us(int id, int64_t char_us);
void vb_uart_irq_deinit(int id);
int vb_uart_irq_run(void);
void vb_uart_irq_after_fork(void);
int vb_uart_irq_add_to_type(PyObject *uart_type);

/* machine.Timer, ADC, PWM (engine_mod_timer*.c, engine_mod_adc.c,
 * engine_mod_pwm.c), each the port's flavour; engine_periph.c helpers. */
PyObject *vb_timer_type_create(void);
PyObject *vb_timer_pycom_type_create(void);
PyObject *vb_adc_type_create(void);
PyObject *vb_pwm_type_create(void);
/* machine.UART (engine_mod_uart.c); the line of a UART object (select.poll
 * waits on it), or -1 when obj is not one or has none (the console's). */
PyObject *vb_uart_type_create(void);
int vb_uart_fd(PyObject *obj);
/* Sets the {NULL}-terminated constants on type; returns it, or NULL with
 * an exception (type released). */
PyObject *vb_type_add_consts(PyObject *type, const vb_engine_const *c);
/* The GPIO of a Pin, or of what Pin() takes (a name, a number): the GPIO,
 * or -1 with the Pin constructor's exception. */
int vb_periph_pin_gpio(PyObject *pin);
/* In a new VM: the PWM outputs the last one left running stop. */
void vb_periph_after_fork(void);
/* machine.I2C and SoftI2C where the port has them (engine_mod_i2c.c). 0 / -1. */
int vb_machine_add_i2c(PyObject *machine);
/* machine.SPI and SoftSPI where the port has them (engine_mod_spi.c). 0 / -1. */
int vb_machine_add_spi(PyObject *machine);
/* machine.bitstream and time_pulse_us where the port has them (engine_mod_bitstream.c). 0 / -1. */
int vb_machine_add_pulses(PyObject *machine);
/* machine.Pin configured gpio: a PWM output there is cut off from the pin
 * (its object keeps its settings; init() routes it again). */
void vb_pwm_pin_taken(unsigned gpio);
/* Prints the pending exception as MicroPython prints one escaping a
 * scheduled callback, and clears it. */
void vb_engine_report_callback_exception(void);

PyObject *vb_signal_type_create(void);   /* engine_mod_signal.c */
PyObject *vb_wdt_type_create(void);      /* engine_mod_wdt.c */
/* lightsleep/sleep, wake_reason and the Pycom wake functions. 0 / -1. */
int vb_machine_add_sleep(PyObject *machine);
/* esp32 ext0 wake source: one GPIO (mask 0 = none) and level; applied to
 * the board with ext1 (engine_mod_esp32.c). */
void vb_esp32_set_ext0(uint64_t mask, int level);

/* ---- the board's flash as block devices (engine_flashdev.c) ---------------- */

/* The block protocol's ioctl operations (extmod/vfs.h MP_BLOCKDEV_IOCTL_*). */
enum {
    VB_BLOCKDEV_IOCTL_INIT = 1,
    VB_BLOCKDEV_IOCTL_DEINIT = 2,
    VB_BLOCKDEV_IOCTL_SYNC = 3,
    VB_BLOCKDEV_IOCTL_BLOCK_COUNT = 4,
    VB_BLOCKDEV_IOCTL_BLOCK_SIZE = 5,
    VB_BLOCKDEV_IOCTL_BLOCK_ERASE = 6,
};

#define VB_FLASHDEV_ERASE 4096   /* the chip's erase unit (esp32 NATIVE_BLOCK_SIZE_BYTES) */

/* Why an access was refused before reaching the chip (ESP-IDF's
 * esp_partition_* checks); the port's fail() turns it into its error. */
typedef enum vb_flashdev_fault {
    VB_FLASHDEV_BAD_OFFSET = 1,  /* starts past the window's end, or an erase
                                    not on a 4 KiB boundary */
    VB_FLASHDEV_BAD_SIZE = 2,    /* runs past the window's end, or an erase of
                                    a length that is not whole 4 KiB blocks */
} vb_flashdev_fault;

/* One block device: a window of the chip (esp32.Partition, rp2.Flash). */
typedef struct vb_flashdev_obj {
    PyObject_HEAD
    uint32_t base, size;           /* the window on the chip, bytes (size: whole 4 KiB blocks) */
    uint32_t block_size;           /* readblocks/writeblocks unit, 1..65535 */
    const vb_partition *part;      /* esp32.Partition: its table entry; else NULL */
    /* The port's exception for a vb_flashdev_fault (> 0) or a HAL error
     * (negative errno): sets it and returns NULL. */
    PyObject *(*fail)(int rc);
} vb_flashdev_obj;

/* readblocks(block_num, buf[, offset]), writeblocks(block_num, buf[, offset])
 * and ioctl(op, arg), for METH_FASTCALL method tables. */
PyObject *vb_flashdev_readblocks(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *vb_flashdev_writeblocks(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *vb_flashdev_ioctl(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
/* mp_obj_get_int: an int of 32 bits (TypeError / OverflowError otherwise). 0 / -1. */
int vb_flashdev_get_int(PyObject *o, int64_t *v);

#endif
