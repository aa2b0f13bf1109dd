/* The Pycom bootloader's decisions (src/boot/bootsel.h) against
 * flash.md §2.1 and boot.md §5-6, scenario by scenario. */
#include <string.h>

#include "boot/bootsel.h"
#include "check.h"

static vb_otadata rec_of(uint32_t active, uint32_t status, uint32_t prev, uint32_t safeboot)
{
    vb_otadata r;
    memset(&r, 0xFF, sizeof r);
    r.active_img = active;
    r.status = status;
    r.prev_img = prev;
    r.safeboot = safeboot;
    return r;
}

/* verify() stub: the slots whose images are valid, as a bit mask. */
static bool verify_mask(void *ctx, uint32_t img) { return (*(unsigned *)ctx >> img) & 1u; }

static void test_check_pending_good_image(void)
{
    unsigned valid = 1u << VB_OTA_IMG_OTA_0 | 1u << VB_OTA_IMG_FACTORY;
    vb_otadata r = rec_of(VB_OTA_IMG_OTA_0, VB_OTA_STATUS_CHECK, VB_OTA_IMG_FACTORY, 0);
    bool rb;
    CHECK(vb_boot_check_pending(&r, verify_mask, &valid, &rb));
    CHECK(!rb);
    CHECK_EQ(r.active_img, VB_OTA_IMG_OTA_0);
    CHECK_EQ(r.prev_img, VB_OTA_IMG_FACTORY);
    CHECK_EQ(r.status, VB_OTA_STATUS_READY);
    CHECK(!vb_boot_check_pending(&r, verify_mask, &valid, &rb));   /* READY: nothing to do */
}

static void test_check_pending_bad_image_rolls_back(void)
{
    unsigned valid = 1u << VB_OTA_IMG_FACTORY;                 /* ota_0 torn */
    vb_otadata r = rec_of(VB_OTA_IMG_OTA_0, VB_OTA_STATUS_CHECK, VB_OTA_IMG_FACTORY, 0);
    bool rb;
    CHECK(vb_boot_check_pending(&r, verify_mask, &valid, &rb));
    CHECK(rb);
    CHECK_EQ(r.active_img, VB_OTA_IMG_FACTORY);
    CHECK_EQ(r.prev_img, VB_OTA_IMG_OTA_0);
    CHECK_EQ(r.status, VB_OTA_STATUS_READY);
}

static void test_check_pending_folds_update2(void)
{
    unsigned valid = 1u << VB_OTA_IMG_FACTORY;
    vb_otadata r = rec_of(VB_OTA_IMG_UPDATE2, VB_OTA_STATUS_CHECK, VB_OTA_IMG_OTA_0, 0);
    bool rb;
    CHECK(vb_boot_check_pending(&r, verify_mask, &valid, &rb));
    CHECK(!rb);
    CHECK_EQ(r.active_img, VB_OTA_IMG_FACTORY);                /* 2 folded to 0 */
    valid = 1u << VB_OTA_IMG_OTA_0;                            /* now the factory slot is bad */
    r = rec_of(VB_OTA_IMG_UPDATE2, VB_OTA_STATUS_CHECK, VB_OTA_IMG_OTA_0, 0);
    CHECK(vb_boot_check_pending(&r, verify_mask, &valid, &rb));
    CHECK(rb);
    CHECK_EQ(r.active_img, VB_OTA_IMG_OTA_0);
    CHECK_EQ(r.prev_img, VB_OTA_IMG_FACTORY);
}

