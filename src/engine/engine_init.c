/* CPython configuration and start-up for the zygote, the fork wrapper and
 * the SIGINT handler (architecture.md "Flows", "Known CPython pitfalls");
 * the SIGUSR1 (pin IRQ) handler is engine_mod_pin_irq.c's. */
#include "engine_int.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

vb_engine_state vb_engine_g;

/* Where Debian's libpython finds its stdlib. Set explicitly: the binary
 * lives in a build tree, where CPython's prefix search would wander. */
#ifndef VB_PYTHON_HOME
#define VB_PYTHON_HOME L"/usr"
#endif

static int fail(char *err, size_t errlen, const char *what)
{
    char detail[160] = "";
    if (PyErr_Occurred()) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyObject *s = v ? PyObject_Str(v) : NULL;
        const char *c = s ? PyUnicode_AsUTF8(s) : NULL;
        if (c) snprintf(detail, sizeof detail, ": %s", c);
        Py_XDECREF(s);
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
        PyErr_Clear();
    }
    snprintf(err, errlen, "engine: %s%s", what, detail);
    return -1;
}

/* MicroPython never warns at compile time (repl.md §7): the filters and
 * sys.warnoptions that `-W ignore::SyntaxWarning -W
 * ignore::DeprecationWarning` give, set here rather than by the config's
 * warnoptions, which would make CPython import warnings.py at start-up
 * (the warm-up imports it, off the cold start: random needs it; it then
 * applies sys.warnoptions again, to the same list). */
static int quiet_compile_warnings(void)
{
    static const char *const opts[] = {"ignore::SyntaxWarning", "ignore::DeprecationWarning"};
    PyObject *const cats[] = {PyExc_SyntaxWarning, PyExc_DeprecationWarning};
    PyObject *w = PyImport_ImportModule("_warnings");
    PyObject *filters = w ? PyObject_GetAttrString(w, "filters") : NULL;
    PyObject *given = PyList_New(0);
    int rc = filters && PyList_Check(filters) && given ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < 2; i++) {
        PyObject *item = Py_BuildValue("(sOOOi)", "ignore", Py_None, cats[i], Py_None, 0);
        PyObject *opt = PyUnicode_FromString(opts[i]);
        rc = item && opt && PyList_Append(given, opt) == 0 ? 0 : -1;
        /* as warnings.filterwarnings: an equal filter moves to the front */
        Py_ssize_t at = rc == 0 ? PySequence_Index(filters, item) : -1;
        if (at < 0 && rc == 0) PyErr_Clear();
        if (rc == 0 && ((at >= 0 && PySequence_DelItem(filters, at) < 0) || PyList_Insert(filters, 0, item) < 0))
            rc = -1;
        Py_XDECREF(item);
        Py_XDECREF(opt);
    }
    if (rc == 0) rc = PySys_SetObject("warnoptions", given);
    PyObject *r = rc == 0 ? PyObject_CallMethod(w, "_filters_mutated", NULL) : NULL;
    if (!r) rc = -1;
    Py_XDECREF(r);
    Py_XDECREF(given);
    Py_XDECREF(filters);
    Py_XDECREF(w);
    return rc;
}

static int start_python(char *err, size_t errlen)
{
    /* The board's heap hook goes between pre-initialisation (which picks
     * CPython's allocators) and initialisation (the first Python block). */
    PyPreConfig pre;
    PyPreConfig_InitIsolatedConfig(&pre);
    PyStatus st = Py_PreInitialize(&pre);
    if (PyStatus_Exception(st)) {
        snprintf(err, errlen, "engine: CPython pre-initialisation failed: %s",
                 st.err_msg ? st.err_msg : "unknown error");
        return -1;
    }
    vb_heap_install_allocator(vb_engine_g.heap_size);
    PyConfig config;
    PyConfig_InitIsolatedConfig(&config);
    config.site_import = 0;
    config.user_site_directory = 0;
    config.write_bytecode = 0;
    config.install_signal_handlers = 1;
    config.parse_argv = 0;
    config.buffered_stdio = 0;
    st = PyConfig_SetString(&config, &config.home, VB_PYTHON_HOME);
    if (!PyStatus_Exception(st)) st = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(st)) {
        snprintf(err, errlen, "engine: CPython start-up failed: %s",
                 st.err_msg ? st.err_msg : "unknown error");
        return -1;
    }
    return 0;
}

