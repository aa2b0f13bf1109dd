"""The randomized differential test's final volumes, checked by dosfstools and mtools.

tests/unit/test_fat_diff.c runs thousands of operations against vboard's FAT
and a host directory; with -d DIR it leaves, per run, the FS region
(diff-GEOM-SEED.img) and every file as vboard read it back
(diff-GEOM-SEED.tree/). Here fsck.fat must find each volume clean and, for
the generic geometry (UTF-8 names, which mtools shows unchanged), mtools
must list and read exactly that tree.
"""
import os

import pytest

from conftest import VBOARD_TESTS, fsck_clean, mtools, run, sha

SEEDS = [11, 12, 13]
OPS = 600


@pytest.fixture(scope="module")
def dumps(tmp_path_factory):
    exe = os.path.join(VBOARD_TESTS, "test_fat_diff")
    if not os.access(exe, os.X_OK):
        pytest.fail("%s not built (make unit)" % exe)
    out = tmp_path_factory.mktemp("diff")
    results = {}
    for seed in SEEDS:
        r = run([exe, "-d", out, seed, OPS], timeout=600)
        results[seed] = r
    return out, results


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("geom", ["generic", "pycom"])
def test_diff_volume_fsck_clean(dumps, seed, geom, tmp_path):
    out, results = dumps
    img = out / ("diff-%s-%d.img" % (geom, seed))
    assert img.exists(), "the differential run left no image (it failed before the end?)\n%s" % results[seed]
    fsck_clean(img, 0, img.stat().st_size, tmp_path, "diff-%s-%d" % (geom, seed))


def tree_files(root):
    files = {}
    dirs = set()
    for d, subdirs, names in os.walk(root):
        rel = os.path.relpath(d, root)
        for s in subdirs:
            dirs.add(os.path.normpath(os.path.join(rel, s)) + "/")
        for n in names:
            with open(os.path.join(d, n), "rb") as f:
                files[os.path.normpath(os.path.join(rel, n))] = f.read()
    return files, dirs


@pytest.mark.parametrize("seed", SEEDS)
def test_diff_volume_as_mtools_sees_it(dumps, seed, tmp_path):
    out, results = dumps
    img = out / ("diff-generic-%d.img" % seed)
    tree = out / ("diff-generic-%d.tree" % seed)
    assert img.exists() and tree.is_dir(), "no dump\n%s" % results[seed]
    want_files, want_dirs = tree_files(tree)
    ext = tmp_path / "extract"
    ext.mkdir()
    r = mtools("mcopy", "-s", "-n", "-i", str(img), "::/*", str(ext) + "/", rc=None)
    got_files, got_dirs = tree_files(ext)
    if not want_files and not want_dirs:
        return
    assert r.rc == 0, r
    assert sorted(got_dirs) == sorted(want_dirs), "directories: mtools %s, vboard %s" % (
        sorted(got_dirs), sorted(want_dirs))
    assert sorted(got_files) == sorted(want_files), "files: mtools %s, vboard %s" % (
        sorted(got_files), sorted(want_files))
    for path, data in want_files.items():
        assert sha(got_files[path]) == sha(data), "%s: mtools reads %d bytes, vboard %d" % (
            path, len(got_files[path]), len(data))
