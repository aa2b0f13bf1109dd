/* Byte-exact tests of the REPL state machine's modes (repl.md §2.1-§2.4,
 * §2.7, §2.10, §3, §4, §5, §6.1): banners, control bytes at an empty line in
 * every mode, Enter rules, execution framing for each outcome, paste mode,
 * raw REPL, raw-paste handshake/credits/abort, soft-reset trigger bytes. */
#include "repl_harness.h"

/* ---- §2.1 / §3 start --------------------------------------------------- */

static void test_start_friendly(void)
{
    tboard b;
    tb_init(&b, VB_REPL_MODE_FRIENDLY);
    CHECK(b.r != NULL);
    CHECK_EQ(b.len, 0);
    vb_repl_start(b.r);
    EXPECT(&b, BANNER ">>> ");
    CHECK_EQ(vb_repl_mode_get(b.r), VB_REPL_MODE_FRIENDLY);
    tb_free(&b);
}

static void test_start_raw(void)
{
    tboard b;
    tb_init(&b, VB_REPL_MODE_RAW);
    vb_repl_start(b.r);
    EXPECT(&b, "raw REPL; CTRL-B to exit\r\n>");
    CHECK_EQ(vb_repl_mode_get(b.r), VB_REPL_MODE_RAW);
    tb_free(&b);
}

static void test_new_needs_write(void)
{
    vb_repl_config cfg = {0};
    CHECK(vb_repl_new(&cfg) == NULL);
    CHECK(vb_repl_new(NULL) == NULL);
    vb_repl_free(NULL);
}

/* ---- §2.3 control bytes at an empty friendly line ---------------------- */

static void test_friendly_ctrl_a(void)
{
    tboard b;
    tb_friendly(&b);
    CHECK_EQ(FEED(&b, "\x01"), VB_REPL_NONE);
    EXPECT(&b, "\r\nraw REPL; CTRL-B to exit\r\n>");
    CHECK_EQ(vb_repl_mode_get(b.r), VB_REPL_MODE_RAW);
    tb_free(&b);
}

static void test_friendly_ctrl_b(void)
{
    tboard b;
    tb_friendly(&b);
    CHECK_EQ(FEED(&b, "\x02"), VB_REPL_NONE);
    EXPECT(&b, "\r\n" BANNER ">>> ");
    CHECK_EQ(vb_repl_mode_get(b.r), VB_REPL_MODE_FRIENDLY);
    tb_free(&b);
}

static void test_friendly_ctrl_c(void)
{
    tboard b;
    tb_friendly(&b);
    FEED(&b, "\x03");
    EXPECT(&b, "\r\n>>> ");
    FEED(&b, "abc\x03");                    /* §2.4 example */
    EXPECT(&b, "abc\r\n>>> ");
    FEED(&b, "for i in x:\r\x03");          /* continuation dropped */
    EXPECT(&b, "for i in x:\r\n...     \r\n>>> ");
    CHECK_EQ(FEED(&b, "\r"), VB_REPL_NONE); /* nothing pending: nothing runs */
    EXPECT(&b, "\r\n>>> ");
    tb_free(&b);
}

static void test_friendly_ctrl_d(void)
{
    tboard b;
    tb_friendly(&b);
    CHECK_EQ(FEED(&b, "\x04"), VB_REPL_SOFT_RESET);
    EXPECT(&b, "\r\n");
    CHECK_EQ(FEED(&b, "1\r\x02"), VB_REPL_NONE);   /* dead until replaced */
    EXPECT(&b, "");
    CHECK_EQ(vb_repl_mode_get(b.r), VB_REPL_MODE_FRIENDLY);
    tb_free(&b);
}

/* Pycom: Ctrl-F on an empty line asks for a safe boot; on a line with
 * text, or on boards without it, it is the editor's cursor-right. */
