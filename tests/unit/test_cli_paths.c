/* Board-path notation, path joins and name escaping used by `vboard fs`
 * (src/util/path.h), and the rule for names read from an image
 * (vb_fatname_check, src/fs/fat_name.h). */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "fs/fat_name.h"
#include "util/errname.h"
#include "util/path.h"

static const char *norm(const char *in)
{
    static char out[64];
    int rc = vb_path_board_normalize(in, out, sizeof out);
    return rc == 0 ? out : "<error>";
}

static void test_is_board(void)
{
    CHECK(vb_path_is_board(":main.py"));
    CHECK(vb_path_is_board(":"));
    CHECK(!vb_path_is_board("main.py"));
    CHECK(!vb_path_is_board("./:x"));
    CHECK(!vb_path_is_board(""));
}

static void test_normalize(void)
{
    CHECK_STR(norm(":"), "/");
    CHECK_STR(norm(":/"), "/");
    CHECK_STR(norm(""), "/");
    CHECK_STR(norm("/"), "/");
    CHECK_STR(norm(":main.py"), "/main.py");
    CHECK_STR(norm("main.py"), "/main.py");
    CHECK_STR(norm(":/lib/"), "/lib");
    CHECK_STR(norm("//lib//x.py"), "/lib/x.py");
    CHECK_STR(norm(":./lib/./x.py"), "/lib/x.py");
    CHECK_STR(norm(":lib/../main.py"), "/main.py");
    CHECK_STR(norm(":../../x"), "/x");
    CHECK_STR(norm(":a/b/c/../.."), "/a");
    CHECK_STR(norm(":a/.."), "/");
    CHECK_STR(norm(":..."), "/...");
    CHECK_STR(norm(":A Long Name.py"), "/A Long Name.py");

    char small[6];
    CHECK_EQ(vb_path_board_normalize(":abcdef", small, sizeof small), -ENAMETOOLONG);
    CHECK_EQ(vb_path_board_normalize(":abcd", small, sizeof small), 0);
    CHECK_STR(small, "/abcd");
}

static void test_names_dir(void)
{
    CHECK(vb_path_names_dir(":"));
    CHECK(vb_path_names_dir(":lib/"));
    CHECK(vb_path_names_dir("out/"));
    CHECK(!vb_path_names_dir(":lib"));
    CHECK(!vb_path_names_dir("out"));
}

static void test_basename(void)
{
    char b[32];
    CHECK_EQ(vb_path_basename(":/lib/x.py", b, sizeof b), 0);
    CHECK_STR(b, "x.py");
    vb_path_basename("dir/sub/", b, sizeof b);
    CHECK_STR(b, "sub");
    vb_path_basename("file", b, sizeof b);
    CHECK_STR(b, "file");
    vb_path_basename(":", b, sizeof b);
    CHECK_STR(b, "");
    vb_path_basename(":/", b, sizeof b);
    CHECK_STR(b, "");
    vb_path_basename(":x", b, sizeof b);
    CHECK_STR(b, "x");
    CHECK_EQ(vb_path_basename("a/verylongname", b, 5), -ENAMETOOLONG);
}

static void test_join(void)
{
    char j[32];
    CHECK_EQ(vb_path_join("/lib", "x.py", j, sizeof j), 0);
    CHECK_STR(j, "/lib/x.py");
    vb_path_join("/", "x.py", j, sizeof j);
    CHECK_STR(j, "/x.py");
    vb_path_join("out/", "x.py", j, sizeof j);
    CHECK_STR(j, "out/x.py");
    vb_path_join(":", "x.py", j, sizeof j);
    CHECK_STR(j, ":x.py");
    vb_path_join("dir", "", j, sizeof j);
    CHECK_STR(j, "dir");
    vb_path_join("", "x", j, sizeof j);
    CHECK_STR(j, "x");
    CHECK_EQ(vb_path_join("a-long-directory-name", "and-a-long-file", j, sizeof j), -ENAMETOOLONG);
}

static const char *esc(const char *s, size_t len, bool keep_slash)
{
    static char out[256];
    vb_path_escape(s, len, keep_slash, out, sizeof out);
    return out;
}

/* Names from an image reach the terminal only escaped. */
static void test_escape(void)
{
    CHECK_STR(esc("boot.py", 7, false), "boot.py");
    CHECK_STR(esc("a/b", 3, false), "a\\x2fb");
    CHECK_STR(esc("/lib/a", 6, true), "/lib/a");
    CHECK_STR(esc("a\\b", 3, true), "a\\x5cb");
    CHECK_STR(esc("a\0b", 3, false), "a\\x00b");
    CHECK_STR(esc("\x1b[2J\x07\x7f\n", 7, false), "\\x1b[2J\\x07\\x7f\\x0a");
    CHECK_STR(esc("caf\xc3\xa9 \xe2\x82\xac", 9, false), "caf\xc3\xa9 \xe2\x82\xac");
    CHECK_STR(esc("\xc2\x9b" "1m", 4, false), "\\xc2\\x9b1m");        /* C1 CSI */
    CHECK_STR(esc("\xff\xc3(", 3, false), "\\xff\\xc3(");          /* not UTF-8 */
    CHECK_STR(esc("\xe2\x82", 2, false), "\\xe2\\x82");            /* cut short */
    CHECK_STR(esc("", 0, false), "");

    char small[6];
    CHECK_EQ(vb_path_escape("ab\x01", 3, false, small, sizeof small), -ENAMETOOLONG);
    CHECK_STR(small, "ab");                     /* never half an escape */
    CHECK_EQ(vb_path_escape("abcde", 5, false, small, sizeof small), 5);
    CHECK_EQ(vb_path_escape("abcdef", 6, false, small, sizeof small), -ENAMETOOLONG);
    CHECK_STR(small, "abcde");
    char big[3 * VB_PATH_ESCAPE_MAX + 1];
    CHECK_EQ(vb_path_escape("\x01\x02\x03", 3, false, big, sizeof big), 12);
}

