/* The serial REPL of a vboard (repl.md §2-§5) as ONE byte-fed state machine:
 * friendly line editing, paste mode, raw REPL and raw-paste are states of one
 * vb_repl object driven by vb_repl_feed(), whatever loop reads the serial
 * line. The REPL knows nothing about Python: it writes its own bytes (echo,
 * prompts, banners, framing; exact, already containing \r\n) through the
 * output callback and hands source text to the caller with an action.
 *
 * Lifecycle, as seen by the caller (the engine):
 *
 *   r = vb_repl_new(&cfg);            // after boot.py/main.py (§5 step 8)
 *   vb_repl_start(r);                 // banner + ">>> "  or raw banner
 *   for each input byte b:
 *     switch (vb_repl_feed(r, b)) {
 *     case VB_REPL_EXECUTE:           // the REPL already wrote "\r\n" / "OK" / ack
 *         arm Ctrl-C; run vb_repl_source() compiled per vb_repl_compile_kind();
 *         disarm;                     // output (cooked) goes straight to the line
 *         vb_repl_exec_output_done(r);        // raw: "\x04"
 *         print the traceback if any (cooked);
 *         if (vb_repl_exec_end(r, outcome) == VB_REPL_SOFT_RESET) goto reset;
 *         break;                      // raw: "\x04>", friendly: ">>> "
 *     case VB_REPL_SOFT_RESET:        // trigger bytes of §5 already written
 *     reset:
 *         mode = vb_repl_mode_get(r); vb_repl_free(r);
 *         write VB_REPL_SOFT_REBOOT; rebuild the interpreter; boot.py ...;
 *         r = vb_repl_new(&cfg with .mode = mode); vb_repl_start(r);
 *     }
 *
 * While code runs, the caller does not feed bytes (they are stdin, and Ctrl-C
 * is SIGINT, §2.10), except for input(): vb_repl_input_begin() puts the
 * editor in line-input mode and feed() then reports VB_REPL_INPUT_*.
 *
 * Limits (bytes beyond a limit are dropped, never a crash):
 *   VB_REPL_LINE_MAX   one physical line in the editor; further typed bytes are
 *                      dropped without echo (a history entry or completion that
 *                      would exceed it is truncated / not inserted).
 *   VB_REPL_STMT_MAX   a friendly statement (all continuation lines); a line
 *                      that no longer fits behaves as if the cap were the line cap.
 *   VB_REPL_SRC_MAX    paste, raw and raw-paste buffers (grown on demand);
 *                      further bytes are dropped but still count for raw-paste
 *                      credits, and vb_repl_source_truncated() becomes true so
 *                      the engine can raise MemoryError instead of compiling.
 * Not thread-safe: one owner feeds and frames. No global state; library code
 * never prints: all output goes through the write callback. */
#ifndef VB_REPL_REPL_H
#define VB_REPL_REPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The bytes callers feed and expect (VB_CTRL_C...), named once there. */
#include "repl/repl_bytes.h"

#define VB_REPL_LINE_MAX 4096u
#define VB_REPL_STMT_MAX 65536u
#define VB_REPL_SRC_MAX (16u * 1024u * 1024u)
#define VB_REPL_HISTORY 8u            /* history entries (§2.8) */
#define VB_REPL_FIELD_MAX 64u         /* banner fields / prompts, bytes incl. NUL */
#define VB_REPL_COMPLETE_MAX 512u     /* candidate names kept per Tab */
#define VB_REPL_NAME_MAX 64u          /* longest candidate name kept (bytes incl. NUL) */

typedef struct vb_repl vb_repl;

/* Board-level REPL mode; survives soft resets (the caller keeps it). */
typedef enum vb_repl_mode {
    VB_REPL_MODE_FRIENDLY = 0,
    VB_REPL_MODE_RAW = 1,
} vb_repl_mode;

