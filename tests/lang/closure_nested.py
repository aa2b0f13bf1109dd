def outer(a):
    def middle(b):
        def inner(c):
            return a + b + c
        return inner
    return middle
print(outer(1)(2)(3), outer('x')('y')('z'))
def adders():
    return [(lambda x, n=n: x + n) for n in range(3)]
print([f(10) for f in adders()])
