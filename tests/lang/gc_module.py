# MicroPython's gc module: its seven functions, collect() gives None,
# threshold() in whole 16-byte blocks, -1 when off
import gc
print(gc.collect(), gc.isenabled())
gc.disable()
print(gc.isenabled(), gc.collect())
gc.enable()
print(gc.threshold())
gc.threshold(20007)
print(gc.threshold())
gc.threshold(-1)
print(gc.threshold())
print(sorted(n for n in dir(gc) if not n.startswith('_')))
print(type(gc.mem_free()), gc.mem_free() > 0, gc.mem_alloc() > 0)
