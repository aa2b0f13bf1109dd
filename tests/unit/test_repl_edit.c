/* Byte-exact tests of the friendly line editor (repl.md §2.5, §2.6, §2.8,
 * §2.9): continuation rules, auto-indent, editing keys and escape sequences,
 * redraw, history, Tab completion, input() line mode and the line cap. */
#include "repl_harness.h"

/* ---- §2.5 continuation rule (pure helper) -------------------------------- */

static bool more(const char *s)
{
    return vb_repl_needs_more(s, strlen(s));
}

static void test_needs_more(void)
{
    CHECK(!more(""));
    CHECK(!more("1+1"));
    /* rule 1: open triple-quoted string */
    CHECK(more("x = '''abc"));
    CHECK(more("x = \"\"\"abc\ndef"));
    CHECK(!more("x = '''abc'''"));
    CHECK(more("x = '''a\\'''"));          /* escaped quote does not close */
    /* rule 2: brackets outside strings, no single-quoted string open */
    CHECK(more("x = (1,"));
    CHECK(more("x = [1,\n{2:"));
    CHECK(!more("x = (1)"));
    CHECK(!more("x = '('"));
    CHECK(!more("x = \"[{\""));
    CHECK(!more("x = ('abc"));              /* single-quoted string open */
    CHECK(more("x = ('a\\'b',"));           /* backslash escape in string */
    CHECK(more("f('''(''', ("));
    /* rule 3: trailing backslash */
    CHECK(more("x = 1 + \\"));
    CHECK(!more("x = '\\\\'"));
    /* rule 4: compound keywords as whole words, last line not empty */
    const char *kw[] = {"if x:", "while 1:", "for i in x:", "try:", "with f:", "def f():",
                        "class A:", "async def f():", "@dec", "if(x):"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        CHECK(more(kw[i]));
    CHECK(!more("iff = 1"));
    CHECK(!more("classy = 2"));
    CHECK(!more("format(1)"));
    CHECK(!more("x = 1 if y else 2"));
    CHECK(!more(" if x:"));
    CHECK(more("if x:\n    pass"));
    CHECK(more("if x:\n    "));             /* a line of spaces is not empty */
    CHECK(!more("if x:\n    pass\n"));      /* a truly empty line ends it */
    CHECK(!more("for i in x:\n"));
}

/* ---- §2.6 auto-indent (pure helper) -------------------------------------- */

static size_t ind(const char *s)
{
    return vb_repl_auto_indent(s, strlen(s));
}

static void test_auto_indent_rule(void)
{
    CHECK_EQ(ind("for i in x:\n"), 4);
    CHECK_EQ(ind("for i in x:\n    print(i)\n"), 4);
    CHECK_EQ(ind("if 1:\n    if 2:\n"), 8);
    CHECK_EQ(ind("for i in x:\n    print(i)\n    \n"), 4);
    CHECK_EQ(ind("for i in x:\n    print(i)\n    \n    \n"), 0);
    CHECK_EQ(ind("for i in x:\n      y\n"), 4);   /* 6 spaces // 4 */
    CHECK_EQ(ind("x = (1,\n"), 0);
    CHECK_EQ(ind("x"), 0);
    CHECK_EQ(ind(""), 0);
}

/* ---- §2.5 / §2.6 typed by hand ------------------------------------------- */

static void test_block_by_hand(void)
{
    tboard b;
    tb_friendly(&b);
    CHECK_EQ(FEED(&b, "for i in range(2):\r"), VB_REPL_NONE);
    EXPECT(&b, "for i in range(2):\r\n...     ");
    CHECK_EQ(FEED(&b, "print(i)\r"), VB_REPL_NONE);
    EXPECT(&b, "print(i)\r\n...     ");
    CHECK_EQ(FEED(&b, "\r"), VB_REPL_NONE);
    EXPECT(&b, "\r\n...     ");
    CHECK_EQ(FEED(&b, "\r"), VB_REPL_NONE);
    EXPECT(&b, "\r\n... ");
    CHECK_EQ(FEED(&b, "\r"), VB_REPL_EXECUTE);
    EXPECT(&b, "\r\n");
    EXPECT_SRC(&b, "for i in range(2):\n    print(i)\n    \n    \n");
    vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK);
    EXPECT(&b, ">>> ");
    /* backspace removes the 4 auto spaces, then Enter runs */
    FEED(&b, "if 1:\rx\r");
    EXPECT(&b, "if 1:\r\n...     x\r\n...     ");
    FEED(&b, "\x7f");
    EXPECT(&b, "\x08\x08\x08\x08\x1b[K");
    CHECK_EQ(FEED(&b, "\r"), VB_REPL_EXECUTE);
    EXPECT_SRC(&b, "if 1:\n    x\n");
    vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK);
    b.len = 0;
    /* nested */
    FEED(&b, "if 1:\rif 2:\r");
    EXPECT(&b, "if 1:\r\n...     if 2:\r\n...         ");
    FEED(&b, "\x03");
    EXPECT(&b, "\r\n>>> ");
    tb_free(&b);
}

