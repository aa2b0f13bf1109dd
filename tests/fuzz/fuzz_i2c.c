/* libFuzzer target for the board's I2C line (issue 16): device code can
 * write any bytes to it, so every datagram is hostile input to the
 * supervisor's bus (bus/i2cbus.h) and the device models behind it.
 *
 * The input is a stream of datagrams, each a 2-byte little-endian length
 * then that many bytes (a length beyond what is left takes the rest), and
 * one byte of board µs to advance the clock by 256x after it. Each is
 * served as the supervisor serves it; the answer must keep the promises:
 * EINVAL exactly when vb_i2c_req_ok refuses it, then nothing else set;
 * never more ACKs than bytes written; the read length the request's; 0xFF
 * read when no device is addressed for reading; the buses' phases and
 * addressed devices in range. Any broken promise aborts.
 *
 * Build: make fuzz (clang -fsanitize=fuzzer); -DVB_FUZZ_MAIN for a main()
 * that replays files. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/i2cbus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
    fprintf(stderr, "fuzz_i2c: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vb_i2c_buses *b = malloc(sizeof *b);
    vb_bus_req *req = malloc(sizeof *req + 4096);
    vb_bus_rep *rep = malloc(sizeof *rep);
    if (!b || !req || !rep) abort();
    const vb_i2c_attach devs[] = {{0, 0x50, VB_I2C_EEPROM}, {0, 0x44, VB_I2C_SHT3X}, {0, 0x3c, VB_I2C_SSD1306},
                                  {1, 0x50, VB_I2C_EEPROM}};
    vb_i2c_buses_init(b, devs, 4);
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
        bool ok = vb_i2c_req_ok(req, n);
        unsigned bus = req->bus;
        bool reading = ok && b->bus[bus].phase == VB_I2C_READING && !(req->flags & VB_BUS_START);
        vb_i2c_serve(b, req, n, now, rep);
        if (rep->magic != VB_BUS_MAGIC) die("answer without its magic");
        if (!ok) {
            if (rep->err != EINVAL || rep->acks || rep->nread || rep->stretch_us) die("refused request had effects");
        } else {
            if (rep->err) die("good request refused");
            if (rep->acks > req->nwrite) die("more ACKs than bytes");
            if (rep->nread != req->nread) die("read length changed");
            if (!reading && !(req->flags & VB_BUS_START) && req->nwrite == 0)
                for (unsigned i = 0; i < rep->nread; i++)
                    if (rep->data[i] != 0xFF) die("a byte read with nobody addressed");
        }
        for (unsigned i = 0; i < VB_I2C_BUSES; i++) {
            if (b->bus[i].phase > VB_I2C_IGNORED) die("bus phase out of range");
            if (b->bus[i].cur < -1 || b->bus[i].cur >= (int)b->n) die("addressed device out of range");
            if ((b->bus[i].phase == VB_I2C_READING || b->bus[i].phase == VB_I2C_WRITING) && b->bus[i].cur < 0)
                die("a transfer with no device");
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