static void test_friendly_ctrl_f(void)
{
    tboard b;
    tb_init_opts(&b, VB_REPL_MODE_FRIENDLY, true);
    vb_repl_start(b.r);
    b.len = 0;
    FEED(&b, "ab\x01\x06");                /* Ctrl-A home, Ctrl-F right */
    EXPECT(&b, "ab\x08\x08" "a");
    FEED(&b, "\x03");
    EXPECT(&b, "\r\n>>> ");
    CHECK_EQ(FEED(&b, "\x06"), VB_REPL_SAFE_BOOT);
    EXPECT(&b, "\r\n");
    CHECK_EQ(FEED(&b, "1\r"), VB_REPL_NONE);  /* dead until the reset */
    tb_free(&b);
    tb_friendly(&b);
    CHECK_EQ(FEED(&b, "\x06"), VB_REPL_NONE);
    EXPECT(&b, "");
    tb_free(&b);
}

static void test_friendly_ctrl_e(void)
{
    tboard b;
    tb_friendly(&b);
    FEED(&b, "\x05");
    EXPECT(&b, "\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ");
    tb_free(&b);
}

static void test_friendly_enter_empty(void)
{
    tboard b;
    tb_friendly(&b);
    CHECK_EQ(FEED(&b, "\r"), VB_REPL_NONE);
    EXPECT(&b, "\r\n>>> ");
    tb_free(&b);
}

/* ---- §2.4 Enter, echo, execution ---------------------------------------- */

static void test_friendly_execute(void)
{
    tboard b;
    tb_friendly(&b);
    CHECK_EQ(FEED(&b, "1+1\r"), VB_REPL_EXECUTE);
    EXPECT(&b, "1+1\r\n");
    EXPECT_SRC(&b, "1+1");
    CHECK_EQ(vb_repl_compile_kind(b.r), VB_REPL_COMPILE_SINGLE);
    CHECK(!vb_repl_source_truncated(b.r));
    CHECK_EQ(FEED(&b, "zz"), VB_REPL_NONE);  /* fed while running: dropped */
    tb_write(&b, (const uint8_t *)"2\r\n", 3);  /* the engine's cooked output */
    vb_repl_exec_output_done(b.r);
    CHECK_EQ(vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK), VB_REPL_NONE);
    EXPECT(&b, "2\r\n>>> ");
    /* 1/0: traceback between the framing calls, then the prompt. */
    CHECK_EQ(FEED(&b, "1/0\r"), VB_REPL_EXECUTE);
    vb_repl_exec_output_done(b.r);
    tb_write(&b, (const uint8_t *)"Traceback\r\n", 11);
    CHECK_EQ(vb_repl_exec_end(b.r, VB_REPL_OUTCOME_EXCEPTION), VB_REPL_NONE);
    EXPECT(&b, "1/0\r\nTraceback\r\n>>> ");
    /* The framing calls outside an execution do nothing. */
    vb_repl_exec_output_done(b.r);
    CHECK_EQ(vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK), VB_REPL_NONE);
    EXPECT(&b, "");
    tb_free(&b);
}

static void test_friendly_system_exit(void)
{
    tboard b;
    tb_friendly(&b);
    CHECK_EQ(FEED(&b, "sys.exit()\r"), VB_REPL_EXECUTE);
    vb_repl_exec_output_done(b.r);
    CHECK_EQ(vb_repl_exec_end(b.r, VB_REPL_OUTCOME_SYSTEM_EXIT), VB_REPL_SOFT_RESET);
    EXPECT(&b, "sys.exit()\r\n");           /* the Enter echo only (§5) */
    CHECK_EQ(vb_repl_mode_get(b.r), VB_REPL_MODE_FRIENDLY);
    tb_free(&b);
}

