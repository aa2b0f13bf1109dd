/* Every protocol byte, banner fragment and mode message of the serial REPL
 * (repl.md §2-§5), named once. Included by the REPL code and by its tests;
 * no other file spells these bytes. String constants are C string literals
 * (usable with sizeof - 1); those containing NUL bytes have an explicit
 * _LEN. */
#ifndef VB_REPL_BYTES_H
#define VB_REPL_BYTES_H

/* ---- control bytes (§2.3, §2.8, §3) ----------------------------------- */
#define VB_CTRL_A 0x01u   /* raw REPL / home / raw-paste command terminator */
#define VB_CTRL_B 0x02u   /* friendly REPL / cursor left */
#define VB_CTRL_C 0x03u   /* cancel / interrupt */
#define VB_CTRL_D 0x04u   /* soft reset / execute / delete / end marker */
#define VB_CTRL_E 0x05u   /* paste mode / end / raw-paste command prefix */
#define VB_CTRL_F 0x06u   /* cursor right */
#define VB_KEY_BS 0x08u   /* backspace */
#define VB_KEY_TAB 0x09u
#define VB_KEY_LF 0x0Au
#define VB_CTRL_K 0x0Bu   /* kill cursor..end */
#define VB_KEY_CR 0x0Du
#define VB_CTRL_N 0x0Eu   /* history newer */
#define VB_CTRL_P 0x10u   /* history older */
#define VB_CTRL_U 0x15u   /* kill start..cursor */
#define VB_KEY_ESC 0x1Bu
#define VB_KEY_DEL 0x7Fu  /* backspace too */

/* ---- escape sequences (§2.8): ESC '[' params final, ESC 'O' final ------ */
#define VB_ESC_CSI '['
#define VB_ESC_SS3 'O'
#define VB_ESC_UP 'A'
#define VB_ESC_DOWN 'B'
#define VB_ESC_RIGHT 'C'
#define VB_ESC_LEFT 'D'
#define VB_ESC_HOME 'H'
#define VB_ESC_END 'F'
#define VB_ESC_TILDE '~'          /* ESC[<n>~ : 1/7 home, 4/8 end, 3 delete */
/* Terminal output of the editor. */
#define VB_TERM_BACK "\x08"       /* cursor left by one, used for n <= 4 */
#define VB_TERM_BACK_MAX_BS 4u    /* above this: ESC[<n>D */
#define VB_TERM_ERASE_EOL "\x1b[K"
#define VB_TERM_CSI "\x1b["
#define VB_TERM_LEFT_FINAL "D"

/* ---- prompts and line ends -------------------------------------------- */
#define VB_REPL_CRLF "\r\n"
#define VB_REPL_PS1 ">>> "
#define VB_REPL_PS2 "... "
#define VB_REPL_INDENT "    "    /* one auto-indent / Tab step */
#define VB_REPL_INDENT_W 4u

/* ---- banner (§2.1): PREFIX version ON date SEP board WITH mcu CRLF HELP */
#define VB_REPL_BANNER_PREFIX "MicroPython "
#define VB_REPL_BANNER_ON " on "
#define VB_REPL_BANNER_SEP "; "
#define VB_REPL_BANNER_WITH " with "
#define VB_REPL_BANNER_HELP "Type \"help()\" for more information.\r\n"

/* ---- mode messages ------------------------------------------------------ */
#define VB_REPL_RAW_BANNER "raw REPL; CTRL-B to exit\r\n>"
#define VB_REPL_PASTE_BANNER "paste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== "
#define VB_REPL_PASTE_PROMPT "=== "
#define VB_REPL_SOFT_REBOOT "MPY: soft reboot\r\n"   /* written by the caller (§5 step 2) */

/* ---- raw REPL framing (§3) -------------------------------------------- */
#define VB_REPL_RAW_OK "OK"
#define VB_REPL_RAW_EOT "\x04"          /* end of output / end of error text */
#define VB_REPL_RAW_PROMPT ">"

/* ---- raw-paste (§4) --------------------------------------------------- */
#define VB_REPL_RAWPASTE_CMD 'A'        /* the only command: "\x05A\x01" */
#define VB_REPL_RAWPASTE_WINDOW 128u    /* flow-control window, bytes */
/* "R\x01" + window u16 LE (128 = 0x80 0x00) + the second credit "\x01". */
#define VB_REPL_RAWPASTE_OK "R\x01\x80\x00\x01"
#define VB_REPL_RAWPASTE_OK_LEN 5u
#define VB_REPL_RAWPASTE_NO "R\x00"
#define VB_REPL_RAWPASTE_NO_LEN 2u
#define VB_REPL_RAWPASTE_CREDIT "\x01"
/* Host Ctrl-C mid-stream: end-of-data ack, end of (empty) output, frameless
 * KeyboardInterrupt report, end of error text, prompt. */
#define VB_REPL_RAWPASTE_ABORT "\x04\x04KeyboardInterrupt: \r\n\x04>"

/* ---- Tab completion listing (§2.9) ------------------------------------ */
#define VB_REPL_COMPLETE_SLOT 16u       /* column slot width */
#define VB_REPL_COMPLETE_COLS 64u       /* max columns per line */
#define VB_REPL_COMPLETE_GAP 2u         /* min spaces between names */
#define VB_REPL_IMPORT_KW "import "

#endif
