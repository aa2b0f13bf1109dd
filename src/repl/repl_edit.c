/* The line editor shared by friendly mode and input() (§2.4, §2.6, §2.8):
 * one key at a time, the Enter pair memory, escape sequences, history, the
 * auto-indent insertion and the minimal redraw. The physical line being
 * edited is the tail of r->stmt from r->line_start. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl/repl_bytes.h"
#include "repl/repl_int.h"

/* ---- redraw ------------------------------------------------------------- */

void vb_edit_cursor_back(vb_repl *r, size_t n)
{
    if (n == 0)
        return;
    if (n <= VB_TERM_BACK_MAX_BS) {
        for (size_t i = 0; i < n; i++)
            vb_repl_outs(r, VB_TERM_BACK);
    } else {
        char seq[32];
        int k = snprintf(seq, sizeof seq, VB_TERM_CSI "%zu" VB_TERM_LEFT_FINAL, n);
        if (k > 0)
            vb_repl_out(r, seq, (size_t)k);
    }
}

/* Moves the cursor back by `back`, then either redraws from the cursor to the
 * line end (erasing the tail first when the line got shorter than old_len)
 * and leaves the cursor `fwd` further on, or just moves it `fwd` right by
 * re-sending the characters passed over. */
void vb_edit_redraw(vb_repl *r, size_t old_len, size_t back, bool from_cursor, size_t fwd)
{
    if (back) {
        vb_edit_cursor_back(r, back);
        r->cursor -= back;
    }
    if (from_cursor) {
        if (r->stmt.len < old_len)
            vb_repl_outs(r, VB_TERM_ERASE_EOL);
        vb_repl_out(r, r->stmt.data + r->cursor, r->stmt.len - r->cursor);
        vb_edit_cursor_back(r, r->stmt.len - (r->cursor + fwd));
        r->cursor += fwd;
    } else if (fwd) {
        vb_repl_out(r, r->stmt.data + r->cursor, fwd);
        r->cursor += fwd;
    }
}

/* Inserts n bytes at the cursor if the line and statement caps allow;
 * false (nothing changed) otherwise. */
static bool line_insert(vb_repl *r, const void *p, size_t n)
{
    if (r->stmt.len - r->line_start + n > VB_REPL_LINE_MAX)
        return false;
    return vb_rbuf_insert(&r->stmt, r->cursor, p, n);
}

/* ---- history (§2.8) ------------------------------------------------------ */

void vb_edit_history_free(vb_repl *r)
{
    for (size_t i = 0; i < VB_REPL_HISTORY; i++) {
        free(r->hist[i]);
        r->hist[i] = NULL;
    }
}

static void history_push(vb_repl *r, const uint8_t *line, size_t n)
{
    if (n == 0)
        return;
    if (r->hist[0] && strlen(r->hist[0]) == n && memcmp(r->hist[0], line, n) == 0)
        return;
    char *copy = malloc(n + 1);
    if (!copy)
        return;
    memcpy(copy, line, n);
    copy[n] = 0;
    free(r->hist[VB_REPL_HISTORY - 1]);
    memmove(&r->hist[1], &r->hist[0], (VB_REPL_HISTORY - 1) * sizeof r->hist[0]);
    r->hist[0] = copy;
}

/* Replaces the physical line with text (truncated to the caps). */
static void replace_line(vb_repl *r, const char *text)
{
    size_t old_len = r->stmt.len, back = r->cursor - r->line_start;
    vb_rbuf_cut(&r->stmt, r->line_start, r->stmt.len - r->line_start);
    size_t n = strlen(text), room = VB_REPL_LINE_MAX;
    if (r->stmt.max - r->stmt.len < room)
        room = r->stmt.max - r->stmt.len;
    if (n > room)
        n = room;
    vb_rbuf_insert(&r->stmt, r->line_start, (const uint8_t *)text, n);
    vb_edit_redraw(r, old_len, back, true, r->stmt.len - r->line_start);
}

static void history_older(vb_repl *r)
{
    if (r->hist_cur + 1 < (int)VB_REPL_HISTORY && r->hist[r->hist_cur + 1]) {
        r->hist_cur++;
        replace_line(r, r->hist[r->hist_cur]);
    }
}

static void history_newer(vb_repl *r)
{
    if (r->hist_cur >= 0) {
        r->hist_cur--;
        replace_line(r, r->hist_cur >= 0 ? r->hist[r->hist_cur] : "");
    }
}

/* ---- line lifecycle ----------------------------------------------------- */

