/* Shared between the engine's files only (not for the REPL or pyfs). */
#ifndef VB_ENGINE_ENGINE_INT_H
#define VB_ENGINE_ENGINE_INT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "engine/engine.h"

/* The one process-wide engine record. Why global: there is exactly one
 * interpreter per VM process (architecture.md), and the callbacks CPython
 * makes into us (module functions of C modules shared by every import,
 * pending calls, the display hook) carry no user pointer to reach the HAL.
 * Written by vb_engine_init / vb_engine_fork only, except last_exc and the
 * input hook (set by the firmware once per VM, when its REPL exists). */
typedef struct vb_engine_state {
    const vb_hal *hal;
    const vb_engine_const *machine_consts;
    uint8_t unique_id[32];
    size_t unique_id_len;
    uint32_t cpu_freq_hz;
    size_t heap_size;
    size_t vm_as_limit;
    char board[64];
    size_t heap_base;      /* gc.mem_alloc() zero point, taken at fork */
    PyObject *compile_fn;  /* builtins.compile as it was at init */
    char stdlib_dir[256];  /* "/usr/lib/python3.11/": frames hidden */
    PyObject *last_exc;    /* exception kept by vb_engine_exec */
    vb_engine_input_fn input_fn; /* input()'s line editor; NULL = built-in */
    void *input_ctx;
    bool initialised;
} vb_engine_state;

extern vb_engine_state vb_engine_g;

/* Monotonic host clock, µs; sleeps are timed with it. */
int64_t vb_engine_now_us(void);
/* Sleep us microseconds, waking for signals: 0, or -1 with the exception
 * (KeyboardInterrupt) set. */
int vb_engine_sleep_us(int64_t us);

/* Calendar on the board epoch 2000-01-01 (engine_mod_time.c). */
typedef struct vb_civil {
    int64_t year;
    int month, mday, hour, minute, second;
    int weekday; /* 0 = Monday */
    int yearday; /* 1 = 1 January */
} vb_civil;
vb_civil vb_civil_from_seconds(int64_t secs);
/* Seconds since 2000 from fields idx[0..5] (year, month, mday, hour,
 * minute, second) of a sequence of at least min_len items; out-of-range
 * fields roll over as upstream's mktime does. -1 with an exception on bad
 * input (check PyErr_Occurred). */
int64_t vb_time_tuple_seconds(PyObject *seq, int min_len, const int idx[6]);

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
/* The modules the board offers, NULL-terminated (engine_complete.c). */
extern const char *const vb_engine_board_modules[];
/* select.poll event bits (upstream's values, which are Linux's). */
#define VB_POLLIN 0x0001
#define VB_POLLOUT 0x0004
#define VB_POLLERR 0x0008
#define VB_POLLHUP 0x0010

/* engine_stdio.c: the ready events (POLLIN/POLLOUT bits of mask) of a board
 * stdio stream, or -1 if obj is not one (select.poll). */
int vb_stdio_poll(PyObject *obj, int mask);

/* Module builders (new references, NULL with an exception). */
PyObject *vb_mod_time_create(void);
PyObject *vb_mod_machine_create(void);
PyObject *vb_mod_micropython_create(void);
PyObject *vb_mod_select_create(void);
/* Adds the sys attributes (platform, implementation, print_exception,
 * displayhook). 0 / -1. */
int vb_mod_sys_extend(void);
/* Adds gc.mem_free / gc.mem_alloc. 0 / -1. */
int vb_mod_gc_extend(void);
/* Current approximate heap use in bytes (gc.mem_alloc before the baseline). */
size_t vb_engine_heap_used(void);

#endif
