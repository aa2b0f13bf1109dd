/* The proleptic Gregorian calendar on the board's epoch, 2000-01-01
 * 00:00:00 (MicroPython's on ESP32-class ports; no time zone, no leap
 * seconds). Day 0 is that date; negative days and seconds lie before it and
 * split by floor division, so second -1 is 1999-12-31 23:59:59, as
 * upstream's time.localtime(-1) gives. The one calendar of vboard: the
 * time/machine modules, FAT time stamps and the boot-time FAT clock all use
 * it. Pure functions. */
#ifndef VB_UTIL_CIVIL_H
#define VB_UTIL_CIVIL_H

#include <stdint.h>

/* 1970-01-01 → 2000-01-01, for Unix time (FAT dates, host clocks). */
#define VB_CIVIL_EPOCH_UNIX_DAYS 10957
#define VB_CIVIL_EPOCH_UNIX_SECS (VB_CIVIL_EPOCH_UNIX_DAYS * 86400LL)

typedef struct vb_civil {
    int64_t year;
    int month;   /* 1..12 */
    int mday;    /* 1..31 */
    int hour, minute, second;
    int weekday; /* 0 = Monday, as MicroPython's localtime */
    int yearday; /* 1 = 1 January */
} vb_civil;

/* Days from the epoch to y-m-d. Out-of-range fields roll over as
 * MicroPython's mktime lets them: month 13 is January of y + 1, month 0
 * December of y - 1; mday 0 is the last day of the month before, mday 32
 * the first of the next (when the month has 31). Exact for |y| below
 * 2^44 and |m|, |d| below 2^60. */
int64_t vb_civil_days(int64_t y, int64_t m, int64_t d);

/* The date of day `days` (time of day 00:00:00); exact for |days| below
 * 2^50. */
vb_civil vb_civil_from_days(int64_t days);

/* The date and time of second `secs` (any int64_t). */
vb_civil vb_civil_from_seconds(int64_t secs);

#endif
