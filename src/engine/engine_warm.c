/* The zygote's warm-up off the cold start (issue 14): the stdlib modules
 * of the table marked VB_MOD_WARM (json, re, collections, heapq, array:
 * some 15 ms of module bodies) are imported by the zygote only after it
 * has forked its first VM, so the first prompt does not wait for them.
 * Every later VM is forked from the warmed zygote and finds them in
 * sys.modules, as before.
 *
 * The first VM, forked cold, gets them through the zygote: its sandbox
 * (Landlock) lets it open no file, so a finder at the head of its
 * sys.meta_path asks the zygote over a socket for a module by name, and
 * the zygote answers with the compiled code of a module it imported in
 * its warm-up -- only those, by name, never a path of the VM's choosing --
 * which the VM then runs. The answers wait for the warm-up: a first boot
 * that imports json right away gets it once the zygote has it.
 *
 * Protocol (one VM, one request at a time): request = u8 n (1..200) + n
 * bytes of module name; answer = u8 kind (0 not served, 1 module, 2
 * package), then for 1/2: u16 length + origin path, u32 length + the
 * code object in marshal form. The VM is hostile: a request that breaks
 * the protocol ends the service (the zygote closes its end). */
#include "engine_int.h"
#include "engine/engine.h"

#include <errno.h>
#include <marshal.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NAME_MAX_LEN 200
#define ORIGIN_MAX_LEN 4096
#define CODE_MAX_LEN (16u << 20)

enum { KIND_NONE = 0, KIND_MODULE = 1, KIND_PACKAGE = 2 };

/* C extension modules the warm ones load from files (Debian builds _json
 * as a shared object): loaded before the first VM, which could not open
 * them. The e2e test checks the first VM's json has its C scanner. */
static const char *const file_extensions[] = {"_json", NULL};

/* The zygote's state (one per process): the host's import state, kept
 * from before the board's finders and sys.implementation replaced it (its
 * cache_tag finds the stdlib's .pyc files: without it every module would
 * be compiled from source), and the names its warm-up imported -- what it
 * may serve. */
static PyObject *host_meta_path, *host_path, *host_impl, *served;

int vb_warm_keep_host_imports(void)
{
    PyObject *meta = PySys_GetObject("meta_path"); /* borrowed */
    PyObject *path = PySys_GetObject("path");      /* borrowed */
    if (!meta || !path || !PyList_Check(meta) || !PyList_Check(path)) {
        PyErr_SetString(PyExc_RuntimeError, "sys.meta_path or sys.path is not a list");
        return -1;
    }
    host_meta_path = PyList_GetSlice(meta, 0, PyList_GET_SIZE(meta));
    host_path = PyList_GetSlice(path, 0, PyList_GET_SIZE(path));
    host_impl = Py_XNewRef(PySys_GetObject("implementation"));
    if (!host_meta_path || !host_path || !host_impl) return -1;
    for (const char *const *n = file_extensions; *n; n++) {
        PyObject *m = PyImport_ImportModule(*n);
        if (!m) return -1;
        Py_DECREF(m);
    }
    return 0;
}

/* Swap sys.<name> with *saved (both lists). */
static int swap_sys(const char *name, PyObject **saved)
{
    PyObject *cur = PySys_GetObject(name); /* borrowed */
    if (!cur) return -1;
    Py_INCREF(cur);
    if (PySys_SetObject(name, *saved) < 0) {
        Py_DECREF(cur);
        return -1;
    }
    Py_SETREF(*saved, cur);
    return 0;
}

