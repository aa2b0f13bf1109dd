/* Wi-Fi requests through the VM's HAL (src/firmware/vm_hal.c) into the
 * radio's checks (src/net/wifi.h): the HAL hands the mailbox whatever the
 * engine gives it, past the limits, and the record it sends agrees with
 * it; the supervisor's side then refuses an over-long SSID or key and
 * counts it, and a record that disagrees with the mailbox is caught by
 * the same comparison board_wifi_event makes. */
#include "check.h"
#include "board/profile.h"
#include "firmware/vm_hal.h"
#include "net/wifi.h"
#include "trace/evcheck.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

typedef struct rig {
    vb_firmware_ctx fw;
    vb_regs regs;
    vb_vm_hal h;
    int ev[2];
} rig;

static void rig_open(rig *r)
{
    memset(r, 0, sizeof *r);
    r->fw.profile = vb_profile_find("esp32");
    vb_regs_init(&r->regs);
    r->fw.regs = &r->regs;
    CHECK_EQ(pipe2(r->ev, O_NONBLOCK), 0);
    r->fw.tx_fd = r->fw.rx_efd = r->fw.idle_efd = r->fw.report_fd = r->fw.cmd_fd = -1;
    r->fw.ev_fd = r->ev[1];
    vb_vm_hal_init(&r->h, &r->fw);
    CHECK(r->h.hal.wifi_request && r->h.hal.wifi_state);
}

/* One request through the HAL, answered in advance (no supervisor here):
 * the record it sent. */
static vb_hw_event send(rig *r, const vb_wifi_req *req, int answer)
{
    r->regs.wifi.pub.ack_seq = r->regs.wifi.req.seq + 1;
    r->regs.wifi.pub.ack_result = answer;
    CHECK_EQ(r->h.hal.wifi_request(r->h.hal.ctx, req), answer);
    vb_hw_event ev;
    memset(&ev, 0, sizeof ev);
    CHECK_EQ(read(r->ev[0], &ev, sizeof ev), (ssize_t)sizeof ev);
    return ev;
}

static void test_over_long_ssid_reaches_the_board_and_is_refused(void)
{
    rig r;
    rig_open(&r);
    vb_wifi_req q;
    memset(&q, 0, sizeof q);
    q.op = VB_WIFI_OP_CONNECT;
    q.flags = VB_WIFI_F_CONFIG;
    q.ssid_len = 40;                               /* the module cuts at 32; hostile code need not */
    memset(q.ssid, 'S', q.ssid_len);
    vb_hw_event ev = send(&r, &q, VB_WIFI_OK);
    CHECK_EQ(ev.kind, VB_EV_WIFI);
    CHECK_EQ(vb_event_check(&ev, 0), VB_EV_ACCEPT);   /* a well-formed record ... */
    CHECK_EQ(VB_WIFI_EV_SEQ(ev.value), r.regs.wifi.req.seq & 0xFFFF);
    CHECK_EQ(r.regs.wifi.req.ssid_len, 40);          /* ... pointing at the whole SSID */
    /* the supervisor's side: copy, compare with the record, check */
    vb_wifi w;
    vb_wifi_init(&w, 1);
    vb_wifi_req copy;
    memcpy(&copy, &r.regs.wifi.req, sizeof copy);
    CHECK_EQ(copy.op, VB_WIFI_EV_OP(ev.value));
    CHECK_EQ(vb_wifi_request(&w, &copy, 1, 1), VB_WIFI_E_SSID);
    CHECK_EQ(w.refused, 1);
    /* a key past 64 bytes, likewise */
    q.ssid_len = 4;
    q.key_len = 70;
    memset(q.key, 'k', q.key_len);
    send(&r, &q, VB_WIFI_OK);
    memcpy(&copy, &r.regs.wifi.req, sizeof copy);
    CHECK_EQ(vb_wifi_request(&w, &copy, 1, 1), VB_WIFI_E_PASSWORD);
    CHECK_EQ(w.refused, 2);
    close(r.ev[0]);
    close(r.ev[1]);
}

static void test_answers_and_sequence(void)
{
    rig r;
    rig_open(&r);
    vb_wifi_req q;
    memset(&q, 0, sizeof q);
    q.op = VB_WIFI_OP_ACTIVE;
    q.arg[0] = 1;
    uint32_t s0 = r.regs.wifi.req.seq;
    vb_hw_event a = send(&r, &q, VB_WIFI_E_NOT_STARTED);
    vb_hw_event b = send(&r, &q, VB_WIFI_OK);
    CHECK_EQ(r.regs.wifi.req.seq, s0 + 2);
    CHECK_EQ(VB_WIFI_EV_SEQ(b.value), (VB_WIFI_EV_SEQ(a.value) + 1) & 0xFFFF);
    /* an answer outside vb_wifi_result (the block is the VM's to scribble) */
    r.regs.wifi.pub.ack_seq = r.regs.wifi.req.seq + 1;
    r.regs.wifi.pub.ack_result = 999;
    CHECK_EQ(r.h.hal.wifi_request(r.h.hal.ctx, &q), VB_WIFI_E_ARG);
    close(r.ev[0]);
    close(r.ev[1]);
}

int main(void)
{
    RUN(test_over_long_ssid_reaches_the_board_and_is_refused);
    RUN(test_answers_and_sequence);
    return CHECK_DONE();
}
