/* The REPL's dispatch: object lifecycle, the per-state byte dispatch of
 * vb_repl_feed(), friendly-mode control bytes at an empty line (§2.3), paste
 * mode (§2.7), execution framing (§2.4, §3, §4) and input() line mode. The
 * line editor lives in repl_edit.c, raw and raw-paste in repl_raw.c. */
#include <stdlib.h>
#include <string.h>

#include "repl/repl_bytes.h"
#include "repl/repl_int.h"

/* ---- growable buffer ---------------------------------------------------- */

static bool rbuf_reserve(vb_rbuf *b, size_t need)
{
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    uint8_t *p = realloc(b->data, cap);
    if (!p)
        return false;
    b->data = p;
    b->cap = cap;
    return true;
}

bool vb_rbuf_insert(vb_rbuf *b, size_t at, const uint8_t *p, size_t n)
{
    if (at > b->len || n > b->max - b->len || !rbuf_reserve(b, b->len + n + 1)) {
        b->dropped = true;
        return false;
    }
    memmove(b->data + at + n, b->data + at, b->len - at);
    memcpy(b->data + at, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return true;
}

bool vb_rbuf_push(vb_rbuf *b, uint8_t c)
{
    return vb_rbuf_insert(b, b->len, &c, 1);
}

void vb_rbuf_cut(vb_rbuf *b, size_t at, size_t n)
{
    if (at >= b->len)
        return;
    if (n > b->len - at)
        n = b->len - at;
    memmove(b->data + at, b->data + at + n, b->len - at - n);
    b->len -= n;
    b->data[b->len] = 0;
}

void vb_rbuf_clear(vb_rbuf *b)
{
    b->len = 0;
    b->dropped = false;
    if (b->data)
        b->data[0] = 0;
}

void vb_rbuf_free(vb_rbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- output ------------------------------------------------------------- */

void vb_repl_out(vb_repl *r, const void *p, size_t n)
{
    if (n)
        r->write(r->write_ctx, p, n);
}

void vb_repl_outs(vb_repl *r, const char *s)
{
    vb_repl_out(r, s, strlen(s));
}

void vb_repl_write_banner(vb_repl *r)
{
    vb_repl_outs(r, VB_REPL_BANNER_PREFIX);
    vb_repl_outs(r, r->version);
    vb_repl_outs(r, VB_REPL_BANNER_ON);
    vb_repl_outs(r, r->date);
    vb_repl_outs(r, VB_REPL_BANNER_SEP);
    vb_repl_outs(r, r->board);
    vb_repl_outs(r, VB_REPL_BANNER_WITH);
    vb_repl_outs(r, r->mcu);
    vb_repl_outs(r, VB_REPL_CRLF);
    vb_repl_outs(r, VB_REPL_BANNER_HELP);
}

const char *vb_repl_cur_prompt(const vb_repl *r)
{
    if (r->state == RS_INPUT)
        return r->input_prompt;
    return r->first_line ? r->ps1 : r->ps2;
}

/* ---- lifecycle ---------------------------------------------------------- */

static void copy_field(char *dst, const char *src, size_t srclen)
{
    if (!src)
        srclen = 0;
    if (srclen > VB_REPL_FIELD_MAX - 1)
        srclen = VB_REPL_FIELD_MAX - 1;
    if (srclen)
        memcpy(dst, src, srclen);
    dst[srclen] = 0;
}

static void copy_str(char *dst, const char *src)
{
    copy_field(dst, src, src ? strlen(src) : 0);
}

vb_repl *vb_repl_new(const vb_repl_config *cfg)
{
    if (!cfg || !cfg->write)
        return NULL;
    vb_repl *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->cand = calloc(VB_REPL_COMPLETE_MAX, sizeof *r->cand);
    if (!r->cand) {
        free(r);
        return NULL;
    }
    r->write = cfg->write;
    r->write_ctx = cfg->write_ctx;
    r->complete = cfg->complete;
    r->complete_ctx = cfg->complete_ctx;
    r->ctrl_f_safe_boot = cfg->ctrl_f_safe_boot;
    copy_str(r->version, cfg->version);
    copy_str(r->date, cfg->build_date);
    copy_str(r->board, cfg->board);
    copy_str(r->mcu, cfg->mcu);
    copy_str(r->ps1, VB_REPL_PS1);
    copy_str(r->ps2, VB_REPL_PS2);
    r->mode = cfg->mode == VB_REPL_MODE_RAW ? VB_REPL_MODE_RAW : VB_REPL_MODE_FRIENDLY;
    r->state = r->mode == VB_REPL_MODE_RAW ? RS_RAW : RS_FRIENDLY;
    r->stmt.max = VB_REPL_STMT_MAX;
    r->src.max = VB_REPL_SRC_MAX;
    r->hist_cur = -1;
    vb_edit_reset(r);
    return r;
}

void vb_repl_free(vb_repl *r)
{
    if (!r)
        return;
    vb_edit_history_free(r);
    vb_rbuf_free(&r->stmt);
    vb_rbuf_free(&r->src);
    free(r->cand);
    free(r);
}

static void friendly_prompt(vb_repl *r)
{
    r->state = RS_FRIENDLY;
    vb_edit_reset(r);
    vb_edit_new_line(r, r->ps1, true);
}

void vb_repl_start(vb_repl *r)
{
    if (r->mode == VB_REPL_MODE_RAW) {
        vb_raw_enter(r, false);
    } else {
        vb_repl_write_banner(r);
        friendly_prompt(r);
    }
}

vb_repl_mode vb_repl_mode_get(const vb_repl *r)
{
    return r->mode;
}

void vb_repl_set_prompts(vb_repl *r, const char *ps1, const char *ps2)
{
    copy_str(r->ps1, ps1 ? ps1 : VB_REPL_PS1);
    copy_str(r->ps2, ps2 ? ps2 : VB_REPL_PS2);
}

/* Friendly mode := on, "\r\n" + banner + ">>> " (Ctrl-B, §2.3 and §3). */
void vb_repl_enter_friendly(vb_repl *r)
{
    r->mode = VB_REPL_MODE_FRIENDLY;
    vb_repl_outs(r, VB_REPL_CRLF);
    vb_repl_write_banner(r);
    friendly_prompt(r);
}

vb_repl_action vb_repl_begin_exec(vb_repl *r, vb_exec_from from)
{
    r->ex_from = from;
    r->ex_output_done = false;
    if (from == EX_FRIENDLY) {
        /* The source must stay put while input() edits lines in stmt. */
        vb_rbuf_clear(&r->src);
        if (r->stmt.len)
            vb_rbuf_insert(&r->src, 0, r->stmt.data, r->stmt.len);
        r->src.dropped = r->stmt.dropped;
    }
    r->state = RS_EXEC;
    return VB_REPL_EXECUTE;
}

/* ---- friendly mode (§2.3-§2.5) ----------------------------------------- */

static vb_repl_action friendly_ctrl(vb_repl *r, uint8_t c)
{
    bool empty_stmt = r->first_line;
    switch (c) {
    case VB_CTRL_A:
        if (!empty_stmt)
            return VB_REPL_NONE;
        vb_raw_enter(r, true);
        return VB_REPL_NONE;
    case VB_CTRL_B:
        if (!empty_stmt)
            return VB_REPL_NONE;
        vb_repl_enter_friendly(r);
        return VB_REPL_NONE;
    case VB_CTRL_D:
        vb_repl_outs(r, VB_REPL_CRLF);
        if (empty_stmt) {
            r->state = RS_DEAD;
            return VB_REPL_SOFT_RESET;
        }
        /* An empty continuation line: run what was entered (§2.5). */
        return vb_repl_begin_exec(r, EX_FRIENDLY);
    case VB_CTRL_E:
        if (!empty_stmt)
            return VB_REPL_NONE;
        vb_repl_outs(r, VB_REPL_CRLF);
        vb_repl_outs(r, VB_REPL_PASTE_BANNER);
        vb_rbuf_clear(&r->src);
        r->state = RS_PASTE;
        return VB_REPL_NONE;
    default:
        return VB_REPL_NONE;
    }
}

static vb_repl_action friendly_enter(vb_repl *r)
{
    if (r->stmt.len == 0) {
        vb_edit_new_line(r, r->ps1, true);
        return VB_REPL_NONE;
    }
    if (vb_repl_needs_more((const char *)r->stmt.data, r->stmt.len) && vb_rbuf_push(&r->stmt, '\n')) {
        vb_edit_new_line(r, r->ps2, false);
        return VB_REPL_NONE;
    }
    return vb_repl_begin_exec(r, EX_FRIENDLY);
}

static vb_repl_action friendly_feed(vb_repl *r, uint8_t c)
{
    uint8_t ctrl = 0;
    if (c == VB_CTRL_F && r->ctrl_f_safe_boot && r->first_line && r->stmt.len == 0) {
        /* Pycom: a safe-boot request; elsewhere the editor's cursor-right */
        vb_repl_outs(r, VB_REPL_CRLF);
        r->state = RS_DEAD;
        return VB_REPL_SAFE_BOOT;
    }
    switch (vb_edit_key(r, c, &ctrl)) {
    case ED_ENTER:
        return friendly_enter(r);
    case ED_CTRL:
        return friendly_ctrl(r, ctrl);
    case ED_CANCEL:
        vb_repl_outs(r, VB_REPL_CRLF);
        friendly_prompt(r);
        return VB_REPL_NONE;
    case ED_NONE:
    default:
        return VB_REPL_NONE;
    }
}

/* ---- input() line mode ------------------------------------------------- */

static vb_repl_action input_feed(vb_repl *r, uint8_t c)
{
    uint8_t ctrl = 0;
    switch (vb_edit_key(r, c, &ctrl)) {
    case ED_ENTER: {
        size_t n = r->stmt.len - r->line_start;
        if (n > VB_REPL_LINE_MAX)
            n = VB_REPL_LINE_MAX;
        memcpy(r->input_line, r->stmt.data + r->line_start, n);
        r->input_line[n] = 0;
        r->input_len = n;
        r->state = RS_EXEC;
        return VB_REPL_INPUT_LINE;
    }
    case ED_CTRL:
        if (ctrl != VB_CTRL_D)
            return VB_REPL_NONE;
        r->state = RS_EXEC;
        return VB_REPL_INPUT_EOF;
    case ED_CANCEL:
        r->state = RS_EXEC;
        return VB_REPL_INPUT_INTERRUPT;
    case ED_NONE:
    default:
        return VB_REPL_NONE;
    }
}

bool vb_repl_input_begin(vb_repl *r, const char *prompt, size_t prompt_len)
{
    if (r->state != RS_EXEC)
        return false;
    copy_field(r->input_prompt, prompt, prompt_len);
    r->state = RS_INPUT;
    /* The pending friendly statement is the running source: edit the input
     * line after it, as a separate physical line. */
    vb_edit_reset(r);
    r->auto_indent_on = false;
    r->first_line = false;
    r->line_start = r->cursor = r->stmt.len;
    r->input_len = 0;
    r->input_line[0] = 0;
    return true;
}

const char *vb_repl_input_text(const vb_repl *r, size_t *len)
{
    if (len)
        *len = r->input_len;
    return r->input_line;
}

/* ---- paste mode (§2.7) ------------------------------------------------- */

static vb_repl_action paste_feed(vb_repl *r, uint8_t c)
{
    if (c == VB_CTRL_C) {
        vb_repl_outs(r, VB_REPL_CRLF);
        friendly_prompt(r);
        return VB_REPL_NONE;
    }
    if (c == VB_CTRL_D) {
        vb_repl_outs(r, VB_REPL_CRLF);
        return vb_repl_begin_exec(r, EX_PASTE);
    }
    vb_rbuf_push(&r->src, c);
    if (c == VB_KEY_CR) {
        vb_repl_outs(r, VB_REPL_CRLF);
        vb_repl_outs(r, VB_REPL_PASTE_PROMPT);
    } else {
        vb_repl_out(r, &c, 1);
    }
    return VB_REPL_NONE;
}

/* ---- dispatch ------------------------------------------------------------ */

vb_repl_action vb_repl_feed(vb_repl *r, uint8_t c)
{
    switch (r->state) {
    case RS_FRIENDLY:
        return friendly_feed(r, c);
    case RS_INPUT:
        return input_feed(r, c);
    case RS_PASTE:
        return paste_feed(r, c);
    case RS_RAW:
        return vb_raw_feed(r, c);
    case RS_RAW_PASTE:
        return vb_raw_paste_feed(r, c);
    case RS_EXEC:
    case RS_DEAD:
    default:
        return VB_REPL_NONE;
    }
}

/* ---- execution framing -------------------------------------------------- */

const uint8_t *vb_repl_source(const vb_repl *r, size_t *len)
{
    static const uint8_t empty[1] = {0};
    if (len)
        *len = r->src.len;
    return r->src.data ? r->src.data : empty;
}

vb_repl_compile vb_repl_compile_kind(const vb_repl *r)
{
    switch (r->ex_from) {
    case EX_FRIENDLY:
        return VB_REPL_COMPILE_SINGLE;
    case EX_PASTE:
        return VB_REPL_COMPILE_PASTE;
    case EX_RAW:
    case EX_RAW_PASTE:
    default:
        return VB_REPL_COMPILE_MODULE;
    }
}

bool vb_repl_source_truncated(const vb_repl *r)
{
    return r->src.dropped;
}

static bool from_raw(const vb_repl *r)
{
    return r->ex_from == EX_RAW || r->ex_from == EX_RAW_PASTE;
}

void vb_repl_exec_output_done(vb_repl *r)
{
    if ((r->state != RS_EXEC && r->state != RS_INPUT) || r->ex_output_done)
        return;
    r->ex_output_done = true;
    if (from_raw(r))
        vb_repl_outs(r, VB_REPL_RAW_EOT);
}

vb_repl_action vb_repl_exec_end(vb_repl *r, vb_repl_outcome outcome)
{
    if (r->state != RS_EXEC && r->state != RS_INPUT)
        return VB_REPL_NONE;
    vb_repl_exec_output_done(r);
    if (from_raw(r)) {
        vb_repl_outs(r, VB_REPL_RAW_EOT);
        vb_rbuf_clear(&r->src);
        if (outcome == VB_REPL_OUTCOME_SYSTEM_EXIT) {
            r->state = RS_DEAD;
            return VB_REPL_SOFT_RESET;
        }
        vb_repl_outs(r, VB_REPL_RAW_PROMPT);
        r->state = RS_RAW;
        return VB_REPL_NONE;
    }
    vb_rbuf_clear(&r->src);
    if (outcome == VB_REPL_OUTCOME_SYSTEM_EXIT) {
        r->state = RS_DEAD;
        return VB_REPL_SOFT_RESET;
    }
    friendly_prompt(r);
    return VB_REPL_NONE;
}
