import sys
print(sys.implementation.name, sys.platform)
print(type(sys.implementation.version).__name__, len(sys.implementation.version) >= 3)
print(sys.byteorder, isinstance(sys.maxsize, int), type(sys.path).__name__, type(sys.argv).__name__)
print(hasattr(sys, 'print_exception'), sys.modules['sys'] is sys)
print(sys.implementation)
