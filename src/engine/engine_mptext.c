/* MicroPython's texts on CPython's objects (issue 15): what str() and
 * repr() of an exception, repr() of a class and of an OrderedDict give,
 * the names of the CPython-only exception classes MicroPython lacks, and
 * the messages CPython's own code raises, rewritten to v1.24's. Each fact
 * is one table or one function here; nothing else in the engine knows
 * CPython's wording.
 *
 * Messages are those of the esp32 and rp2 builds of v1.24: ROM level
 * EXTRA_FEATURES, hence MICROPY_ERROR_REPORTING_NORMAL (py/mpconfig.h),
 * which keeps the type names but not the function names ("function takes
 * 2 positional arguments but 3 were given"). A message is rewritten when
 * the exception object is made (the classes' tp_init), so str(e), e.args
 * and the report agree; only a message matching one of CPython's texts
 * exactly (with `{}` standing for the variable parts) is touched.
 *
 * How: CPython's exception, type and OrderedDict classes are static, so
 * their slots (and the slot wrappers in their dicts, which later
 * subclasses inherit from) are replaced here, once, in the zygote, as
 * engine_guard.c renames RecursionError. */
#include "engine_int.h"

#include <string.h>

#include "util/errname.h"

/* ---- OSError ------------------------------------------------------------- */

static bool is_plain_int(PyObject *o)
{
    return PyLong_Check(o) && !PyBool_Check(o);
}

/* py/objexcept.c: "[Errno 5] EIO" for OSError(5), "[Errno 5] EIO: x" for
 * OSError(5, 'x'), when the number has a name (errno.errorcode). CPython's
 * own errors carry (errno, strerror) and maybe a filename: those print as
 * the one-argument form, the strerror text being CPython's. */
PyObject *vb_mptext_oserror(PyObject *exc, PyObject *args)
{
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    if (n < 1 || n > 2 || !is_plain_int(PyTuple_GET_ITEM(args, 0))) return NULL;
    int overflow = 0;
    long num = PyLong_AsLongAndOverflow(PyTuple_GET_ITEM(args, 0), &overflow);
    const vb_errinfo *info = overflow || num <= 0 || num > 100000 ? NULL
                             : vb_errinfo_find_as((int)num, vb_mptext_errnos());
    const char *name = info ? info->name : NULL;
    if (!name) return NULL;
    PyObject *head = PyUnicode_FromFormat("[Errno %ld] %s", num, name);
    if (!head || n == 1) return head;

    PyObject *filename = PyObject_GetAttrString(exc, "filename");
    if (!filename) PyErr_Clear();
    bool plain = filename && filename != Py_None;
    Py_XDECREF(filename);
    PyObject *extra = plain ? NULL : PyObject_Str(PyTuple_GET_ITEM(args, 1));
    if (!plain && !extra) {
        Py_DECREF(head);
        return NULL;
    }
    if (extra) {
        char buf[256];
        const char *text = strerror_r((int)num, buf, sizeof buf); /* GNU form */
        const char *e = PyUnicode_AsUTF8(extra);
        if (!e) PyErr_Clear();
        plain = !e || strcmp(e, text) == 0;
    }
    PyObject *r = plain ? Py_NewRef(head) : PyUnicode_FromFormat("%U: %U", head, extra);
    Py_DECREF(head);
    Py_XDECREF(extra);
    return r;
}

/* The one way the engine raises OSError: OSError(err) with one int
 * argument (or MicroPython's two-argument form when detail is given),
 * always the OSError class itself, e.errno set. Always returns NULL. */
vb_errno_numbers vb_mptext_errnos(void)
{
    return vb_engine_g.port ? vb_engine_g.port->errnos : VB_ERRNO_LINUX;
}

/* The one place a host errno becomes the board's number (esp32: newlib's). */
PyObject *vb_raise_oserror(int err, const char *detail)
{
    int e = !detail && err < 0 ? -err : err;
    return vb_raise_oserror_signed(e > 0 ? vb_errno_as(e, vb_mptext_errnos()) : e, detail);
}

PyObject *vb_raise_oserror_signed(int err, const char *detail)
{
    PyObject *num = PyLong_FromLong(err);
    PyObject *exc = NULL;
    if (num && detail) exc = PyObject_CallFunction(PyExc_OSError, "Os", num, detail);
    else if (num) exc = PyObject_CallOneArg(PyExc_OSError, num);
    if (exc && PyObject_SetAttrString(exc, "errno", num) == 0) PyErr_SetObject(PyExc_OSError, exc);
    Py_XDECREF(exc);
    Py_XDECREF(num);
    return NULL;
}

