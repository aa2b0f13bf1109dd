/* Guards of the VM's Python layer (issue 11):
 *
 * 1. Recursion. Every C recursion CPython checks (repr, ==, json, str of
 *    dicts, the compiler, Python calls) counts against one recursion_limit.
 *    The VM runs device code on its main thread's stack, so that stack must
 *    hold recursion_limit levels of the deepest checked C recursion per
 *    level. Measured with Debian's CPython 3.11 (ulimit -s 8192, the limit
 *    raised until the process crashed instead of raising RecursionError):
 *    __getattr__ calling getattr() ~860 B/level (crash above ~9 800),
 *    __iter__ ~560, compiler (a+a+..., a.a.a..., f()()...) ~480, __init__
 *    ~360, __hash__ ~310, str of nested dicts ~240, __repr__ ~210, repr of
 *    lists ~180, json.loads ~150, json.dumps ~100, == ~80. We keep 8 KiB of
 *    stack per level (about 10x the worst), so a limit of 1000 (CPython's
 *    default, MicroPython's upper range on ESP32-class ports) needs 8 MiB:
 *    the soft RLIMIT_STACK is raised to that when it is lower (and the hard
 *    limit allows), else the limit is lowered to fit. Device code cannot
 *    raise it: MicroPython has no sys.setrecursionlimit, nor does the VM.
 *    RecursionError is named RuntimeError, as MicroPython raises it (it is
 *    a subclass of RuntimeError, so `except RuntimeError` catches it).
 *    CPython recursions with no check of their own (map() of map() ...,
 *    hash of deeply nested tuples) are counted by engine_guard_depth.c.
 *
 * 2. An audit hook (PEP 578) that refuses, in the VM only, the events by
 *    which device code reaches CPython's internals or the host: see
 *    refused[] below. MicroPython offers none of these routes. The kernel
 *    layers (seccomp, Landlock) stay the real boundary; this is defence in
 *    depth. `vboard run` with VBOARD_UNSAFE_NO_AUDIT_HOOK=1 in its
 *    environment leaves the hook unarmed (engine config no_audit_hook), so
 *    tests can reach the kernel layers beneath it. */
#include "engine_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* ---- 1. recursion ------------------------------------------------------- */

#define VB_RECURSION_LIMIT 1000
#define VB_STACK_PER_LEVEL (8u * 1024u) /* bytes of C stack kept per level */
#define VB_RECURSION_MIN 100

static int recursion_limit_for_stack(void)
{
    rlim_t want = (rlim_t)VB_RECURSION_LIMIT * VB_STACK_PER_LEVEL;
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) < 0) return VB_RECURSION_LIMIT;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rlim_t cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
        struct rlimit nrl = {cur, rl.rlim_max};
        if (setrlimit(RLIMIT_STACK, &nrl) == 0) rl.rlim_cur = cur;
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want) return VB_RECURSION_LIMIT;
    rlim_t fit = rl.rlim_cur / VB_STACK_PER_LEVEL;
    return fit < VB_RECURSION_MIN ? VB_RECURSION_MIN : (int)fit;
}

static int guard_recursion(void)
{
    Py_SetRecursionLimit(recursion_limit_for_stack());
    /* MicroPython spells it RuntimeError (report, type(e).__name__, repr). */
    ((PyTypeObject *)PyExc_RecursionError)->tp_name = "RuntimeError";
    PyObject *sys = PyImport_ImportModule("sys");
    if (!sys) return -1;
    if (PyObject_HasAttrString(sys, "setrecursionlimit") &&
        PyObject_DelAttrString(sys, "setrecursionlimit") < 0) {
        Py_DECREF(sys);
        return -1;
    }
    Py_DECREF(sys);
    return 0;
}

/* ---- 2. audit hook ------------------------------------------------------ */

typedef enum refusal {
    R_HOST,    /* OSError(EPERM): what the kernel layers answer anyway */
    R_MODATTR, /* AttributeError: 'module' object has no attribute NAME */
    R_OBJATTR, /* AttributeError: 'TYPE' object has no attribute NAME (args) */
    R_NEWCODE, /* TypeError: cannot create 'code' instances */
} refusal;

typedef struct refused_event {
    const char *name;  /* exact event name, or a prefix ending in '.' */
    refusal how;
    const char *attr;  /* R_MODATTR: the attribute MicroPython lacks */
} refused_event;

