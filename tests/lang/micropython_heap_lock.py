# micropython.heap_lock(): every allocation raises MemoryError until unlocked
import micropython
got = a = b = None  # globals exist before the lock: a new one needs memory
micropython.heap_lock()
try:
    x = [1, 2, 3]
    got = 'allocated'
except MemoryError:
    got = 'MemoryError'
n = micropython.heap_unlock()
print(got, n)
micropython.heap_lock()
micropython.heap_lock()
a = micropython.heap_unlock()
b = micropython.heap_unlock()
print(a, b)
print([1, 2, 3])