void vb_edit_reset(vb_repl *r)
{
    vb_rbuf_clear(&r->stmt);
    r->line_start = r->cursor = 0;
    r->first_line = true;
    r->auto_indent_on = true;
    r->auto_just_added = false;
    r->esc = ESC_NONE;
    r->hist_cur = -1;
}

void vb_edit_new_line(vb_repl *r, const char *prompt, bool first)
{
    r->line_start = r->cursor = r->stmt.len;
    r->first_line = first;
    r->hist_cur = -1;
    r->esc = ESC_NONE;
    r->auto_just_added = false;
    if (prompt)
        vb_repl_outs(r, prompt);
    if (!first && r->auto_indent_on) {
        size_t n = vb_repl_auto_indent((const char *)r->stmt.data, r->stmt.len);
        for (size_t i = 0; i < n / VB_REPL_INDENT_W; i++) {
            if (!line_insert(r, VB_REPL_INDENT, VB_REPL_INDENT_W))
                break;
            r->cursor += VB_REPL_INDENT_W;
            vb_repl_outs(r, VB_REPL_INDENT);
            r->auto_just_added = true;
        }
    }
}

/* ---- keys ---------------------------------------------------------------- */

static void key_home(vb_repl *r) { vb_edit_redraw(r, r->stmt.len, r->cursor - r->line_start, false, 0); }
static void key_end(vb_repl *r) { vb_edit_redraw(r, r->stmt.len, 0, false, r->stmt.len - r->cursor); }

static void key_left(vb_repl *r)
{
    if (r->cursor > r->line_start)
        vb_edit_redraw(r, r->stmt.len, 1, false, 0);
}

static void key_right(vb_repl *r)
{
    if (r->cursor < r->stmt.len)
        vb_edit_redraw(r, r->stmt.len, 0, false, 1);
}

static void key_delete(vb_repl *r)
{
    if (r->cursor < r->stmt.len) {
        size_t old = r->stmt.len;
        vb_rbuf_cut(&r->stmt, r->cursor, 1);
        vb_edit_redraw(r, old, 0, true, 0);
    }
}

static void key_kill_end(vb_repl *r)
{
    size_t old = r->stmt.len;
    vb_rbuf_cut(&r->stmt, r->cursor, r->stmt.len - r->cursor);
    vb_edit_redraw(r, old, 0, true, 0);
}

static void key_kill_start(vb_repl *r)
{
    size_t old = r->stmt.len, n = r->cursor - r->line_start;
    vb_rbuf_cut(&r->stmt, r->line_start, n);
    vb_edit_redraw(r, old, n, true, 0);
}

/* Backspace with the 4-space rule of §2.6. */
static void key_backspace(vb_repl *r)
{
    if (r->cursor == r->line_start)
        return;
    size_t n = r->cursor - r->line_start;
    for (size_t i = r->line_start; i < r->cursor; i++) {
        if (r->stmt.data[i] != ' ') {
            n = 0;
            break;
        }
    }
    n = n >= VB_REPL_INDENT_W ? VB_REPL_INDENT_W : 1;
    size_t old = r->stmt.len;
    vb_rbuf_cut(&r->stmt, r->cursor - n, n);
    vb_edit_redraw(r, old, n, true, 0);
}

bool vb_edit_insert(vb_repl *r, const char *p, size_t n)
{
    size_t old = r->stmt.len;
    if (!line_insert(r, p, n))
        return false;
    vb_edit_redraw(r, old, 0, true, n);
    return true;
}

static bool is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void key_tab(vb_repl *r)
{
    bool after_space;
    if (r->cursor > r->line_start)
        after_space = is_space(r->stmt.data[r->cursor - 1]);
    else   /* start of a continuation line: a "\n" precedes the cursor */
        after_space = !r->first_line && r->state != RS_INPUT;
    if (after_space)
        vb_edit_insert(r, VB_REPL_INDENT, VB_REPL_INDENT_W);
    else
        vb_complete_tab(r);
}

/* Final byte of ESC [ params final. */
static void csi_final(vb_repl *r, uint8_t f)
{
    if (r->esc_overlong)
        return;
    if (r->esc_nparam == 0) {
        switch (f) {
        case VB_ESC_UP: history_older(r); return;
        case VB_ESC_DOWN: history_newer(r); return;
        case VB_ESC_RIGHT: key_right(r); return;
        case VB_ESC_LEFT: key_left(r); return;
        case VB_ESC_HOME: key_home(r); return;
        case VB_ESC_END: key_end(r); return;
        default: return;
        }
    }
    if (f != VB_ESC_TILDE || r->esc_nparam != 1)
        return;
    switch (r->esc_param[0]) {
    case '1': case '7': key_home(r); return;
    case '4': case '8': key_end(r); return;
    case '3': key_delete(r); return;
    default: return;
    }
}

