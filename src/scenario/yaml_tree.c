/* libyaml events → vb_ynode tree (yaml_tree.h). One loop over the events
 * with an explicit stack of open collections, so depth costs no C stack. */
#include "yaml_tree.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct loader {
    vb_ynode *stack[VB_YAML_MAX_DEPTH];
    unsigned depth;
    vb_ynode *root;
    size_t nodes;
    unsigned errline, errcol;
    char *err;
    size_t errlen;
} loader;

static int fail(loader *l, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(loader *l, unsigned line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->err, l->errlen, fmt, ap);
    va_end(ap);
    l->errline = line;
    return -1;
}

void vb_yaml_free(vb_ynode *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->n; i++) vb_yaml_free(n->item[i]);
    free(n->item);
    free(n->str);
    free(n);
}

const char *vb_yaml_kind_name(vb_ynode_kind k)
{
    return k == VB_YNODE_SCALAR ? "a single value" : k == VB_YNODE_SEQ ? "a list" : "a mapping";
}

const vb_ynode *vb_yaml_get(const vb_ynode *map, const char *key)
{
    if (!map || map->kind != VB_YNODE_MAP) return NULL;
    size_t kl = strlen(key);
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (map->item[i]->len == kl && memcmp(map->item[i]->str, key, kl) == 0) return map->item[i + 1];
    return NULL;
}

static vb_ynode *new_node(loader *l, vb_ynode_kind kind, const yaml_mark_t *m)
{
    if (++l->nodes > VB_YAML_MAX_NODES) {
        fail(l, (unsigned)m->line + 1, "more than %d YAML nodes: not a scenario file", VB_YAML_MAX_NODES);
        return NULL;
    }
    vb_ynode *n = calloc(1, sizeof *n);
    if (!n) {
        fail(l, (unsigned)m->line + 1, "out of memory");
        return NULL;
    }
    n->kind = kind;
    n->line = (unsigned)m->line + 1;
    n->col = (unsigned)m->column + 1;
    return n;
}

/* Key text for messages: printable ASCII as is, at most 40 bytes. */
static void key_text(const vb_ynode *k, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < k->len && o + 5 < cap && i < 40; i++) {
        unsigned char c = (unsigned char)k->str[i];
        o += (size_t)snprintf(out + o, cap - o, c >= 0x20 && c < 0x7f ? "%c" : "\\x%02x", c);
    }
    out[o] = '\0';
}

/* Put n into the open collection (or make it the root). Takes n. */
static int attach(loader *l, vb_ynode *n)
{
    if (l->depth == 0) {
        l->root = n;
        return 0;
    }
    vb_ynode *parent = l->stack[l->depth - 1];
    if (parent->kind == VB_YNODE_MAP && parent->n % 2 == 0) {
        if (n->kind != VB_YNODE_SCALAR) {
            unsigned line = n->line;
            l->errcol = n->col;
            const char *what = vb_yaml_kind_name(n->kind);
            vb_yaml_free(n);
            return fail(l, line, "a mapping key must be a single value, not %s", what);
        }
        for (size_t i = 0; i < parent->n; i += 2) {
            const vb_ynode *k = parent->item[i];
            if (k->len == n->len && memcmp(k->str, n->str, n->len) == 0) {
                char kt[200];
                key_text(n, kt, sizeof kt);
                unsigned line = n->line;
                l->errcol = n->col;
                vb_yaml_free(n);
                return fail(l, line, "duplicate key '%s' (first at line %u)", kt, k->line);
            }
        }
    }
    if ((parent->n & (parent->n - 1)) == 0) {          /* 0, 1, 2, 4, ...: grow */
        size_t cap = parent->n ? parent->n * 2 : 4;
        vb_ynode **items = realloc(parent->item, cap * sizeof *items);
        if (!items) {
            unsigned line = n->line;
            vb_yaml_free(n);
            return fail(l, line, "out of memory");
        }
        parent->item = items;
    }
    parent->item[parent->n++] = n;
    return 0;
}

