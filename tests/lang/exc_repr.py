# repr() of exceptions: MicroPython shows the args tuple
print(repr(ValueError('v')))
print(repr(KeyError('k', 1)))
print(repr(Exception()))
