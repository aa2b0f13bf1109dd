/* Unit tests: the port tables (src/board/port*.c) — every port valid, the
 * one reset-cause table of each (what machine.reset_cause() reports per
 * cause, as the real ports number them), pin lookups (names, aliases, GPIO
 * numbers and CPU names, buttons), identities, the interim switches, and
 * broken copies refused with a sentence. The VM's side (its machine
 * constants equal these tables) is tests/engine/test_port_engine.c. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "board/port.h"
#include "board/profile.h"
#include "check.h"
#include "util/errtext.h"

static void test_ports_valid(void)
{
    for (unsigned i = 0; i < VB_PORT_COUNT; i++) {
        const vb_port *p = vb_port_get((vb_port_id)i);
        CHECK(p != NULL);
        if (!p) continue;
        CHECK_EQ(p->id, i);
        char err[VB_ERR_LEN] = "";
        CHECK_EQ(vb_port_validate(p, err, sizeof err), 0);
        CHECK_STR(err, "");
        CHECK(vb_port_find(p->name) == p);
    }
    CHECK(vb_port_get(VB_PORT_COUNT) == NULL);
    CHECK(vb_port_get((vb_port_id)-1) == NULL);
    CHECK(vb_port_find("generic") == NULL);      /* a profile alias, not a port */
    CHECK(vb_port_find(NULL) == NULL);
    CHECK(vb_port_get(VB_PORT_ESP32) == &vb_port_esp32);
    CHECK(vb_port_get(VB_PORT_PYCOM) == &vb_port_pycom);
    CHECK(vb_port_get(VB_PORT_RP2) == &vb_port_rp2);
    /* each profile runs one of them */
    CHECK(vb_profile_find("esp32")->port == &vb_port_esp32);
    CHECK(vb_profile_find("generic")->port == &vb_port_esp32);
    CHECK(vb_profile_find("pycom")->port == &vb_port_pycom);
    CHECK(vb_profile_find("rp2")->port == &vb_port_rp2);
}

/* machine.reset_cause() per cause: -1 = the port has none (soft: keeps the
 * hard reset's). */
static void check_causes(const vb_port *p, int pwron, int hard, int wdt, int deep, int soft, int brown)
{
    CHECK_EQ(vb_port_cause(p, VB_CAUSE_PWRON), pwron);
    CHECK_EQ(vb_port_cause(p, VB_CAUSE_HARD), hard);
    CHECK_EQ(vb_port_cause(p, VB_CAUSE_WDT), wdt);
    CHECK_EQ(vb_port_cause(p, VB_CAUSE_DEEPSLEEP), deep);
    CHECK_EQ(vb_port_cause(p, VB_CAUSE_SOFT), soft);
    CHECK_EQ(vb_port_cause(p, VB_CAUSE_BROWNOUT), brown);
    CHECK_EQ(vb_port_cause(p, VB_CAUSE_COUNT), -1);
}

static void test_reset_causes(void)
{
    /* esp32 modmachine.c: PWRON 1, HARD 2, WDT 3, DEEPSLEEP 4, SOFT 5;
     * brown-out is a power-on reset */
    check_causes(&vb_port_esp32, 1, 2, 3, 4, 5, 1);
    /* Pycom 1.20: 0..4, BROWN_OUT_RESET 5 */
    check_causes(&vb_port_pycom, 0, 1, 2, 3, 4, 5);
    /* rp2: PWRON 1, WDT 3 only; machine.reset() and deepsleep() are
     * watchdog reboots; no SOFT_RESET */
    check_causes(&vb_port_rp2, 1, 3, 3, 3, -1, 1);

    long v = 0;
    CHECK(vb_port_const_value(&vb_port_rp2, "PWRON_RESET", &v) && v == 1);
    CHECK(vb_port_const_value(&vb_port_rp2, "WDT_RESET", &v) && v == 3);
    CHECK(!vb_port_const_value(&vb_port_rp2, "HARD_RESET", &v));
    CHECK(!vb_port_const_value(&vb_port_rp2, "SOFT_RESET", &v));
    CHECK(!vb_port_const_value(&vb_port_rp2, NULL, &v));
    CHECK(vb_port_const_value(&vb_port_esp32, "TIMER_WAKE", &v) && v == 4);
    CHECK(vb_port_const_value(&vb_port_pycom, "WAKEUP_ANY_HIGH", &v) && v == 1);
    CHECK(!vb_port_const_value(&vb_port_esp32, "BROWN_OUT_RESET", &v));
}

