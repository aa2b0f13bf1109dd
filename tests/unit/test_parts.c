/* Unit tests: the parts file (scenario/parts.c): a good file in YAML and
 * the same in JSON, and every kind of bad one (syntax with line and
 * column, unknown kind and key, bad values, a part twice, in the file and
 * against the command line). */
#include <string.h>

#include "check.h"
#include "scenario/parts.h"

static vb_parts parts;         /* why static: large (script paths) */

static int parse(const char *text, char *err, size_t errlen)
{
    vb_parts_init(&parts);
    err[0] = '\0';
    return vb_parts_parse(text, strlen(text), "dir/board.yaml", &parts, err, errlen);
}

static const char good_yaml[] =
    "# the wiring of a weather station\n"
    "i2c:\n"
    "  - {bus: 0, addr: 0x50, model: eeprom}\n"
    "  - bus: 1\n"
    "    addr: 68\n"
    "    model: sht3x\n"
    "    temp: 21.5\n"
    "    hum: 40.25\n"
    "  - {addr: 0x48, script: tmp.py}\n"
    "  - {addr: 0x49, script: /abs/dev.py}\n"
    "uart:\n"
    "  - {id: 1, link: /tmp/gps}\n"
    "adc:\n"
    "  - {pin: '34', mv: 1650.5}\n"
    "spi:\n"
    "  - {bus: 1, cs: 5, model: ssd1306, dc: 4, res: 16}\n"
    "  - {bus: 2, cs: 15, model: eeprom25}\n";

static const char good_json[] =
    "{\"i2c\": [{\"bus\": 0, \"addr\": 80, \"model\": \"eeprom\"},\n"
    "         {\"bus\": 1, \"addr\": \"0x44\", \"model\": \"sht3x\", \"temp\": 21.5, \"hum\": 40.25},\n"
    "         {\"addr\": 72, \"script\": \"tmp.py\"}, {\"addr\": 73, \"script\": \"/abs/dev.py\"}],\n"
    " \"uart\": [{\"id\": 1, \"link\": \"/tmp/gps\"}],\n"
    " \"adc\": [{\"pin\": \"34\", \"mv\": 1650.5}],\n"
    " \"spi\": [{\"bus\": 1, \"cs\": 5, \"model\": \"ssd1306\", \"dc\": 4, \"res\": 16},\n"
    "         {\"bus\": 2, \"cs\": 15, \"model\": \"eeprom25\"}]}\n";

static void check_good(void)
{
    CHECK_EQ(parts.n_i2c, 4);
    CHECK_EQ(parts.i2c[0].model, VB_I2C_EEPROM);
    CHECK_EQ(parts.i2c[0].addr, 0x50);
    CHECK_EQ(parts.i2c[1].bus, 1);
    CHECK_EQ(parts.i2c[1].addr, 68);
    CHECK_EQ(parts.i2c[1].model, VB_I2C_SHT3X);
    CHECK(parts.i2c[1].reading);
    CHECK_EQ(parts.i2c[1].temp_mc, 21500);
    CHECK_EQ(parts.i2c[1].hum_mpct, 40250);
    CHECK_EQ(parts.i2c[2].model, VB_I2C_SCRIPT);
    CHECK_STR(parts.i2c[2].script, "dir/tmp.py");     /* the file's directory */
    CHECK_STR(parts.i2c[3].script, "/abs/dev.py");
    CHECK_STR(parts.uart_link[1], "/tmp/gps");
    CHECK_STR(parts.uart_link[0], "");
    CHECK_EQ(parts.n_adc, 1);
    CHECK_STR(parts.adc[0].pin, "34");
    CHECK_EQ(parts.adc[0].uv, 1650500);
    CHECK_EQ(parts.n_spi, 2);
    CHECK_EQ(parts.spi[0].model, VB_SPI_SSD1306);
    CHECK_EQ(parts.spi[0].bus, 1);
    CHECK_EQ(parts.spi[0].cs, 5);
    CHECK_EQ(parts.spi[0].dc, 4);
    CHECK_EQ(parts.spi[0].res, 16);
    CHECK_EQ(parts.spi[1].model, VB_SPI_EEPROM25);
    CHECK_EQ(parts.spi[1].dc, -1);
}

static void test_good_files(void)
{
    char err[300];
    CHECK_EQ(parse(good_yaml, err, sizeof err), 0);
    CHECK_STR(err, "");
    check_good();
    CHECK_EQ(parts.i2c_line[1], 4);
    CHECK_EQ(parse(good_json, err, sizeof err), 0);
    CHECK_STR(err, "");
    check_good();
    CHECK_EQ(parse("", err, sizeof err), 0);               /* nothing attached */
    CHECK_EQ(parts.n_i2c, 0);
    CHECK_EQ(parse("{}", err, sizeof err), 0);
}

