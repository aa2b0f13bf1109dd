/* Calendar arithmetic (civil.h): Howard Hinnant's days_from_civil and
 * civil_from_days (http://howardhinnant.github.io/date_algorithms.html).
 * Years are counted from 1 March, so the leap day ends a year, and split
 * into 400-year eras of 146097 days; every division of a possibly negative
 * value floors, which is what keeps dates before the epoch right. */
#include "civil.h"

/* From 0000-03-01 (day 0 of era 0) to the epoch 2000-01-01. */
#define DAYS_ERA0_TO_EPOCH (719468 + VB_CIVIL_EPOCH_UNIX_DAYS)
#define DAYS_PER_ERA 146097
#define SECS_PER_DAY 86400

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return q - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t floor_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }

int64_t vb_civil_days(int64_t y, int64_t m, int64_t d)
{
    int64_t carry = floor_div(m - 1, 12);
    y += carry;
    m -= carry * 12;                              /* 1..12 */
    y -= m <= 2;                                  /* Jan, Feb end the year before */
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                  /* 0..399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * DAYS_PER_ERA + doe - DAYS_ERA0_TO_EPOCH;
}

vb_civil vb_civil_from_days(int64_t days)
{
    vb_civil c = {0};
    int64_t z = days + DAYS_ERA0_TO_EPOCH;
    int64_t era = floor_div(z, DAYS_PER_ERA);
    int64_t doe = z - era * DAYS_PER_ERA;         /* 0..146096 */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* from 1 March */
    int64_t mp = (5 * doy + 2) / 153;             /* 0 = March */
    c.mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    c.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    c.year = yoe + era * 400 + (c.month <= 2);
    /* 2000-01-01 was a Saturday: 5 with Monday = 0. */
    c.weekday = (int)floor_mod(days + 5, 7);
    c.yearday = (int)(days - vb_civil_days(c.year, 1, 1) + 1);
    return c;
}

vb_civil vb_civil_from_seconds(int64_t secs)
{
    /* Split without forming days * 86400, which overflows near INT64_MIN. */
    int64_t days = secs / SECS_PER_DAY, rem = secs % SECS_PER_DAY;
    if (rem < 0) {
        rem += SECS_PER_DAY;
        days--;
    }
    vb_civil c = vb_civil_from_days(days);
    c.hour = (int)(rem / 3600);
    c.minute = (int)(rem / 60 % 60);
    c.second = (int)(rem % 60);
    return c;
}
