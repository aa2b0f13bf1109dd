from collections import namedtuple
P = namedtuple('P', 'x y')
Q = namedtuple('Q', ['a', 'b', 'c'])
p = P(1, y=2)
q = Q(*'abc')
print(p, q, p.x + p.y, p[0], len(q), tuple(q), p == (1, 2))
x, y = p
print(x, y, isinstance(p, tuple))
try:
    p.x = 5
except AttributeError:
    print('immutable')