static void test_bad_files(void)
{
    static const struct {
        const char *text, *err;
    } bad[] = {
        {"i2c:\n  - {addr: 0x50, model: eeprom\nuart: []\n", "dir/board.yaml:3:"},        /* syntax */
        {"i2c: [\n  {addr: 0x50,, model: eeprom}]\n", "dir/board.yaml:2:15: YAML syntax error"},
        {"lcd:\n  - {addr: 1}\n", "dir/board.yaml:1:1: unknown part kind 'lcd' (kinds: i2c, uart, adc, spi)"},
        {"spi:\n  - {addr: 1}\n", "dir/board.yaml:2:6: unknown key 'addr' in a part in 'spi' (keys: bus, cs, model, dc, res)"},
        {"spi:\n  - {bus: 1, cs: 5}\n", "dir/board.yaml:2:5: a part in 'spi' needs 'model' (ssd1306, eeprom25)"},
        {"spi:\n  - {bus: 1, cs: 5, model: ssd1306}\n", "dir/board.yaml:2:5: an ssd1306 on SPI needs 'dc'"},
        {"spi:\n  - {bus: 1, cs: 40, model: eeprom25}\n", "dir/board.yaml:2:18: 'cs' must be a number from 0 to 39"},
        {"spi:\n  - {bus: 1, cs: 5, model: eeprom25}\n  - {bus: 1, cs: 5, model: eeprom25}\n",
         "dir/board.yaml:3:18: a second device on chip select 5 of bus 1 (the first at line 2)"},
        {"i2c:\n  - {addr: 0x90, model: eeprom}\n",
         "dir/board.yaml:2:12: 'addr' must be a number from 8 to 119 (0x08 to 0x77), not '0x90'"},
        {"i2c:\n  - {addr: 0x50, model: lcd}\n",
         "dir/board.yaml:2:25: no device model 'lcd' (eeprom, sht3x, ssd1306; or 'script: FILE.py')"},
        {"i2c:\n  - {addr: 0x50, model: eeprom}\n  - {bus: 0, addr: 80, model: sht3x}\n",
         "dir/board.yaml:3:20: a second device at 0x50 on bus 0 (the first at line 2)"},
        {"i2c:\n  - {addr: 0x50, modle: eeprom}\n",
         "dir/board.yaml:2:18: unknown key 'modle' in a part in 'i2c' (keys: bus, addr, model, script, args, temp, hum)"},
        {"i2c:\n  - {addr: 0x50}\n", "dir/board.yaml:2:5: a part in 'i2c' needs 'model'"},
        {"i2c:\n  - {addr: 0x50, model: eeprom, script: x.py}\n", "dir/board.yaml:2:5: a part in 'i2c' needs"},
        {"i2c:\n  - {model: eeprom}\n", "dir/board.yaml:2:5: a part in 'i2c' needs 'addr'"},
        {"i2c:\n  - {addr: 0x50, bus: 2, model: eeprom}\n", "dir/board.yaml:2:23: 'bus' must be a number from 0 to 1, not '2'"},
        {"i2c:\n  - {addr: 0x50, model: eeprom, temp: 20}\n", "dir/board.yaml:2:39: 'temp' and 'hum' are an sht3x's"},
        {"i2c:\n  - {addr: 0x44, model: sht3x, hum: 101}\n", "dir/board.yaml:2:37: 'hum' (%RH) must be a number"},
        {"i2c: {addr: 0x50}\n", "dir/board.yaml:1:6: 'i2c' must be a list of parts"},
        {"i2c:\n  - 0:0x50=eeprom\n", "dir/board.yaml:2:5: a part in 'i2c' is a mapping"},
        {"uart:\n  - {id: 3, link: /tmp/x}\n", "dir/board.yaml:2:10: 'id' must be a number from 0 to 2"},
        {"uart:\n  - {id: 1}\n", "dir/board.yaml:2:5: a part in 'uart' needs 'link'"},
        {"uart:\n  - {id: 1, link: /a}\n  - {id: 1, link: /b}\n",
         "dir/board.yaml:3:10: UART 1 is bridged twice (first at line 2)"},
        {"adc:\n  - {pin: 34, mv: 6000}\n", "dir/board.yaml:2:19: 'mv' must be a number from 0 to 5000"},
        {"- i2c\n", "dir/board.yaml:1:1: a parts file is a mapping of part kinds"},
        {"i2c: []\ni2c: []\n", "dir/board.yaml:2:1: duplicate key 'i2c' (first at line 1)"},
        {"i2c: &a []\nuart: *a\n", "dir/board.yaml:2:"},                    /* aliases refused */
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[300];
        CHECK_EQ(parse(bad[i].text, err, sizeof err), -1);
        if (strncmp(err, bad[i].err, strlen(bad[i].err)) != 0) {
            fprintf(stderr, "case %u: got \"%s\"\n  wanted a start of \"%s\"\n", i, err, bad[i].err);
            CHECK(0);
        }
    }
}

