# print() works while the heap is locked (upstream prints without the
# heap); new objects still cannot be made.
import micropython

micropython.heap_lock()
print("locked", 1, 2.5)
try:
    [1, 2, 3]
    print("list made")
except MemoryError:
    print("MemoryError")
print(micropython.heap_unlock())
print("unlocked")
