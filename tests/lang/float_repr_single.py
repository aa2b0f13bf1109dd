# repr/str of a float on a single-precision port (esp32, rp2, Pycom):
# 7 significant digits of the 32-bit value (py/objfloat.c float_print)
print(1 / 3, 2 / 3, 0.1 + 0.2, 1e20, 1e39, -0.0, 100.0, 123456789.0)
print(float('nan'), -float('nan'), float('-inf'), 23.5 * 1.8 + 32)
print(repr(2.5), str(1 / 7), [0.1, 1 / 3], {'v': 1 / 3})
import json
print(json.dumps([1 / 3, 0.5]))
print('{} {!r}'.format(1 / 3, 2 / 3), f'{1 / 9}', '%s' % (1 / 3), '%.3f' % (1 / 3))
