/* Script-defined I2C devices (issue 16): the record protocol between the
 * supervisor and its helper process, a host python3 running our driver
 * (src/devscript/driver.py), which loads the users' device files. The
 * supervisor links no Python: it only writes calls and reads replies.
 *
 * Over two pipes, in order, one call outstanding at a time:
 *   call  (supervisor → helper): the bus traffic of one request of the
 *         I2C line (contract/busmsg.h) for one script device;
 *   reply (helper → supervisor): what the device did, or why it could not.
 * The helper's first reply (seq 0) says whether every file loaded.
 *
 * Every field little-endian, a 16-byte header then `len` bytes. The helper
 * runs users' code: its replies are hostile input, each checked here
 * (vb_ds_reply_parse) before the supervisor believes a byte of it. Pure C. */
#ifndef VB_BUS_DEVSCRIPT_H
#define VB_BUS_DEVSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "contract/busmsg.h"

#define VB_DS_CALL_MAGIC 0x43534456u    /* "VDSC" */
#define VB_DS_REPLY_MAGIC 0x52534456u   /* "VDSR" */
#define VB_DS_HEADER 16u
#define VB_DS_TEXT_MAX 400u             /* an error's text, bytes */
#define VB_DS_PAYLOAD_MAX VB_BUS_DATA_MAX
#define VB_DS_RECORD_MAX (VB_DS_HEADER + VB_DS_PAYLOAD_MAX)
_Static_assert(VB_DS_TEXT_MAX <= VB_DS_PAYLOAD_MAX, "an error text fits a record");

/* What a call asks of the device (ops bits). */
enum {
    VB_DS_START = 1u,      /* a START and the device's address: call start(read) first */
    VB_DS_READ = 2u,       /* the device is (being) addressed for reading */
    VB_DS_STOP = 4u,       /* a STOP last: call stop() if the device is addressed */
    VB_DS_OPS = 7u,
};

typedef struct vb_ds_call {
    uint32_t seq;          /* > 0; echoed */
    uint8_t dev;           /* the device's index among the board's I2C devices */
    uint8_t ops;           /* VB_DS_* */
    uint16_t nwrite;       /* data bytes after the address, <= VB_BUS_DATA_MAX */
    uint16_t nread;        /* bytes to read, <= VB_BUS_DATA_MAX */
    const uint8_t *data;
} vb_ds_call;

/* What a reply says. */
typedef enum vb_ds_status {
    VB_DS_OK = 0,          /* acks and the bytes read */
    VB_DS_RAISED = 1,      /* the script raised: text is the exception's last line */
    VB_DS_LOADED = 2,      /* seq 0: every file loaded */
    VB_DS_LOAD_FAILED = 3, /* seq 0: text names the file and the Python error */
    VB_DS_STATUSES
} vb_ds_status;

typedef struct vb_ds_reply {
    uint32_t seq;
    vb_ds_status status;
    uint16_t acks;         /* OK: bytes ACKed, the address (with START) counted */
    uint16_t len;
    uint8_t data[VB_DS_PAYLOAD_MAX];  /* OK: the nread bytes read */
    char text[VB_DS_TEXT_MAX + 1];    /* RAISED, LOAD_FAILED: printable ASCII, NUL-terminated */
} vb_ds_reply;

/* The call as bytes into out (room for VB_DS_RECORD_MAX): its length, or
 * 0 when the call is not one (lengths, ops, seq 0). */
size_t vb_ds_call_encode(const vb_ds_call *c, uint8_t *out, size_t cap);

/* The reply at the front of buf[0..n), checked against what was asked:
 * expect_seq, and for an OK one its acks (at most the call's bytes to
 * write, address included: max_acks) and exactly expect_nread bytes.
 * 1 with *out and *used (the record's length), 0 when the record is not
 * whole yet, -1 with a sentence in err when it cannot be a reply (the
 * stream is then lost: the caller stops the helper). Text is cleaned to
 * printable ASCII ('?' for the rest), cut at VB_DS_TEXT_MAX. */
int vb_ds_reply_parse(const uint8_t *buf, size_t n, uint32_t expect_seq, unsigned max_acks, unsigned expect_nread,
                      vb_ds_reply *out, size_t *used, char *err, size_t errlen);

#endif