/* How the source of a VB_REPL_EXECUTE is compiled (always source "<stdin>"). */
typedef enum vb_repl_compile {
    VB_REPL_COMPILE_SINGLE, /* friendly: one interactive statement, non-None values displayed */
    VB_REPL_COMPILE_PASTE,  /* paste: a module; top-level expression values displayed */
    VB_REPL_COMPILE_MODULE, /* raw and raw-paste: a module, nothing displayed */
} vb_repl_compile;

/* What vb_repl_feed() asks of the caller. */
typedef enum vb_repl_action {
    VB_REPL_NONE = 0,         /* byte consumed, nothing to do */
    VB_REPL_EXECUTE,          /* run vb_repl_source(), then the exec framing calls */
    VB_REPL_SOFT_RESET,       /* trigger bytes written; soft-reset the board (§5) */
    VB_REPL_INPUT_LINE,       /* line-input mode: line complete, vb_repl_input_text() */
    VB_REPL_INPUT_INTERRUPT,  /* line-input mode: Ctrl-C (raise KeyboardInterrupt) */
    VB_REPL_INPUT_EOF,        /* line-input mode: Ctrl-D on an empty line (EOFError) */
    VB_REPL_SAFE_BOOT,        /* Ctrl-F on an empty line (config.ctrl_f_safe_boot):
                                 ask for a software safe boot and hard-reset */
} vb_repl_action;

/* How an execution ended. */
typedef enum vb_repl_outcome {
    VB_REPL_OUTCOME_OK,          /* finished normally */
    VB_REPL_OUTCOME_EXCEPTION,   /* uncaught exception (incl. KeyboardInterrupt, compile error) */
    VB_REPL_OUTCOME_SYSTEM_EXIT, /* SystemExit: soft reset follows */
} vb_repl_outcome;

/* Output: write len raw bytes to the serial line (no translation). Must not
 * call back into the REPL. */
typedef void (*vb_repl_write_fn)(void *ctx, const uint8_t *buf, size_t len);

/* Tab completion candidates (§2.9), implemented by the engine.
 * import_ctx false: obj is the dotted path of the complete components before
 * the partial name ("" = the __main__ globals, "os.path" = attribute path
 * resolved from __main__ globals, builtins not searched); the engine calls
 * vb_repl_candidate() once per attribute name of that object (in any order,
 * duplicates allowed) and returns true, or returns false when obj does not
 * resolve. import_ctx true (the line starts with "import "): obj is "" and
 * the engine offers the built-in module names.
 * The REPL does the rest: prefix matching, skipping "_" names for an empty
 * partial, sorting, common prefix, insertion and the 16-column listing. */
typedef bool (*vb_repl_complete_fn)(void *ctx, const char *obj, bool import_ctx, vb_repl *r);

typedef struct vb_repl_config {
    vb_repl_write_fn write;        /* required */
    void *write_ctx;
    vb_repl_complete_fn complete;  /* optional: NULL = no name completion */
    void *complete_ctx;
    /* Banner fields (§2.1), copied (at most VB_REPL_FIELD_MAX - 1 bytes each);
     * NULL = "". E.g. "v1.24.0", "2024-11-29", "vboard", "CPython". */
    const char *version;
    const char *build_date;
    const char *board;
    const char *mcu;
    vb_repl_mode mode;             /* mode to start in (the board-level flag) */
    /* Pycom: Ctrl-F on an empty friendly line requests a safe boot
     * (boot.md §5) instead of moving the cursor right. */
    bool ctrl_f_safe_boot;
} vb_repl_config;

/* A new REPL (empty history, idle, nothing written). NULL if cfg->write is
 * NULL or memory is short. */
vb_repl *vb_repl_new(const vb_repl_config *cfg);
void vb_repl_free(vb_repl *r);

/* Writes what the REPL shows when it starts after the boot sequence:
 * friendly: banner + ">>> "; raw: "raw REPL; CTRL-B to exit\r\n>". */
void vb_repl_start(vb_repl *r);

/* Feeds one byte from the serial line. See vb_repl_action. After
 * VB_REPL_SOFT_RESET the object ignores further bytes (returns NONE): the
 * caller frees it and makes a new one. Bytes fed while an EXECUTE is being run
 * (outside line-input mode) are dropped. */
