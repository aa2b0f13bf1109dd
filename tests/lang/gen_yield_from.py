def inner():
    x = yield 'a'
    print('inner got', x)
    yield 'b'
    return 42
def outer():
    r = yield from inner()
    print('inner returned', r)
    yield from [1, 2]
    yield from range(3, 5)
g = outer()
print(next(g))
print(g.send('hi'))
print(list(g))
