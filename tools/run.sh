#!/bin/sh
# `make run`: boot a board on this terminal (Ctrl-] opens a menu: reset, power cycle, brown-out, quit). The flash image
# is created on the first run. BOARD=generic|pycom, FLASH=file, PTY=link
# (serve a pty with that symlink instead of the terminal).
set -eu
VBOARD=${1:-build/vboard}
BOARD=${BOARD:-generic}
FLASH=${FLASH:-vboard-flash-$BOARD.bin}
if [ -n "${PTY:-}" ]; then
    exec "$VBOARD" run --board "$BOARD" --flash "$FLASH" --pty "$PTY"
fi
echo "vboard: $BOARD board, flash image $FLASH; Ctrl-] for the menu (q quits)"
exec "$VBOARD" run --board "$BOARD" --flash "$FLASH"
