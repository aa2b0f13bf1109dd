"""A FAT volume on the esp32 board's layout, as vboard made them before the
esp32 port moved to littlefs (issue 12): what `vboard image create --board
generic` left until then, and what old vboard flash files still hold. The
host tools must keep reading and writing them (the region is autodetected:
no littlefs magic, so FAT).

Made as flash.md §3 specifies FatFs's mkfs (mkfs.fat with its fields, as
test_foreign_images.py does; the geometry is the one vboard wrote: 4 KiB
sectors, FAT12, 506 clusters), put into a fresh image's filesystem region,
plus inisetup.py's boot.py as the old first boot wrote it."""
from conftest import PROFILES, embed, fatfs_geometry, mkfs_fat, vb


def make_esp32_fat(path):
    """A new esp32 image at `path` whose filesystem region is FAT with boot.py."""
    p = PROFILES["generic"]
    vb("image", "create", "--board", "esp32", path)
    boot_py = vb("fs", path, "cat", "boot.py").out      # the port's default file, from littlefs
    g = fatfs_geometry(p["fs_size"] // p["ss"], p["ss"])
    vol = path.parent / (path.name + ".fat")
    mkfs_fat(vol, p["fs_size"] // 1024, p["ss"], g["spc"], fats=1, bits=g["bits"])
    embed(path, vol.read_bytes(), "generic")
    vol.unlink()
    src = path.parent / (path.name + ".boot.py")
    src.write_bytes(boot_py)
    vb("fs", path, "cp", src, ":boot.py")
    src.unlink()
    return path


def fat_image_factory(image, tmp_path):
    """Wrap conftest's `image` factory: the generic (esp32) board gets a FAT
    region as above; other boards are made by `vboard image create`."""
    def make(board="generic", name=None):
        if board not in ("generic", "esp32"):
            return image(board, name)
        return make_esp32_fat(tmp_path / (name or ("%s.bin" % board)))
    return make