static void test_safeboot_flag_machine(void)
{
    vb_otadata r = rec_of(0, VB_OTA_STATUS_READY, 0, VB_OTA_SAFEBOOT_NONE);
    bool safe;
    CHECK(!vb_boot_safeboot_flag(&r, false, &safe));            /* normal boots: untouched */
    CHECK(!safe);
    CHECK(vb_boot_safeboot_flag(&r, true, &safe));              /* pin: store 1 */
    CHECK(safe);
    CHECK_EQ(r.safeboot, VB_OTA_SAFEBOOT_HW);
    CHECK(!vb_boot_safeboot_flag(&r, true, &safe));             /* held again: same */
    CHECK(vb_boot_safeboot_flag(&r, false, &safe));             /* next boot without: cleared */
    CHECK(!safe);
    CHECK_EQ(r.safeboot, VB_OTA_SAFEBOOT_NONE);
    r.safeboot = VB_OTA_SAFEBOOT_SW;                            /* software request */
    CHECK(vb_boot_safeboot_flag(&r, false, &safe));
    CHECK(safe);                                                /* exactly one safe boot... */
    CHECK_EQ(r.safeboot, VB_OTA_SAFEBOOT_HW);
    CHECK(vb_boot_safeboot_flag(&r, false, &safe));
    CHECK(!safe);                                               /* ...then normal */
    r.safeboot = VB_OTA_SAFEBOOT_SW;                            /* request + pin held */
    CHECK(vb_boot_safeboot_flag(&r, true, &safe));
    CHECK(safe);
    CHECK_EQ(r.safeboot, VB_OTA_SAFEBOOT_HW);
}

static void test_image_choice_is_local(void)
{
    vb_otadata r = rec_of(VB_OTA_IMG_OTA_0, VB_OTA_STATUS_READY, VB_OTA_IMG_FACTORY, 0);
    CHECK_EQ(vb_boot_image(&r, VB_SAFE_NONE), VB_OTA_IMG_OTA_0);
    CHECK_EQ(vb_boot_image(&r, VB_SAFE_CURRENT), VB_OTA_IMG_OTA_0);
    CHECK_EQ(vb_boot_image(&r, VB_SAFE_PREVIOUS), VB_OTA_IMG_FACTORY);
    CHECK_EQ(vb_boot_image(&r, VB_SAFE_FACTORY), VB_OTA_IMG_FACTORY);
    CHECK_EQ(r.active_img, VB_OTA_IMG_OTA_0);                   /* never written back */
    r = rec_of(VB_OTA_IMG_FACTORY, VB_OTA_STATUS_READY, VB_OTA_IMG_OTA_0, 0);
    CHECK_EQ(vb_boot_image(&r, VB_SAFE_PREVIOUS), VB_OTA_IMG_OTA_0);
}

static void test_ota_slots_alternate(void)
{
    vb_otadata r = rec_of(VB_OTA_IMG_FACTORY, VB_OTA_STATUS_READY, VB_OTA_IMG_FACTORY, 0);
    CHECK_EQ(vb_ota_target(&r), VB_OTA_IMG_OTA_0);              /* from factory: ota_0 */
    vb_ota_finish_record(&r, 1234);
    CHECK_EQ(r.active_img, VB_OTA_IMG_OTA_0);
    CHECK_EQ(r.prev_img, VB_OTA_IMG_FACTORY);
    CHECK_EQ(r.status, VB_OTA_STATUS_CHECK);
    CHECK_EQ(r.size, 1234);
    CHECK_EQ(vb_ota_target(&r), VB_OTA_IMG_OTA_0);              /* CHECK: rewrite the pending one */
    vb_ota_finish_record(&r, 99);                               /* already CHECK: slots kept */
    CHECK_EQ(r.active_img, VB_OTA_IMG_OTA_0);
    CHECK_EQ(r.prev_img, VB_OTA_IMG_FACTORY);
    CHECK_EQ(r.size, 99);
    r.status = VB_OTA_STATUS_READY;                             /* booted fine */
    CHECK_EQ(vb_ota_target(&r), VB_OTA_IMG_UPDATE2);            /* from ota_0: the factory slot */
    vb_ota_finish_record(&r, 5);
    CHECK_EQ(r.active_img, VB_OTA_IMG_UPDATE2);
    CHECK_EQ(r.prev_img, VB_OTA_IMG_OTA_0);
    CHECK(vb_ota_img_is_factory(r.active_img));
}

int main(void)
{
    RUN(test_check_pending_good_image);
    RUN(test_check_pending_bad_image_rolls_back);
    RUN(test_check_pending_folds_update2);
    RUN(test_safeboot_flag_machine);
    RUN(test_image_choice_is_local);
    RUN(test_ota_slots_alternate);
    return CHECK_DONE();
}
