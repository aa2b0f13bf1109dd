/* Value Change Dump writer (IEEE 1364-2005 §18) for the supervisor's trace
 * of pin levels and the LED colour; GTKWave and PulseView open the files.
 *
 * The file is written as the board runs and flushed after every change, so
 * a supervisor that is killed leaves a readable dump up to its last change
 * (it only lacks the final time stamp of vb_vcd_close).
 *
 * Layout of what is written:
 *   $date
 *           2026-11-22 10:00:00 UTC
 *   $end
 *   $version
 *           vboard
 *   $end
 *   $timescale 1us $end
 *   $scope module board $end
 *   $var wire 1 ! P12 $end
 *   $var reg 24 " led $end
 *   $upscope $end
 *   $enddefinitions $end
 *   #0
 *   $dumpvars
 *   x!
 *   bxxxxxxxxxxxxxxxxxxxxxxxx "
 *   $end
 *   1!                  value changes, each time stamp '#t' written once
 *   #1500
 *   b000000001111111100000000 "
 *   #2000               the end time, from vb_vcd_close
 * Vector values are always written at full width. */
#ifndef VB_TRACE_VCD_H
#define VB_TRACE_VCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One traced variable: width 1 (a wire, e.g. a pin) or 2..32 (a vector,
 * written as a reg, e.g. the 24-bit LED colour). name should be a VCD
 * identifier (P12, GPIO12, led); every byte other than a letter, a digit or
 * '_' is written as '_', a leading digit gets a '_' in front, and NULL or ""
 * becomes "v<index>". */
typedef struct vb_vcd_var { const char *name; unsigned width; } vb_vcd_var;

typedef struct vb_vcd vb_vcd;

/* Create or truncate path and write the header: $date (UTC), $version
 * vboard, $timescale 1us, one $scope module <scope> (scope sanitised as
 * names are; NULL or "" gives "board"), a $var per variable with a short
 * identifier code ('!', '"', ... '~', then "!!", ...), $enddefinitions,
 * then at #0 $dumpvars with every variable 'x'.
 * Refused: n == 0, a width of 0 or above 32, two names equal after
 * sanitising, a path that cannot be created or written, a path whose last
 * component is a symlink ("refusing to write the VCD file through a
 * symlink: PATH"; O_NOFOLLOW). The file is opened O_CLOEXEC.
 * Returns the writer, or NULL with a sentence in err (err may be NULL). */
vb_vcd *vb_vcd_open(const char *path, const char *scope, const vb_vcd_var *vars, unsigned n,
                    char *err, size_t errlen);

/* Variable var has value from time t_us on. Width 1: value != 0 is '1',
 * else '0'; vectors: the low `width` bits, as "b<binary> <id>". z = true
 * writes high impedance ('z', or all 'z' for a vector) whatever value is.
 * Times must not go backwards: an earlier t is taken as the last time
 * written. A value equal to the variable's previous one writes nothing;
 * '#t' is written only when the time advanced. Flushed at once. An unknown
 * var, or v NULL, is ignored; an I/O error is remembered for vb_vcd_close. */
void vb_vcd_set(vb_vcd *v, uint64_t t_us, unsigned var, uint32_t value, bool z);

/* Cap the file at max_bytes (0: no cap; the header counts). A change that
 * would take it past the cap writes "$comment log full $end" instead, once,
 * and nothing more is written: the file ends at most that line beyond
 * max_bytes. */
void vb_vcd_limit(vb_vcd *v, uint64_t max_bytes);
/* The cap was reached. NULL-safe (false). */
bool vb_vcd_full(const vb_vcd *v);

/* Write a final '#t_end' (when it is later than the last time written, so
 * viewers show how long the last values lasted), close and free.
 * 0, or -1 if any write since open failed. NULL-safe (returns 0). */
int vb_vcd_close(vb_vcd *v, uint64_t t_end_us);

#endif