static void test_pins_rp2(void)
{
    const vb_port *p = &vb_port_rp2;
    const vb_pin_def *led = vb_port_pin(p, "LED");
    CHECK(led != NULL && led->gpio == 25);
    CHECK(vb_port_pin(p, "GP25") == led);
    CHECK(vb_port_pin(p, "GPIO25") == led);
    CHECK(vb_port_pin(p, "25") == led);
    CHECK(p->led_kind == VB_LED_GPIO && p->led_gpio == 25 && p->n_leds == 1);
    /* GP0-GP22, GP25-GP28 by board name; 23, 24, 29 by number and CPU name only */
    for (unsigned g = 0; g <= 29; g++) {
        char gp[8], cpu[8], num[4];
        snprintf(gp, sizeof gp, "GP%u", g);
        snprintf(cpu, sizeof cpu, "GPIO%u", g);
        snprintf(num, sizeof num, "%u", g);
        bool board_name = g <= 22 || (g >= 25 && g <= 28);
        const vb_pin_def *d = vb_port_pin(p, cpu);
        CHECK(d != NULL && d->gpio == g);
        CHECK(vb_port_pin(p, num) == d);
        CHECK(vb_port_pin_by_gpio(p, g) == d);
        if (board_name) CHECK(vb_port_pin(p, gp) == d);
        else CHECK(vb_port_pin(p, gp) == NULL);
        CHECK(d && !(d->flags & VB_PIN_BUTTON));
    }
    CHECK(vb_port_pin(p, "GP29") == NULL);
    CHECK(vb_port_pin(p, "GP30") == NULL);
    CHECK(vb_port_pin(p, "30") == NULL);          /* BOOTSEL is no GPIO */
    CHECK(vb_port_pin(p, "GPIO30") == NULL);
    CHECK(vb_port_pin(p, "025") == NULL);
    CHECK(vb_port_pin(p, "+25") == NULL);
    CHECK(vb_port_pin(p, "") == NULL);
    CHECK(vb_port_pin(p, NULL) == NULL);
    const vb_pin_def *bs = vb_port_pin(p, "BOOTSEL");
    CHECK(bs != NULL && (bs->flags & VB_PIN_BUTTON) && bs->gpio == 30);
    CHECK(p->strap_pin && strcmp(p->strap_pin, "BOOTSEL") == 0);
    CHECK(p->safe_boot_pin == NULL);
    CHECK(p->download_kind == VB_DOWNLOAD_USB_MSC && p->download_text[0] == '\0');
    CHECK(p->repl_link == VB_LINK_USB_CDC);
}