static void test_enter_pairs(void)
{
    tboard b;
    tb_friendly(&b);
    /* \r\n: one Enter; the \n arrives after the execution and is dropped. */
    CHECK_EQ(FEED(&b, "1\r"), VB_REPL_EXECUTE);
    vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK);
    EXPECT(&b, "1\r\n>>> ");
    CHECK_EQ(FEED(&b, "\n"), VB_REPL_NONE);
    EXPECT(&b, "");
    /* \n\r likewise */
    CHECK_EQ(FEED(&b, "2\n"), VB_REPL_EXECUTE);
    vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK);
    CHECK_EQ(FEED(&b, "\r"), VB_REPL_NONE);
    EXPECT(&b, "2\r\n>>> ");
    /* \r\r and \n\n are two Enters (a typed byte + Ctrl-C first clears
     * the memory left by the previous case) */
    FEED(&b, "x\x03");
    b.len = 0;
    FEED(&b, "\r\r");
    EXPECT(&b, "\r\n>>> \r\n>>> ");
    FEED(&b, "x\x03");
    b.len = 0;
    FEED(&b, "\n\n");
    EXPECT(&b, "\r\n>>> \r\n>>> ");
    /* after \n\n a \r is the partner of the second \n, a \n an Enter */
    FEED(&b, "\r");
    EXPECT(&b, "");
    FEED(&b, "\n");
    EXPECT(&b, "\r\n>>> ");
    /* \r\n\r\n: two Enters */
    FEED(&b, "x\x03");
    b.len = 0;
    FEED(&b, "\r\n\r\n");
    EXPECT(&b, "\r\n>>> \r\n>>> ");
    /* a printable clears the memory: \r a \n -> \n is an Enter */
    FEED(&b, "x\x03");
    b.len = 0;
    FEED(&b, "\r");
    EXPECT(&b, "\r\n>>> ");
    CHECK_EQ(FEED(&b, "a\n"), VB_REPL_EXECUTE);
    EXPECT(&b, "a\r\n");
    vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK);
    EXPECT(&b, ">>> ");
    /* an unbound byte clears it too: \n \x07 \r -> two Enters */
    FEED(&b, "\x07\r");
    EXPECT(&b, "\r\n>>> ");
    /* a bound editing key keeps it: \r ESC[D \n -> the \n is dropped */
    FEED(&b, "x\x03");
    b.len = 0;
    FEED(&b, "\r\x1b[D\n");
    EXPECT(&b, "\r\n>>> ");
    tb_free(&b);
}

static void test_echo_rules(void)
{
    tboard b;
    tb_friendly(&b);
    FEED(&b, "ab");
    EXPECT(&b, "ab");
    FEED(&b, "\x1b[D");                     /* cursor left */
    EXPECT(&b, "\x08");
    FEED(&b, "X");                          /* mid-line: byte, rest, back */
    EXPECT(&b, "Xb\x08");
    FEED(&b, "\x80\xff\x07\x0c\x11\x1a\x1c\x1f");  /* dropped without echo */
    EXPECT(&b, "");
    CHECK_EQ(FEED(&b, "\r"), VB_REPL_EXECUTE);
    EXPECT(&b, "\r\n");
    EXPECT_SRC(&b, "aXb");
    tb_free(&b);
}

/* ---- §2.7 paste mode ---------------------------------------------------- */

static void test_paste_example(void)
{
    tboard b;
    tb_friendly(&b);
    FEED(&b, "\x05");
    b.len = 0;
    CHECK_EQ(FEED(&b, "x = 5\rprint(x*2)\r"), VB_REPL_NONE);
    EXPECT(&b, "x = 5\r\n=== print(x*2)\r\n=== ");
    CHECK_EQ(FEED(&b, "\x04"), VB_REPL_EXECUTE);
    EXPECT(&b, "\r\n");
    EXPECT_SRC(&b, "x = 5\rprint(x*2)\r");
    CHECK_EQ(vb_repl_compile_kind(b.r), VB_REPL_COMPILE_PASTE);
    tb_write(&b, (const uint8_t *)"10\r\n", 4);
    vb_repl_exec_output_done(b.r);
    CHECK_EQ(vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK), VB_REPL_NONE);
    EXPECT(&b, "10\r\n>>> ");
    /* back in friendly mode */
    FEED(&b, "\x04");
    EXPECT(&b, "\r\n");
    tb_free(&b);
}

