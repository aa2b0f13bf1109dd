/* The calls every serial backend shares (serial.h). */
#include "serial.h"

#include <stdlib.h>

static void close_backend(vb_serial *s, bool in_child)
{
    if (!s->ops) return;
    s->ops->close(s, in_child);
    free(s->impl);
    s->impl = NULL;
    s->ops = NULL;
    s->attached = false;
}

void vb_serial_close(vb_serial *s) { close_backend(s, false); }

void vb_serial_close_fds_in_child(vb_serial *s) { close_backend(s, true); }