static void test_pins_esp32_pycom(void)
{
    const vb_port *e = &vb_port_esp32, *y = &vb_port_pycom;
    CHECK(vb_port_pin(e, "GPIO4") == vb_port_pin(e, "4"));
    CHECK(vb_port_pin(e, "4")->gpio == 4);
    CHECK(vb_port_pin(e, "20") == NULL);          /* the ESP32 has no GPIO 20 */
    CHECK(vb_port_pin(e, "35")->flags & VB_PIN_INPUT_ONLY);
    CHECK(strcmp(e->strap_pin, "GPIO0") == 0 && vb_port_pin(e, e->strap_pin)->gpio == 0);
    CHECK(e->led_kind == VB_LED_GPIO && e->led_gpio == 2 && e->led_rgb == 0x0000FFu);
    CHECK(e->repl_link == VB_LINK_UART && e->download_kind == VB_DOWNLOAD_UART_ROM);
    /* Pycom: names only, G aliases, P2 = G23 = GPIO0 the strap, P12 safe boot */
    CHECK(vb_port_pin(y, "P12") == vb_port_pin(y, "G28"));
    CHECK(vb_port_pin(y, "P12")->gpio == 21);
    CHECK(vb_port_pin(y, "21") == NULL);
    CHECK(vb_port_pin(y, "GPIO21") == NULL);
    CHECK(vb_port_pin(y, y->strap_pin) == vb_port_pin(y, "G23"));
    CHECK(vb_port_pin(y, y->safe_boot_pin)->gpio == 21);
    CHECK(y->led_kind == VB_LED_RGB && y->led_gpio == -1);
    CHECK(vb_port_pin_by_gpio(y, 0) == vb_port_pin(y, "P2"));
    CHECK(vb_port_pin_by_gpio(y, 6) == NULL);
}

static void test_identity_and_fs(void)
{
    /* the real ports' strings are the tables' truth */
    CHECK_STR(vb_port_rp2.ident.platform, "rp2");
    CHECK_STR(vb_port_rp2.ident.board, "Raspberry Pi Pico");
    CHECK_STR(vb_port_rp2.ident.mcu, "RP2040");
    CHECK_STR(vb_port_esp32.ident.platform, "esp32");
    CHECK_STR(vb_port_esp32.ident.board, "Generic ESP32 module");
    CHECK_STR(vb_port_esp32.ident.mcu, "ESP32");
    CHECK_STR(vb_port_esp32.ident.build_date, "2024-11-29");
    CHECK_STR(vb_port_pycom.ident.platform, "WiPy");
    CHECK_STR(vb_port_pycom.ident.board, "WiPy");
    CHECK_STR(vb_port_pycom.ident.mcu, "ESP32");

    /* the ROM's text at hard resets: the esp32's names each cause, never a soft reset */
    CHECK(strstr(vb_port_esp32.rom_boot_text[VB_CAUSE_HARD], "rst:0xc (SW_CPU_RESET),boot:0x13") != NULL);
    CHECK(strstr(vb_port_esp32.rom_boot_text[VB_CAUSE_PWRON], "rst:0x1 (POWERON_RESET),") != NULL);
    CHECK(strstr(vb_port_esp32.rom_boot_text[VB_CAUSE_DEEPSLEEP], "rst:0x5 (DEEPSLEEP_RESET),") != NULL);
    static const char brownout[] = "\r\nBrownout detector was triggered\r\n\r\nets ";
    CHECK(strncmp(vb_port_esp32.rom_boot_text[VB_CAUSE_BROWNOUT], brownout, sizeof brownout - 1) == 0);
    for (int c = 0; c < VB_CAUSE_COUNT; c++) {
        CHECK(vb_port_esp32.rom_boot_text[c] == NULL || strncmp(strstr(vb_port_esp32.rom_boot_text[c], "ets "),
                                                                "ets Jul 29 2019 12:21:46\r\n\r\nrst:", 32) == 0);
        CHECK(vb_port_rp2.rom_boot_text[c] == NULL && vb_port_pycom.rom_boot_text[c] == NULL);
    }
    CHECK(vb_port_esp32.rom_boot_text[VB_CAUSE_SOFT] == NULL);

    /* filesystems: what the real ports keep, and how _boot mounts it */
    CHECK(vb_port_esp32.fs_type == VB_FS_LFS2 && vb_port_esp32.lfs2_prog_size == 32);
    CHECK(vb_port_rp2.fs_type == VB_FS_LFS2 && vb_port_rp2.lfs2_prog_size == 256);
    CHECK(vb_port_pycom.fs_type == VB_FS_FAT);
    CHECK(vb_port_esp32.fs_autodetect && !vb_port_rp2.fs_autodetect && !vb_port_pycom.fs_autodetect);
    CHECK(vb_port_esp32.first_boot == VB_FIRST_BOOT_FORMAT_IF_ERASED);
    CHECK(vb_port_rp2.first_boot == VB_FIRST_BOOT_FORMAT_ON_FAILURE);
    CHECK(vb_port_pycom.first_boot == VB_FIRST_BOOT_FORMAT_IF_NO_FS);
    CHECK_EQ(vb_port_rp2.n_default_files, 0);           /* no boot.py on rp2 */
    CHECK_STR(vb_port_rp2.mount_point, "/");
    CHECK_STR(vb_port_rp2.sys_path[0], "");
    CHECK_STR(vb_port_rp2.sys_path[1], "/lib");
    CHECK(vb_port_rp2.sys_path[2] == NULL);
    CHECK_STR(vb_port_pycom.sys_path[1], "/flash");
    CHECK_STR(vb_port_rp2.frozen_entry, ".frozen");
    CHECK_STR(vb_port_pycom.frozen_entry, "");
    CHECK_STR(vb_port_rp2.soft_reboot_line, "MPY: soft reboot\r\n");
    CHECK_STR(vb_port_pycom.soft_reboot_line, "PYB: soft reboot\r\n");
}

