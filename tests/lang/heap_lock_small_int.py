# Under heap_lock() arithmetic on small ints goes on (upstream keeps them
# in the object word, no heap); containers still cannot be made.
import micropython


def work(n):
    total = 0
    i = 0
    while i < n:
        total += i * 1000 + 7
        i += 1
    return total


def locked():
    micropython.heap_lock()
    try:
        t = work(50)
    except MemoryError:
        t = "MemoryError"
    try:
        made = [t]
    except MemoryError:
        made = "MemoryError"
    micropython.heap_unlock()
    return t, made


print(locked())