static void test_auto_indent_first_key(void)
{
    tboard b;
    tb_friendly(&b);
    /* a space: 3 auto spaces removed, the space not inserted, indent off */
    FEED(&b, "if 1:\r");
    b.len = 0;
    FEED(&b, " ");
    EXPECT(&b, "\x08\x08\x08");
    FEED(&b, "x:\r");
    EXPECT(&b, "x:\r\n... ");                /* auto-indent stays off */
    CHECK_EQ(FEED(&b, "\r"), VB_REPL_EXECUTE);
    EXPECT_SRC(&b, "if 1:\n x:\n");
    vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK);
    b.len = 0;
    /* Tab: spaces kept, nothing inserted, no echo */
    FEED(&b, "if 1:\r");
    b.len = 0;
    FEED(&b, "\t");
    EXPECT(&b, "");
    FEED(&b, "y\r");
    EXPECT(&b, "y\r\n... ");
    CHECK_EQ(FEED(&b, "\r"), VB_REPL_EXECUTE);
    EXPECT_SRC(&b, "if 1:\n    y\n");
    vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK);
    b.len = 0;
    /* a second space is an ordinary space */
    FEED(&b, "if 1:\r  ");
    EXPECT(&b, "if 1:\r\n...     \x08\x08\x08 ");
    tb_free(&b);
}

static void test_continuation_ctrl(void)
{
    tboard b;
    tb_friendly(&b);
    /* Ctrl-D on an empty continuation line (no auto-indent) runs */
    FEED(&b, "x = (1,\r");
    EXPECT(&b, "x = (1,\r\n... ");
    FEED(&b, "\x01\x02\x05");              /* ignored at an empty continuation line */
    EXPECT(&b, "");
    CHECK_EQ(FEED(&b, "\x04"), VB_REPL_EXECUTE);
    EXPECT(&b, "\r\n");
    EXPECT_SRC(&b, "x = (1,\n");
    vb_repl_exec_end(b.r, VB_REPL_OUTCOME_EXCEPTION);
    b.len = 0;
    /* with auto-indent applied the line is not empty: Ctrl-D deletes (nothing) */
    FEED(&b, "if 1:\r");
    b.len = 0;
    CHECK_EQ(FEED(&b, "\x04"), VB_REPL_NONE);
    EXPECT(&b, "");
    FEED(&b, "\x01");                      /* home */
    EXPECT(&b, "\x08\x08\x08\x08");
    tb_free(&b);
}

static void test_custom_prompts(void)
{
    tboard b;
    tb_friendly(&b);
    vb_repl_set_prompts(b.r, "A> ", "");
    FEED(&b, "\r(\r");
    EXPECT(&b, "\r\nA> (\r\n");
    vb_repl_set_prompts(b.r, NULL, NULL);
    FEED(&b, "\x03");
    EXPECT(&b, "\r\n>>> ");
    tb_free(&b);
}

/* ---- §2.8 editing keys ---------------------------------------------------- */

static void test_cursor_keys(void)
{
    static const char *const home[] = {"\x01", "\x1b[H", "\x1bOH", "\x1b[1~", "\x1b[7~"};
    static const char *const end[] = {"\x05", "\x1b[F", "\x1bOF", "\x1b[4~", "\x1b[8~"};
    for (size_t i = 0; i < 5; i++) {
        tboard b;
        tb_friendly(&b);
        FEED(&b, "abcdef");
        b.len = 0;
        tb_feedn(&b, home[i], strlen(home[i]));
        EXPECT(&b, "\x1b[6D");               /* n > 4 */
        tb_feedn(&b, end[i], strlen(end[i]));
        EXPECT(&b, "abcdef");                /* moving right re-sends */
        tb_free(&b);
    }
    tboard b;
    tb_friendly(&b);
    FEED(&b, "abcd");
    b.len = 0;
    FEED(&b, "\x01");
    EXPECT(&b, "\x08\x08\x08\x08");          /* n <= 4 */
    FEED(&b, "\x1b[C\x06");
    EXPECT(&b, "ab");
    FEED(&b, "\x02\x1b[D");
    EXPECT(&b, "\x08\x08");
    FEED(&b, "\x1b[D\x02");                  /* at line start: nothing */
    EXPECT(&b, "");
    FEED(&b, "\x05\x1b[C\x06");              /* at line end: nothing */
    EXPECT(&b, "abcd");
    tb_free(&b);
}