int vb_engine_install_sigint(void)
{
    /* the C module: signal.py would import enum first, for its IntEnums */
    PyObject *sig = PyImport_ImportModule("_signal");
    PyObject *handler = sig ? PyObject_GetAttrString(sig, "default_int_handler") : NULL;
    PyObject *r = handler ? PyObject_CallMethod(sig, "signal", "iO", SIGINT, handler) : NULL;
    Py_XDECREF(r);
    Py_XDECREF(handler);
    Py_XDECREF(sig);
    return r ? 0 : -1;
}

static void copy_config(const vb_engine_config *cfg)
{
    vb_engine_state *g = &vb_engine_g;
    g->hal = cfg->hal;
    g->port = cfg->port ? cfg->port : &vb_port_esp32;
    g->unique_id_len = cfg->unique_id_len < sizeof g->unique_id ? cfg->unique_id_len
                                                                : sizeof g->unique_id;
    if (cfg->unique_id) memcpy(g->unique_id, cfg->unique_id, g->unique_id_len);
    else g->unique_id_len = 0;
    g->cpu_freq_hz = cfg->cpu_freq_hz ? cfg->cpu_freq_hz : g->port->cpu_freq_hz;
    g->heap_size = cfg->heap_size ? cfg->heap_size : VB_ENGINE_HEAP_DEFAULT;
    g->vm_as_limit = cfg->vm_as_limit;
    g->no_audit_hook = cfg->no_audit_hook;
    g->pins = g->port->pins;
    g->n_pins = g->port->n_pins;
    g->frozen = cfg->frozen;
    g->n_frozen = cfg->frozen ? cfg->n_frozen : 0;
    g->parts = cfg->parts;
    g->n_parts = cfg->parts ? cfg->n_parts : 0;
    g->fs_offset = cfg->fs_offset;
    g->fs_size = cfg->fs_size;
}

/* Pins need every pin member of the HAL; other members are optional. */
static bool hal_complete(const vb_engine_config *cfg)
{
    const vb_hal *h = cfg ? cfg->hal : NULL;
    if (!h || !h->tx || !h->rx || !h->ticks_us || !h->rtc_get || !h->rtc_set || !h->exit_vm)
        return false;
    return h->pin_config && h->pin_write && h->pin_read && h->pin_state && h->pin_irq_arm &&
           h->pin_irq_take;
}

/* The host stdlib directory (where os.py is). Its pure-Python modules
 * stand in for MicroPython's C modules, so reports hide their frames. */
static int find_stdlib_dir(void)
{
    PyObject *os = PyImport_ImportModule("os");
    PyObject *file = os ? PyObject_GetAttrString(os, "__file__") : NULL;
    const char *f = file && PyUnicode_Check(file) ? PyUnicode_AsUTF8(file) : NULL;
    const char *slash = f ? strrchr(f, '/') : NULL;
    int rc = -1;
    if (slash && (size_t)(slash - f) + 1 < sizeof vb_engine_g.stdlib_dir) {
        memcpy(vb_engine_g.stdlib_dir, f, (size_t)(slash - f) + 1);
        vb_engine_g.stdlib_dir[slash - f + 1] = '\0';
        rc = 0;
    }
    Py_XDECREF(file);
    Py_XDECREF(os);
    return rc;
}