PyObject *vb_raise_oserror_msg(const char *msg)
{
    PyErr_SetString(PyExc_OSError, msg);
    return NULL;
}

/* ---- str() and repr() of exceptions ---------------------------------------- */

static const char *short_name(PyTypeObject *t)
{
    const char *dot = strrchr(t->tp_name, '.');
    return dot ? dot + 1 : t->tp_name;
}

static PyObject *exc_args(PyObject *self)
{
    PyObject *a = ((PyBaseExceptionObject *)self)->args;
    return a && PyTuple_Check(a) ? a : NULL;
}

/* mp_obj_exception_print, PRINT_STR: '' / str(arg) / repr(args), and the
 * OSError form. */
static PyObject *exc_str(PyObject *self)
{
    PyObject *args = exc_args(self);
    Py_ssize_t n = args ? PyTuple_GET_SIZE(args) : 0;
    if (n == 0) return PyUnicode_FromString("");
    if (PyObject_TypeCheck(self, (PyTypeObject *)PyExc_OSError)) {
        PyObject *r = vb_mptext_oserror(self, args);
        if (r || PyErr_Occurred()) return r;
    }
    return n == 1 ? PyObject_Str(PyTuple_GET_ITEM(args, 0)) : PyObject_Repr(args);
}

/* PRINT_REPR: the class name and the args tuple: ValueError('v',). */
static PyObject *exc_repr(PyObject *self)
{
    PyObject *args = exc_args(self);
    if (!args) return PyUnicode_FromFormat("%s()", short_name(Py_TYPE(self)));
    return PyUnicode_FromFormat("%s%R", short_name(Py_TYPE(self)), args);
}

/* ---- repr() of classes and OrderedDict --------------------------------------- */

/* objtype.c type_print: <class 'A'>, the bare name. */
static PyObject *class_repr(PyObject *self)
{
    return PyUnicode_FromFormat("<class '%s'>", short_name((PyTypeObject *)self));
}

/* objdict.c dict_print for an ordered dict: OrderedDict({'a': 1}). */
static PyObject *odict_repr(PyObject *self)
{
    int rec = Py_ReprEnter(self);
    if (rec != 0) return rec > 0 ? PyUnicode_FromFormat("%s(...)", short_name(Py_TYPE(self))) : NULL;
    PyObject *parts = PyList_New(0);
    PyObject *items = parts ? PyObject_CallMethod(self, "items", NULL) : NULL;
    PyObject *it = items ? PyObject_GetIter(items) : NULL;
    PyObject *kv, *r = NULL;
    int rc = it ? 0 : -1;
    while (rc == 0 && (kv = PyIter_Next(it))) {
        PyObject *s = PyTuple_Check(kv) && PyTuple_GET_SIZE(kv) == 2
                          ? PyUnicode_FromFormat("%R: %R", PyTuple_GET_ITEM(kv, 0), PyTuple_GET_ITEM(kv, 1))
                          : NULL;
        rc = s ? PyList_Append(parts, s) : -1;
        Py_XDECREF(s);
        Py_DECREF(kv);
    }
    if (rc == 0 && !PyErr_Occurred()) {
        PyObject *sep = PyUnicode_FromString(", ");
        PyObject *body = sep ? PyUnicode_Join(sep, parts) : NULL;
        if (body) r = PyUnicode_FromFormat("%s({%U})", short_name(Py_TYPE(self)), body);
        Py_XDECREF(body);
        Py_XDECREF(sep);
    }
    Py_XDECREF(it);
    Py_XDECREF(items);
    Py_XDECREF(parts);
    Py_ReprLeave(self);
    return r;
}

/* ---- replacing a slot ------------------------------------------------------- */

/* In t and every subclass of it: the slot at `offset` becomes `now` where
 * it was one of `was` (NULL-ended), and a slot wrapper `name` in a class's
 * own dict wrapping one of them is replaced by one wrapping `now` (so
 * classes made later inherit `now`). 0 / -1. */
