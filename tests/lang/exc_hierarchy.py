pairs = [(ZeroDivisionError, ArithmeticError), (KeyError, LookupError), (IndexError, LookupError),
         (ValueError, Exception), (StopIteration, Exception), (KeyboardInterrupt, Exception),
         (KeyboardInterrupt, BaseException), (SystemExit, BaseException), (OSError, Exception),
         (AttributeError, Exception), (NotImplementedError, RuntimeError), (AssertionError, Exception),
         (UnicodeError, ValueError)]
for a, b in pairs:
    print(a.__name__, b.__name__, issubclass(a, b))
