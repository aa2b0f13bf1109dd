from micropython import const
import micropython
A = const(10)
_B = const(A * 2)
C = micropython.const(0x7F)
print(A, _B, C, A + _B + C)
def f():
    return A * 3
print(f())
