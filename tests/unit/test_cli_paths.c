/* Board-path notation and path joins used by `vboard fs` (src/util/path.h). */
#include <errno.h>

#include "check.h"
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
    RUN(test_errname);
    return CHECK_DONE();
}
