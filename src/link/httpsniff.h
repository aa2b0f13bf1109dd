/* The protocol gate of a network serial port (issue 11): a connection that
 * speaks HTTP — a browser's page POSTing to 127.0.0.1, a cross-protocol
 * attack — is recognised before any of its bytes reach the board, as
 * Redis does. Only the first line is checked for an HTTP method, since
 * REPL users type anything after it; a "Host:" line (any case) is looked
 * for at every line start in the first VB_SNIFF_WINDOW data bytes. Bytes
 * that could still begin such a line are held until they cannot (at most
 * the longest pattern less one). Byte-fed: any split of the input gives
 * the same result. Pure. */
#ifndef VB_LINK_HTTPSNIFF_H
#define VB_LINK_HTTPSNIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VB_SNIFF_WINDOW 1024   /* data bytes whose line starts are checked for "Host:" */
#define VB_SNIFF_HOLD 16       /* > the longest pattern */

typedef struct vb_sniff {
    bool active;               /* still checking */
    bool first_line;           /* no line end seen yet */
    bool line_start;           /* the next byte starts a line */
    size_t seen;               /* data bytes examined */
    uint8_t held[VB_SNIFF_HOLD]; /* the start of a line that may yet be HTTP */
    size_t held_len;
} vb_sniff;

void vb_sniff_start(vb_sniff *g);
/* Data bytes in; what may go to the board out (room for n + VB_SNIFF_HOLD
 * bytes: held bytes come out once they are safe). False: the connection
 * speaks HTTP (nothing of this call is to be used). */
bool vb_sniff_feed(vb_sniff *g, const uint8_t *in, size_t n, uint8_t *out, size_t *out_len);

#endif