int vb_replace_slot(PyTypeObject *t, size_t offset, const char *name, void *const *was, void *now)
{
    void **slot = (void **)((char *)t + offset);
    for (void *const *w = was; *w; w++)
        if (*slot == *w) *slot = now;
    PyObject *d = name && t->tp_dict ? PyDict_GetItemString(t->tp_dict, name) : NULL; /* borrowed */
    if (d && Py_IS_TYPE(d, &PyWrapperDescr_Type)) {
        PyWrapperDescrObject *wd = (PyWrapperDescrObject *)d;
        bool ours = false;
        for (void *const *w = was; *w; w++) ours |= wd->d_wrapped == *w;
        if (ours) {
            PyObject *nd = PyDescr_NewWrapper(t, wd->d_base, now);
            int rc = nd ? PyDict_SetItemString(t->tp_dict, name, nd) : -1;
            Py_XDECREF(nd);
            if (rc < 0) return -1;
        }
    }
    PyType_Modified(t);
    /* type.__subclasses__(t): a metaclass's own attribute would be unbound */
    PyObject *get = PyDict_GetItemString(PyType_Type.tp_dict, "__subclasses__"); /* borrowed */
    PyObject *subs = get ? PyObject_CallOneArg(get, (PyObject *)t) : NULL;
    if (!subs) return -1;
    int rc = 0;
    for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(subs); i++)
        rc = vb_replace_slot((PyTypeObject *)PyList_GET_ITEM(subs, i), offset, name, was, now);
    Py_DECREF(subs);
    return rc;
}

/* ---- messages ---------------------------------------------------------------- */

/* CPython's operator in its messages -> MicroPython's method name
 * (mp_binary_op_method_name, mp_unary_op_method_name). */
static const struct {
    const char *cpython, *micropython;
} op_names[] = {
    {"+", "__add__"}, {"-", "__sub__"}, {"*", "__mul__"}, {"/", "__truediv__"},
    {"//", "__floordiv__"}, {"%", "__mod__"}, {"** or pow()", "__pow__"}, {"pow()", "__pow__"},
    {"<<", "__lshift__"}, {">>", "__rshift__"}, {"&", "__and__"}, {"|", "__or__"},
    {"^", "__xor__"}, {"@", "__matmul__"}, {"divmod()", "__divmod__"},
    {"+=", "__iadd__"}, {"-=", "__isub__"}, {"*=", "__imul__"}, {"/=", "__itruediv__"},
    {"//=", "__ifloordiv__"}, {"%=", "__imod__"}, {"**=", "__ipow__"}, {"<<=", "__ilshift__"},
    {">>=", "__irshift__"}, {"&=", "__iand__"}, {"|=", "__ior__"}, {"^=", "__ixor__"},
    {"@=", "__imatmul__"},
    {"<", "__lt__"}, {">", "__gt__"}, {"<=", "__le__"}, {">=", "__ge__"},
    {"unary -", "__neg__"}, {"unary +", "__pos__"}, {"unary ~", "__invert__"}, {"abs()", "__abs__"},
};

/* CPython's text ({} = any text, captured in order) -> v1.24's ({N} =
 * capture N, {oN} = capture N as an operator's method name). The first
 * entry whose class matches the exception and whose text matches wins. */
typedef struct vb_msg_rewrite {
    PyObject **type;
    const char *cpython;
    const char *micropython;
} vb_msg_rewrite;