int vb_engine_warm_up(void)
{
    if (!host_meta_path || served) return 0;
    PyObject *modules = PyImport_GetModuleDict(); /* borrowed */
    PyObject *before = PyDict_Keys(modules);
    if (!before || swap_sys("meta_path", &host_meta_path) < 0) goto fail;
    if (swap_sys("path", &host_path) < 0) {
        swap_sys("meta_path", &host_meta_path);
        goto fail;
    }
    if (swap_sys("implementation", &host_impl) < 0) {
        swap_sys("path", &host_path);
        swap_sys("meta_path", &host_meta_path);
        goto fail;
    }
    int rc = 0;
    for (const vb_module_def *m = vb_engine_modules; rc == 0 && m->name; m++) {
        if (m->how != VB_MOD_WARM || !vb_module_offered(m)) continue;
        PyObject *mod = PyImport_ImportModule(m->name);
        if (!mod) rc = -1;
        Py_XDECREF(mod);
    }
    /* the board's import path again, whatever happened */
    if (swap_sys("implementation", &host_impl) < 0 || swap_sys("path", &host_path) < 0 ||
        swap_sys("meta_path", &host_meta_path) < 0)
        rc = -1;
    if (rc < 0) goto fail;
    PyObject *now = PyDict_Keys(modules);
    PyObject *set = now ? PySet_New(now) : NULL;
    Py_XDECREF(now);
    for (Py_ssize_t i = 0; set && i < PyList_GET_SIZE(before); i++)
        if (PySet_Discard(set, PyList_GET_ITEM(before, i)) < 0) Py_CLEAR(set);
    Py_DECREF(before);
    if (!set) return -1;
    served = set;
    if (vb_modules_alias() < 0) return -1;
    /* the board library too, so later VMs import ready code (engine_pylib.c) */
    if (vb_pylib_precompile() < 0) return -1;
    /* the board library too, so later VMs import ready code (engine_pylib.c) */
    if (vb_pylib_precompile() < 0) return -1;
    vb_engine_freeze_heap();   /* the warmed objects are shared with every later VM */
    return 0;
fail:
    Py_XDECREF(before);
    return -1;
}

/* ---- the zygote's side -------------------------------------------------- */

static bool read_all(int fd, void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

static bool send_all(int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static bool name_ok(const char *s, size_t n)
{
    if (n == 0 || s[0] == '.' || s[n - 1] == '.') return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  (c == '.' && s[i - 1] != '.');
        if (!ok) return false;
    }
    return true;
}

/* The answer for one served module: kind, origin, marshalled code. */
static bool answer(int fd, PyObject *name)
{
    uint8_t kind = KIND_NONE;
    PyObject *mod = NULL, *spec = NULL, *loader = NULL, *origin = NULL, *code = NULL, *bytes = NULL;
    int has = served ? PySet_Contains(served, name) : 0;
    if (has == 1) mod = PyDict_GetItemWithError(PyImport_GetModuleDict(), name); /* borrowed */
    if (mod) spec = PyObject_GetAttrString(mod, "__spec__");
    if (spec && spec != Py_None) {
        loader = PyObject_GetAttrString(spec, "loader");
        origin = PyObject_GetAttrString(spec, "origin");
        PyObject *subs = PyObject_GetAttrString(spec, "submodule_search_locations");
        bool pkg = subs && subs != Py_None;
        Py_XDECREF(subs);
        code = loader && origin && PyUnicode_Check(origin) ? PyObject_CallMethod(loader, "get_code", "O", name)
                                                           : NULL;
        if (code && PyCode_Check(code)) {
            bytes = PyMarshal_WriteObjectToString(code, Py_MARSHAL_VERSION);
            if (bytes) kind = pkg ? KIND_PACKAGE : KIND_MODULE;
        }
    }
    PyErr_Clear();             /* a module that cannot be served is just not served */
    bool ok = send_all(fd, &kind, 1);
    if (ok && kind != KIND_NONE) {
        Py_ssize_t olen;
        const char *o = PyUnicode_AsUTF8AndSize(origin, &olen);
        size_t clen = (size_t)PyBytes_GET_SIZE(bytes);
        if (!o || olen > ORIGIN_MAX_LEN || clen > CODE_MAX_LEN) {
            PyErr_Clear();
            ok = false;
        } else {
            uint16_t ol = (uint16_t)olen;
            uint32_t cl = (uint32_t)clen;
            ok = send_all(fd, &ol, sizeof ol) && send_all(fd, o, (size_t)olen) && send_all(fd, &cl, sizeof cl) &&
                 send_all(fd, PyBytes_AS_STRING(bytes), clen);
        }
    }
    Py_XDECREF(spec);
    Py_XDECREF(loader);
    Py_XDECREF(origin);
    Py_XDECREF(code);
    Py_XDECREF(bytes);
    return ok;
}

void vb_engine_warm_serve(int fd)
{
    for (;;) {
        uint8_t n;
        char name[NAME_MAX_LEN + 1];
        if (!read_all(fd, &n, 1) || n == 0 || n > NAME_MAX_LEN || !read_all(fd, name, n)) break;
        name[n] = '\0';
        if (!name_ok(name, n)) break;
        PyObject *s = PyUnicode_FromStringAndSize(name, n);
        bool ok = s && answer(fd, s);
        Py_XDECREF(s);
        PyErr_Clear();
        if (!ok) break;
    }
    close(fd);
}

/* ---- the first VM's side --------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    int fd;                    /* -1 once the line broke */
    PyObject *spec_type;       /* importlib's ModuleSpec */
} warm_finder;

