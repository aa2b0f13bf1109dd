/* Internal state of the REPL shared by its source files (not for callers). */
#ifndef VB_REPL_INT_H
#define VB_REPL_INT_H

#include "repl/repl.h"

/* A byte buffer grown on demand up to max bytes (plus a NUL kept after the
 * data); bytes beyond max are dropped and `dropped` is set. */
typedef struct vb_rbuf {
    uint8_t *data;
    size_t len, cap, max;
    bool dropped;
} vb_rbuf;

bool vb_rbuf_push(vb_rbuf *b, uint8_t c);         /* false: dropped */
bool vb_rbuf_insert(vb_rbuf *b, size_t at, const uint8_t *p, size_t n); /* all or nothing */
void vb_rbuf_cut(vb_rbuf *b, size_t at, size_t n);
void vb_rbuf_clear(vb_rbuf *b);                    /* keeps the allocation */
void vb_rbuf_free(vb_rbuf *b);

/* The state machine's states. */
typedef enum vb_rstate {
    RS_FRIENDLY,   /* editing a friendly statement */
    RS_PASTE,      /* paste mode collecting */
    RS_RAW,        /* raw REPL collecting */
    RS_RAW_PASTE,  /* raw-paste streaming */
    RS_EXEC,       /* caller runs code; waiting for exec_end */
    RS_INPUT,      /* editing a line for input() during RS_EXEC */
    RS_DEAD,       /* soft reset requested; ignores input */
} vb_rstate;

/* Escape-sequence parser states (§2.8). */
typedef enum vb_esc {
    ESC_NONE,
    ESC_GOT_ESC,   /* after ESC */
    ESC_CSI,       /* after ESC [ : parameters until a final byte */
    ESC_SS3,       /* after ESC O : one final byte */
} vb_esc;

#define VB_ESC_PARAM_MAX 8u

/* Which kind of input produced the running execution. */
typedef enum vb_exec_from {
    EX_FRIENDLY, EX_PASTE, EX_RAW, EX_RAW_PASTE,
} vb_exec_from;

struct vb_repl {
    vb_repl_write_fn write;
    void *write_ctx;
    vb_repl_complete_fn complete;
    void *complete_ctx;
    bool ctrl_f_safe_boot;         /* vb_repl_config.ctrl_f_safe_boot */
    char version[VB_REPL_FIELD_MAX], date[VB_REPL_FIELD_MAX];
    char board[VB_REPL_FIELD_MAX], mcu[VB_REPL_FIELD_MAX];
    char ps1[VB_REPL_FIELD_MAX], ps2[VB_REPL_FIELD_MAX];
    char input_prompt[VB_REPL_FIELD_MAX];
    vb_repl_mode mode;
    vb_rstate state;

    /* -- line editor (friendly and input) -- */
    vb_rbuf stmt;          /* pending statement: earlier lines + "\n" + current line */
    size_t line_start;     /* offset of the current physical line in stmt */
    size_t cursor;         /* absolute offset in stmt, >= line_start */
    bool first_line;       /* current physical line is the statement's first */
    bool auto_indent_on;   /* auto-indent enabled for this statement */
    bool auto_just_added;  /* the previous key event inserted auto-indent */
    uint8_t last_nl;       /* '\r' / '\n' of the last Enter, 0 = none (§2.4) */
    vb_esc esc;
    uint8_t esc_param[VB_ESC_PARAM_MAX];
    size_t esc_nparam;
    bool esc_overlong;
    char *hist[VB_REPL_HISTORY]; /* [0] newest; NULL = unused */
    int hist_cur;          /* -1 = editing the live line */

    /* -- paste / raw / raw-paste -- */
    vb_rbuf src;
    size_t rp_count;       /* raw-paste source bytes received */

    /* -- execution -- */
    vb_exec_from ex_from;
    bool ex_output_done;
    char input_line[VB_REPL_LINE_MAX + 1];
    size_t input_len;

    /* -- completion -- */
    char (*cand)[VB_REPL_NAME_MAX]; /* VB_REPL_COMPLETE_MAX entries */
    size_t ncand;
    const char *cand_partial;
    size_t cand_partial_len;
};

/* repl.c: output helpers shared by every file. */
void vb_repl_out(vb_repl *r, const void *p, size_t n);
void vb_repl_outs(vb_repl *r, const char *s);
void vb_repl_write_banner(vb_repl *r);
/* The prompt of the current line (ps1, ps2 or the input() prompt). */
const char *vb_repl_cur_prompt(const vb_repl *r);
/* mode := friendly; writes "\r\n" + banner + ps1 (Ctrl-B). */
void vb_repl_enter_friendly(vb_repl *r);
/* state := executing; returns VB_REPL_EXECUTE. */
vb_repl_action vb_repl_begin_exec(vb_repl *r, vb_exec_from from);

/* repl_edit.c: the line editor. */
typedef enum vb_edit_result {
    ED_NONE,    /* key handled (or dropped) */
    ED_ENTER,   /* Enter: "\r\n" echoed, history updated */
    ED_CTRL,    /* Ctrl-A/B/D/E at an empty line: *ctrl holds the byte, no echo */
    ED_CANCEL,  /* Ctrl-C: nothing echoed */
} vb_edit_result;
vb_edit_result vb_edit_key(vb_repl *r, uint8_t c, uint8_t *ctrl);
/* Starts a new physical line at the end of stmt: writes prompt (may be NULL),
 * then inserts auto-indent if enabled. */
void vb_edit_new_line(vb_repl *r, const char *prompt, bool first);
/* Inserts n bytes at the cursor and redraws; false (nothing inserted or
 * echoed) if the line or statement cap would be exceeded. */
bool vb_edit_insert(vb_repl *r, const char *p, size_t n);
void vb_edit_reset(vb_repl *r);   /* empty statement, auto-indent on */
void vb_edit_redraw(vb_repl *r, size_t old_len, size_t back, bool from_cursor, size_t fwd);
void vb_edit_cursor_back(vb_repl *r, size_t n);
void vb_edit_history_free(vb_repl *r);

/* repl_raw.c */
vb_repl_action vb_raw_feed(vb_repl *r, uint8_t c);
vb_repl_action vb_raw_paste_feed(vb_repl *r, uint8_t c);
void vb_raw_enter(vb_repl *r, bool leading_crlf); /* mode := raw, banner */

/* repl_complete.c: Tab at the cursor (not right after whitespace). */
void vb_complete_tab(vb_repl *r);

#endif
