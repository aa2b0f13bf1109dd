# const() needs no import: MicroPython's compiler knows the name
X = const(7)
from micropython import const
Y = const(X * 2)
print(X, Y)