/* Escape-sequence bytes; false if c ended the sequence without being part
 * of it (a control byte), so the caller processes it as a key. */
static bool escape_byte(vb_repl *r, uint8_t c)
{
    switch (r->esc) {
    case ESC_GOT_ESC:
        r->esc_nparam = 0;
        r->esc_overlong = false;
        r->esc = c == VB_ESC_CSI ? ESC_CSI : c == VB_ESC_SS3 ? ESC_SS3 : ESC_NONE;
        return true;   /* ESC + anything else: swallowed */
    case ESC_CSI:
        if (c >= 0x20 && c <= 0x3F) {      /* parameter / intermediate bytes */
            if (r->esc_nparam < VB_ESC_PARAM_MAX)
                r->esc_param[r->esc_nparam++] = c;
            else
                r->esc_overlong = true;
            return true;
        }
        r->esc = ESC_NONE;
        if (c >= 0x40 && c <= 0x7E) {
            csi_final(r, c);
            return true;
        }
        return false;
    case ESC_SS3:
        r->esc = ESC_NONE;
        if (c >= 0x40 && c <= 0x7E) {
            if (c == VB_ESC_HOME)
                key_home(r);
            else if (c == VB_ESC_END)
                key_end(r);
            return true;
        }
        return false;
    case ESC_NONE:
    default:
        return false;
    }
}

/* Bytes that are keys of §2.8 (they keep the Enter pair memory). */
static bool is_bound(uint8_t c)
{
    switch (c) {
    case VB_CTRL_A: case VB_CTRL_B: case VB_CTRL_C: case VB_CTRL_D: case VB_CTRL_E:
    case VB_CTRL_F: case VB_KEY_BS: case VB_KEY_TAB: case VB_CTRL_K: case VB_CTRL_N:
    case VB_CTRL_P: case VB_CTRL_U: case VB_KEY_ESC: case VB_KEY_DEL:
        return true;
    default:
        return false;
    }
}

vb_edit_result vb_edit_key(vb_repl *r, uint8_t c, uint8_t *ctrl)
{
    if (r->esc != ESC_NONE) {
        bool just = r->auto_just_added;
        r->auto_just_added = false;
        if (escape_byte(r, c))
            return ED_NONE;
        r->auto_just_added = just;
    }
    if (c == VB_KEY_CR || c == VB_KEY_LF) {
        if (r->last_nl && r->last_nl != c) {   /* second byte of a pair */
            r->last_nl = 0;
            return ED_NONE;
        }
        r->last_nl = c;
        r->auto_just_added = false;
        vb_repl_outs(r, VB_REPL_CRLF);
        history_push(r, r->stmt.data + r->line_start, r->stmt.len - r->line_start);
        return ED_ENTER;
    }
    if (!is_bound(c))
        r->last_nl = 0;
    bool just = r->auto_just_added;
    r->auto_just_added = false;

    bool empty = r->stmt.len == r->line_start;
    if (c == VB_CTRL_C)
        return ED_CANCEL;
    if (c >= VB_CTRL_A && c <= VB_CTRL_E && empty) {
        *ctrl = c;
        return ED_CTRL;
    }
    if (just && (c == ' ' || c == VB_KEY_TAB)) {
        r->auto_indent_on = false;
        if (c == ' ') {
            vb_rbuf_cut(&r->stmt, r->cursor - 3, 3);
            vb_edit_redraw(r, r->stmt.len, 3, false, 0);
        }
        return ED_NONE;
    }
    switch (c) {
    case VB_CTRL_A: key_home(r); break;
    case VB_CTRL_B: key_left(r); break;
    case VB_CTRL_D: key_delete(r); break;
    case VB_CTRL_E: key_end(r); break;
    case VB_CTRL_F: key_right(r); break;
    case VB_CTRL_K: key_kill_end(r); break;
    case VB_CTRL_U: key_kill_start(r); break;
    case VB_CTRL_N: history_newer(r); break;
    case VB_CTRL_P: history_older(r); break;
    case VB_KEY_BS: case VB_KEY_DEL: key_backspace(r); break;
    case VB_KEY_TAB: key_tab(r); break;
    case VB_KEY_ESC: r->esc = ESC_GOT_ESC; break;
    default:
        if (c >= 0x20 && c <= 0x7E) {
            char ch = (char)c;
            vb_edit_insert(r, &ch, 1);
        }
        break;   /* other bytes: dropped without echo */
    }
    return ED_NONE;
}
