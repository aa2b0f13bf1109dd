# the messages of the errors programs meet most, as v1.24's esp32/rp2 builds word them
def show(f):
    try:
        f()
    except Exception as e:
        print(type(e).__name__, e)


show(lambda: 1 / 0)
show(lambda: 1 // 0)
show(lambda: 1 % 0)
show(lambda: 1.5 / 0)
show(lambda: undefined_name)
show(lambda: 1 + 'a')
show(lambda: 'a' + 1)
show(lambda: [1] + 1)
show(lambda: 1 < 'a')
show(lambda: None[0])
show(lambda: None())
show(lambda: iter(1))
show(lambda: int('abc'))
show(lambda: float('x'))


def unpack():
    a, b = [1]


show(unpack)


def assign():
    t = (1,)
    t[0] = 2


show(assign)
show(lambda: {}['k'])
show(lambda: [][1])


def f(a):
    pass


show(lambda: f(1, 2))
show(lambda: f(1, b=2))
import sys
show(lambda: sys.no_such_attr)
show(lambda: __import__('no_such_module'))


def unbound():
    x += 1


show(unbound)
