# int.from_bytes needs no heap for its lookup and gives a small int
# without one, so it works under heap_lock(); called on a subclass it
# still gives an int, as MicroPython's does.
import micropython


def locked():
    micropython.heap_lock()
    try:
        v = int.from_bytes(b"\x12\x34", "little")
    except MemoryError:
        v = "MemoryError"
    micropython.heap_unlock()
    return v


print(locked())


class Word(int):
    pass


print(type(Word.from_bytes(b"\x01", "big")) is int)
