/* Unit tests: the calendar (src/util/civil.c). Fixed dates around the
 * epoch, the Gregorian leap rules, mktime-style roll-over, a round trip
 * over ±2000 years checked against the C library's gmtime_r, and the
 * int64_t extremes.
 *
 * The seconds before the epoch are the case that was wrong: the FAT clock
 * of the boot stage (src/firmware/boot_fs.c) split RTC seconds with C's
 * truncating / and %, so second -1 became day 0 with -1 second left, i.e.
 * 2000-01-01 00:00:255 once stored in a uint8_t (and -3601 became hour
 * 255). test_before_epoch pins the floor-division answer, which is
 * MicroPython's: time.localtime(-1) == (1999, 12, 31, 23, 59, 59, 4, 365). */
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "check.h"
#include "util/civil.h"

static void check_civil(int64_t secs, int64_t y, int mo, int d, int h, int mi, int s, int wd, int yd)
{
    vb_civil c = vb_civil_from_seconds(secs);
    CHECK_EQ(c.year, y);
    CHECK_EQ(c.month, mo);
    CHECK_EQ(c.mday, d);
    CHECK_EQ(c.hour, h);
    CHECK_EQ(c.minute, mi);
    CHECK_EQ(c.second, s);
    CHECK_EQ(c.weekday, wd);
    CHECK_EQ(c.yearday, yd);
}

static void test_epoch(void)
{
    check_civil(0, 2000, 1, 1, 0, 0, 0, 5, 1);          /* a Saturday */
    check_civil(86399, 2000, 1, 1, 23, 59, 59, 5, 1);
    check_civil(86400, 2000, 1, 2, 0, 0, 0, 6, 2);
    CHECK_EQ(vb_civil_days(2000, 1, 1), 0);
    CHECK_EQ(vb_civil_days(1970, 1, 1), -VB_CIVIL_EPOCH_UNIX_DAYS);
    CHECK_EQ(vb_civil_days(1980, 1, 1), -7305);         /* the FAT epoch: Unix 315532800 */
    CHECK_EQ(vb_civil_from_days(-VB_CIVIL_EPOCH_UNIX_DAYS).weekday, 3); /* 1970-01-01: Thursday */
    /* Unix 1715949296 (test_fat.c's DOS stamp): Friday 2024-05-17 12:34:56. */
    check_civil(1715949296 - VB_CIVIL_EPOCH_UNIX_SECS, 2024, 5, 17, 12, 34, 56, 4, 138);
}

static void test_before_epoch(void)
{
    check_civil(-1, 1999, 12, 31, 23, 59, 59, 4, 365);
    check_civil(-60, 1999, 12, 31, 23, 59, 0, 4, 365);
    check_civil(-3601, 1999, 12, 31, 22, 59, 59, 4, 365);
    check_civil(-86400, 1999, 12, 31, 0, 0, 0, 4, 365);
    check_civil(-86401, 1999, 12, 30, 23, 59, 59, 3, 364);
    check_civil(-VB_CIVIL_EPOCH_UNIX_SECS, 1970, 1, 1, 0, 0, 0, 3, 1);
    check_civil(-VB_CIVIL_EPOCH_UNIX_SECS - 1, 1969, 12, 31, 23, 59, 59, 2, 365);
    /* Before year 0 and era -1: 0000-03-01 is day 0 of the algorithm's era 0. */
    vb_civil c = vb_civil_from_days(vb_civil_days(0, 2, 29));
    CHECK(c.year == 0 && c.month == 2 && c.mday == 29 && c.yearday == 60);
    c = vb_civil_from_days(vb_civil_days(-1, 12, 31));
    CHECK(c.year == -1 && c.month == 12 && c.mday == 31 && c.yearday == 365);
}

/* Days in February, and in the year. */
static int64_t feb_days(int64_t y) { return vb_civil_days(y, 3, 1) - vb_civil_days(y, 2, 1); }
static int64_t year_days(int64_t y) { return vb_civil_days(y + 1, 1, 1) - vb_civil_days(y, 1, 1); }

static void test_leap_years(void)
{
    CHECK_EQ(feb_days(2000), 29);   /* divisible by 400 */
    CHECK_EQ(feb_days(2100), 28);   /* by 100, not 400 */
    CHECK_EQ(feb_days(2400), 29);
    CHECK_EQ(feb_days(1900), 28);
    CHECK_EQ(feb_days(2024), 29);
    CHECK_EQ(feb_days(2023), 28);
    CHECK_EQ(feb_days(-400), 29);
    CHECK_EQ(feb_days(-100), 28);
    CHECK_EQ(year_days(2000), 366);
    CHECK_EQ(year_days(2100), 365);
    CHECK_EQ(year_days(2400), 366);
    CHECK_EQ(vb_civil_from_days(vb_civil_days(2000, 12, 31)).yearday, 366);
    CHECK_EQ(vb_civil_from_days(vb_civil_days(2100, 12, 31)).yearday, 365);
    CHECK_EQ(vb_civil_from_days(vb_civil_days(2400, 12, 31)).yearday, 366);
    vb_civil c = vb_civil_from_days(vb_civil_days(2100, 2, 28) + 1);
    CHECK(c.month == 3 && c.mday == 1);
    c = vb_civil_from_days(vb_civil_days(2400, 2, 28) + 1);
    CHECK(c.month == 2 && c.mday == 29);
}

