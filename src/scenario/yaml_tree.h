/* A YAML document as a small tree of scalars, sequences and mappings, each
 * node with the line it starts on, read with libyaml's event API.
 *
 * Only what a scenario file needs, and nothing that can blow up: aliases
 * (*name) are refused (a "billion laughs" file cannot expand), nesting is
 * bounded (VB_YAML_MAX_DEPTH), mapping keys must be scalars and unique, and
 * a file holds one document. Input must be UTF-8. Tags are ignored.
 *
 * Pure: no I/O, no global state; the tree is malloc'd and freed with
 * vb_yaml_free. */
#ifndef VB_SCENARIO_YAML_TREE_H
#define VB_SCENARIO_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

#define VB_YAML_MAX_DEPTH 32        /* sequences and mappings inside each other */
#define VB_YAML_MAX_NODES 200000    /* a bound on memory for any input */

typedef enum vb_ynode_kind { VB_YNODE_SCALAR, VB_YNODE_SEQ, VB_YNODE_MAP } vb_ynode_kind;

typedef struct vb_ynode vb_ynode;
struct vb_ynode {
    vb_ynode_kind kind;
    unsigned line;          /* 1-based line of the node's first character */
    unsigned col;           /* and its 1-based column */
    /* SCALAR: the bytes (NUL-terminated; may also hold NULs, e.g. "\0"),
     * and whether it was written plain (unquoted): only a plain scalar is
     * read as a number, so 12 is a number and "12" a string. */
    char *str;
    size_t len;
    bool plain;
    /* SEQ: n items; MAP: n / 2 pairs, item[2k] the key (a scalar),
     * item[2k + 1] its value. */
    vb_ynode **item;
    size_t n;
};

/* Parse text[0..len) as one YAML document. Returns 0 with *root set (NULL
 * for an empty document), or -1 with *errline (1-based) and a sentence in
 * err, e.g. "YAML syntax error: did not find expected key (while parsing a
 * block mapping)" or "duplicate key 'name' (first at line 2)". */
int vb_yaml_load(const char *text, size_t len, vb_ynode **root, unsigned *errline, char *err,
                 size_t errlen);

/* The same, with the error's 1-based column too (0 when it has none). */
int vb_yaml_load_at(const char *text, size_t len, vb_ynode **root, unsigned *errline, unsigned *errcol, char *err,
                    size_t errlen);

void vb_yaml_free(vb_ynode *n);

/* MAP: the value of the key spelled key, or NULL. */
const vb_ynode *vb_yaml_get(const vb_ynode *map, const char *key);

/* "a string", "a list", "a mapping": for sentences. */
const char *vb_yaml_kind_name(vb_ynode_kind k);

#endif