static const vb_msg_rewrite msg_rewrites[] = {
    /* py/runtime.c, py/objint*.c, py/objfloat.c: every division by zero */
    {&PyExc_ZeroDivisionError, "division by zero", "divide by zero"},
    {&PyExc_ZeroDivisionError, "integer division or modulo by zero", "divide by zero"},
    {&PyExc_ZeroDivisionError, "integer modulo by zero", "divide by zero"},
    {&PyExc_ZeroDivisionError, "float division by zero", "divide by zero"},
    {&PyExc_ZeroDivisionError, "float floor division by zero", "divide by zero"},
    {&PyExc_ZeroDivisionError, "float modulo", "divide by zero"},
    {&PyExc_ZeroDivisionError, "float divmod()", "divide by zero"},
    {&PyExc_ZeroDivisionError, "complex division by zero", "divide by zero"},
    {&PyExc_ZeroDivisionError, "0.0 cannot be raised to a negative power", "divide by zero"},
    /* py/runtime.c mp_load_name/mp_load_global; py/vm.c local_name_error */
    {&PyExc_UnboundLocalError, "cannot access local variable '{}' where it is not associated with a value",
     "local variable referenced before assignment"},
    {&PyExc_NameError, "cannot access free variable '{}' where it is not associated with a value in enclosing scope",
     "local variable referenced before assignment"},
    {&PyExc_NameError, "name '{}' is not defined", "name '{0}' isn't defined"},
    /* py/runtime.c mp_binary_op, mp_unary_op */
    {&PyExc_TypeError, "unsupported operand type(s) for {}: '{}' and '{}'", "unsupported types for {o0}: '{1}', '{2}'"},
    {&PyExc_TypeError, "'{}' not supported between instances of '{}' and '{}'", "unsupported types for {o0}: '{1}', '{2}'"},
    {&PyExc_TypeError, "bad operand type for {}: '{}'", "unsupported type for {o0}: '{1}'"},
    /* py/objstr.c bad_implicit_conversion; list/tuple + other: no __add__ */
    {&PyExc_TypeError, "can only concatenate str (not \"{}\") to str", "can't convert '{0}' object to str implicitly"},
    {&PyExc_TypeError, "can only concatenate {} (not \"{}\") to {}", "unsupported types for __add__: '{0}', '{1}'"},
    /* py/obj.c mp_obj_subscr, py/runtime.c mp_call_function_n_kw, mp_getiter */
    {&PyExc_TypeError, "'{}' object is not subscriptable", "'{0}' object isn't subscriptable"},
    {&PyExc_TypeError, "'{}' object is not callable", "'{0}' object isn't callable"},
    {&PyExc_TypeError, "'{}' object is not iterable", "'{0}' object isn't iterable"},
    {&PyExc_TypeError, "cannot unpack non-iterable {} object", "'{0}' object isn't iterable"},
    {&PyExc_TypeError, "'{}' object does not support item assignment", "'{0}' object doesn't support item assignment"},
    /* py/obj.c mp_obj_get_int */
    {&PyExc_TypeError, "int() argument must be a string, a bytes-like object or a real number, not '{}'",
     "can't convert {0} to int"},
    {&PyExc_TypeError, "'{}' object cannot be interpreted as an integer", "can't convert {0} to int"},
    /* py/bc.c (NORMAL reporting: no function name) */
    {&PyExc_TypeError, "{}() takes from {} to {} positional arguments but {} {} given",
     "function takes {2} positional arguments but {3} were given"},
    {&PyExc_TypeError, "{}() takes {} positional argument{} but {} {} given",
     "function takes {1} positional arguments but {3} were given"},
    {&PyExc_TypeError, "{}() got an unexpected keyword argument '{}'", "unexpected keyword argument '{1}'"},
    /* py/runtime.c mp_load_attr on a module */
    {&PyExc_AttributeError, "module '{}' has no attribute '{}'", "'module' object has no attribute '{1}'"},
    {&PyExc_AttributeError, "partially initialized module '{}' has no attribute '{}'{}",
     "'module' object has no attribute '{1}'"},
    /* py/parsenum.c (NORMAL: no literal), py/runtime.c mp_unpack_sequence,
     * py/sequence.c mp_seq_index_obj */
    {&PyExc_ValueError, "invalid literal for int() with base {}: {}", "invalid syntax for integer with base {0}"},
    {&PyExc_ValueError, "could not convert string to float: {}", "invalid syntax for number"},
    {&PyExc_ValueError, "not enough values to unpack (expected {}, got {})", "need more than {1} values to unpack"},
    {&PyExc_ValueError, "list.remove(x): x not in list", "object not in sequence"},
    {&PyExc_ValueError, "tuple.index(x): x not in tuple", "object not in sequence"},
    {&PyExc_ValueError, "{} is not in list", "object not in sequence"},
    /* py/obj.c mp_get_index */
    {&PyExc_IndexError, "list assignment index out of range", "list index out of range"},
    /* py/runtime.c mp_make_raise_obj: a class whose __new__ gave no exception */
    {&PyExc_TypeError, "calling {} should have returned an instance of BaseException, not {}",
     "exceptions must derive from BaseException"},
    /* py/builtinimport.c */
    {&PyExc_ImportError, "No module named '{}'", "no module named '{0}'"},
};

#define MAX_CAPS 6
#define MAX_MATCH_LEN 1024

typedef struct {
    const char *s;
    size_t n;
} span;

/* s against pat ({} = any text, shortest first, with backtracking). */
static bool match(const char *p, const char *s, span *cap, int ncap)
{
    for (;;) {
        if (p[0] == '{' && p[1] == '}') {
            if (ncap >= MAX_CAPS) return false;
            for (const char *e = s;; e++) {
                cap[ncap] = (span){s, (size_t)(e - s)};
                if (match(p + 2, e, cap, ncap + 1)) return true;
                if (!*e) return false;
            }
        }
        if (*p != *s) return false;
        if (!*p) return true;
        p++, s++;
    }
}

