/* Raw REPL (§3) and raw-paste (§4): byte collection, the raw-paste command
 * handshake, flow-control credits and the host abort. Nothing is echoed. */
#include "repl/repl_bytes.h"
#include "repl/repl_int.h"

void vb_raw_enter(vb_repl *r, bool leading_crlf)
{
    r->mode = VB_REPL_MODE_RAW;
    r->state = RS_RAW;
    r->last_nl = 0;
    vb_edit_reset(r);
    vb_rbuf_clear(&r->src);
    if (leading_crlf)
        vb_repl_outs(r, VB_REPL_CRLF);
    vb_repl_outs(r, VB_REPL_RAW_BANNER);
}

/* \x01 with the buffer exactly "\x05" + X: raw-paste command X. */
static void raw_paste_command(vb_repl *r, uint8_t cmd)
{
    vb_rbuf_clear(&r->src);
    if (cmd == VB_REPL_RAWPASTE_CMD) {
        vb_repl_out(r, VB_REPL_RAWPASTE_OK, VB_REPL_RAWPASTE_OK_LEN);
        r->rp_count = 0;
        r->state = RS_RAW_PASTE;
    } else {
        vb_repl_out(r, VB_REPL_RAWPASTE_NO, VB_REPL_RAWPASTE_NO_LEN);
        vb_repl_outs(r, VB_REPL_RAW_PROMPT);
    }
}

vb_repl_action vb_raw_feed(vb_repl *r, uint8_t c)
{
    switch (c) {
    case VB_CTRL_A:
        if (r->src.len == 2 && r->src.data[0] == VB_CTRL_E) {
            raw_paste_command(r, r->src.data[1]);
        } else {
            vb_rbuf_clear(&r->src);
            vb_repl_outs(r, VB_REPL_RAW_BANNER);
        }
        return VB_REPL_NONE;
    case VB_CTRL_B:
        vb_rbuf_clear(&r->src);
        vb_repl_enter_friendly(r);
        return VB_REPL_NONE;
    case VB_CTRL_C:
        vb_rbuf_clear(&r->src);
        return VB_REPL_NONE;
    case VB_CTRL_D:
        vb_repl_outs(r, VB_REPL_RAW_OK);
        if (r->src.len == 0 && !r->src.dropped) {
            vb_repl_outs(r, VB_REPL_CRLF);
            r->state = RS_DEAD;
            return VB_REPL_SOFT_RESET;
        }
        return vb_repl_begin_exec(r, EX_RAW);
    default:
        vb_rbuf_push(&r->src, c);
        return VB_REPL_NONE;
    }
}

vb_repl_action vb_raw_paste_feed(vb_repl *r, uint8_t c)
{
    if (c == VB_CTRL_C) {
        vb_rbuf_clear(&r->src);
        vb_repl_outs(r, VB_REPL_RAWPASTE_ABORT);
        r->state = RS_RAW;
        return VB_REPL_NONE;
    }
    if (c == VB_CTRL_D) {
        vb_repl_outs(r, VB_REPL_RAW_EOT);   /* the end-of-data ack, before compiling */
        return vb_repl_begin_exec(r, EX_RAW_PASTE);
    }
    vb_rbuf_push(&r->src, c);
    r->rp_count++;
    if (r->rp_count % VB_REPL_RAWPASTE_WINDOW == 0)
        vb_repl_outs(r, VB_REPL_RAWPASTE_CREDIT);
    return VB_REPL_NONE;
}
