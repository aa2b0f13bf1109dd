# Raising a class whose __new__ returns something that is not an
# exception: TypeError "exceptions must derive from BaseException".
class Odd(Exception):
    def __new__(cls, *args):
        return 1


try:
    raise Odd
except TypeError as e:
    print("TypeError", e)


def gen():
    yield


try:
    gen().throw(Odd)
except TypeError as e:
    print("TypeError", e)
