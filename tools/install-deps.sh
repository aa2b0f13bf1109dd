#!/bin/sh
# The Debian packages vboard needs, and their installation when missing:
# the one list of them (the Makefile and .ci/run name sets, never packages).
#
#   sh tools/install-deps.sh [SET...]      SET: build, test, fuzz (default: all)
#   sh tools/install-deps.sh --list [SET...]   print the packages, one a line
#
# Run as root (CI) or with sudo available; does nothing when all are present.
set -eu
pkgs_build="gcc make pkg-config libpython3.11-dev libyaml-dev libssl-dev zlib1g-dev libpng-dev"  # vboard and the unit tests (libyaml: vboard test; libssl: the board's TLS; zlib: deflate; libpng: the OLED screenshot)
pkgs_test="dosfstools mtools python3-pytest python3-pexpect python3-serial openssl mosquitto mosquitto-clients thonny"  # end-to-end tests (pyserial: RFC 2217; openssl: TLS test certificates; mosquitto: the MQTT broker and its clients; thonny: its MicroPython back-end drives the board)
pkgs_fuzz="clang libclang-rt-14-dev"                      # libFuzzer smoke runs

list=false
if [ "${1:-}" = "--list" ]; then
    list=true
    shift
fi
[ $# -gt 0 ] || set -- build test fuzz
PKGS=""
for set in "$@"; do
    case $set in
    build) PKGS="$PKGS $pkgs_build" ;;
    test) PKGS="$PKGS $pkgs_test" ;;
    fuzz) PKGS="$PKGS $pkgs_fuzz" ;;
    *) echo "install-deps.sh: no package set '$set' (build, test, fuzz)" >&2; exit 2 ;;
    esac
done
if $list; then
    for p in $PKGS; do echo "$p"; done
    exit 0
fi

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "vboard: installing Debian packages:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "vboard: missing Debian packages:$missing; install them as root (apt-get install$missing)" >&2
        exit 1
    fi
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# another apt (unattended-upgrades, a parallel make) may hold the lock: wait for it
$SUDO apt-get -o DPkg::Lock::Timeout=300 update
# shellcheck disable=SC2086
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends $missing