static const char *op_method(span op)
{
    for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
        if (strlen(op_names[i].cpython) == op.n && memcmp(op_names[i].cpython, op.s, op.n) == 0)
            return op_names[i].micropython;
    return NULL;
}

/* fmt with its {N}/{oN} filled in, or NULL (no exception) if an operator
 * is not in the table or the text is too long. */
static PyObject *fill(const char *fmt, const span *cap, int ncap)
{
    char out[MAX_MATCH_LEN + 64];
    size_t o = 0;
    for (const char *f = fmt; *f;) {
        span piece = {f, 1};
        if (f[0] == '{' && (f[1] == 'o' || (f[1] >= '0' && f[1] <= '9'))) {
            bool op = f[1] == 'o';
            int i = f[op ? 2 : 1] - '0';
            if (i < 0 || i >= ncap) return NULL;
            piece = cap[i];
            if (op) {
                const char *m = op_method(cap[i]);
                if (!m) return NULL;
                piece = (span){m, strlen(m)};
            }
            f = strchr(f, '}') + 1;
        } else {
            f++;
        }
        if (o + piece.n >= sizeof out) return NULL;
        memcpy(out + o, piece.s, piece.n);
        o += piece.n;
    }
    return PyUnicode_FromStringAndSize(out, (Py_ssize_t)o);
}

/* MicroPython's text for this exception's one str argument, or NULL. */
static PyObject *rewrite(PyObject *self, PyObject *msg)
{
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(msg, &len);
    if (!s) {
        PyErr_Clear();
        return NULL;
    }
    if (len > MAX_MATCH_LEN || (Py_ssize_t)strlen(s) != len) return NULL;
    for (size_t i = 0; i < sizeof msg_rewrites / sizeof msg_rewrites[0]; i++) {
        const vb_msg_rewrite *r = &msg_rewrites[i];
        span cap[MAX_CAPS];
        if (!PyObject_TypeCheck(self, (PyTypeObject *)*r->type)) continue;
        if (!match(r->cpython, s, cap, 0)) continue;
        int ncap = 0;
        for (const char *p = r->cpython; (p = strstr(p, "{}")); p += 2) ncap++;
        PyObject *t = fill(r->micropython, cap, ncap);
        if (t || PyErr_Occurred()) return t;
    }
    return NULL;
}

/* The exception classes whose construction is watched, each with its
 * original tp_init; a subclass uses the nearest one in its MRO. */
static struct {
    PyObject **type;
    initproc orig;
} watched[] = {
    {&PyExc_ZeroDivisionError, NULL}, {&PyExc_UnboundLocalError, NULL}, {&PyExc_NameError, NULL},
    {&PyExc_TypeError, NULL},         {&PyExc_AttributeError, NULL},    {&PyExc_ValueError, NULL},
    {&PyExc_IndexError, NULL},        {&PyExc_ModuleNotFoundError, NULL}, {&PyExc_ImportError, NULL},
};
#define N_WATCHED (sizeof watched / sizeof watched[0])

static initproc orig_init_of(PyTypeObject *t)
{
    PyObject *mro = t->tp_mro;
    for (Py_ssize_t i = 0; mro && i < PyTuple_GET_SIZE(mro); i++)
        for (size_t w = 0; w < N_WATCHED; w++)
            if (PyTuple_GET_ITEM(mro, i) == *watched[w].type) return watched[w].orig;
    return ((PyTypeObject *)PyExc_BaseException)->tp_init;
}

static int watched_init(PyObject *self, PyObject *args, PyObject *kw)
{
    if (orig_init_of(Py_TYPE(self))(self, args, kw) < 0) return -1;
    PyObject *a = exc_args(self);
    if (!a || PyTuple_GET_SIZE(a) != 1 || !PyUnicode_CheckExact(PyTuple_GET_ITEM(a, 0))) return 0;
    PyObject *msg = rewrite(self, PyTuple_GET_ITEM(a, 0));
    if (!msg) return PyErr_Occurred() ? -1 : 0;
    PyObject *na = PyTuple_Pack(1, msg);
    Py_DECREF(msg);
    if (!na) return -1;
    Py_SETREF(((PyBaseExceptionObject *)self)->args, na);
    if (PyObject_TypeCheck(self, (PyTypeObject *)PyExc_ImportError)) /* CPython's e.msg too */
        Py_XSETREF(((PyImportErrorObject *)self)->msg, Py_NewRef(PyTuple_GET_ITEM(na, 0)));
    return 0;
}