static void test_delete_keys(void)
{
    tboard b;
    tb_friendly(&b);
    FEED(&b, "abcdef\x1b[D\x1b[D\x1b[D");
    b.len = 0;
    FEED(&b, "\x04");                        /* delete under cursor */
    EXPECT(&b, "\x1b[Kef\x08\x08");
    FEED(&b, "\x1b[3~");
    EXPECT(&b, "\x1b[Kf\x08");
    FEED(&b, "\x08");                        /* backspace mid-line */
    EXPECT(&b, "\x08\x1b[Kf\x08");
    FEED(&b, "\x0b");                        /* Ctrl-K */
    EXPECT(&b, "\x1b[K");
    FEED(&b, "\x0b");                        /* nothing to kill: no ESC[K */
    EXPECT(&b, "");
    FEED(&b, "\x15");                        /* Ctrl-U */
    EXPECT(&b, "\x08\x08\x1b[K");
    FEED(&b, "\x7f\x08");                    /* backspace at line start */
    EXPECT(&b, "");
    FEED(&b, "xyz123\x01\x1b[C");
    b.len = 0;
    FEED(&b, "\x15");
    EXPECT(&b, "\x08\x1b[Kyz123\x1b[5D");
    FEED(&b, "\x1b[3~\x1b[3~\x1b[3~\x1b[3~\x1b[3~\x1b[3~");
    b.len = 0;
    FEED(&b, "\x1b[3~");                     /* empty line: nothing */
    EXPECT(&b, "");
    CHECK_EQ(FEED(&b, "\r"), VB_REPL_NONE);
    EXPECT(&b, "\r\n>>> ");
    tb_free(&b);
}

static void test_backspace_four_spaces(void)
{
    tboard b;
    tb_friendly(&b);
    FEED(&b, "(\r");
    b.len = 0;
    FEED(&b, "      ");
    EXPECT(&b, "      ");
    FEED(&b, "\x7f");                        /* only spaces, >= 4: delete 4 */
    EXPECT(&b, "\x08\x08\x08\x08\x1b[K");
    FEED(&b, "\x7f");                        /* 2 left: delete 1 */
    EXPECT(&b, "\x08\x1b[K");
    FEED(&b, "    a\x7f");                    /* not only spaces: 1 */
    EXPECT(&b, "    a\x08\x1b[K");
    tb_free(&b);
}

static void test_unknown_escapes(void)
{
    tboard b;
    tb_friendly(&b);
    FEED(&b, "ab");
    b.len = 0;
    FEED(&b, "\x1bx\x1b[Z\x1b[1;5C\x1b[1;5D\x1b[99~\x1b[2~\x1bOZ\x1b[123456789012A\x1b\x1b");
    EXPECT(&b, "");
    FEED(&b, "c");
    EXPECT(&b, "c");
    /* a control byte inside a CSI ends it and acts as a key */
    CHECK_EQ(FEED(&b, "\x1b[\r"), VB_REPL_EXECUTE);
    EXPECT_SRC(&b, "abc");
    tb_free(&b);
}

/* ---- §2.8 history ---------------------------------------------------------- */

static void run_line(tboard *b, const char *line)
{
    tb_feedn(b, line, strlen(line));
    vb_repl_feed(b->r, '\r');
    vb_repl_exec_end(b->r, VB_REPL_OUTCOME_OK);
    FEED(b, "x\x03");                        /* clear the Enter memory */
    b->len = 0;
}

static void test_history(void)
{
    tboard b;
    tb_friendly(&b);
    FEED(&b, "\x10\x1b[A\x0e\x1b[B");        /* empty history: nothing */
    EXPECT(&b, "");
    run_line(&b, "one");
    run_line(&b, "two");
    run_line(&b, "two");                     /* duplicate of newest: not stored */
    FEED(&b, "\x1b[A");
    EXPECT(&b, "two");
    FEED(&b, "\x10");
    EXPECT(&b, "\x08\x08\x08one");         /* not shorter: no ESC[K */
    FEED(&b, "\x10");                        /* no older entry */
    EXPECT(&b, "");
    FEED(&b, "\x0e");
    EXPECT(&b, "\x08\x08\x08two");
    FEED(&b, "\x1b[B");                      /* past the newest: empty line */
    EXPECT(&b, "\x08\x08\x08\x1b[K");
    FEED(&b, "\x1b[B");
    EXPECT(&b, "");
    FEED(&b, "\x1b[A\x1b[A\r");
    EXPECT_SRC(&b, "one");
    vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK);
    FEED(&b, "x\x03");
    b.len = 0;
    /* 8 entries kept */
    char line[16];
    for (int i = 0; i < 10; i++) {
        snprintf(line, sizeof line, "h%d", i);
        run_line(&b, line);
    }
    for (int i = 0; i < 7; i++)
        FEED(&b, "\x10");
    b.len = 0;
    FEED(&b, "\x10");
    EXPECT(&b, "\x08\x08h2");               /* the 8th entry */
    FEED(&b, "\x10");                        /* h1 dropped */
    EXPECT(&b, "");
    tb_free(&b);
    /* a new instance (soft reset) has an empty history */
    tb_friendly(&b);
    FEED(&b, "\x10");
    EXPECT(&b, "");
    tb_free(&b);
}

