import time
t0 = time.ticks_ms()
print(time.ticks_diff(time.ticks_add(t0, 100), t0))
print(time.ticks_diff(t0, time.ticks_add(t0, 250)))
print(time.ticks_diff(time.ticks_add(0, -1), 0), time.ticks_diff(0, time.ticks_add(0, -1)))
print(time.ticks_add(0, -1))
big = time.ticks_add(0, 2 ** 29 - 1)
print(big, time.ticks_diff(big, 0), time.ticks_diff(time.ticks_add(big, 2 ** 29 - 1), 0))
print(time.ticks_diff(2 ** 29, 0), time.ticks_diff(0, 2 ** 29))
try:
    time.ticks_add(0, 2 ** 29)
except OverflowError:
    print('OverflowError')
