/* The device models behind one interface (bus/i2cdev.h). */
#include "i2cdev_int.h"

#include <string.h>

static const char *const names[VB_I2C_MODELS] = {"eeprom", "sht3x", "ssd1306", "script"};

int vb_i2c_model_by_name(const char *name, vb_i2c_model_id *id)
{
    for (unsigned i = 0; i < VB_I2C_MODELS; i++)
        if (strcmp(names[i], name) == 0) {
            *id = (vb_i2c_model_id)i;
            return 0;
        }
    return -1;
}

const char *vb_i2c_model_name(vb_i2c_model_id id) { return id < VB_I2C_MODELS ? names[id] : "?"; }

void vb_i2c_dev_init(vb_i2c_dev *d, vb_i2c_model_id model, uint8_t bus, uint8_t addr)
{
    memset(d, 0, sizeof *d);
    d->model = model;
    d->bus = bus;
    d->addr = addr;
    switch (model) {
    case VB_I2C_EEPROM: vb_eeprom_init(&d->u.eeprom); break;
    case VB_I2C_SHT3X: vb_sht3x_init(&d->u.sht3x); break;
    case VB_I2C_SSD1306: vb_ssd1306_init(&d->u.oled); break;
    default: break;
    }
}

bool vb_i2c_dev_start(vb_i2c_dev *d, bool read, uint64_t now_us, uint32_t *stretch_us)
{
    switch (d->model) {
    case VB_I2C_EEPROM: return vb_eeprom_start(&d->u.eeprom, read, now_us);
    case VB_I2C_SHT3X: return vb_sht3x_start(&d->u.sht3x, read, now_us, stretch_us);
    case VB_I2C_SSD1306: return vb_ssd1306_start(&d->u.oled, read);
    default: return false;
    }
}

bool vb_i2c_dev_write(vb_i2c_dev *d, uint8_t byte, uint64_t now_us)
{
    switch (d->model) {
    case VB_I2C_EEPROM: return vb_eeprom_write(&d->u.eeprom, byte);
    case VB_I2C_SHT3X: return vb_sht3x_write(&d->u.sht3x, byte, now_us);
    case VB_I2C_SSD1306: return vb_ssd1306_write(&d->u.oled, byte);
    default: return false;
    }
}

uint8_t vb_i2c_dev_read(vb_i2c_dev *d, uint64_t now_us)
{
    (void)now_us;
    switch (d->model) {
    case VB_I2C_EEPROM: return vb_eeprom_read(&d->u.eeprom);
    case VB_I2C_SHT3X: return vb_sht3x_read(&d->u.sht3x);
    case VB_I2C_SSD1306: return vb_ssd1306_read(&d->u.oled);
    default: return 0xFF;
    }
}

void vb_i2c_dev_stop(vb_i2c_dev *d, uint64_t now_us)
{
    switch (d->model) {
    case VB_I2C_EEPROM: vb_eeprom_stop(&d->u.eeprom, now_us); break;
    case VB_I2C_SHT3X: vb_sht3x_stop(&d->u.sht3x); break;
    default: break;
    }
}
