# mip: MicroPython's package installer, with its documented API:
# install(package, index=None, target=None, version=None, mpy=True).
# A package is a name in the index (index/package/MPY/NAME/VERSION.json,
# whose "hashes" name files at index/file/HH/HASH, "urls" other files and
# "deps" further packages), a URL of a .py file, or a URL of a package
# directory or its package.json; github:ORG/REPO[/PATH] is a GitHub URL.
# On vboard, a board run with --mip-index DIR finds its index at
# http://mip.vboard.internal; otherwise it is micropython.org's, as upstream.

import sys

_PACKAGE_INDEX = "https://micropython.org/pi/v2"
_LOCAL_INDEX = "http://mip.vboard.internal"
_CHUNK = 128


def _default_index():
    import socket

    try:
        socket.getaddrinfo("mip.vboard.internal", 80)
        return _LOCAL_INDEX
    except OSError:
        return _PACKAGE_INDEX


def _ensure_path_exists(path):
    import os

    split = path.split("/")
    prefix = ""
    for i in range(len(split) - 1):
        prefix += split[i]
        if prefix:
            try:
                os.stat(prefix)
            except OSError:
                os.mkdir(prefix)
        prefix += "/"


# The short hash the index names a file by: the first characters of the
# hex SHA-256 of its content.
def _check_exists(path, short_hash):
    try:
        import binascii
        import hashlib

        with open(path, "rb") as f:
            h = hashlib.sha256()
            while True:
                data = f.read(_CHUNK)
                if not data:
                    break
                h.update(data)
            return binascii.hexlify(h.digest()).decode()[: len(short_hash)] == short_hash
    except OSError:
        return False


def _rewrite_url(url, branch=None):
    if not branch:
        branch = "HEAD"
    if url.startswith("github:"):
        parts = url[7:].split("/")
        url = "https://raw.githubusercontent.com/" + parts[0] + "/" + parts[1] + "/" + branch + "/" + "/".join(parts[2:])
    elif url.startswith("gitlab:"):
        parts = url[7:].split("/")
        url = "https://gitlab.com/" + parts[0] + "/" + parts[1] + "/-/raw/" + branch + "/" + "/".join(parts[2:])
    return url


def _download_file(url, dest):
    import requests

    response = requests.get(url)
    try:
        if response.status_code != 200:
            print("Error", response.status_code, "requesting", url)
            return False
        print("Copying:", dest)
        _ensure_path_exists(dest)
        with open(dest, "wb") as f:
            while True:
                chunk = response.raw.read(_CHUNK)
                if not chunk:
                    break
                f.write(chunk)
        return True
    finally:
        response.close()


def _install_json(package_json_url, index, target, version, mpy):
    import requests

    response = requests.get(_rewrite_url(package_json_url, version))
    try:
        if response.status_code != 200:
            print("Package not found:", package_json_url)
            return False
        package_json = response.json()
    finally:
        response.close()
    for target_path, short_hash in package_json.get("hashes", ()):
        fs_target_path = target + "/" + target_path
        if _check_exists(fs_target_path, short_hash):
            print("Exists:", fs_target_path)
            continue
        file_url = "{}/file/{}/{}".format(index, short_hash[:2], short_hash)
        if not _download_file(file_url, fs_target_path):
            print("File not found: {} {}".format(target_path, short_hash))
            return False
    base_url = package_json_url.rpartition("/")[0]
    for target_path, url in package_json.get("urls", ()):
        fs_target_path = target + "/" + target_path
        is_full = url.startswith("http://") or url.startswith("https://") or url.startswith("github:") \
            or url.startswith("gitlab:")
        if not _download_file(_rewrite_url(url if is_full else base_url + "/" + url, version), fs_target_path):
            print("File not found: {} {}".format(target_path, url))
            return False
    for dep, dep_version in package_json.get("deps", ()):
        if not _install_package(dep, index, target, dep_version, mpy):
            return False
    return True


def _install_package(package, index, target, version, mpy):
    if (package.startswith("http://") or package.startswith("https://") or package.startswith("github:")
            or package.startswith("gitlab:")):
        if package.endswith(".py") or package.endswith(".mpy"):
            print("Downloading {} to {}".format(package, target))
            return _download_file(_rewrite_url(package, version), target + "/" + package.rsplit("/")[-1])
        if not package.endswith(".json"):
            if not package.endswith("/"):
                package += "/"
            package += "package.json"
        print("Installing {} to {}".format(package, target))
    else:
        if not version:
            version = "latest"
        print("Installing {} ({}) from {} to {}".format(package, version, index, target))
        mpy_version = sys.implementation._mpy & 0xFF if mpy and hasattr(sys.implementation, "_mpy") else "py"
        package = "{}/package/{}/{}/{}.json".format(index, mpy_version, package, version)
    return _install_json(package, index, target, version, mpy)


def install(package, index=None, target=None, version=None, mpy=True):
    if not target:
        for p in sys.path:
            if p.endswith("/lib"):
                target = p
                break
        else:
            print("Unable to find lib dir in sys.path")
            return
    if not index:
        index = _default_index()
    if _install_package(package, index.rstrip("/"), target, version, mpy):
        print("Done")
    else:
        print("Package may be partially installed")
