/* take-screenshot's comparison (cli_test.h): a PNG of any colour type read
 * as 8-bit grey with Debian's libpng, and two pictures compared pixel by
 * pixel. A reference made by another tool (Wokwi's, an editor's) reads as
 * the board's own: colour becomes its luminance, alpha is dropped. */
#include "cli_test.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PNG_SIDE_MAX 4096u         /* a display's picture; a bigger one is no reference */

/* libpng reports through longjmp; the message is kept for the sentence. */
static void png_fail(png_structp png, png_const_charp msg)
{
    char *err = png_get_error_ptr(png);
    snprintf(err, 160, "%s", msg);
    png_longjmp(png, 1);
}

static void png_warn(png_structp png, png_const_charp msg) { (void)png, (void)msg; }

int tb_png_grey(const char *path, uint8_t **px, unsigned *w, unsigned *h, char *err, size_t errlen)
{
    *px = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read %.200s: %s", path, strerror(errno));
        return -1;
    }
    char why[160] = "";
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, why, png_fail, png_warn);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    uint8_t *volatile buf = NULL;
    png_bytep *volatile rows = NULL;
    if (!info) {
        snprintf(err, errlen, "out of memory reading %.200s", path);
        goto fail;
    }
    if (setjmp(png_jmpbuf(png))) {
        snprintf(err, errlen, "%.200s is not a PNG it can read: %s", path, why);
        goto fail;
    }
    png_init_io(png, f);
    png_read_info(png, info);
    png_uint_32 pw = png_get_image_width(png, info), ph = png_get_image_height(png, info);
    if (pw == 0 || ph == 0 || pw > PNG_SIDE_MAX || ph > PNG_SIDE_MAX) {
        snprintf(err, errlen, "%.200s is %ux%u pixels: no display's picture", path, (unsigned)pw, (unsigned)ph);
        goto fail;
    }
    png_byte type = png_get_color_type(png, info);
    png_set_strip_16(png);
    png_set_strip_alpha(png);
    png_set_packing(png);
    if (type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (type == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(png, info) < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (type & PNG_COLOR_MASK_COLOR || type == PNG_COLOR_TYPE_PALETTE) png_set_rgb_to_gray_fixed(png, 1, -1, -1);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != pw) {
        snprintf(err, errlen, "%.200s: cannot read it as grey", path);
        goto fail;
    }
    buf = malloc((size_t)pw * ph);
    rows = malloc(ph * sizeof *rows);
    if (!buf || !rows) {
        snprintf(err, errlen, "out of memory reading %.200s", path);
        goto fail;
    }
    for (png_uint_32 y = 0; y < ph; y++) rows[y] = buf + (size_t)y * pw;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    fclose(f);
    *px = buf;
    *w = pw;
    *h = ph;
    return 0;
fail:
    png_destroy_read_struct(&png, info ? &info : NULL, NULL);
    free(buf);
    free(rows);
    fclose(f);
    return -1;
}