/* The line of a reader error (bad UTF-8): libyaml gives a byte offset only. */
static unsigned line_at(const char *text, size_t len, size_t off)
{
    unsigned line = 1;
    for (size_t i = 0; i < off && i < len; i++) line += text[i] == '\n';
    return line;
}

static int syntax_error(loader *l, const yaml_parser_t *p, const char *text, size_t len)
{
    const char *problem = p->problem ? p->problem : "unreadable YAML";
    if (p->error == YAML_READER_ERROR) {
        if (p->problem_value != -1)
            return fail(l, line_at(text, len, p->problem_offset), "not UTF-8 text: %s (byte 0x%02x at offset %zu)",
                        problem, (unsigned)p->problem_value & 0xff, p->problem_offset);
        return fail(l, line_at(text, len, p->problem_offset), "not UTF-8 text: %s", problem);
    }
    unsigned line = (unsigned)p->problem_mark.line + 1;
    l->errcol = (unsigned)p->problem_mark.column + 1;
    if (p->context)
        return fail(l, line, "YAML syntax error: %s (%s at line %u)", problem, p->context,
                    (unsigned)p->context_mark.line + 1);
    return fail(l, line, "YAML syntax error: %s", problem);
}

/* One event. Returns 1 at the end of the stream, 0 to go on, -1 on error. */
static int take_event(loader *l, const yaml_event_t *ev, unsigned *documents)
{
    vb_ynode *n;
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++*documents > 1)
            return fail(l, (unsigned)ev->start_mark.line + 1,
                        "a second YAML document ('---'): a file holds one scenario");
        return 0;
    case YAML_ALIAS_EVENT:
        return fail(l, (unsigned)ev->start_mark.line + 1, "YAML aliases (*%s) are not supported in a scenario",
                    (const char *)ev->data.alias.anchor);
    case YAML_SCALAR_EVENT:
        if (!(n = new_node(l, VB_YNODE_SCALAR, &ev->start_mark))) return -1;
        n->len = ev->data.scalar.length;
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        n->str = malloc(n->len + 1);
        if (!n->str) {
            vb_yaml_free(n);
            return fail(l, (unsigned)ev->start_mark.line + 1, "out of memory");
        }
        memcpy(n->str, ev->data.scalar.value, n->len);
        n->str[n->len] = '\0';
        return attach(l, n);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (l->depth == VB_YAML_MAX_DEPTH)
            return fail(l, (unsigned)ev->start_mark.line + 1, "lists and mappings nested more than %d deep",
                        VB_YAML_MAX_DEPTH);
        n = new_node(l, ev->type == YAML_SEQUENCE_START_EVENT ? VB_YNODE_SEQ : VB_YNODE_MAP, &ev->start_mark);
        if (!n || attach(l, n) < 0) return -1;
        l->stack[l->depth++] = n;
        return 0;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        l->depth--;      /* libyaml balances start and end events */
        return 0;
    case YAML_STREAM_END_EVENT:
        return 1;
    default:             /* stream start, document end */
        return 0;
    }
}

int vb_yaml_load(const char *text, size_t len, vb_ynode **root, unsigned *errline, char *err, size_t errlen)
{
    unsigned col;
    return vb_yaml_load_at(text, len, root, errline, &col, err, errlen);
}

int vb_yaml_load_at(const char *text, size_t len, vb_ynode **root, unsigned *errline, unsigned *errcol, char *err,
                    size_t errlen)
{
    loader l = {.err = err, .errlen = errlen};
    yaml_parser_t p;
    *root = NULL;
    *errline = *errcol = 0;
    if (!yaml_parser_initialize(&p)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)(text ? text : ""), len);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    unsigned documents = 0;
    int rc = 0;
    while (rc == 0) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = syntax_error(&l, &p, text, len);
            break;
        }
        rc = take_event(&l, &ev, &documents);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    if (rc < 0) {
        vb_yaml_free(l.root);
        *errline = l.errline;
        *errcol = l.errcol;
        return -1;
    }
    *root = l.root;
    return 0;
}
