/* libFuzzer target for the SPI requests on the board's bus line (issue
 * 16): device code can write any bytes there, so every datagram is hostile
 * input to the supervisor's SPI buses (bus/spibus.h) and the models behind
 * them (the 25LC256, the SSD1306 over SPI).
 *
 * The input is a stream of datagrams, each a 2-byte little-endian length
 * then that many bytes (a length beyond what is left takes the rest), and
 * one byte of board µs to advance the clock by 256x after it. Each is
 * served as the supervisor serves it; the answer must keep the promises:
 * EINVAL exactly when vb_spi_req_ok refuses it, then nothing else set; the
 * MISO length the request's; 0xFF on MISO when no device is selected on
 * the bus; the EEPROM's status within its bits; the display's RAM pointer
 * in range. Any broken promise aborts.
 *
 * Build: make fuzz (clang -fsanitize=fuzzer); -DVB_FUZZ_MAIN for a main()
 * that replays files. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/spibus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
    fprintf(stderr, "fuzz_spi: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vb_spi_buses *b = malloc(sizeof *b);
    vb_spi_req *req = malloc(sizeof *req + 4096);
    vb_bus_rep *rep = malloc(sizeof *rep);
    if (!b || !req || !rep) abort();
    const vb_spi_attach devs[] = {{1, 5, 4, 2, VB_SPI_SSD1306}, {1, 15, -1, -1, VB_SPI_EEPROM25},
                                  {0, 17, -1, -1, VB_SPI_EEPROM25}};
    vb_spi_buses_init(b, devs, 3);
    uint64_t now = 0;
    size_t pos = 0;
    while (pos + 2 <= size) {
        size_t n = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
        pos += 2;
        if (n > size - pos) n = size - pos;
        if (n > sizeof *req + 4096) n = sizeof *req + 4096;
        memset(req, 0, sizeof *req);
        memcpy(req, data + pos, n);
        pos += n;
        bool ok = vb_spi_req_ok(req, n);
        vb_spi_serve(b, req, n, now, rep);
        if (rep->magic != VB_BUS_MAGIC) die("answer without its magic");
        if (!ok) {
            if (rep->err != EINVAL || rep->nread || rep->acks) die("refused request had effects");
        } else {
            if (rep->err) die("good request refused");
            if (rep->nread != req->n) die("MISO length changed");
            bool any = false;
            for (unsigned i = 0; i < b->n; i++) any |= b->dev[i].selected && b->dev[i].at.bus == req->bus;
            if (!any)
                for (unsigned i = 0; i < rep->nread; i++)
                    if (rep->data[i] != 0xFF) die("MISO driven with nobody selected");
        }
        for (unsigned i = 0; i < b->n; i++) {
            const vb_spi_dev *d = &b->dev[i];
            if (d->at.model == VB_SPI_EEPROM25 && (d->u.ee.status & ~(VB_EE25_WEL | VB_EE25_BP | VB_EE25_WPEN)))
                die("EEPROM status outside its bits");
            if (d->at.model == VB_SPI_SSD1306 && (d->u.oled.page > 7 || d->u.oled.col > 127))
                die("display RAM pointer out of range");
        }
        if (pos < size) now += 256u * data[pos++];
    }
    free(b);
    free(req);
    free(rep);
    return 0;
}

#define VB_FUZZ_REPLAY_MAX (1 << 16)
#include "replay_main.h"