static void test_paste_bytes_verbatim(void)
{
    tboard b;
    tb_friendly(&b);
    FEED(&b, "\x05");
    b.len = 0;
    /* every byte but \x03 / \x04 stored and echoed verbatim; \n bare; no
     * auto-indent, control bytes and 8-bit bytes kept */
    FEED(&b, "if 1:\n\tx\x01\x02\x05\x1b[A\xff\r");
    EXPECT(&b, "if 1:\n\tx\x01\x02\x05\x1b[A\xff\r\n=== ");
    CHECK_EQ(FEED(&b, "\x04"), VB_REPL_EXECUTE);
    EXPECT_SRC(&b, "if 1:\n\tx\x01\x02\x05\x1b[A\xff\r");
    vb_repl_exec_end(b.r, VB_REPL_OUTCOME_EXCEPTION);
    EXPECT(&b, "\r\n>>> ");
    tb_free(&b);
}

static void test_paste_cancel_and_exit(void)
{
    tboard b;
    tb_friendly(&b);
    FEED(&b, "\x05" "abc\r\x03");
    b.len = 0;
    FEED(&b, "\x05");
    EXPECT(&b, "\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ");
    CHECK_EQ(FEED(&b, "\x03"), VB_REPL_NONE);
    EXPECT(&b, "\r\n>>> ");
    /* the cancelled buffer is gone */
    FEED(&b, "\x05" "y\x04");
    EXPECT_SRC(&b, "y");
    b.len = 0;
    CHECK_EQ(vb_repl_exec_end(b.r, VB_REPL_OUTCOME_SYSTEM_EXIT), VB_REPL_SOFT_RESET);
    EXPECT(&b, "");
    tb_free(&b);
}

/* ---- §3 raw REPL -------------------------------------------------------- */

static void test_raw_control_bytes(void)
{
    tboard b;
    tb_raw(&b);
    FEED(&b, "junk\x01");                  /* \x01: clear, banner again */
    EXPECT(&b, "raw REPL; CTRL-B to exit\r\n>");
    FEED(&b, "junk\x03");                  /* \x03: clear silently */
    EXPECT(&b, "");
    CHECK_EQ(FEED(&b, "\x04"), VB_REPL_SOFT_RESET);  /* buffer was cleared */
    EXPECT(&b, "OK\r\n");
    CHECK_EQ(vb_repl_mode_get(b.r), VB_REPL_MODE_RAW);
    tb_free(&b);

    tb_raw(&b);
    FEED(&b, "\r\x02");                   /* hosts leave with \r\x02 */
    EXPECT(&b, "\r\n" BANNER ">>> ");
    CHECK_EQ(vb_repl_mode_get(b.r), VB_REPL_MODE_FRIENDLY);
    CHECK_EQ(FEED(&b, "1\r"), VB_REPL_EXECUTE);   /* the \r was dropped with the buffer */
    EXPECT_SRC(&b, "1");
    tb_free(&b);
}

static void test_raw_no_echo_all_bytes(void)
{
    tboard b;
    tb_raw(&b);
    const char src[] = "a\r\n\t\x00\x06\x1b[A\x7f\x80\xff";
    tb_feedn(&b, src, sizeof src - 1);
    EXPECT(&b, "");
    CHECK_EQ(FEED(&b, "\x04"), VB_REPL_EXECUTE);
    EXPECT(&b, "OK");
    size_t n = 0;
    const uint8_t *s = vb_repl_source(b.r, &n);
    CHECK_EQ(n, sizeof src - 1);
    CHECK_MEM(s, src, sizeof src - 1);
    CHECK_EQ(vb_repl_compile_kind(b.r), VB_REPL_COMPILE_MODULE);
    tb_free(&b);
}

