# @micropython.native/viper/bytecode need no import and leave a working function
@micropython.native
def f(a, b):
    return a + b


@micropython.viper
def g(n: int) -> int:
    return n * 3


@micropython.bytecode
def h():
    return 'h'


print(f(1, 2), g(5), h(), f.__name__)
