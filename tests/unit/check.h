/* A minimal unit-test harness: CHECK macros record failures with file:line
 * and the values seen; RUN(test) runs a test function; each test binary
 * returns non-zero if anything failed. */
#ifndef VB_TEST_CHECK_H
#define VB_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* One counter per test binary: the harness is single-threaded by design. */
static int check_failures;
static int check_count;

#define CHECK(cond) do { check_count++; if (!(cond)) { check_failures++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

#define CHECK_EQ(a, b) do { long long va_ = (long long)(a), vb_ = (long long)(b); check_count++; \
    if (va_ != vb_) { check_failures++; fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", \
        __FILE__, __LINE__, #a, #b, va_, vb_); } } while (0)

#define CHECK_STR(a, b) do { const char *sa_ = (a), *sb_ = (b); check_count++; \
    if (strcmp(sa_, sb_) != 0) { check_failures++; fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", \
        __FILE__, __LINE__, #a, #b, sa_, sb_); } } while (0)

#define CHECK_MEM(a, b, n) do { check_count++; if (memcmp((a), (b), (n)) != 0) { check_failures++; \
    fprintf(stderr, "%s:%d: memory %s == %s (%zu bytes) differs\n", __FILE__, __LINE__, #a, #b, (size_t)(n)); } } while (0)

#define RUN(fn) do { int before_ = check_failures; fn(); \
    fprintf(stderr, "%s %s\n", check_failures == before_ ? "ok  " : "FAIL", #fn); } while (0)

#define CHECK_DONE() (fprintf(stderr, "%s: %d checks, %d failed\n", __FILE__, check_count, check_failures), \
    check_failures ? 1 : 0)

#endif
