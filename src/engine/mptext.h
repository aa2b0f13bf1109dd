/* MicroPython's texts on CPython's objects (engine_mptext.c, issue 15):
 * shared by the engine's modules and pyfs. Needs Python.h first. */
#ifndef VB_ENGINE_MPTEXT_H
#define VB_ENGINE_MPTEXT_H

/* The one way the engine raises OSError (repl.md §1.3): an OSError (never
 * a subclass) with the one int argument err (a negative err counts as its
 * magnitude) as the board numbers it (vb_errno_as), e.errno set; with detail, MicroPython's two-argument form
 * OSError(err, detail) as ports raise it (esp32 check_esp_err). Returns
 * NULL. */
PyObject *vb_raise_oserror(int err, const char *detail);
/* How this board numbers errno (its port's table): what OSError carries. */
#include "util/errname.h"
vb_errno_numbers vb_mptext_errnos(void);
static inline PyObject *vb_raise_errno(int err) { return vb_raise_oserror(err, NULL); }
/* The same with err as it is, negative too: a port's own error numbers
 * (esp32 getaddrinfo's -202, mbedTLS's -9984). Returns NULL. */
PyObject *vb_raise_oserror_signed(int err, const char *detail);
/* OSError(msg), as a port's mp_raise_msg(&mp_type_OSError, msg) raises it
 * (esp32's "Wifi Not Started"): plain OSError, its one argument the text.
 * Returns NULL. */
PyObject *vb_raise_oserror_msg(const char *msg);

/* "[Errno 2] ENOENT" (+ ": detail") for an OSError's args, as
 * py/objexcept.c prints it; NULL without an exception when not that form. */
PyObject *vb_mptext_oserror(PyObject *exc, PyObject *args);

/* Installs the texts (str/repr of exceptions, classes, OrderedDict; the
 * message table; OSError() always OSError; CPython-only class names).
 * Once, in the zygote, after the stdlib pre-imports. 0 / -1. */
int vb_mptext_install(void);

/* engine_mpcompile.c: NUL-terminated device source compiled as
 * MicroPython's compiler would take it (its built-in @micropython.*
 * decorators consumed), nothing inherited from the host; start is
 * Py_file_input or Py_single_input. New reference, or NULL with the
 * exception. */
PyObject *vb_mpcompile(const char *src, const char *filename, int start);

#endif