vb_repl_action vb_repl_feed(vb_repl *r, uint8_t byte);

/* Current board-level mode (changed by Ctrl-A / Ctrl-B only). */
vb_repl_mode vb_repl_mode_get(const vb_repl *r);

/* Optional sys.ps1 / sys.ps2 (§2.2): used verbatim from the next prompt on;
 * NULL restores ">>> " / "... " (a non-str value maps to ""). Truncated to
 * VB_REPL_FIELD_MAX - 1 bytes. */
void vb_repl_set_prompts(vb_repl *r, const char *ps1, const char *ps2);

/* ---- execution (valid after VB_REPL_EXECUTE until vb_repl_exec_end) ----- */

/* The source: NUL-terminated, *len excludes the NUL. Friendly: the entered
 * lines joined by "\n"; paste/raw/raw-paste: the bytes verbatim (paste keeps
 * the typed "\r" line ends; CPython's compile() accepts them). */
const uint8_t *vb_repl_source(const vb_repl *r, size_t *len);
vb_repl_compile vb_repl_compile_kind(const vb_repl *r);
/* True if bytes were dropped at VB_REPL_SRC_MAX. */
bool vb_repl_source_truncated(const vb_repl *r);

/* Before the "OK" (raw) or the ack "\x04" (raw-paste) was written by
 * vb_repl_feed() itself, immediately, as §3/§4 require; the caller then runs
 * the code and calls, in this order: */
/* 1. after the code's output, before any error text: raw and raw-paste
 *    write "\x04"; friendly and paste write nothing. */
void vb_repl_exec_output_done(vb_repl *r);
/* 2. after the error text (traceback), with the outcome. Raw/raw-paste:
 *    OK/EXCEPTION write "\x04>"; SYSTEM_EXIT writes "\x04" and returns
 *    VB_REPL_SOFT_RESET. Friendly/paste: OK/EXCEPTION write the primary
 *    prompt; SYSTEM_EXIT writes nothing and returns VB_REPL_SOFT_RESET.
 *    Otherwise returns VB_REPL_NONE. Calls output_done first if the caller
 *    skipped it. */
vb_repl_action vb_repl_exec_end(vb_repl *r, vb_repl_outcome outcome);

/* ---- line input for Python's input() (only while an EXECUTE runs) ------- */

/* Starts editing one line with the friendly editor (echo on, history,
 * editing keys, Tab; no auto-indent). The caller has already written the
 * prompt (cooked); a copy is kept to redraw after a completion listing.
 * Then feed() returns VB_REPL_INPUT_LINE on Enter (echo "\r\n"; the line is
 * added to history), VB_REPL_INPUT_INTERRUPT on Ctrl-C, VB_REPL_INPUT_EOF
 * on Ctrl-D at an empty line (neither echoes anything, as upstream). Ctrl-A,
 * Ctrl-B and Ctrl-E at an empty line are ignored. Returns false if no
 * execution is in progress. */
bool vb_repl_input_begin(vb_repl *r, const char *prompt, size_t prompt_len);
/* The line of a VB_REPL_INPUT_LINE without terminator, NUL-terminated;
 * valid until the next feed. */
const char *vb_repl_input_text(const vb_repl *r, size_t *len);

/* ---- completion (called by the complete callback only) ------------------ */

/* Offers one candidate name (len bytes, no NUL needed). Names longer than
 * VB_REPL_NAME_MAX - 1 and names past VB_REPL_COMPLETE_MAX matches are
 * ignored. */
void vb_repl_candidate(vb_repl *r, const char *name, size_t len);

/* ---- pure helpers (exposed for tests and the engine) -------------------- */

/* §2.5: true if the pending text (lines joined by "\n", the line just
 * entered last) needs another line. */
bool vb_repl_needs_more(const char *text, size_t len);
/* §2.6: spaces to auto-indent a new continuation line, given the pending text
 * (lines joined by "\n", ending with the "\n" that starts the new line). */
size_t vb_repl_auto_indent(const char *text, size_t len);

#endif