/* The one rule for names read from an image (fs/fat_name.h). */
static void test_fatname_check(void)
{
#define CK(lit) vb_fatname_check(lit, sizeof lit - 1)
    CHECK_EQ(CK("boot.py"), VB_FATNAME_SAFE);
    CHECK_EQ(CK("A Long Name.py"), VB_FATNAME_SAFE);
    CHECK_EQ(CK("caf\xc3\xa9"), VB_FATNAME_SAFE);
    CHECK_EQ(CK("..."   "x"), VB_FATNAME_SAFE);
    CHECK_EQ(CK(".hidden"), VB_FATNAME_SAFE);
    CHECK_EQ(CK(""), VB_FATNAME_EMPTY);
    CHECK_EQ(CK("."), VB_FATNAME_DOT);
    CHECK_EQ(CK(".."), VB_FATNAME_DOT);
    CHECK_EQ(CK("a/b"), VB_FATNAME_SEPARATOR);
    CHECK_EQ(CK("../../x"), VB_FATNAME_SEPARATOR);
    CHECK_EQ(CK("/"), VB_FATNAME_SEPARATOR);
    CHECK_EQ(CK("a\\b"), VB_FATNAME_SEPARATOR);
    CHECK_EQ(CK("a\x01/b"), VB_FATNAME_SEPARATOR);   /* the separator wins */
    CHECK_EQ(CK("a\0b"), VB_FATNAME_CONTROL);
    CHECK_EQ(CK("a\x7f"), VB_FATNAME_CONTROL);
    for (int c = 1; c < 0x20; c++) {
        char n[3] = {'x', (char)c, 'y'};
        CHECK_EQ(vb_fatname_check(n, 3), VB_FATNAME_CONTROL);
    }
    CHECK_EQ(CK("a:b"), VB_FATNAME_ILLEGAL);
    CHECK_EQ(CK("a*?"), VB_FATNAME_ILLEGAL);
    CHECK_EQ(CK("a\x01:"), VB_FATNAME_CONTROL);
    CHECK_EQ(CK("   "), VB_FATNAME_TRAILING);
    CHECK_EQ(CK("name."), VB_FATNAME_TRAILING);
    CHECK_EQ(CK("name "), VB_FATNAME_TRAILING);
    CHECK_EQ(CK("..."), VB_FATNAME_TRAILING);
#undef CK
    const uint16_t dotdot[] = {'.', '.'}, slash[] = {'a', '/', 'b'}, ok[] = {'a', 0xE9, 'b'},
                   ctl[] = {'a', 0x1B}, sp[] = {' ', ' '};
    CHECK_EQ(vb_fatname_check_units(dotdot, 2), VB_FATNAME_DOT);
    CHECK_EQ(vb_fatname_check_units(dotdot, 1), VB_FATNAME_DOT);
    CHECK_EQ(vb_fatname_check_units(slash, 3), VB_FATNAME_SEPARATOR);
    CHECK_EQ(vb_fatname_check_units(ok, 3), VB_FATNAME_SAFE);
    CHECK_EQ(vb_fatname_check_units(ctl, 2), VB_FATNAME_CONTROL);
    CHECK_EQ(vb_fatname_check_units(sp, 2), VB_FATNAME_TRAILING);
    CHECK_EQ(vb_fatname_check_units(ok, 0), VB_FATNAME_EMPTY);
    /* the character set is the one decode refuses */
    for (uint32_t c = 0; c < 0x80; c++) {
        char n[2] = {'x', (char)c};
        uint16_t u[VB_FAT_NAME_MAX + 1];
        bool refused = vb_fatname_decode(n, 2, VB_FAT_NAMES_UTF8, u) < 0;
        CHECK_EQ(vb_fatname_illegal_char(c), refused && c != '.' && c != ' ');
    }
    CHECK(strstr(vb_fatname_unsafe_text(VB_FATNAME_SEPARATOR), "separator") != NULL);
}

static void test_errname(void)
{
    char buf[64];
    CHECK_STR(vb_errname(-ENOENT), "ENOENT");
    CHECK_STR(vb_errname(EEXIST), "EEXIST");
    CHECK_STR(vb_errstr(-ENOENT, buf, sizeof buf), "ENOENT (no such file or directory)");
    CHECK_STR(vb_errstr(99999, buf, sizeof buf), "error 99999");
    CHECK(vb_errname(99999) == NULL);
    CHECK(vb_errinfo_find(EIO)->in_micropython);
    CHECK(!vb_errinfo_find(ENOSPC)->in_micropython);
}

int main(void)
{
    RUN(test_is_board);
    RUN(test_normalize);
    RUN(test_names_dir);
    RUN(test_basename);
    RUN(test_join);
    RUN(test_escape);
    RUN(test_fatname_check);
    RUN(test_errname);
    return CHECK_DONE();
}
