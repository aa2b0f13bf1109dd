/* Opening and closing the image for a command: the one place that turns
 * open, mount and close failures into messages and exit codes. */
#include <stdio.h>

#include "cli.h"

int cli_open_image(const cli_args *a, const char *path, vb_image *im)
{
    char err[VB_ERR_LEN];
    if (vb_image_open(im, path, NULL, false, err, sizeof err) < 0) {
        cli_error(a, "%s", err);
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cli_open_fs(const cli_args *a, vb_image *im)
{
    char err[VB_ERR_LEN];
    int rc = cli_open_image(a, a->image, im);
    if (rc != CLI_OK)
        return rc;
    if (vb_image_mount(im, VB_FAT_NAMES_UTF8, err, sizeof err) < 0) {
        cli_error(a, "%s: %s", a->image, err);
        vb_image_close(im, NULL, 0);
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cli_close_image(const cli_args *a, vb_image *im, int rc)
{
    char err[VB_ERR_LEN];
    if (vb_image_close(im, err, sizeof err) < 0) {
        cli_error(a, "%s", err);
        if (rc == CLI_OK)
            rc = CLI_FAILED;
    }
    return rc;
}
