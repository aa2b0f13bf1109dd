def trace(fn):
    def wrapper(*args, **kw):
        print('call', fn.__name__, args, sorted(kw.items()))
        r = fn(*args, **kw)
        print('ret', r)
        return r
    return wrapper
def times(n):
    def deco(fn):
        def w(*a):
            return [fn(*a) for _ in range(n)]
        return w
    return deco
@trace
def add(a, b=0):
    return a + b
@times(3)
def hi(x):
    return 'hi ' + x
add(1, b=2)
add(5)
print(hi('you'))