static void test_history_continuation_lines(void)
{
    tboard b;
    tb_friendly(&b);
    FEED(&b, "if 1:\rpass\r\r");
    vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK);
    FEED(&b, "x\x03");
    b.len = 0;
    FEED(&b, "\x10");
    EXPECT(&b, "    ");                      /* the auto-indented "    " line */
    FEED(&b, "\x10");
    EXPECT(&b, "\x08\x08\x08\x08    pass");
    FEED(&b, "\x10");
    EXPECT(&b, "\x1b[8D\x1b[Kif 1:");
    tb_free(&b);
}

/* ---- §2.9 Tab ---------------------------------------------------------------- */

static void test_tab_indent(void)
{
    tboard b;
    tb_friendly(&b);
    FEED(&b, "x \t");
    EXPECT(&b, "x     ");
    FEED(&b, "\x03(\r");
    b.len = 0;
    FEED(&b, "\t");                           /* start of a continuation line */
    EXPECT(&b, "    ");
    tb_free(&b);
}

static void test_tab_complete(void)
{
    tboard b;
    tb_friendly(&b);
    static const char *const mods[] = {"sys", "select", "socket", "struct", "machine", "os", NULL};
    b.modules = mods;
    /* several matches, nothing to add: the listing */
    FEED(&b, "import s\t");
    EXPECT(&b, "import s\r\nselect          socket          struct          sys\r\n>>> import s");
    CHECK_STR(b.last_obj, "import:");
    FEED(&b, "o\t");                         /* unique: complete */
    EXPECT(&b, "ocket");
    FEED(&b, "\x03");
    b.len = 0;
    /* common prefix */
    static const char *const names[] = {"value_a", "value_b", "other", "_hidden", NULL};
    b.names = names;
    FEED(&b, "va\t");
    EXPECT(&b, "value_");
    CHECK_STR(b.last_obj, "");
    FEED(&b, "\t");
    EXPECT(&b, "\r\nvalue_a         value_b\r\n>>> value_");
    FEED(&b, "\x03");
    b.len = 0;
    /* builtins are not searched: pri + Tab does nothing */
    FEED(&b, "pri\t");
    EXPECT(&b, "pri");
    /* dotted: obj passed, partial matched */
    FEED(&b, "\x03os.path.va\t");
    CHECK_STR(b.last_obj, "os.path");
    b.len = 0;
    b.resolve_fail = true;                  /* unresolvable: nothing */
    FEED(&b, "\t");
    EXPECT(&b, "");
    b.resolve_fail = false;
    /* empty partial: "_" names skipped */
    FEED(&b, "\x03x = \t");                  /* after whitespace: 4 spaces */
    b.len = 0;
    FEED(&b, "\x03(");
    b.len = 0;
    FEED(&b, "\t");
    EXPECT(&b, "\r\nother           value_a         value_b\r\n>>> (");
    /* "im" + Tab at the line's first word: "import " */
    FEED(&b, "\x03im\t");
    EXPECT(&b, "\r\n>>> import ");
    FEED(&b, "\x03x=im\t");
    EXPECT(&b, "\r\n>>> x=im");
    tb_free(&b);
}

static void test_tab_listing_wrap(void)
{
    tboard b;
    tb_friendly(&b);
    static const char *const names[] = {"aaaaaaaaaaaaaaaa", "ab", "ac", "ad", "aeeeeeeeeeeeeee", "af", NULL};
    b.names = names;
    FEED(&b, "a\t");
    /* a 16-char name fills its slot, a 15-char one leaves 1 space: the next
     * name starts a slot further (>= 2 spaces); at most 64 columns */
    EXPECT(&b, "a\r\naaaaaaaaaaaaaaaa                ab              ac\r\n"
               "ad              aeeeeeeeeeeeeee                 af\r\n>>> a");
    tb_free(&b);
}

