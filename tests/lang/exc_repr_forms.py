# str() and repr() of exceptions: the args tuple, no CPython special cases
print(repr(IndexError('foo')))
print(repr(KeyError()))
class MyError(Exception):
    pass
print(repr(MyError('m', 2)))
print(str(KeyError('k')))
print(repr(str(ValueError())))
print(str(ValueError(1, 2)))
print(ZeroDivisionError, MyError)