static void expect_invalid(const vb_port *p, const char *what)
{
    char err[VB_ERR_LEN] = "";
    int rc = vb_port_validate(p, err, sizeof err);
    CHECK_EQ(rc, -EINVAL);
    CHECK(err[0] != '\0');
    if (rc != -EINVAL) fprintf(stderr, "  (accepted: %s)\n", what);
}

static void test_validate_errors(void)
{
    vb_port p;
    vb_pin_def pins[40];
    vb_port_const consts[32];
#define RESET(base) do { p = (base); memcpy(pins, (base).pins, (base).n_pins * sizeof pins[0]); \
    p.pins = pins; unsigned n_ = 0; while ((base).machine_consts[n_].name) n_++; \
    memcpy(consts, (base).machine_consts, (n_ + 1) * sizeof consts[0]); p.machine_consts = consts; } while (0)

    CHECK_EQ(vb_port_validate(NULL, NULL, 0), -EINVAL);
    /* unbroken copies pass */
    RESET(vb_port_rp2); CHECK_EQ(vb_port_validate(&p, NULL, 0), 0);
    RESET(vb_port_esp32); CHECK_EQ(vb_port_validate(&p, NULL, 0), 0);
    RESET(vb_port_pycom); CHECK_EQ(vb_port_validate(&p, NULL, 0), 0);

    RESET(vb_port_rp2); p.name = ""; expect_invalid(&p, "no name");
    RESET(vb_port_rp2); p.module = NULL; expect_invalid(&p, "no module");
    RESET(vb_port_rp2); p.id = VB_PORT_COUNT; expect_invalid(&p, "unknown id");
    RESET(vb_port_rp2); p.cpu_freq_hz = 0; expect_invalid(&p, "no freq");
    RESET(vb_port_rp2); p.unique_id_len = 33; expect_invalid(&p, "unique id too long");
    RESET(vb_port_rp2); p.soft_reboot_line = "MPY: reboot\r\n"; expect_invalid(&p, "reboot line");
    RESET(vb_port_rp2); p.ident.build_date = "29-11-2024!"; expect_invalid(&p, "date");
    RESET(vb_port_rp2); p.ident.platform = NULL; expect_invalid(&p, "platform");
    /* the one table: every cause names one of its *_RESET constants, every
     * *_RESET constant is some cause's */
    RESET(vb_port_rp2); p.cause_const[VB_CAUSE_HARD] = "HARD_RESET"; expect_invalid(&p, "missing const");
    RESET(vb_port_rp2); p.cause_const[VB_CAUSE_WDT] = NULL; expect_invalid(&p, "cause without const");
    RESET(vb_port_esp32); p.cause_const[VB_CAUSE_HARD] = "PIN_WAKE"; expect_invalid(&p, "not a reset");
    RESET(vb_port_esp32); p.cause_const[VB_CAUSE_DEEPSLEEP] = "HARD_RESET"; expect_invalid(&p, "unused reset");
    RESET(vb_port_rp2); consts[1].name = "PWRON_RESET"; expect_invalid(&p, "twice");
    RESET(vb_port_rp2); p.machine_consts = NULL; expect_invalid(&p, "no constants");
    /* pins */
    RESET(vb_port_rp2); pins[3].gpio = 2; expect_invalid(&p, "shared register");
    RESET(vb_port_rp2); pins[4].name = "GP3"; expect_invalid(&p, "two names");
    RESET(vb_port_rp2); pins[0].alias = "LED"; expect_invalid(&p, "alias twice");
    RESET(vb_port_rp2); pins[0].gpio = 40; expect_invalid(&p, "register 40");
    RESET(vb_port_rp2); p.n_pins = 0; expect_invalid(&p, "no pins");
    RESET(vb_port_rp2); p.led_gpio = 30; expect_invalid(&p, "LED on the button");
    RESET(vb_port_rp2); p.led_rgb = 0; expect_invalid(&p, "LED colour");
    RESET(vb_port_esp32); p.led_gpio = 35; expect_invalid(&p, "LED on an input-only pin");
    RESET(vb_port_pycom); p.led_gpio = 3; expect_invalid(&p, "RGB LED with a GPIO");
    RESET(vb_port_rp2); p.strap_pin = "GP99"; expect_invalid(&p, "strap pin");
    RESET(vb_port_pycom); p.safe_boot_pin = "P99"; expect_invalid(&p, "safe-boot pin");
    RESET(vb_port_rp2); p.download_text = NULL; expect_invalid(&p, "download text");
    RESET(vb_port_rp2); pins[p.n_pins - 1].flags |= VB_PIN_CPU_ONLY; expect_invalid(&p, "CPU-only button");
    /* filesystem */
    RESET(vb_port_rp2); p.mount_point = "flash"; expect_invalid(&p, "relative mount");
    RESET(vb_port_rp2); p.lfs2_prog_size = 48; expect_invalid(&p, "prog size");
    RESET(vb_port_rp2); p.lfs2_read_size = 0; expect_invalid(&p, "read size");
    RESET(vb_port_esp32); p.corrupt_notice = NULL; expect_invalid(&p, "no corrupt notice");
    RESET(vb_port_esp32); p.n_default_files = 2; p.default_files = NULL; expect_invalid(&p, "files NULL");
    RESET(vb_port_pycom); p.n_default_dirs = 1; p.default_dirs = NULL; expect_invalid(&p, "dirs NULL");
    static const vb_default_file abs_file[] = {{.path = "/boot.py", .content = ""}};
    RESET(vb_port_rp2); p.default_files = abs_file; p.n_default_files = 1; expect_invalid(&p, "absolute file");
    RESET(vb_port_rp2); p.sys_path = NULL; expect_invalid(&p, "no sys.path");
    RESET(vb_port_rp2); p.frozen_entry = NULL; expect_invalid(&p, "no frozen entry");
#undef RESET

    /* a profile checks its port, and a safe-boot pin needs otadata */
    vb_profile prof = *vb_profile_find("rp2");
    vb_port broken = vb_port_rp2;
    broken.mount_point = "x";
    prof.port = &broken;
    char err[VB_ERR_LEN] = "";
    CHECK_EQ(vb_profile_validate(&prof, err, sizeof err), -EINVAL);
    CHECK(strstr(err, "rp2") != NULL && strstr(err, "mount point") != NULL);
    prof.port = &vb_port_pycom;
    CHECK_EQ(vb_profile_validate(&prof, err, sizeof err), -EINVAL);
    CHECK(strstr(err, "otadata") != NULL);
}

int main(void)
{
    RUN(test_ports_valid);
    RUN(test_reset_causes);
    RUN(test_pins_rp2);
    RUN(test_pins_esp32_pycom);
    RUN(test_identity_and_fs);
    RUN(test_validate_errors);
    return CHECK_DONE();
}
