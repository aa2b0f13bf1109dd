/* Each model's handlers, dispatched by i2cdev.c. */
#ifndef VB_BUS_I2CDEV_INT_H
#define VB_BUS_I2CDEV_INT_H

#include "i2cdev.h"

void vb_eeprom_init(vb_eeprom *e);
bool vb_eeprom_start(vb_eeprom *e, bool read, uint64_t now_us);
bool vb_eeprom_write(vb_eeprom *e, uint8_t b);
uint8_t vb_eeprom_read(vb_eeprom *e);
void vb_eeprom_stop(vb_eeprom *e, uint64_t now_us);

void vb_sht3x_init(vb_sht3x *s);
bool vb_sht3x_start(vb_sht3x *s, bool read, uint64_t now_us, uint32_t *stretch_us);
bool vb_sht3x_write(vb_sht3x *s, uint8_t b, uint64_t now_us);
uint8_t vb_sht3x_read(vb_sht3x *s);
void vb_sht3x_stop(vb_sht3x *s);

void vb_ssd1306_init(vb_ssd1306 *o);
bool vb_ssd1306_start(vb_ssd1306 *o, bool read);
bool vb_ssd1306_write(vb_ssd1306 *o, uint8_t b);
uint8_t vb_ssd1306_read(const vb_ssd1306 *o);

#endif