/* One request; the answer's kind (or -1: the line broke), origin and code. */
static int ask(warm_finder *f, const char *name, size_t n, PyObject **origin, PyObject **code)
{
    uint8_t len = (uint8_t)n, kind;
    uint16_t ol;
    uint32_t cl;
    char o[ORIGIN_MAX_LEN + 1];
    if (write(f->fd, &len, 1) != 1 || write(f->fd, name, n) != (ssize_t)n || !read_all(f->fd, &kind, 1)) return -1;
    if (kind == KIND_NONE) return KIND_NONE;
    if (kind > KIND_PACKAGE || !read_all(f->fd, &ol, sizeof ol) || ol > ORIGIN_MAX_LEN || !read_all(f->fd, o, ol) ||
        !read_all(f->fd, &cl, sizeof cl) || cl > CODE_MAX_LEN)
        return -1;
    char *buf = PyMem_RawMalloc(cl ? cl : 1);
    if (!buf || !read_all(f->fd, buf, cl)) {
        PyMem_RawFree(buf);
        return -1;
    }
    /* the zygote's bytes (marshal.loads is refused to device code) */
    bool armed = vb_guard_suspend();
    *code = PyMarshal_ReadObjectFromString(buf, cl);
    vb_guard_resume(armed);
    PyMem_RawFree(buf);
    *origin = PyUnicode_DecodeFSDefaultAndSize(o, ol);
    if (!*code || !*origin || !PyCode_Check(*code)) {
        Py_CLEAR(*code);
        Py_CLEAR(*origin);
        return -1;
    }
    return kind;
}

/* A module built into CPython (_ast, _struct...): the zygote has no code
 * to serve for one, so the VM does not ask, and wait for the warm-up, to
 * hear so. */
static bool builtin_module(const char *name)
{
    for (const struct _inittab *p = PyImport_Inittab; p->name; p++)
        if (strcmp(p->name, name) == 0) return true;
    return false;
}

/* A u-alias of a warm module: its target, else NULL. */
static const char *warm_alias_target(const char *name)
{
    for (const vb_module_def *m = vb_engine_modules; m->name; m++) {
        const char *alias = m->how == VB_MOD_WARM && vb_module_offered(m) ? vb_module_alias(m) : NULL;
        if (alias && strcmp(alias, name) == 0) return m->name;
    }
    return NULL;
}

static PyObject *make_spec(warm_finder *f, PyObject *name, PyObject *origin, PyObject *state, bool pkg)
{
    PyObject *kw = Py_BuildValue("{s:O,s:O}", "origin", origin, "is_package", pkg ? Py_True : Py_False);
    PyObject *args = kw ? PyTuple_Pack(2, name, (PyObject *)f) : NULL;
    PyObject *spec = args ? PyObject_Call(f->spec_type, args, kw) : NULL;
    Py_XDECREF(args);
    Py_XDECREF(kw);
    if (spec && (PyObject_SetAttrString(spec, "loader_state", state) < 0 ||
                 PyObject_SetAttrString(spec, "has_location", origin != Py_None ? Py_True : Py_False) < 0))
        Py_CLEAR(spec);
    return spec;
}