/* CPython 3.11's audit events table (library/audit_events). */
static const refused_event refused[] = {
    /* code objects: built, replaced, (un)marshalled */
    {"code.__new__", R_NEWCODE, NULL},          /* also code.replace() */
    {"marshal.dumps", R_MODATTR, "dumps"},
    {"marshal.loads", R_MODATTR, "loads"},
    {"marshal.load", R_MODATTR, "load"},
    /* every object, frames, tracing */
    {"gc.get_objects", R_MODATTR, "get_objects"},
    {"gc.get_referrers", R_MODATTR, "get_referrers"},
    {"gc.get_referents", R_MODATTR, "get_referents"},
    {"sys._getframe", R_MODATTR, "_getframe"},
    {"sys._current_frames", R_MODATTR, "_current_frames"},
    {"sys._current_exceptions", R_MODATTR, "_current_exceptions"},
    {"sys.settrace", R_MODATTR, "settrace"},
    {"sys.setprofile", R_MODATTR, "setprofile"},
    /* tb_frame, f_code, gi_/cr_/ag_ code and frame */
    {"object.__getattr__", R_OBJATTR, NULL},
    /* the host: files, processes, sockets, foreign code */
    {"open", R_HOST, NULL},                     /* io.open, FileIO, os.open */
    {"os.", R_HOST, NULL},
    {"subprocess.", R_HOST, NULL},
    {"socket.", R_HOST, NULL},
    {"ctypes.", R_HOST, NULL},
    {"shutil.", R_HOST, NULL},
    {"mmap.", R_HOST, NULL},
    {"fcntl.", R_HOST, NULL},
    {"resource.", R_HOST, NULL},
    {"pty.", R_HOST, NULL},
    {"syslog.", R_HOST, NULL},
    {"tempfile.", R_HOST, NULL},
    {"glob.", R_HOST, NULL},
    {"sqlite3.", R_HOST, NULL},
    {"urllib.", R_HOST, NULL},
    {"http.", R_HOST, NULL},
    {"webbrowser.", R_HOST, NULL},
    {NULL, R_HOST, NULL},
};

static bool audit_armed;
static bool audit_wanted = true;

static const refused_event *lookup(const char *event)
{
    for (const refused_event *r = refused; r->name; r++) {
        size_t n = strlen(r->name);
        if (r->name[n - 1] == '.' ? strncmp(event, r->name, n) == 0 : strcmp(event, r->name) == 0)
            return r;
    }
    return NULL;
}

static int refuse_objattr(PyObject *args)
{
    PyObject *obj = PyTuple_Check(args) && PyTuple_GET_SIZE(args) >= 2 ? PyTuple_GET_ITEM(args, 0)
                                                                        : NULL;
    PyObject *name = obj ? PyTuple_GET_ITEM(args, 1) : NULL;
    if (name && PyUnicode_Check(name))
        PyErr_Format(PyExc_AttributeError, "'%s' object has no attribute '%U'",
                     Py_TYPE(obj)->tp_name, name);
    else
        PyErr_SetString(PyExc_AttributeError, "no such attribute");
    return -1;
}

static int audit_hook(const char *event, PyObject *args, void *data)
{
    (void)data;
    if (!audit_armed) return 0;
    const refused_event *r = lookup(event);
    if (!r) return 0;
    switch (r->how) {
    case R_HOST:
        vb_raise_errno(EPERM);
        return -1;
    case R_MODATTR:
        PyErr_Format(PyExc_AttributeError, "'module' object has no attribute '%s'", r->attr);
        return -1;
    case R_OBJATTR:
        return refuse_objattr(args);
    case R_NEWCODE:
        PyErr_SetString(PyExc_TypeError, "cannot create 'code' instances");
        return -1;
    }
    return 0;
}

int vb_guard_init(void)
{
    audit_wanted = !vb_engine_g.no_audit_hook;
    if (guard_recursion() < 0 || vb_guard_depth_init() < 0) return -1;
    /* Hooks cannot be removed; unarmed, it only returns 0 in the zygote. */
    return PySys_AddAuditHook(audit_hook, NULL) < 0 ? -1 : 0;
}

void vb_guard_arm(void)
{
    audit_armed = audit_wanted;
}

bool vb_guard_armed(void)
{
    return audit_armed;
}

bool vb_guard_suspend(void)
{
    bool was = audit_armed;
    audit_armed = false;
    return was;
}

void vb_guard_resume(bool was)
{
    audit_armed = was;
}
