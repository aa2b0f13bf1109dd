#!/bin/sh
# `make run`: boot a board on this terminal (Ctrl-] quits). The flash image
# is created on the first run. BOARD=generic|pycom, FLASH=file, PTY=link
# (serve a pty with that symlink instead of the terminal).
set -eu
VBOARD=${1:-build/vboard}
BOARD=${BOARD:-generic}
FLASH=${FLASH:-vboard-flash-$BOARD.bin}
if [ -n "${PTY:-}" ]; then
    exec "$VBOARD" run --board "$BOARD" --flash "$FLASH" --pty "$PTY"
fi
echo "vboard: $BOARD board, flash image $FLASH; Ctrl-] quits"
exec "$VBOARD" run --board "$BOARD" --flash "$FLASH"
