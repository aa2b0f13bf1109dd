#!/bin/sh
# Installs the Debian packages vboard needs to build and test, if missing.
# Run as root (CI) or with sudo available; does nothing when all are present.
set -eu
PKGS="gcc make pkg-config libpython3.11-dev clang libclang-rt-14-dev dosfstools mtools python3-pytest python3-pexpect"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "vboard: installing Debian packages:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# shellcheck disable=SC2086
$SUDO apt-get install -y --no-install-recommends $missing