/* ---- OSError() is always OSError ---------------------------------------------- */

/* CPython maps OSError(errno, text) to a subclass (FileNotFoundError...);
 * MicroPython has none (tests/cpydiff/types_exception_subclassinit... and
 * py/objexcept.c): an OSError asked for is an OSError. The subclasses
 * share OSError's layout, so the instance's class is set back. */
static newfunc oserror_new_orig;

static PyObject *oserror_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    /* A subclass made later inherited this function: give it CPython's
     * back (OSError_new treats an __init__ of a subclass by whether its
     * tp_new is that very function). */
    if (type != (PyTypeObject *)PyExc_OSError && type->tp_new == oserror_new)
        type->tp_new = oserror_new_orig;
    PyObject *self = oserror_new_orig(type, args, kw);
    if (self && type == (PyTypeObject *)PyExc_OSError && Py_TYPE(self) != type &&
        !(Py_TYPE(self)->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
        /* both are static classes: instances hold no reference to them */
        Py_SET_TYPE(self, type);
    }
    return self;
}

/* ---- installing ---------------------------------------------------------------- */

/* CPython-only classes MicroPython raises under their base's name. */
static const struct {
    PyObject **type;
    const char *name;
} renamed[] = {
    {&PyExc_ModuleNotFoundError, "ImportError"},
    {&PyExc_UnboundLocalError, "NameError"},
};

int vb_mptext_install(void)
{
    PyTypeObject *base = (PyTypeObject *)PyExc_BaseException;
    PyTypeObject *oserr = (PyTypeObject *)PyExc_OSError;
    PyTypeObject *keyerr = (PyTypeObject *)PyExc_KeyError;
    PyTypeObject *imperr = (PyTypeObject *)PyExc_ImportError;
    void *const str_was[] = {(void *)base->tp_str, (void *)oserr->tp_str, (void *)keyerr->tp_str,
                             (void *)imperr->tp_str, NULL};
    void *const repr_was[] = {(void *)base->tp_repr, NULL};
    if (vb_replace_slot(base, offsetof(PyTypeObject, tp_str), "__str__", str_was, (void *)exc_str) < 0 ||
        vb_replace_slot(base, offsetof(PyTypeObject, tp_repr), "__repr__", repr_was, (void *)exc_repr) < 0)
        return -1;

    void *const type_was[] = {(void *)PyType_Type.tp_repr, NULL};
    if (vb_replace_slot(&PyType_Type, offsetof(PyTypeObject, tp_repr), "__repr__", type_was,
                     (void *)class_repr) < 0)
        return -1;

    /* the C class collections re-exports: `collections` itself is warmed
     * later (engine_warm.c) */
    PyObject *col = PyImport_ImportModule("_collections");
    PyObject *od = col ? PyObject_GetAttrString(col, "OrderedDict") : NULL;
    Py_XDECREF(col);
    if (!od || !PyType_Check(od)) {
        Py_XDECREF(od);
        return -1;
    }
    void *const od_was[] = {(void *)((PyTypeObject *)od)->tp_repr, NULL};
    int rc = vb_replace_slot((PyTypeObject *)od, offsetof(PyTypeObject, tp_repr), "__repr__", od_was,
                          (void *)odict_repr);
    Py_DECREF(od);
    if (rc < 0) return -1;

    /* the originals first: a watched class may inherit another's tp_init */
    for (size_t w = 0; w < N_WATCHED; w++) watched[w].orig = ((PyTypeObject *)*watched[w].type)->tp_init;
    for (size_t w = 0; w < N_WATCHED; w++) {
        void *const was[] = {(void *)watched[w].orig, NULL};
        if (vb_replace_slot((PyTypeObject *)*watched[w].type, offsetof(PyTypeObject, tp_init), "__init__",
                         was, (void *)watched_init) < 0)
            return -1;
    }

    oserror_new_orig = oserr->tp_new;
    oserr->tp_new = oserror_new;
    PyType_Modified(oserr);

    for (size_t i = 0; i < sizeof renamed / sizeof renamed[0]; i++)
        ((PyTypeObject *)*renamed[i].type)->tp_name = renamed[i].name;
    return 0;
}
