/* Tab completion (§2.9): find the dotted name before the cursor, ask the
 * engine for the candidate names of the object it names, then insert the
 * unique completion or common prefix, or list the matches in 16-column slots
 * and redraw the prompt and line. */
#include <stdlib.h>
#include <string.h>

#include "repl/repl_bytes.h"
#include "repl/repl_int.h"

static bool is_name_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

void vb_repl_candidate(vb_repl *r, const char *name, size_t len)
{
    if (!r->cand_partial || len >= VB_REPL_NAME_MAX || len < r->cand_partial_len)
        return;
    if (memcmp(name, r->cand_partial, r->cand_partial_len) != 0)
        return;
    if (r->cand_partial_len == 0 && len > 0 && name[0] == '_')
        return;
    for (size_t i = 0; i < r->ncand; i++)
        if (strlen(r->cand[i]) == len && memcmp(r->cand[i], name, len) == 0)
            return;
    if (r->ncand >= VB_REPL_COMPLETE_MAX)
        return;
    memcpy(r->cand[r->ncand], name, len);
    r->cand[r->ncand][len] = 0;
    r->ncand++;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void write_spaces(vb_repl *r, size_t n)
{
    while (n--)
        vb_repl_outs(r, " ");
}

/* Newline, the names in 16-column slots (at least 2 spaces apart, at most
 * 64 columns a line), newline, then the prompt and the line again. */
static void list_candidates(vb_repl *r)
{
    size_t col = 0;
    vb_repl_outs(r, VB_REPL_CRLF);
    for (size_t i = 0; i < r->ncand; i++) {
        size_t len = strlen(r->cand[i]);
        if (i > 0) {
            size_t slot = (col + VB_REPL_COMPLETE_SLOT - 1) / VB_REPL_COMPLETE_SLOT * VB_REPL_COMPLETE_SLOT;
            size_t gap = slot - col;
            if (gap < VB_REPL_COMPLETE_GAP)
                gap += VB_REPL_COMPLETE_SLOT;
            if (col + gap + len <= VB_REPL_COMPLETE_COLS) {
                write_spaces(r, gap);
                col += gap;
            } else {
                vb_repl_outs(r, VB_REPL_CRLF);
                col = 0;
            }
        }
        vb_repl_outs(r, r->cand[i]);
        col += len;
    }
    vb_repl_outs(r, VB_REPL_CRLF);
    vb_repl_outs(r, vb_repl_cur_prompt(r));
    vb_repl_out(r, r->stmt.data + r->line_start, r->cursor - r->line_start);
    vb_edit_redraw(r, r->stmt.len, 0, true, 0);
}

void vb_complete_tab(vb_repl *r)
{
    const char *line = (const char *)r->stmt.data + r->line_start;
    size_t before = r->cursor - r->line_start;  /* line bytes before the cursor */
    size_t ws = before;                          /* word start, relative to line */
    while (ws > 0 && is_name_char((uint8_t)line[ws - 1]))
        ws--;
    const char *word = line + ws;
    size_t wlen = before - ws;
    const char *dot = NULL;
    for (size_t i = 0; i < wlen; i++)
        if (word[i] == '.')
            dot = word + i;
    size_t kwlen = sizeof VB_REPL_IMPORT_KW - 1;
    bool import_ctx = ws == kwlen && memcmp(line, VB_REPL_IMPORT_KW, kwlen) == 0;
    if (import_ctx && dot)
        return;
    char obj[VB_REPL_LINE_MAX + 1];
    size_t olen = dot ? (size_t)(dot - word) : 0;
    memcpy(obj, word, olen);
    obj[olen] = 0;
    if (dot && (olen == 0 || strstr(obj, "..") || obj[olen - 1] == '.'))
        return;   /* an empty component: nothing to resolve */
    const char *partial = dot ? dot + 1 : word;
    size_t plen = wlen - (size_t)(partial - word);

    r->ncand = 0;
    r->cand_partial = partial;
    r->cand_partial_len = plen;
    bool ok = r->complete && r->complete(r->complete_ctx, obj, import_ctx, r);
    r->cand_partial = NULL;
    if (r->complete && !ok)
        return;
    if (r->ncand == 0) {
        /* The line's first word, a prefix of "import": complete to "import ". */
        if (!import_ctx && !dot && ws == 0 && plen > 0 && plen < kwlen
            && memcmp(partial, VB_REPL_IMPORT_KW, plen) == 0)
            vb_edit_insert(r, &VB_REPL_IMPORT_KW[plen], kwlen - plen);
        return;
    }
    qsort(r->cand, r->ncand, sizeof r->cand[0], cmp_names);
    size_t common = strlen(r->cand[0]);
    for (size_t i = 1; i < r->ncand; i++) {
        size_t k = 0;
        while (k < common && r->cand[i][k] == r->cand[0][k])
            k++;
        common = k;
    }
    if (common > plen)
        vb_edit_insert(r, r->cand[0] + plen, common - plen);
    else
        list_candidates(r);
}