int vb_engine_init(const vb_engine_config *cfg, char *err, size_t errlen)
{
    if (vb_engine_g.initialised) {
        snprintf(err, errlen, "engine: already initialised in this process");
        return -1;
    }
    if (!hal_complete(cfg)) {
        snprintf(err, errlen, "engine: incomplete HAL");
        return -1;
    }
    if (cfg->port && (unsigned)cfg->port->id >= VB_PORT_COUNT) {
        snprintf(err, errlen, "engine: port %s has no engine flavour", cfg->port->name);
        return -1;
    }
    copy_config(cfg);
    if (start_python(err, errlen) < 0) return -1;
    vb_engine_g.initialised = true;
    if (quiet_compile_warnings() < 0) return fail(err, errlen, "silencing compile-time warnings failed");
    if (vb_guard_init() < 0) return fail(err, errlen, "installing the guards failed");

    /* the stdlib still loads from the host here, before any sandbox */
    if (vb_modules_preimport() < 0) return fail(err, errlen, "pre-import failed");
    /* before sys is dressed: the warm-up imports as the host would */
    if (vb_warm_keep_host_imports() < 0) return fail(err, errlen, "keeping the host's import state failed");
    if (find_stdlib_dir() < 0) return fail(err, errlen, "cannot locate the stdlib");
    if (vb_mptext_install() < 0) return fail(err, errlen, "installing MicroPython's texts failed");
    /* Kept before device code can patch builtins (paste mode needs it). */
    PyObject *builtins = PyEval_GetBuiltins(); /* borrowed */
    vb_engine_g.compile_fn = builtins ? PyDict_GetItemString(builtins, "compile") : NULL;
    if (!vb_engine_g.compile_fn) return fail(err, errlen, "no builtins.compile");
    Py_INCREF(vb_engine_g.compile_fn);

    if (vb_pin_irq_init() < 0) return fail(err, errlen, "installing the pin IRQ handler failed");
    if (vb_modules_build() < 0) return fail(err, errlen, "building the board modules failed");
    if (vb_frozen_init() < 0) return fail(err, errlen, "installing the frozen modules failed");
    if (vb_modules_extend() < 0) return fail(err, errlen, "extending the modules failed");
    if (vb_modules_alias() < 0) return fail(err, errlen, "adding the u-aliases failed");
    if (vb_stdio_install() < 0) return fail(err, errlen, "installing stdio failed");
    if (vb_input_install() < 0) return fail(err, errlen, "installing input() failed");
    if (vb_help_install() < 0) return fail(err, errlen, "installing help() failed");
    if (vb_heap_install() < 0) return fail(err, errlen, "installing the heap hook failed");
    if (vb_mptypes_install() < 0) return fail(err, errlen, "patching the built-in types failed");
    if (vb_mpcompile_init() < 0) return fail(err, errlen, "installing the compiler's names failed");
    if (vb_engine_install_sigint() < 0) return fail(err, errlen, "installing SIGINT failed");
    return 0;
}

/* gc.freeze(), after a full collection when `collect`: an optimisation
 * only (the frozen objects are never scanned again, so forked VMs leave
 * their pages shared). */
static void freeze(bool collect)
{
    static const char *const steps[] = {"collect", "freeze"};
    PyObject *gc = vb_gc_cpython() ? Py_NewRef(vb_gc_cpython()) : PyImport_ImportModule("gc");
    for (size_t i = collect ? 0 : 1; gc && i < 2; i++) {
        PyObject *r = PyObject_CallMethod(gc, steps[i], NULL);
        Py_XDECREF(r);
    }
    Py_XDECREF(gc);
    PyErr_Clear();
}

int vb_engine_add_frozen(const vb_frozen_module *frozen, size_t n, char *err, size_t errlen)
{
    if (!n) return 0;
    if (vb_engine_g.n_frozen) {
        snprintf(err, errlen, "engine: frozen modules given twice");
        return -1;
    }
    vb_engine_g.frozen = frozen;
    vb_engine_g.n_frozen = n;
    return vb_frozen_init() < 0 ? fail(err, errlen, "installing the frozen modules failed") : 0;
}

void vb_engine_zygote_ready(void)
{
    vb_frozen_complete_path();
    if (vb_modules_alias() < 0) PyErr_Clear(); /* os and vfs: only a dict insert */
    /* not collected first (some 1 ms of the cold start, for a few dozen
     * objects of garbage, which stay) */
    freeze(false);
}

void vb_engine_freeze_heap(void)
{
    freeze(true);
}

/* Virtual size of this process in bytes (0 if unknown). */
static size_t vm_size(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (!f) return 0;
    if (fscanf(f, "%lu", &pages) != 1) pages = 0;
    fclose(f);
    return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

static void after_fork_child(void)
{
    if (vb_engine_install_sigint() < 0) PyErr_Clear();
    if (vb_engine_g.vm_as_limit) {
        size_t base = vm_size();
        if (base) {
            struct rlimit rl = {base + vb_engine_g.vm_as_limit, base + vb_engine_g.vm_as_limit};
            (void)setrlimit(RLIMIT_AS, &rl); /* best effort: a backstop only */
        }
    }
    Py_CLEAR(vb_engine_g.last_exc);
    vb_heap_after_fork();
    vb_pin_irq_after_fork();
    vb_timer_after_fork();
    vb_uart_irq_after_fork();
    vb_periph_after_fork();
    vb_guard_arm(); /* last: device code may run from here on */
}

pid_t vb_engine_fork(void)
{
    PyOS_BeforeFork();
    pid_t pid = fork();
    if (pid == 0) {
        PyOS_AfterFork_Child();
        after_fork_child();
    } else {
        PyOS_AfterFork_Parent();
    }
    return pid;
}
