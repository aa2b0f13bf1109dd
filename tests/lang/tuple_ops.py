t = (1, 2, 3)
print(t + (4,), t * 2, t[1], len(t), t.index(3), t.count(1), 2 in t, (1,), ())
a, b, c = t
print(a, b, c)
a, *rest = t
print(a, rest)
*init, last = [1, 2, 3, 4]
print(init, last)
x, (y, z) = 1, (2, 3)
print(x, y, z, tuple([1, 2]), tuple('ab'))
print((1, 2) < (1, 3), (1, 2, 3) == (1, 2, 3), max((1, 'b'), (1, 'a')))