static void test_raw_framing(void)
{
    tboard b;
    tb_raw(&b);
    /* success: OK + out + \x04 + \x04 + > */
    CHECK_EQ(FEED(&b, "print('hi')\x04"), VB_REPL_EXECUTE);
    EXPECT_SRC(&b, "print('hi')");
    tb_write(&b, (const uint8_t *)"hi\r\n", 4);
    vb_repl_exec_output_done(b.r);
    CHECK_EQ(vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK), VB_REPL_NONE);
    EXPECT(&b, "OKhi\r\n\x04\x04>");
    /* exception: traceback between the markers */
    CHECK_EQ(FEED(&b, "1/0\x04"), VB_REPL_EXECUTE);
    EXPECT_SRC(&b, "1/0");                 /* previous buffer cleared */
    vb_repl_exec_output_done(b.r);
    const char tb[] = "Traceback (most recent call last):\r\n  File \"<stdin>\", line 1, in <module>\r\n"
                      "ZeroDivisionError: divide by zero\r\n";
    tb_write(&b, (const uint8_t *)tb, sizeof tb - 1);
    CHECK_EQ(vb_repl_exec_end(b.r, VB_REPL_OUTCOME_EXCEPTION), VB_REPL_NONE);
    EXPECT(&b, "OK\x04Traceback (most recent call last):\r\n  File \"<stdin>\", line 1, in <module>\r\n"
               "ZeroDivisionError: divide by zero\r\n\x04>");
    /* exec_end without output_done still writes both markers */
    FEED(&b, "pass\x04");
    CHECK_EQ(vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK), VB_REPL_NONE);
    EXPECT(&b, "OK\x04\x04>");
    /* output_done twice writes one marker */
    FEED(&b, "pass\x04");
    vb_repl_exec_output_done(b.r);
    vb_repl_exec_output_done(b.r);
    vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK);
    EXPECT(&b, "OK\x04\x04>");
    /* SystemExit: \x04\x04, no >, soft reset, mode stays raw */
    FEED(&b, "import sys\nsys.exit()\x04");
    tb_write(&b, (const uint8_t *)"bye\r\n", 5);
    vb_repl_exec_output_done(b.r);
    CHECK_EQ(vb_repl_exec_end(b.r, VB_REPL_OUTCOME_SYSTEM_EXIT), VB_REPL_SOFT_RESET);
    EXPECT(&b, "OKbye\r\n\x04\x04");
    CHECK_EQ(vb_repl_mode_get(b.r), VB_REPL_MODE_RAW);
    CHECK_EQ(FEED(&b, "x\x04"), VB_REPL_NONE);
    EXPECT(&b, "");
    tb_free(&b);
}

/* ---- §4 raw-paste -------------------------------------------------------- */

static void test_raw_paste_example(void)
{
    tboard b;
    tb_raw(&b);
    CHECK_EQ(FEED(&b, "\x05" "A\x01"), VB_REPL_NONE);
    EXPECT(&b, "R\x01\x80\x00\x01");
    CHECK_EQ(FEED(&b, "print('paste ok')"), VB_REPL_NONE);
    EXPECT(&b, "");
    CHECK_EQ(FEED(&b, "\x04"), VB_REPL_EXECUTE);
    EXPECT(&b, "\x04");                     /* the ack, before compiling */
    EXPECT_SRC(&b, "print('paste ok')");
    CHECK_EQ(vb_repl_compile_kind(b.r), VB_REPL_COMPILE_MODULE);
    tb_write(&b, (const uint8_t *)"paste ok\r\n", 10);
    vb_repl_exec_output_done(b.r);
    CHECK_EQ(vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK), VB_REPL_NONE);
    EXPECT(&b, "paste ok\r\n\x04\x04>");
    /* compile error after the ack: \x04\x04 + traceback + \x04> */
    FEED(&b, "\x05" "A\x01" "1+\x04");
    EXPECT(&b, "R\x01\x80\x00\x01\x04");
    vb_repl_exec_output_done(b.r);
    tb_write(&b, (const uint8_t *)"SyntaxError: \r\n", 15);
    vb_repl_exec_end(b.r, VB_REPL_OUTCOME_EXCEPTION);
    EXPECT(&b, "\x04SyntaxError: \r\n\x04>");
    /* SystemExit */
    FEED(&b, "\x05" "A\x01" "raise SystemExit\x04");
    EXPECT(&b, "R\x01\x80\x00\x01\x04");
    vb_repl_exec_output_done(b.r);
    CHECK_EQ(vb_repl_exec_end(b.r, VB_REPL_OUTCOME_SYSTEM_EXIT), VB_REPL_SOFT_RESET);
    EXPECT(&b, "\x04\x04");
    tb_free(&b);
}

