#!/bin/sh
# `make run`: until the board runtime lands (issue 3), this creates the
# board's flash image if it is missing and shows its layout and files, the
# state the first boot leaves. BOARD=generic|pycom, FLASH=file.
set -eu
VBOARD=${1:-build/vboard}
BOARD=${BOARD:-generic}
FLASH=${FLASH:-vboard-flash-$BOARD.bin}
if [ ! -e "$FLASH" ]; then
    "$VBOARD" image create --board "$BOARD" "$FLASH"
fi
"$VBOARD" image info "$FLASH"
echo
"$VBOARD" fs "$FLASH" tree
