# bytearray and array.array built from a list or tuple store each int
# modulo the item size, without an overflow check (MicroPython 1.x).
from array import array

print(bytearray([256, -1, 255, True]))
print(bytearray((300, -256)))
print(array('B', [-1, 256]), array('b', [128, -129]))
print(array('H', (-1, 65536)), array('h', [32768]))
print(array('I', [-1]), array('Q', [-1]))
print(array('f', [1.5]))
try:
    bytearray([1.5])
except TypeError:
    print("TypeError")