static PyObject *wf_find_spec(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    warm_finder *f = (warm_finder *)self;
    if (nargs < 1 || !PyUnicode_Check(args[0])) Py_RETURN_NONE;
    Py_ssize_t n;
    const char *name = PyUnicode_AsUTF8AndSize(args[0], &n);
    if (!name) return NULL;
    const char *target = warm_alias_target(name);
    if (target) {               /* `import ujson`: the very json module */
        PyObject *mod = PyImport_ImportModule(target);
        if (!mod) return NULL;
        PyObject *spec = make_spec(f, args[0], Py_None, mod, false);
        Py_DECREF(mod);
        return spec;
    }
    if (f->fd < 0 || n < 1 || n > NAME_MAX_LEN || !name_ok(name, (size_t)n) || builtin_module(name))
        Py_RETURN_NONE;
    /* the board library is never the warm-up's: no need to wait for it */
    bool pkg;
    if (vb_pylib_module(name, &pkg)) Py_RETURN_NONE;
    PyObject *origin = NULL, *code = NULL;
    int kind = ask(f, name, (size_t)n, &origin, &code);
    if (kind < 0) {
        close(f->fd);
        f->fd = -1;
    }
    if (kind <= 0) Py_RETURN_NONE;
    PyObject *spec = make_spec(f, args[0], origin, code, kind == KIND_PACKAGE);
    Py_DECREF(origin);
    Py_DECREF(code);
    return spec;
}

/* The alias's module itself; else the default (a new module). */
static PyObject *wf_create_module(PyObject *self, PyObject *spec)
{
    (void)self;
    PyObject *state = PyObject_GetAttrString(spec, "loader_state");
    if (state && PyModule_Check(state)) return state;
    Py_XDECREF(state);
    PyErr_Clear();
    Py_RETURN_NONE;
}

/* Warm modules cost a later VM nothing (they are the zygote's): neither
 * here, so gc.mem_alloc() and mem_free() read the same. */

static PyObject *wf_exec_module(PyObject *self, PyObject *module)
{
    (void)self;
    PyObject *spec = PyObject_GetAttrString(module, "__spec__");
    PyObject *state = spec ? PyObject_GetAttrString(spec, "loader_state") : NULL;
    Py_XDECREF(spec);
    if (!state) return NULL;
    PyObject *r = Py_NewRef(Py_None);
    if (PyCode_Check(state)) {
        Py_DECREF(r);
        vb_heap_quiet(true);
        r = PyEval_EvalCode(state, PyModule_GetDict(module), PyModule_GetDict(module));
        vb_heap_quiet(false);
    }
    Py_DECREF(state);
    if (!r) return NULL;
    Py_DECREF(r);
    Py_RETURN_NONE;
}

static PyMethodDef wf_methods[] = {
    {"find_spec", (PyCFunction)(void (*)(void))wf_find_spec, METH_FASTCALL, NULL},
    {"create_module", wf_create_module, METH_O, NULL},
    {"exec_module", wf_exec_module, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static void wf_dealloc(PyObject *self)
{
    warm_finder *f = (warm_finder *)self;
    if (f->fd >= 0) close(f->fd);
    Py_XDECREF(f->spec_type);
    PyObject_Free(self);
}

/* A static type: one per process, made ready in the first VM only. */
static PyTypeObject warm_finder_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "WarmFinder",
    .tp_basicsize = sizeof(warm_finder),
    .tp_dealloc = wf_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_methods = wf_methods,
};

int vb_engine_warm_first_vm(int fd)
{
    if (PyType_Ready(&warm_finder_type) < 0) return -1;
    PyObject *bootstrap = PyImport_ImportModule("_frozen_importlib");
    PyObject *spec_type = bootstrap ? PyObject_GetAttrString(bootstrap, "ModuleSpec") : NULL;
    Py_XDECREF(bootstrap);
    warm_finder *f = spec_type ? PyObject_New(warm_finder, &warm_finder_type) : NULL;
    if (!f) {
        Py_XDECREF(spec_type);
        return -1;
    }
    f->fd = fd;
    f->spec_type = spec_type;
    PyObject *meta = PySys_GetObject("meta_path"); /* borrowed */
    int rc = meta && PyList_Check(meta) ? PyList_Insert(meta, 0, (PyObject *)f) : -1;
    Py_DECREF(f);
    return rc;
}
