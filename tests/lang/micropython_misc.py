import micropython
import gc
print(callable(micropython.opt_level), micropython.opt_level() >= 0)
micropython.alloc_emergency_exception_buf(100)
gc.collect()
print(isinstance(gc.mem_free(), int), isinstance(gc.mem_alloc(), int), gc.mem_free() > 0)
gc.disable(); gc.enable()
print(gc.isenabled())
