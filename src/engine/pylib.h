/* The board library (src/pylib, issue 13 §4): Python modules the firmware
 * freezes (asyncio, ...), written by us, embedded in the binary at build
 * time by tools/pylib_embed.c and never read from disk at run time. Which
 * port offers which of them is the module table's business
 * (engine_modules.c, VB_MOD_PYLIB); engine_frozen.c serves them where the
 * port finds frozen modules. */
#ifndef VB_ENGINE_PYLIB_H
#define VB_ENGINE_PYLIB_H

#include <stddef.h>

typedef struct vb_pylib_file {
    const char *path;   /* below src/pylib: "asyncio/core.py", "uasyncio.py" */
    const char *source; /* the file's bytes (NUL-terminated, len without it) */
    size_t len;
} vb_pylib_file;

/* Every file of src/pylib, sorted by path; ends with a NULL path
 * (generated: $(BUILD)/gen/pylib_data.c). */
extern const vb_pylib_file vb_pylib_files[];

#endif
