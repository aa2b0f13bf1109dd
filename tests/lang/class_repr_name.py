# MicroPython names user classes without a module prefix
class A:
    pass
print(A)
print(type(A()))
print(A.__name__, type(A()).__name__)