/* Feeds n source bytes in raw-paste and returns the number of \x01 credits
 * written; checks that nothing but credits appeared. */
static size_t raw_paste_credits(size_t n)
{
    tboard b;
    tb_raw(&b);
    FEED(&b, "\x05" "A\x01");
    b.len = 0;
    char *src = malloc(n);
    for (size_t i = 0; i < n; i++)
        src[i] = (char)('a' + i % 26);
    size_t credits = 0;
    bool only_credits = true;
    for (size_t i = 0; i < n; i++) {
        size_t before = b.len;
        tb_feedn(&b, src + i, 1);
        if (b.len != before) {
            credits += b.len - before;
            /* a credit comes exactly when another 128 bytes have arrived */
            if (b.len - before != 1 || b.out[before] != 0x01 || (i + 1) % 128 != 0)
                only_credits = false;
        }
    }
    CHECK(only_credits);
    b.len = 0;
    CHECK_EQ(FEED(&b, "\x04"), VB_REPL_EXECUTE);
    EXPECT(&b, "\x04");
    size_t len = 0;
    const uint8_t *s = vb_repl_source(b.r, &len);
    CHECK_EQ(len, n);
    CHECK(len == n && memcmp(s, src, n) == 0);
    free(src);
    tb_free(&b);
    return credits;
}

static void test_raw_paste_credits(void)
{
    CHECK_EQ(raw_paste_credits(1000), 7);   /* 1000 / 128 */
    CHECK_EQ(raw_paste_credits(127), 0);
    CHECK_EQ(raw_paste_credits(128), 1);
    CHECK_EQ(raw_paste_credits(256), 2);
    CHECK_EQ(raw_paste_credits(0), 0);
}

static void test_raw_paste_abort_and_unknown(void)
{
    tboard b;
    tb_raw(&b);
    FEED(&b, "\x05" "A\x01");
    b.len = 0;
    CHECK_EQ(FEED(&b, "print(1)\x03"), VB_REPL_NONE);
    EXPECT(&b, "\x04\x04KeyboardInterrupt: \r\n\x04>");
    /* back in raw collecting with an empty buffer */
    CHECK_EQ(FEED(&b, "\x04"), VB_REPL_SOFT_RESET);
    EXPECT(&b, "OK\r\n");
    tb_free(&b);

    tb_raw(&b);
    FEED(&b, "\x05" "B\x01");
    EXPECT(&b, "R\x00>");
    CHECK_EQ(FEED(&b, "\x04"), VB_REPL_SOFT_RESET);   /* buffer cleared */
    EXPECT(&b, "OK\r\n");
    tb_free(&b);

    /* three bytes or a different first byte: plain \x01 */
    tb_raw(&b);
    FEED(&b, "x\x05" "A\x01");
    EXPECT(&b, "raw REPL; CTRL-B to exit\r\n>");
    FEED(&b, "\x06" "A\x01");
    EXPECT(&b, "raw REPL; CTRL-B to exit\r\n>");
    /* after a raw-paste run the plain raw REPL still works */
    FEED(&b, "\x05" "A\x01" "x\x04");
    vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK);
    b.len = 0;
    CHECK_EQ(FEED(&b, "y\x04"), VB_REPL_EXECUTE);
    EXPECT(&b, "OK");
    EXPECT_SRC(&b, "y");
    tb_free(&b);
}

/* ---- §5 soft reset and §6.1 host entry ----------------------------------- */

/* The caller's side of a soft reset: keep the mode, write the reboot line,
 * make a fresh REPL and start it. */
