# upstream ticks_add rejects |delta| >= TICKS_PERIOD/2, -TICKS_PERIOD/2 included
import time
half = time.ticks_diff(0, 2 ** 29) * -1
for d in (half - 1, -(half - 1), half, -half):
    try:
        time.ticks_add(0, d)
        print('ok', d)
    except OverflowError:
        print('OverflowError', d)
