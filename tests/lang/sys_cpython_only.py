# what a board's sys has not: CPython's tracing, profiling, host paths
import sys
print([n for n in ('settrace', 'setprofile', 'gettrace', 'call_tracing', 'executable', 'prefix',
                   'getrefcount', 'getsizeof', 'setswitchinterval', 'addaudithook') if hasattr(sys, n)])
print(hasattr(sys, 'path'), hasattr(sys, 'modules'), hasattr(sys, 'print_exception'))