static void soft_reset(tboard *b)
{
    vb_repl_mode mode = vb_repl_mode_get(b->r);
    vb_repl_free(b->r);
    tb_write(b, (const uint8_t *)VB_REPL_SOFT_REBOOT, sizeof VB_REPL_SOFT_REBOOT - 1);
    vb_repl_config cfg = {
        .write = tb_write, .write_ctx = b, .complete = tb_complete, .complete_ctx = b,
        .version = "v1.24.0", .build_date = "2024-11-29", .board = "vboard", .mcu = "CPython",
        .mode = mode,
    };
    b->r = vb_repl_new(&cfg);
    vb_repl_start(b->r);
}

static void test_soft_reset_sequences(void)
{
    tboard b;
    tb_friendly(&b);
    CHECK_EQ(FEED(&b, "\x04"), VB_REPL_SOFT_RESET);
    soft_reset(&b);
    EXPECT(&b, "\r\nMPY: soft reboot\r\n" BANNER ">>> ");
    /* enter raw, reset there: comes back raw */
    FEED(&b, "\x01");
    b.len = 0;
    CHECK_EQ(FEED(&b, "\x04"), VB_REPL_SOFT_RESET);
    soft_reset(&b);
    EXPECT(&b, "OK\r\nMPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>");
    CHECK_EQ(vb_repl_mode_get(b.r), VB_REPL_MODE_RAW);
    /* SystemExit from raw */
    FEED(&b, "x\x04");
    vb_repl_exec_output_done(b.r);
    CHECK_EQ(vb_repl_exec_end(b.r, VB_REPL_OUTCOME_SYSTEM_EXIT), VB_REPL_SOFT_RESET);
    soft_reset(&b);
    EXPECT(&b, "OK\x04\x04MPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>");
    tb_free(&b);
}

static void test_host_entry(void)
{
    tboard b;
    tb_friendly(&b);
    FEED(&b, "\r\x03\r\x01");
    EXPECT(&b, "\r\n>>> \r\n>>> \r\n>>> \r\nraw REPL; CTRL-B to exit\r\n>");
    FEED(&b, "\r\x03\r\x01");              /* idle raw board */
    EXPECT(&b, "raw REPL; CTRL-B to exit\r\n>");
    CHECK_EQ(FEED(&b, "\x04"), VB_REPL_SOFT_RESET);
    EXPECT(&b, "OK\r\n");
    tb_free(&b);
}

static void test_raw_buffer_cap(void)
{
    /* 1 MiB in raw mode is kept whole (below VB_REPL_SRC_MAX). */
    tboard b;
    tb_raw(&b);
    size_t n = 1u << 20;
    char *big = malloc(n);
    memset(big, 'x', n);
    tb_feedn(&b, big, n);
    CHECK_EQ(FEED(&b, "\x04"), VB_REPL_EXECUTE);
    size_t len = 0;
    vb_repl_source(b.r, &len);
    CHECK_EQ(len, n);
    CHECK(!vb_repl_source_truncated(b.r));
    free(big);
    tb_free(&b);
}

int main(void)
{
    RUN(test_start_friendly);
    RUN(test_start_raw);
    RUN(test_new_needs_write);
    RUN(test_friendly_ctrl_a);
    RUN(test_friendly_ctrl_b);
    RUN(test_friendly_ctrl_c);
    RUN(test_friendly_ctrl_d);
    RUN(test_friendly_ctrl_f);
    RUN(test_friendly_ctrl_e);
    RUN(test_friendly_enter_empty);
    RUN(test_friendly_execute);
    RUN(test_friendly_system_exit);
    RUN(test_enter_pairs);
    RUN(test_echo_rules);
    RUN(test_paste_example);
    RUN(test_paste_bytes_verbatim);
    RUN(test_paste_cancel_and_exit);
    RUN(test_raw_control_bytes);
    RUN(test_raw_no_echo_all_bytes);
    RUN(test_raw_framing);
    RUN(test_raw_paste_example);
    RUN(test_raw_paste_credits);
    RUN(test_raw_paste_abort_and_unknown);
    RUN(test_soft_reset_sequences);
    RUN(test_host_entry);
    RUN(test_raw_buffer_cap);
    return CHECK_DONE();
}
