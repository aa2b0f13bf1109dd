/* Private to src/scenario: the parse context shared by the top level
 * (scenario.c), the steps (scenario_steps.c) and the value readers
 * (scenario_value.c). */
#ifndef VB_SCENARIO_INT_H
#define VB_SCENARIO_INT_H

#include "scenario.h"
#include "yaml_tree.h"

/* What a vb_scenario's pointers point into (vb_scenario.mem). */
typedef struct scen_mem {
    vb_ynode *tree;         /* strings of the file */
    void **owned;           /* buffers built while parsing (write-serial byte lists) */
    size_t n_owned;
} scen_mem;

typedef struct scen_ctx {
    const char *path;
    vb_scenario *s;
    scen_mem *mem;
    char *err;
    size_t errlen;
} scen_ctx;

/* "PATH:LINE: sentence" into the context's err; returns -1. */
int scen_fail(scen_ctx *c, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* malloc whose block is freed with the scenario; NULL after scen_fail. */
void *scen_alloc(scen_ctx *c, size_t n, unsigned line);

/* Value readers: 0, or -1 after scen_fail naming `what` (e.g. "'delay'"). */
int scen_text(scen_ctx *c, const vb_ynode *v, const char *what, const char **s, size_t *len);
int scen_int(scen_ctx *c, const vb_ynode *v, const char *what, long long lo, long long hi, long long *out);
int scen_duration(scen_ctx *c, const vb_ynode *v, const char *what, uint64_t *ns);
/* A 'timeout' (the scenario's or a step's): a duration of at least 1 ms. */
int scen_timeout(scen_ctx *c, const vb_ynode *v, uint64_t *ns);
/* One of names[0..n) (exact spelling); its index. */
int scen_choice(scen_ctx *c, const vb_ynode *v, const char *what, const char *const *names, int n, int *out);
/* v must be a mapping whose keys are all in keys (NULL-terminated). */
int scen_mapping(scen_ctx *c, const vb_ynode *v, const char *what, const char *const *keys);
/* The key at map->item[i] must be one of keys: else "unknown key". */
int scen_known_key(scen_ctx *c, const vb_ynode *key, const char *where, const char *const *keys);

/* Step parsing (scenario_steps.c): the step mapping at v → *st. */
int scen_step(scen_ctx *c, const vb_ynode *v, vb_step *st);

/* A key or value for messages: printable ASCII as is, others \xHH, at
 * most 40 bytes then "...". */
void scen_quote(const char *s, size_t len, char *out, size_t cap);

#endif