/* ---- input() line mode ------------------------------------------------------ */

static void test_input_mode(void)
{
    tboard b;
    tb_friendly(&b);
    CHECK(!vb_repl_input_begin(b.r, "? ", 2));  /* not executing */
    CHECK_EQ(FEED(&b, "x = input('? ')\r"), VB_REPL_EXECUTE);
    b.len = 0;
    CHECK(vb_repl_input_begin(b.r, "? ", 2));
    CHECK_EQ(FEED(&b, "hello\x1b[D\x1b[DX"), VB_REPL_NONE);
    EXPECT(&b, "hello\x08\x08Xlo\x08\x08");
    CHECK_EQ(FEED(&b, "\r"), VB_REPL_INPUT_LINE);
    EXPECT(&b, "\r\n");
    size_t n = 0;
    CHECK_STR(vb_repl_input_text(b.r, &n), "helXlo");
    CHECK_EQ(n, 6);
    EXPECT_SRC(&b, "x = input('? ')");       /* the running source is untouched */
    /* the \n partner of the \r that started it is dropped */
    CHECK(vb_repl_input_begin(b.r, "", 0));
    CHECK_EQ(FEED(&b, "\n\x01\x02\x05"), VB_REPL_NONE);
    EXPECT(&b, "");
    CHECK_EQ(FEED(&b, "\x04"), VB_REPL_INPUT_EOF);
    CHECK(vb_repl_input_begin(b.r, "", 0));
    CHECK_EQ(FEED(&b, "ab\x04"), VB_REPL_NONE);  /* not empty: delete key */
    CHECK_EQ(FEED(&b, "\x03"), VB_REPL_INPUT_INTERRUPT);
    EXPECT(&b, "ab");
    CHECK(vb_repl_input_begin(b.r, "", 0));
    CHECK_EQ(FEED(&b, "  \r"), VB_REPL_INPUT_LINE);   /* no auto-indent */
    CHECK_STR(vb_repl_input_text(b.r, NULL), "  ");
    b.len = 0;
    vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK);
    EXPECT(&b, ">>> ");
    FEED(&b, "\x10");                        /* input lines are in the history */
    EXPECT(&b, "  ");
    tb_free(&b);

    /* input() during a raw execution: framing still raw */
    tb_raw(&b);
    FEED(&b, "input()\x04");
    CHECK(vb_repl_input_begin(b.r, "", 0));
    CHECK_EQ(FEED(&b, "q\r"), VB_REPL_INPUT_LINE);
    vb_repl_exec_output_done(b.r);
    vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK);
    EXPECT(&b, "OKq\r\n\x04\x04>");
    tb_free(&b);
}

/* ---- limits ------------------------------------------------------------------ */

static void test_long_line(void)
{
    tboard b;
    tb_friendly(&b);
    size_t n = 1u << 20;
    char *big = malloc(n);
    memset(big, 'a', n);
    tb_feedn(&b, big, n);
    CHECK_EQ(b.len, VB_REPL_LINE_MAX);       /* echo stops at the cap */
    b.len = 0;
    FEED(&b, "\x7f" "b");                    /* editing still works */
    EXPECT(&b, "\x08\x1b[Kb");
    CHECK_EQ(FEED(&b, "\r"), VB_REPL_EXECUTE);
    size_t len = 0;
    const uint8_t *s = vb_repl_source(b.r, &len);
    CHECK_EQ(len, VB_REPL_LINE_MAX);
    CHECK_EQ(s[len - 1], 'b');
    vb_repl_exec_end(b.r, VB_REPL_OUTCOME_OK);
    /* a 1 MiB paste is kept */
    FEED(&b, "\x05");
    tb_feedn(&b, big, n);
    CHECK_EQ(FEED(&b, "\x04"), VB_REPL_EXECUTE);
    vb_repl_source(b.r, &len);
    CHECK_EQ(len, n);
    free(big);
    tb_free(&b);
}

int main(void)
{
    RUN(test_needs_more);
    RUN(test_auto_indent_rule);
    RUN(test_block_by_hand);
    RUN(test_auto_indent_first_key);
    RUN(test_continuation_ctrl);
    RUN(test_custom_prompts);
    RUN(test_cursor_keys);
    RUN(test_delete_keys);
    RUN(test_backspace_four_spaces);
    RUN(test_unknown_escapes);
    RUN(test_history);
    RUN(test_history_continuation_lines);
    RUN(test_tab_indent);
    RUN(test_tab_complete);
    RUN(test_tab_listing_wrap);
    RUN(test_input_mode);
    RUN(test_long_line);
    return CHECK_DONE();
}
