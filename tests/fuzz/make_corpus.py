#!/usr/bin/env python3
"""Generate the seed corpus of tests/fuzz/fuzz_fat_mount.c into tests/fuzz/corpus/.

Each corpus file is one configuration byte (see fuzz_fat_mount.c) followed by
the start of a device image. The images are tiny FAT volumes made with
mkfs.fat and filled with mtools (long names, subdirectories, multi-cluster
files, deleted entries), a FatFs-style variant (MSDOS5.0, one FAT, 0xFF data
area), a FAT16 volume, an MBR-partitioned one, and deliberately damaged
copies: looping FAT and directory chains, out-of-range and reserved cluster
numbers, files larger than their chain, bad name bytes, broken long-name
slots, a directory that contains its parent, mismatched FAT copies, random
boot-sector fields, truncations. Trailing fill bytes are cut (the harness's
device reads them back as the fill byte), so the corpus stays small.

Usage: tests/fuzz/make_corpus.py [OUTDIR]     (needs mkfs.fat and mtools)
Deterministic: the same tools give the same files.
"""
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# SOURCE_DATE_EPOCH fixes the time stamps mtools writes: same tools, same bytes
ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1", LC_ALL="C.UTF-8")
ENV.setdefault("SOURCE_DATE_EPOCH", "1700000000")

# configuration byte (fuzz_fat_mount.c)
SS4096, WRITE, UTF8, FILL00 = 0x01, 0x02, 0x10, 0x20
DEV_INPUT, DEV_256K, DEV_4M, DEV_16M = 0 << 2, 1 << 2, 2 << 2, 3 << 2