/* Out-of-range months and days roll over, as mktime's tuples do. */
static void test_rollover(void)
{
    CHECK_EQ(vb_civil_days(2000, 13, 1), vb_civil_days(2001, 1, 1));
    CHECK_EQ(vb_civil_days(2000, 0, 1), vb_civil_days(1999, 12, 1));
    CHECK_EQ(vb_civil_days(2000, -11, 1), vb_civil_days(1999, 1, 1));
    CHECK_EQ(vb_civil_days(2000, -12, 1), vb_civil_days(1998, 12, 1));
    CHECK_EQ(vb_civil_days(2000, 25, 1), vb_civil_days(2002, 1, 1));
    CHECK_EQ(vb_civil_days(2000, 3, 0), vb_civil_days(2000, 2, 29));
    CHECK_EQ(vb_civil_days(2001, 1, 32), vb_civil_days(2001, 2, 1));
    CHECK_EQ(vb_civil_days(2001, 1, 366), vb_civil_days(2002, 1, 1));
    CHECK_EQ(vb_civil_days(2001, 1, -30), vb_civil_days(2000, 12, 1));
}

/* Every day over ±2000 years: back to the same day number, fields agree
 * with gmtime_r (64-bit time_t), and each day follows the one before. */
static void test_round_trip(void)
{
    int bad = 0;
    vb_civil prev = vb_civil_from_days(-730001);
    for (int64_t days = -730000; days <= 730000 && bad < 5; days++) {
        vb_civil c = vb_civil_from_days(days);
        int64_t back = vb_civil_days(c.year, c.month, c.mday);
        time_t t = (time_t)((days + VB_CIVIL_EPOCH_UNIX_DAYS) * 86400);
        struct tm tm;
        bool libc = gmtime_r(&t, &tm) != NULL;
        bool new_year = c.yearday == 1 && c.year == prev.year + 1;
        bool next = c.weekday == (prev.weekday + 1) % 7 &&
                    (c.yearday == prev.yearday + 1 ? c.year == prev.year : new_year);
        if (back != days || !next ||
            (libc && (c.year != tm.tm_year + 1900LL || c.month != tm.tm_mon + 1 || c.mday != tm.tm_mday ||
                      c.weekday != (tm.tm_wday + 6) % 7 || c.yearday != tm.tm_yday + 1))) {
            fprintf(stderr, "day %" PRId64 ": %" PRId64 "-%02d-%02d wd %d yd %d, back %" PRId64 "\n", days,
                    c.year, c.month, c.mday, c.weekday, c.yearday, back);
            bad++;
        }
        prev = c;
    }
    CHECK_EQ(bad, 0);
}

/* Seconds split by floor division whatever the sign: every second of the
 * day before and after the epoch, and a spread of times far from it. */
static void test_seconds(void)
{
    int bad = 0;
    for (int64_t s = -2 * 86400; s < 2 * 86400 && bad < 5; s++) {
        vb_civil c = vb_civil_from_seconds(s);
        int64_t back = vb_civil_days(c.year, c.month, c.mday) * 86400 + c.hour * 3600 + c.minute * 60 +
                       c.second;
        if (back != s) {
            fprintf(stderr, "second %" PRId64 " came back as %" PRId64 "\n", s, back);
            bad++;
        }
    }
    for (int64_t s = -INT64_C(70000000000); s < INT64_C(70000000000); s += 123456789) {
        vb_civil c = vb_civil_from_seconds(s);
        time_t t = (time_t)(s + VB_CIVIL_EPOCH_UNIX_SECS);
        struct tm tm;
        if (!gmtime_r(&t, &tm)) continue;
        if (c.year != tm.tm_year + 1900LL || c.month != tm.tm_mon + 1 || c.mday != tm.tm_mday ||
            c.hour != tm.tm_hour || c.minute != tm.tm_min || c.second != tm.tm_sec) {
            fprintf(stderr, "second %" PRId64 " differs from gmtime_r\n", s);
            bad++;
        }
    }
    CHECK_EQ(bad, 0);
}

/* The int64_t extremes convert without overflow (UBSan watches) and land
 * on a valid day that converts back. */
static void test_extremes(void)
{
    const int64_t ends[] = {INT64_MIN, INT64_MIN + 1, INT64_MAX};
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        vb_civil c = vb_civil_from_seconds(ends[i]);
        CHECK(c.month >= 1 && c.month <= 12 && c.mday >= 1 && c.mday <= 31);
        CHECK(c.hour >= 0 && c.hour < 24 && c.minute >= 0 && c.minute < 60 && c.second >= 0 && c.second < 60);
        CHECK(c.weekday >= 0 && c.weekday < 7 && c.yearday >= 1 && c.yearday <= 366);
        int64_t days = ends[i] / 86400 - (ends[i] % 86400 < 0);
        CHECK_EQ(vb_civil_days(c.year, c.month, c.mday), days);
    }
    CHECK(vb_civil_from_seconds(INT64_MIN).year < 0 && vb_civil_from_seconds(INT64_MAX).year > 0);
}

int main(void)
{
    RUN(test_epoch);
    RUN(test_before_epoch);
    RUN(test_leap_years);
    RUN(test_rollover);
    RUN(test_round_trip);
    RUN(test_seconds);
    RUN(test_extremes);
    return CHECK_DONE();
}
