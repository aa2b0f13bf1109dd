# sys.version: the language version MicroPython implements, then the firmware
import sys
print(sys.version[:len('3.4.0; MicroPython v1.24.1 on ')])
