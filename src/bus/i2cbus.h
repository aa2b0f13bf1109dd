/* The board's I2C buses (issue 16): the devices attached to them
 * (`--i2c BUS:ADDR=MODEL,...`) and the wires' state between requests from
 * the VM (contract/busmsg.h). Pure C: the supervisor serves the line with
 * it; unit tests feed it hostile requests. */
#ifndef VB_BUS_I2CBUS_H
#define VB_BUS_I2CBUS_H

#include <stddef.h>
#include <stdint.h>

#include "bus/i2cdev.h"
#include "contract/busmsg.h"

#define VB_I2C_DEVS_MAX 8u

#define VB_I2C_SCRIPT_PATH_MAX 512u
#define VB_I2C_SCRIPT_ARGS_MAX 512u

/* One device to attach: its bus, 7-bit address and model; a script
 * device's file. */
typedef struct vb_i2c_attach {
    uint8_t bus, addr;
    vb_i2c_model_id model;
    char script[VB_I2C_SCRIPT_PATH_MAX];   /* VB_I2C_SCRIPT: the device's Python file */
    char script_args[VB_I2C_SCRIPT_ARGS_MAX];   /* and its arguments, a JSON object ("" = none) */
    bool reading;                  /* VB_I2C_SHT3X: it measures this at power-on (else its default) */
    int32_t temp_mc;
    uint32_t hum_mpct;
} vb_i2c_attach;

/* Parse "BUS:ADDR=MODEL[,...]" (ADDR decimal or 0x-hex, 0x08..0x77; MODEL
 * a model's name or script:PATH), adding
 * to out[*n..max). 0, or -1 with a sentence in err (a bad bus or address,
 * an unknown model, an address taken twice, too many devices). */
int vb_i2c_parse_attach(const char *spec, vb_i2c_attach *out, unsigned max, unsigned *n, char *err, size_t errlen);

/* Where a bus's wires are between requests. */
typedef enum vb_i2c_phase {
    VB_I2C_IDLE,                   /* after a STOP */
    VB_I2C_ADDRESS,                /* after a START: the next byte is an address */
    VB_I2C_WRITING,                /* a device ACKed its write address */
    VB_I2C_READING,                /* a device ACKed its read address */
    VB_I2C_IGNORED,                /* nobody ACKed: nothing listens until a START */
} vb_i2c_phase;

typedef struct vb_i2c_buses {
    vb_i2c_dev dev[VB_I2C_DEVS_MAX];
    unsigned n;
    struct {
        vb_i2c_phase phase;
        int cur;                   /* the addressed device's index, -1 none */
    } bus[VB_I2C_BUSES];
    uint64_t requests, malformed, nacks;
} vb_i2c_buses;

void vb_i2c_buses_init(vb_i2c_buses *b, const vb_i2c_attach *a, unsigned n);
/* The lines released mid-transaction (the master was reset): nothing is
 * addressed; a write the device had not seen a STOP for never happens. */
void vb_i2c_buses_release(vb_i2c_buses *b);
/* The board lost power, and its devices with it: the display and the
 * sensor start afresh (the sensor still measures what the host set: that
 * is the room, not the chip); the EEPROM keeps its array (non-volatile). */
void vb_i2c_buses_power_loss(vb_i2c_buses *b);
vb_i2c_dev *vb_i2c_find(vb_i2c_buses *b, unsigned bus, unsigned addr);

/* Is this n-byte datagram an I2C request (whole, of kind I2C, known bus
 * and flags, lengths within the record)? */
bool vb_i2c_req_ok(const vb_bus_req *r, size_t n);
/* Carry out one request at board time now_us; rep is filled (EINVAL for
 * what vb_i2c_req_ok refuses, nothing on the bus then). */
void vb_i2c_serve(vb_i2c_buses *b, const vb_bus_req *req, size_t n, uint64_t now_us, vb_bus_rep *rep);

/* A script device cannot answer at once: the supervisor parks a request
 * for one until its helper answers. The index of the script device this
 * request goes to (addressed by its first byte, or addressed already), else
 * -1 (vb_i2c_serve takes it). *read: the device is addressed for reading. */
int vb_i2c_script_target(const vb_i2c_buses *b, const vb_bus_req *req, size_t n, bool *read);
/* Is the request's first byte an address (after a START in it or before it)? */
bool vb_i2c_addressing(const vb_i2c_buses *b, const vb_bus_req *req);
/* The script's answer to the request for device dev: acks (the address
 * counted), the bytes read (NULL: 0xFF, nobody drove SDA); the wires move
 * on as for any device, and rep is filled. */
void vb_i2c_script_finish(vb_i2c_buses *b, const vb_bus_req *req, unsigned dev, unsigned acks,
                          const uint8_t *rd, vb_bus_rep *rep);

#endif