def run(*args):
    subprocess.run(args, check=True, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class Vol:
    """A FAT12/16 image in memory with just enough parsing to damage it."""

    def __init__(self, data):
        self.b = bytearray(data)
        b = self.b
        self.ss = struct.unpack_from("<H", b, 11)[0]
        self.spc = b[13]
        self.reserved = struct.unpack_from("<H", b, 14)[0]
        self.nfats = b[16]
        self.root_entries = struct.unpack_from("<H", b, 17)[0]
        total = struct.unpack_from("<H", b, 19)[0] or struct.unpack_from("<I", b, 32)[0]
        self.fat_size = struct.unpack_from("<H", b, 22)[0]
        self.root_start = self.reserved + self.nfats * self.fat_size
        self.data_start = self.root_start + self.root_entries * 32 // self.ss
        self.clusters = (total - self.data_start) // self.spc
        self.bits = 12 if self.clusters <= 4085 else 16

    def fat_off(self, k=0):
        return (self.reserved + k * self.fat_size) * self.ss

    def get(self, n):
        o = self.fat_off()
        if self.bits == 16:
            return struct.unpack_from("<H", self.b, o + 2 * n)[0]
        w = struct.unpack_from("<H", self.b, o + n * 3 // 2)[0]
        return w >> 4 if n & 1 else w & 0xFFF

    def put(self, n, v, fats=None):
        for k in range(self.nfats) if fats is None else fats:
            o = self.fat_off(k)
            if self.bits == 16:
                struct.pack_into("<H", self.b, o + 2 * n, v)
                continue
            p = o + n * 3 // 2
            w = struct.unpack_from("<H", self.b, p)[0]
            w = (w & 0x000F) | (v << 4) if n & 1 else (w & 0xF000) | v
            struct.pack_into("<H", self.b, p, w)

    def chain(self, c):
        out = []
        while 2 <= c < self.clusters + 2 and len(out) <= self.clusters:
            out.append(c)
            c = self.get(c)
        return out

    def coff(self, c):
        return (self.data_start + (c - 2) * self.spc) * self.ss

    def entries(self, start=0):
        """(offset, raw 32 bytes) of the 8.3 entries of a directory."""
        if start == 0:
            base = self.root_start * self.ss
            offs = [base + 32 * i for i in range(self.root_entries)]
        else:
            offs = [self.coff(c) + 32 * i for c in self.chain(start)
                    for i in range(self.ss * self.spc // 32)]
        for o in offs:
            e = self.b[o:o + 32]
            if e[0] == 0:
                return
            if e[0] == 0xE5 or e[11] & 0x3F == 0x0F:
                continue
            yield o, e

    def find(self, name, start=0):
        for o, e in self.entries(start):
            if e[0:11] == name:
                return o
        raise KeyError(name)

    def clus(self, o):
        return struct.unpack_from("<H", self.b, o + 26)[0]


def trimmed(data, fill):
    end = len(data)
    while end and data[end - 1] == fill:
        end -= 1
    return bytes(data[:end])


def mkfs(path, kib, ss, spc, fats=1, bits=12, label=None):
    args = ["mkfs.fat", "-C", "-a", "-f", str(fats), "-r", "512", "-R", "1", "-M", "0xF8",
            "-g", "255/63", "-D", "0x80", "-i", "12345678", "-F", str(bits), "-S", str(ss),
            "-s", str(spc), "-h", "0"]
    if label:
        args += ["-n", label]
    run(*args, path, str(kib))


def populate(img, tmp, rng, many_in_sub=20, sub_size=30, main_size=3000, mixed=True):
    """Files and directories through mtools."""
    def put(size, dest, zero=False):
        p = os.path.join(tmp, "src")
        with open(p, "wb") as f:
            f.write(bytes(size) if zero else bytes(rng.getrandbits(8) for _ in range(size)))
        run("mcopy", "-i", img, p, "::" + dest)

    run("mmd", "-i", img, "::/lib", "::/lib/deep", "::/sub")
    put(40, "/boot.py")
    put(main_size, "/main.py")
    put(700, "/A Long File Name module.py")
    if mixed:
        put(10, "/MixedCase.Txt")
    put(1500, "/lib/deep/config.json")
    for i in range(many_in_sub):   # enough entries for a multi-cluster directory
        put(sub_size + i if sub_size else 0, "/sub/file number %02d.txt" % i)
    # deleted entries leave E5 holes (zero data: trimmed from the corpus)
    put(100, "/gone.txt", zero=True)
    put(100, "/another long name to delete.txt", zero=True)
    run("mdel", "-i", img, "::/gone.txt", "::/another long name to delete.txt")


def damaged(base, rng):
    """(name, bytes) variants of a populated volume."""
    out = []

    def variant(name, fn):
        v = Vol(base)
        try:
            fn(v)
        except (KeyError, IndexError):
            return
        out.append((name, bytes(v.b)))

    def loop_file(v):  # last cluster of main.py -> first
        ch = v.chain(v.clus(v.find(b"MAIN    PY ")))
        v.put(ch[-1], ch[0])
    variant("loop-fat-chain", loop_file)

    def self_loop(v):
        c = v.clus(v.find(b"MAIN    PY "))
        v.put(c, c)
    variant("self-loop-cluster", self_loop)

    def loop_dir(v):
        ch = v.chain(v.clus(v.find(b"SUB        ")))
        v.put(ch[-1], ch[0])
    variant("loop-dir-chain", loop_dir)

    def range_entry(v):
        struct.pack_into("<H", v.b, v.find(b"MAIN    PY ") + 26, v.clusters + 40)
        struct.pack_into("<H", v.b, v.find(b"LIB        ") + 26, 0xFFF0 if v.bits == 16 else 0xFF0)
    variant("cluster-out-of-range", range_entry)

    def range_chain(v):
        c = v.clus(v.find(b"MAIN    PY "))
        v.put(c, v.clusters + 5)
    variant("chain-out-of-range", range_chain)

    def reserved_in_chain(v):  # 0 and 1 inside a chain, a bad-cluster mark
        ch = v.chain(v.clus(v.find(b"MAIN    PY ")))
        v.put(ch[0], 1)
        c2 = v.clus(v.find(b"BOOT    PY "))
        v.put(c2, 0)
        struct.pack_into("<I", v.b, v.find(b"BOOT    PY ") + 28, 5000)
        d = v.chain(v.clus(v.find(b"SUB        ")))
        v.put(d[0], 0xFFF7 if v.bits == 16 else 0xFF7)
    variant("reserved-values-in-chain", reserved_in_chain)

    def too_big(v):
        o = v.find(b"MAIN    PY ")
        struct.pack_into("<I", v.b, o + 28, 0xFFFFFFF0)
        o = v.find(b"BOOT    PY ")
        struct.pack_into("<I", v.b, o + 28, 40 * 1000)
    variant("file-larger-than-chain", too_big)

    def zero_cluster(v):  # non-empty file and a directory at cluster 0
        struct.pack_into("<H", v.b, v.find(b"BOOT    PY ") + 26, 0)
        struct.pack_into("<H", v.b, v.find(b"LIB        ") + 26, 0)
    variant("cluster-zero", zero_cluster)

    def bad_names(v):
        o = v.find(b"BOOT    PY ")
        v.b[o:o + 11] = b"B*O?T<>|PY\x01"
        o = v.find(b"MAIN    PY ")
        v.b[o:o + 11] = b"\x05AIN   p y"
        o = v.find(b"SUB        ")
        v.b[o:o + 11] = b"\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20"
    variant("bad-name-bytes", bad_names)

    def broken_lfn(v):  # scramble ordinals and checksums of every LFN slot in the root
        base_o = v.root_start * v.ss
        for i in range(v.root_entries):
            o = base_o + 32 * i
            if v.b[o] == 0:
                break
            if v.b[o + 11] == 0x0F:
                v.b[o] = rng.choice([0x00 + 1, 0x45, 0x7F, 0x41, 0xE5, 0x20])
                v.b[o + 13] ^= rng.choice([0, 1, 0x80])
                v.b[o + 26] = rng.choice([0, 5])
    variant("broken-lfn-slots", broken_lfn)

    def dir_contains_parent(v):  # lib/deep's cluster -> lib's cluster: a directory cycle
        lib = v.clus(v.find(b"LIB        "))
        deep = v.find(b"DEEP       ", lib)
        struct.pack_into("<H", v.b, deep + 26, lib)
    variant("directory-cycle", dir_contains_parent)

    def dot_entries(v):
        sub = v.clus(v.find(b"SUB        "))
        o = v.coff(sub)
        struct.pack_into("<H", v.b, o + 26, 2)         # "." elsewhere
        struct.pack_into("<H", v.b, o + 32 + 26, sub)  # ".." = itself
    variant("bad-dot-entries", dot_entries)

    def file_as_dir(v):  # a file flagged as directory, a directory flagged as label
        o = v.find(b"MAIN    PY ")
        v.b[o + 11] = 0x10
        o = v.find(b"LIB        ")
        v.b[o + 11] = 0x08
    variant("wrong-attributes", file_as_dir)

    def cross_link(v):
        a = v.chain(v.clus(v.find(b"MAIN    PY ")))
        struct.pack_into("<H", v.b, v.find(b"BOOT    PY ") + 26, a[1] if len(a) > 1 else a[0])
    variant("cross-linked", cross_link)

    def fat_garbage(v):
        o = v.fat_off()
        for i in range(3, min(v.fat_size * v.ss, 600)):
            v.b[o + i] = rng.getrandbits(8)
    variant("fat-garbage", fat_garbage)

    def root_garbage(v):
        o = v.root_start * v.ss
        for i in range(0, 32 * 24):
            if rng.random() < 0.3:
                v.b[o + i] = rng.getrandbits(8)
    variant("root-garbage", root_garbage)

    def erased_root_tail(v):  # flash-like: root entries after the first few are 0xFF
        o = v.root_start * v.ss + 32 * 4
        end = v.data_start * v.ss
        v.b[o:end] = b"\xFF" * (end - o)
    variant("root-erased-tail", erased_root_tail)
    return out


def boot_variants(base, rng):
    """Boot sectors that FatFs must refuse, or accept oddly."""
    out = []
    fields = [(11, "<H", [0, 1, 256, 1024, 4096, 0xFFFF]), (13, "B", [0, 3, 128, 255]),
              (14, "<H", [0, 0xFFFF]), (16, "B", [0, 2, 3, 255]), (17, "<H", [0, 1, 17, 0xFFFF]),
              (19, "<H", [0, 1, 7, 0xFFFF]), (22, "<H", [0, 0xFFFF]), (32, "<I", [0xFFFFFFFF, 0x100000])]
    for off, fmt, vals in fields:
        for val in vals:
            b = bytearray(base)
            struct.pack_into(fmt, b, off, val)
            out.append(("bpb-%d-%x" % (off, val), bytes(b)))
    b = bytearray(base)
    b[510:512] = b"\x00\x00"
    out.append(("no-signature", bytes(b)))
    b = bytearray(base)
    b[54:57] = b"NTF"
    out.append(("no-fat-string", bytes(b)))
    b = bytearray(base)
    b[0] = 0xE9
    out.append(("jump-e9", bytes(b)))
    for i in range(6):
        b = bytearray(base)
        for k in range(11, 62):
            if rng.random() < 0.25:
                b[k] = rng.getrandbits(8)
        out.append(("random-bpb-%d" % i, bytes(b)))
    b = bytearray(base)  # FAT32-looking: 16-bit sizes zero, 32-bit fields set
    struct.pack_into("<H", b, 17, 0)
    struct.pack_into("<H", b, 22, 0)
    struct.pack_into("<I", b, 36, 1)
    b[82:87] = b"FAT32"
    out.append(("fat32-like", bytes(b)))
    return out


def mbr_wrap(vol, ss):
    """A PC partition table in sector 0, the volume at LBA 1."""
    mbr = bytearray(ss)
    struct.pack_into("<BBBBBBBBII", mbr, 446, 0x80, 0, 2, 0, 0x01, 0, 0, 0, 1, len(vol) // ss)
    mbr[510:512] = b"\x55\xAA"
    return bytes(mbr) + vol


def fatfs_style(vol):
    """What vboard's mkfs writes: FatFs jump/OEM, zero boot code, 0xFF free data."""
    v = Vol(vol)
    b = v.b
    b[0:3] = b"\xEB\xFE\x90"
    b[3:11] = b"MSDOS5.0"
    b[54:62] = b"FAT     "
    b[62:510] = bytes(448)
    for c in range(2, v.clusters + 2):
        if v.get(c) == 0:
            o = v.coff(c)
            b[o:o + v.ss * v.spc] = b"\xFF" * (v.ss * v.spc)
    end = v.coff(v.clusters + 2)
    b[end:] = b"\xFF" * (len(b) - end)
    return bytes(b)


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    for tool in ("mkfs.fat", "mcopy", "mmd", "mdel"):
        if not shutil.which(tool):
            sys.exit("make_corpus.py: %s not found (apt-get install dosfstools mtools)" % tool)
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):
        os.unlink(os.path.join(outdir, f))
    rng = random.Random(12345)
    files = []

    def emit(name, cfg, data, fill):
        files.append((name, bytes([cfg]) + trimmed(data, fill)))

    with tempfile.TemporaryDirectory() as tmp:
        volumes = [  # name, KiB, sector size, spc, FATs, bits, dev-size cfg
            ("v64k-512", 64, 512, 1, 1, 12, DEV_256K),
            ("v128k-4096", 128, 4096, 1, 1, 12, DEV_256K),
            ("v64k-512-2fat", 64, 512, 1, 2, 12, DEV_256K),
            ("v256k-512-spc4", 256, 512, 4, 1, 12, DEV_256K),
        ]
        for name, kib, ss, spc, fats, bits, dev in volumes:
            img = os.path.join(tmp, name + ".img")
            mkfs(img, kib, ss, spc, fats, bits)
            if ss == 4096:  # empty files: 45 entries make "sub" two clusters
                populate(img, tmp, rng, many_in_sub=45, sub_size=0, main_size=5000, mixed=False)
            else:
                populate(img, tmp, rng, many_in_sub=20 if spc == 1 else 6)
            with open(img, "rb") as f:
                vol = f.read()
            ss_bit = SS4096 if ss == 4096 else 0
            base_cfg = ss_bit | dev | FILL00
            emit(name, base_cfg, vol, 0)
            emit(name + "-write", base_cfg | WRITE | (UTF8 if spc == 1 else 0), vol, 0)
            if fats == 1:
                emit(name + "-fatfs-style", ss_bit | dev | WRITE, fatfs_style(vol), 0xFF)
            if name == "v64k-512":
                for i, (dname, data) in enumerate(damaged(vol, rng)):
                    emit(name + "-" + dname, base_cfg | (WRITE if i % 2 else 0), data, 0)
                head = vol[:4 * ss]  # mount checks need only the boot sector
                for bname, data in boot_variants(head, rng):
                    emit(name + "-" + bname, base_cfg, data, 0)
                emit(name + "-mbr", base_cfg, mbr_wrap(vol, ss), 0)
                emit(name + "-truncated", ss_bit | DEV_INPUT | FILL00, vol[:ss * 20], 0)
                emit(name + "-one-sector", ss_bit | DEV_INPUT, vol[:ss], 0xFF)
            if name == "v128k-4096":
                keep = ("loop-fat-chain", "loop-dir-chain", "directory-cycle", "file-larger-than-chain",
                        "cross-linked", "reserved-values-in-chain")
                for dname, data in damaged(vol, rng):
                    if dname in keep:
                        emit(name + "-" + dname, base_cfg | WRITE, data, 0)
                emit(name + "-mbr", base_cfg, mbr_wrap(vol, ss), 0)
            if name == "v64k-512-2fat":
                v = Vol(vol)  # the two FATs disagree
                v.put(5, 0x123, fats=[1])
                emit(name + "-fats-differ", base_cfg | WRITE, bytes(v.b), 0)
        # FAT16: 16 MiB, 2 KiB clusters (flash.md §3 last row); only its head is kept
        img = os.path.join(tmp, "fat16.img")
        mkfs(img, 16384, 512, 4, 1, 16)
        run("mmd", "-i", img, "::/dir")
        with open(os.path.join(tmp, "src"), "wb") as f:
            f.write(bytes(rng.getrandbits(8) for _ in range(5000)))
        run("mcopy", "-i", img, os.path.join(tmp, "src"), "::/dir/file.bin")
        with open(img, "rb") as f:
            vol = f.read()
        emit("fat16-16m", DEV_16M | FILL00, vol, 0)
        emit("fat16-16m-write", DEV_16M | FILL00 | WRITE, vol, 0)
        emit("fat16-16m-fatfs-style", DEV_16M | WRITE, fatfs_style(vol), 0xFF)
        # a pycom-geometry (4 MiB / 512) FatFs-style volume with a few files
        img = os.path.join(tmp, "pycom.img")
        mkfs(img, 4096, 512, 4, 1, 12)
        populate(img, tmp, rng, many_in_sub=4)
        with open(img, "rb") as f:
            vol = fatfs_style(f.read())
        emit("pycom-4m-fatfs-style", DEV_4M | WRITE, vol, 0xFF)
    # random bytes and an all-erased device
    emit("random-512", DEV_256K, bytes(rng.getrandbits(8) for _ in range(4096)), 0x100)
    emit("random-4096", SS4096 | DEV_256K, bytes(rng.getrandbits(8) for _ in range(8192)), 0x100)
    emit("erased", DEV_4M, b"", 0xFF)

    total = 0
    for name, data in files:
        if len(data) > 65536:  # make fuzz runs libFuzzer with -max_len=65536
            sys.exit("make_corpus.py: %s is %d bytes, over the fuzzer's 65536" % (name, len(data)))
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        total += len(data)
    print("make_corpus.py: %d files, %d bytes in %s" % (len(files), total, outdir))


if __name__ == "__main__":
    main()
