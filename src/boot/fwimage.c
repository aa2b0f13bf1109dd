/* Building, parsing and verifying firmware images (layout in fwimage.h). */
#include "fwimage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/crc32.h"
#include "util/errtext.h"
#include "util/le.h"
#include "util/sha256.h"

/* ---- names and versions ---------------------------------------------------- */

static bool is_ident_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_ident_char(char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* The name in p[0..n) is a module name (no NUL inside). */
static bool valid_name_bytes(const uint8_t *p, size_t n)
{
    if (n == 0 || n > VB_FW_NAME_MAX || !is_ident_start((char)p[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!is_ident_char((char)p[i]))
            return false;
    return true;
}

bool vb_fw_valid_name(const char *name)
{
    return valid_name_bytes((const uint8_t *)name, strlen(name));
}

bool vb_fw_valid_version(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > VB_FW_VERSION_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (v[i] < 0x20 || v[i] > 0x7E)
            return false;
    return true;
}

static uint32_t header_crc(const uint8_t *h)
{
    return vb_crc32(h, VB_FW_CRC_OFFSET, 0xFFFFFFFFu, 0xFFFFFFFFu);
}

/* ---- build ----------------------------------------------------------------- */

int vb_fw_build(const vb_fw_module *mods, unsigned n, const char *version, uint8_t **out,
                size_t *out_len, char *err, size_t errlen)
{
    *out = NULL;
    *out_len = 0;
    if (!version || !vb_fw_valid_version(version)) {
        vb_set_err(err, errlen, "bad firmware version '%s': it must be 1 to %d printable ASCII "
                   "characters", version ? version : "", VB_FW_VERSION_LEN);
        return -EINVAL;
    }
    if (n > VB_FW_MAX_MODULES) {
        vb_set_err(err, errlen, "too many modules (%u): a firmware image holds at most %d", n,
                   VB_FW_MAX_MODULES);
        return -EINVAL;
    }
    bool have_boot = false;
    uint64_t payload = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!vb_fw_valid_name(mods[i].name)) {
            vb_set_err(err, errlen, "bad module name '%s': module names are Python identifiers "
                       "([A-Za-z_][A-Za-z0-9_]*, at most %d characters)", mods[i].name,
                       VB_FW_NAME_MAX);
            return -EINVAL;
        }
        for (unsigned j = 0; j < i; j++)
            if (strcmp(mods[i].name, mods[j].name) == 0) {
                vb_set_err(err, errlen, "module '%s' is given twice", mods[i].name);
                return -EINVAL;
            }
        have_boot |= strcmp(mods[i].name, "_boot") == 0;
        payload += VB_FW_ENTRY_LEN + strlen(mods[i].name) + (uint64_t)mods[i].len;
    }
    if (!have_boot) {
        vb_set_err(err, errlen, "a firmware image needs a _boot module");
        return -EINVAL;
    }
    if (VB_FW_HEADER_LEN + payload > UINT32_MAX) {
        vb_set_err(err, errlen, "the modules add up to %llu bytes: a firmware image holds less "
                   "than 4 GiB", (unsigned long long)payload);
        return -EFBIG;
    }
    size_t total = VB_FW_HEADER_LEN + (size_t)payload;
    uint8_t *b = malloc(total);
    if (!b) {
        vb_set_err(err, errlen, "out of memory for a firmware image of %zu bytes", total);
        return -ENOMEM;
    }
    uint8_t *p = b + VB_FW_HEADER_LEN;
    for (unsigned i = 0; i < n; i++) {
        size_t nl = strlen(mods[i].name);
        vb_st16(p, (uint16_t)nl);
        vb_st32(p + 2, mods[i].len);
        memcpy(p + VB_FW_ENTRY_LEN, mods[i].name, nl);
        if (mods[i].len)
            memcpy(p + VB_FW_ENTRY_LEN + nl, mods[i].data, mods[i].len);
        p += VB_FW_ENTRY_LEN + nl + mods[i].len;
    }
    memset(b, 0, VB_FW_HEADER_LEN);
    memcpy(b, VB_FW_MAGIC, 4);
    vb_st16(b + 4, VB_FW_FORMAT);
    vb_st16(b + 6, VB_FW_HEADER_LEN);
    vb_st32(b + 8, (uint32_t)payload);
    vb_st32(b + 12, n);
    memcpy(b + 16, version, strlen(version));
    vb_sha256(b + VB_FW_HEADER_LEN, (size_t)payload, b + 48);
    vb_st32(b + VB_FW_CRC_OFFSET, header_crc(b));
    *out = b;
    *out_len = total;
    return 0;
}

/* ---- parse ----------------------------------------------------------------- */

/* The version field: printable ASCII, then NULs only; at least one byte. */
static bool parse_version(const uint8_t *f, char out[VB_FW_VERSION_LEN + 1])
{
    size_t n = 0;
    while (n < VB_FW_VERSION_LEN && f[n])
        n++;
    for (size_t i = n; i < VB_FW_VERSION_LEN; i++)
        if (f[i])
            return false;
    memcpy(out, f, n);
    out[n] = '\0';
    return vb_fw_valid_version(out);
}

/* The payload's entries, after the digest matched: a mismatch here means
 * the image was built wrongly, not torn. */
static int parse_entries(const uint8_t *pl, uint32_t plen, unsigned count, vb_fw_image *img,
                         char *err, size_t errlen)
{
    uint32_t at = 0;
    for (unsigned i = 0; i < count; i++) {
        if (plen - at < VB_FW_ENTRY_LEN) {
            vb_set_err(err, errlen, "module entry %u runs past the end of the payload", i + 1);
            return -EBADMSG;
        }
        uint16_t nl = vb_ld16(pl + at);
        uint32_t sl = vb_ld32(pl + at + 2);
        at += VB_FW_ENTRY_LEN;
        if (nl > plen - at || sl > plen - at - nl) {
            vb_set_err(err, errlen, "module entry %u runs past the end of the payload", i + 1);
            return -EBADMSG;
        }
        if (!valid_name_bytes(pl + at, nl)) {
            vb_set_err(err, errlen, "module entry %u has an invalid name", i + 1);
            return -EBADMSG;
        }
        memcpy(img->names[i], pl + at, nl);
        img->names[i][nl] = '\0';
        for (unsigned j = 0; j < i; j++)
            if (strcmp(img->names[i], img->names[j]) == 0) {
                vb_set_err(err, errlen, "module '%s' appears twice", img->names[i]);
                return -EBADMSG;
            }
        img->modules[i] = (vb_fw_module){img->names[i], pl + at + nl, sl};
        at += nl + sl;
    }
    if (at != plen) {
        vb_set_err(err, errlen, "%u bytes after the last module entry", plen - at);
        return -EBADMSG;
    }
    img->n_modules = count;
    if (!vb_fw_find(img, "_boot")) {
        vb_set_err(err, errlen, "the image has no _boot module");
        return -EBADMSG;
    }
    return 0;
}

int vb_fw_parse(const uint8_t *buf, size_t len, vb_fw_image *img, char *err, size_t errlen)
{
    memset(img, 0, sizeof *img);
    if (len < 4 || memcmp(buf, VB_FW_MAGIC, 4) != 0) {
        vb_set_err(err, errlen, "not a vboard firmware image (no VBFW header%s)",
                   len >= 4 && memcmp(buf, "\xFF\xFF\xFF\xFF", 4) == 0 ? "; erased" : "");
        return -EINVAL;
    }
    if (len < VB_FW_HEADER_LEN) {
        vb_set_err(err, errlen, "firmware header cut short: %zu of %d bytes", len, VB_FW_HEADER_LEN);
        return -EFBIG;
    }
    uint32_t crc = vb_ld32(buf + VB_FW_CRC_OFFSET);
    if (crc != header_crc(buf)) {
        vb_set_err(err, errlen, "firmware header CRC mismatch (torn or corrupt header)");
        return -EBADMSG;
    }
    uint16_t format = vb_ld16(buf + 4), hsize = vb_ld16(buf + 6);
    uint32_t plen = vb_ld32(buf + 8), count = vb_ld32(buf + 12);
    if (format != VB_FW_FORMAT) {
        vb_set_err(err, errlen, "firmware format %u is not supported (this vboard reads format %d)",
                   format, VB_FW_FORMAT);
        return -EBADMSG;
    }
    if (hsize != VB_FW_HEADER_LEN) {
        vb_set_err(err, errlen, "firmware header size %u, expected %d for format %d", hsize,
                   VB_FW_HEADER_LEN, VB_FW_FORMAT);
        return -EBADMSG;
    }
    if (count == 0 || count > VB_FW_MAX_MODULES) {
        vb_set_err(err, errlen, "firmware module count %u is out of range (1..%d)", count,
                   VB_FW_MAX_MODULES);
        return -EBADMSG;
    }
    if ((uint64_t)plen > UINT32_MAX - VB_FW_HEADER_LEN) {
        vb_set_err(err, errlen, "firmware payload length %u is out of range", plen);
        return -EBADMSG;
    }
    if (!parse_version(buf + 16, img->version)) {
        vb_set_err(err, errlen, "firmware version field is not printable ASCII");
        return -EBADMSG;
    }
    uint64_t total = (uint64_t)hsize + plen;
    if (total > len) {
        vb_set_err(err, errlen, "firmware image claims %llu bytes but only %zu are there "
                   "(truncated, or too big for the slot)", (unsigned long long)total, len);
        return -EFBIG;
    }
    uint8_t digest[32];
    vb_sha256(buf + hsize, plen, digest);
    if (memcmp(digest, buf + 48, sizeof digest) != 0) {
        vb_set_err(err, errlen, "firmware payload digest mismatch (torn or corrupt payload)");
        return -EBADMSG;
    }
    img->total_len = (uint32_t)total;
    int rc = parse_entries(buf + hsize, plen, count, img, err, errlen);
    if (rc < 0)
        memset(img, 0, sizeof *img);   /* no half-filled result */
    return rc;
}

const vb_fw_module *vb_fw_find(const vb_fw_image *img, const char *name)
{
    for (unsigned i = 0; i < img->n_modules; i++)
        if (strcmp(img->modules[i].name, name) == 0)
            return &img->modules[i];
    return NULL;
}

/* ---- the built-in factory image ---------------------------------------------- */

const uint8_t *vb_fw_factory(size_t *len)
{
    /* Built once and never changed afterwards, and every caller (image
     * creation, the bootloader) is single-threaded: a lazily filled static
     * is as good as a constant and keeps the format in one place (build). */
    static uint8_t *image;
    static size_t image_len;
    if (!image) {
        static const char boot_src[] =
            "# _boot.py -- always run on boot-up, even during safe boot\nimport os\n";
        const vb_fw_module mods[] = {
            {"_boot", (const uint8_t *)boot_src, (uint32_t)(sizeof boot_src - 1)},
        };
        if (vb_fw_build(mods, 1, VB_FW_FACTORY_VERSION, &image, &image_len, NULL, 0) < 0)
            return NULL;
    }
    *len = image_len;
    return image;
}