static void test_merge_with_the_command_line(void)
{
    char err[300];
    CHECK_EQ(parse(good_yaml, err, sizeof err), 0);
    vb_i2c_attach cli[2];
    unsigned n = 0;
    CHECK_EQ(vb_i2c_parse_attach("0:0x3c=ssd1306,0:0x50=eeprom", cli, 2, &n, err, sizeof err), 0);
    CHECK_EQ(vb_parts_add_i2c(&parts, &cli[0], err, sizeof err), 0);
    CHECK_EQ(parts.n_i2c, 5);
    CHECK_EQ(vb_parts_add_i2c(&parts, &cli[1], err, sizeof err), -1);
    CHECK_STR(err, "--i2c 0:0x50 is declared in dir/board.yaml at line 3 already");
    CHECK_EQ(vb_parts_add_uart(&parts, 2, "/tmp/modem", err, sizeof err), 0);
    CHECK_EQ(vb_parts_add_uart(&parts, 1, "/tmp/other", err, sizeof err), -1);
    CHECK_STR(err, "--uart 1 is bridged in dir/board.yaml at line 12 already");
    vb_spi_attach spi[2];
    n = 0;
    CHECK_EQ(vb_spi_parse_attach("1:14=eeprom25,2:15=eeprom25", spi, 2, &n, err, sizeof err), 0);
    CHECK_EQ(vb_parts_add_spi(&parts, &spi[0], err, sizeof err), 0);
    CHECK_EQ(parts.n_spi, 3);
    CHECK_EQ(vb_parts_add_spi(&parts, &spi[1], err, sizeof err), -1);
    CHECK_STR(err, "--spi 2:15 is declared in dir/board.yaml at line 17 already");
}

static void test_script_args(void)
{
    char err[300];
    CHECK_EQ(parse("i2c:\n  - {addr: 0x48, script: x.py, args: {celsius: 21, name: probe, on: true, reg: 0x10, "
                   "ratio: 1.5, code: \"12\", odd: 01, q: 'a\"b'}}\n", err, sizeof err), 0);
    CHECK_STR(err, "");
    CHECK_STR(parts.i2c[0].script_args,
              "{\"celsius\":21,\"name\":\"probe\",\"on\":true,\"reg\":16,\"ratio\":1.5,\"code\":\"12\","
              "\"odd\":\"01\",\"q\":\"a\\\"b\"}");
    CHECK_EQ(parse("i2c:\n  - {addr: 0x48, script: x.py}\n", err, sizeof err), 0);
    CHECK_STR(parts.i2c[0].script_args, "");          /* none: the driver passes {} */
    static const struct {
        const char *text, *err;
    } bad[] = {
        {"i2c:\n  - {addr: 0x50, model: eeprom, args: {a: 1}}\n", "dir/board.yaml:2:39: 'args' are a script device's"},
        {"i2c:\n  - {addr: 0x48, script: x.py, args: [1]}\n", "dir/board.yaml:2:38: 'args' must be a mapping"},
        {"i2c:\n  - {addr: 0x48, script: x.py, args: {a: [1]}}\n", "dir/board.yaml:2:42: 'args' holds single values"},
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ(parse(bad[i].text, err, sizeof err), -1);
        if (strncmp(err, bad[i].err, strlen(bad[i].err)) != 0) {
            fprintf(stderr, "args case %u: got \"%s\"\n  wanted a start of \"%s\"\n", i, err, bad[i].err);
            CHECK(0);
        }
    }
    char big[1200] = "i2c:\n  - {addr: 0x48, script: x.py, args: {";
    for (int i = 0; i < 60; i++) snprintf(big + strlen(big), sizeof big - strlen(big), "k%02d: 12345678, ", i);
    snprintf(big + strlen(big), sizeof big - strlen(big), "z: 1}}\n");
    CHECK_EQ(parse(big, err, sizeof err), -1);
    CHECK(strstr(err, "'args' take more than 511 bytes as JSON") != NULL);
}

static void test_load(void)
{
    char err[300];
    vb_parts_init(&parts);
    CHECK_EQ(vb_parts_load("/nonexistent/parts.yaml", &parts, err, sizeof err), -1);
    CHECK(strstr(err, "/nonexistent/parts.yaml") != NULL);
}

int main(void)
{
    RUN(test_good_files);
    RUN(test_bad_files);
    RUN(test_merge_with_the_command_line);
    RUN(test_script_args);
    RUN(test_load);
    return CHECK_DONE();
}
