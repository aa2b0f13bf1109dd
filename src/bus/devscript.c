/* The script devices' record protocol (bus/devscript.h). */
#include "devscript.h"

#include <stdio.h>
#include <string.h>

#include "util/le.h"

size_t vb_ds_call_encode(const vb_ds_call *c, uint8_t *out, size_t cap)
{
    size_t n = VB_DS_HEADER + c->nwrite;
    if (c->seq == 0 || (c->ops & ~VB_DS_OPS) || c->nwrite > VB_BUS_DATA_MAX || c->nread > VB_BUS_DATA_MAX ||
        n > cap)
        return 0;
    vb_st32(out, VB_DS_CALL_MAGIC);
    vb_st32(out + 4, c->seq);
    out[8] = c->dev;
    out[9] = c->ops;
    vb_st16(out + 10, c->nwrite);
    vb_st16(out + 12, c->nread);
    vb_st16(out + 14, 0);
    if (c->nwrite) memcpy(out + VB_DS_HEADER, c->data, c->nwrite);
    return n;
}

static int bad(char *err, size_t errlen, const char *why)
{
    snprintf(err, errlen, "%s", why);
    return -1;
}

int vb_ds_reply_parse(const uint8_t *buf, size_t n, uint32_t expect_seq, unsigned max_acks, unsigned expect_nread,
                      vb_ds_reply *out, size_t *used, char *err, size_t errlen)
{
    /* the magic is checked as soon as it is there: garbage fails at once */
    if (n >= 4 && vb_ld32(buf) != VB_DS_REPLY_MAGIC) return bad(err, errlen, "a reply without the protocol's magic");
    if (n < VB_DS_HEADER) return 0;
    uint32_t seq = vb_ld32(buf + 4);
    unsigned status = buf[8], acks = vb_ld16(buf + 10), len = vb_ld16(buf + 12);
    if (buf[9] || vb_ld16(buf + 14)) return bad(err, errlen, "a reply with its reserved bytes set");
    if (status >= VB_DS_STATUSES) return bad(err, errlen, "a reply of an unknown kind");
    if (len > VB_DS_PAYLOAD_MAX) return bad(err, errlen, "a reply longer than a record");
    if (seq != expect_seq) return bad(err, errlen, "a reply to a call never made");
    bool hello = status == VB_DS_LOADED || status == VB_DS_LOAD_FAILED;
    if (hello != (expect_seq == 0)) return bad(err, errlen, "a reply of the wrong kind for its call");
    if (status == VB_DS_OK && (acks > max_acks || len != expect_nread))
        return bad(err, errlen, "an answer that does not fit its call (acks or bytes read)");
    if (status != VB_DS_OK && acks) return bad(err, errlen, "acks in a reply that is not an answer");
    if (status == VB_DS_LOADED && len) return bad(err, errlen, "text in a 'loaded' reply");
    if (n < VB_DS_HEADER + len) return 0;
    memset(out, 0, sizeof *out);
    out->seq = seq;
    out->status = (vb_ds_status)status;
    out->acks = (uint16_t)acks;
    out->len = (uint16_t)len;
    const uint8_t *p = buf + VB_DS_HEADER;
    if (status == VB_DS_OK) {
        memcpy(out->data, p, len);
    } else {
        unsigned k = len < VB_DS_TEXT_MAX ? len : VB_DS_TEXT_MAX;
        for (unsigned i = 0; i < k; i++) out->text[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
        out->text[k] = '\0';
    }
    *used = VB_DS_HEADER + len;
    return 1;
}
