/* What machine.I2C's flavours share (engine_mod_i2c.c: v1.24's esp32 and
 * rp2 I2C and SoftI2C; engine_mod_i2c_pycom.c: Pycom's I2C): the object
 * and the bus operations, each costing board time at the bus frequency.
 * Every function returning an int or long gives -1 with an exception set
 * on failure; a NACK raises the port's error (board/periph.h). */
#ifndef VB_ENGINE_I2C_H
#define VB_ENGINE_I2C_H

#include "engine_int.h"

typedef struct {
    PyObject_HEAD
    int bus, scl, sda;             /* bus: the wires reached (contract/busmsg.h) */
    int id;                        /* the id it was made with (Pycom's I2C(2) is bus 0's wires) */
    uint32_t freq;                 /* Hz; 0: deinit'ed (Pycom) */
    long timeout;
    bool soft;
} i2c_obj;

/* One piece of bus traffic (contract/busmsg.h flags): the bytes ACKed. */
long vb_i2c_xfer(const i2c_obj *o, unsigned flags, const uint8_t *w, size_t nw, uint8_t *r, size_t nr);
/* A write of n bytes to addr: the count writeto returns. */
long vb_i2c_write_to(const i2c_obj *o, unsigned addr, const uint8_t *buf, size_t n, bool stop);
int vb_i2c_read_from(const i2c_obj *o, unsigned addr, uint8_t *buf, size_t n, bool stop);
/* The 7-bit address of a Python int. */
int vb_i2c_addr_of(PyObject *v, unsigned *addr);
/* memaddr as addrsize/8 bytes, MSB first: the length (ValueError for a bad addrsize). */
int vb_i2c_mem_addr(unsigned long memaddr, long addrsize, uint8_t out[4]);
/* The memory address written, then n bytes read after a repeated START. */
int vb_i2c_read_mem(const i2c_obj *o, PyObject *a, unsigned long memaddr, long addrsize, uint8_t *buf, size_t n);
/* The memory address and the bytes in one write: the count writeto gives. */
long vb_i2c_write_mem(const i2c_obj *o, PyObject *a, unsigned long memaddr, long addrsize, const uint8_t *buf, size_t n);
/* scan(): a list of the addresses that ACK. */
PyObject *vb_i2c_scan(PyObject *self, PyObject *unused);

/* Pycom's I2C (engine_mod_i2c_pycom.c). */
PyObject *vb_i2c_pycom_new(PyTypeObject *type, PyObject *args, PyObject *kw);
PyObject *vb_i2c_pycom_repr(PyObject *self);
extern PyMethodDef vb_i2c_pycom_methods[];
extern const vb_engine_const vb_i2c_pycom_consts[];

#endif
